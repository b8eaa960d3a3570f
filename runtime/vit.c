/* vit.c - the Qwen2-VL / Qwen2.5-VL vision encoder (see vit.h): configuration from the mmproj
 * file, the patch-embedding matrix, the activation arena and the forward graph.
 *
 * Attention reuses the decoder's paged attention op with pages of one slot: the keys and
 * values of an image are written as f16 rows 0..n-1, and each attention "sequence" is a list
 * of slots - the whole image for global layers, one 8x8-patch window for Qwen2.5-VL's windowed
 * layers. Tokens stay in merge order throughout; windows are just other slot lists, which
 * gives what Hugging Face computes by permuting tokens into window order and back. */
#include "runtime/vit.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/plan.h"
#include "runtime/dtype.h"
#include "runtime/quant.h"
#include "runtime/weights.h"

typedef struct vit_layer {
    const tensor *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    const tensor *wq, *bq, *wk, *bk, *wv, *bv, *wo, *bo;
    const tensor *up, *b_up, *gate, *b_gate, *down, *b_down;
} vit_layer;

/* Activations and inputs, each an index into the arena plan. */
enum {
    A_PIXELS,
    A_SLOTS,
    A_POS,
    A_META_ALL,
    A_META_WIN,
    A_X,
    A_XN,
    A_Q,
    A_K,
    A_V,
    A_QR,
    A_KR,
    A_K16,
    A_V16,
    A_ATT,
    A_O,
    A_UP,
    A_GATE,
    A_M0,
    A_OUT,
    A_COUNT
};

struct vit {
    vk_ctx *ctx;
    vit_config c;
    op_shape matmul;
    wt_model w;
    vk_buf patch_buf;
    tensor patch; /* (3 * 2 * patch^2) x n_embd f32: both temporal kernels, HF column order */
    vit_layer *layers;
    const tensor *post_w, *post_b, *mm0_w, *mm0_b, *mm2_w, *mm2_b;
    int64_t capacity; /* patches the arena holds */
    plan plan;
    vk_buf arena;
    vk_seq **seqs; /* one per layer, recorded for grid (seq_h, seq_w) */
    int seq_h, seq_w;
    int win_pages; /* slots per window table */
    double host_s, run_s;
};

/* ---- configuration ------------------------------------------------------------------ */

static int key_int(const gguf_file *f, const char *key, int lo, int hi, int dflt, int *out,
                   errmsg *e)
{
    const gguf_value *v = gguf_find_key(f, key);
    int64_t x = dflt;
    if (!v && dflt < 0)
        return err_set(e, ERR_FAIL, "%s: no key '%s'", gguf_path(f), key);
    if (v && (gguf_arr_count(v) != 1 || gguf_arr_i64(v, 0, &x)))
        return err_set(e, ERR_FAIL, "%s: '%s' is not an integer", gguf_path(f), key);
    if (x < lo || x > hi)
        return err_set(e, ERR_FAIL, "%s: %s = %" PRId64 " is outside %d..%d", gguf_path(f), key, x,
                       lo, hi);
    *out = (int)x;
    return 0;
}

static int key_bool(const gguf_file *f, const char *key, int *out, errmsg *e)
{
    *out = 0;
    return gguf_find_key(f, key) ? gguf_get_bool(f, key, out, e) : 0;
}

static int key_rgb(const gguf_file *f, const char *key, float out[3], errmsg *e)
{
    const gguf_value *v = gguf_find_key(f, key);
    if (!v || gguf_arr_count(v) != 3)
        return err_set(e, ERR_FAIL, "%s: '%s' must be 3 numbers", gguf_path(f), key);
    for (uint64_t i = 0; i < 3; i++) {
        double x;
        if (gguf_arr_f64(v, i, &x))
            return err_set(e, ERR_FAIL, "%s: '%s' must be 3 numbers", gguf_path(f), key);
        out[i] = (float)x;
    }
    return 0;
}

static int read_projector(const gguf_file *f, vit_config *c, errmsg *e)
{
    const char *arch, *proj;
    const char *key = gguf_find_key(f, "clip.vision.projector_type") ? "clip.vision.projector_type"
                                                                     : "clip.projector_type";
    if (gguf_get_str(f, "general.architecture", &arch, e) || gguf_get_str(f, key, &proj, e))
        return err_prefix(e, "not a vision projector file: ");
    if (strcmp(arch, "clip") != 0)
        return err_set(e, ERR_FAIL, "%s: architecture '%s' is not a vision projector ('clip')",
                       gguf_path(f), arch);
    if (strcmp(proj, "qwen2vl_merger") == 0)
        c->family = VIT_QWEN2VL, c->projector = "qwen2vl_merger";
    else if (strcmp(proj, "qwen2.5vl_merger") == 0)
        c->family = VIT_QWEN25VL, c->projector = "qwen2.5vl_merger";
    else
        return err_set(e, ERR_FAIL,
                       "%s: projector '%s' is not supported (qwen2vl_merger, qwen2.5vl_merger)",
                       gguf_path(f), proj);
    return 0;
}

static int read_activation(const gguf_file *f, vit_config *c, errmsg *e)
{
    int gelu, silu;
    if (key_bool(f, "clip.use_gelu", &gelu, e) || key_bool(f, "clip.use_silu", &silu, e))
        return e->code;
    c->act = silu ? VIT_SWIGLU : gelu ? VIT_GELU : VIT_QUICK_GELU;
    if ((c->family == VIT_QWEN25VL) != (c->act == VIT_SWIGLU))
        return err_set(e, ERR_FAIL, "%s: %s with %s MLP is not a known model", gguf_path(f),
                       c->projector, c->act == VIT_SWIGLU ? "a SwiGLU" : "a GELU");
    return 0;
}

static int read_pixel_bounds(const gguf_file *f, vit_config *c, errmsg *e)
{
    int lo = 0, hi = 0;
    if (key_int(f, "clip.vision.image_min_pixels", 0, 1 << 30, 0, &lo, e) ||
        key_int(f, "clip.vision.image_max_pixels", 0, 1 << 30, 0, &hi, e))
        return e->code;
    c->min_pixels = lo, c->max_pixels = hi;
    return 0;
}

int vit_read_config(const gguf_file *f, vit_config *c, errmsg *e)
{
    memset(c, 0, sizeof *c);
    if (read_projector(f, c, e) ||
        key_int(f, "clip.vision.embedding_length", 8, 1 << 14, -1, &c->n_embd, e) ||
        key_int(f, "clip.vision.block_count", 1, 1024, -1, &c->n_layer, e) ||
        key_int(f, "clip.vision.attention.head_count", 1, 1024, -1, &c->n_head, e) ||
        key_int(f, "clip.vision.patch_size", 14, 14, 14, &c->patch, e) ||
        key_int(f, "clip.vision.spatial_merge_size", 2, 2, 2, &c->merge, e) ||
        key_int(f, "clip.vision.projection_dim", 1, 1 << 16, 0, &c->n_out, e) ||
        key_int(f, "clip.vision.n_wa_pattern", 0, 1024, 0, &c->n_wa_pattern, e) ||
        key_int(f, "clip.vision.window_size", 0, 1 << 14, 112, &c->window, e) ||
        gguf_get_f32(f, "clip.vision.attention.layer_norm_epsilon", &c->eps, e) ||
        key_rgb(f, "clip.vision.image_mean", c->mean, e) ||
        key_rgb(f, "clip.vision.image_std", c->std, e) || read_activation(f, c, e) ||
        read_pixel_bounds(f, c, e))
        return e->code;
    c->head_dim = c->n_embd / c->n_head;
    if (c->n_embd % c->n_head || c->head_dim % 8 || c->head_dim > 256)
        return err_set(e, ERR_FAIL,
                       "%s: %d heads in %d: the head dim must be a multiple of 8 up to 256",
                       gguf_path(f), c->n_head, c->n_embd);
    if (c->family == VIT_QWEN25VL && c->n_wa_pattern < 1)
        return err_set(e, ERR_FAIL, "%s: qwen2.5vl_merger needs clip.vision.n_wa_pattern >= 1",
                       gguf_path(f));
    if (c->window % (c->patch * c->merge))
        return err_set(e, ERR_FAIL, "%s: window of %d px is not a whole number of merged tokens",
                       gguf_path(f), c->window);
    /* The true widths come from the tensors (vlm-formats: feed_forward_length is unreliable). */
    const gguf_tensor *up = gguf_find_tensor(f, "v.blk.0.ffn_up.weight");
    const gguf_tensor *down = gguf_find_tensor(f, "v.blk.0.ffn_down.weight");
    const gguf_tensor *mm2 = gguf_find_tensor(f, "mm.2.weight");
    if (!up || !down || !mm2)
        return err_set(e, ERR_FAIL, "%s: missing v.blk.0.ffn_up/ffn_down or mm.2 weights",
                       gguf_path(f));
    c->n_ff = (int)(down->ne[0] == c->n_embd ? down->ne[1] : up->ne[1]);
    if (c->n_out && c->n_out != mm2->ne[1])
        return err_set(e, ERR_FAIL, "%s: projection_dim %d but mm.2.weight gives %" PRId64,
                       gguf_path(f), c->n_out, mm2->ne[1]);
    c->n_out = (int)mm2->ne[1];
    return 0;
}

/* ---- weights -------------------------------------------------------------------------- */

static const tensor *lw(vit *v, int l, const char *what, int64_t ne0, int64_t ne1, bool optional,
                        errmsg *e)
{
    char name[96];
    snprintf(name, sizeof name, "v.blk.%d.%s", l, what);
    return wt_get(&v->w, name, ne0, ne1, optional, e);
}

/* Tensor `what` (a "ffn_up"-style name) with a suffix (".weight", ".bias"). */
static const tensor *mlp_w(vit *v, int l, const char *what, const char *suffix, int64_t ne0,
                           int64_t ne1, errmsg *e)
{
    char name[48];
    snprintf(name, sizeof name, "%s%s", what, suffix);
    return lw(v, l, name, ne0, ne1, false, e);
}

static void bind_mlp(vit *v, int l, vit_layer *L, errmsg *e)
{
    int64_t d = v->c.n_embd, ff = v->c.n_ff;
    char name[96];
    snprintf(name, sizeof name, "v.blk.%d.ffn_down.weight", l);
    const tensor *down = wt_find(&v->w, name);
    /* Old conversions stored up and down the other way round (vlm-formats 4.1). */
    bool swapped = down && down->ne[0] == d && down->ne[1] == ff && ff != d;
    const char *up_name = swapped ? "ffn_down" : "ffn_up";
    const char *down_name = swapped ? "ffn_up" : "ffn_down";
    L->up = mlp_w(v, l, up_name, ".weight", d, ff, e);
    L->b_up = mlp_w(v, l, up_name, ".bias", ff, 0, e);
    L->down = mlp_w(v, l, down_name, ".weight", ff, d, e);
    L->b_down = mlp_w(v, l, down_name, ".bias", d, 0, e);
    if (v->c.act == VIT_SWIGLU) {
        L->gate = mlp_w(v, l, "ffn_gate", ".weight", d, ff, e);
        L->b_gate = mlp_w(v, l, "ffn_gate", ".bias", ff, 0, e);
    }
}

static int bind_layer(vit *v, int l, errmsg *e)
{
    int64_t d = v->c.n_embd;
    bool rms = v->c.family == VIT_QWEN25VL;
    vit_layer *L = &v->layers[l];
    L->ln1_w = lw(v, l, "ln1.weight", d, 0, false, e);
    L->ln1_b = lw(v, l, "ln1.bias", d, 0, rms, e);
    L->ln2_w = lw(v, l, "ln2.weight", d, 0, false, e);
    L->ln2_b = lw(v, l, "ln2.bias", d, 0, rms, e);
    L->wq = lw(v, l, "attn_q.weight", d, d, false, e);
    L->bq = lw(v, l, "attn_q.bias", d, 0, false, e);
    L->wk = lw(v, l, "attn_k.weight", d, d, false, e);
    L->bk = lw(v, l, "attn_k.bias", d, 0, false, e);
    L->wv = lw(v, l, "attn_v.weight", d, d, false, e);
    L->bv = lw(v, l, "attn_v.bias", d, 0, false, e);
    L->wo = lw(v, l, "attn_out.weight", d, d, false, e);
    L->bo = lw(v, l, "attn_out.bias", d, 0, false, e);
    bind_mlp(v, l, L, e);
    return e->code;
}

static int bind_weights(vit *v, errmsg *e)
{
    int64_t d = v->c.n_embd, m4 = 4 * d;
    bool rms = v->c.family == VIT_QWEN25VL;
    e->code = 0;
    v->post_w = wt_get(&v->w, "v.post_ln.weight", d, 0, false, e);
    v->post_b = wt_get(&v->w, "v.post_ln.bias", d, 0, rms, e);
    v->mm0_w = wt_get(&v->w, "mm.0.weight", m4, m4, false, e);
    v->mm0_b = wt_get(&v->w, "mm.0.bias", m4, 0, false, e);
    v->mm2_w = wt_get(&v->w, "mm.2.weight", m4, v->c.n_out, false, e);
    v->mm2_b = wt_get(&v->w, "mm.2.bias", v->c.n_out, 0, false, e);
    if (e->code)
        return e->code;
    if (!rms && !v->post_b)
        return err_set(e, ERR_FAIL, "missing tensor 'v.post_ln.bias'");
    v->layers = calloc((size_t)v->c.n_layer, sizeof *v->layers);
    if (!v->layers)
        return err_set(e, ERR_FAIL, "out of host memory");
    for (int l = 0; l < v->c.n_layer; l++)
        if (bind_layer(v, l, e))
            return e->code;
    return 0;
}

/* One temporal kernel as floats: n_embd rows of (channel, y, x). */
static float *kernel_floats(const gguf_file *f, const char *name, int64_t want, errmsg *e)
{
    const gguf_tensor *t = gguf_find_tensor(f, name);
    if (!t)
        return err_set(e, ERR_FAIL, "missing tensor '%s'", name), NULL;
    if (gguf_tensor_nelements(t) != want || t->ne[0] != 14 || t->ne[1] != 14 || t->ne[2] != 3)
        return err_set(e, ERR_FAIL, "tensor '%s' is not [14, 14, 3, n_embd]", name), NULL;
    float *out = malloc((size_t)want * sizeof *out);
    if (!out)
        return err_set(e, ERR_FAIL, "out of host memory"), NULL;
    if (quant_dequantize(t->type, t->data, out, want, e)) {
        free(out);
        return err_prefix(e, "%s: ", name), NULL;
    }
    return out;
}

/* The patch embedding as one matrix whose columns follow HF's pixel rows (channel, frame, y,
 * x): frame t's columns hold kernel t. A still image repeats its frame, so this equals
 * llama.cpp's sum of two convolutions. */
static int upload_patch(vit *v, const gguf_file *f, errmsg *e)
{
    int64_t d = v->c.n_embd, area = 14 * 14, cols = 3 * 2 * area;
    float *k0 = kernel_floats(f, "v.patch_embd.weight", 3 * area * d, e);
    float *k1 = k0 ? kernel_floats(f, "v.patch_embd.weight.1", 3 * area * d, e) : NULL;
    float *m = k1 ? malloc((size_t)(cols * d) * sizeof *m) : NULL;
    int rc = ERR_FAIL;
    if (m) {
        for (int64_t o = 0; o < d; o++)
            for (int64_t c = 0; c < 3; c++)
                for (int64_t t = 0; t < 2; t++)
                    memcpy(m + o * cols + (c * 2 + t) * area, (t ? k1 : k0) + (o * 3 + c) * area,
                           (size_t)area * sizeof *m);
        size_t bytes = (size_t)(cols * d) * sizeof *m;
        rc = vk_buf_alloc(v->ctx, bytes, &v->patch_buf, e) ||
             vk_buf_write(v->ctx, &v->patch_buf, 0, m, bytes, e);
        v->patch = (tensor){DT_F32, {cols, d, 1, 1}, &v->patch_buf, 0};
    } else if (k1) {
        err_set(e, ERR_FAIL, "out of host memory");
    }
    free(k0), free(k1), free(m);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

static void free_recording(vit *v)
{
    for (int l = 0; v->seqs && l < v->c.n_layer; l++)
        vk_seq_free(v->seqs[l]);
    free(v->seqs);
    v->seqs = NULL;
}

int vit_load(vk_ctx *ctx, const gguf_file *f, op_shape matmul, vit **out, errmsg *e)
{
    *out = NULL;
    vit *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_FAIL, "out of host memory");
    v->ctx = ctx;
    v->matmul = matmul;
    int rc = vit_read_config(f, &v->c, e);
    if (!rc && (wt_upload(ctx, f, &v->w, e) || bind_weights(v, e) || upload_patch(v, f, e)))
        rc = err_prefix(e, "%s: ", gguf_path(f));
    if (rc) {
        vit_free(v);
        return e->code ? e->code : ERR_FAIL;
    }
    *out = v;
    return 0;
}

void vit_free(vit *v)
{
    if (!v)
        return;
    free_recording(v);
    vk_buf_free(v->ctx, &v->arena);
    vk_buf_free(v->ctx, &v->patch_buf);
    wt_free(v->ctx, &v->w);
    plan_free(&v->plan);
    free(v->layers);
    free(v);
}

const vit_config *vit_config_of(const vit *v)
{
    return &v->c;
}

int vit_check_text(const vit *v, const llm_config *text, errmsg *e)
{
    if (v->c.n_out != text->n_embd)
        return err_set(e, ERR_FAIL,
                       "the vision projector gives rows of %d, the text model's embedding is %d "
                       "wide: the mmproj file belongs to another model",
                       v->c.n_out, text->n_embd);
    if (text->arch != LLM_QWEN2VL)
        return err_set(e, ERR_FAIL, "a %s projector needs a qwen2vl text model (M-RoPE), not %s",
                       v->c.projector, text->arch_name);
    return 0;
}

int64_t vit_out_rows(int grid_h, int grid_w)
{
    return (int64_t)(grid_h / 2) * (grid_w / 2);
}

void vit_encode_times(const vit *v, double *host_s, double *run_s)
{
    *host_s = v->host_s;
    *run_s = v->run_s;
}

/* ---- the activation arena ------------------------------------------------------------ */

/* Slots per window table: a window's patches. */
static int window_patches(const vit_config *c)
{
    int side = c->window / c->patch;
    return side * side;
}

/* Ints of the window metadata for n patches: two per patch, then one table per window (a
 * window holds at least one merged token, so there are at most n / 4). */
static int64_t meta_win_ints(const vit_config *c, int64_t n)
{
    return 2 * n + (n / 4) * window_patches(c);
}

/* Lays out the arena for n patches; buffers of different steps of a layer share bytes. */
static int plan_arena(vit *v, int64_t n, errmsg *e)
{
    const vit_config *c = &v->c;
    uint64_t N = (uint64_t)n, d = (uint64_t)c->n_embd, ff = (uint64_t)c->n_ff;
    uint64_t pix = 3 * 2 * (uint64_t)c->patch * (uint64_t)c->patch;
    const struct {
        uint64_t words;
        int first, last;
    } items[A_COUNT] = {
        [A_PIXELS] = {N * pix, 0, 1},
        [A_SLOTS] = {N, 0, 99},
        [A_POS] = {4 * N, 0, 99},
        [A_META_ALL] = {3 * N, 0, 99},
        [A_META_WIN] = {(uint64_t)meta_win_ints(c, n), 0, 99},
        [A_X] = {N * d, 1, 20},
        [A_XN] = {N * d, 2, 21},
        [A_Q] = {N * d, 3, 4},
        [A_K] = {N * d, 3, 4},
        [A_V] = {N * d, 3, 5},
        [A_QR] = {N * d, 4, 6},
        [A_KR] = {N * d, 4, 5},
        [A_K16] = {N * d / 2, 5, 6},
        [A_V16] = {N * d / 2, 5, 6},
        [A_ATT] = {N * d, 6, 7},
        [A_O] = {N * d, 7, 11},
        [A_UP] = {N * ff, 9, 11},
        [A_GATE] = {c->act == VIT_SWIGLU ? N * ff : 0, 9, 11}, /* only SwiGLU has a gate */
        [A_M0] = {N * d, 21, 22},
        [A_OUT] = {N / 4 * (uint64_t)c->n_out, 22, 99},
    };
    free_recording(v);
    vk_buf_free(v->ctx, &v->arena);
    plan_free(&v->plan);
    for (int i = 0; i < A_COUNT; i++)
        if (plan_add(&v->plan, items[i].words * 4, items[i].first, items[i].last) != i)
            return err_set(e, ERR_FAIL, "out of host memory");
    uint64_t align = vk_caps_of(v->ctx)->min_storage_offset_align;
    if (plan_solve(&v->plan, align > 256 ? align : 256))
        return err_set(e, ERR_FAIL, "out of host memory");
    if (vk_buf_alloc(v->ctx, v->plan.total, &v->arena, e))
        return err_prefix(e, "vision activations for %" PRId64 " patches: ", n);
    v->capacity = n;
    return 0;
}

static tensor view(const vit *v, int a, dtype t, int64_t ne0, int64_t ne1, int64_t ne2)
{
    return (tensor){t, {ne0, ne1, ne2, 1}, &v->arena, v->plan.items[a].offset};
}

/* ---- inputs ------------------------------------------------------------------------- */

/* The grid row and column of the patch at merge-order index t. */
static void patch_at(int64_t t, int grid_w, int *row, int *col)
{
    int64_t block = t / 4, bw = grid_w / 2;
    *row = (int)(2 * (block / bw) + (t / 2) % 2);
    *col = (int)(2 * (block % bw) + t % 2);
}

/* Slots 0..n-1, positions (row, col, 0, 0), and the global metadata: one sequence of every
 * patch. */
static void fill_global(int64_t n, int grid_w, int32_t *slots, int32_t *pos, int32_t *meta)
{
    for (int64_t t = 0; t < n; t++) {
        int row, col;
        patch_at(t, grid_w, &row, &col);
        slots[t] = (int32_t)t;
        pos[4 * t] = row, pos[4 * t + 1] = col, pos[4 * t + 2] = pos[4 * t + 3] = 0;
        meta[2 * t] = 0, meta[2 * t + 1] = (int32_t)n;
        meta[2 * n + t] = (int32_t)t;
    }
}

/* The window metadata: each window a sequence listing its patches in merge order. */
static void fill_windows(const vit_config *c, int64_t n, int grid_h, int grid_w, int32_t *meta)
{
    int side = c->window / c->patch, per = window_patches(c);
    int across = (grid_w + side - 1) / side, n_win = across * ((grid_h + side - 1) / side);
    int32_t *count = calloc((size_t)n_win, sizeof *count);
    for (int64_t t = 0; t < n && count; t++) {
        int row, col;
        patch_at(t, grid_w, &row, &col);
        int w = (row / side) * across + col / side;
        meta[2 * t] = w;
        meta[2 * n + (int64_t)w * per + count[w]++] = (int32_t)t;
    }
    for (int64_t t = 0; t < n && count; t++)
        meta[2 * t + 1] = count[meta[2 * t]];
    free(count);
}

static int upload(vit *v, int a, const void *data, size_t bytes, errmsg *e)
{
    return vk_buf_write(v->ctx, &v->arena, v->plan.items[a].offset, data, bytes, e);
}

static int upload_inputs(vit *v, const float *pixels, int grid_h, int grid_w, errmsg *e)
{
    int64_t n = (int64_t)grid_h * grid_w, win = meta_win_ints(&v->c, n);
    size_t pix = (size_t)(3 * 2 * v->c.patch * v->c.patch);
    int32_t *slots = malloc((size_t)n * 4), *pos = malloc((size_t)n * 16);
    int32_t *all = malloc((size_t)n * 12), *windows = calloc((size_t)win, 4);
    int rc = err_set(e, ERR_FAIL, "out of host memory");
    if (slots && pos && all && windows) {
        fill_global(n, grid_w, slots, pos, all);
        if (v->c.family == VIT_QWEN25VL)
            fill_windows(&v->c, n, grid_h, grid_w, windows);
        e->code = 0;
        rc = upload(v, A_PIXELS, pixels, (size_t)n * pix * 4, e) ||
             upload(v, A_SLOTS, slots, (size_t)n * 4, e) ||
             upload(v, A_POS, pos, (size_t)n * 16, e) ||
             upload(v, A_META_ALL, all, (size_t)n * 12, e) ||
             upload(v, A_META_WIN, windows, (size_t)win * 4, e);
    }
    free(slots), free(pos), free(all), free(windows);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

/* ---- the forward graph ---------------------------------------------------------------- */

typedef struct acts {
    tensor pixels, slots, pos, meta_all, meta_win;
    tensor x, xn, q, k, v, qh, kh, qr, kr, kr_rows, k16, v16, att, att_rows, o, up, gate;
    tensor merged, m0, out;
} acts;

static void make_acts(const vit *v, int64_t n, acts *a)
{
    const vit_config *c = &v->c;
    int64_t d = c->n_embd, hd = c->head_dim, h = c->n_head, pix = 3 * 2 * c->patch * c->patch;
    a->pixels = view(v, A_PIXELS, DT_F32, pix, n, 1);
    a->slots = view(v, A_SLOTS, DT_I32, n, 1, 1);
    a->pos = view(v, A_POS, DT_I32, 4, n, 1);
    a->meta_all = view(v, A_META_ALL, DT_I32, 3 * n, 1, 1);
    a->meta_win = view(v, A_META_WIN, DT_I32, meta_win_ints(c, n), 1, 1);
    a->x = view(v, A_X, DT_F32, d, n, 1);
    a->xn = view(v, A_XN, DT_F32, d, n, 1);
    a->q = view(v, A_Q, DT_F32, d, n, 1);
    a->qh = view(v, A_Q, DT_F32, hd, h, n);
    a->k = view(v, A_K, DT_F32, d, n, 1);
    a->kh = view(v, A_K, DT_F32, hd, h, n);
    a->v = view(v, A_V, DT_F32, d, n, 1);
    a->qr = view(v, A_QR, DT_F32, hd, h, n);
    a->kr = view(v, A_KR, DT_F32, hd, h, n);
    a->kr_rows = view(v, A_KR, DT_F32, d, n, 1);
    a->k16 = view(v, A_K16, DT_F16, d, n, 1);
    a->v16 = view(v, A_V16, DT_F16, d, n, 1);
    a->att = view(v, A_ATT, DT_F32, hd, h, n);
    a->att_rows = view(v, A_ATT, DT_F32, d, n, 1);
    a->o = view(v, A_O, DT_F32, d, n, 1);
    a->up = view(v, A_UP, DT_F32, c->n_ff, n, 1);
    a->gate = view(v, A_GATE, DT_F32, c->n_ff, n, 1);
    a->merged = view(v, A_XN, DT_F32, 4 * d, n / 4, 1);
    a->m0 = view(v, A_M0, DT_F32, 4 * d, n / 4, 1);
    a->out = view(v, A_OUT, DT_F32, c->n_out, n / 4, 1);
}

typedef struct graph {
    vit *v;
    vk_seq *s;
    acts a;
    errmsg *e;
} graph;

static int rec(graph *g, op_node nd)
{
    return op_record(g->s, &nd, g->e);
}

/* y = W x + b for every patch row of x. */
static int linear(graph *g, const tensor *y, const tensor *w, const tensor *b, const tensor *x)
{
    if (rec(g, (op_node){.kind = OP_MATMUL, .dst = y, .src = {w, x}, .shape = g->v->matmul}))
        return ERR_FAIL;
    return b ? rec(g, (op_node){.kind = OP_ADD, .dst = y, .src = {y, b}, .label = "bias"}) : 0;
}

/* LayerNorm (Qwen2-VL, with bias) or RMSNorm (Qwen2.5-VL, without). */
static int norm(graph *g, const tensor *y, const tensor *x, const tensor *w, const tensor *b)
{
    op_kind kind = b ? OP_LAYER_NORM : OP_RMS_NORM;
    return rec(g, (op_node){.kind = kind, .dst = y, .src = {x, w, b}, .eps = g->v->c.eps});
}

static bool layer_is_global(const vit_config *c, int l)
{
    return c->family != VIT_QWEN25VL || (l + 1) % c->n_wa_pattern == 0;
}

static int record_attention(graph *g, int l, int64_t n)
{
    const vit_config *c = &g->v->c;
    const vit_layer *L = &g->v->layers[l];
    acts *a = &g->a;
    bool global = layer_is_global(c, l);
    op_rope rope = {OP_ROPE_VISION, c->head_dim, 10000.0f, {c->head_dim / 4, c->head_dim / 4}};
    op_attn attn = {1, global ? (int)n : window_patches(c), 1.0f / sqrtf((float)c->head_dim)};
    const tensor *meta = global ? &a->meta_all : &a->meta_win;
    if (norm(g, &a->xn, &a->x, L->ln1_w, L->ln1_b) || linear(g, &a->q, L->wq, L->bq, &a->xn) ||
        linear(g, &a->k, L->wk, L->bk, &a->xn) || linear(g, &a->v, L->wv, L->bv, &a->xn) ||
        rec(g, (op_node){.kind = OP_ROPE, .dst = &a->qr, .src = {&a->qh, &a->pos}, .rope = rope}) ||
        rec(g, (op_node){.kind = OP_ROPE, .dst = &a->kr, .src = {&a->kh, &a->pos}, .rope = rope}) ||
        rec(g, (op_node){.kind = OP_SET_ROWS, .dst = &a->k16, .src = {&a->kr_rows, &a->slots}}) ||
        rec(g, (op_node){.kind = OP_SET_ROWS, .dst = &a->v16, .src = {&a->v, &a->slots}}) ||
        rec(g, (op_node){.kind = OP_ATTENTION,
                         .dst = &a->att,
                         .src = {&a->qr, &a->k16, &a->v16, meta},
                         .attn = attn}) ||
        linear(g, &a->o, L->wo, L->bo, &a->att_rows))
        return ERR_FAIL;
    return rec(g, (op_node){.kind = OP_ADD, .dst = &a->x, .src = {&a->x, &a->o}});
}

/* x += down(act(up(n))) (Qwen2-VL) or down(silu(gate(n)) * up(n)) (Qwen2.5-VL). */
static int record_mlp(graph *g, int l)
{
    const vit_layer *L = &g->v->layers[l];
    acts *a = &g->a;
    vit_act act = g->v->c.act;
    op_kind kind = act == VIT_QUICK_GELU ? OP_QUICK_GELU : act == VIT_GELU ? OP_GELU : OP_SILU;
    const tensor *h = act == VIT_SWIGLU ? &a->gate : &a->up;
    if (norm(g, &a->xn, &a->x, L->ln2_w, L->ln2_b) || linear(g, &a->up, L->up, L->b_up, &a->xn))
        return ERR_FAIL;
    if (act == VIT_SWIGLU && linear(g, &a->gate, L->gate, L->b_gate, &a->xn))
        return ERR_FAIL;
    if (rec(g, (op_node){.kind = kind, .dst = h, .src = {h}}))
        return ERR_FAIL;
    if (act == VIT_SWIGLU && rec(g, (op_node){.kind = OP_MUL, .dst = h, .src = {h, &a->up}}))
        return ERR_FAIL;
    if (linear(g, &a->o, L->down, L->b_down, h))
        return ERR_FAIL;
    return rec(g, (op_node){.kind = OP_ADD, .dst = &a->x, .src = {&a->x, &a->o}});
}

/* Layer l, with the patch embedding before the first and the merger (norm, four patches
 * side by side, MLP) after the last. */
static int record_layer(graph *g, int l, int64_t n)
{
    vit *v = g->v;
    acts *a = &g->a;
    if (l == 0 && linear(g, &a->x, &v->patch, NULL, &a->pixels))
        return ERR_FAIL;
    if (record_attention(g, l, n) || record_mlp(g, l))
        return ERR_FAIL;
    if (l < v->c.n_layer - 1)
        return 0;
    if (norm(g, &a->xn, &a->x, v->post_w, v->post_b) ||
        linear(g, &a->m0, v->mm0_w, v->mm0_b, &a->merged) ||
        rec(g, (op_node){.kind = OP_GELU, .dst = &a->m0, .src = {&a->m0}}))
        return ERR_FAIL;
    return linear(g, &a->out, v->mm2_w, v->mm2_b, &a->m0);
}

/* Records the graph for this grid, planning a larger arena first when needed. Each layer
 * is its own submission: a large image's whole tower can take minutes on a CPU device, past
 * the time one submission may take (VKEVE_GPU_TIMEOUT). */
static int recording(vit *v, int grid_h, int grid_w, errmsg *e)
{
    int64_t n = (int64_t)grid_h * grid_w;
    if (v->seqs && v->seq_h == grid_h && v->seq_w == grid_w)
        return 0;
    if (n > v->capacity && plan_arena(v, n, e))
        return e->code;
    free_recording(v);
    if (!(v->seqs = calloc((size_t)v->c.n_layer, sizeof *v->seqs)))
        return err_set(e, ERR_FAIL, "out of host memory");
    v->seq_h = grid_h, v->seq_w = grid_w;
    graph g = {.v = v, .e = e};
    make_acts(v, n, &g.a);
    for (int l = 0; l < v->c.n_layer; l++) {
        if (!(g.s = v->seqs[l] = vk_seq_begin(v->ctx, false, e)) || record_layer(&g, l, n)) {
            free_recording(v);
            return e->code ? e->code : ERR_FAIL;
        }
    }
    return 0;
}

int vit_encode(vit *v, const float *pixels, int grid_h, int grid_w, float *out, errmsg *e)
{
    double t0 = now_seconds();
    if (grid_h < 2 || grid_w < 2 || grid_h % 2 || grid_w % 2 || grid_h > 4096 || grid_w > 4096)
        return err_set(e, ERR_FAIL, "a %dx%d patch grid cannot be encoded (even sides, 2..4096)",
                       grid_h, grid_w);
    if (recording(v, grid_h, grid_w, e) || upload_inputs(v, pixels, grid_h, grid_w, e))
        return e->code ? e->code : ERR_FAIL;
    double t1 = now_seconds();
    for (int l = 0; l < v->c.n_layer; l++)
        if (vk_seq_run(v->seqs[l], e))
            return err_prefix(e, "vision layer %d: ", l);
    double t2 = now_seconds();
    size_t bytes = (size_t)vit_out_rows(grid_h, grid_w) * (size_t)v->c.n_out * sizeof *out;
    int rc = vk_buf_read(v->ctx, &v->arena, v->plan.items[A_OUT].offset, out, bytes, e);
    v->host_s = (t1 - t0) + (now_seconds() - t2);
    v->run_s = t2 - t1;
    return rc;
}
