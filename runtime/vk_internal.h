/* vk_internal.h - the context's fields, shared by the vk_*.c modules and nobody else.
 * Each module owns its part: vk.c the instance and device, vk_mem.c the memory blocks,
 * vk_pipe.c the pipelines and layouts, vk_seq.c nothing persistent. */
#ifndef VKEVE_VK_INTERNAL_H
#define VKEVE_VK_INTERNAL_H

#include "runtime/vk.h"

typedef struct vk_block vk_block;     /* vk_mem.c */
typedef struct vk_pipe vk_pipe;       /* vk_pipe.c */
typedef struct vk_layout vk_layout;   /* vk_pipe.c */

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
    VkPhysicalDeviceMemoryProperties memory;

    /* vk_mem.c */
    vk_block *blocks;
    vk_block *staging; /* host-visible bounce buffer, only when memory is not unified */
    uint64_t bytes_allocated, bytes_in_use;
    bool mapped;       /* device blocks are host-visible and mapped (unified memory) */

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

/* A primary command buffer for a single transfer (vk_seq.c): begin it, record, then submit
 * and wait; the submit frees it whether it succeeds or not. */
int vk_one_shot_begin(vk_ctx *ctx, VkCommandBuffer *cb, errmsg *e);
int vk_one_shot_submit(vk_ctx *ctx, VkCommandBuffer cb, errmsg *e);

#endif
