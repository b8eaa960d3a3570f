/* vk_pipe.h - compute pipelines made from the embedded SPIR-V, created once and cached.
 *
 * A kernel is described as data: which shader, how many buffers it binds (bindings 0..n-1 of
 * set 0), the size of its push-constant block, and the values of its specialization
 * constants (constant_id 0..n_spec-1, each 32 bits). The same shader with other constants is
 * another pipeline, so one shader serves several shapes (e.g. a workgroup size for CPUs and
 * one for GPUs).
 *
 * A binding is a storage buffer unless its bit is set in `texels`: then it is a read-only
 * uniform texel buffer of R32G32B32A32_UINT texels (`uniform usamplerBuffer` in GLSL, read
 * with texelFetch, 16 bytes at a time). On CPU devices that is by far the faster way to read:
 * lavapipe turns a storage-buffer load with per-lane addresses into a loop over the lanes,
 * one 4-byte word at a time, but a texel fetch into unrolled 16-byte loads.
 *
 *     static const vk_kernel add = {"binary", 3, 8, 2, {64, 0}};
 *     vk_pipe *p = vk_pipe_get(ctx, &add, &e);
 *
 * Compiled pipelines persist across runs in $XDG_CACHE_HOME/vkeve (else ~/.cache/vkeve),
 * one file per device and driver version; VKEVE_NO_PIPELINE_CACHE=1 turns that off.
 */
#ifndef VKEVE_VK_PIPE_H
#define VKEVE_VK_PIPE_H

#include <stdint.h>

#include "runtime/vk.h"

enum { VK_MAX_BUFFERS = 8, VK_MAX_SPEC = 8 };

typedef struct vk_kernel {
    const char *shader;  /* shaders/<shader>.comp */
    uint32_t n_buffers;  /* buffers at bindings 0..n_buffers-1 */
    uint32_t push_bytes; /* push-constant block size, a multiple of 4, at most 128 */
    uint32_t n_spec;
    uint32_t spec[VK_MAX_SPEC];
    uint32_t texels; /* bit i: binding i is a texel buffer */
} vk_kernel;

typedef struct vk_pipe vk_pipe;

vk_pipe *vk_pipe_get(vk_ctx *ctx, const vk_kernel *k, errmsg *e);

/* The descriptor type of binding i of k. */
VkDescriptorType vk_binding_type(const vk_kernel *k, uint32_t i);

/* The handles vk_seq.c binds. */
VkPipeline vk_pipe_pipeline(const vk_pipe *p);
VkPipelineLayout vk_pipe_layout(const vk_pipe *p);
VkDescriptorSetLayout vk_pipe_set_layout(const vk_pipe *p);

#endif
