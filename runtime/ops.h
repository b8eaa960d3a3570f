/* ops.h - the operations on device tensors, described as data and run by a small graph
 * runner: what a transformer needs (matmuls, gathers, norms, rotary positions, activations,
 * paged attention) and a few reductions.
 *
 * An operation is an op_node: what to compute, into which tensor (runtime/tensor.h), from
 * which. op_run records a list of nodes into one command buffer,
 * with barriers only where a node reads what an earlier one wrote, and waits for it.
 *
 *     tensor x = {DT_F32, {4096, 1, 1, 1}, &xbuf, 0};   // one row of 4096 floats
 *     tensor w = {DT_F16, {4096, 4096, 1, 1}, &wbuf, 0}; // 4096 rows of 4096 halves
 *     tensor y = {DT_F32, {4096, 1, 1, 1}, &ybuf, 0};
 *     op_node g[] = {{.kind = OP_MATMUL, .dst = &y, .src = {&w, &x}}};
 *     if (op_run(ctx, g, 1, &e)) ...
 *
 * Every op has a CPU reference (tests/ops_ref.h), and tests compare the two on random inputs.
 */
#ifndef VKEVE_OPS_H
#define VKEVE_OPS_H

#include <stdint.h>

#include "runtime/tensor.h"
#include "runtime/vk_seq.h"

typedef enum op_kind {
    OP_ADD,          /* dst = src0 + src1, src1 repeated along src0 (f32) */
    OP_MUL,          /* dst = src0 * src1, src1 repeated along src0 (f32) */
    OP_SUM_ROWS,     /* dst[r] = sum of row r of src0 (f32) */
    OP_MAX_ROWS,     /* dst[r] = max of row r of src0 (f32) */
    OP_SOFTMAX_ROWS, /* dst row r = softmax(scale * row r of src0) (f32) */
    OP_LOG_SOFTMAX,  /* dst row r = log-softmax(scale * row r of src0) (f32) */
    OP_ARGMAX,       /* dst[r] (i32) = index of the largest of row r of src0, lowest first */
    OP_MATMUL,       /* dst[n][m] = sum_k src0[m][k] * src1[n][k]: src0 weights (M rows of
                        K; f32, f16, bf16 or a quantized type), src1 activations (N rows of K,
                        f32), dst N rows of M. Weights larger than one binding can see are
                        multiplied in slices of rows. */
    OP_GET_ROWS,     /* dst row i = row src1[i] of src0: src0 a table of any type above, rows
                        a multiple of 32 wide; src1 i32 ids, each < src0's rows; dst f32 */
    OP_SET_ROWS,     /* row src1[i] of dst = row i of src0: src0 f32, src1 i32 ids, dst f16
                        or f32 (rows not named keep their contents) */
    OP_RMS_NORM,     /* dst row = row / sqrt(mean(row^2) + eps) * src1 (f32, src1 one row) */
    OP_LAYER_NORM,   /* dst row = (row - mean) / sqrt(var + eps) * src1 + src2 */
    OP_ROPE,         /* src0 (head dim, heads, tokens) turned by positions src1 (i32, four
                        per token: t, h, w, e), per .rope */
    OP_SILU,         /* dst = x * sigmoid(x) */
    OP_GELU,         /* dst = x * (1 + erf(x / sqrt 2)) / 2 */
    OP_QUICK_GELU,   /* dst = x * sigmoid(1.702 x) */
    OP_ATTENTION,    /* causal attention of queries src0 (head dim, heads, tokens) over the
                        paged cache: src1 keys and src2 values (f16, one row of kv heads x
                        head dim per slot), src3 i32 metadata (per token its sequence and
                        key count, then the page tables), per .attn; dst as src0 */
} op_kind;

typedef enum op_rope_mode {
    OP_ROPE_NORMAL, /* adjacent pairs (x[2k], x[2k+1]): llama */
    OP_ROPE_NEOX,   /* pairs (x[k], x[k + n_dims/2]): qwen2 */
    OP_ROPE_MROPE,  /* NeoX pairs, position component chosen by section: qwen2vl */
    OP_ROPE_VISION, /* as MROPE, the exponent restarting per section over n_dims / 2: pair k
                       of section c turns by pos[c] * base^(-2 (k - start_c) / (n_dims / 2)),
                       the Qwen2-VL ViT's 2-D rope with positions (row, col, ., .) */
} op_rope_mode;

typedef struct op_rope {
    op_rope_mode mode;
    int n_dims;      /* rotated dimensions per head (the rest are copied) */
    float base;      /* theta_k = pos * base^(-2k / n_dims) */
    int sections[4]; /* OP_ROPE_MROPE: pairs per position component (t, h, w, e) */
} op_rope;

typedef struct op_attn {
    int page_size; /* cache slots per page */
    int max_pages; /* entries of each page table */
    float scale;   /* applied to q . k, usually 1 / sqrt(head dim) */
} op_attn;

/* Which kernel shape a matmul uses; AUTO picks by device type (and, for texels, by whether
 * the tensors fit the device's texel-buffer limits). Tests run every shape. */
typedef enum op_shape {
    OP_SHAPE_AUTO,
    OP_SHAPE_ROWS,       /* a few weight rows per invocation, storage buffers: any device */
    OP_SHAPE_ROWS_TEXEL, /* the same reading texel buffers: best on CPU devices. With quantized
                         weights the activations are first rounded to 8 bits per element and
                         32-element block (llama.cpp's q8_1, f32 scale), each to within
                         max |x| / 254 of its block: reading the floats costs more there than
                         decoding the weights. OP_SHAPE_ROWS keeps them exact. */
    OP_SHAPE_SUBGROUP,   /* one subgroup per weight row: best on GPUs; needs subgroup arithmetic */
} op_shape;

/* Up to four sources and the op's own parameters, as data. */
typedef struct op_node {
    op_kind kind;
    const tensor *dst;
    const tensor *src[4];
    union {
        float scale; /* OP_SOFTMAX_ROWS */
        float eps;   /* OP_RMS_NORM, OP_LAYER_NORM */
        op_rope rope;
        op_attn attn;
    };
    op_shape shape;    /* OP_MATMUL */
    const char *label; /* for timings and errors; defaults to the op's name */
} op_node;

const char *op_name(op_kind kind);
const char *op_shape_name(op_shape shape);
/* The shape a matmul node runs with on ctx: its own, or what OP_SHAPE_AUTO picks. */
op_shape op_matmul_shape(const vk_ctx *ctx, const op_node *nd);

/* Records one node into s (checking types and shapes first). */
int op_record(vk_seq *s, const op_node *node, errmsg *e);
/* Records all nodes into one sequence, runs it and waits. */
int op_run(vk_ctx *ctx, const op_node *nodes, int n, errmsg *e);

#endif
