/* weights.h - a model's weights uploaded once into device memory.
 *
 * wt_upload copies every tensor of a GGUF file into its own device buffer, after checking
 * that the types are ones vkeve computes with and that the whole set fits the device: a
 * model larger than device memory fails before anything is allocated, with a message that
 * says how much it needs and how much the device has.
 *
 *     wt_model w;
 *     if (wt_upload(ctx, file, &w, &e)) { fprintf(stderr, "%s\n", e.text); ... }
 *     const tensor *q = wt_find(&w, "blk.0.attn_q.weight");   // NULL if absent
 *     ... op_node {.kind = OP_MATMUL, .src = {q, &x}, ...} ...
 *     wt_free(ctx, &w);
 *
 * The uploaded tensors do not refer to the GGUF file: it may be closed after wt_upload.
 */
#ifndef VKEVE_WEIGHTS_H
#define VKEVE_WEIGHTS_H

#include "runtime/gguf.h"
#include "runtime/ops.h"

typedef struct wt_model {
    int n;
    char **names;    /* n tensor names, in file order */
    tensor *tensors; /* n tensors, each the whole of its buffer */
    vk_buf *bufs;
    uint64_t bytes; /* device memory the weights take */
} wt_model;

/* Device memory (bytes) that uploading f's tensors takes, allocation rounding included. */
uint64_t wt_bytes_needed(const gguf_file *f);

int wt_upload(vk_ctx *ctx, const gguf_file *f, wt_model *out, errmsg *e);
const tensor *wt_find(const wt_model *w, const char *name);
/* The tensor `name` with exactly the shape (ne0, ne1) (ne1 = 0: a vector, which must be f32,
 * as norms and biases are). NULL when it is missing (an error unless optional) or misshapen.
 * Once e holds an error it returns NULL at once, so a model binds every tensor and checks e
 * once; the message names the first defect. */
const tensor *wt_get(const wt_model *w, const char *name, int64_t ne0, int64_t ne1, bool optional,
                     errmsg *e);
void wt_free(vk_ctx *ctx, wt_model *w); /* also fine on a zeroed or failed wt_model */

#endif
