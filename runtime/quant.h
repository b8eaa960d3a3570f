/* quant.h - converting rows of elements between f32 and the tensor types of runtime/dtype.h:
 * F32, F16, BF16 and the ggml block formats Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K.
 *
 * The dequantizers are the CPU reference every GPU kernel is tested against; they follow the
 * block layouts of llama.cpp's ggml-common.h bit for bit and evaluate each element with the
 * same float operations in the same order (for K-quants: (d * scale) * q - (dmin * min)), so
 * results are exactly reproducible by an independent implementation.
 *
 * The quantizers are simple round-to-nearest encoders with the usual scale choice (the tiny
 * model maker and tests need valid blocks, not llama.cpp's search-based optimum):
 *     size_t bytes = dtype_row_bytes(DT_Q4_K, n);      // n a multiple of dtype_block(DT_Q4_K)
 *     quant_quantize(DT_Q4_K, x, blocks, n, &e);
 *     quant_dequantize(DT_Q4_K, blocks, y, n, &e);     // y close to x
 * Inputs must be finite and small enough that a block's scale fits an f16 (|x| < ~60000 * 8
 * for 4-bit types); larger inputs saturate the scale to infinity. Blocks of tiny values
 * (|x| < ~0.1) lose precision because their f16 scales become subnormal, as in llama.cpp.
 */
#ifndef VKEVE_QUANT_H
#define VKEVE_QUANT_H

#include <stdint.h>

#include "base/errmsg.h"

/* Decodes n elements (a multiple of the type's block size) from src into dst. Fails for an
 * unsupported type or a bad n. */
int quant_dequantize(int type, const void *src, float *dst, int64_t n, errmsg *e);

/* Encodes n elements into dtype_row_bytes(type, n) bytes at dst. */
int quant_quantize(int type, const float *src, void *dst, int64_t n, errmsg *e);

#endif
