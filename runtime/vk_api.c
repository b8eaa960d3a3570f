/* vk_api.c - loading the Vulkan loader and its entry points (see vk_api.h). */
#include "runtime/vk_api.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

PFN_vkCreateInstance vkCreateInstance;
PFN_vkEnumerateInstanceExtensionProperties vkEnumerateInstanceExtensionProperties;
PFN_vkEnumerateInstanceLayerProperties vkEnumerateInstanceLayerProperties;
PFN_vkEnumerateInstanceVersion vkEnumerateInstanceVersion;
PFN_vkDestroyInstance vkDestroyInstance;
PFN_vkEnumeratePhysicalDevices vkEnumeratePhysicalDevices;
PFN_vkGetPhysicalDeviceProperties vkGetPhysicalDeviceProperties;
PFN_vkGetPhysicalDeviceProperties2 vkGetPhysicalDeviceProperties2;
PFN_vkGetPhysicalDeviceFeatures2 vkGetPhysicalDeviceFeatures2;
PFN_vkGetPhysicalDeviceMemoryProperties vkGetPhysicalDeviceMemoryProperties;
PFN_vkGetPhysicalDeviceQueueFamilyProperties vkGetPhysicalDeviceQueueFamilyProperties;
PFN_vkEnumerateDeviceExtensionProperties vkEnumerateDeviceExtensionProperties;
PFN_vkCreateDevice vkCreateDevice;
PFN_vkCreateDebugUtilsMessengerEXT vkCreateDebugUtilsMessengerEXT;
PFN_vkDestroyDebugUtilsMessengerEXT vkDestroyDebugUtilsMessengerEXT;
PFN_vkDestroyDevice vkDestroyDevice;
PFN_vkGetDeviceQueue vkGetDeviceQueue;
PFN_vkDeviceWaitIdle vkDeviceWaitIdle;
PFN_vkAllocateMemory vkAllocateMemory;
PFN_vkFreeMemory vkFreeMemory;
PFN_vkMapMemory vkMapMemory;
PFN_vkUnmapMemory vkUnmapMemory;
PFN_vkCreateBuffer vkCreateBuffer;
PFN_vkCreateBufferView vkCreateBufferView;
PFN_vkDestroyBufferView vkDestroyBufferView;
PFN_vkDestroyBuffer vkDestroyBuffer;
PFN_vkGetBufferMemoryRequirements vkGetBufferMemoryRequirements;
PFN_vkBindBufferMemory vkBindBufferMemory;
PFN_vkCreateShaderModule vkCreateShaderModule;
PFN_vkDestroyShaderModule vkDestroyShaderModule;
PFN_vkCreateDescriptorSetLayout vkCreateDescriptorSetLayout;
PFN_vkDestroyDescriptorSetLayout vkDestroyDescriptorSetLayout;
PFN_vkCreatePipelineLayout vkCreatePipelineLayout;
PFN_vkDestroyPipelineLayout vkDestroyPipelineLayout;
PFN_vkCreateComputePipelines vkCreateComputePipelines;
PFN_vkDestroyPipeline vkDestroyPipeline;
PFN_vkCreatePipelineCache vkCreatePipelineCache;
PFN_vkDestroyPipelineCache vkDestroyPipelineCache;
PFN_vkGetPipelineCacheData vkGetPipelineCacheData;
PFN_vkCreateDescriptorPool vkCreateDescriptorPool;
PFN_vkDestroyDescriptorPool vkDestroyDescriptorPool;
PFN_vkResetDescriptorPool vkResetDescriptorPool;
PFN_vkAllocateDescriptorSets vkAllocateDescriptorSets;
PFN_vkUpdateDescriptorSets vkUpdateDescriptorSets;
PFN_vkCreateCommandPool vkCreateCommandPool;
PFN_vkDestroyCommandPool vkDestroyCommandPool;
PFN_vkAllocateCommandBuffers vkAllocateCommandBuffers;
PFN_vkFreeCommandBuffers vkFreeCommandBuffers;
PFN_vkBeginCommandBuffer vkBeginCommandBuffer;
PFN_vkEndCommandBuffer vkEndCommandBuffer;
PFN_vkResetCommandPool vkResetCommandPool;
PFN_vkCmdBindPipeline vkCmdBindPipeline;
PFN_vkCmdBindDescriptorSets vkCmdBindDescriptorSets;
PFN_vkCmdPushConstants vkCmdPushConstants;
PFN_vkCmdDispatch vkCmdDispatch;
PFN_vkCmdPipelineBarrier vkCmdPipelineBarrier;
PFN_vkCmdCopyBuffer vkCmdCopyBuffer;
PFN_vkCmdResetQueryPool vkCmdResetQueryPool;
PFN_vkCmdWriteTimestamp vkCmdWriteTimestamp;
PFN_vkCreateQueryPool vkCreateQueryPool;
PFN_vkDestroyQueryPool vkDestroyQueryPool;
PFN_vkGetQueryPoolResults vkGetQueryPoolResults;
PFN_vkCreateFence vkCreateFence;
PFN_vkDestroyFence vkDestroyFence;
PFN_vkResetFences vkResetFences;
PFN_vkWaitForFences vkWaitForFences;
PFN_vkQueueSubmit vkQueueSubmit;

typedef struct entry {
    const char *name;
    PFN_vkVoidFunction *slot;
    int optional; /* extension entry points may be absent */
} entry;

static PFN_vkGetInstanceProcAddr get_proc;

static const entry global_entries[] = {
    {"vkCreateInstance", (PFN_vkVoidFunction *)&vkCreateInstance, 0},
    {"vkEnumerateInstanceExtensionProperties",
     (PFN_vkVoidFunction *)&vkEnumerateInstanceExtensionProperties, 0},
    {"vkEnumerateInstanceLayerProperties",
     (PFN_vkVoidFunction *)&vkEnumerateInstanceLayerProperties, 0},
    {"vkEnumerateInstanceVersion", (PFN_vkVoidFunction *)&vkEnumerateInstanceVersion, 1},
};
static const entry instance_entries[] = {
    {"vkDestroyInstance", (PFN_vkVoidFunction *)&vkDestroyInstance, 0},
    {"vkEnumeratePhysicalDevices", (PFN_vkVoidFunction *)&vkEnumeratePhysicalDevices, 0},
    {"vkGetPhysicalDeviceProperties", (PFN_vkVoidFunction *)&vkGetPhysicalDeviceProperties, 0},
    {"vkGetPhysicalDeviceProperties2", (PFN_vkVoidFunction *)&vkGetPhysicalDeviceProperties2, 0},
    {"vkGetPhysicalDeviceFeatures2", (PFN_vkVoidFunction *)&vkGetPhysicalDeviceFeatures2, 0},
    {"vkGetPhysicalDeviceMemoryProperties",
     (PFN_vkVoidFunction *)&vkGetPhysicalDeviceMemoryProperties, 0},
    {"vkGetPhysicalDeviceQueueFamilyProperties",
     (PFN_vkVoidFunction *)&vkGetPhysicalDeviceQueueFamilyProperties, 0},
    {"vkEnumerateDeviceExtensionProperties",
     (PFN_vkVoidFunction *)&vkEnumerateDeviceExtensionProperties, 0},
    {"vkCreateDevice", (PFN_vkVoidFunction *)&vkCreateDevice, 0},
    {"vkCreateDebugUtilsMessengerEXT", (PFN_vkVoidFunction *)&vkCreateDebugUtilsMessengerEXT, 1},
    {"vkDestroyDebugUtilsMessengerEXT", (PFN_vkVoidFunction *)&vkDestroyDebugUtilsMessengerEXT, 1},
    {"vkDestroyDevice", (PFN_vkVoidFunction *)&vkDestroyDevice, 0},
    {"vkGetDeviceQueue", (PFN_vkVoidFunction *)&vkGetDeviceQueue, 0},
    {"vkDeviceWaitIdle", (PFN_vkVoidFunction *)&vkDeviceWaitIdle, 0},
    {"vkAllocateMemory", (PFN_vkVoidFunction *)&vkAllocateMemory, 0},
    {"vkFreeMemory", (PFN_vkVoidFunction *)&vkFreeMemory, 0},
    {"vkMapMemory", (PFN_vkVoidFunction *)&vkMapMemory, 0},
    {"vkUnmapMemory", (PFN_vkVoidFunction *)&vkUnmapMemory, 0},
    {"vkCreateBuffer", (PFN_vkVoidFunction *)&vkCreateBuffer, 0},
    {"vkCreateBufferView", (PFN_vkVoidFunction *)&vkCreateBufferView, 0},
    {"vkDestroyBufferView", (PFN_vkVoidFunction *)&vkDestroyBufferView, 0},
    {"vkDestroyBuffer", (PFN_vkVoidFunction *)&vkDestroyBuffer, 0},
    {"vkGetBufferMemoryRequirements", (PFN_vkVoidFunction *)&vkGetBufferMemoryRequirements, 0},
    {"vkBindBufferMemory", (PFN_vkVoidFunction *)&vkBindBufferMemory, 0},
    {"vkCreateShaderModule", (PFN_vkVoidFunction *)&vkCreateShaderModule, 0},
    {"vkDestroyShaderModule", (PFN_vkVoidFunction *)&vkDestroyShaderModule, 0},
    {"vkCreateDescriptorSetLayout", (PFN_vkVoidFunction *)&vkCreateDescriptorSetLayout, 0},
    {"vkDestroyDescriptorSetLayout", (PFN_vkVoidFunction *)&vkDestroyDescriptorSetLayout, 0},
    {"vkCreatePipelineLayout", (PFN_vkVoidFunction *)&vkCreatePipelineLayout, 0},
    {"vkDestroyPipelineLayout", (PFN_vkVoidFunction *)&vkDestroyPipelineLayout, 0},
    {"vkCreateComputePipelines", (PFN_vkVoidFunction *)&vkCreateComputePipelines, 0},
    {"vkDestroyPipeline", (PFN_vkVoidFunction *)&vkDestroyPipeline, 0},
    {"vkCreatePipelineCache", (PFN_vkVoidFunction *)&vkCreatePipelineCache, 0},
    {"vkDestroyPipelineCache", (PFN_vkVoidFunction *)&vkDestroyPipelineCache, 0},
    {"vkGetPipelineCacheData", (PFN_vkVoidFunction *)&vkGetPipelineCacheData, 0},
    {"vkCreateDescriptorPool", (PFN_vkVoidFunction *)&vkCreateDescriptorPool, 0},
    {"vkDestroyDescriptorPool", (PFN_vkVoidFunction *)&vkDestroyDescriptorPool, 0},
    {"vkResetDescriptorPool", (PFN_vkVoidFunction *)&vkResetDescriptorPool, 0},
    {"vkAllocateDescriptorSets", (PFN_vkVoidFunction *)&vkAllocateDescriptorSets, 0},
    {"vkUpdateDescriptorSets", (PFN_vkVoidFunction *)&vkUpdateDescriptorSets, 0},
    {"vkCreateCommandPool", (PFN_vkVoidFunction *)&vkCreateCommandPool, 0},
    {"vkDestroyCommandPool", (PFN_vkVoidFunction *)&vkDestroyCommandPool, 0},
    {"vkAllocateCommandBuffers", (PFN_vkVoidFunction *)&vkAllocateCommandBuffers, 0},
    {"vkFreeCommandBuffers", (PFN_vkVoidFunction *)&vkFreeCommandBuffers, 0},
    {"vkBeginCommandBuffer", (PFN_vkVoidFunction *)&vkBeginCommandBuffer, 0},
    {"vkEndCommandBuffer", (PFN_vkVoidFunction *)&vkEndCommandBuffer, 0},
    {"vkResetCommandPool", (PFN_vkVoidFunction *)&vkResetCommandPool, 0},
    {"vkCmdBindPipeline", (PFN_vkVoidFunction *)&vkCmdBindPipeline, 0},
    {"vkCmdBindDescriptorSets", (PFN_vkVoidFunction *)&vkCmdBindDescriptorSets, 0},
    {"vkCmdPushConstants", (PFN_vkVoidFunction *)&vkCmdPushConstants, 0},
    {"vkCmdDispatch", (PFN_vkVoidFunction *)&vkCmdDispatch, 0},
    {"vkCmdPipelineBarrier", (PFN_vkVoidFunction *)&vkCmdPipelineBarrier, 0},
    {"vkCmdCopyBuffer", (PFN_vkVoidFunction *)&vkCmdCopyBuffer, 0},
    {"vkCmdResetQueryPool", (PFN_vkVoidFunction *)&vkCmdResetQueryPool, 0},
    {"vkCmdWriteTimestamp", (PFN_vkVoidFunction *)&vkCmdWriteTimestamp, 0},
    {"vkCreateQueryPool", (PFN_vkVoidFunction *)&vkCreateQueryPool, 0},
    {"vkDestroyQueryPool", (PFN_vkVoidFunction *)&vkDestroyQueryPool, 0},
    {"vkGetQueryPoolResults", (PFN_vkVoidFunction *)&vkGetQueryPoolResults, 0},
    {"vkCreateFence", (PFN_vkVoidFunction *)&vkCreateFence, 0},
    {"vkDestroyFence", (PFN_vkVoidFunction *)&vkDestroyFence, 0},
    {"vkResetFences", (PFN_vkVoidFunction *)&vkResetFences, 0},
    {"vkWaitForFences", (PFN_vkVoidFunction *)&vkWaitForFences, 0},
    {"vkQueueSubmit", (PFN_vkVoidFunction *)&vkQueueSubmit, 0},
};

static int load_entries(VkInstance instance, const entry *list, size_t n, errmsg *e)
{
    for (size_t i = 0; i < n; i++) {
        *list[i].slot = get_proc(instance, list[i].name);
        if (!*list[i].slot && !list[i].optional)
            return err_set(e, ERR_ENV, "the Vulkan loader has no entry point %s", list[i].name);
    }
    return 0;
}

int vk_api_load(errmsg *e)
{
    if (get_proc)
        return 0;
    const char *path = getenv("VKEVE_VULKAN_LOADER");
    void *lib = dlopen(path && *path ? path : "libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib && !(path && *path))
        lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return err_set(e, ERR_ENV,
                       "no Vulkan loader (%s) on this machine; install it, e.g. "
                       "apt-get install libvulkan1 mesa-vulkan-drivers",
                       path && *path ? path : "libvulkan.so.1");
    /* dlsym returns void *; POSIX guarantees the conversion to a function pointer works. */
    *(void **)&get_proc = dlsym(lib, "vkGetInstanceProcAddr");
    if (!get_proc)
        return err_set(e, ERR_ENV, "libvulkan.so.1 has no vkGetInstanceProcAddr");
    return load_entries(VK_NULL_HANDLE, global_entries,
                        sizeof global_entries / sizeof global_entries[0], e);
}

int vk_api_load_instance(VkInstance instance, errmsg *e)
{
    return load_entries(instance, instance_entries,
                        sizeof instance_entries / sizeof instance_entries[0], e);
}
