/* vk_seq.c - command recording with derived barriers, submission, fences and timestamps. */
#include "runtime/vk_seq.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/vk_internal.h"

enum { SETS_PER_POOL = 256, MAX_TIMED = 4096 };

typedef struct access {
    VkBuffer buffer;
    VkDeviceSize begin, end;
    bool writes;
} access;

typedef struct dispatch_info {
    char label[48];
} dispatch_info;

struct vk_seq {
    vk_ctx *ctx;
    VkCommandBuffer cb;
    VkFence fence;
    bool ended;
    VkDescriptorPool *pools;
    int n_pools, sets_left;
    VkBufferView *views; /* of the texel bindings, destroyed with the sequence */
    int n_views, cap_views;
    vk_buf **scratch; /* vk_seq_scratch's buffers, freed with the sequence */
    int n_scratch;
    access *pending; /* accesses since the last barrier */
    int n_pending, cap_pending;
    dispatch_info *info;
    int n, cap;
    VkQueryPool queries;
    uint64_t *stamps; /* 2 per timed dispatch, filled by vk_seq_run */
};

static int create_queries(vk_seq *s, errmsg *e)
{
    VkQueryPoolCreateInfo qi = {
        .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
        .queryType = VK_QUERY_TYPE_TIMESTAMP,
        .queryCount = 2 * MAX_TIMED,
    };
    s->stamps = calloc(2 * MAX_TIMED, sizeof *s->stamps);
    if (!s->stamps)
        return err_set(e, ERR_FAIL, "out of host memory");
    return vk_check(vkCreateQueryPool(s->ctx->device, &qi, NULL, &s->queries), "vkCreateQueryPool",
                    e);
}

vk_seq *vk_seq_begin(vk_ctx *ctx, bool timed, errmsg *e)
{
    vk_seq *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, ERR_FAIL, "out of host memory");
        return NULL;
    }
    s->ctx = ctx;
    bool want_time = timed && ctx->caps.timestamps;
    if (vk_cmd_new_fence(ctx, &s->fence, e) || (want_time && create_queries(s, e)) ||
        vk_cmd_begin(ctx, &s->cb, 0, e)) {
        vk_seq_free(s);
        return NULL;
    }
    return s;
}

static VkDescriptorSet new_set(vk_seq *s, const vk_pipe *p, errmsg *e)
{
    VkDevice dev = s->ctx->device;
    if (s->sets_left == 0) {
        VkDescriptorPool *grown = realloc(s->pools, (size_t)(s->n_pools + 1) * sizeof *grown);
        if (!grown) {
            err_set(e, ERR_FAIL, "out of host memory");
            return VK_NULL_HANDLE;
        }
        s->pools = grown;
        VkDescriptorPoolSize sizes[2] = {
            {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, SETS_PER_POOL * VK_MAX_BUFFERS},
            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, SETS_PER_POOL * VK_MAX_BUFFERS},
        };
        VkDescriptorPoolCreateInfo pi = {
            .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
            .maxSets = SETS_PER_POOL,
            .poolSizeCount = 2,
            .pPoolSizes = sizes,
        };
        if (vk_check(vkCreateDescriptorPool(dev, &pi, NULL, &s->pools[s->n_pools]),
                     "vkCreateDescriptorPool", e))
            return VK_NULL_HANDLE;
        s->n_pools++;
        s->sets_left = SETS_PER_POOL;
    }
    VkDescriptorSetLayout layout = vk_pipe_set_layout(p);
    VkDescriptorSetAllocateInfo ai = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
        .descriptorPool = s->pools[s->n_pools - 1],
        .descriptorSetCount = 1,
        .pSetLayouts = &layout,
    };
    VkDescriptorSet set;
    if (vk_check(vkAllocateDescriptorSets(dev, &ai, &set), "vkAllocateDescriptorSets", e))
        return VK_NULL_HANDLE;
    s->sets_left--;
    return set;
}

/* Checks one argument against the device's alignment and range limits. A texel binding's
 * range is rounded up to whole texels, which vk_buf_alloc's 16-byte sizes always hold. */
static int check_arg(const vk_caps *c, const vk_arg *a, int i, bool texel, VkDeviceSize *range,
                     errmsg *e)
{
    if (!a->buf || !a->buf->buffer)
        return err_set(e, ERR_FAIL, "argument %d has no buffer", i);
    if (a->offset > a->buf->size)
        return err_set(e, ERR_FAIL, "argument %d: offset %" PRIu64 " past its buffer", i,
                       (uint64_t)a->offset);
    *range = a->size ? a->size : a->buf->size - a->offset;
    if (texel)
        *range = vk_mem_whole_units(*range);
    if (*range == 0 || a->offset + *range > a->buf->size)
        return err_set(e, ERR_FAIL, "argument %d: range outside its buffer", i);
    uint64_t align = texel ? c->min_texel_offset_align : c->min_storage_offset_align;
    if ((a->buf->offset + a->offset) % align)
        return err_set(e, ERR_FAIL, "argument %d: offset not aligned to %" PRIu64 " bytes", i,
                       align);
    uint64_t max = texel ? c->max_texel_elements * 16 : c->max_storage_range;
    if (*range > max)
        return err_set(e, ERR_FAIL,
                       "argument %d: %" PRIu64 " MiB is more than one binding can "
                       "see on this device (%" PRIu64 " MiB); split the tensor",
                       i, (uint64_t)(*range >> 20), max >> 20);
    return 0;
}

bool vk_seq_fits_texels(const vk_ctx *ctx, const vk_arg *a)
{
    VkDeviceSize range;
    errmsg ignored = {0};
    return check_arg(vk_caps_of(ctx), a, 0, true, &range, &ignored) == 0;
}

/* A view of the argument's range as R32G32B32A32_UINT texels, owned by the sequence. */
static VkBufferView new_view(vk_seq *s, VkBuffer buffer, VkDeviceSize begin, VkDeviceSize range,
                             errmsg *e)
{
    if (s->n_views == s->cap_views) {
        int cap = s->cap_views ? 2 * s->cap_views : 16;
        VkBufferView *grown = realloc(s->views, (size_t)cap * sizeof *grown);
        if (!grown) {
            err_set(e, ERR_FAIL, "out of host memory");
            return VK_NULL_HANDLE;
        }
        s->views = grown;
        s->cap_views = cap;
    }
    VkBufferViewCreateInfo vi = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
        .buffer = buffer,
        .format = VK_FORMAT_R32G32B32A32_UINT,
        .offset = begin,
        .range = range,
    };
    VkBufferView view;
    if (vk_check(vkCreateBufferView(s->ctx->device, &vi, NULL, &view), "vkCreateBufferView", e))
        return VK_NULL_HANDLE;
    s->views[s->n_views++] = view;
    return view;
}

static bool conflicts(const vk_seq *s, const access *a)
{
    for (int i = 0; i < s->n_pending; i++) {
        const access *p = &s->pending[i];
        if (p->buffer == a->buffer && p->begin < a->end && a->begin < p->end &&
            (p->writes || a->writes))
            return true;
    }
    return false;
}

/* Inserts a barrier when this dispatch touches what an unfinished one wrote, then notes
 * its own accesses. */
static int order_after_writers(vk_seq *s, const access *acc, int n, errmsg *e)
{
    bool need = false;
    for (int i = 0; i < n && !need; i++)
        need = conflicts(s, &acc[i]);
    if (need) {
        vk_cmd_barrier(s->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                       VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        s->n_pending = 0;
    }
    if (s->n_pending + n > s->cap_pending) {
        int cap = (s->n_pending + n) * 2;
        access *grown = realloc(s->pending, (size_t)cap * sizeof *grown);
        if (!grown)
            return err_set(e, ERR_FAIL, "out of host memory");
        s->pending = grown;
        s->cap_pending = cap;
    }
    memcpy(s->pending + s->n_pending, acc, (size_t)n * sizeof *acc);
    s->n_pending += n;
    return 0;
}

static int note_dispatch(vk_seq *s, const char *label, errmsg *e)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        dispatch_info *grown = realloc(s->info, (size_t)cap * sizeof *grown);
        if (!grown)
            return err_set(e, ERR_FAIL, "out of host memory");
        s->info = grown;
        s->cap = cap;
    }
    snprintf(s->info[s->n].label, sizeof s->info[s->n].label, "%s", label ? label : "");
    return 0;
}

static int check_groups(const vk_seq *s, const uint32_t groups[3], const char *label, errmsg *e)
{
    const uint32_t *max = s->ctx->caps.max_workgroup_count;
    for (int i = 0; i < 3; i++)
        if (groups[i] == 0 || groups[i] > max[i])
            return err_set(e, ERR_FAIL, "%s: %u workgroups on axis %d (device allows 1..%u)", label,
                           groups[i], i, max[i]);
    return 0;
}

int vk_seq_dispatch(vk_seq *s, const vk_kernel *k, const vk_arg *args, const void *push,
                    const uint32_t groups[3], const char *label, errmsg *e)
{
    if (s->ended)
        return err_set(e, ERR_FAIL, "%s: the sequence was already run", label);
    vk_pipe *p = vk_pipe_get(s->ctx, k, e);
    if (!p || check_groups(s, groups, label, e) || note_dispatch(s, label, e))
        return e->code;
    VkDescriptorBufferInfo bi[VK_MAX_BUFFERS];
    VkBufferView views[VK_MAX_BUFFERS];
    VkWriteDescriptorSet w[VK_MAX_BUFFERS];
    access acc[VK_MAX_BUFFERS];
    VkDescriptorSet set = new_set(s, p, e);
    if (!set)
        return e->code;
    for (uint32_t i = 0; i < k->n_buffers; i++) {
        VkDeviceSize range = 0;
        VkDescriptorType type = vk_binding_type(k, i);
        bool texel = type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
        if (check_arg(&s->ctx->caps, &args[i], (int)i, texel, &range, e))
            return err_prefix(e, "%s: ", label);
        VkDeviceSize begin = args[i].buf->offset + args[i].offset;
        bi[i] = (VkDescriptorBufferInfo){args[i].buf->buffer, begin, range};
        views[i] = texel ? new_view(s, args[i].buf->buffer, begin, range, e) : VK_NULL_HANDLE;
        if (texel && !views[i])
            return err_prefix(e, "%s: ", label);
        w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                      .dstSet = set,
                                      .dstBinding = i,
                                      .descriptorCount = 1,
                                      .descriptorType = type,
                                      .pBufferInfo = &bi[i],
                                      .pTexelBufferView = &views[i]};
        acc[i] = (access){args[i].buf->buffer, begin, begin + range, args[i].writes};
    }
    vkUpdateDescriptorSets(s->ctx->device, k->n_buffers, w, 0, NULL);
    if (order_after_writers(s, acc, (int)k->n_buffers, e))
        return e->code;
    bool timed = s->queries && s->n < MAX_TIMED;
    if (timed) {
        vkCmdResetQueryPool(s->cb, s->queries, 2 * (uint32_t)s->n, 2);
        vkCmdWriteTimestamp(s->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, s->queries,
                            2 * (uint32_t)s->n);
    }
    vkCmdBindPipeline(s->cb, VK_PIPELINE_BIND_POINT_COMPUTE, vk_pipe_pipeline(p));
    vkCmdBindDescriptorSets(s->cb, VK_PIPELINE_BIND_POINT_COMPUTE, vk_pipe_layout(p), 0, 1, &set, 0,
                            NULL);
    if (k->push_bytes)
        vkCmdPushConstants(s->cb, vk_pipe_layout(p), VK_SHADER_STAGE_COMPUTE_BIT, 0, k->push_bytes,
                           push);
    vkCmdDispatch(s->cb, groups[0], groups[1], groups[2]);
    if (timed)
        vkCmdWriteTimestamp(s->cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, s->queries,
                            2 * (uint32_t)s->n + 1);
    s->n++;
    return 0;
}

int vk_seq_run(vk_seq *s, errmsg *e)
{
    if (!s->ended) {
        vk_cmd_trailing_barrier(s->cb);
        s->ended = true;
        if (vk_check(vkEndCommandBuffer(s->cb), "vkEndCommandBuffer", e))
            return e->code;
    }
    if (vk_cmd_submit_wait(s->ctx, s->cb, s->fence, e))
        return e->code;
    uint32_t n_timed = (uint32_t)(s->n < MAX_TIMED ? s->n : MAX_TIMED);
    if (!s->queries || n_timed == 0)
        return 0;
    return vk_check(vkGetQueryPoolResults(s->ctx->device, s->queries, 0, 2 * n_timed,
                                          2 * n_timed * sizeof(uint64_t), s->stamps,
                                          sizeof(uint64_t),
                                          VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
                    "vkGetQueryPoolResults", e);
}

const vk_buf *vk_seq_scratch(vk_seq *s, VkDeviceSize size, errmsg *e)
{
    vk_buf **grown = realloc(s->scratch, (size_t)(s->n_scratch + 1) * sizeof *grown);
    if (!grown) {
        err_set(e, ERR_FAIL, "out of host memory");
        return NULL;
    }
    s->scratch = grown;
    vk_buf *b = calloc(1, sizeof *b);
    if (!b || vk_buf_alloc(s->ctx, size, b, e)) {
        if (!b)
            err_set(e, ERR_FAIL, "out of host memory");
        free(b);
        return NULL;
    }
    s->scratch[s->n_scratch++] = b;
    return b;
}

vk_ctx *vk_seq_ctx(const vk_seq *s)
{
    return s->ctx;
}
int vk_seq_count(const vk_seq *s)
{
    return s->n;
}

const char *vk_seq_label(const vk_seq *s, int i)
{
    return i >= 0 && i < s->n ? s->info[i].label : "";
}

double vk_seq_time_ns(const vk_seq *s, int i)
{
    if (!s->queries || i < 0 || i >= s->n || i >= MAX_TIMED || !s->ended)
        return -1;
    return (double)(s->stamps[2 * i + 1] - s->stamps[2 * i]) * s->ctx->caps.timestamp_period_ns;
}

static void destroy_objects(vk_seq *s)
{
    VkDevice dev = s->ctx->device;
    if (s->cb)
        vkFreeCommandBuffers(dev, s->ctx->command_pool, 1, &s->cb);
    if (s->fence)
        vkDestroyFence(dev, s->fence, NULL);
    if (s->queries)
        vkDestroyQueryPool(dev, s->queries, NULL);
    for (int i = 0; i < s->n_pools; i++)
        vkDestroyDescriptorPool(dev, s->pools[i], NULL);
    for (int i = 0; i < s->n_views; i++)
        vkDestroyBufferView(dev, s->views[i], NULL);
}

void vk_seq_free(vk_seq *s)
{
    if (!s)
        return;
    if (!s->ctx->hung) /* work that timed out may still use them (vk_ctx.hung) */
        destroy_objects(s);
    for (int i = 0; i < s->n_scratch; i++) {
        vk_buf_free(s->ctx, s->scratch[i]);
        free(s->scratch[i]);
    }
    free(s->scratch);
    free(s->pools);
    free(s->views);
    free(s->pending);
    free(s->info);
    free(s->stamps);
    free(s);
}
