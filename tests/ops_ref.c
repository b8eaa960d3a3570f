/* ops_ref.c - CPU references for the device ops (see ops_ref.h). */
#include "tests/ops_ref.h"

#include <math.h>
#include <stdlib.h>

void ref_add(float *dst, const float *a, size_t n, const float *b, size_t nb)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = a[i] + b[i % nb];
}

void ref_mul(float *dst, const float *a, size_t n, const float *b, size_t nb)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = a[i] * b[i % nb];
}

void ref_sum_rows(float *dst, const float *a, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        double s = 0;
        for (size_t c = 0; c < cols; c++)
            s += a[r * cols + c];
        dst[r] = (float)s;
    }
}

void ref_max_rows(float *dst, const float *a, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        float m = -INFINITY;
        for (size_t c = 0; c < cols; c++)
            m = fmaxf(m, a[r * cols + c]);
        dst[r] = m;
    }
}

void ref_softmax_rows(float *dst, const float *a, size_t rows, size_t cols, float scale)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = a + r * cols;
        double m = -INFINITY, s = 0;
        for (size_t c = 0; c < cols; c++)
            m = fmax(m, (double)scale * x[c]);
        for (size_t c = 0; c < cols; c++)
            s += exp((double)scale * x[c] - m);
        for (size_t c = 0; c < cols; c++)
            dst[r * cols + c] = (float)(exp((double)scale * x[c] - m) / s);
    }
}

void ref_matmul(float *dst, const float *a, const float *b, size_t M, size_t N, size_t K)
{
    for (size_t n = 0; n < N; n++)
        for (size_t m = 0; m < M; m++) {
            double s = 0;
            for (size_t k = 0; k < K; k++)
                s += (double)a[m * K + k] * b[n * K + k];
            dst[n * M + m] = (float)s;
        }
}

void ref_get_rows(float *dst, const float *table, size_t cols, const int32_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < cols; c++)
            dst[i * cols + c] = table[(size_t)ids[i] * cols + c];
}

void ref_norm(float *dst, const float *x, size_t rows, size_t cols, const float *w, const float *b,
              float eps)
{
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double mean = 0, sq = 0;
        for (size_t c = 0; b && c < cols; c++)
            mean += row[c];
        mean /= (double)cols;
        for (size_t c = 0; c < cols; c++)
            sq += (row[c] - mean) * (row[c] - mean);
        double inv = 1 / sqrt(sq / (double)cols + eps);
        for (size_t c = 0; c < cols; c++)
            dst[r * cols + c] = (float)((row[c] - mean) * inv * w[c] + (b ? b[c] : 0));
    }
}

/* The position component pair k of an M-RoPE head turns by. */
static int32_t mrope_position(const int32_t *p, size_t k, const int s[4])
{
    size_t s0 = (size_t)s[0], s1 = s0 + (size_t)s[1], s2 = s1 + (size_t)s[2];
    return k < s0 ? p[0] : k < s1 ? p[1] : k < s2 ? p[2] : p[3];
}

/* Where the section pair k falls in starts (OP_ROPE_VISION restarts the exponent there). */
static size_t section_start(size_t k, const int s[4])
{
    size_t end = 0;
    for (int c = 0; c < 3; c++) {
        if (k < end + (size_t)s[c])
            return end;
        end += (size_t)s[c];
    }
    return end;
}

void ref_rope(float *dst, const float *x, size_t hd, size_t heads, size_t tokens,
              const int32_t *pos, int mode, int n_dims, double base, const int s[4])
{
    size_t half = (size_t)n_dims / 2;
    for (size_t i = 0; i < hd * heads * tokens; i++)
        dst[i] = x[i];
    for (size_t t = 0; t < tokens; t++)
        for (size_t h = 0; h < heads; h++) {
            size_t at = (t * heads + h) * hd;
            for (size_t k = 0; k < half; k++) {
                int32_t p = mode >= 2 ? mrope_position(pos + 4 * t, k, s) : pos[4 * t];
                double theta = p * pow(base, -2.0 * (double)k / n_dims);
                if (mode == 3)
                    theta = p * pow(base, -2.0 * (double)(k - section_start(k, s)) / (double)half);
                size_t a = mode == 0 ? at + 2 * k : at + k, b = mode == 0 ? a + 1 : a + half;
                double xa = x[a], xb = x[b];
                dst[a] = (float)(xa * cos(theta) - xb * sin(theta));
                dst[b] = (float)(xa * sin(theta) + xb * cos(theta));
            }
        }
}

void ref_unary(float *dst, const float *x, size_t n, int op)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (op == 0)
            dst[i] = (float)(v / (1 + exp(-v)));
        else if (op == 1)
            dst[i] = (float)(0.5 * v * (1 + erf(v / sqrt(2.0))));
        else
            dst[i] = (float)(v / (1 + exp(-1.702 * v)));
    }
}

/* One query head over its keys: softmax-weighted values, in double, two passes. */
static void attend_one(float *out, const float *qh, size_t hd, const float *k, const float *v,
                       size_t row, size_t kv_off, const int32_t *table, size_t n_keys,
                       int page_size, float scale, double *w)
{
    double m = -INFINITY, sum = 0;
    for (size_t j = 0; j < n_keys; j++) {
        size_t slot =
            (size_t)table[j / (size_t)page_size] * (size_t)page_size + j % (size_t)page_size;
        double s = 0;
        for (size_t d = 0; d < hd; d++)
            s += (double)qh[d] * k[slot * row + kv_off + d];
        w[j] = s * scale;
        m = w[j] > m ? w[j] : m;
    }
    for (size_t j = 0; j < n_keys; j++)
        sum += (w[j] = exp(w[j] - m));
    for (size_t d = 0; d < hd; d++) {
        double acc = 0;
        for (size_t j = 0; j < n_keys; j++) {
            size_t slot =
                (size_t)table[j / (size_t)page_size] * (size_t)page_size + j % (size_t)page_size;
            acc += w[j] * v[slot * row + kv_off + d];
        }
        out[d] = n_keys ? (float)(acc / sum) : 0;
    }
}

void ref_attention(float *dst, const float *q, size_t hd, size_t heads, size_t tokens,
                   const float *k, const float *v, size_t kv_heads, const int32_t *meta,
                   int page_size, int max_pages, float scale)
{
    size_t most = (size_t)max_pages * (size_t)page_size;
    double *w = malloc(most * sizeof *w);
    for (size_t t = 0; t < tokens && w; t++) {
        const int32_t *table = meta + 2 * tokens + (size_t)meta[2 * t] * (size_t)max_pages;
        size_t n_keys = (size_t)meta[2 * t + 1];
        for (size_t h = 0; h < heads; h++) {
            size_t kvh = h / (heads / kv_heads), at = (t * heads + h) * hd;
            attend_one(dst + at, q + at, hd, k, v, kv_heads * hd, kvh * hd, table, n_keys,
                       page_size, scale, w);
        }
    }
    free(w);
}

void ref_log_softmax_rows(float *dst, const float *a, size_t rows, size_t cols, float scale)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = a + r * cols;
        double m = -INFINITY, sum = 0;
        for (size_t c = 0; c < cols; c++)
            m = scale * x[c] > m ? scale * x[c] : m;
        for (size_t c = 0; c < cols; c++)
            sum += exp(scale * x[c] - m);
        for (size_t c = 0; c < cols; c++)
            dst[r * cols + c] = (float)(scale * x[c] - m - log(sum));
    }
}

void ref_argmax_rows(int32_t *dst, const float *a, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++) {
        size_t best = 0;
        for (size_t c = 1; c < cols; c++)
            best = a[r * cols + c] > a[r * cols + best] ? c : best;
        dst[r] = (int32_t)best;
    }
}
