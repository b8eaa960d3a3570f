/* ops_ref.h - plain C references for every device op in ops.h, on host arrays of floats.
 * They define what the kernels must compute; tests compare the two. Sums accumulate in
 * double so the reference is the more accurate side. */
#ifndef VKEVE_OPS_REF_H
#define VKEVE_OPS_REF_H

#include <stddef.h>

void ref_add(float *dst, const float *a, size_t n, const float *b, size_t nb);
void ref_mul(float *dst, const float *a, size_t n, const float *b, size_t nb);
void ref_sum_rows(float *dst, const float *a, size_t rows, size_t cols);
void ref_max_rows(float *dst, const float *a, size_t rows, size_t cols);
void ref_softmax_rows(float *dst, const float *a, size_t rows, size_t cols, float scale);
/* dst[n][m] = sum_k a[m][k] * b[n][k]; a: M x K, b: N x K, dst: N x M. */
void ref_matmul(float *dst, const float *a, const float *b, size_t M, size_t N, size_t K);

#endif
