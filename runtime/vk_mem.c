/* vk_mem.c - block allocation, first-fit sub-allocation and host transfers (see vk_mem.h). */
#include "runtime/vk_mem.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/span.h"
#include "runtime/vk_internal.h"

enum { BLOCK_BYTES = 256u << 20, STAGING_BYTES = 32u << 20, ALIGN = 256 };

struct vk_block {
    VkDeviceMemory memory;
    VkBuffer buffer;
    VkDeviceSize size;
    uint8_t *host;
    span_list spans; /* which parts of the block are free */
    vk_block *next;
};

void vk_mem_init(vk_ctx *ctx)
{
    const char *no_unified = getenv("VKEVE_NO_UNIFIED");
    ctx->mapped = ctx->caps.unified_memory && !(no_unified && *no_unified == '1');
}

static int find_type(const vk_ctx *ctx, uint32_t bits, VkMemoryPropertyFlags want)
{
    for (uint32_t i = 0; i < ctx->memory.memoryTypeCount; i++)
        if ((bits & (1u << i)) && (ctx->memory.memoryTypes[i].propertyFlags & want) == want)
            return (int)i;
    return -1;
}

/* The block's host record, and its buffer and memory unless work that timed out may still
 * use them (vk_ctx.hung). */
static void destroy_block(vk_ctx *ctx, vk_block *b)
{
    if (b->buffer && !ctx->hung)
        vkDestroyBuffer(ctx->device, b->buffer, NULL);
    if (b->memory && !ctx->hung) {
        vkFreeMemory(ctx->device, b->memory, NULL);
        ctx->bytes_allocated -= b->size;
    }
    span_free(&b->spans);
    free(b);
}

static int oom(vk_ctx *ctx, VkDeviceSize want, errmsg *e)
{
    return err_set(e, ERR_FAIL,
                   "out of device memory: needed %" PRIu64 " MiB more, device '%s' has %" PRIu64
                   " MiB and %" PRIu64 " MiB are in use",
                   (uint64_t)(want >> 20), ctx->caps.name, ctx->caps.device_local_bytes >> 20,
                   ctx->bytes_in_use >> 20);
}

static int alloc_memory(vk_ctx *ctx, vk_block *b, VkMemoryPropertyFlags want, errmsg *e)
{
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(ctx->device, b->buffer, &req);
    int type = find_type(ctx, req.memoryTypeBits, want);
    if (type < 0)
        return err_set(e, ERR_ENV, "device '%s' has no suitable memory type", ctx->caps.name);
    VkMemoryAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = (uint32_t)type,
    };
    VkResult r = vkAllocateMemory(ctx->device, &ai, NULL, &b->memory);
    if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
        return oom(ctx, b->size, e);
    if (vk_check(r, "vkAllocateMemory", e))
        return e->code;
    ctx->bytes_allocated += b->size;
    if (vk_check(vkBindBufferMemory(ctx->device, b->buffer, b->memory, 0), "vkBindBufferMemory", e))
        return e->code;
    if (want & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
        return vk_check(vkMapMemory(ctx->device, b->memory, 0, VK_WHOLE_SIZE, 0, (void **)&b->host),
                        "vkMapMemory", e);
    return 0;
}

/* A block of `size` bytes; host-visible and mapped when `host` is set. */
static vk_block *new_block(vk_ctx *ctx, VkDeviceSize size, bool host, errmsg *e)
{
    if (size > ctx->caps.max_allocation) {
        oom(ctx, size, e);
        err_prefix(
            e, "one allocation of %" PRIu64 " MiB is over the device's limit of %" PRIu64 " MiB: ",
            (uint64_t)(size >> 20), ctx->caps.max_allocation >> 20);
        return NULL;
    }
    vk_block *b = calloc(1, sizeof *b);
    if (!b || span_init(&b->spans, size)) {
        free(b);
        err_set(e, ERR_FAIL, "out of host memory");
        return NULL;
    }
    b->size = size;
    VkBufferCreateInfo bi = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkMemoryPropertyFlags want =
        host ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
             : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    if (ctx->mapped && !host)
        want |= VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    if (vk_check(vkCreateBuffer(ctx->device, &bi, NULL, &b->buffer), "vkCreateBuffer", e) ||
        alloc_memory(ctx, b, want, e)) {
        destroy_block(ctx, b);
        return NULL;
    }
    return b;
}

static VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a)
{
    return (v + a - 1) / a * a;
}

uint64_t vk_mem_footprint(uint64_t size)
{
    return align_up(size ? size : 1, ALIGN);
}

int vk_buf_alloc(vk_ctx *ctx, VkDeviceSize size, vk_buf *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    size = vk_mem_whole_units(size);
    VkDeviceSize need = vk_mem_footprint(size);
    int64_t off = -1;
    vk_block *b = ctx->blocks;
    while (b && (off = span_take(&b->spans, need)) < 0)
        b = b->next;
    if (off < 0) {
        b = new_block(ctx, need > BLOCK_BYTES ? need : BLOCK_BYTES, false, e);
        if (!b && need < BLOCK_BYTES) /* a smaller block may still fit in what is left */
            b = new_block(ctx, need, false, e);
        if (!b)
            return e->code;
        b->next = ctx->blocks;
        ctx->blocks = b;
        off = span_take(&b->spans, need);
    }
    *out = (vk_buf){b->buffer, (VkDeviceSize)off, size, b->host ? b->host + off : NULL, b};
    ctx->bytes_in_use += need;
    return 0;
}

void vk_buf_free(vk_ctx *ctx, vk_buf *buf)
{
    if (!buf->block)
        return;
    VkDeviceSize need = vk_mem_footprint(buf->size);
    /* Failing to grow the free list leaks the range inside the block; nothing else breaks. */
    span_give(&buf->block->spans, buf->offset, need);
    ctx->bytes_in_use -= need;
    vk_block *b = buf->block;
    /* Give a wholly free block back to the driver unless it is the last one. */
    if (span_all_free(&b->spans) && ctx->blocks->next) {
        vk_block **p = &ctx->blocks;
        while (*p != b)
            p = &(*p)->next;
        *p = b->next;
        destroy_block(ctx, b);
    }
    memset(buf, 0, sizeof *buf);
}

static int check_range(const vk_buf *buf, VkDeviceSize offset, size_t n, errmsg *e)
{
    if (offset > buf->size || n > buf->size - offset)
        return err_set(e, ERR_FAIL,
                       "buffer access [%" PRIu64 ", +%zu) is outside its %" PRIu64 " bytes",
                       (uint64_t)offset, n, (uint64_t)buf->size);
    return 0;
}

static int staging(vk_ctx *ctx, errmsg *e)
{
    if (!ctx->staging)
        ctx->staging = new_block(ctx, STAGING_BYTES, true, e);
    return ctx->staging ? 0 : e->code;
}

/* One copy between the staging block and buf, recorded, submitted and waited for. */
static int copy_chunk(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, size_t n, bool upload,
                      errmsg *e)
{
    VkCommandBuffer cb;
    if (vk_cmd_one_shot_begin(ctx, &cb, e))
        return e->code;
    VkBufferCopy region = {upload ? 0 : buf->offset + offset, upload ? buf->offset + offset : 0, n};
    if (upload)
        vkCmdCopyBuffer(cb, ctx->staging->buffer, buf->buffer, 1, &region);
    else
        vkCmdCopyBuffer(cb, buf->buffer, ctx->staging->buffer, 1, &region);
    return vk_cmd_one_shot_submit(ctx, cb, e);
}

static int transfer(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, uint8_t *host, size_t n,
                    bool upload, errmsg *e)
{
    if (check_range(buf, offset, n, e))
        return e->code;
    if (buf->host) {
        if (upload)
            memcpy(buf->host + offset, host, n);
        else
            memcpy(host, buf->host + offset, n);
        return 0;
    }
    if (staging(ctx, e))
        return e->code;
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done < STAGING_BYTES ? n - done : STAGING_BYTES;
        if (upload)
            memcpy(ctx->staging->host, host + done, chunk);
        if (copy_chunk(ctx, buf, offset + done, chunk, upload, e))
            return e->code;
        if (!upload)
            memcpy(host + done, ctx->staging->host, chunk);
        done += chunk;
    }
    return 0;
}

int vk_buf_write(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, const void *src, size_t n,
                 errmsg *e)
{
    return transfer(ctx, buf, offset, (uint8_t *)src, n, true, e);
}

int vk_buf_read(vk_ctx *ctx, const vk_buf *buf, VkDeviceSize offset, void *dst, size_t n, errmsg *e)
{
    return transfer(ctx, buf, offset, dst, n, false, e);
}

void vk_mem_usage(const vk_ctx *ctx, uint64_t *in_use, uint64_t *allocated)
{
    *in_use = ctx->bytes_in_use;
    *allocated = ctx->bytes_allocated;
}

void vk_mem_release(vk_ctx *ctx)
{
    while (ctx->blocks) {
        vk_block *b = ctx->blocks;
        ctx->blocks = b->next;
        destroy_block(ctx, b);
    }
    if (ctx->staging)
        destroy_block(ctx, ctx->staging);
    ctx->staging = NULL;
}
