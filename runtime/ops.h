/* ops.h - tensors on the device and the operations on them, described as data and run by a
 * small graph runner.
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
    OP_MATMUL,       /* dst[n][m] = sum_k src0[m][k] * src1[n][k]: src0 weights (M rows of
                        K; f32, f16, bf16 or a quantized type), src1 activations (N rows of K,
                        f32), dst N rows of M */
} op_kind;

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

typedef struct op_node {
    op_kind kind;
    const tensor *dst;
    const tensor *src[2];
    float scale;       /* OP_SOFTMAX_ROWS */
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
