/* test_vk_ops.c - every device op against its CPU reference (runtime/ops_ref.h) on random
 * inputs of awkward sizes, through both memory paths (mapped and staged), plus derived
 * barriers in chained graphs, timestamps and the error paths of bad shapes and huge
 * allocations. Runs under the validation layer; any message fails it. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "runtime/ops.h"
#include "tests/ops_ref.h"
#include "tests/testutil.h"

static int run1(vk_ctx *ctx, op_node nd)
{
    errmsg e = {0};
    int rc = op_run(ctx, &nd, 1, &e);
    T_CHECK(rc == 0, "%s: %s", op_name(nd.kind), e.text);
    return rc;
}

static void test_binary(vk_ctx *ctx, op_kind kind, size_t n, size_t nb)
{
    float *a = malloc(n * 4), *b = malloc(nb * 4), *want = malloc(n * 4);
    t_random(a, n, -2, 2, 1);
    t_random(b, nb, -2, 2, 2);
    (kind == OP_ADD ? ref_add : ref_mul)(want, a, n, b, nb);
    t_dev da, db, dd;
    if (!t_dev_make(ctx, &da, DT_F32, (int64_t)n, 1, 1, a) &&
        !t_dev_make(ctx, &db, DT_F32, (int64_t)nb, 1, 1, b) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)n, 1, 1, NULL) &&
        !run1(ctx, (op_node){.kind = kind, .dst = &dd.t, .src = {&da.t, &db.t}})) {
        float *got = t_dev_read(ctx, &dd);
        char what[64];
        snprintf(what, sizeof what, "%s n=%zu nb=%zu", op_name(kind), n, nb);
        t_close_f32(what, got, want, n, 0, 0);
        free(got);
    }
    vk_buf_free(ctx, &da.buf);
    vk_buf_free(ctx, &db.buf);
    vk_buf_free(ctx, &dd.buf);
    free(a), free(b), free(want);
}

static void test_reduce(vk_ctx *ctx, op_kind kind, size_t rows, size_t cols, float scale)
{
    size_t nout = kind == OP_SOFTMAX_ROWS ? rows * cols : rows;
    float *a = malloc(rows * cols * 4), *want = malloc(nout * 4);
    t_random(a, rows * cols, -40, 40, 3);
    if (kind == OP_SUM_ROWS)
        ref_sum_rows(want, a, rows, cols);
    else if (kind == OP_MAX_ROWS)
        ref_max_rows(want, a, rows, cols);
    else
        ref_softmax_rows(want, a, rows, cols, scale);
    t_dev da, dd;
    if (!t_dev_make(ctx, &da, DT_F32, (int64_t)cols, (int64_t)rows, 1, a) &&
        !t_dev_make(ctx, &dd, DT_F32, kind == OP_SOFTMAX_ROWS ? (int64_t)cols : 1, (int64_t)rows, 1,
                    NULL) &&
        !run1(ctx, (op_node){.kind = kind, .dst = &dd.t, .src = {&da.t}, .scale = scale})) {
        float *got = t_dev_read(ctx, &dd);
        char what[80];
        snprintf(what, sizeof what, "%s %zux%zu scale %g", op_name(kind), rows, cols, scale);
        /* Sums of cols values of magnitude 40 lose about cols * 40 * 2^-24 in f32. */
        float atol = kind == OP_SUM_ROWS ? 4e-6f * (float)cols : kind == OP_MAX_ROWS ? 0 : 1e-6f;
        t_close_f32(what, got, want, nout, atol, 1e-5f);
        free(got);
    }
    vk_buf_free(ctx, &da.buf);
    vk_buf_free(ctx, &dd.buf);
    free(a), free(want);
}

/* Weights as stored on the device (f32, f16 or bf16 bits) and as the reference sees them. */
static void *make_weights(int type, float *w, size_t n)
{
    if (type == DT_F32)
        return memcpy(malloc(n * 4), w, n * 4);
    uint16_t *h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) {
        h[i] = type == DT_F16 ? dtype_f32_to_f16(w[i]) : dtype_f32_to_bf16(w[i]);
        w[i] = type == DT_F16 ? dtype_f16_to_f32(h[i]) : dtype_bf16_to_f32(h[i]);
    }
    return h;
}

static void test_matmul(vk_ctx *ctx, int type, op_shape shape, size_t M, size_t N, size_t K)
{
    float *w = malloc(M * K * 4), *x = malloc(N * K * 4), *want = malloc(M * N * 4);
    t_random(w, M * K, -1, 1, 4);
    t_random(x, N * K, -1, 1, 5);
    void *stored = make_weights(type, w, M * K);
    ref_matmul(want, w, x, M, N, K);
    t_dev da, db, dd;
    if (!t_dev_make(ctx, &da, type, (int64_t)K, (int64_t)M, 1, stored) &&
        !t_dev_make(ctx, &db, DT_F32, (int64_t)K, (int64_t)N, 1, x) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)M, (int64_t)N, 1, NULL) &&
        !run1(ctx,
              (op_node){.kind = OP_MATMUL, .dst = &dd.t, .src = {&da.t, &db.t}, .shape = shape})) {
        float *got = t_dev_read(ctx, &dd);
        char what[96];
        snprintf(what, sizeof what, "matmul %s %s M=%zu N=%zu K=%zu", dtype_name(type),
                 op_shape_name(shape), M, N, K);
        /* f32 accumulation of K products of magnitude <= 1, against a double reference. */
        t_close_f32(what, got, want, M * N, 2e-6f * (float)K, 1e-5f);
        free(got);
    }
    vk_buf_free(ctx, &da.buf);
    vk_buf_free(ctx, &db.buf);
    vk_buf_free(ctx, &dd.buf);
    free(w), free(x), free(want), free(stored);
}

static void test_all_ops(vk_ctx *ctx)
{
    static const size_t sizes[][2] = {{1, 1}, {7, 1}, {7, 7}, {4097, 17}, {91, 13}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        test_binary(ctx, OP_ADD, sizes[i][0], sizes[i][1]);
        test_binary(ctx, OP_MUL, sizes[i][0], sizes[i][1]);
    }
    static const size_t shapes[][2] = {{1, 1}, {7, 4097}, {3, 1}, {70000, 3}, {2, 130}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        test_reduce(ctx, OP_SUM_ROWS, shapes[i][0], shapes[i][1], 1);
        test_reduce(ctx, OP_MAX_ROWS, shapes[i][0], shapes[i][1], 1);
        test_reduce(ctx, OP_SOFTMAX_ROWS, shapes[i][0], shapes[i][1], 1);
    }
    test_reduce(ctx, OP_SOFTMAX_ROWS, 5, 7, 0.125f);
    static const size_t mm[][3] = {{1, 1, 1},     {7, 3, 7},     {97, 5, 4097}, {513, 1, 64},
                                   {33, 513, 31}, {4097, 2, 16}, {64, 9, 4096}};
    static const int float_types[] = {DT_F32, DT_F16, DT_BF16};
    for (size_t i = 0; i < sizeof mm / sizeof mm[0]; i++)
        for (int t = 0; t < 3; t++) {
            test_matmul(ctx, float_types[t], OP_SHAPE_ROWS, mm[i][0], mm[i][1], mm[i][2]);
            test_matmul(ctx, float_types[t], OP_SHAPE_ROWS_TEXEL, mm[i][0], mm[i][1], mm[i][2]);
            if (vk_caps_of(ctx)->subgroup_arithmetic)
                test_matmul(ctx, float_types[t], OP_SHAPE_SUBGROUP, mm[i][0], mm[i][1], mm[i][2]);
        }
}

/* y = softmax(W·x + bias): three nodes, each reading what the one before wrote, in one
 * command buffer; then the input is overwritten by a later node (write after read). */
static void test_chained_graph(vk_ctx *ctx)
{
    enum { M = 300, K = 129, N = 3 };
    float *w = malloc(M * K * 4), *x = malloc(N * K * 4), *bias = malloc(M * 4);
    float *want = malloc(M * N * 4), *tmp = malloc(M * N * 4);
    t_random(w, M * K, -1, 1, 6);
    t_random(x, N * K, -1, 1, 7);
    t_random(bias, M, -1, 1, 8);
    ref_matmul(tmp, w, x, M, N, K);
    ref_add(tmp, tmp, M * N, bias, M);
    ref_softmax_rows(want, tmp, N, M, 1);
    t_dev dw, dx, db, dy, dz;
    errmsg e = {0};
    if (!t_dev_make(ctx, &dw, DT_F32, K, M, 1, w) && !t_dev_make(ctx, &dx, DT_F32, K, N, 1, x) &&
        !t_dev_make(ctx, &db, DT_F32, M, 1, 1, bias) &&
        !t_dev_make(ctx, &dy, DT_F32, M, N, 1, NULL) &&
        !t_dev_make(ctx, &dz, DT_F32, M, N, 1, NULL)) {
        op_node g[] = {
            {.kind = OP_MATMUL, .dst = &dy.t, .src = {&dw.t, &dx.t}},
            {.kind = OP_ADD, .dst = &dy.t, .src = {&dy.t, &db.t}},
            {.kind = OP_SOFTMAX_ROWS, .dst = &dz.t, .src = {&dy.t}, .scale = 1},
            {.kind = OP_MUL, .dst = &dy.t, .src = {&dz.t, &db.t}},
        };
        int rc = op_run(ctx, g, 4, &e);
        T_CHECK(rc == 0, "chained graph: %s", e.text);
        float *got = t_dev_read(ctx, &dz), *got2 = t_dev_read(ctx, &dy);
        t_close_f32("chained softmax(W·x + b)", got, want, M * N, 1e-6f, 1e-4f);
        ref_mul(tmp, want, M * N, bias, M);
        t_close_f32("write after read", got2, tmp, M * N, 1e-6f, 1e-4f);
        free(got), free(got2);
    }
    vk_buf_free(ctx, &dw.buf), vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &db.buf);
    vk_buf_free(ctx, &dy.buf), vk_buf_free(ctx, &dz.buf);
    free(w), free(x), free(bias), free(want), free(tmp);
}

/* Times a sum over 256 floats and one over 8M in one sequence: each time is positive, the
 * large one takes longer, and neither exceeds the host's wall time around the run. */
static void test_timestamps(vk_ctx *ctx)
{
    enum { SMALL = 256, LARGE = 8 << 20 };
    errmsg e = {0};
    float *ones = malloc(LARGE * sizeof(float));
    for (int i = 0; ones && i < LARGE; i++)
        ones[i] = 1;
    t_dev a, big, d, dbig;
    if (!ones || t_dev_make(ctx, &a, DT_F32, SMALL, 1, 1, ones) ||
        t_dev_make(ctx, &big, DT_F32, LARGE / 64, 64, 1, ones) ||
        t_dev_make(ctx, &d, DT_F32, 1, 1, 1, NULL) ||
        t_dev_make(ctx, &dbig, DT_F32, 64, 1, 1, NULL)) {
        free(ones);
        return;
    }
    vk_seq *s = vk_seq_begin(ctx, true, &e);
    T_CHECK(s != NULL, "vk_seq_begin: %s", e.text);
    op_node nd[2] = {{.kind = OP_SUM_ROWS, .dst = &d.t, .src = {&a.t}, .label = "timed-sum"},
                     {.kind = OP_SUM_ROWS, .dst = &dbig.t, .src = {&big.t}, .label = "big-sum"}};
    double t0 = now_seconds() * 1e9;
    if (s && !op_record(s, &nd[0], &e) && !op_record(s, &nd[1], &e) && !vk_seq_run(s, &e)) {
        double wall = now_seconds() * 1e9 - t0;
        double small_ns = vk_seq_time_ns(s, 0), large_ns = vk_seq_time_ns(s, 1);
        T_CHECK(vk_seq_count(s) == 2 && strcmp(vk_seq_label(s, 0), "timed-sum") == 0,
                "dispatch labels recorded");
        if (vk_caps_of(ctx)->timestamps)
            T_CHECK(small_ns > 0 && small_ns < large_ns && large_ns < wall,
                    "timestamps: small %g ns, large %g ns, wall %g ns", small_ns, large_ns, wall);
        else
            T_CHECK(small_ns < 0, "no timestamps on this device, yet a time of %g ns", small_ns);
        /* A recorded sequence runs again and gives the same result. */
        T_CHECK(vk_seq_run(s, &e) == 0, "second run: %s", e.text);
        float *got = t_dev_read(ctx, &d);
        T_CHECK(got[0] == SMALL, "sum of 256 ones after two runs: %g", got[0]);
        free(got);
    }
    vk_seq_free(s);
    vk_buf_free(ctx, &a.buf);
    vk_buf_free(ctx, &big.buf);
    vk_buf_free(ctx, &d.buf);
    vk_buf_free(ctx, &dbig.buf);
    free(ones);
}

static void test_errors(vk_ctx *ctx)
{
    errmsg e = {0};
    vk_buf huge;
    int rc = vk_buf_alloc(ctx, (VkDeviceSize)1 << 40, &huge, &e);
    T_CHECK(rc == ERR_FAIL && strstr(e.text, "out of device memory"),
            "1 TiB allocation: rc %d '%s'", rc, e.text);
    t_dev a, b, d;
    if (t_dev_make(ctx, &a, DT_F32, 8, 4, 1, NULL) || t_dev_make(ctx, &b, DT_F32, 7, 2, 1, NULL) ||
        t_dev_make(ctx, &d, DT_F32, 4, 2, 1, NULL))
        return;
    op_node bad = {.kind = OP_MATMUL, .dst = &d.t, .src = {&a.t, &b.t}};
    rc = op_run(ctx, &bad, 1, &e);
    T_CHECK(rc == ERR_FAIL && strstr(e.text, "do not match"), "K mismatch: '%s'", e.text);
    tensor past = a.t;
    past.offset = 256;
    op_node over = {.kind = OP_ADD, .dst = &a.t, .src = {&past, &a.t}};
    rc = op_run(ctx, &over, 1, &e);
    T_CHECK(rc == ERR_FAIL && strstr(e.text, "overruns"), "tensor past its buffer: '%s'", e.text);
    T_CHECK(vk_buf_write(ctx, &a.buf, 100, &rc, 200, &e) == ERR_FAIL, "write past the end");
    vk_buf_free(ctx, &a.buf), vk_buf_free(ctx, &b.buf), vk_buf_free(ctx, &d.buf);
    uint64_t in_use, allocated;
    vk_mem_usage(ctx, &in_use, &allocated);
    T_CHECK(in_use == 0, "%llu bytes still in use after freeing everything",
            (unsigned long long)in_use);
}

/* The number of pipeline-cache files vk_close left in dir. */
static int cache_files(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vkeve", dir);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *f; d && (f = readdir(d));)
        n += strncmp(f->d_name, "pipelines-", 10) == 0 && strstr(f->d_name, ".bin") != NULL;
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    /* A fresh cache folder: the first context must write its compiled pipelines there. */
    char cache[] = "/tmp/vkeve-cache-XXXXXX";
    T_CHECK(mkdtemp(cache) != NULL, "mkdtemp");
    setenv("XDG_CACHE_HOME", cache, 1);
    vk_ctx *ctx = t_gpu_open();
    if (ctx) {
        test_all_ops(ctx);
        test_chained_graph(ctx);
        test_timestamps(ctx);
        test_errors(ctx);
    }
    t_gpu_close(ctx);
    T_CHECK(cache_files(cache) == 1, "pipeline cache files in %s: %d", cache, cache_files(cache));
    /* Again through staging buffers and copies, the path discrete GPUs take. */
    setenv("VKEVE_NO_UNIFIED", "1", 1);
    ctx = t_gpu_open();
    if (ctx) {
        test_binary(ctx, OP_ADD, 4097, 17);
        test_matmul(ctx, DT_F16, OP_SHAPE_ROWS, 97, 5, 4097);
        test_chained_graph(ctx);
    }
    t_gpu_close(ctx);
    return t_finish();
}
