/* vk_pipe.c - pipeline creation, the in-memory pipeline list and the on-disk pipeline cache. */
#include "runtime/vk_pipe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "runtime/vk_internal.h"
#include "runtime/vk_shaders.h"

struct vk_layout {
    uint32_t n_buffers, push_bytes, texels;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout pipeline_layout;
    vk_layout *next;
};

struct vk_pipe {
    vk_kernel kernel;
    vk_layout *layout;
    VkPipeline pipeline;
    vk_pipe *next;
};

const vk_shader_blob *vk_shader_find(const char *name)
{
    for (int i = 0; i < vk_shader_blob_count; i++)
        if (strcmp(vk_shader_blobs[i].name, name) == 0)
            return &vk_shader_blobs[i];
    return NULL;
}

/* The cache file's path for this device, or 0 when caching is off or there is no home. */
static int cache_path(const vk_ctx *ctx, char *path, size_t n, char *dir, size_t ndir)
{
    const char *off = getenv("VKEVE_NO_PIPELINE_CACHE");
    if (off && *off == '1')
        return 0;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(dir, ndir, "%s/vkeve", xdg);
    else if (home && *home)
        snprintf(dir, ndir, "%s/.cache/vkeve", home);
    else
        return 0;
    const vk_caps *c = &ctx->caps;
    snprintf(path, n, "%s/pipelines-%04x-%04x-%08x.bin", dir, c->vendor_id, c->device_id,
             c->driver_version);
    return 1;
}

static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    void *data = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n > 0 && n < (64l << 20) && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) &&
        fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = data ? (size_t)n : 0;
    return data;
}

void vk_pipe_init(vk_ctx *ctx)
{
    char path[1024], dir[1024];
    size_t size = 0;
    void *data =
        cache_path(ctx, path, sizeof path, dir, sizeof dir) ? read_file(path, &size) : NULL;
    VkPipelineCacheCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
        .initialDataSize = size,
        .pInitialData = data,
    };
    /* A stale or foreign file is ignored by the driver; if even an empty cache fails,
     * pipelines are simply built without one. */
    if (vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache) != VK_SUCCESS) {
        ci.initialDataSize = 0;
        ci.pInitialData = NULL;
        if (vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache) != VK_SUCCESS)
            ctx->pipeline_cache = VK_NULL_HANDLE;
    }
    free(data);
}

/* Saves the cache atomically; a cache that cannot be written only costs a recompile later. */
static void save_cache(vk_ctx *ctx)
{
    char path[1024], dir[1024];
    size_t size = 0;
    if (!ctx->pipeline_cache || !ctx->pipelines_created ||
        !cache_path(ctx, path, sizeof path, dir, sizeof dir) ||
        vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, NULL) != VK_SUCCESS)
        return;
    void *data = malloc(size ? size : 1);
    if (data && afile_mkdirs(dir, NULL) == 0 &&
        vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, data) == VK_SUCCESS)
        afile_save(path, data, size, NULL);
    free(data);
}

VkDescriptorType vk_binding_type(const vk_kernel *k, uint32_t i)
{
    return k->texels >> i & 1 ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                              : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

static vk_layout *get_layout(vk_ctx *ctx, const vk_kernel *k, errmsg *e)
{
    uint32_t n_buffers = k->n_buffers, push_bytes = k->push_bytes;
    for (vk_layout *l = ctx->layouts; l; l = l->next)
        if (l->n_buffers == n_buffers && l->push_bytes == push_bytes && l->texels == k->texels)
            return l;
    vk_layout *l = calloc(1, sizeof *l);
    if (!l) {
        err_set(e, ERR_FAIL, "out of host memory");
        return NULL;
    }
    VkDescriptorSetLayoutBinding b[VK_MAX_BUFFERS];
    for (uint32_t i = 0; i < n_buffers; i++)
        b[i] = (VkDescriptorSetLayoutBinding){i, vk_binding_type(k, i), 1,
                                              VK_SHADER_STAGE_COMPUTE_BIT, NULL};
    VkDescriptorSetLayoutCreateInfo si = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = n_buffers,
        .pBindings = b,
    };
    VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
    VkPipelineLayoutCreateInfo pi = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &l->set_layout,
        .pushConstantRangeCount = push_bytes ? 1 : 0,
        .pPushConstantRanges = &range,
    };
    l->n_buffers = n_buffers;
    l->push_bytes = push_bytes;
    l->texels = k->texels;
    l->next = ctx->layouts;
    ctx->layouts = l; /* listed before creation so vk_pipe_release frees a half-made one */
    if (vk_check(vkCreateDescriptorSetLayout(ctx->device, &si, NULL, &l->set_layout),
                 "vkCreateDescriptorSetLayout", e) ||
        vk_check(vkCreatePipelineLayout(ctx->device, &pi, NULL, &l->pipeline_layout),
                 "vkCreatePipelineLayout", e))
        return NULL;
    return l;
}

static bool same_kernel(const vk_kernel *a, const vk_kernel *b)
{
    return strcmp(a->shader, b->shader) == 0 && a->n_buffers == b->n_buffers &&
           a->push_bytes == b->push_bytes && a->n_spec == b->n_spec && a->texels == b->texels &&
           memcmp(a->spec, b->spec, a->n_spec * sizeof a->spec[0]) == 0;
}

static int check_kernel(const vk_ctx *ctx, const vk_kernel *k, errmsg *e)
{
    if (k->n_buffers > VK_MAX_BUFFERS || k->n_spec > VK_MAX_SPEC || k->push_bytes % 4 ||
        k->push_bytes > ctx->caps.max_push_constants || k->texels >> k->n_buffers)
        return err_set(e, ERR_FAIL,
                       "kernel '%s': bad description (%u buffers, %u push bytes, %u "
                       "constants)",
                       k->shader, k->n_buffers, k->push_bytes, k->n_spec);
    return 0;
}

static int build_pipeline(vk_ctx *ctx, vk_pipe *p, const vk_shader_blob *blob, errmsg *e)
{
    VkShaderModuleCreateInfo mi = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
        .codeSize = blob->size,
        .pCode = blob->code,
    };
    VkShaderModule module;
    if (vk_check(vkCreateShaderModule(ctx->device, &mi, NULL, &module), "vkCreateShaderModule", e))
        return e->code;
    VkSpecializationMapEntry map[VK_MAX_SPEC];
    for (uint32_t i = 0; i < p->kernel.n_spec; i++)
        map[i] = (VkSpecializationMapEntry){i, i * 4, 4};
    VkSpecializationInfo spec = {p->kernel.n_spec, map, p->kernel.n_spec * 4, p->kernel.spec};
    VkComputePipelineCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage =
            {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = module,
                .pName = "main",
                .pSpecializationInfo = &spec,
            },
        .layout = p->layout->pipeline_layout,
    };
    VkResult r =
        vkCreateComputePipelines(ctx->device, ctx->pipeline_cache, 1, &ci, NULL, &p->pipeline);
    vkDestroyShaderModule(ctx->device, module, NULL);
    ctx->pipelines_created = true;
    if (vk_check(r, "vkCreateComputePipelines", e))
        return err_prefix(e, "shader '%s': ", p->kernel.shader);
    return 0;
}

vk_pipe *vk_pipe_get(vk_ctx *ctx, const vk_kernel *k, errmsg *e)
{
    for (vk_pipe *p = ctx->pipes; p; p = p->next)
        if (same_kernel(&p->kernel, k))
            return p;
    if (check_kernel(ctx, k, e))
        return NULL;
    const vk_shader_blob *blob = vk_shader_find(k->shader);
    if (!blob) {
        err_set(e, ERR_FAIL, "no embedded shader named '%s'", k->shader);
        return NULL;
    }
    vk_pipe *p = calloc(1, sizeof *p);
    if (!p) {
        err_set(e, ERR_FAIL, "out of host memory");
        return NULL;
    }
    p->kernel = *k;
    p->layout = get_layout(ctx, k, e);
    if (!p->layout || build_pipeline(ctx, p, blob, e)) {
        free(p);
        return NULL;
    }
    p->next = ctx->pipes;
    ctx->pipes = p;
    return p;
}

VkPipeline vk_pipe_pipeline(const vk_pipe *p)
{
    return p->pipeline;
}
VkPipelineLayout vk_pipe_layout(const vk_pipe *p)
{
    return p->layout->pipeline_layout;
}
VkDescriptorSetLayout vk_pipe_set_layout(const vk_pipe *p)
{
    return p->layout->set_layout;
}

/* Frees the host records; the Vulkan objects too unless work that timed out may still use
 * them (vk_ctx.hung). */
void vk_pipe_release(vk_ctx *ctx)
{
    bool destroy = !ctx->hung;
    if (destroy)
        save_cache(ctx);
    while (ctx->pipes) {
        vk_pipe *p = ctx->pipes;
        ctx->pipes = p->next;
        if (destroy)
            vkDestroyPipeline(ctx->device, p->pipeline, NULL);
        free(p);
    }
    while (ctx->layouts) {
        vk_layout *l = ctx->layouts;
        ctx->layouts = l->next;
        if (destroy && l->pipeline_layout)
            vkDestroyPipelineLayout(ctx->device, l->pipeline_layout, NULL);
        if (destroy && l->set_layout)
            vkDestroyDescriptorSetLayout(ctx->device, l->set_layout, NULL);
        free(l);
    }
    if (destroy && ctx->pipeline_cache)
        vkDestroyPipelineCache(ctx->device, ctx->pipeline_cache, NULL);
    ctx->pipeline_cache = VK_NULL_HANDLE;
}
