/* vlm_driver.c - runs vkeve's vision encoder and multimodal prompts for the golden tests
 * (tests/reference/vlm_golden.py), which compare what it writes with the PyTorch reference:
 *
 *   vlm_driver embed MMPROJ IMAGE MIN MAX OUT
 *       the image's merged-token rows as float32 (OUT), its grid on stdout ("t h w")
 *   vlm_driver prompt MODEL MMPROJ MIN MAX N OUT TEXT IMAGE...
 *       one user message (the images, then TEXT) in the model's chat format; OUT is JSON:
 *       ids, grids, positions, the last prompt token's logits (prefilled in steps of the
 *       decoder's batch size, image rows spliced) and N greedy tokens from vlm_generate
 *
 * A first argument --shape rows makes every matmul use the storage rows shape, which keeps
 * activations exact with quantized weights (--shape auto: the default shape).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "evolve/vlm.h"
#include "vision/img_io.h"

static int fail(const errmsg *e)
{
    fprintf(stderr, "vlm_driver: %s\n", e->text);
    return 1;
}

static vlm_opts options(op_shape shape, const char *min, const char *max)
{
    vlm_opts o = vlm_default_opts();
    o.llm.matmul = shape;
    o.cache_pages = 256;
    o.pre.min_pixels = atol(min);
    o.pre.max_pixels = atol(max);
    return o;
}

static int embed(vk_ctx *ctx, op_shape shape, char **a)
{
    errmsg e = {0};
    vlm_opts o = options(shape, a[2], a[3]);
    gguf_file *f = NULL;
    vit *v = NULL;
    img *im = img_load(a[1], 0, &e);
    vpre_out px = {0};
    float *rows = NULL;
    int rc = !im || gguf_open(a[0], &f, &e) || vit_load(ctx, f, shape, &v, &e);
    if (!rc) {
        const vit_config *c = vit_config_of(v);
        for (int i = 0; i < 3; i++)
            o.pre.mean[i] = c->mean[i], o.pre.std[i] = c->std[i];
        rc = vpre_image(im, &o.pre, &px, &e);
    }
    if (!rc) {
        size_t bytes = (size_t)px.n_tokens * (size_t)vit_config_of(v)->n_out * sizeof *rows;
        rc = !(rows = malloc(bytes)) || vit_encode(v, px.pixels, px.grid_h, px.grid_w, rows, &e) ||
             afile_save(a[4], rows, bytes, &e);
        printf("%d %d %d\n", px.grid_t, px.grid_h, px.grid_w);
    }
    free(rows);
    vpre_free(&px);
    vit_free(v);
    gguf_close(f);
    img_free(im);
    return rc ? fail(&e) : 0;
}

/* The prompt in steps of the decoder's batch size; the last step's logits into logits. */
static int prefill(vlm *v, const vlm_prompt *p, float *logits, errmsg *e)
{
    llm *m = vlm_llm(v);
    kv_cache *kv = vlm_kv(v);
    int chunk = llm_opts_of(m)->max_tokens, n = (int)p->ids.n, s = kv_seq_new(kv, e);
    int *seq = malloc((size_t)chunk * sizeof *seq), *at = malloc((size_t)chunk * sizeof *at);
    int rc = s < 0 || !seq || !at;
    for (int from = 0; !rc && from < n; from += chunk) {
        int len = n - from < chunk ? n - from : chunk, rows = 0, out = len - 1;
        const float *embd = NULL;
        for (int r = 0; r < p->n_embd_rows; r++)
            if (p->embd_at[r] >= from && p->embd_at[r] < from + len) {
                embd = embd ? embd : p->embd + (size_t)r * llm_config_of(m)->n_embd;
                at[rows++] = p->embd_at[r] - from;
            }
        for (int i = 0; i < len; i++)
            seq[i] = s;
        llm_batch b = {len, p->ids.v + from, p->pos + 4 * from, seq, embd, at, rows, &out, 1};
        rc = kv_reserve(kv, s, len, e) || llm_step(m, kv, &b, logits, e);
    }
    if (s >= 0)
        kv_free_seq(kv, s);
    free(seq), free(at);
    return rc ? ERR_FAIL : 0;
}

static cJSON *floats(const float *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static cJSON *ints(const int32_t *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static int write_json(const char *path, const vlm_prompt *p, const float *logits, int n_vocab,
                      const gen_sample *g, errmsg *e)
{
    cJSON *o = cJSON_CreateObject(), *grids = cJSON_CreateArray(), *pos = cJSON_CreateArray();
    cJSON_AddItemToObject(o, "ids", ints(p->ids.v, (int)p->ids.n));
    for (int i = 0; i < p->n_images; i++)
        cJSON_AddItemToArray(grids,
                             ints((int32_t[]){p->grids[i].t, p->grids[i].h, p->grids[i].w}, 3));
    cJSON_AddItemToObject(o, "grids", grids);
    for (size_t i = 0; i < p->ids.n; i++)
        cJSON_AddItemToArray(pos, ints(p->pos + 4 * i, 4));
    cJSON_AddItemToObject(o, "positions", pos);
    cJSON_AddNumberToObject(o, "next_pos", p->next_pos);
    cJSON_AddItemToObject(o, "logits", floats(logits, n_vocab));
    cJSON_AddItemToObject(o, "greedy", ints(g->ids, g->n));
    char *text = cJSON_PrintUnformatted(o);
    int rc = afile_save(path, text, strlen(text), e);
    free(text);
    cJSON_Delete(o);
    return rc;
}

static int prompt(vk_ctx *ctx, op_shape shape, int argc, char **a)
{
    errmsg e = {0};
    vlm_opts o = options(shape, a[2], a[3]);
    int n_images = argc - 7, rc = 0;
    img **images = calloc((size_t)n_images, sizeof *images);
    vlm_part *parts = calloc((size_t)n_images + 1, sizeof *parts);
    for (int i = 0; i < n_images && !rc; i++) {
        rc = !(images[i] = img_load(a[7 + i], 0, &e));
        parts[i] = VLM_IMAGE(images[i]);
    }
    parts[n_images] = (vlm_part){a[6], strlen(a[6]), NULL};
    vlm_msg msg = {CHAT_USER, parts, n_images + 1};
    vlm *v = NULL;
    vlm_prompt p = {0};
    gen_result *res = NULL;
    float *logits = NULL;
    rc = rc || vlm_open(ctx, a[0], a[1], &o, &v, &e) || vlm_prompt_make(v, &msg, 1, &p, &e);
    if (!rc) {
        int n_vocab = llm_config_of(vlm_llm(v))->n_vocab;
        gen_request r = gen_default_request();
        vlm_prompt_request(&p, &r);
        r.sampling.temperature = 0;
        r.max_tokens = atoi(a[4]);
        rc = !(logits = malloc((size_t)n_vocab * sizeof *logits)) || prefill(v, &p, logits, &e) ||
             vlm_generate(v, &r, 1, NULL, &res, &e) ||
             write_json(a[5], &p, logits, n_vocab, &res[0].samples[0], &e);
    }
    gen_results_free(res, 1);
    free(logits);
    vlm_prompt_free(&p);
    vlm_close(v);
    for (int i = 0; i < n_images; i++)
        img_free(images[i]);
    free(images), free(parts);
    return rc ? fail(&e) : 0;
}

int main(int argc, char **argv)
{
    op_shape shape = OP_SHAPE_AUTO;
    if (argc > 2 && !strcmp(argv[1], "--shape")) {
        shape = !strcmp(argv[2], "rows") ? OP_SHAPE_ROWS : OP_SHAPE_AUTO;
        argc -= 2, argv += 2;
    }
    bool is_embed = argc == 7 && !strcmp(argv[1], "embed");
    if (!is_embed && !(argc >= 10 && !strcmp(argv[1], "prompt"))) {
        fprintf(stderr, "usage: vlm_driver [--shape auto|rows] embed MMPROJ IMAGE MIN MAX OUT\n"
                        "       vlm_driver [--shape auto|rows] prompt MODEL MMPROJ MIN MAX N OUT TEXT "
                        "IMAGE...\n");
        return 2;
    }
    errmsg e = {0};
    vk_ctx *ctx = vk_open(-1, &e);
    if (!ctx)
        return fail(&e);
    int rc = is_embed ? embed(ctx, shape, argv + 2) : prompt(ctx, shape, argc - 2, argv + 2);
    vk_close(ctx);
    return rc;
}
