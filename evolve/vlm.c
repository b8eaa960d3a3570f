/* vlm.c - the decoder, the vision encoder and multimodal prompts (see vlm.h). */
#include "evolve/vlm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "evolve/batch.h"

/* An encoded image, found again by the hash of its pixels and the size bounds. */
typedef struct vlm_cached {
    uint8_t key[BATCH_SHA256_SIZE];
    vlm_grid grid;
    float *rows;
    int n_rows;
    unsigned long last_use;
} vlm_cached;

struct vlm {
    vk_ctx *ctx;
    vlm_opts o;
    gguf_file *model_file;
    tok *t;
    chat_fmt chat;
    llm *m;
    kv_cache *kv;
    vit *v;
    vlm_cached *cache;
    int n_cached;
    unsigned long uses;
    vlm_stats stats;
};

vlm_opts vlm_default_opts(void)
{
    return (vlm_opts){llm_default_opts(), vpre_params_qwen(), CHAT_AUTO, 0, 64};
}

/* The encoder: its file is only needed while the weights upload. Its normalisation and, when
 * the file has them, its pixel bounds replace the defaults. */
static int open_vision(vlm *v, const char *path, errmsg *e)
{
    gguf_file *f;
    if (gguf_open(path, &f, e))
        return e->code;
    int rc = vit_load(v->ctx, f, v->o.llm.matmul, &v->v, e);
    gguf_close(f);
    if (rc)
        return rc;
    if (vit_check_text(v->v, llm_config_of(v->m), e))
        return err_prefix(e, "%s: ", path);
    const vit_config *c = vit_config_of(v->v);
    for (int i = 0; i < 3; i++)
        v->o.pre.mean[i] = c->mean[i], v->o.pre.std[i] = c->std[i];
    v->o.pre.patch = c->patch, v->o.pre.merge = c->merge;
    if (c->min_pixels && c->max_pixels)
        v->o.pre.min_pixels = c->min_pixels, v->o.pre.max_pixels = c->max_pixels;
    return 0;
}

int vlm_open(vk_ctx *ctx, const char *model_path, const char *mmproj_path, const vlm_opts *o,
             vlm **out, errmsg *e)
{
    *out = NULL;
    vlm *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_FAIL, "out of host memory");
    v->ctx = ctx;
    v->o = o ? *o : vlm_default_opts();
    int rc = gguf_open(model_path, &v->model_file, e) || tok_load(v->model_file, &v->t, e) ||
             chat_init(&v->chat, v->t, v->model_file, v->o.chat, e) ||
             llm_load(ctx, v->model_file, &v->o.llm, &v->m, e);
    if (!rc && mmproj_path)
        rc = open_vision(v, mmproj_path, e);
    if (!rc)
        rc = llm_new_cache(v->m, v->o.cache_pages, &v->kv, e);
    if (rc) {
        vlm_close(v);
        return e->code ? e->code : ERR_FAIL;
    }
    *out = v;
    return 0;
}

void vlm_close(vlm *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n_cached; i++)
        free(v->cache[i].rows);
    free(v->cache);
    kv_free(v->kv);
    vit_free(v->v);
    llm_free(v->m);
    tok_free(v->t);
    gguf_close(v->model_file);
    free(v);
}

int vlm_set_pixel_bounds(vlm *v, int64_t min_pixels, int64_t max_pixels, errmsg *e)
{
    int64_t lo = min_pixels ? min_pixels : v->o.pre.min_pixels;
    int64_t hi = max_pixels ? max_pixels : v->o.pre.max_pixels;
    if (lo < 1 || lo > hi)
        return err_set(e, ERR_ENV, "pixel bounds %lld .. %lld are not a range", (long long)lo,
                       (long long)hi);
    v->o.pre.min_pixels = lo, v->o.pre.max_pixels = hi;
    return 0;
}

llm *vlm_llm(const vlm *v)
{
    return v->m;
}

kv_cache *vlm_kv(const vlm *v)
{
    return v->kv;
}

const tok *vlm_tok(const vlm *v)
{
    return v->t;
}

const chat_fmt *vlm_chat(const vlm *v)
{
    return &v->chat;
}

int vlm_has_vision(const vlm *v)
{
    return v->v != NULL;
}

vlm_stats vlm_stats_of(const vlm *v)
{
    return v->stats;
}

/* ---- images ------------------------------------------------------------------------- */

static void image_key(const vlm *v, const img *im, uint8_t key[BATCH_SHA256_SIZE])
{
    size_t bytes = (size_t)im->w * (size_t)im->h * (size_t)img_channels(im->mode);
    uint8_t px[BATCH_SHA256_SIZE];
    batch_sha256(im->px, bytes, px);
    struct {
        uint8_t px[BATCH_SHA256_SIZE];
        int64_t w, h, mode, min_pixels, max_pixels;
    } id = {{0}, im->w, im->h, im->mode, v->o.pre.min_pixels, v->o.pre.max_pixels};
    memcpy(id.px, px, sizeof px);
    batch_sha256(&id, sizeof id, key);
}

static vlm_cached *cache_find(vlm *v, const uint8_t key[BATCH_SHA256_SIZE])
{
    for (int i = 0; i < v->n_cached; i++)
        if (memcmp(v->cache[i].key, key, BATCH_SHA256_SIZE) == 0) {
            v->cache[i].last_use = ++v->uses;
            return &v->cache[i];
        }
    return NULL;
}

/* A free cache entry: a new one while below the limit, else the least recently used. */
static vlm_cached *cache_slot(vlm *v, errmsg *e)
{
    int limit = v->o.image_cache > 0 ? v->o.image_cache : 1;
    if (v->n_cached < limit) {
        vlm_cached *grown = realloc(v->cache, (size_t)(v->n_cached + 1) * sizeof *grown);
        if (!grown)
            return err_set(e, ERR_FAIL, "out of host memory"), NULL;
        v->cache = grown;
        memset(&v->cache[v->n_cached], 0, sizeof *v->cache);
        return &v->cache[v->n_cached++];
    }
    vlm_cached *old = &v->cache[0];
    for (int i = 1; i < v->n_cached; i++)
        if (v->cache[i].last_use < old->last_use)
            old = &v->cache[i];
    free(old->rows);
    memset(old, 0, sizeof *old);
    return old;
}

/* The image's embedding rows, from the cache or encoded now. */
static const vlm_cached *encode_image(vlm *v, const img *im, errmsg *e)
{
    uint8_t key[BATCH_SHA256_SIZE];
    image_key(v, im, key);
    vlm_cached *c = cache_find(v, key);
    if (c) {
        v->stats.image_cache_hits++;
        return c;
    }
    double t0 = now_seconds();
    vpre_out px;
    if (vpre_image(im, &v->o.pre, &px, e))
        return NULL;
    int n_out = vit_config_of(v->v)->n_out;
    float *rows = malloc((size_t)px.n_tokens * (size_t)n_out * sizeof *rows);
    if (!rows || vit_encode(v->v, px.pixels, px.grid_h, px.grid_w, rows, e) ||
        !(c = cache_slot(v, e))) {
        if (!rows)
            err_set(e, ERR_FAIL, "out of host memory");
        free(rows);
        vpre_free(&px);
        return NULL;
    }
    memcpy(c->key, key, sizeof key);
    c->grid = (vlm_grid){px.grid_t, px.grid_h, px.grid_w};
    c->rows = rows;
    c->n_rows = (int)px.n_tokens;
    c->last_use = ++v->uses;
    vpre_free(&px);
    v->stats.images_encoded++;
    v->stats.encode_seconds += now_seconds() - t0;
    return c;
}

/* ---- prompts ------------------------------------------------------------------------ */

/* Chat messages with each image part replaced by its pad-token count (smart_resize alone). */
static int chat_messages(vlm *v, const vlm_msg *msgs, int n_msgs, chat_msg *cm, chat_part *parts,
                         int *n_images, errmsg *e)
{
    int k = 0;
    *n_images = 0;
    for (int i = 0; i < n_msgs; i++) {
        cm[i] = (chat_msg){msgs[i].role, parts + k, msgs[i].n_parts};
        for (int j = 0; j < msgs[i].n_parts; j++, k++) {
            const vlm_part *p = &msgs[i].parts[j];
            parts[k] = (chat_part){p->text, p->len, 0};
            if (!p->image)
                continue;
            if (!v->v)
                return err_set(e, ERR_ENV,
                               "this prompt has images but no vision encoder is "
                               "loaded (give the model's mmproj file)");
            int w, h, f = v->o.pre.patch * v->o.pre.merge;
            if (vpre_size(p->image->w, p->image->h, &v->o.pre, &w, &h, e))
                return err_prefix(e, "image %d: ", *n_images + 1);
            parts[k].n_image_tokens = (w / f) * (h / f);
            (*n_images)++;
        }
    }
    return 0;
}

/* Hugging Face's get_rope_index for still images: text (P, P, P, 0) then P + 1; the merged
 * token (r, c) of an image starting at P gets (P, P + r, P + c, 0), and the text after it
 * continues at P + max(rows, cols). */
static void positions(vlm_prompt *p, const size_t *image_at, int merge)
{
    int32_t at = 0;
    size_t i = 0;
    for (int k = 0; k <= p->n_images; k++) {
        size_t end = k < p->n_images ? image_at[k] : p->ids.n;
        for (; i < end; i++, at++)
            p->pos[4 * i] = p->pos[4 * i + 1] = p->pos[4 * i + 2] = at, p->pos[4 * i + 3] = 0;
        if (k == p->n_images)
            break;
        int rows = p->grids[k].h / merge, cols = p->grids[k].w / merge;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++, i++) {
                p->pos[4 * i] = at, p->pos[4 * i + 1] = at + r, p->pos[4 * i + 2] = at + c;
                p->pos[4 * i + 3] = 0;
            }
        at += rows > cols ? rows : cols;
    }
    p->next_pos = at;
}

/* Whether ids[at .. at + n) are all image pads. */
static bool pads_at(const vlm *v, const vlm_prompt *p, size_t at, int n)
{
    if (at + (size_t)n > p->ids.n)
        return false;
    for (int i = 0; i < n; i++)
        if (p->ids.v[at + (size_t)i] != v->chat.image_pad)
            return false;
    return true;
}

/* Encodes every image and places its rows over its pad tokens. */
static int splice_images(vlm *v, const vlm_msg *msgs, int n_msgs, const chat_part *parts,
                         const size_t *image_at, vlm_prompt *p, errmsg *e)
{
    int n_out = llm_config_of(v->m)->n_embd, k = 0, row = 0, part = 0;
    for (int i = 0; i < n_msgs; i++)
        for (int j = 0; j < msgs[i].n_parts; j++, part++) {
            if (!msgs[i].parts[j].image)
                continue;
            const vlm_cached *c = encode_image(v, msgs[i].parts[j].image, e);
            if (!c)
                return err_prefix(e, "image %d: ", k + 1);
            if (c->n_rows != parts[part].n_image_tokens || !pads_at(v, p, image_at[k], c->n_rows))
                return err_set(e, ERR_FAIL,
                               "image %d: the encoder gives %d tokens where the prompt has "
                               "%d <|image_pad|> ids",
                               k + 1, c->n_rows, parts[part].n_image_tokens);
            p->grids[k] = c->grid;
            memcpy(p->embd + (size_t)row * n_out, c->rows, (size_t)c->n_rows * n_out * 4);
            for (int r = 0; r < c->n_rows; r++)
                p->embd_at[row + r] = (int)image_at[k] + r;
            row += c->n_rows;
            k++;
        }
    return 0;
}

int vlm_prompt_make(vlm *v, const vlm_msg *msgs, int n_msgs, vlm_prompt *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    int n_parts = 0;
    for (int i = 0; i < n_msgs; i++)
        n_parts += msgs[i].n_parts;
    chat_msg *cm = calloc((size_t)n_msgs + 1, sizeof *cm);
    chat_part *parts = calloc((size_t)n_parts + 1, sizeof *parts);
    size_t *image_at = calloc((size_t)n_parts + 1, sizeof *image_at);
    int rc = !cm || !parts || !image_at ? err_set(e, ERR_FAIL, "out of host memory") : 0;
    if (!rc)
        rc = chat_messages(v, msgs, n_msgs, cm, parts, &out->n_images, e) ||
             chat_encode(&v->chat, cm, n_msgs, CHAT_GENERATION_PROMPT, &out->ids, image_at, e);
    for (int i = 0; !rc && i < n_parts; i++)
        out->n_embd_rows += parts[i].n_image_tokens;
    if (!rc) {
        size_t d = (size_t)llm_config_of(v->m)->n_embd, rows = (size_t)out->n_embd_rows;
        out->pos = malloc(out->ids.n * 4 * sizeof *out->pos);
        out->embd = malloc((rows ? rows : 1) * d * sizeof *out->embd);
        out->embd_at = malloc((rows ? rows : 1) * sizeof *out->embd_at);
        out->grids = calloc((size_t)out->n_images + 1, sizeof *out->grids);
        if (!out->pos || !out->embd || !out->embd_at || !out->grids)
            rc = err_set(e, ERR_FAIL, "out of host memory");
    }
    if (!rc)
        rc = splice_images(v, msgs, n_msgs, parts, image_at, out, e);
    if (!rc)
        positions(out, image_at, v->o.pre.merge);
    free(cm), free(parts), free(image_at);
    if (rc) {
        vlm_prompt_free(out);
        return e->code ? e->code : ERR_FAIL;
    }
    return 0;
}

void vlm_prompt_free(vlm_prompt *p)
{
    if (!p)
        return;
    tok_ids_free(&p->ids);
    free(p->pos), free(p->embd), free(p->embd_at), free(p->grids);
    memset(p, 0, sizeof *p);
}

void vlm_prompt_request(const vlm_prompt *p, gen_request *r)
{
    r->ids = p->ids.v;
    r->n_ids = (int)p->ids.n;
    r->pos = p->pos;
    r->next_pos = p->next_pos;
    r->embd = p->n_embd_rows ? p->embd : NULL;
    r->embd_at = p->n_embd_rows ? p->embd_at : NULL;
    r->n_embd_rows = p->n_embd_rows;
}

int vlm_generate(vlm *v, const gen_request *reqs, int n, const gen_opts *o, gen_result **out,
                 errmsg *e)
{
    return gen_run(v->m, v->kv, v->t, reqs, n, o, out, e);
}
