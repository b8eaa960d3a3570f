/* tensor.h - a typed view into device memory.
 *
 * A tensor has up to 4 axes, ne[0] contiguous (ggml's order, so a GGUF weight of ne = [K, M]
 * is M rows of K), elements of one dtype, and lives at a byte offset inside a vk_buf:
 *
 *     tensor x = {DT_F32, {4096, 1, 1, 1}, &xbuf, 0};   // one row of 4096 floats
 *     size_t n = tensor_bytes(&x);                       // 16384
 */
#ifndef VKEVE_TENSOR_H
#define VKEVE_TENSOR_H

#include <stdint.h>

#include "runtime/dtype.h"
#include "runtime/vk_mem.h"

typedef struct tensor {
    dtype type;
    int64_t ne[4]; /* elements per axis; unused axes are 1 */
    const vk_buf *buf;
    VkDeviceSize offset; /* bytes from the start of buf */
} tensor;

int64_t tensor_elements(const tensor *t);
int64_t tensor_rows(const tensor *t); /* ne[1] * ne[2] * ne[3] */
/* Bytes the tensor covers (rows of ne[0] elements of its type); 0 if ne[0] is not a multiple
 * of the type's block. */
size_t tensor_bytes(const tensor *t);

#endif
