/* cmd_info.c - `vkeve info`: every Vulkan device and what it can do. */
#include "tools/commands.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/vk.h"

const char cmd_info_usage[] =
    "usage: vkeve info [--device N]\n\n"
    "Lists every Vulkan device with its probed features, and marks the one vkeve uses\n"
    "(discrete > integrated > virtual > CPU; --device N or VKEVE_DEVICE=N overrides).\n";

static const char *yes(bool b)
{
    return b ? "yes" : "no";
}

static void print_device(const vk_caps *c, bool chosen)
{
    printf("device %d%s: %s\n", c->index, chosen ? " (selected)" : "", c->name);
    printf("  type                 %s\n", c->type_name);
    printf("  vulkan               %u.%u.%u\n", VK_API_VERSION_MAJOR(c->api_version),
           VK_API_VERSION_MINOR(c->api_version), VK_API_VERSION_PATCH(c->api_version));
    printf("  driver               %s (0x%08x)\n", c->driver_name, c->driver_version);
    printf("  vendor:device        0x%04x:0x%04x\n", c->vendor_id, c->device_id);
    printf("  device-local memory  %" PRIu64 " MiB%s\n", c->device_local_bytes >> 20,
           c->unified_memory ? " (unified with the host)" : "");
    printf("  max allocation       %" PRIu64 " MiB\n", c->max_allocation >> 20);
    printf("  max storage range    %" PRIu64 " MiB\n", c->max_storage_range >> 20);
    printf("  max texel range      %" PRIu64 " MiB (16-byte texels)\n",
           c->max_texel_elements * 16 >> 20);
    printf("  subgroup size        %u (arithmetic: %s)\n", c->subgroup_size,
           yes(c->subgroup_arithmetic));
    printf("  shared memory        %u KiB\n", c->max_shared_memory >> 10);
    printf("  workgroup            %u invocations, size %u x %u x %u\n",
           c->max_workgroup_invocations, c->max_workgroup_size[0], c->max_workgroup_size[1],
           c->max_workgroup_size[2]);
    printf("  push constants       %u bytes\n", c->max_push_constants);
    printf("  fp16 arithmetic      %s\n", yes(c->fp16_arithmetic));
    printf("  int8 arithmetic      %s\n", yes(c->int8_arithmetic));
    printf("  8/16-bit storage     %s / %s\n", yes(c->storage_8bit), yes(c->storage_16bit));
    printf("  integer dot product  %s\n", yes(c->integer_dot_product));
    printf("  cooperative matrix   %s\n", yes(c->cooperative_matrix));
    printf("  timestamps           %s (%.3g ns per tick)\n", yes(c->timestamps),
           c->timestamp_period_ns);
}

int cmd_info(int argc, char **argv)
{
    long wanted = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
            if (cmd_parse_int(argv[++i], 0, 1000, &wanted))
                return cmd_usage_error("info", "--device needs a device number, got '%s'", argv[i]);
        } else {
            return cmd_usage_error("info", "unexpected argument '%s'", argv[i]);
        }
    }
    errmsg e = {0};
    vk_caps *caps;
    int n;
    if (vk_list_devices(&caps, &n, &e)) {
        fprintf(stderr, "vkeve info: %s\n", e.text);
        return e.code;
    }
    /* Opening the device shows which one vkeve would pick, and that it really opens. */
    vk_ctx *ctx = vk_open((int)wanted, &e);
    int chosen = ctx ? vk_caps_of(ctx)->index : -1;
    for (int i = 0; i < n; i++)
        print_device(&caps[i], i == chosen);
    free(caps);
    vk_close(ctx);
    if (!ctx) {
        fprintf(stderr, "vkeve info: %s\n", e.text);
        return e.code;
    }
    return 0;
}
