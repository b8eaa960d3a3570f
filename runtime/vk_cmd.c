/* vk_cmd.c - command buffers, barriers, submission with a timeout, one-shot transfers: the
 * layer below vk_mem.c (uploads) and vk_seq.c (recorded sequences). See vk_internal.h. */
#include <inttypes.h>
#include <stdlib.h>

#include "runtime/vk_internal.h"

void vk_cmd_barrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkAccessFlags src_access,
                    VkPipelineStageFlags dst, VkAccessFlags dst_access)
{
    VkMemoryBarrier b = {VK_STRUCTURE_TYPE_MEMORY_BARRIER, NULL, src_access, dst_access};
    vkCmdPipelineBarrier(cb, src, dst, 0, 1, &b, 0, NULL, 0, NULL);
}

/* Orders this command buffer after everything submitted before it (earlier runs, copies). */
void vk_cmd_leading_barrier(VkCommandBuffer cb)
{
    vk_cmd_barrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                   VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                   VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
}

/* Makes all device writes visible to the host once the fence signals. */
void vk_cmd_trailing_barrier(VkCommandBuffer cb)
{
    vk_cmd_barrier(cb, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                   VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
}

static uint64_t timeout_ns(void)
{
    const char *env = getenv("VKEVE_GPU_TIMEOUT");
    long s = env ? strtol(env, NULL, 10) : 0;
    return (uint64_t)(s > 0 ? s : 600) * 1000000000ull;
}

int vk_cmd_submit_wait(vk_ctx *ctx, VkCommandBuffer cb, VkFence fence, errmsg *e)
{
    VkSubmitInfo si = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cb};
    if (ctx->hung)
        return err_set(e, ERR_FAIL, "the device is still running work that timed out");
    if (vk_check(vkQueueSubmit(ctx->queue, 1, &si, fence), "vkQueueSubmit", e))
        return e->code;
    uint64_t limit = timeout_ns();
    VkResult r = vkWaitForFences(ctx->device, 1, &fence, VK_TRUE, limit);
    if (r == VK_TIMEOUT) {
        ctx->hung = true;
        return err_set(e, ERR_FAIL,
                       "GPU work did not finish within %" PRIu64 " s (VKEVE_GPU_TIMEOUT)",
                       (uint64_t)(limit / 1000000000u));
    }
    if (vk_check(r, "vkWaitForFences", e))
        return e->code;
    return vk_check(vkResetFences(ctx->device, 1, &fence), "vkResetFences", e);
}

int vk_cmd_new_fence(vk_ctx *ctx, VkFence *fence, errmsg *e)
{
    VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    return vk_check(vkCreateFence(ctx->device, &fi, NULL, fence), "vkCreateFence", e);
}

int vk_cmd_begin(vk_ctx *ctx, VkCommandBuffer *cb, VkCommandBufferUsageFlags flags, errmsg *e)
{
    VkCommandBufferAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = ctx->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    if (vk_check(vkAllocateCommandBuffers(ctx->device, &ai, cb), "vkAllocateCommandBuffers", e))
        return e->code;
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags = flags};
    if (vk_check(vkBeginCommandBuffer(*cb, &bi), "vkBeginCommandBuffer", e)) {
        vkFreeCommandBuffers(ctx->device, ctx->command_pool, 1, cb);
        return e->code;
    }
    vk_cmd_leading_barrier(*cb);
    return 0;
}

int vk_cmd_one_shot_begin(vk_ctx *ctx, VkCommandBuffer *cb, errmsg *e)
{
    return vk_cmd_begin(ctx, cb, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT, e);
}

int vk_cmd_one_shot_submit(vk_ctx *ctx, VkCommandBuffer cb, errmsg *e)
{
    VkFence fence = VK_NULL_HANDLE;
    vk_cmd_trailing_barrier(cb);
    int rc = vk_check(vkEndCommandBuffer(cb), "vkEndCommandBuffer", e);
    if (!rc)
        rc = vk_cmd_new_fence(ctx, &fence, e);
    if (!rc)
        rc = vk_cmd_submit_wait(ctx, cb, fence, e);
    if (ctx->hung)
        return rc;
    if (fence)
        vkDestroyFence(ctx->device, fence, NULL);
    vkFreeCommandBuffers(ctx->device, ctx->command_pool, 1, &cb);
    return rc;
}
