/* ops_ref.c - CPU references for the device ops (see ops_ref.h). */
#include "tests/ops_ref.h"

#include <math.h>

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
