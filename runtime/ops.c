/* ops.c - checking op nodes and recording them as dispatches (see ops.h). */
#include "runtime/ops.h"

#include "runtime/ops_int.h"

#include <inttypes.h>

enum { BINARY_WG = 256, QUANTIZE_WG = 64 };
enum { Q8_BLOCK_BYTES = 48 }; /* quantize_q8's output per 32 activations: three texels */

typedef struct mm_kernel {
    int type;
    const char *rows_shader;     /* OP_SHAPE_ROWS */
    const char *texel_shader;    /* OP_SHAPE_ROWS_TEXEL */
    const char *subgroup_shader; /* OP_SHAPE_SUBGROUP */
    uint32_t type_code;          /* specialization constant 2 of the shaders */
    bool texel_q8;               /* texel_shader reads B as quantize_q8's 8-bit blocks */
} mm_kernel;

/* Matmul kernels per weight type. Every shader here takes the same interface: bindings
 * A (raw bytes), B (f32), D (f32); push {M, N, K}; constants 0 workgroup size, 1 TN
 * (outputs per row), 2 type code, 3 rows per invocation (rows shapes) or per workgroup
 * (subgroup shape). The texel shaders bind A and B as texel buffers. Those of the quantized
 * types read B rounded to 8 bits (quantize_q8.comp): on CPU devices reading the floats
 * costs more than decoding the weights. */
static const mm_kernel mm_kernels[] = {
    {DT_F32, "mm_rows", "mm_rows_tex", "mm_sg", 0, false},
    {DT_F16, "mm_rows", "mm_rows_tex", "mm_sg", 1, false},
    {DT_BF16, "mm_rows", "mm_rows_tex", "mm_sg", 2, false},
    {DT_Q4_0, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q4_0, true},
    {DT_Q4_1, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q4_1, true},
    {DT_Q5_0, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q5_0, true},
    {DT_Q5_1, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q5_1, true},
    {DT_Q8_0, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q8_0, true},
    {DT_Q4_K, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q4_K, true},
    {DT_Q5_K, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q5_K, true},
    {DT_Q6_K, "mmq_rows", "mmq_rows_tex", "mmq_sg", DT_Q6_K, true},
};

const char *op_name(op_kind kind)
{
    switch (kind) {
    case OP_ADD: return "add";
    case OP_MUL: return "mul";
    case OP_SUM_ROWS: return "sum_rows";
    case OP_MAX_ROWS: return "max_rows";
    case OP_SOFTMAX_ROWS: return "softmax_rows";
    case OP_LOG_SOFTMAX: return "log_softmax";
    case OP_ARGMAX: return "argmax";
    case OP_MATMUL: return "matmul";
    case OP_GET_ROWS: return "get_rows";
    case OP_SET_ROWS: return "set_rows";
    case OP_RMS_NORM: return "rms_norm";
    case OP_LAYER_NORM: return "layer_norm";
    case OP_ROPE: return "rope";
    case OP_SILU: return "silu";
    case OP_GELU: return "gelu";
    case OP_QUICK_GELU: return "quick_gelu";
    case OP_ATTENTION: return "attention";
    }
    return "?";
}

const char *op_shape_name(op_shape shape)
{
    switch (shape) {
    case OP_SHAPE_AUTO: return "auto";
    case OP_SHAPE_ROWS: return "rows";
    case OP_SHAPE_ROWS_TEXEL: return "rows_texel";
    case OP_SHAPE_SUBGROUP: return "subgroup";
    }
    return "?";
}

/* The binding covers whole units: the matmul shaders read their inputs 16 bytes at a time.
 * vk_buf_alloc's sizes are whole units, so a tensor of its own always has them. */
VkDeviceSize op_bound_bytes(const tensor *t)
{
    return vk_mem_whole_units(tensor_bytes(t));
}

int op_check_tensor(const tensor *t, const char *role, const char *label, int type, errmsg *e)
{
    if (!t || !t->buf)
        return err_set(e, ERR_FAIL, "%s: no %s tensor", label, role);
    for (int i = 0; i < 4; i++)
        if (t->ne[i] < 1 || t->ne[i] > UINT32_MAX)
            return err_set(e, ERR_FAIL, "%s: %s axis %d has %" PRId64 " elements", label, role, i,
                           t->ne[i]);
    if (type >= 0 && (int)t->type != type)
        return err_set(e, ERR_FAIL, "%s: %s is %s, expected %s", label, role,
                       dtype_name(t->type) ? dtype_name(t->type) : "an unknown type",
                       dtype_name(type));
    size_t bytes = tensor_bytes(t);
    if (bytes == 0 || tensor_elements(t) > UINT32_MAX)
        return err_set(e, ERR_FAIL, "%s: %s has a bad shape for its type", label, role);
    if (t->offset > t->buf->size || op_bound_bytes(t) > t->buf->size - t->offset)
        return err_set(e, ERR_FAIL,
                       "%s: %s (%zu bytes at %" PRIu64 ", read in 16-byte units) "
                       "overruns its buffer",
                       label, role, bytes, (uint64_t)t->offset);
    return 0;
}

vk_arg op_arg(const tensor *t, bool writes)
{
    return (vk_arg){t->buf, t->offset, op_bound_bytes(t), writes};
}

/* Spreads `groups` workgroups over x and y within the 65535 every device allows. */
void op_spread(uint64_t groups, uint32_t grid[3])
{
    grid[0] = (uint32_t)(groups < 65535 ? groups : 65535);
    grid[1] = (uint32_t)((groups + grid[0] - 1) / grid[0]);
    grid[2] = 1;
}

bool op_is_cpu(const vk_ctx *ctx)
{
    return vk_caps_of(ctx)->type == VK_PHYSICAL_DEVICE_TYPE_CPU;
}

/* CPU devices run a workgroup per SIMD batch and barriers there are costly, so a row takes
 * one subgroup; GPUs want many lanes per long row. */
uint32_t op_row_workgroup(const vk_ctx *ctx)
{
    uint32_t sg = vk_caps_of(ctx)->subgroup_size;
    return op_is_cpu(ctx) ? (sg ? sg : 1) : 128;
}

static int record_binary(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *a = nd->src[0], *b = nd->src[1], *d = nd->dst;
    if (op_check_tensor(a, "src0", label, DT_F32, e) ||
        op_check_tensor(b, "src1", label, DT_F32, e) || op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    int64_t n = tensor_elements(a), nb = tensor_elements(b);
    if (tensor_elements(d) != n || n % nb)
        return err_set(e, ERR_FAIL,
                       "%s: %" PRId64 " elements with %" PRId64 " repeated into %" PRId64, label, n,
                       nb, tensor_elements(d));
    vk_kernel k = {"binary", 3, 12, 2, {BINARY_WG, nd->kind == OP_ADD ? 0 : 1}, 0};
    uint32_t grid[3];
    op_spread(((uint64_t)n + BINARY_WG - 1) / BINARY_WG, grid);
    uint32_t push[3] = {(uint32_t)n, (uint32_t)nb, grid[0] * BINARY_WG};
    vk_arg args[3] = {op_arg(a, false), op_arg(b, false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, push, grid, label, e);
}

static int record_reduce(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *a = nd->src[0], *d = nd->dst;
    bool argmax = nd->kind == OP_ARGMAX;
    if (op_check_tensor(a, "src0", label, DT_F32, e) ||
        op_check_tensor(d, "dst", label, argmax ? DT_I32 : DT_F32, e))
        return e->code;
    int64_t rows = tensor_rows(a), cols = a->ne[0];
    bool whole = nd->kind == OP_SOFTMAX_ROWS || nd->kind == OP_LOG_SOFTMAX;
    int64_t want = whole ? rows * cols : rows;
    if (tensor_elements(d) != want)
        return err_set(e, ERR_FAIL, "%s: dst has %" PRId64 " elements, expected %" PRId64, label,
                       tensor_elements(d), want);
    uint32_t wg = op_row_workgroup(vk_seq_ctx(s));
    uint32_t op = nd->kind == OP_SUM_ROWS       ? 0
                  : nd->kind == OP_MAX_ROWS     ? 1
                  : nd->kind == OP_SOFTMAX_ROWS ? 2
                                                : 3;
    vk_kernel k = {
        argmax ? "argmax" : "reduce_rows", 2, argmax ? 12 : 16, argmax ? 1 : 2, {wg, op}, 0};
    uint32_t grid[3];
    op_spread((uint64_t)rows, grid);
    struct {
        uint32_t cols, rows, groups_x;
        float scale;
    } push = {(uint32_t)cols, (uint32_t)rows, grid[0], nd->scale};
    vk_arg args[2] = {op_arg(a, false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, &push, grid, label, e);
}

static const mm_kernel *find_mm(int type)
{
    for (size_t i = 0; i < sizeof mm_kernels / sizeof mm_kernels[0]; i++)
        if (mm_kernels[i].type == type)
            return &mm_kernels[i];
    return NULL;
}

/* CPU devices read texel buffers fastest, GPUs run one subgroup per row; the storage-buffer
 * rows shape is the fallback that every device and tensor size can use. */
op_shape op_matmul_shape(const vk_ctx *ctx, const op_node *nd)
{
    if (nd->shape != OP_SHAPE_AUTO)
        return nd->shape;
    const vk_caps *c = vk_caps_of(ctx);
    if (!op_is_cpu(ctx) && c->subgroup_arithmetic)
        return OP_SHAPE_SUBGROUP;
    /* Weights too large for one texel binding are taken in slices; the activations must fit. */
    vk_arg b = op_arg(nd->src[1], false);
    return vk_seq_fits_texels(ctx, &b) ? OP_SHAPE_ROWS_TEXEL : OP_SHAPE_ROWS;
}

static int check_matmul(const op_node *nd, const char *label, errmsg *e)
{
    const tensor *a = nd->src[0], *b = nd->src[1], *d = nd->dst;
    if (op_check_tensor(a, "weights", label, -1, e) ||
        op_check_tensor(b, "src1", label, DT_F32, e) || op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    if (!find_mm(a->type))
        return err_set(e, ERR_FAIL, "%s: no matmul kernel for %s weights", label,
                       dtype_name(a->type) ? dtype_name(a->type) : "unknown");
    if (a->ne[2] != 1 || a->ne[3] != 1 || b->ne[0] != a->ne[0] || d->ne[0] != a->ne[1] ||
        tensor_rows(d) != tensor_rows(b))
        return err_set(e, ERR_FAIL,
                       "%s: shapes [%" PRId64 ",%" PRId64 "] x [%" PRId64 ",%" PRId64
                       "] -> [%" PRId64 ",%" PRId64 "] do not match",
                       label, a->ne[0], a->ne[1], b->ne[0], tensor_rows(b), d->ne[0],
                       tensor_rows(d));
    return 0;
}

/* Records quantize_q8 of the activations b into a scratch buffer of s and points *arg at
 * it. */
static int record_quantize_b(vk_seq *s, const tensor *b, vk_arg *arg, const char *label, errmsg *e)
{
    uint64_t blocks = (uint64_t)tensor_elements(b) / 32, bytes = blocks * Q8_BLOCK_BYTES;
    const vk_buf *q = vk_seq_scratch(s, bytes, e);
    if (!q)
        return e->code;
    vk_kernel k = {"quantize_q8", 2, 8, 1, {QUANTIZE_WG}, 1u};
    uint32_t grid[3];
    op_spread((blocks + QUANTIZE_WG - 1) / QUANTIZE_WG, grid);
    uint32_t push[2] = {(uint32_t)blocks, grid[0]};
    vk_arg args[2] = {op_arg(b, false), {q, 0, bytes, true}};
    *arg = (vk_arg){q, 0, bytes, false};
    return vk_seq_dispatch(s, &k, args, push, grid, label, e);
}

/* The kernel, its grid for M weight rows, and the rows each workgroup covers. */
static vk_kernel matmul_kernel(vk_ctx *ctx, const mm_kernel *mk, op_shape shape, uint32_t M,
                               uint32_t N, uint32_t grid[3])
{
    const vk_caps *caps = vk_caps_of(ctx);
    uint32_t tn = N == 1 ? 1 : op_is_cpu(ctx) ? 8 : 4;
    grid[1] = (N + tn - 1) / tn;
    grid[2] = 1;
    if (shape == OP_SHAPE_SUBGROUP) {
        uint32_t sg = caps->subgroup_size ? caps->subgroup_size : 32;
        uint32_t wg = sg < 64 ? 64 : sg, rows = wg / sg;
        grid[0] = (M + rows - 1) / rows;
        return (vk_kernel){mk->subgroup_shader, 3, 16, 4, {wg, tn, mk->type_code, rows}, 0};
    }
    /* The storage-buffer rows shape is the fallback for tensors the texel limits refuse. Its
     * loads unroll into far more code, so it takes a 1 x 1 tile: its pipelines then build in
     * about a second on lavapipe instead of half a minute. */
    bool texel = shape == OP_SHAPE_ROWS_TEXEL;
    uint32_t tm = !texel ? 1 : N == 1 ? 3 : 4; /* measured best on lavapipe (bench_runtime) */
    if (!texel) {
        tn = 1;
        grid[1] = N;
    }
    grid[0] = (M + 32 * tm - 1) / (32 * tm);
    return (vk_kernel){texel ? mk->texel_shader : mk->rows_shader,
                       3,
                       16,
                       4,
                       {32, tn, mk->type_code, tm},
                       texel ? 3u : 0u};
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

uint64_t op_rows_per_binding(const vk_ctx *ctx, bool texel, uint64_t row_bytes, uint64_t rows)
{
    const vk_caps *c = vk_caps_of(ctx);
    uint64_t limit = texel ? c->max_texel_elements * 16 : c->max_storage_range;
    uint64_t align = texel ? c->min_texel_offset_align : c->min_storage_offset_align;
    if (rows * row_bytes + VK_MEM_UNIT <= limit)
        return rows;
    /* Slices start at multiples of `step` rows so every slice's offset is aligned, and of
     * 64 rows so the rows of f32 results that go with them are aligned too. */
    uint64_t step = (align ? align / gcd64(row_bytes, align) : 1) * 64;
    uint64_t fit = (limit - VK_MEM_UNIT) / row_bytes / step * step;
    return fit ? fit : 0;
}

static int record_matmul(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    if (check_matmul(nd, label, e))
        return e->code;
    const tensor *a = nd->src[0], *b = nd->src[1], *d = nd->dst;
    vk_ctx *ctx = vk_seq_ctx(s);
    const mm_kernel *mk = find_mm(a->type);
    op_shape shape = op_matmul_shape(ctx, nd);
    if (shape == OP_SHAPE_SUBGROUP && !vk_caps_of(ctx)->subgroup_arithmetic)
        return err_set(e, ERR_FAIL, "%s: this device has no subgroup arithmetic", label);
    uint32_t M = (uint32_t)a->ne[1], N = (uint32_t)tensor_rows(b), K = (uint32_t)a->ne[0];
    vk_arg args[3] = {op_arg(a, false), op_arg(b, false), op_arg(d, true)};
    if (shape == OP_SHAPE_ROWS_TEXEL && mk->texel_q8 && record_quantize_b(s, b, &args[1], label, e))
        return e->code;
    uint64_t row_bytes = dtype_row_bytes(a->type, K);
    uint64_t slice = op_rows_per_binding(ctx, shape == OP_SHAPE_ROWS_TEXEL, row_bytes, M);
    if (slice == 0)
        return err_set(e, ERR_FAIL,
                       "%s: one weight row (%" PRIu64 " bytes) is more than a "
                       "binding of this device can see",
                       label, row_bytes);
    /* Weights larger than one binding are multiplied a slice of rows at a time, each slice
     * writing its columns of D (whose rows stay M long). */
    for (uint64_t m0 = 0; m0 < M; m0 += slice) {
        uint32_t rows = (uint32_t)(M - m0 < slice ? M - m0 : slice), grid[3];
        vk_kernel k = matmul_kernel(ctx, mk, shape, rows, N, grid);
        uint32_t push[4] = {rows, N, K, M};
        args[0] = (vk_arg){a->buf, a->offset + m0 * row_bytes, vk_mem_whole_units(rows * row_bytes),
                           false};
        args[2] = (vk_arg){d->buf, d->offset + m0 * 4, op_bound_bytes(d) - m0 * 4, true};
        if (vk_seq_dispatch(s, &k, args, push, grid, label, e))
            return e->code;
    }
    return 0;
}

int op_record(vk_seq *s, const op_node *nd, errmsg *e)
{
    const char *label = nd->label ? nd->label : op_name(nd->kind);
    switch (nd->kind) {
    case OP_ADD:
    case OP_MUL: return record_binary(s, nd, label, e);
    case OP_SUM_ROWS:
    case OP_MAX_ROWS:
    case OP_SOFTMAX_ROWS:
    case OP_LOG_SOFTMAX:
    case OP_ARGMAX: return record_reduce(s, nd, label, e);
    case OP_MATMUL: return record_matmul(s, nd, label, e);
    default: return op_record_nn(s, nd, label, e);
    }
}

int op_run(vk_ctx *ctx, const op_node *nodes, int n, errmsg *e)
{
    vk_seq *s = vk_seq_begin(ctx, false, e);
    if (!s)
        return e->code;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = op_record(s, &nodes[i], e);
    if (!rc)
        rc = vk_seq_run(s, e);
    vk_seq_free(s);
    return rc;
}
