/* test_vk_nn.c - the transformer ops on the device against their C references
 * (tests/ops_ref.c) on random inputs: row gathers from tables of every type (and from a
 * table larger than one binding), row scatters into f16 and f32, RMSNorm and LayerNorm,
 * RoPE in its three modes, the activations, paged causal attention with grouped-query
 * heads, log-softmax and argmax over a vocabulary, and a matmul whose weights need several
 * bindings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "runtime/ops.h"
#include "runtime/quant.h"
#include "tests/ops_ref.h"
#include "tests/testutil.h"

static int run1(vk_ctx *ctx, op_node nd)
{
    errmsg e = {0};
    int rc = op_run(ctx, &nd, 1, &e);
    T_CHECK(rc == 0, "%s: %s", op_name(nd.kind), e.text);
    return rc;
}

static void random_ids(int32_t *ids, size_t n, uint32_t below, unsigned stream)
{
    rng r = rng_make(11, stream);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int32_t)rng_below(&r, below);
}

static void test_get_rows(vk_ctx *ctx, dtype type, size_t cols, size_t rows)
{
    size_t n = 37, bytes = dtype_row_bytes(type, (int64_t)cols) * rows;
    float *table = malloc(cols * rows * 4), *decoded = malloc(cols * rows * 4);
    float *want = malloc(cols * n * 4);
    unsigned char *raw = malloc(bytes);
    int32_t ids[37];
    errmsg e = {0};
    t_random(table, cols * rows, -3, 3, 21);
    random_ids(ids, n, (uint32_t)rows, 22);
    ids[3] = (int32_t)rows - 1;
    int ok = quant_quantize(type, table, raw, (int64_t)(cols * rows), &e) == 0 &&
             quant_dequantize(type, raw, decoded, (int64_t)(cols * rows), &e) == 0;
    T_CHECK(ok, "%s: %s", dtype_name(type), e.text);
    ref_get_rows(want, decoded, cols, ids, n);
    t_dev dt, di, dd;
    if (ok && !t_dev_make(ctx, &dt, type, (int64_t)cols, (int64_t)rows, 1, raw) &&
        !t_dev_make(ctx, &di, DT_I32, (int64_t)n, 1, 1, ids) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)cols, (int64_t)n, 1, NULL)) {
        if (!run1(ctx, (op_node){.kind = OP_GET_ROWS, .dst = &dd.t, .src = {&dt.t, &di.t}})) {
            float *got = t_dev_read(ctx, &dd);
            char what[64];
            snprintf(what, sizeof what, "get_rows %s %zux%zu", dtype_name(type), rows, cols);
            t_close_f32(what, got, want, cols * n, 1e-6f, 1e-6f);
            free(got);
        }
        vk_buf_free(ctx, &dt.buf), vk_buf_free(ctx, &di.buf), vk_buf_free(ctx, &dd.buf);
    }
    free(table), free(decoded), free(want), free(raw);
}

static void test_set_rows(vk_ctx *ctx, dtype type)
{
    size_t cols = 96, rows = 40, n = 9;
    float *x = malloc(cols * n * 4), *want = calloc(cols * rows, 4);
    int32_t ids[9];
    t_random(x, cols * n, -4, 4, 31);
    random_ids(ids, n, (uint32_t)rows, 32);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int32_t)((ids[i] + 4 * i) % rows); /* distinct rows */
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < cols; c++) {
            float v = x[i * cols + c];
            want[(size_t)ids[i] * cols + c] =
                type == DT_F16 ? dtype_f16_to_f32(dtype_f32_to_f16(v)) : v;
        }
    t_dev dx, di, dd, dcopy;
    void *zeros = calloc(cols * rows, 4); /* rows not named must keep these */
    if (!t_dev_make(ctx, &dx, DT_F32, (int64_t)cols, (int64_t)n, 1, x) &&
        !t_dev_make(ctx, &di, DT_I32, (int64_t)n, 1, 1, ids) &&
        !t_dev_make(ctx, &dd, type, (int64_t)cols, (int64_t)rows, 1, zeros) &&
        !t_dev_make(ctx, &dcopy, DT_F32, (int64_t)cols, (int64_t)rows, 1, NULL)) {
        /* Read the table back through get_rows, which decodes f16 on the device too. */
        int32_t all[40];
        for (int i = 0; i < 40; i++)
            all[i] = i;
        t_dev dall;
        if (!t_dev_make(ctx, &dall, DT_I32, 40, 1, 1, all)) {
            op_node g[2] = {{.kind = OP_SET_ROWS, .dst = &dd.t, .src = {&dx.t, &di.t}},
                            {.kind = OP_GET_ROWS, .dst = &dcopy.t, .src = {&dd.t, &dall.t}}};
            errmsg e = {0};
            T_CHECK(op_run(ctx, g, 2, &e) == 0, "set_rows: %s", e.text);
            float *got = t_dev_read(ctx, &dcopy);
            t_close_f32(type == DT_F16 ? "set_rows f16" : "set_rows f32", got, want, cols * rows, 0,
                        0);
            free(got);
            vk_buf_free(ctx, &dall.buf);
        }
        vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &di.buf), vk_buf_free(ctx, &dd.buf);
        vk_buf_free(ctx, &dcopy.buf);
    }
    free(x), free(want), free(zeros);
}

static void test_norm(vk_ctx *ctx, bool layer, size_t rows, size_t cols)
{
    float *x = malloc(rows * cols * 4), *w = malloc(cols * 4), *b = malloc(cols * 4);
    float *want = malloc(rows * cols * 4);
    t_random(x, rows * cols, -3, 5, 41);
    t_random(w, cols, 0.5f, 1.5f, 42);
    t_random(b, cols, -1, 1, 43);
    ref_norm(want, x, rows, cols, w, layer ? b : NULL, 1e-6f);
    t_dev dx, dw, db, dd;
    if (!t_dev_make(ctx, &dx, DT_F32, (int64_t)cols, (int64_t)rows, 1, x) &&
        !t_dev_make(ctx, &dw, DT_F32, (int64_t)cols, 1, 1, w) &&
        !t_dev_make(ctx, &db, DT_F32, (int64_t)cols, 1, 1, b) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)cols, (int64_t)rows, 1, NULL)) {
        op_node nd = {.kind = layer ? OP_LAYER_NORM : OP_RMS_NORM,
                      .dst = &dd.t,
                      .src = {&dx.t, &dw.t, &db.t},
                      .eps = 1e-6f};
        if (!run1(ctx, nd)) {
            float *got = t_dev_read(ctx, &dd);
            char what[64];
            snprintf(what, sizeof what, "%s %zux%zu", layer ? "layer_norm" : "rms_norm", rows,
                     cols);
            t_close_f32(what, got, want, rows * cols, 1e-5f, 1e-5f);
            free(got);
        }
        vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &dw.buf), vk_buf_free(ctx, &db.buf);
        vk_buf_free(ctx, &dd.buf);
    }
    free(x), free(w), free(b), free(want);
}

static void test_rope(vk_ctx *ctx, op_rope_mode mode, int n_dims)
{
    size_t hd = 64, heads = 3, tokens = 20;
    size_t n = hd * heads * tokens;
    float *x = malloc(n * 4), *want = malloc(n * 4);
    int32_t pos[80];
    rng r = rng_make(5, 51);
    for (size_t t = 0; t < tokens; t++)
        for (int c = 0; c < 4; c++)
            pos[4 * t + c] = (int32_t)(t * 97 + rng_below(&r, 4000)) * (c < 3);
    t_random(x, n, -2, 2, 52);
    op_rope rp = {mode, n_dims, 1000000.0f, {4, 6, 6, 0}};
    if (mode == OP_ROPE_MROPE)
        rp.sections[0] = n_dims / 2 - 12;
    if (mode == OP_ROPE_VISION) /* the ViT's (row, col) halves, base 10000 */
        rp = (op_rope){mode, n_dims, 10000.0f, {n_dims / 4, n_dims / 4, 0, 0}};
    ref_rope(want, x, hd, heads, tokens, pos, (int)mode, n_dims, rp.base, rp.sections);
    t_dev dx, dp, dd;
    if (!t_dev_make(ctx, &dx, DT_F32, (int64_t)hd, (int64_t)heads, (int64_t)tokens, x) &&
        !t_dev_make(ctx, &dp, DT_I32, 4, (int64_t)tokens, 1, pos) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)hd, (int64_t)heads, (int64_t)tokens, NULL)) {
        if (!run1(ctx,
                  (op_node){.kind = OP_ROPE, .dst = &dd.t, .src = {&dx.t, &dp.t}, .rope = rp})) {
            float *got = t_dev_read(ctx, &dd);
            char what[64];
            snprintf(what, sizeof what, "rope mode %d n_dims %d", (int)mode, n_dims);
            /* Angles reach ~5e3 rad: float angles are within ~5e-4 of the double ones. */
            t_close_f32(what, got, want, n, 2e-3f, 2e-3f);
            free(got);
        }
        vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &dp.buf), vk_buf_free(ctx, &dd.buf);
    }
    free(x), free(want);
}

static void test_unary(vk_ctx *ctx, op_kind kind)
{
    size_t n = 5000;
    float *x = malloc(n * 4), *want = malloc(n * 4);
    t_random(x, n, -8, 8, 61);
    ref_unary(want, x, n, kind == OP_SILU ? 0 : kind == OP_GELU ? 1 : 2);
    t_dev dx, dd;
    if (!t_dev_make(ctx, &dx, DT_F32, (int64_t)n, 1, 1, x) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)n, 1, 1, NULL)) {
        if (!run1(ctx, (op_node){.kind = kind, .dst = &dd.t, .src = {&dx.t}})) {
            float *got = t_dev_read(ctx, &dd);
            t_close_f32(op_name(kind), got, want, n, 1e-6f, 1e-5f);
            free(got);
        }
        vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &dd.buf);
    }
    free(x), free(want);
}

/* Log-softmax and argmax over rows as long as a vocabulary, with ties for the argmax. */
static void test_sampling_ops(vk_ctx *ctx)
{
    size_t rows = 3, cols = 151936;
    float *x = malloc(rows * cols * 4), *want = malloc(rows * cols * 4);
    int32_t want_i[3], got_i[3];
    t_random(x, rows * cols, -20, 20, 91);
    x[cols + 500] = x[cols + 9000] = 50; /* a tie: the lower index wins */
    ref_log_softmax_rows(want, x, rows, cols, 1);
    ref_argmax_rows(want_i, x, rows, cols);
    t_dev dx, dl, da;
    if (!t_dev_make(ctx, &dx, DT_F32, (int64_t)cols, (int64_t)rows, 1, x) &&
        !t_dev_make(ctx, &dl, DT_F32, (int64_t)cols, (int64_t)rows, 1, NULL) &&
        !t_dev_make(ctx, &da, DT_I32, (int64_t)rows, 1, 1, NULL)) {
        op_node g[2] = {{.kind = OP_LOG_SOFTMAX, .dst = &dl.t, .src = {&dx.t}, .scale = 1},
                        {.kind = OP_ARGMAX, .dst = &da.t, .src = {&dx.t}}};
        errmsg e = {0};
        T_CHECK(op_run(ctx, g, 2, &e) == 0, "log_softmax, argmax: %s", e.text);
        float *got = t_dev_read(ctx, &dl);
        t_close_f32("log_softmax", got, want, rows * cols, 1e-4f, 1e-5f);
        T_CHECK(vk_buf_read(ctx, &da.buf, 0, got_i, sizeof got_i, &e) == 0 &&
                    !memcmp(got_i, want_i, sizeof got_i) && got_i[1] == 500,
                "argmax %d %d %d, want %d %d %d", got_i[0], got_i[1], got_i[2], want_i[0],
                want_i[1], want_i[2]);
        free(got);
        vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &dl.buf), vk_buf_free(ctx, &da.buf);
    }
    free(x), free(want);
}

/* Two sequences (8 and 37 cached keys) in pages of 16 scattered over a 12-page cache; the
 * batch holds the last 3 tokens of the first and the last 5 of the second. */
static void test_attention(vk_ctx *ctx)
{
    enum { HD = 64, HEADS = 4, KV = 2, PAGE = 16, PAGES = 12, MAXP = 3, T = 8 };
    size_t slots = PAGE * PAGES, row = KV * HD;
    float *k = malloc(slots * row * 4), *v = malloc(slots * row * 4);
    uint16_t *k16 = malloc(slots * row * 2), *v16 = malloc(slots * row * 2);
    float *q = malloc(T * HEADS * HD * 4), *want = malloc(T * HEADS * HD * 4);
    t_random(k, slots * row, -1, 1, 71);
    t_random(v, slots * row, -1, 1, 72);
    t_random(q, T * HEADS * HD, -1, 1, 73);
    for (size_t i = 0; i < slots * row; i++) {
        k16[i] = dtype_f32_to_f16(k[i]), k[i] = dtype_f16_to_f32(k16[i]);
        v16[i] = dtype_f32_to_f16(v[i]), v[i] = dtype_f16_to_f32(v16[i]);
    }
    int32_t meta[2 * T + 2 * MAXP] = {0};
    int32_t tables[2 * MAXP] = {7, 0, 0, 2, 9, 4};
    for (int t = 0; t < T; t++) {
        meta[2 * t] = t < 3 ? 0 : 1;
        meta[2 * t + 1] = t < 3 ? 6 + t : 33 + (t - 3);
    }
    memcpy(meta + 2 * T, tables, sizeof tables);
    float scale = 1 / sqrtf(HD);
    ref_attention(want, q, HD, HEADS, T, k, v, KV, meta, PAGE, MAXP, scale);
    t_dev dq, dk, dv, dm, dd;
    if (!t_dev_make(ctx, &dq, DT_F32, HD, HEADS, T, q) &&
        !t_dev_make(ctx, &dk, DT_F16, (int64_t)row, (int64_t)slots, 1, k16) &&
        !t_dev_make(ctx, &dv, DT_F16, (int64_t)row, (int64_t)slots, 1, v16) &&
        !t_dev_make(ctx, &dm, DT_I32, 2 * T + 2 * MAXP, 1, 1, meta) &&
        !t_dev_make(ctx, &dd, DT_F32, HD, HEADS, T, NULL)) {
        op_node nd = {.kind = OP_ATTENTION,
                      .dst = &dd.t,
                      .src = {&dq.t, &dk.t, &dv.t, &dm.t},
                      .attn = {PAGE, MAXP, scale}};
        if (!run1(ctx, nd)) {
            float *got = t_dev_read(ctx, &dd);
            t_close_f32("attention", got, want, T * HEADS * HD, 1e-5f, 1e-4f);
            free(got);
        }
        vk_buf_free(ctx, &dq.buf), vk_buf_free(ctx, &dk.buf), vk_buf_free(ctx, &dv.buf);
        vk_buf_free(ctx, &dm.buf), vk_buf_free(ctx, &dd.buf);
    }
    free(k), free(v), free(k16), free(v16), free(q), free(want);
}

/* Weights of M x K f16 larger than one storage binding (128 MiB on lavapipe): the matmul
 * takes them in slices; a few columns of each slice are checked. */
static void test_sliced_matmul(vk_ctx *ctx)
{
    size_t K = 1024, N = 2, M = (size_t)(vk_caps_of(ctx)->max_storage_range / (K * 2)) + 1000;
    if (M * K * 2 > ((size_t)1 << 31)) {
        printf("skip sliced matmul: the storage range is %llu bytes\n",
               (unsigned long long)vk_caps_of(ctx)->max_storage_range);
        return;
    }
    uint16_t *w = malloc(M * K * 2);
    float *x = malloc(N * K * 4), *row = malloc(K * 4);
    rng r = rng_make(3, 81);
    for (size_t i = 0; i < M * K; i++)
        w[i] = dtype_f32_to_f16(rng_uniform(&r, -1, 1));
    t_random(x, N * K, -1, 1, 82);
    t_dev dw, dx, dd;
    if (w && !t_dev_make(ctx, &dw, DT_F16, (int64_t)K, (int64_t)M, 1, w) &&
        !t_dev_make(ctx, &dx, DT_F32, (int64_t)K, (int64_t)N, 1, x) &&
        !t_dev_make(ctx, &dd, DT_F32, (int64_t)M, (int64_t)N, 1, NULL)) {
        op_node nd = {
            .kind = OP_MATMUL, .dst = &dd.t, .src = {&dw.t, &dx.t}, .shape = OP_SHAPE_ROWS};
        if (!run1(ctx, nd)) {
            float *got = t_dev_read(ctx, &dd);
            size_t cols[6] = {0, 1, M / 2, M - 1001, M - 1000, M - 1}, bad = 0;
            for (int c = 0; c < 6; c++)
                for (size_t n = 0; n < N; n++) {
                    double s = 0;
                    for (size_t k = 0; k < K; k++)
                        s += (double)dtype_f16_to_f32(w[cols[c] * K + k]) * x[n * K + k];
                    bad += fabs(got[n * M + cols[c]] - s) > 1e-3 * (1 + fabs(s));
                }
            T_CHECK(bad == 0, "sliced matmul (M = %zu): %zu of 12 outputs wrong", M, bad);
            free(got);
        }
        vk_buf_free(ctx, &dw.buf), vk_buf_free(ctx, &dx.buf), vk_buf_free(ctx, &dd.buf);
    }
    free(w), free(x), free(row);
}

int main(void)
{
    vk_ctx *ctx = t_gpu_open();
    if (!ctx)
        return t_finish();
    static const dtype types[] = {DT_F32,  DT_F16,  DT_BF16, DT_Q4_0, DT_Q4_1, DT_Q5_0,
                                  DT_Q5_1, DT_Q8_0, DT_Q4_K, DT_Q5_K, DT_Q6_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        test_get_rows(ctx, types[i], types[i] >= DT_Q4_K && types[i] != DT_BF16 ? 512 : 96, 50);
    test_get_rows(ctx, DT_F32, 1024, (size_t)(vk_caps_of(ctx)->max_storage_range / 4096) + 300);
    test_set_rows(ctx, DT_F16);
    test_set_rows(ctx, DT_F32);
    test_norm(ctx, false, 7, 896);
    test_norm(ctx, true, 5, 1280);
    test_norm(ctx, false, 3, 64);
    test_rope(ctx, OP_ROPE_NORMAL, 64);
    test_rope(ctx, OP_ROPE_NORMAL, 32);
    test_rope(ctx, OP_ROPE_NEOX, 64);
    test_rope(ctx, OP_ROPE_MROPE, 64);
    test_rope(ctx, OP_ROPE_VISION, 64);
    test_rope(ctx, OP_ROPE_VISION, 16);
    test_unary(ctx, OP_SILU);
    test_unary(ctx, OP_GELU);
    test_unary(ctx, OP_QUICK_GELU);
    test_attention(ctx);
    test_sampling_ops(ctx);
    test_sliced_matmul(ctx);
    t_gpu_close(ctx);
    return t_finish();
}
