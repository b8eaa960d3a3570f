/* bench_runtime.c - the Vulkan runtime's speed on the current device, as JSON lines:
 * the device-memory copy kernel's bandwidth (the ceiling a matrix-vector product is held
 * against) and f32/f16 matmul GFLOP/s for decode (N = 1) and prefill (N = 512) shapes, for
 * each kernel shape the device can run.
 *
 *   bench_runtime [--reps R] [--device N] [--quick] [--decode-only]
 *
 * Times are GPU timestamps around each dispatch, median of R runs of the same recording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops.h"

typedef struct opts {
    int reps, device;
    int quick;       /* small shapes, for a smoke run */
    int decode_only; /* skip the N = 512 shapes (minutes on a CPU device) */
} opts;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs the recorded sequence once to warm up (first touch of fresh memory costs page faults),
 * then reps times; returns the median GPU ms of dispatch 0. */
static double median_ms(vk_seq *s, int reps, errmsg *e)
{
    if (vk_seq_run(s, e))
        return -1;
    double *t = calloc((size_t)reps, sizeof *t);
    for (int i = 0; i < reps; i++) {
        if (vk_seq_run(s, e)) {
            free(t);
            return -1;
        }
        t[i] = vk_seq_time_ns(s, 0) / 1e6;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    double m = t[reps / 2];
    free(t);
    return m;
}

static int bench_copy(vk_ctx *ctx, const opts *o, double *gbps, errmsg *e)
{
    uint32_t n4 = o->quick ? 1u << 16 : 1u << 22; /* vec4s: 1 MiB or 64 MiB per buffer */
    vk_buf src, dst;
    if (vk_buf_alloc(ctx, (VkDeviceSize)n4 * 16, &src, e) ||
        vk_buf_alloc(ctx, (VkDeviceSize)n4 * 16, &dst, e))
        return e->code;
    /* Long per-lane loops suit CPU devices (fewer workgroups to schedule); GPUs want many
     * lanes in flight. */
    uint32_t wg = 256, per = vk_caps_of(ctx)->type == VK_PHYSICAL_DEVICE_TYPE_CPU ? 64 : 4;
    vk_kernel k = {"copy", 2, 8, 2, {wg, per}};
    uint32_t lanes = (n4 + per - 1) / per, groups = (lanes + wg - 1) / wg;
    uint32_t grid[3] = {groups, 1, 1};
    uint32_t push[2] = {n4, groups * wg};
    vk_arg args[2] = {{&src, 0, 0, false}, {&dst, 0, 0, true}};
    vk_seq *s = vk_seq_begin(ctx, true, e);
    int rc = !s || vk_seq_dispatch(s, &k, args, push, grid, "copy", e);
    double ms = rc ? -1 : median_ms(s, o->reps, e);
    vk_seq_free(s);
    vk_buf_free(ctx, &src);
    vk_buf_free(ctx, &dst);
    if (ms < 0)
        return e->code ? e->code : ERR_FAIL;
    double bytes = 2.0 * n4 * 16;
    *gbps = bytes / (ms * 1e6);
    printf("{\"bench\":\"copy\",\"device\":\"%s\",\"bytes_moved\":%.0f,\"ms\":%.3f,\"gbps\":%.2f}\n",
           vk_caps_of(ctx)->name, bytes, ms, *gbps);
    return 0;
}

static int bench_matmul(vk_ctx *ctx, const opts *o, int type, op_shape shape, uint32_t M,
                        uint32_t N, uint32_t K, double copy_gbps, errmsg *e)
{
    vk_buf wb, xb, yb;
    tensor w = {type, {K, M, 1, 1}, &wb, 0}, x = {DT_F32, {K, N, 1, 1}, &xb, 0};
    tensor y = {DT_F32, {M, N, 1, 1}, &yb, 0};
    if (vk_buf_alloc(ctx, tensor_bytes(&w), &wb, e) || vk_buf_alloc(ctx, tensor_bytes(&x), &xb, e) ||
        vk_buf_alloc(ctx, tensor_bytes(&y), &yb, e))
        return e->code;
    /* Contents do not change the speed; zeroed memory is fine. */
    vk_seq *s = vk_seq_begin(ctx, true, e);
    op_node nd = {.kind = OP_MATMUL, .dst = &y, .src = {&w, &x}, .shape = shape};
    int rc = !s || ops_record(s, &nd, e);
    double ms = rc ? -1 : median_ms(s, o->reps, e);
    vk_seq_free(s);
    vk_buf_free(ctx, &wb), vk_buf_free(ctx, &xb), vk_buf_free(ctx, &yb);
    if (ms < 0)
        return e->code ? e->code : ERR_FAIL;
    double flops = 2.0 * M * N * K, wbytes = (double)tensor_bytes(&w);
    double gbps = wbytes / (ms * 1e6);
    printf("{\"bench\":\"matmul\",\"device\":\"%s\",\"type\":\"%s\",\"shape\":\"%s\",\"M\":%u,"
           "\"N\":%u,\"K\":%u,\"ms\":%.3f,\"gflops\":%.2f,\"weight_gbps\":%.2f,"
           "\"of_copy_gbps\":%.2f}\n",
           vk_caps_of(ctx)->name, dtype_name(type), shape == SHAPE_ROWS ? "rows" : "subgroup", M,
           N, K, ms, flops / (ms * 1e6), gbps, copy_gbps > 0 ? gbps / copy_gbps : 0);
    return 0;
}

static int parse(int argc, char **argv, opts *o)
{
    *o = (opts){5, -1, 0, 0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            o->reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
            o->device = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0)
            o->quick = 1;
        else if (strcmp(argv[i], "--decode-only") == 0)
            o->decode_only = 1;
        else
            return 1;
    }
    return o->reps < 1;
}

int main(int argc, char **argv)
{
    opts o;
    setvbuf(stdout, NULL, _IOLBF, 0); /* one JSON line at a time, also into a pipe */
    if (parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_runtime [--reps R] [--device N] [--quick] [--decode-only]\n");
        return 2;
    }
    errmsg e = {0};
    vk_ctx *ctx = vk_open(o.device, &e);
    if (!ctx) {
        fprintf(stderr, "bench_runtime: %s\n", e.text);
        return e.code;
    }
    double copy = 0;
    int rc = bench_copy(ctx, &o, &copy, &e);
    uint32_t big = o.quick ? 256 : 4096, batch = o.quick ? 32 : 512;
    const uint32_t ns[2] = {1, batch};
    for (int type = DT_F32; type <= DT_F16 && !rc; type++)
        for (int shape = SHAPE_ROWS; shape <= SHAPE_SUBGROUP && !rc; shape++)
            for (int i = 0; i < (o.decode_only ? 1 : 2) && !rc; i++)
                if (shape == SHAPE_ROWS || vk_caps_of(ctx)->subgroup_arithmetic)
                    rc = bench_matmul(ctx, &o, type, (op_shape)shape, big, ns[i], big, copy, &e);
    if (rc)
        fprintf(stderr, "bench_runtime: %s\n", e.text);
    vk_close(ctx);
    return rc;
}
