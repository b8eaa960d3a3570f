/* mkmodel.h - random decoder-only language models and Qwen2-VL / Qwen2.5-VL vision projectors
 * ("mmproj" files) written as GGUF, for tests of the decoder and the vision encoder against
 * the independent references tests/reference/llm_ref.py and vlm_ref.py.
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
 * A projector (proj != MK_NO_PROJ) is an mmproj file as llama.cpp's converter writes one for
 * Qwen2-VL ("qwen2vl_merger") or Qwen2.5-VL ("qwen2.5vl_merger"): general.architecture "clip",
 * the two temporal patch kernels v.patch_embd.weight{,.1} [14, 14, 3, E], ViT blocks v.blk.N.*,
 * v.post_ln and the merger mm.0 [4E, 4E], mm.2 [4E, n_text_embd]. Its spec uses n_layer, n_embd,
 * n_head, n_ff, type, seed and rms_eps (the norms' epsilon); the text-only fields are ignored.
 * Rows that are not whole blocks of a quantized type (the patch kernels' rows of 14) are f16,
 * as the converter falls back.
 *
 *     mkmodel_spec s = mkmodel_preset_tiny();
 *     s.type = DT_Q8_0;
 *     if (mkmodel_check(&s, &e) || mkmodel_write(&s, "tiny.gguf", &sum, &e)) ...;
 *     mkmodel_spec v = mkmodel_preset_vit_tiny(MK_PROJ_QWEN25VL);   // mmproj for tiny.gguf
 */
#ifndef VKEVE_MKMODEL_H
#define VKEVE_MKMODEL_H

#include <stdint.h>

#include "base/errmsg.h"

typedef enum mkmodel_arch { MK_QWEN2, MK_QWEN2VL, MK_LLAMA } mkmodel_arch;

typedef enum mkmodel_proj { MK_NO_PROJ, MK_PROJ_QWEN2VL, MK_PROJ_QWEN25VL } mkmodel_proj;

typedef struct mkmodel_spec {
    mkmodel_arch arch;
    int type; /* ggml type of the 2-D matrices (runtime/dtype.h) */
    int n_layer, n_embd, n_head, n_head_kv, n_ff, n_ctx;
    double rope_theta;
    double rms_eps;
    int tied; /* no output.weight: the head reuses token_embd.weight */
    uint64_t seed;
    const char *vocab_from; /* copy tokenizer.* keys from this GGUF; NULL: built-in vocab */
    mkmodel_proj proj;      /* MK_NO_PROJ: a language model; else a vision projector */
    int n_text_embd;        /* projector: width of its output, the text model's n_embd */
    int n_wa_pattern;       /* Qwen2.5-VL: layers l with (l + 1) % n == 0 attend globally */
} mkmodel_spec;

/* What was written, for the command's one-line report. */
typedef struct mkmodel_summary {
    int64_t n_vocab; /* 0 for a projector */
    int64_t n_tensors;
    int64_t n_params;
    int64_t count_by_type[64]; /* tensors per ggml type id */
} mkmodel_summary;

mkmodel_spec mkmodel_preset_tiny(void);
mkmodel_spec mkmodel_preset_qwen2_05b(void);
/* Projectors: tiny (2 layers, 64 wide, 4 heads, FFN 128, output 64, n_wa_pattern 2: one
 * windowed and one global layer) and the shape of Qwen2-VL-2B's (32 layers, 1280 wide, 16
 * heads, FFN 5120, output 1536; Qwen2.5-VL: FFN 3420, n_wa_pattern 8). */
mkmodel_spec mkmodel_preset_vit_tiny(mkmodel_proj p);
mkmodel_spec mkmodel_preset_vit_2b(mkmodel_proj p);

/* "qwen2", "qwen2vl", "llama": the value of general.architecture. */
const char *mkmodel_arch_name(mkmodel_arch a);
/* "qwen2vl", "qwen2.5vl" (the --mmproj names); NULL for MK_NO_PROJ. */
const char *mkmodel_proj_name(mkmodel_proj p);

/* Checks the shape against the architecture (or projector) and the weight type; ERR_ENV with
 * a message naming the option at fault. */
int mkmodel_check(const mkmodel_spec *s, errmsg *e);

/* Builds the model and writes it atomically to path. ERR_FAIL on an unreadable vocab_from
 * file, out of memory or a write failure. */
int mkmodel_write(const mkmodel_spec *s, const char *path, mkmodel_summary *sum, errmsg *e);

#endif
