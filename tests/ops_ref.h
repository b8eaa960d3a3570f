/* ops_ref.h - plain C references for every device op in ops.h, on host arrays of floats.
 * They define what the kernels must compute; tests compare the two. Sums accumulate in
 * double so the reference is the more accurate side. */
#ifndef VKEVE_OPS_REF_H
#define VKEVE_OPS_REF_H

#include <stddef.h>
#include <stdint.h>

void ref_add(float *dst, const float *a, size_t n, const float *b, size_t nb);
void ref_mul(float *dst, const float *a, size_t n, const float *b, size_t nb);
void ref_sum_rows(float *dst, const float *a, size_t rows, size_t cols);
void ref_max_rows(float *dst, const float *a, size_t rows, size_t cols);
void ref_softmax_rows(float *dst, const float *a, size_t rows, size_t cols, float scale);
/* dst[n][m] = sum_k a[m][k] * b[n][k]; a: M x K, b: N x K, dst: N x M. */
void ref_matmul(float *dst, const float *a, const float *b, size_t M, size_t N, size_t K);

/* Row-wise log-softmax(scale * x), and each row's argmax (lowest index among ties). */
void ref_log_softmax_rows(float *dst, const float *a, size_t rows, size_t cols, float scale);
void ref_argmax_rows(int32_t *dst, const float *a, size_t rows, size_t cols);
/* dst row i = table row ids[i] (the table already decoded to floats). */
void ref_get_rows(float *dst, const float *table, size_t cols, const int32_t *ids, size_t n);
/* RMSNorm (b == NULL) or LayerNorm of each row, times w (plus b). */
void ref_norm(float *dst, const float *x, size_t rows, size_t cols, const float *w, const float *b,
              float eps);
/* Rotary positions of x (hd, heads, tokens) with four positions per token; mode 0 normal,
 * 1 NeoX, 2 M-RoPE with pair sections s[4], 3 vision (exponent restarting per section). */
void ref_rope(float *dst, const float *x, size_t hd, size_t heads, size_t tokens,
              const int32_t *pos, int mode, int n_dims, double base, const int s[4]);
/* 0 SiLU, 1 GELU (erf), 2 quick-GELU. */
void ref_unary(float *dst, const float *x, size_t n, int op);
/* Causal attention over a paged cache: q (hd, heads, tokens); k, v as floats, one row of
 * kv_heads * hd per slot; meta as OP_ATTENTION's (2 ints per token, then the page tables). */
void ref_attention(float *dst, const float *q, size_t hd, size_t heads, size_t tokens,
                   const float *k, const float *v, size_t kv_heads, const int32_t *meta,
                   int page_size, int max_pages, float scale);

#endif
