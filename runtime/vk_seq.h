/* vk_seq.h - recording many dispatches into one command buffer and running it.
 *
 *     vk_seq *s = vk_seq_begin(ctx, true, &e);            // true: time every dispatch
 *     vk_arg args[] = {{&a, 0, 0, false}, {&b, 0, 0, false}, {&c, 0, 0, true}};
 *     vk_seq_dispatch(s, &kernel, args, &push, (uint32_t[3]){groups, 1, 1}, "add", &e);
 *     ... more dispatches ...
 *     vk_seq_run(s, &e);                                  // submit, wait for the fence
 *     double ns = vk_seq_time_ns(s, 0);
 *     vk_seq_free(s);
 *
 * Barriers are derived from the arguments: a dispatch that reads or writes a range an
 * earlier dispatch wrote (or writes a range one read) waits for it; independent dispatches
 * run back to back. Every argument declares whether the kernel writes it. A recorded
 * sequence may be run again (benchmarks do). Waits time out after $VKEVE_GPU_TIMEOUT seconds
 * (default 600) with an error instead of hanging.
 */
#ifndef VKEVE_VK_SEQ_H
#define VKEVE_VK_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/vk_mem.h"
#include "runtime/vk_pipe.h"

typedef struct vk_arg {
    const vk_buf *buf;
    VkDeviceSize offset; /* bytes from the start of buf */
    VkDeviceSize size;   /* bytes; 0 means to the end of buf */
    bool writes;
} vk_arg;

typedef struct vk_seq vk_seq;

vk_seq *vk_seq_begin(vk_ctx *ctx, bool timed, errmsg *e);
/* Records one dispatch of k with its buffers (k->n_buffers of them) and push constants
 * (k->push_bytes). label names it in timings and errors. */
int vk_seq_dispatch(vk_seq *s, const vk_kernel *k, const vk_arg *args, const void *push,
                    const uint32_t groups[3], const char *label, errmsg *e);
int vk_seq_run(vk_seq *s, errmsg *e);
void vk_seq_free(vk_seq *s);

/* Whether a can be bound as a texel buffer on this device (offset alignment and range, the
 * checks vk_seq_dispatch makes), so callers can choose a kernel that binds it so. */
bool vk_seq_fits_texels(const vk_ctx *ctx, const vk_arg *a);

/* A device buffer of size bytes that lives as long as the sequence, for what one dispatch
 * writes and a later one of the same sequence reads (ops' converted activations). */
const vk_buf *vk_seq_scratch(vk_seq *s, VkDeviceSize size, errmsg *e);

vk_ctx *vk_seq_ctx(const vk_seq *s);
int vk_seq_count(const vk_seq *s);
const char *vk_seq_label(const vk_seq *s, int i);
/* GPU time of dispatch i in the last run, in ns; negative when not timed. */
double vk_seq_time_ns(const vk_seq *s, int i);

#endif
