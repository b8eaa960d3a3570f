/* llm.c - the text decoder (see llm.h): configuration, weights, the activation arena and
 * the forward graph, recorded once per batch shape and replayed. */
#include "runtime/llm.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/plan.h"
#include "runtime/weights.h"

enum { RECORDED_MAX = 16 };

typedef struct llm_layer {
    const tensor *attn_norm, *wq, *wk, *wv, *bq, *bk, *bv, *wo;
    const tensor *ffn_norm, *gate, *up, *down;
} llm_layer;

/* Activations and inputs, each an index into the arena plan. */
enum {
    A_IDS,
    A_POS,
    A_SLOTS,
    A_META,
    A_OUT,
    A_EMBD,
    A_EMBD_AT,
    A_X,
    A_XN,
    A_Q,
    A_K,
    A_V,
    A_QR,
    A_KR,
    A_ATT,
    A_O,
    A_GATE,
    A_UP,
    A_XO,
    A_XON,
    A_LOGITS,
    A_COUNT
};

typedef struct recorded {
    const kv_cache *kv; /* whose buffers it binds */
    int n, n_out, n_embd_rows;
    vk_seq *seq;
    unsigned long last_use;
} recorded;

struct llm {
    vk_ctx *ctx;
    llm_config c;
    llm_opts o;
    wt_model w;
    const tensor *tok_embd, *out_norm, *output;
    llm_layer *layers;
    plan plan;
    vk_buf arena;
    recorded rec[RECORDED_MAX];
    unsigned long steps;
    int32_t *meta;        /* host staging of A_META */
    double host_s, run_s; /* the last step's host work and device run, in seconds */
};

llm_opts llm_default_opts(void)
{
    return (llm_opts){512, 64, 64, 0, 16, OP_SHAPE_AUTO};
}

/* ---- configuration ------------------------------------------------------------------ */

static int get_int(const gguf_file *f, const char *arch, const char *key, int *out, errmsg *e)
{
    char name[128];
    uint32_t v;
    snprintf(name, sizeof name, "%s.%s", arch, key);
    if (gguf_get_u32(f, name, &v, e))
        return e->code;
    if (v == 0 || v > (1u << 30))
        return err_set(e, ERR_FAIL, "%s: %s = %u is out of range", gguf_path(f), name, v);
    *out = (int)v;
    return 0;
}

static int get_float(const gguf_file *f, const char *arch, const char *key, float dflt, float *out,
                     errmsg *e)
{
    char name[128];
    snprintf(name, sizeof name, "%s.%s", arch, key);
    *out = dflt;
    return gguf_find_key(f, name) ? gguf_get_f32(f, name, out, e) : 0;
}

static int read_arch(const gguf_file *f, llm_config *c, errmsg *e)
{
    static const struct {
        const char *name;
        llm_arch arch;
        op_rope_mode rope;
    } archs[] = {{"qwen2", LLM_QWEN2, OP_ROPE_NEOX},
                 {"qwen2vl", LLM_QWEN2VL, OP_ROPE_MROPE},
                 {"llama", LLM_LLAMA, OP_ROPE_NORMAL}};
    const char *name;
    if (gguf_get_str(f, "general.architecture", &name, e))
        return e->code;
    for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++)
        if (strcmp(name, archs[i].name) == 0) {
            c->arch = archs[i].arch;
            c->arch_name = archs[i].name;
            c->rope_mode = archs[i].rope;
            return 0;
        }
    return err_set(e, ERR_FAIL, "%s: architecture '%s' is not supported (qwen2, qwen2vl, llama)",
                   gguf_path(f), name);
}

static int read_sections(const gguf_file *f, llm_config *c, errmsg *e)
{
    const gguf_value *v;
    if (gguf_get_arr(f, "qwen2vl.rope.dimension_sections", -1, &v, e))
        return e->code;
    int sum = 0;
    for (uint64_t i = 0; i < 4; i++) {
        int64_t x = 0;
        if (gguf_arr_count(v) != 4 || gguf_arr_i64(v, i, &x) || x < 0 || x > 4096)
            return err_set(e, ERR_FAIL,
                           "%s: qwen2vl.rope.dimension_sections must be 4 small "
                           "non-negative integers",
                           gguf_path(f));
        c->rope_sections[i] = (int)x;
        sum += (int)x;
    }
    if (sum != c->head_dim / 2)
        return err_set(e, ERR_FAIL, "%s: rope sections add up to %d pairs, the head has %d",
                       gguf_path(f), sum, c->head_dim / 2);
    return 0;
}

static int read_shape(const gguf_file *f, llm_config *c, errmsg *e)
{
    const char *a = c->arch_name;
    if (get_int(f, a, "embedding_length", &c->n_embd, e) ||
        get_int(f, a, "block_count", &c->n_layer, e) ||
        get_int(f, a, "feed_forward_length", &c->n_ff, e) ||
        get_int(f, a, "attention.head_count", &c->n_head, e) ||
        get_int(f, a, "context_length", &c->n_ctx_train, e) ||
        get_float(f, a, "rope.freq_base", 10000.0f, &c->rope_base, e))
        return e->code;
    c->n_kv_head = c->n_head;
    char key[128];
    snprintf(key, sizeof key, "%s.attention.head_count_kv", a);
    if (gguf_find_key(f, key) && get_int(f, a, "attention.head_count_kv", &c->n_kv_head, e))
        return e->code;
    snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", a);
    if (gguf_get_f32(f, key, &c->rms_eps, e))
        return e->code;
    c->head_dim = c->n_embd / c->n_head;
    snprintf(key, sizeof key, "%s.attention.key_length", a);
    if (gguf_find_key(f, key) && get_int(f, a, "attention.key_length", &c->head_dim, e))
        return e->code;
    if (c->n_head % c->n_kv_head || c->head_dim % 8 || c->head_dim > 256 ||
        (c->n_kv_head * c->head_dim) % 32)
        return err_set(e, ERR_FAIL,
                       "%s: %d heads of %d with %d kv heads: head dim must be a "
                       "multiple of 8 up to 256, kv width a multiple of 32",
                       gguf_path(f), c->n_head, c->head_dim, c->n_kv_head);
    return c->arch == LLM_QWEN2VL ? read_sections(f, c, e) : 0;
}

/* The vocabulary is the embedding's rows; a tokenizer in the file must have as many. */
static int read_vocab(const gguf_file *f, llm_config *c, errmsg *e)
{
    const gguf_tensor *t = gguf_find_tensor(f, "token_embd.weight");
    if (!t)
        return err_set(e, ERR_FAIL, "%s: no tensor 'token_embd.weight'", gguf_path(f));
    c->n_vocab = (int)t->ne[1];
    const gguf_value *tokens = gguf_find_key(f, "tokenizer.ggml.tokens");
    if (tokens && gguf_arr_count(tokens) != (uint64_t)c->n_vocab)
        return err_set(e, ERR_FAIL,
                       "%s: the vocabulary has %" PRIu64 " tokens but "
                       "token_embd.weight has %d rows",
                       gguf_path(f), gguf_arr_count(tokens), c->n_vocab);
    c->tied_output = gguf_find_tensor(f, "output.weight") == NULL;
    c->qkv_bias = gguf_find_tensor(f, "blk.0.attn_q.bias") != NULL;
    return 0;
}

int llm_read_config(const gguf_file *f, llm_config *c, errmsg *e)
{
    memset(c, 0, sizeof *c);
    if (read_arch(f, c, e) || read_shape(f, c, e) || read_vocab(f, c, e))
        return e->code;
    return 0;
}

/* ---- weights -------------------------------------------------------------------------- */

static const tensor *layer_weight(llm *m, int l, const char *what, int64_t ne0, int64_t ne1,
                                  bool optional, errmsg *e)
{
    char name[96];
    snprintf(name, sizeof name, "blk.%d.%s", l, what);
    return wt_get(&m->w, name, ne0, ne1, optional, e);
}

static int bind_layer(llm *m, int l, errmsg *e)
{
    const llm_config *c = &m->c;
    int64_t d = c->n_embd, q = (int64_t)c->n_head * c->head_dim;
    int64_t kvd = (int64_t)c->n_kv_head * c->head_dim;
    llm_layer *L = &m->layers[l];
    e->code = 0;
    L->attn_norm = layer_weight(m, l, "attn_norm.weight", d, 0, false, e);
    L->wq = layer_weight(m, l, "attn_q.weight", d, q, false, e);
    L->wk = layer_weight(m, l, "attn_k.weight", d, kvd, false, e);
    L->wv = layer_weight(m, l, "attn_v.weight", d, kvd, false, e);
    L->bq = layer_weight(m, l, "attn_q.bias", q, 0, !c->qkv_bias, e);
    L->bk = layer_weight(m, l, "attn_k.bias", kvd, 0, !c->qkv_bias, e);
    L->bv = layer_weight(m, l, "attn_v.bias", kvd, 0, !c->qkv_bias, e);
    L->wo = layer_weight(m, l, "attn_output.weight", q, d, false, e);
    L->ffn_norm = layer_weight(m, l, "ffn_norm.weight", d, 0, false, e);
    L->gate = layer_weight(m, l, "ffn_gate.weight", d, c->n_ff, false, e);
    L->up = layer_weight(m, l, "ffn_up.weight", d, c->n_ff, false, e);
    L->down = layer_weight(m, l, "ffn_down.weight", c->n_ff, d, false, e);
    return e->code;
}

static int bind_weights(llm *m, errmsg *e)
{
    const llm_config *c = &m->c;
    e->code = 0;
    m->tok_embd = wt_get(&m->w, "token_embd.weight", c->n_embd, c->n_vocab, false, e);
    m->out_norm = wt_get(&m->w, "output_norm.weight", c->n_embd, 0, false, e);
    m->output = c->tied_output ? m->tok_embd
                               : wt_get(&m->w, "output.weight", c->n_embd, c->n_vocab, false, e);
    if (e->code)
        return e->code;
    if (c->n_embd % 32)
        return err_set(e, ERR_FAIL, "embedding width %d is not a multiple of 32", c->n_embd);
    m->layers = calloc((size_t)c->n_layer, sizeof *m->layers);
    if (!m->layers)
        return err_set(e, ERR_FAIL, "out of host memory");
    for (int l = 0; l < c->n_layer; l++)
        if (bind_layer(m, l, e))
            return e->code;
    return 0;
}

/* Page-table entries per sequence: the context in pages. */
static int max_pages(const llm *m)
{
    return (m->o.n_ctx + m->o.page_size - 1) / m->o.page_size;
}

/* ---- the activation arena ------------------------------------------------------------ */

/* Steps of one layer (and the output) in which each buffer is alive; the plan lets buffers
 * of different steps share bytes. */
static int plan_arena(llm *m, errmsg *e)
{
    const llm_config *c = &m->c;
    uint64_t T = (uint64_t)m->o.max_tokens, R = (uint64_t)m->o.max_outputs;
    uint64_t d = (uint64_t)c->n_embd, q = (uint64_t)c->n_head * (uint64_t)c->head_dim;
    uint64_t kvd = (uint64_t)c->n_kv_head * (uint64_t)c->head_dim, ff = (uint64_t)c->n_ff;
    uint64_t meta = 2 * T + (uint64_t)m->o.max_seqs * (uint64_t)max_pages(m);
    const struct {
        uint64_t floats;
        int first, last;
    } items[A_COUNT] = {
        [A_IDS] = {T, 0, 99},
        [A_POS] = {4 * T, 0, 99},
        [A_SLOTS] = {T, 0, 99},
        [A_META] = {meta, 0, 99},
        [A_OUT] = {R, 0, 99},
        [A_EMBD] = {T * d, 0, 1},
        [A_EMBD_AT] = {T, 0, 1},
        [A_X] = {T * d, 0, 99},
        [A_XN] = {T * d, 2, 9},
        [A_Q] = {T * q, 3, 4},
        [A_K] = {T * kvd, 3, 4},
        [A_V] = {T * kvd, 3, 5},
        [A_QR] = {T * q, 4, 6},
        [A_KR] = {T * kvd, 4, 5},
        [A_ATT] = {T * q, 6, 7},
        [A_O] = {T * d, 7, 11},
        [A_GATE] = {T * ff, 9, 11},
        [A_UP] = {T * ff, 9, 10},
        [A_XO] = {R * d, 20, 21},
        [A_XON] = {R * d, 21, 22},
        [A_LOGITS] = {R * (uint64_t)c->n_vocab, 22, 99},
    };
    for (int i = 0; i < A_COUNT; i++)
        if (plan_add(&m->plan, items[i].floats * 4, items[i].first, items[i].last) != i)
            return err_set(e, ERR_FAIL, "out of host memory");
    uint64_t align = vk_caps_of(m->ctx)->min_storage_offset_align;
    if (plan_solve(&m->plan, align > 256 ? align : 256))
        return err_set(e, ERR_FAIL, "out of host memory");
    if (vk_buf_alloc(m->ctx, m->plan.total, &m->arena, e))
        return err_prefix(e, "activations for %d tokens per step: ", m->o.max_tokens);
    m->meta = malloc(meta * sizeof *m->meta);
    return m->meta ? 0 : err_set(e, ERR_FAIL, "out of host memory");
}

/* A view of arena buffer a as ne0 x ne1 x ne2 elements of type t. */
static tensor view(const llm *m, int a, dtype t, int64_t ne0, int64_t ne1, int64_t ne2)
{
    return (tensor){t, {ne0, ne1, ne2, 1}, &m->arena, m->plan.items[a].offset};
}

/* ---- loading -------------------------------------------------------------------------- */

static int check_opts(const llm_config *c, llm_opts *o, errmsg *e)
{
    if (o->n_ctx <= 0)
        o->n_ctx = c->n_ctx_train < 4096 ? c->n_ctx_train : 4096;
    if (o->max_tokens < 1 || o->max_outputs < 1 || o->max_seqs < 1 || o->page_size < 1 ||
        o->n_ctx < 1 || o->max_outputs > o->max_tokens)
        return err_set(e, ERR_ENV,
                       "bad decoder options (%d tokens, %d outputs, %d sequences, "
                       "context %d, pages of %d)",
                       o->max_tokens, o->max_outputs, o->max_seqs, o->n_ctx, o->page_size);
    return 0;
}

int llm_load(vk_ctx *ctx, const gguf_file *f, const llm_opts *o, llm **out, errmsg *e)
{
    *out = NULL;
    llm *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_FAIL, "out of host memory");
    m->ctx = ctx;
    m->o = o ? *o : llm_default_opts();
    /* Configuration errors name the file already; the others get it here. */
    int rc = llm_read_config(f, &m->c, e) || check_opts(&m->c, &m->o, e);
    if (!rc && (wt_upload(ctx, f, &m->w, e) || bind_weights(m, e) || plan_arena(m, e)))
        rc = err_prefix(e, "%s: ", gguf_path(f));
    if (rc) {
        llm_free(m);
        return e->code ? e->code : ERR_FAIL;
    }
    *out = m;
    return 0;
}

void llm_free(llm *m)
{
    if (!m)
        return;
    for (int i = 0; i < RECORDED_MAX; i++)
        vk_seq_free(m->rec[i].seq);
    vk_buf_free(m->ctx, &m->arena);
    wt_free(m->ctx, &m->w);
    plan_free(&m->plan);
    free(m->layers);
    free(m->meta);
    free(m);
}

const llm_config *llm_config_of(const llm *m)
{
    return &m->c;
}

const llm_opts *llm_opts_of(const llm *m)
{
    return &m->o;
}

vk_ctx *llm_ctx(const llm *m)
{
    return m->ctx;
}

int llm_new_cache(llm *m, int n_pages, kv_cache **out, errmsg *e)
{
    const llm_config *c = &m->c;
    int kv_dim = c->n_kv_head * c->head_dim, P = m->o.page_size;
    int pages = max_pages(m);
    if (n_pages <= 0) {
        uint64_t in_use, allocated, have = vk_caps_of(m->ctx)->device_local_bytes;
        vk_mem_usage(m->ctx, &in_use, &allocated);
        uint64_t left = have > allocated ? (have - allocated) / 2 : 0;
        uint64_t per_page = kv_bytes(c->n_layer, kv_dim, 1, P);
        uint64_t by_range = vk_caps_of(m->ctx)->max_storage_range / ((uint64_t)P * kv_dim * 2);
        uint64_t want = (uint64_t)m->o.max_seqs * (uint64_t)pages;
        uint64_t n = left / per_page;
        n = n < by_range ? n : by_range;
        n_pages = (int)(n < want ? n : want);
    }
    return kv_new(m->ctx, c->n_layer, kv_dim, n_pages, P, pages, out, e);
}

void llm_text_positions(int first, int n, int32_t *pos)
{
    for (int i = 0; i < n; i++) {
        pos[4 * i] = pos[4 * i + 1] = pos[4 * i + 2] = first + i;
        pos[4 * i + 3] = 0;
    }
}

/* ---- the forward graph ---------------------------------------------------------------- */

/* The arena's buffers as tensors for one batch shape. */
typedef struct acts {
    tensor ids, pos, slots, meta, out, embd, embd_at;
    tensor x, xn, q, k, v, qh, kh, qr, kr, kr_rows, att, att_rows, o, gate, up, ffn;
    tensor xo, xon, logits;
} acts;

static int meta_ints(const llm *m, int T)
{
    return 2 * T + m->o.max_seqs * max_pages(m);
}

static void make_acts(const llm *m, int T, int n_out, int n_embd_rows, acts *a)
{
    const llm_config *c = &m->c;
    int hd = c->head_dim, qd = c->n_head * hd, kvd = c->n_kv_head * hd, d = c->n_embd;
    a->ids = view(m, A_IDS, DT_I32, T, 1, 1);
    a->pos = view(m, A_POS, DT_I32, 4, T, 1);
    a->slots = view(m, A_SLOTS, DT_I32, T, 1, 1);
    a->meta = view(m, A_META, DT_I32, meta_ints(m, T), 1, 1);
    a->out = view(m, A_OUT, DT_I32, n_out, 1, 1);
    a->embd = view(m, A_EMBD, DT_F32, d, n_embd_rows ? n_embd_rows : 1, 1);
    a->embd_at = view(m, A_EMBD_AT, DT_I32, n_embd_rows ? n_embd_rows : 1, 1, 1);
    a->x = view(m, A_X, DT_F32, d, T, 1);
    a->xn = view(m, A_XN, DT_F32, d, T, 1);
    a->q = view(m, A_Q, DT_F32, qd, T, 1);
    a->qh = view(m, A_Q, DT_F32, hd, c->n_head, T);
    a->k = view(m, A_K, DT_F32, kvd, T, 1);
    a->kh = view(m, A_K, DT_F32, hd, c->n_kv_head, T);
    a->v = view(m, A_V, DT_F32, kvd, T, 1);
    a->qr = view(m, A_QR, DT_F32, hd, c->n_head, T);
    a->kr = view(m, A_KR, DT_F32, hd, c->n_kv_head, T);
    a->kr_rows = view(m, A_KR, DT_F32, kvd, T, 1);
    a->att = view(m, A_ATT, DT_F32, hd, c->n_head, T);
    a->att_rows = view(m, A_ATT, DT_F32, qd, T, 1);
    a->o = view(m, A_O, DT_F32, d, T, 1);
    a->gate = view(m, A_GATE, DT_F32, c->n_ff, T, 1);
    a->up = view(m, A_UP, DT_F32, c->n_ff, T, 1);
    a->ffn = view(m, A_O, DT_F32, d, T, 1);
    a->xo = view(m, A_XO, DT_F32, d, n_out, 1);
    a->xon = view(m, A_XON, DT_F32, d, n_out, 1);
    a->logits = view(m, A_LOGITS, DT_F32, c->n_vocab, n_out, 1);
}

typedef struct graph {
    llm *m;
    const kv_cache *kv;
    vk_seq *s;
    acts a;
    errmsg *e;
} graph;

static int rec(graph *g, op_node nd)
{
    return op_record(g->s, &nd, g->e);
}

/* y = W x (+ b), for every token row of x. */
static int linear(graph *g, tensor *y, const tensor *w, const tensor *b, const tensor *x)
{
    op_node mm = {.kind = OP_MATMUL, .dst = y, .src = {w, x}, .shape = g->m->o.matmul};
    if (rec(g, mm))
        return ERR_FAIL;
    return b ? rec(g, (op_node){.kind = OP_ADD, .dst = y, .src = {y, b}, .label = "bias"}) : 0;
}

static int record_attention(graph *g, int l)
{
    const llm *m = g->m;
    const llm_config *c = &m->c;
    const llm_layer *L = &m->layers[l];
    acts *a = &g->a;
    const tensor *keys = kv_keys(g->kv, l), *values = kv_values(g->kv, l);
    op_rope rope = {c->rope_mode, c->head_dim, c->rope_base, {0}};
    memcpy(rope.sections, c->rope_sections, sizeof rope.sections);
    op_attn attn = {m->o.page_size, max_pages(m), 1.0f / sqrtf((float)c->head_dim)};
    if (rec(g, (op_node){.kind = OP_RMS_NORM,
                         .dst = &a->xn,
                         .src = {&a->x, L->attn_norm},
                         .eps = c->rms_eps}) ||
        linear(g, &a->q, L->wq, L->bq, &a->xn) || linear(g, &a->k, L->wk, L->bk, &a->xn) ||
        linear(g, &a->v, L->wv, L->bv, &a->xn) ||
        rec(g, (op_node){.kind = OP_ROPE, .dst = &a->qr, .src = {&a->qh, &a->pos}, .rope = rope}) ||
        rec(g, (op_node){.kind = OP_ROPE, .dst = &a->kr, .src = {&a->kh, &a->pos}, .rope = rope}) ||
        rec(g, (op_node){.kind = OP_SET_ROWS, .dst = keys, .src = {&a->kr_rows, &a->slots}}) ||
        rec(g, (op_node){.kind = OP_SET_ROWS, .dst = values, .src = {&a->v, &a->slots}}) ||
        rec(g, (op_node){.kind = OP_ATTENTION,
                         .dst = &a->att,
                         .src = {&a->qr, keys, values, &a->meta},
                         .attn = attn}) ||
        linear(g, &a->o, L->wo, NULL, &a->att_rows))
        return ERR_FAIL;
    return rec(g, (op_node){.kind = OP_ADD, .dst = &a->x, .src = {&a->x, &a->o}});
}

/* x += down(silu(gate(n)) * up(n)), n = RMSNorm(x). */
static int record_ffn(graph *g, int l)
{
    const llm_layer *L = &g->m->layers[l];
    acts *a = &g->a;
    if (rec(g, (op_node){.kind = OP_RMS_NORM,
                         .dst = &a->xn,
                         .src = {&a->x, L->ffn_norm},
                         .eps = g->m->c.rms_eps}) ||
        linear(g, &a->gate, L->gate, NULL, &a->xn) || linear(g, &a->up, L->up, NULL, &a->xn) ||
        rec(g, (op_node){.kind = OP_SILU, .dst = &a->gate, .src = {&a->gate}}) ||
        rec(g, (op_node){.kind = OP_MUL, .dst = &a->gate, .src = {&a->gate, &a->up}}) ||
        linear(g, &a->ffn, L->down, NULL, &a->gate))
        return ERR_FAIL;
    return rec(g, (op_node){.kind = OP_ADD, .dst = &a->x, .src = {&a->x, &a->ffn}});
}

/* Token rows (embeddings replacing some), the layers, then logits of the wanted rows. */
static int record_graph(graph *g, int n_embd_rows)
{
    llm *m = g->m;
    acts *a = &g->a;
    if (rec(g, (op_node){.kind = OP_GET_ROWS, .dst = &a->x, .src = {m->tok_embd, &a->ids}}))
        return ERR_FAIL;
    if (n_embd_rows &&
        rec(g, (op_node){.kind = OP_SET_ROWS, .dst = &a->x, .src = {&a->embd, &a->embd_at}}))
        return ERR_FAIL;
    for (int l = 0; l < m->c.n_layer; l++)
        if (record_attention(g, l) || record_ffn(g, l))
            return ERR_FAIL;
    if (rec(g, (op_node){.kind = OP_GET_ROWS, .dst = &a->xo, .src = {&a->x, &a->out}}) ||
        rec(g, (op_node){.kind = OP_RMS_NORM,
                         .dst = &a->xon,
                         .src = {&a->xo, m->out_norm},
                         .eps = m->c.rms_eps}))
        return ERR_FAIL;
    return linear(g, &a->logits, m->output, NULL, &a->xon);
}

/* The recorded sequence for this batch shape, recording it on first use; the least
 * recently used recording makes room. */
static vk_seq *recording(llm *m, const kv_cache *kv, const llm_batch *b, errmsg *e)
{
    recorded *slot = &m->rec[0];
    for (int i = 0; i < RECORDED_MAX; i++) {
        recorded *r = &m->rec[i];
        if (r->seq && r->kv == kv && r->n == b->n && r->n_out == b->n_out &&
            r->n_embd_rows == b->n_embd_rows) {
            r->last_use = ++m->steps;
            return r->seq;
        }
        if (!r->seq || r->last_use < slot->last_use)
            slot = r;
    }
    vk_seq_free(slot->seq);
    *slot = (recorded){kv, b->n, b->n_out, b->n_embd_rows, NULL, ++m->steps};
    graph g = {.m = m, .kv = kv, .s = vk_seq_begin(m->ctx, false, e), .e = e};
    if (!g.s)
        return NULL;
    make_acts(m, b->n, b->n_out, b->n_embd_rows, &g.a);
    if (record_graph(&g, b->n_embd_rows)) {
        vk_seq_free(g.s);
        return NULL;
    }
    slot->seq = g.s;
    return g.s;
}

/* ---- a step --------------------------------------------------------------------------- */

static int check_batch(const llm *m, const kv_cache *kv, const llm_batch *b, errmsg *e)
{
    if (b->n < 1 || b->n > m->o.max_tokens || b->n_out < 1 || b->n_out > m->o.max_outputs ||
        b->n_embd_rows < 0 || b->n_embd_rows > b->n)
        return err_set(e, ERR_FAIL,
                       "batch of %d tokens, %d outputs, %d embedding rows: "
                       "outside 1..%d tokens, 1..%d outputs",
                       b->n, b->n_out, b->n_embd_rows, m->o.max_tokens, m->o.max_outputs);
    for (int i = 0; i < b->n; i++) {
        if (b->ids[i] < 0 || b->ids[i] >= m->c.n_vocab)
            return err_set(e, ERR_FAIL, "token %d: id %d is not in the vocabulary of %d", i,
                           (int)b->ids[i], m->c.n_vocab);
        if (!kv_seq_valid(kv, b->seq[i]))
            return err_set(e, ERR_FAIL, "token %d: sequence %d does not exist", i, b->seq[i]);
    }
    for (int i = 0; i < b->n_out; i++)
        if (b->out[i] < 0 || b->out[i] >= b->n)
            return err_set(e, ERR_FAIL, "output %d names token %d of %d", i, b->out[i], b->n);
    for (int i = 0; i < b->n_embd_rows; i++)
        if (b->embd_at[i] < 0 || b->embd_at[i] >= b->n)
            return err_set(e, ERR_FAIL, "embedding row %d names token %d of %d", i, b->embd_at[i],
                           b->n);
    return 0;
}

/* Checks every sequence has room for its tokens, before any is appended. */
static int check_room(const kv_cache *kv, const llm_batch *b, errmsg *e)
{
    for (int i = 0; i < b->n; i++) {
        int wanted = 0;
        for (int j = 0; j < b->n; j++)
            wanted += b->seq[j] == b->seq[i];
        if (kv_room(kv, b->seq[i]) < wanted)
            return err_set(e, ERR_FAIL,
                           "sequence %d has room for %d tokens, the batch has %d "
                           "(kv_reserve first)",
                           b->seq[i], kv_room(kv, b->seq[i]), wanted);
    }
    return 0;
}

/* Appends the tokens to their sequences and fills the slots and the attention metadata:
 * per token its row in the page tables and its key count, then the tables. */
static int fill_meta(llm *m, kv_cache *kv, const llm_batch *b, int32_t *slots, errmsg *e)
{
    int n = b->n, rows = 0, max_pages = kv_max_pages(kv);
    int *row_seq = malloc((size_t)n * sizeof *row_seq);
    if (!row_seq)
        return err_set(e, ERR_FAIL, "out of host memory");
    for (int i = 0; i < n; i++) {
        int r = 0;
        while (r < rows && row_seq[r] != b->seq[i])
            r++;
        if (r == rows && rows == m->o.max_seqs) {
            free(row_seq);
            return err_set(e, ERR_FAIL, "batch spans more than %d sequences", m->o.max_seqs);
        }
        if (r == rows)
            row_seq[rows++] = b->seq[i];
        slots[i] = kv_append(kv, b->seq[i]);
        m->meta[2 * i] = r;
        m->meta[2 * i + 1] = kv_len(kv, b->seq[i]);
    }
    for (int r = 0; r < rows; r++)
        kv_table(kv, row_seq[r], m->meta + 2 * n + r * max_pages);
    free(row_seq);
    return 0;
}

static int upload(llm *m, int a, const void *data, size_t bytes, errmsg *e)
{
    return bytes ? vk_buf_write(m->ctx, &m->arena, m->plan.items[a].offset, data, bytes, e) : 0;
}

static int upload_inputs(llm *m, kv_cache *kv, const llm_batch *b, errmsg *e)
{
    int32_t *slots = malloc((size_t)b->n * sizeof *slots);
    if (!slots)
        return err_set(e, ERR_FAIL, "out of host memory");
    size_t n = (size_t)b->n, d = (size_t)m->c.n_embd;
    int rc = fill_meta(m, kv, b, slots, e);
    if (!rc)
        rc = upload(m, A_IDS, b->ids, n * 4, e) || upload(m, A_POS, b->pos, 4 * n * 4, e) ||
             upload(m, A_SLOTS, slots, n * 4, e) ||
             upload(m, A_META, m->meta, (size_t)meta_ints(m, b->n) * 4, e) ||
             upload(m, A_OUT, b->out, (size_t)b->n_out * 4, e) ||
             upload(m, A_EMBD, b->embd, (size_t)b->n_embd_rows * d * 4, e) ||
             upload(m, A_EMBD_AT, b->embd_at, (size_t)b->n_embd_rows * 4, e);
    free(slots);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

void llm_step_times(const llm *m, double *host_s, double *run_s)
{
    *host_s = m->host_s;
    *run_s = m->run_s;
}

int llm_step(llm *m, kv_cache *kv, const llm_batch *b, float *logits, errmsg *e)
{
    double t0 = now_seconds();
    if (kv_page_size(kv) != m->o.page_size || kv_max_pages(kv) != max_pages(m))
        return err_set(e, ERR_FAIL, "this cache was not made for this model (llm_new_cache)");
    if (check_batch(m, kv, b, e) || check_room(kv, b, e))
        return e->code;
    vk_seq *s = recording(m, kv, b, e);
    if (!s || upload_inputs(m, kv, b, e))
        return e->code ? e->code : ERR_FAIL;
    double t1 = now_seconds();
    if (vk_seq_run(s, e))
        return e->code;
    double t2 = now_seconds();
    size_t bytes = (size_t)b->n_out * (size_t)m->c.n_vocab * sizeof *logits;
    int rc = vk_buf_read(m->ctx, &m->arena, m->plan.items[A_LOGITS].offset, logits, bytes, e);
    m->host_s = (t1 - t0) + (now_seconds() - t2);
    m->run_s = t2 - t1;
    return rc;
}
