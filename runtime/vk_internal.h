/* vk_internal.h - the context's fields, shared by the vk_*.c modules and nobody else.
 * Each module owns its part: vk.c the instance and device, vk_mem.c the memory blocks,
 * vk_pipe.c the pipelines and layouts, vk_cmd.c and vk_seq.c nothing persistent. */
#ifndef VKEVE_VK_INTERNAL_H
#define VKEVE_VK_INTERNAL_H

#include "runtime/vk.h"

typedef struct vk_block vk_block;   /* vk_mem.c */
typedef struct vk_pipe vk_pipe;     /* vk_pipe.c */
typedef struct vk_layout vk_layout; /* vk_pipe.c */

struct vk_ctx {
    VkInstance instance;
    VkDebugUtilsMessengerEXT messenger;
    bool validation;
    uint32_t validation_messages;
    VkPhysicalDevice physical;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;
    VkCommandPool command_pool;
    vk_caps caps;
    /* Work that timed out may still be running: nothing more is submitted, and teardown
     * frees host memory only (the driver keeps using what the work binds until exit). */
    bool hung;
    VkPhysicalDeviceMemoryProperties memory;

    /* vk_mem.c */
    vk_block *blocks;
    vk_block *staging; /* host-visible bounce buffer, only when memory is not unified */
    uint64_t bytes_allocated, bytes_in_use;
    bool mapped; /* device blocks are host-visible and mapped (unified memory) */

    /* vk_pipe.c */
    vk_pipe *pipes;
    vk_layout *layouts;
    VkPipelineCache pipeline_cache;
    bool pipelines_created; /* whether the cache file is worth rewriting */
};

void vk_mem_release(vk_ctx *ctx);
void vk_pipe_release(vk_ctx *ctx);
void vk_mem_init(vk_ctx *ctx);
void vk_pipe_init(vk_ctx *ctx);

/* vk_cmd.c: command buffers and submission, used by vk_mem.c and vk_seq.c. */
void vk_cmd_barrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkAccessFlags src_access,
                    VkPipelineStageFlags dst, VkAccessFlags dst_access);
/* Orders cb after everything submitted before it (earlier runs, copies). */
void vk_cmd_leading_barrier(VkCommandBuffer cb);
/* Makes all device writes visible to the host once the fence signals. */
void vk_cmd_trailing_barrier(VkCommandBuffer cb);
/* Allocates and begins a primary command buffer, starting with the leading barrier. */
int vk_cmd_begin(vk_ctx *ctx, VkCommandBuffer *cb, VkCommandBufferUsageFlags flags, errmsg *e);
int vk_cmd_new_fence(vk_ctx *ctx, VkFence *fence, errmsg *e);
/* Submits cb and waits for fence, at most VKEVE_GPU_TIMEOUT seconds; resets the fence. */
int vk_cmd_submit_wait(vk_ctx *ctx, VkCommandBuffer cb, VkFence fence, errmsg *e);
/* A command buffer for a single transfer: begin it, record, then submit and wait; the submit
 * frees it whether it succeeds or not. */
int vk_cmd_one_shot_begin(vk_ctx *ctx, VkCommandBuffer *cb, errmsg *e);
int vk_cmd_one_shot_submit(vk_ctx *ctx, VkCommandBuffer cb, errmsg *e);

#endif
