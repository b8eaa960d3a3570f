/* ops_int.h - what the op recorders share (ops.c, ops_nn.c); nothing else includes it. */
#ifndef VKEVE_OPS_INT_H
#define VKEVE_OPS_INT_H

#include "runtime/ops.h"

/* Bytes a binding of t covers: whole 16-byte units, as the shaders read. */
VkDeviceSize op_bound_bytes(const tensor *t);
/* Checks t exists, has a valid shape, the given type (type < 0: any) and lies inside its
 * buffer; role and label name it in the message. */
int op_check_tensor(const tensor *t, const char *role, const char *label, int type, errmsg *e);
/* The binding of all of t. */
vk_arg op_arg(const tensor *t, bool writes);
/* Spreads `groups` workgroups over x and y within the 65535 every device allows. */
void op_spread(uint64_t groups, uint32_t grid[3]);
bool op_is_cpu(const vk_ctx *ctx);
/* Workgroup size of the kernels that give each row a workgroup (reductions, norms). */
uint32_t op_row_workgroup(const vk_ctx *ctx);
/* How many rows of row_bytes each one binding (texel or storage) can see at once: all of
 * them, or a multiple that keeps every slice's offset aligned; 0 if not even one fits. */
uint64_t op_rows_per_binding(const vk_ctx *ctx, bool texel, uint64_t row_bytes, uint64_t rows);

/* ops_nn.c: the transformer ops (OP_GET_ROWS .. OP_ATTENTION). */
int op_record_nn(vk_seq *s, const op_node *nd, const char *label, errmsg *e);

#endif
