/* test_quant.c - the tensor type codecs of runtime/quant.h.
 *
 * 1. quantize -> dequantize on random rows stays within a per-type error bound relative to
 *    each block's largest magnitude (the bound follows from the format's level count);
 * 2. block boundaries: neighbouring blocks of wildly different magnitude, zero and constant
 *    blocks, bad lengths and types;
 * 3. bit-exact agreement of quant_dequantize with the independent numpy decoder
 *    tests/reference/quant_ref.py on random blocks of every type, passed through a GGUF file
 *    made by the writer and read by tests/reference/gguf_read.py.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/dtype.h"
#include "runtime/gguf.h"
#include "runtime/quant.h"
#include "base/rng.h"
#include "tests/testutil.h"

typedef struct type_case {
    int type;
    double bound; /* max |error| / block absmax (relative to |x| for float types) */
} type_case;

static const type_case cases[] = {
    {DT_F32, 0},      {DT_F16, 1.0 / 2048}, {DT_BF16, 1.0 / 256}, {DT_Q8_0, 0.5 / 127 + 0.001},
    {DT_Q4_0, 0.127}, {DT_Q4_1, 0.07},      {DT_Q5_0, 0.064},     {DT_Q5_1, 0.036},
    {DT_Q4_K, 0.1},   {DT_Q5_K, 0.06},      {DT_Q6_K, 0.035},
};
enum { N_CASES = sizeof cases / sizeof cases[0] };

/* Quantizes and dequantizes x; returns the worst error as a fraction of the bound (<= 1 is a
 * pass). For block types the error is measured against the absmax of the element's block. */
static double round_trip(const type_case *c, const float *x, float *y, int64_t n)
{
    errmsg e;
    void *q = malloc(dtype_row_bytes(c->type, n) + 1);
    T_CHECK(quant_quantize(c->type, x, q, n, &e) == 0, "%s quantize: %s", dtype_name(c->type),
            e.text);
    T_CHECK(quant_dequantize(c->type, q, y, n, &e) == 0, "%s dequantize: %s", dtype_name(c->type),
            e.text);
    free(q);
    int block = dtype_block(c->type) > 1 ? dtype_block(c->type) : 1;
    double worst = 0;
    for (int64_t b = 0; b < n / block; b++) {
        double amax = 0;
        for (int j = 0; j < block; j++)
            amax = fmax(amax, fabs(x[b * block + j]));
        for (int j = 0; j < block; j++) {
            int64_t i = b * block + j;
            double err = fabs((double)y[i] - (double)x[i]);
            /* Float types: relative rounding, plus half the smallest f16 subnormal. */
            double allowed = block > 1 ? c->bound * amax : c->bound * fabs(x[i]) + ldexp(1, -25);
            double ratio = err == 0 ? 0 : allowed == 0 ? INFINITY : err / allowed;
            worst = fmax(worst, ratio);
        }
    }
    return worst;
}

static void test_random_rows(void)
{
    enum { N = 256 * 12 };
    static float x[N], y[N];
    for (int k = 0; k < N_CASES; k++) {
        const type_case *c = &cases[k];
        for (int dist = 0; dist < 3; dist++) {
            rng r = rng_make(7, (uint64_t)(k * 3 + dist));
            for (int i = 0; i < N; i++) {
                if (dist == 0)
                    x[i] = rng_normal(&r);
                else if (dist == 1) /* all positive, offset: exercises the mins */
                    x[i] = rng_uniform(&r, 2.0f, 3.0f);
                else /* heavy tails: occasional outliers */
                    x[i] = rng_normal(&r) * (rng_below(&r, 50) == 0 ? 40.0f : 0.05f);
            }
            double worst = round_trip(c, x, y, N);
            T_CHECK(worst <= 1.0, "%s dist %d: error %.3g times the bound %.4g",
                    dtype_name(c->type), dist, worst, c->bound);
        }
    }
}

static void test_block_boundaries(void)
{
    enum { N = 256 * 4 };
    static float x[N], y[N];
    for (int k = 0; k < N_CASES; k++) {
        const type_case *c = &cases[k];
        int block = dtype_block(c->type);
        rng r = rng_make(8, (uint64_t)k);
        /* Neighbouring blocks 10^4 apart in magnitude: any leak of one block's scale into
         * another blows the small block's relative error. (Much smaller blocks would lose
         * precision to subnormal f16 scales, a limit of the formats themselves.) */
        for (int i = 0; i < N; i++) {
            float scale = (i / (block > 1 ? block : 32)) % 2 ? 1000.0f : 0.1f;
            x[i] = rng_uniform(&r, -1, 1) * scale;
        }
        double worst = round_trip(c, x, y, N);
        T_CHECK(worst <= 1.0, "%s alternating magnitudes: error %.3g times the bound",
                dtype_name(c->type), worst);

        for (int i = 0; i < N; i++)
            x[i] = 0;
        round_trip(c, x, y, N);
        int zeros = 1;
        for (int i = 0; i < N; i++)
            zeros &= y[i] == 0;
        T_CHECK(zeros, "%s: zeros decode to zeros", dtype_name(c->type));

        for (int i = 0; i < N; i++)
            x[i] = -3.0f;
        worst = round_trip(c, x, y, N);
        T_CHECK(worst <= 1.0, "%s constant row: error %.3g times the bound", dtype_name(c->type),
                worst);

        /* Decoding a row equals decoding its blocks one by one. */
        errmsg e;
        size_t bb = (size_t)dtype_block_bytes(c->type);
        unsigned char *q = malloc(dtype_row_bytes(c->type, N));
        for (int i = 0; i < N; i++)
            x[i] = rng_normal(&r);
        quant_quantize(c->type, x, q, N, &e);
        quant_dequantize(c->type, q, y, N, &e);
        int same = 1;
        for (int b = 0; b < N / block; b++) {
            float one[256];
            quant_dequantize(c->type, q + (size_t)b * bb, one, block, &e);
            same &= memcmp(one, y + b * block, (size_t)block * sizeof(float)) == 0;
        }
        T_CHECK(same, "%s: row decode equals block-by-block decode", dtype_name(c->type));

        if (block > 1) {
            T_CHECK(quant_dequantize(c->type, q, y, block + 1, &e) != 0 && strstr(e.text, "blocks"),
                    "%s: partial block refused: %s", dtype_name(c->type), e.text);
            T_CHECK(quant_quantize(c->type, x, q, block - 1, &e) != 0, "%s: partial block refused",
                    dtype_name(c->type));
        }
        T_CHECK(quant_dequantize(c->type, q, y, 0, &e) == 0, "%s: empty row", dtype_name(c->type));
        free(q);
    }
    errmsg e;
    T_CHECK(quant_dequantize(10 /* q2_K */, x, y, 256, &e) != 0 && strstr(e.text, "unsupported"),
            "q2_K refused: %s", e.text);
}

/* ---- bit-exact comparison with the numpy reference -------------------------------------- */

static const int golden_types[] = {DT_F32,  DT_F16,  DT_BF16, DT_Q4_0, DT_Q4_1, DT_Q5_0,
                                   DT_Q5_1, DT_Q8_0, DT_Q4_K, DT_Q5_K, DT_Q6_K};
enum { N_GOLDEN = sizeof golden_types / sizeof golden_types[0], GOLDEN_ROWS = 3 };

/* Offsets of the f16 scale fields inside each block. */
static int f16_fields(int type, int *at)
{
    switch (type) {
    case DT_Q4_1:
    case DT_Q5_1:
    case DT_Q4_K:
    case DT_Q5_K: at[0] = 0, at[1] = 2; return 2;
    case DT_Q6_K: at[0] = 208; return 1;
    default: at[0] = 0; return 1;
    }
}

/* A random finite f16 of moderate size, so that products stay finite. */
static uint16_t random_f16(rng *r)
{
    return dtype_f32_to_f16(rng_uniform(r, -4, 4) * ldexpf(1.0f, (int)rng_below(r, 20) - 14));
}

/* Random bytes in every field, with float fields made finite: NaN payloads would make an
 * exact comparison depend on the hardware rather than on the decoder. */
static void random_blocks(int type, unsigned char *p, size_t bytes, rng *r)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)rng_below(r, 256);
    if (type == DT_F32) {
        for (size_t i = 0; i < bytes; i += 4) {
            float f = rng_normal(r) * 100;
            memcpy(p + i, &f, 4);
        }
    } else if (type == DT_F16 || type == DT_BF16) {
        for (size_t i = 0; i < bytes; i += 2) {
            uint16_t h = type == DT_F16 ? random_f16(r) : dtype_f32_to_bf16(rng_normal(r) * 1e5f);
            p[i] = (unsigned char)h, p[i + 1] = (unsigned char)(h >> 8);
        }
    } else {
        int at[2], n = f16_fields(type, at), bb = dtype_block_bytes(type);
        for (size_t b = 0; b < bytes; b += (size_t)bb)
            for (int k = 0; k < n; k++) {
                uint16_t h = random_f16(r);
                p[b + (size_t)at[k]] = (unsigned char)h,
                      p[b + (size_t)at[k] + 1] = (unsigned char)(h >> 8);
            }
    }
}

static int64_t golden_row(int type)
{
    return (int64_t)dtype_block(type) * (type == DT_Q4_K ? 3 : 5);
}

static void test_against_numpy(void)
{
    const char *python = getenv("PYTHON3");
    if (!python)
        python = "/usr/bin/python3";
    char dir[] = "/tmp/vkeve_test_quant_XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char in[128], out[128], cmd[1024];
    snprintf(in, sizeof in, "%s/blocks.gguf", dir);
    snprintf(out, sizeof out, "%s/numpy.f32", dir);

    gguf_writer *w = gguf_writer_new();
    unsigned char *blocks[N_GOLDEN];
    rng r = rng_make(99, 0);
    for (int k = 0; k < N_GOLDEN; k++) {
        int64_t ne[2] = {golden_row(golden_types[k]), GOLDEN_ROWS};
        size_t bytes = dtype_row_bytes(golden_types[k], ne[0]) * GOLDEN_ROWS;
        blocks[k] = malloc(bytes);
        random_blocks(golden_types[k], blocks[k], bytes, &r);
        gguf_add_tensor(w, dtype_name(golden_types[k]), golden_types[k], 2, ne, blocks[k]);
    }
    errmsg e;
    T_CHECK(gguf_writer_write(w, in, &e) == 0, "write %s: %s", in, e.text);
    gguf_writer_free(w);

    snprintf(cmd, sizeof cmd, "%s %s %s %s", python, t_data_path("reference/quant_ref.py"), in,
             out);
    int rc = system(cmd);
    T_CHECK(rc == 0, "%s: exit status %d", cmd, rc);
    FILE *fp = fopen(out, "rb");
    T_CHECK(fp != NULL, "numpy output %s", out);
    for (int k = 0; fp && k < N_GOLDEN; k++) {
        int type = golden_types[k];
        int64_t n = golden_row(type) * GOLDEN_ROWS;
        float *want = malloc((size_t)n * 4), *got = malloc((size_t)n * 4);
        T_CHECK(fread(want, 4, (size_t)n, fp) == (size_t)n, "%s: numpy output short",
                dtype_name(type));
        T_CHECK(quant_dequantize(type, blocks[k], got, n, &e) == 0, "%s: %s", dtype_name(type),
                e.text);
        int64_t diff = 0, first = -1;
        for (int64_t i = 0; i < n; i++)
            if (memcmp(&got[i], &want[i], 4) != 0) {
                diff++;
                if (first < 0)
                    first = i;
            }
        T_CHECK(diff == 0,
                "%s: %lld of %lld elements differ from numpy bit for bit; first [%lld] C %.9g "
                "numpy %.9g",
                dtype_name(type), (long long)diff, (long long)n, (long long)first,
                first >= 0 ? got[first] : 0.0, first >= 0 ? want[first] : 0.0);
        free(want);
        free(got);
    }
    if (fp) {
        T_CHECK(fgetc(fp) == EOF, "numpy output has extra bytes");
        fclose(fp);
    }
    for (int k = 0; k < N_GOLDEN; k++)
        free(blocks[k]);
    unlink(in);
    unlink(out);
    rmdir(dir);
}

int main(void)
{
    test_random_rows();
    test_block_boundaries();
    test_against_numpy();
    return t_finish();
}
