/* vk_mem.h - the one owner of device memory.
 *
 * Memory is taken from the driver in large blocks (256 MiB, or more for one large tensor)
 * and handed out as aligned sub-ranges of each block's single VkBuffer. On unified-memory
 * devices (lavapipe, integrated GPUs) blocks stay mapped and reads/writes are memcpy; on
 * discrete GPUs they go through a staging buffer and a copy on the queue.
 *
 *     vk_buf w;
 *     if (vk_buf_alloc(ctx, n * sizeof(float), &w, &e)) return e.code;  // "out of device memory:
 * ..." vk_buf_write(ctx, &w, 0, host, n * sizeof(float), &e);
 *     ... dispatch kernels that read w (vk_seq.h) ...
 *     vk_buf_free(ctx, &w);
 *
 * Reads of results must come after the work that wrote them has finished (vk_seq_run waits).
 * Set VKEVE_NO_UNIFIED=1 to use the staging path on a unified device (tests do, to cover it).
 */
#ifndef VKEVE_VK_MEM_H
#define VKEVE_VK_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/vk.h"

typedef struct vk_block vk_block;

typedef struct vk_buf {
    VkBuffer buffer;     /* the block's buffer; bind it at `offset` */
    VkDeviceSize offset; /* of this allocation in the buffer, storage-aligned */
    VkDeviceSize size;
    uint8_t *host; /* mapped memory of this allocation, NULL unless unified */
    vk_block *block;
} vk_buf;

/* The largest unit shaders read in (a texel of 4 words): buffers are sized and bound in whole
 * units so any tensor can be bound whole. */
enum { VK_MEM_UNIT = 16 };

/* n rounded up to whole VK_MEM_UNITs. */
static inline VkDeviceSize vk_mem_whole_units(VkDeviceSize n)
{
    return (n + VK_MEM_UNIT - 1) / VK_MEM_UNIT * VK_MEM_UNIT;
}

/* The size is rounded up to whole units (vk_mem_whole_units). */
int vk_buf_alloc(vk_ctx *ctx, VkDeviceSize size, vk_buf *out, errmsg *e);
void vk_buf_free(vk_ctx *ctx, vk_buf *buf); /* also fine on a zeroed vk_buf */

/* Copies n bytes between the host and buf at byte `offset`; range-checked. */
int vk_buf_write(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, const void *src, size_t n,
                 errmsg *e);
int vk_buf_read(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, void *dst, size_t n,
                errmsg *e);

/* Device bytes an allocation of `size` takes (rounding and alignment included). */
uint64_t vk_mem_footprint(uint64_t size);

/* Bytes handed out to live vk_bufs, and bytes taken from the driver. */
void vk_mem_usage(const vk_ctx *ctx, uint64_t *in_use, uint64_t *allocated);

#endif
