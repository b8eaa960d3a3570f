/* mkmodel.h - random decoder-only language models written as GGUF files, for tests of the
 * decoder against the independent reference tests/reference/llm_ref.py.
 *
 * A model is a pure function of its spec: the same spec gives the same file bytes. Each
 * tensor's values come from its own rng stream, keyed by the seed and the tensor's name, so
 * models that differ only in weight type, architecture or tied/untied head share the values
 * of the tensors they have in common (a q4_K model quantizes the f32 model's numbers, and
 * a llama model's attn_q is a qwen2 model's attn_q with its rows permuted).
 *
 * Layout and names are those llama.cpp's converter writes (conversion to GGUF from Hugging
 * Face checkpoints): a Linear weight [out, in] is a tensor ne = [in, out]; norms and biases
 * are f32; for arch llama the rows of attn_q and attn_k are permuted per head so that
 * adjacent-pair RoPE on the file equals Hugging Face's rotate-half RoPE on the original
 * rows: file row 2i + j of a head is original row j * head_dim/2 + i (j = 0, 1).
 *
 *     mkmodel_spec s = mkmodel_preset_tiny();
 *     s.type = DT_Q8_0;
 *     if (mkmodel_check(&s, &e) || mkmodel_write(&s, "tiny.gguf", &sum, &e)) ...;
 */
#ifndef VKEVE_MKMODEL_H
#define VKEVE_MKMODEL_H

#include <stdint.h>

#include "base/errmsg.h"

typedef enum mkmodel_arch { MK_QWEN2, MK_QWEN2VL, MK_LLAMA } mkmodel_arch;

typedef struct mkmodel_spec {
    mkmodel_arch arch;
    int type; /* ggml type of the 2-D matrices (runtime/dtype.h) */
    int n_layer, n_embd, n_head, n_head_kv, n_ff, n_ctx;
    double rope_theta;
    double rms_eps;
    int tied; /* no output.weight: the head reuses token_embd.weight */
    uint64_t seed;
    const char *vocab_from; /* copy tokenizer.* keys from this GGUF; NULL: built-in vocab */
} mkmodel_spec;

/* What was written, for the command's one-line report. */
typedef struct mkmodel_summary {
    int64_t n_vocab;
    int64_t n_tensors;
    int64_t n_params;
    int64_t count_by_type[64]; /* tensors per ggml type id */
} mkmodel_summary;

mkmodel_spec mkmodel_preset_tiny(void);
mkmodel_spec mkmodel_preset_qwen2_05b(void);

/* "qwen2", "qwen2vl", "llama": the value of general.architecture. */
const char *mkmodel_arch_name(mkmodel_arch a);

/* Checks the shape against the architecture and the weight type; ERR_ENV with a message
 * naming the option at fault. */
int mkmodel_check(const mkmodel_spec *s, errmsg *e);

/* Builds the model and writes it atomically to path. ERR_FAIL on an unreadable vocab_from
 * file, out of memory or a write failure. */
int mkmodel_write(const mkmodel_spec *s, const char *path, mkmodel_summary *sum, errmsg *e);

#endif
