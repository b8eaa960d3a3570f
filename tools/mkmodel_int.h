/* mkmodel_int.h - what the two halves of tools/mkmodel.h share: tensor descriptions and the
 * seeded weight maker (mkmodel.c), used by the language models (mkmodel.c) and the vision
 * projectors (mkmodel_vit.c). Not an API of its own.
 *
 *     mk_builder b = {w, spec, sum, e};
 *     mk_wdesc d = {"v.blk.0.attn_q.weight", MK_MATRIX, {64, 64}, 0};
 *     if (mk_add_weight(&b, &d)) ...;
 */
#ifndef VKEVE_MKMODEL_INT_H
#define VKEVE_MKMODEL_INT_H

#include <stdint.h>

#include "runtime/gguf.h"
#include "tools/mkmodel.h"

/* Matrices N(0, 1/fan_in), norm weights 1 + 0.1 N(0, 1), biases 0.1 N(0, 1). */
typedef enum mk_wkind { MK_MATRIX, MK_NORM, MK_BIAS } mk_wkind;

/* One tensor: ne[0] is the row length, up to three more dimensions follow (0 = absent; a
 * vector is {n}); a matrix's fan-in is every dimension but the last. permute_hd > 0 permutes
 * the rows of each head of that size (llama's attn_q/attn_k). */
typedef struct mk_wdesc {
    const char *name;
    mk_wkind kind;
    int64_t ne[4];
    int permute_hd;
} mk_wdesc;

typedef struct mk_builder {
    gguf_writer *w;
    const mkmodel_spec *s;
    mkmodel_summary *sum;
    errmsg *e;
} mk_builder;

/* Draws the tensor from the stream of (seed, name), stores it in its type (mkmodel.h) and
 * counts it in the summary. ERR_FAIL when out of memory. */
int mk_add_weight(mk_builder *b, const mk_wdesc *d);

/* general.file_type: llama.cpp's LlamaFileType for a file whose matrices are all `type`. */
uint32_t mk_file_type(int type);

/* The projector half (mkmodel_vit.c): mkmodel_check and the whole file of mkmodel_write. */
int mkvit_check(const mkmodel_spec *s, errmsg *e);
int mkvit_build(mk_builder *b);

#endif
