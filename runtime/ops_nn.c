/* ops_nn.c - recording the transformer ops of ops.h: gathering and scattering rows, norms,
 * rotary positions, activations and paged attention. Each checks its tensors, then records
 * one dispatch (a gather from a table larger than one binding records one per slice). */
#include <inttypes.h>
#include <math.h>

#include "runtime/ops_int.h"

enum { ITEM_WG = 64 };

/* The grid for n items of one invocation each, ITEM_WG per workgroup; returns the
 * invocations per grid row, which the kernels take to rebuild the item index. */
static uint32_t item_grid(uint64_t n, uint32_t grid[3])
{
    op_spread((n + ITEM_WG - 1) / ITEM_WG, grid);
    return grid[0] * ITEM_WG;
}

static int shape_error(const char *label, const char *what, errmsg *e)
{
    return err_set(e, ERR_FAIL, "%s: %s", label, what);
}

static int record_get_rows(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *t = nd->src[0], *ids = nd->src[1], *d = nd->dst;
    if (op_check_tensor(t, "table", label, -1, e) ||
        op_check_tensor(ids, "ids", label, DT_I32, e) ||
        op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    uint64_t cols = (uint64_t)t->ne[0], n = (uint64_t)tensor_elements(ids);
    if (!dtype_supported(t->type) || cols % 32)
        return shape_error(label, "the table must be of a computed type, rows a multiple of 32", e);
    if ((uint64_t)d->ne[0] != cols || (uint64_t)tensor_rows(d) != n)
        return shape_error(label, "dst must have one table-wide row per id", e);
    uint64_t rows = (uint64_t)tensor_rows(t), row_bytes = dtype_row_bytes(t->type, (int64_t)cols);
    uint64_t slice = op_rows_per_binding(vk_seq_ctx(s), false, row_bytes, rows);
    if (slice == 0)
        return shape_error(label, "one table row is more than a binding can see", e);
    vk_kernel k = {"get_rows", 3, 20, 2, {ITEM_WG, (uint32_t)t->type}, 0};
    uint32_t grid[3], stride = item_grid(n * (cols / 32), grid);
    for (uint64_t r0 = 0; r0 < rows; r0 += slice) {
        uint64_t count = rows - r0 < slice ? rows - r0 : slice;
        uint32_t push[5] = {(uint32_t)cols, (uint32_t)n, (uint32_t)count, (uint32_t)r0, stride};
        vk_arg args[3] = {
            {t->buf, t->offset + r0 * row_bytes, vk_mem_whole_units(count * row_bytes), false},
            op_arg(ids, false),
            op_arg(d, true)};
        if (vk_seq_dispatch(s, &k, args, push, grid, label, e))
            return e->code;
    }
    return 0;
}

static int record_set_rows(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *x = nd->src[0], *ids = nd->src[1], *d = nd->dst;
    if (op_check_tensor(x, "src0", label, DT_F32, e) ||
        op_check_tensor(ids, "ids", label, DT_I32, e) || op_check_tensor(d, "dst", label, -1, e))
        return e->code;
    uint64_t cols = (uint64_t)x->ne[0], n = (uint64_t)tensor_rows(x);
    if (d->type != DT_F16 && d->type != DT_F32)
        return shape_error(label, "dst must be f16 or f32", e);
    if ((uint64_t)d->ne[0] != cols || cols % 2 || (uint64_t)tensor_elements(ids) != n)
        return shape_error(label, "src0 rows, ids and dst rows must match (even widths)", e);
    vk_kernel k = {"set_rows", 3, 16, 2, {ITEM_WG, d->type == DT_F16}, 0};
    uint32_t grid[3], stride = item_grid(n * cols / 2, grid);
    uint32_t push[4] = {(uint32_t)cols, (uint32_t)n, (uint32_t)tensor_rows(d), stride};
    vk_arg args[3] = {op_arg(x, false), op_arg(ids, false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, push, grid, label, e);
}

static int record_norm(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *x = nd->src[0], *w = nd->src[1], *d = nd->dst;
    bool layer = nd->kind == OP_LAYER_NORM;
    const tensor *b = layer ? nd->src[2] : w;
    if (op_check_tensor(x, "src0", label, DT_F32, e) ||
        op_check_tensor(w, "weights", label, DT_F32, e) ||
        op_check_tensor(b, "biases", label, DT_F32, e) ||
        op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    int64_t cols = x->ne[0], rows = tensor_rows(x);
    if (tensor_elements(w) != cols || tensor_elements(b) != cols ||
        tensor_elements(d) != tensor_elements(x))
        return shape_error(label, "weights and biases must be one row as wide as src0", e);
    vk_kernel k = {"norm", 4, 16, 2, {op_row_workgroup(vk_seq_ctx(s)), layer}, 0};
    uint32_t grid[3];
    op_spread((uint64_t)rows, grid);
    struct {
        uint32_t cols, rows, groups_x;
        float eps;
    } push = {(uint32_t)cols, (uint32_t)rows, grid[0], nd->eps};
    vk_arg args[4] = {op_arg(x, false), op_arg(w, false), op_arg(b, false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, &push, grid, label, e);
}

static int check_rope(const op_node *nd, const char *label, errmsg *e)
{
    const tensor *x = nd->src[0], *pos = nd->src[1], *d = nd->dst;
    const op_rope *r = &nd->rope;
    if (op_check_tensor(x, "src0", label, DT_F32, e) ||
        op_check_tensor(pos, "positions", label, DT_I32, e) ||
        op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    if (x->ne[3] != 1 || tensor_elements(pos) != 4 * x->ne[2] ||
        tensor_elements(d) != tensor_elements(x))
        return shape_error(label, "src0 is (head dim, heads, tokens) with four positions each", e);
    if (r->n_dims < 2 || r->n_dims % 2 || r->n_dims > x->ne[0] || x->ne[0] % 2 || !(r->base > 1))
        return shape_error(label, "rotated dimensions must be even, within the head, base > 1", e);
    int pairs = r->sections[0] + r->sections[1] + r->sections[2] + r->sections[3];
    if ((r->mode == OP_ROPE_MROPE || r->mode == OP_ROPE_VISION) && pairs != r->n_dims / 2)
        return shape_error(label, "M-RoPE sections must add up to half the rotated dims", e);
    return 0;
}

static int record_rope(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    if (check_rope(nd, label, e))
        return e->code;
    const tensor *x = nd->src[0], *d = nd->dst;
    const op_rope *r = &nd->rope;
    uint32_t mode = (uint32_t)r->mode;
    vk_kernel k = {"rope", 3, 36, 2, {ITEM_WG, mode}, 0};
    uint32_t grid[3], stride = item_grid((uint64_t)tensor_elements(x) / 2, grid);
    uint32_t s0 = (uint32_t)r->sections[0], s1 = s0 + (uint32_t)r->sections[1];
    struct {
        uint32_t hd, heads, tokens, n_dims;
        float log2_base;
        uint32_t s0, s1, s2, row_stride;
    } push = {(uint32_t)x->ne[0],
              (uint32_t)x->ne[1],
              (uint32_t)x->ne[2],
              (uint32_t)r->n_dims,
              (float)log2(r->base),
              s0,
              s1,
              s1 + (uint32_t)r->sections[2],
              stride};
    vk_arg args[3] = {op_arg(x, false), op_arg(nd->src[1], false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, &push, grid, label, e);
}

static int record_unary(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    const tensor *x = nd->src[0], *d = nd->dst;
    if (op_check_tensor(x, "src0", label, DT_F32, e) || op_check_tensor(d, "dst", label, DT_F32, e))
        return e->code;
    if (tensor_elements(d) != tensor_elements(x))
        return shape_error(label, "dst must have as many elements as src0", e);
    uint32_t op = nd->kind == OP_SILU ? 0 : nd->kind == OP_GELU ? 1 : 2;
    vk_kernel k = {"unary", 2, 8, 2, {ITEM_WG, op}, 0};
    uint32_t grid[3], stride = item_grid((uint64_t)tensor_elements(x), grid);
    uint32_t push[2] = {(uint32_t)tensor_elements(x), stride};
    vk_arg args[2] = {op_arg(x, false), op_arg(d, true)};
    return vk_seq_dispatch(s, &k, args, push, grid, label, e);
}

static int check_attention(const op_node *nd, const char *label, errmsg *e)
{
    const tensor *q = nd->src[0], *kc = nd->src[1], *vc = nd->src[2], *meta = nd->src[3];
    const op_attn *a = &nd->attn;
    if (op_check_tensor(q, "queries", label, DT_F32, e) ||
        op_check_tensor(kc, "keys", label, DT_F16, e) ||
        op_check_tensor(vc, "values", label, DT_F16, e) ||
        op_check_tensor(meta, "metadata", label, DT_I32, e) ||
        op_check_tensor(nd->dst, "dst", label, DT_F32, e))
        return e->code;
    int64_t hd = q->ne[0], heads = q->ne[1], tokens = q->ne[2];
    if (hd % 8 || hd > 256 || kc->ne[0] % hd || kc->ne[0] != vc->ne[0] ||
        tensor_rows(kc) != tensor_rows(vc) || tensor_elements(nd->dst) != tensor_elements(q))
        return shape_error(label, "head dim must be a multiple of 8 up to 256, caches alike", e);
    int64_t kv_heads = kc->ne[0] / hd;
    if (heads % kv_heads)
        return shape_error(label, "heads must be a multiple of the cache's kv heads", e);
    if (a->page_size < 1 || a->max_pages < 1 || tensor_elements(meta) < 2 * tokens ||
        (tensor_elements(meta) - 2 * tokens) % a->max_pages)
        return shape_error(label, "metadata must hold 2 ints per token, then whole page tables", e);
    return 0;
}

static int record_attention(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    if (check_attention(nd, label, e))
        return e->code;
    const tensor *q = nd->src[0], *kc = nd->src[1];
    uint32_t hd = (uint32_t)q->ne[0], heads = (uint32_t)q->ne[1], tokens = (uint32_t)q->ne[2];
    vk_kernel k = {"attention", 5, 36, 2, {ITEM_WG, hd}, 0};
    uint32_t grid[3], stride = item_grid((uint64_t)heads * tokens, grid);
    struct {
        uint32_t heads, kv_heads, tokens, page_size, max_pages, tables_at, kv_row;
        float scale;
        uint32_t row_stride;
    } push = {heads,
              (uint32_t)(kc->ne[0] / hd),
              tokens,
              (uint32_t)nd->attn.page_size,
              (uint32_t)nd->attn.max_pages,
              2 * tokens,
              (uint32_t)kc->ne[0],
              nd->attn.scale,
              stride};
    vk_arg args[5] = {op_arg(q, false), op_arg(kc, false), op_arg(nd->src[2], false),
                      op_arg(nd->src[3], false), op_arg(nd->dst, true)};
    return vk_seq_dispatch(s, &k, args, &push, grid, label, e);
}

int op_record_nn(vk_seq *s, const op_node *nd, const char *label, errmsg *e)
{
    switch (nd->kind) {
    case OP_GET_ROWS: return record_get_rows(s, nd, label, e);
    case OP_SET_ROWS: return record_set_rows(s, nd, label, e);
    case OP_RMS_NORM:
    case OP_LAYER_NORM: return record_norm(s, nd, label, e);
    case OP_ROPE: return record_rope(s, nd, label, e);
    case OP_SILU:
    case OP_GELU:
    case OP_QUICK_GELU: return record_unary(s, nd, label, e);
    case OP_ATTENTION: return record_attention(s, nd, label, e);
    default: return err_set(e, ERR_FAIL, "%s: not a transformer op (%d)", label, (int)nd->kind);
    }
}
