/* vk.h - the Vulkan compute context: one instance, one logical device with one compute
 * queue, what that device can do (probed once at start), and the count of validation
 * messages the tests assert to be zero.
 *
 *     errmsg e;
 *     vk_ctx *ctx = vk_open(-1, &e);   // -1: $VKEVE_DEVICE, else the best device
 *     if (!ctx) { fprintf(stderr, "%s\n", e.text); return e.code; }
 *     printf("%s\n", vk_caps_of(ctx)->name);
 *     vk_close(ctx);
 *
 * Device choice: discrete GPU > integrated GPU > virtual GPU > CPU (lavapipe), ties broken by
 * enumeration order. Vulkan 1.2 with no optional feature is the floor; optional features found
 * are enabled and reported in vk_caps so kernels can pick faster paths.
 * Memory lives in vk_mem.h, pipelines in vk_pipe.h, recording and submitting in vk_seq.h.
 */
#ifndef VKEVE_VK_H
#define VKEVE_VK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "runtime/vk_api.h"

typedef struct vk_caps {
    int index; /* position in vkEnumeratePhysicalDevices */
    char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
    const char *type_name; /* "discrete", "integrated", "virtual", "cpu", "other" */
    VkPhysicalDeviceType type;
    uint32_t api_version, driver_version, vendor_id, device_id;
    char driver_name[VK_MAX_DRIVER_NAME_SIZE];

    uint32_t subgroup_size;
    bool subgroup_arithmetic; /* subgroupAdd etc. in compute shaders */
    uint32_t max_shared_memory;
    uint32_t max_workgroup_invocations;
    uint32_t max_workgroup_size[3];
    uint32_t max_workgroup_count[3];
    uint32_t max_push_constants;
    uint64_t max_storage_range; /* largest range one storage-buffer descriptor can see */
    uint64_t max_allocation;
    uint64_t min_storage_offset_align;
    uint64_t max_texel_elements; /* texels one texel-buffer view can see */
    uint64_t min_texel_offset_align;

    bool fp16_arithmetic, int8_arithmetic, int64;
    bool storage_8bit, storage_16bit;
    bool integer_dot_product, cooperative_matrix;

    uint64_t device_local_bytes; /* size of the largest device-local heap */
    bool unified_memory;         /* a device-local type is also host-visible + coherent */
    bool timestamps;
    float timestamp_period_ns;
} vk_caps;

typedef struct vk_ctx vk_ctx;

/* Probes every device into a malloc'd array (free() it); *count may be 0. Fails only when
 * the loader or the instance is missing (ERR_ENV). */
int vk_list_devices(vk_caps **out, int *count, errmsg *e);

/* Opens device `index`, or with index < 0 the one named by $VKEVE_DEVICE, else the best.
 * NULL with ERR_ENV when there is no loader, no device, or the index is out of range. */
vk_ctx *vk_open(int index, errmsg *e);
void vk_close(vk_ctx *ctx);

const vk_caps *vk_caps_of(const vk_ctx *ctx);
/* Validation-layer warnings and errors seen since vk_open (0 when the layer is not loaded). */
uint32_t vk_validation_messages(const vk_ctx *ctx);
/* Whether VK_LAYER_KHRONOS_validation is active (requested through VK_INSTANCE_LAYERS). */
bool vk_validation_enabled(const vk_ctx *ctx);

/* Turns a failed VkResult into an errmsg: device loss and missing drivers are ERR_ENV,
 * everything else ERR_FAIL. `what` names the call ("vkQueueSubmit"). */
int vk_check(VkResult r, const char *what, errmsg *e);

#endif
