/* test_matmul_quant.c - OP_MATMUL with quantized weights (shaders/mmq_*.comp, decoding GGUF
 * blocks on the device) against the CPU reference: quant_dequantize the weights, then
 * ref_matmul in double. Every block type, both kernel shapes, odd shapes (K a multiple of the
 * block but not of the workgroup, N = 1, 3, 513, M = 1, 7, 97), weights at an offset inside
 * a larger buffer, the staging memory path, and the refusal of a row that is not a whole
 * number of blocks. Runs under the validation layer; any message fails it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/dtype.h"
#include "runtime/ops.h"
#include "tests/ops_ref.h"
#include "runtime/quant.h"
#include "base/rng.h"
#include "tests/testutil.h"

/* Tolerance per type, as a fraction of sum_k |w[m][k] * x[n][k]| (the size of the terms,
 * which bounds any reordering error). The device decodes weights with the same few roundings
 * as quant.c (a fused multiply-add may save one), so what is left is f32 accumulation in a
 * different order: ~K * 2^-24 in the worst case for K <= 1536. The texel shape also rounds
 * the activations, which adds rounding_bound. */
typedef struct quant_case {
    int type;
    double tol;
} quant_case;

static const quant_case cases[] = {
    {DT_Q4_0, 1e-4}, {DT_Q4_1, 1e-4}, {DT_Q5_0, 1e-4}, {DT_Q5_1, 1e-4},
    {DT_Q8_0, 1e-4}, {DT_Q4_K, 1e-4}, {DT_Q5_K, 1e-4}, {DT_Q6_K, 1e-4},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

/* Random blocks: every byte random (all bit patterns of quants, high bits and packed scales)
 * except the f16 scale fields, which are made finite and moderate. */
static void random_weights(int type, unsigned char *p, size_t bytes, rng *r)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)rng_below(r, 256);
    int bb = dtype_block_bytes(type), at[2] = {0, 2}, n = 1;
    if (type == DT_Q4_1 || type == DT_Q5_1 || type == DT_Q4_K || type == DT_Q5_K)
        n = 2;
    if (type == DT_Q6_K)
        at[0] = 208;
    for (size_t b = 0; b < bytes; b += (size_t)bb)
        for (int k = 0; k < n; k++) {
            uint16_t h = dtype_f32_to_f16(rng_uniform(r, -1, 1) * 0.01f);
            p[b + (size_t)at[k]] = (unsigned char)h;
            p[b + (size_t)at[k] + 1] = (unsigned char)(h >> 8);
        }
}

/* Runs one matmul on the device; returns the result (N x M) or NULL, and in *used the shape
 * it ran with. weight_offset bytes precede the weights in their buffer. */
static float *device_matmul(vk_ctx *ctx, int type, const void *wq, const float *x, size_t M,
                            size_t N, size_t K, op_shape shape, VkDeviceSize weight_offset,
                            op_shape *used)
{
    errmsg e = {0};
    vk_buf bw = {0}, bx = {0}, bd = {0};
    tensor tw = {type, {(int64_t)K, (int64_t)M, 1, 1}, &bw, weight_offset};
    tensor tx = {DT_F32, {(int64_t)K, (int64_t)N, 1, 1}, &bx, 0};
    tensor td = {DT_F32, {(int64_t)M, (int64_t)N, 1, 1}, &bd, 0};
    size_t wbytes = tensor_bytes(&tw);
    float *out = NULL;
    int rc = vk_buf_alloc(ctx, weight_offset + wbytes, &bw, &e) ||
             vk_buf_alloc(ctx, N * K * 4, &bx, &e) || vk_buf_alloc(ctx, N * M * 4, &bd, &e) ||
             vk_buf_write(ctx, &bw, weight_offset, wq, wbytes, &e) ||
             vk_buf_write(ctx, &bx, 0, x, N * K * 4, &e);
    if (!rc) {
        op_node nd = {.kind = OP_MATMUL, .dst = &td, .src = {&tw, &tx}, .shape = shape};
        *used = op_matmul_shape(ctx, &nd);
        rc = op_run(ctx, &nd, 1, &e);
    }
    if (!rc) {
        out = malloc(N * M * 4);
        rc = vk_buf_read(ctx, &bd, 0, out, N * M * 4, &e);
    }
    T_CHECK(rc == 0, "matmul %s M=%zu N=%zu K=%zu: %s", dtype_name(type), M, N, K, e.text);
    vk_buf_free(ctx, &bw);
    vk_buf_free(ctx, &bx);
    vk_buf_free(ctx, &bd);
    if (rc) {
        free(out);
        return NULL;
    }
    return out;
}

typedef struct problem {
    int type;
    size_t M, N, K;
    unsigned char *wq; /* the blocks */
    float *x, *want;
    float *scale;   /* sum_k |w x| per output */
    float *rounded; /* sum_k |w| max|x| / 254 over x's 32-element block, per output */
} problem;

/* The most by which rounding x to 8 bits per 32-element block (ops.h, OP_SHAPE_ROWS_TEXEL)
 * can move output n, m: each x within max|x| / 254 of its block, times |w|. */
static double rounding_bound(const float *w, const float *x, size_t K)
{
    double bound = 0;
    for (size_t k0 = 0; k0 < K; k0 += 32) {
        double amax = 0, wsum = 0;
        for (size_t k = k0; k < k0 + 32; k++) {
            amax = fmax(amax, fabs((double)x[k]));
            wsum += fabs((double)w[k]);
        }
        bound += wsum * amax / 254;
    }
    return bound;
}

static void problem_make(problem *p, int type, size_t M, size_t N, size_t K)
{
    rng r = rng_make(31, (uint64_t)(type * 1000003 + M * 1009 + N * 7 + K));
    size_t wbytes = dtype_row_bytes(type, (int64_t)K) * M;
    *p = (problem){type,
                   M,
                   N,
                   K,
                   malloc(wbytes),
                   malloc(N * K * 4),
                   malloc(M * N * 4),
                   malloc(M * N * 4),
                   malloc(M * N * 4)};
    float *w = malloc(M * K * 4);
    random_weights(type, p->wq, wbytes, &r);
    for (size_t i = 0; i < N * K; i++)
        p->x[i] = rng_uniform(&r, -1, 1);
    errmsg e;
    quant_dequantize(type, p->wq, w, (int64_t)(M * K), &e);
    ref_matmul(p->want, w, p->x, M, N, K);
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            double s = 0;
            for (size_t k = 0; k < K; k++)
                s += fabs((double)w[m * K + k] * p->x[n * K + k]);
            p->scale[n * M + m] = (float)s;
            p->rounded[n * M + m] = (float)rounding_bound(w + m * K, p->x + n * K, K);
        }
    free(w);
}

static void problem_free(problem *p)
{
    free(p->wq), free(p->x), free(p->want), free(p->scale), free(p->rounded);
}

static void check_on_device(vk_ctx *ctx, const problem *p, double tol, op_shape shape,
                            VkDeviceSize weight_offset)
{
    op_shape used;
    float *got =
        device_matmul(ctx, p->type, p->wq, p->x, p->M, p->N, p->K, shape, weight_offset, &used);
    if (!got)
        return;
    size_t bad = 0, worst = 0, n = p->M * p->N;
    double worst_ratio = 0;
    for (size_t i = 0; i < n; i++) {
        double allowed = tol * p->scale[i] + 1e-30;
        if (used == OP_SHAPE_ROWS_TEXEL)
            allowed += p->rounded[i];
        double err = fabs((double)got[i] - p->want[i]);
        if (!(err <= allowed))
            bad++;
        if (!(err / allowed <= worst_ratio)) {
            worst_ratio = err / allowed;
            worst = i;
        }
    }
    T_CHECK(bad == 0,
            "matmul %s %s M=%zu N=%zu K=%zu offset %llu: %zu of %zu outputs off; worst [%zu] "
            "got %.9g want %.9g (%.3g times the tolerance)",
            dtype_name(p->type), op_shape_name(shape), p->M, p->N, p->K,
            (unsigned long long)weight_offset, bad, n, worst, got[worst], p->want[worst],
            worst_ratio);
    free(got);
}

static void test_all_types(vk_ctx *ctx)
{
    /* Every M and every N appears; one pair is the large 97 x 513. */
    static const size_t MN[][2] = {{1, 1}, {1, 513}, {7, 3}, {7, 513}, {97, 1}, {97, 3}, {97, 513}};
    bool subgroups = vk_caps_of(ctx)->subgroup_arithmetic;
    for (int k = 0; k < N_CASES; k++) {
        /* 7 or 3 blocks: a multiple of the block, not of any workgroup or subgroup size. */
        size_t K = dtype_block(cases[k].type) == 32 ? 32 * 7 : 256 * 3;
        for (size_t i = 0; i < sizeof MN / sizeof MN[0]; i++) {
            problem p;
            problem_make(&p, cases[k].type, MN[i][0], MN[i][1], K);
            check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_ROWS, 0);
            check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_ROWS_TEXEL, 0);
            if (subgroups)
                check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_SUBGROUP, 0);
            problem_free(&p);
        }
        /* Longer rows, with the weights starting inside a larger buffer (as when a whole
         * model file is uploaded at once): 45 blocks, and 1280 elements, a multiple of every
         * block group the rows kernels decode at once. */
        static const size_t long_k[2] = {32 * 45, 256 * 5};
        for (int l = 0; l < 2; l++) {
            if (long_k[l] % (size_t)dtype_block(cases[k].type))
                continue;
            problem p;
            problem_make(&p, cases[k].type, 37, 3, long_k[l]);
            check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_AUTO, 1024);
            check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_ROWS, 1024);
            problem_free(&p);
        }
    }
}

static void test_partial_block_refused(vk_ctx *ctx)
{
    errmsg e = {0};
    vk_buf bw = {0}, bx = {0}, bd = {0};
    T_CHECK(!vk_buf_alloc(ctx, 4096, &bw, &e) && !vk_buf_alloc(ctx, 4096, &bx, &e) &&
                !vk_buf_alloc(ctx, 4096, &bd, &e),
            "alloc: %s", e.text);
    tensor tw = {DT_Q4_K, {128, 2, 1, 1}, &bw, 0};
    tensor tx = {DT_F32, {128, 1, 1, 1}, &bx, 0};
    tensor td = {DT_F32, {2, 1, 1, 1}, &bd, 0};
    op_node nd = {.kind = OP_MATMUL, .dst = &td, .src = {&tw, &tx}};
    T_CHECK(op_run(ctx, &nd, 1, &e) != 0 && strstr(e.text, "weights"),
            "q4_K rows of 128 refused: %s", e.text);
    vk_buf_free(ctx, &bw);
    vk_buf_free(ctx, &bx);
    vk_buf_free(ctx, &bd);
}

int main(void)
{
    vk_ctx *ctx = t_gpu_open();
    if (ctx) {
        test_all_types(ctx);
        test_partial_block_refused(ctx);
    }
    t_gpu_close(ctx);
    /* Again through staging buffers, the path discrete GPUs take. */
    setenv("VKEVE_NO_UNIFIED", "1", 1);
    ctx = t_gpu_open();
    for (int k = 0; ctx && k < N_CASES; k++) {
        problem p;
        problem_make(&p, cases[k].type, 7, 3, dtype_block(cases[k].type) == 32 ? 32 * 9 : 512);
        check_on_device(ctx, &p, cases[k].tol, OP_SHAPE_AUTO, 0);
        problem_free(&p);
    }
    t_gpu_close(ctx);
    return t_finish();
}
