/* vk.c - instance, device choice, capability probing and validation-message counting. */
#define _GNU_SOURCE /* dl_iterate_phdr, RTLD_NODELETE */
#include "runtime/vk_internal.h"

#include <dlfcn.h>
#include <link.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vk_check(VkResult r, const char *what, errmsg *e)
{
    if (r == VK_SUCCESS)
        return 0;
    switch (r) {
    case VK_ERROR_DEVICE_LOST:
        return err_set(e, ERR_ENV, "%s: the Vulkan device was lost (driver reset or crash)", what);
    case VK_ERROR_INCOMPATIBLE_DRIVER:
        return err_set(e, ERR_ENV,
                       "%s: no Vulkan 1.2 driver found (install a GPU driver, or "
                       "mesa-vulkan-drivers for the CPU device lavapipe)",
                       what);
    case VK_ERROR_INITIALIZATION_FAILED:
        return err_set(e, ERR_ENV, "%s: the Vulkan driver failed to initialise", what);
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return err_set(e, ERR_FAIL, "%s: out of device memory", what);
    case VK_ERROR_OUT_OF_HOST_MEMORY: return err_set(e, ERR_FAIL, "%s: out of host memory", what);
    case VK_TIMEOUT: return err_set(e, ERR_FAIL, "%s: timed out", what);
    default: return err_set(e, ERR_FAIL, "%s failed (VkResult %d)", what, (int)r);
    }
}

static VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT type,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
    vk_ctx *ctx = user;
    if (!(type & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT))
        return VK_FALSE;
    ctx->validation_messages++;
    fprintf(stderr, "vulkan validation %s: %s\n",
            severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning",
            data->pMessage);
    return VK_FALSE;
}

static bool has_instance_extension(const char *name)
{
    uint32_t n = 0;
    vkEnumerateInstanceExtensionProperties(NULL, &n, NULL);
    VkExtensionProperties *ext = calloc(n ? n : 1, sizeof *ext);
    bool found = false;
    if (ext && vkEnumerateInstanceExtensionProperties(NULL, &n, ext) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(ext[i].extensionName, name) == 0;
    free(ext);
    return found;
}

/* The layer is loaded by the loader from VK_INSTANCE_LAYERS; count its messages only when
 * it was asked for and is installed, so "0 messages" means something. */
static bool validation_requested(void)
{
    const char *layers = getenv("VK_INSTANCE_LAYERS");
    if (!layers || !strstr(layers, "VK_LAYER_KHRONOS_validation"))
        return false;
    uint32_t n = 0;
    vkEnumerateInstanceLayerProperties(&n, NULL);
    VkLayerProperties *props = calloc(n ? n : 1, sizeof *props);
    bool found = false;
    if (props && vkEnumerateInstanceLayerProperties(&n, props) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(props[i].layerName, "VK_LAYER_KHRONOS_validation") == 0;
    free(props);
    return found;
}

#if defined(__SANITIZE_ADDRESS__)
typedef struct lib_names {
    char name[8][512];
    int n;
} lib_names;

static int note_vulkan_library(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    lib_names *libs = data;
    const char *name = info->dlpi_name;
    if (libs->n < 8 && (strstr(name, "libvulkan_") || strstr(name, "VkLayer")))
        snprintf(libs->name[libs->n++], sizeof libs->name[0], "%s", name);
    return 0;
}

/* In sanitizer builds only: LeakSanitizer looks for pointers in library globals at exit, but
 * the loader unloads the driver and layers at vkDestroyInstance, and what they still hold
 * then looks leaked. Pinning them (RTLD_NODELETE) keeps them mapped for the leak check. */
static void pin_vulkan_libraries(void)
{
    lib_names libs = {.n = 0};
    dl_iterate_phdr(note_vulkan_library, &libs);
    for (int i = 0; i < libs.n; i++)
        dlopen(libs.name[i], RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}
#else
static void pin_vulkan_libraries(void)
{
}
#endif

/* Creates the instance and, when the validation layer is requested, a messenger counting
 * into ctx (which may be NULL when only listing devices). */
static int create_instance(vk_ctx *ctx, VkInstance *out, errmsg *e)
{
    if (vk_api_load(e))
        return e->code;
    uint32_t version = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion)
        vkEnumerateInstanceVersion(&version);
    if (version < VK_API_VERSION_1_2)
        return err_set(e, ERR_ENV, "the Vulkan loader supports only %u.%u; vkeve needs 1.2",
                       VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
    bool debug = ctx && validation_requested() && has_instance_extension("VK_EXT_debug_utils");
    const char *ext[] = {"VK_EXT_debug_utils"};
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "vkeve",
        .apiVersion = VK_API_VERSION_1_2,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
        .enabledExtensionCount = debug ? 1 : 0,
        .ppEnabledExtensionNames = ext,
    };
    if (vk_check(vkCreateInstance(&info, NULL, out), "vkCreateInstance", e))
        return e->code;
    pin_vulkan_libraries();
    if (vk_api_load_instance(*out, e)) {
        vkDestroyInstance(*out, NULL);
        return e->code;
    }
    if (!debug || !vkCreateDebugUtilsMessengerEXT)
        return 0;
    VkDebugUtilsMessengerCreateInfoEXT mi = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT,
        .pfnUserCallback = on_debug_message,
        .pUserData = ctx,
    };
    if (vk_check(vkCreateDebugUtilsMessengerEXT(*out, &mi, NULL, &ctx->messenger),
                 "vkCreateDebugUtilsMessengerEXT", e)) {
        vkDestroyInstance(*out, NULL);
        return e->code;
    }
    ctx->validation = true;
    return 0;
}

static bool has_device_extension(VkPhysicalDevice pd, const char *name)
{
    uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL);
    VkExtensionProperties *ext = calloc(n ? n : 1, sizeof *ext);
    bool found = false;
    if (ext && vkEnumerateDeviceExtensionProperties(pd, NULL, &n, ext) == VK_SUCCESS)
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(ext[i].extensionName, name) == 0;
    free(ext);
    return found;
}

static const char *type_name(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

static void probe_memory(VkPhysicalDevice pd, vk_caps *c)
{
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(pd, &mp);
    for (uint32_t h = 0; h < mp.memoryHeapCount; h++)
        if ((mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) &&
            mp.memoryHeaps[h].size > c->device_local_bytes)
            c->device_local_bytes = mp.memoryHeaps[h].size;
    const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT |
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    /* Only integrated and CPU devices count as unified: a discrete GPU's host-visible VRAM
     * (resizable BAR) is slow to read back and better used through staging copies. */
    bool shares_ram =
        c->type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU || c->type == VK_PHYSICAL_DEVICE_TYPE_CPU;
    for (uint32_t i = 0; i < mp.memoryTypeCount && shares_ram; i++)
        if ((mp.memoryTypes[i].propertyFlags & want) == want)
            c->unified_memory = true;
}

static void probe_features(VkPhysicalDevice pd, vk_caps *c)
{
    VkPhysicalDeviceVulkan12Features f12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features f11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, .pNext = &f12};
    VkPhysicalDeviceFeatures2 f = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                   .pNext = &f11};
    vkGetPhysicalDeviceFeatures2(pd, &f);
    c->fp16_arithmetic = f12.shaderFloat16;
    c->int8_arithmetic = f12.shaderInt8;
    c->storage_8bit = f12.storageBuffer8BitAccess;
    c->storage_16bit = f11.storageBuffer16BitAccess;
    c->int64 = f.features.shaderInt64;
    c->integer_dot_product = c->api_version >= VK_API_VERSION_1_3 ||
                             has_device_extension(pd, "VK_KHR_shader_integer_dot_product");
    c->cooperative_matrix = has_device_extension(pd, "VK_KHR_cooperative_matrix") ||
                            has_device_extension(pd, "VK_NV_cooperative_matrix");
}

static int compute_queue_family(VkPhysicalDevice pd, uint32_t *timestamp_bits)
{
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
    VkQueueFamilyProperties q[32];
    if (n > 32)
        n = 32;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
    for (uint32_t i = 0; i < n; i++)
        if (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
            *timestamp_bits = q[i].timestampValidBits;
            return (int)i;
        }
    return -1;
}

static void probe(VkPhysicalDevice pd, int index, vk_caps *c)
{
    VkPhysicalDeviceVulkan12Properties p12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES};
    VkPhysicalDeviceSubgroupProperties sg = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, .pNext = &p12};
    VkPhysicalDeviceProperties2 p = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                     .pNext = &sg};
    vkGetPhysicalDeviceProperties2(pd, &p);
    const VkPhysicalDeviceLimits *l = &p.properties.limits;
    memset(c, 0, sizeof *c);
    c->index = index;
    snprintf(c->name, sizeof c->name, "%s", p.properties.deviceName);
    snprintf(c->driver_name, sizeof c->driver_name, "%s", p12.driverName);
    c->type = p.properties.deviceType;
    c->type_name = type_name(c->type);
    c->api_version = p.properties.apiVersion;
    c->driver_version = p.properties.driverVersion;
    c->vendor_id = p.properties.vendorID;
    c->device_id = p.properties.deviceID;
    c->subgroup_size = sg.subgroupSize;
    c->subgroup_arithmetic = (sg.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                             (sg.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    c->max_shared_memory = l->maxComputeSharedMemorySize;
    c->max_workgroup_invocations = l->maxComputeWorkGroupInvocations;
    memcpy(c->max_workgroup_size, l->maxComputeWorkGroupSize, sizeof c->max_workgroup_size);
    memcpy(c->max_workgroup_count, l->maxComputeWorkGroupCount, sizeof c->max_workgroup_count);
    c->max_push_constants = l->maxPushConstantsSize;
    c->max_storage_range = l->maxStorageBufferRange;
    c->max_allocation = 1ull << 30; /* the Vulkan 1.1 guaranteed minimum; refined below */
    c->min_storage_offset_align = l->minStorageBufferOffsetAlignment;
    c->max_texel_elements = l->maxTexelBufferElements;
    c->min_texel_offset_align = l->minTexelBufferOffsetAlignment;
    VkPhysicalDeviceMaintenance3Properties m3 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                      .pNext = &m3};
    vkGetPhysicalDeviceProperties2(pd, &p2);
    if (m3.maxMemoryAllocationSize)
        c->max_allocation = m3.maxMemoryAllocationSize;
    uint32_t ts_bits = 0;
    compute_queue_family(pd, &ts_bits);
    c->timestamps = ts_bits > 0 && l->timestampPeriod > 0;
    c->timestamp_period_ns = l->timestampPeriod;
    probe_memory(pd, c);
    probe_features(pd, c);
}

static int type_rank(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
    }
}

/* Enumerates physical devices into a malloc'd array. */
static int enumerate(VkInstance inst, VkPhysicalDevice **out, uint32_t *n, errmsg *e)
{
    *n = 0;
    *out = NULL;
    if (vk_check(vkEnumeratePhysicalDevices(inst, n, NULL), "vkEnumeratePhysicalDevices", e))
        return e->code;
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out)
        return err_set(e, ERR_FAIL, "out of memory");
    VkResult r = vkEnumeratePhysicalDevices(inst, n, *out);
    if (r == VK_INCOMPLETE)
        r = VK_SUCCESS;
    return vk_check(r, "vkEnumeratePhysicalDevices", e);
}

int vk_list_devices(vk_caps **out, int *count, errmsg *e)
{
    VkInstance inst;
    *out = NULL;
    *count = 0;
    if (create_instance(NULL, &inst, e))
        return e->code;
    VkPhysicalDevice *pd;
    uint32_t n;
    if (enumerate(inst, &pd, &n, e) == 0) {
        *out = calloc(n ? n : 1, sizeof **out);
        if (!*out)
            err_set(e, ERR_FAIL, "out of memory");
        for (uint32_t i = 0; *out && i < n; i++)
            probe(pd[i], (int)i, &(*out)[i]);
        *count = *out ? (int)n : 0;
    }
    free(pd);
    vkDestroyInstance(inst, NULL);
    return *out ? 0 : e->code;
}

static int choose_device(int n, const vk_caps *caps, int index, errmsg *e)
{
    const char *env = getenv("VKEVE_DEVICE");
    if (index < 0 && env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end || v < 0)
            return err_set(e, ERR_ENV, "VKEVE_DEVICE='%s' is not a device number", env), -1;
        index = (int)v;
    }
    if (n == 0)
        return err_set(e, ERR_ENV,
                       "no Vulkan device found (install a GPU driver, or "
                       "mesa-vulkan-drivers for the CPU device lavapipe)"),
               -1;
    if (index >= n)
        return err_set(e, ERR_ENV, "device %d does not exist; there are %d (see vkeve info)", index,
                       n),
               -1;
    if (index >= 0)
        return index;
    int best = 0;
    for (int i = 1; i < n; i++)
        if (type_rank(caps[i].type) > type_rank(caps[best].type))
            best = i;
    return best;
}

static int create_device(vk_ctx *ctx, errmsg *e)
{
    const vk_caps *c = &ctx->caps;
    uint32_t ts_bits;
    int family = compute_queue_family(ctx->physical, &ts_bits);
    if (family < 0)
        return err_set(e, ERR_ENV, "device '%s' has no compute queue", c->name);
    ctx->queue_family = (uint32_t)family;
    /* Enable every optional feature the kernels may choose; all have portable fallbacks. */
    VkPhysicalDeviceVulkan12Features f12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        .shaderFloat16 = c->fp16_arithmetic,
        .shaderInt8 = c->int8_arithmetic,
        .storageBuffer8BitAccess = c->storage_8bit,
    };
    VkPhysicalDeviceVulkan11Features f11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = &f12,
        .storageBuffer16BitAccess = c->storage_16bit,
    };
    VkPhysicalDeviceFeatures2 f = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                   .pNext = &f11};
    f.features.shaderInt64 = c->int64;
    float priority = 1.0f;
    VkDeviceQueueCreateInfo q = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = ctx->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &f,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &q,
    };
    if (vk_check(vkCreateDevice(ctx->physical, &info, NULL, &ctx->device), "vkCreateDevice", e))
        return e->code;
    vkGetDeviceQueue(ctx->device, ctx->queue_family, 0, &ctx->queue);
    VkCommandPoolCreateInfo pool = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = ctx->queue_family,
    };
    return vk_check(vkCreateCommandPool(ctx->device, &pool, NULL, &ctx->command_pool),
                    "vkCreateCommandPool", e);
}

static int pick_physical(vk_ctx *ctx, int index, errmsg *e)
{
    VkPhysicalDevice *pd;
    uint32_t n;
    if (enumerate(ctx->instance, &pd, &n, e)) {
        free(pd);
        return e->code;
    }
    vk_caps *caps = calloc(n ? n : 1, sizeof *caps);
    if (!caps) {
        free(pd);
        return err_set(e, ERR_FAIL, "out of memory");
    }
    for (uint32_t i = 0; i < n; i++)
        probe(pd[i], (int)i, &caps[i]);
    int chosen = choose_device((int)n, caps, index, e);
    if (chosen >= 0) {
        ctx->physical = pd[chosen];
        ctx->caps = caps[chosen];
        if (ctx->caps.api_version < VK_API_VERSION_1_2)
            err_set(e, ERR_ENV, "device %d '%s' supports Vulkan %u.%u; vkeve needs 1.2", chosen,
                    ctx->caps.name, VK_API_VERSION_MAJOR(ctx->caps.api_version),
                    VK_API_VERSION_MINOR(ctx->caps.api_version)),
                chosen = -1;
    }
    free(caps);
    free(pd);
    return chosen < 0 ? e->code : 0;
}

vk_ctx *vk_open(int index, errmsg *e)
{
    vk_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        err_set(e, ERR_FAIL, "out of memory");
        return NULL;
    }
    if (create_instance(ctx, &ctx->instance, e)) {
        free(ctx);
        return NULL;
    }
    if (pick_physical(ctx, index, e) || create_device(ctx, e)) {
        vk_close(ctx);
        return NULL;
    }
    vkGetPhysicalDeviceMemoryProperties(ctx->physical, &ctx->memory);
    vk_mem_init(ctx);
    vk_pipe_init(ctx);
    return ctx;
}

void vk_close(vk_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->hung) { /* see vk_ctx.hung; the process is expected to exit */
        vk_pipe_release(ctx);
        vk_mem_release(ctx);
        free(ctx);
        return;
    }
    if (ctx->device) {
        vkDeviceWaitIdle(ctx->device);
        vk_pipe_release(ctx);
        vk_mem_release(ctx);
        if (ctx->command_pool)
            vkDestroyCommandPool(ctx->device, ctx->command_pool, NULL);
        vkDestroyDevice(ctx->device, NULL);
    }
    if (ctx->messenger)
        vkDestroyDebugUtilsMessengerEXT(ctx->instance, ctx->messenger, NULL);
    vkDestroyInstance(ctx->instance, NULL);
    free(ctx);
}

const vk_caps *vk_caps_of(const vk_ctx *ctx)
{
    return &ctx->caps;
}
uint32_t vk_validation_messages(const vk_ctx *ctx)
{
    return ctx->validation_messages;
}
bool vk_validation_enabled(const vk_ctx *ctx)
{
    return ctx->validation;
}
