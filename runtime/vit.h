/* vit.h - the vision encoder of Qwen2-VL and Qwen2.5-VL: a ViT and its 2x2 patch merger, read
 * from the "mmproj" GGUF llama.cpp writes (projector qwen2vl_merger or qwen2.5vl_merger) and run
 * on the device, one image at a time.
 *
 * Input is what vision/vlm_pre.h makes of an image: grid_h x grid_w patch rows of 3 x 2 x 14 x 14
 * floats (channel, frame, y, x), in 2x2 merge order. Output is one row per merged token
 * (grid_h/2 x grid_w/2 of them, raster order over the merged grid), as wide as the text model's
 * embedding, ready to replace that image's <|image_pad|> rows in the decoder.
 *
 * The forward pass (Hugging Face's Qwen2VisionTransformer and Qwen2_5_VisionTransformer):
 *   patch embedding (the two temporal kernels), then per layer
 *     x += out(attention(rope2d(q), rope2d(k), v)) of norm1(x)   non-causal, one image;
 *     x += mlp(norm2(x))
 *   then the merger: norm(x), four patches concatenated, mm.2(gelu(mm.0(.))).
 *   Qwen2-VL: LayerNorm, quick-GELU MLP. Qwen2.5-VL: RMSNorm, SwiGLU MLP with biases, and
 *   attention only within windows of 112 px (8x8 patches) except in every n_wa_pattern-th layer.
 * Attention keeps keys and values as f16 and never stores a score matrix (runtime/ops.h), so
 * a 1024x1024 image (5,300 patches) needs memory proportional to the patches, not their square.
 *
 *     vit *v;
 *     if (vit_load(ctx, mmproj, OP_SHAPE_AUTO, &v, &e) || vit_check_text(v, llm_config_of(m), &e))
 * ... float *rows = malloc(vit_out_rows(gh, gw) * vit_config_of(v)->n_out * sizeof *rows); if
 * (vit_encode(v, pixels, gh, gw, rows, &e)) ...
 */
#ifndef VKEVE_VIT_H
#define VKEVE_VIT_H

#include <stdint.h>

#include "runtime/gguf.h"
#include "runtime/llm.h"
#include "runtime/vk.h"

typedef enum vit_family { VIT_QWEN2VL, VIT_QWEN25VL } vit_family;

typedef enum vit_act { VIT_QUICK_GELU, VIT_GELU, VIT_SWIGLU } vit_act;

typedef struct vit_config {
    vit_family family;
    const char *projector; /* "qwen2vl_merger" or "qwen2.5vl_merger" */
    int n_embd, n_head, head_dim, n_layer, n_ff;
    int n_out;        /* merged token width: the text model's embedding */
    int patch, merge; /* 14, 2 */
    int n_wa_pattern; /* Qwen2.5-VL: layers l with (l + 1) % n_wa_pattern == 0 are global */
    int window;       /* Qwen2.5-VL: window side in pixels (112) */
    vit_act act;      /* the MLP's activation */
    float eps;        /* the norms' epsilon */
    float mean[3], std[3];
    int64_t min_pixels, max_pixels; /* from the file, 0 when it has none */
} vit_config;

typedef struct vit vit;

/* Reads and checks the configuration alone (no device). */
int vit_read_config(const gguf_file *f, vit_config *c, errmsg *e);

/* Reads the configuration, checks every tensor's shape, uploads the weights. The activations
 * are allocated on the first encode and grow with the largest image seen. matmul picks the
 * matmul kernel shape as in llm_opts (OP_SHAPE_AUTO, or OP_SHAPE_ROWS for exact activations
 * with quantized weights on CPU devices). */
int vit_load(vk_ctx *ctx, const gguf_file *f, op_shape matmul, vit **out, errmsg *e);
void vit_free(vit *v);
const vit_config *vit_config_of(const vit *v);

/* Refuses a projector whose output width differs from the text model's embedding, or a text
 * model that has no M-RoPE (qwen2vl architecture), saying what differs. */
int vit_check_text(const vit *v, const llm_config *text, errmsg *e);

/* Merged tokens of a grid_h x grid_w patch grid. */
int64_t vit_out_rows(int grid_h, int grid_w);

/* Encodes one image: pixels holds grid_h * grid_w rows of 3 * 2 * patch^2 floats (vlm_pre's
 * pixel_values); out receives vit_out_rows rows of n_out floats. grid sides must be even. */
int vit_encode(vit *v, const float *pixels, int grid_h, int grid_w, float *out, errmsg *e);

/* The last encode's host work and device time, in seconds. */
void vit_encode_times(const vit *v, double *host_s, double *run_s);

#endif
