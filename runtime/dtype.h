/* dtype.h - element types of tensors, numbered as ggml/GGUF number them so a GGUF tensor's
 * type id is used unchanged. Quantized types store blocks of elements along ne0; a row of n
 * elements takes n / dtype_block(t) * dtype_block_bytes(t) bytes.
 */
#ifndef VKEVE_DTYPE_H
#define VKEVE_DTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum dtype {
    DT_F32 = 0,
    DT_F16 = 1,
    DT_Q4_0 = 2,
    DT_Q4_1 = 3,
    DT_Q5_0 = 6,
    DT_Q5_1 = 7,
    DT_Q8_0 = 8,
    DT_Q4_K = 12,
    DT_Q5_K = 13,
    DT_Q6_K = 14,
    DT_I32 = 26, /* token ids, positions, page tables */
    DT_BF16 = 30,
} dtype;

/* Name as llama.cpp prints it ("f32", "q4_K") of any ggml type, or NULL for an unknown id. */
const char *dtype_name(int type);
/* Whether the device kernels compute with this type (the weight types above but i32). */
int dtype_supported(int type);
/* Writes the names of every supported type, comma-separated ("f32, f16, ..."), into out
 * (size bytes, cut to fit), for messages. */
void dtype_supported_names(char *out, size_t size);
int dtype_block(int type);       /* elements per block (1 for float types), 0 if unknown */
int dtype_block_bytes(int type); /* bytes per block, 0 if unknown */
/* Bytes of a row of n elements; 0 if n is not a multiple of the block size. */
size_t dtype_row_bytes(int type, int64_t n);

float dtype_f16_to_f32(uint16_t h);
uint16_t dtype_f32_to_f16(float f); /* round to nearest even, as the hardware does */
float dtype_bf16_to_f32(uint16_t h);
uint16_t dtype_f32_to_bf16(float f);

#endif
