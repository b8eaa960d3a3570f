/* cmd_info.c - `vkeve info`: every Vulkan device and what it can do. */
#include "tools/commands.h"

#include <stdio.h>

const char cmd_info_usage[] =
    "usage: vkeve info\n\n"
    "Lists every Vulkan device with its probed features.\n";

int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("no Vulkan runtime yet\n");
    return 1;
}
