/* bench_runtime.c - the Vulkan runtime's speed on the current device, as JSON lines:
 * the device-memory copy kernel's bandwidth (the ceiling a matrix-vector product is held
 * against), and matmul GFLOP/s and weight GB/s for every weight type vkeve computes with,
 * at the decode shape (M, N, K) = (4096, 1, 4096) and the prefill shape (4096, 512, 4096),
 * for each kernel shape the device runs.
 *
 *   bench_runtime [--reps R] [--device N] [--n N] [--type NAME] [--shape NAME] [--quick]
 *     --n N      only the shape with this N (1, 512, or any other)
 *     --type T   only this weight type ("q4_K", "f16", ...)
 *     --shape S  only this kernel shape ("rows", "rows_texel", "subgroup")
 *     --quick    M = K = 256 and N = 1, 32: a smoke run
 *
 * Times are GPU timestamps around each dispatch: one warm-up run, then the median (and the
 * fastest, min_ms) of R runs of the same recording. Every matmul run starts with a run of the
 * copy kernel in the same command buffer: of_copy_gbps is the median over runs of the
 * matmul's weight GB/s over that copy's GB/s, which holds steady while a shared machine's
 * speed drifts. Weights are random blocks (speed does not depend on the values).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops.h"
#include "base/rng.h"

typedef struct opts {
    int reps, device;
    long only_n;            /* 0: both shapes */
    const char *only_type;  /* NULL: every type */
    const char *only_shape; /* NULL: every kernel shape */
    int quick;
} opts;

static const int bench_types[] = {DT_F32,  DT_F16,  DT_BF16, DT_Q8_0, DT_Q4_0, DT_Q4_1,
                                  DT_Q5_0, DT_Q5_1, DT_Q4_K, DT_Q5_K, DT_Q6_K};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The copy kernel over two buffers of n4 texels: the bandwidth ceiling. */
typedef struct copy_probe {
    vk_buf src, dst;
    uint32_t n4;
} copy_probe;

static int copy_open(vk_ctx *ctx, const opts *o, copy_probe *c, errmsg *e)
{
    memset(c, 0, sizeof *c);
    c->n4 = o->quick ? 1u << 16 : 1u << 22; /* 1 MiB or 64 MiB per buffer */
    return vk_buf_alloc(ctx, (VkDeviceSize)c->n4 * 16, &c->src, e) ||
           vk_buf_alloc(ctx, (VkDeviceSize)c->n4 * 16, &c->dst, e);
}

static void copy_close(vk_ctx *ctx, copy_probe *c)
{
    vk_buf_free(ctx, &c->src);
    vk_buf_free(ctx, &c->dst);
}

static double copy_bytes(const copy_probe *c)
{
    return 2.0 * c->n4 * 16;
} /* read + written */

static int record_copy(vk_seq *s, const copy_probe *c, errmsg *e)
{
    uint32_t wg = 256, groups = (c->n4 + wg - 1) / wg;
    vk_kernel k = {"copy", 2, 8, 1, {wg}, 1};
    uint32_t grid[3] = {groups < 65535 ? groups : 65535, 1, 1};
    grid[1] = (groups + grid[0] - 1) / grid[0];
    uint32_t push[2] = {c->n4, grid[0]};
    vk_arg args[2] = {{&c->src, 0, 0, false}, {&c->dst, 0, 0, true}};
    return vk_seq_dispatch(s, &k, args, push, grid, "copy", e);
}

/* Medians (and the fastest) of reps runs of one recorded sequence. */
typedef struct timing {
    double ms, min_ms; /* of the last dispatch */
    double copy_ms;    /* of dispatch 0, the copy kernel, when the sequence starts with it */
    double ratio;      /* median over runs of copy_ms / ms */
} timing;

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Runs the sequence once to warm up (first touch of fresh memory costs page faults), then
 * reps times, timing dispatches first .. last as the work (a matmul may take more than one).
 * On a shared machine speed drifts from second to second, so a matmul is timed right after
 * a copy (dispatch 0) in the same run and judged by the ratio of the two. */
static int time_runs(vk_seq *s, int reps, int first, timing *t, errmsg *e)
{
    if (vk_seq_run(s, e))
        return e->code;
    double *v = calloc(3 * (size_t)reps, sizeof *v);
    if (!v)
        return err_set(e, ERR_FAIL, "out of host memory");
    double *ms = v, *copy = v + reps, *ratio = v + 2 * reps;
    for (int i = 0; i < reps; i++) {
        if (vk_seq_run(s, e)) {
            free(v);
            return e->code;
        }
        ms[i] = 0;
        for (int d = first; d < vk_seq_count(s); d++)
            ms[i] += vk_seq_time_ns(s, d) / 1e6;
        copy[i] = vk_seq_time_ns(s, 0) / 1e6;
        ratio[i] = copy[i] / ms[i];
    }
    t->ratio = median(ratio, reps);
    t->copy_ms = median(copy, reps);
    t->ms = median(ms, reps); /* sorts ms */
    t->min_ms = ms[0];
    free(v);
    return 0;
}

static int bench_copy(vk_ctx *ctx, const opts *o, const copy_probe *c, errmsg *e)
{
    vk_seq *s = vk_seq_begin(ctx, true, e);
    timing t;
    int rc = !s || record_copy(s, c, e) || time_runs(s, o->reps, 0, &t, e);
    vk_seq_free(s);
    if (rc)
        return e->code ? e->code : ERR_FAIL;
    printf("{\"bench\":\"copy\",\"device\":\"%s\",\"bytes_moved\":%.0f,\"ms\":%.3f,"
           "\"min_ms\":%.3f,\"gbps\":%.2f}\n",
           vk_caps_of(ctx)->name, copy_bytes(c), t.ms, t.min_ms, copy_bytes(c) / (t.ms * 1e6));
    return 0;
}

/* Random bytes with every f16 field (as the float types' values, and the quantized types'
 * scales at the offsets of their blocks) set to a small finite number, so no NaN or
 * denormal slows a device down. */
static void *random_weights(int type, size_t bytes)
{
    unsigned char *p = malloc(bytes);
    if (!p)
        return NULL;
    rng r = rng_make(77, (uint64_t)type);
    for (size_t i = 0; i < bytes; i += 8) {
        uint64_t v = rng_u64(&r);
        memcpy(p + i, &v, bytes - i < 8 ? bytes - i : 8);
    }
    uint16_t h = type == DT_BF16 ? dtype_f32_to_bf16(0.01f) : dtype_f32_to_f16(0.01f);
    if (type == DT_F32) {
        float f = 0.01f;
        for (size_t i = 0; i + 4 <= bytes; i += 4)
            memcpy(p + i, &f, 4);
        return p;
    }
    int bb = type == DT_F16 || type == DT_BF16 ? 2 : dtype_block_bytes(type);
    int at = type == DT_Q6_K ? 208 : 0;
    for (size_t b = 0; b + (size_t)bb <= bytes; b += (size_t)bb) {
        memcpy(p + b + at, &h, 2);
        if (type == DT_Q4_1 || type == DT_Q5_1 || type == DT_Q4_K || type == DT_Q5_K)
            memcpy(p + b + 2, &h, 2);
    }
    return p;
}

static int bench_matmul(vk_ctx *ctx, const opts *o, int type, op_shape shape, uint32_t M,
                        uint32_t N, uint32_t K, const copy_probe *c, errmsg *e)
{
    vk_buf wb = {0}, xb = {0}, yb = {0};
    tensor w = {type, {K, M, 1, 1}, &wb, 0}, x = {DT_F32, {K, N, 1, 1}, &xb, 0};
    tensor y = {DT_F32, {M, N, 1, 1}, &yb, 0};
    void *host = random_weights(type, tensor_bytes(&w));
    int rc = !host ? err_set(e, ERR_FAIL, "out of host memory") : 0;
    rc = rc || vk_buf_alloc(ctx, tensor_bytes(&w), &wb, e) ||
         vk_buf_alloc(ctx, tensor_bytes(&x), &xb, e) ||
         vk_buf_alloc(ctx, tensor_bytes(&y), &yb, e) ||
         vk_buf_write(ctx, &wb, 0, host, tensor_bytes(&w), e);
    free(host);
    vk_seq *s = rc ? NULL : vk_seq_begin(ctx, true, e);
    op_node nd = {.kind = OP_MATMUL, .dst = &y, .src = {&w, &x}, .shape = shape};
    timing t;
    rc =
        rc || !s || record_copy(s, c, e) || op_record(s, &nd, e) || time_runs(s, o->reps, 1, &t, e);
    vk_seq_free(s);
    vk_buf_free(ctx, &wb), vk_buf_free(ctx, &xb), vk_buf_free(ctx, &yb);
    if (rc)
        return e->code ? e->code : ERR_FAIL;
    double flops = 2.0 * M * N * K, wbytes = (double)tensor_bytes(&w);
    double gbps = wbytes / (t.ms * 1e6), copy_gbps = copy_bytes(c) / (t.copy_ms * 1e6);
    printf("{\"bench\":\"matmul\",\"device\":\"%s\",\"type\":\"%s\",\"shape\":\"%s\",\"M\":%u,"
           "\"N\":%u,\"K\":%u,\"weight_bytes\":%.0f,\"ms\":%.3f,\"min_ms\":%.3f,\"gflops\":%.2f,"
           "\"weight_gbps\":%.2f,\"copy_gbps\":%.2f,\"of_copy_gbps\":%.2f}\n",
           vk_caps_of(ctx)->name, dtype_name(type), op_shape_name(shape), M, N, K, wbytes, t.ms,
           t.min_ms, flops / (t.ms * 1e6), gbps, copy_gbps, wbytes / copy_bytes(c) * t.ratio);
    return 0;
}

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){5, -1, 0, NULL, NULL, 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            o->reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
            o->device = atoi(argv[++i]);
        else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            o->only_n = atol(argv[++i]);
        else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc)
            o->only_type = argv[++i];
        else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc)
            o->only_shape = argv[++i];
        else if (strcmp(argv[i], "--quick") == 0)
            o->quick = 1;
        else
            return 1;
    }
    return o->reps < 1 || o->only_n < 0 || o->only_n > 65536;
}

/* Every selected weight type, kernel shape and N. */
static int bench_all_matmuls(vk_ctx *ctx, const opts *o, const copy_probe *c, errmsg *e)
{
    uint32_t size = o->quick ? 256 : 4096;
    const uint32_t ns[2] = {1, o->quick ? 32 : 512};
    int n_shapes = o->only_n ? 1 : 2, rc = 0;
    for (size_t t = 0; t < sizeof bench_types / sizeof bench_types[0] && !rc; t++) {
        int type = bench_types[t];
        if (o->only_type && strcmp(o->only_type, dtype_name(type)) != 0)
            continue;
        for (int shape = OP_SHAPE_ROWS; shape <= OP_SHAPE_SUBGROUP && !rc; shape++)
            for (int i = 0; i < n_shapes && !rc; i++)
                if ((shape != OP_SHAPE_SUBGROUP || vk_caps_of(ctx)->subgroup_arithmetic) &&
                    (!o->only_shape || strcmp(o->only_shape, op_shape_name(shape)) == 0))
                    rc = bench_matmul(ctx, o, type, (op_shape)shape, size,
                                      o->only_n ? (uint32_t)o->only_n : ns[i], size, c, e);
    }
    return rc;
}

int main(int argc, char **argv)
{
    opts o;
    setvbuf(stdout, NULL, _IOLBF, 0); /* one JSON line at a time, also into a pipe */
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_runtime [--reps R] [--device N] [--n N] [--type NAME] "
                        "[--shape NAME] [--quick]\n");
        return 2;
    }
    errmsg e = {0};
    vk_ctx *ctx = vk_open(o.device, &e);
    if (!ctx) {
        fprintf(stderr, "bench_runtime: %s\n", e.text);
        return e.code;
    }
    copy_probe copy;
    int rc = copy_open(ctx, &o, &copy, &e) || bench_copy(ctx, &o, &copy, &e) ||
             bench_all_matmuls(ctx, &o, &copy, &e);
    copy_close(ctx, &copy);
    if (rc)
        fprintf(stderr, "bench_runtime: %s\n", e.text);
    vk_close(ctx);
    return rc ? (e.code ? e.code : ERR_FAIL) : 0;
}
