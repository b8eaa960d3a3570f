/* bench_vit.c - the vision encoder's and multimodal prompts' speed, as JSON lines:
 *   encode        images/s through the encoder for each --sizes WxH (default 448x448,1024x768),
 *                 the best of --runs (default 2), with the host's share
 *   solver_prompt with --model: time to first token of one prompt with --images (default 5)
 *                 448x448 images and about --text (default 300) text tokens, images encoded
 *                 fresh; then the same prompt with --k (default 5) samples of --k-tokens
 *                 (default 16) against one sample (images cached, prompt computed once)
 *
 *     bench_vit MMPROJ.gguf [--model M.gguf] [--sizes WxH,...] [--runs N] [--images N]
 *               [--text N] [--k K] [--k-tokens N]
 *
 * Images are synthetic (smooth colour fields with noise); sizes stay within EVE's bounds
 * (4,096 .. 1,048,576 pixels), so they are encoded at their own size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/rng.h"
#include "evolve/vlm.h"

typedef struct bench_args {
    const char *mmproj, *model, *sizes;
    int runs, images, text, k, k_tokens;
} bench_args;

static img *synthetic(int w, int h, unsigned stream)
{
    img *im = img_new(w, h, IMG_RGB, NULL, NULL);
    rng r = rng_make(7, stream);
    for (int y = 0; im && y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int v = (x * (c + 1) + y * (3 - c)) * 255 / (w + h) + (int)rng_below(&r, 32);
                im->px[((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c] =
                    (uint8_t)(v > 255 ? 255 : v);
            }
    return im;
}

static int bench_encode(vk_ctx *ctx, const bench_args *a, errmsg *e)
{
    gguf_file *f;
    vit *v = NULL;
    if (gguf_open(a->mmproj, &f, e) || vit_load(ctx, f, OP_SHAPE_AUTO, &v, e))
        return e->code;
    gguf_close(f);
    vpre_params p = vpre_params_eve();
    char sizes[256];
    snprintf(sizes, sizeof sizes, "%s", a->sizes);
    int rc = 0;
    for (char *s = strtok(sizes, ","); s && !rc; s = strtok(NULL, ",")) {
        int w = 0, h = 0;
        if (sscanf(s, "%dx%d", &w, &h) != 2 || w < 1 || h < 1) {
            rc = err_set(e, ERR_ENV, "--sizes: '%s' is not WxH", s);
            break;
        }
        img *im = synthetic(w, h, 1);
        vpre_out px;
        if (!im || vpre_image(im, &p, &px, e)) {
            img_free(im);
            rc = im ? e->code : err_set(e, ERR_FAIL, "out of memory");
            break;
        }
        float *rows = malloc((size_t)px.n_tokens * (size_t)vit_config_of(v)->n_out * 4);
        double best = 1e30, host = 0, run;
        for (int i = 0; i < a->runs && !rc; i++) {
            double t0 = now_seconds();
            rc = vit_encode(v, px.pixels, px.grid_h, px.grid_w, rows, e);
            double t = now_seconds() - t0;
            if (t < best)
                best = t, vit_encode_times(v, &host, &run);
        }
        if (!rc)
            printf("{\"bench\":\"encode\",\"size\":\"%dx%d\",\"patches\":%lld,\"tokens\":%lld,"
                   "\"seconds\":%.4f,\"images_per_s\":%.4f,\"host_s\":%.4f}\n",
                   px.width, px.height, (long long)px.n_patches, (long long)px.n_tokens, best,
                   1.0 / best, host);
        fflush(stdout);
        free(rows);
        vpre_free(&px);
        img_free(im);
    }
    vit_free(v);
    return rc;
}

/* A solver-shaped prompt: the images, then a question of about n_text tokens. */
static char *question(int n_text)
{
    const char *line = "Which of the images shows the result of rotating image_0 by 90 degrees? ";
    size_t len = strlen(line), n = (size_t)n_text / 14 + 1;
    char *q = malloc(n * len + 1);
    for (size_t i = 0; q && i < n; i++)
        memcpy(q + i * len, line, len + 1);
    return q;
}

static double generate(vlm *v, const vlm_prompt *p, int samples, int tokens, errmsg *e)
{
    gen_request r = gen_default_request();
    vlm_prompt_request(p, &r);
    r.n_samples = samples;
    r.max_tokens = tokens;
    gen_result *res = NULL;
    double t0 = now_seconds();
    int rc = vlm_generate(v, &r, 1, NULL, &res, e);
    double t = now_seconds() - t0;
    gen_results_free(res, 1);
    return rc ? -1 : t;
}

static int bench_prompt(vk_ctx *ctx, const bench_args *a, errmsg *e)
{
    vlm_opts o = vlm_default_opts();
    o.pre = vpre_params_eve();
    vlm *v;
    if (vlm_open(ctx, a->model, a->mmproj, &o, &v, e))
        return e->code;
    img *ims[16] = {0};
    vlm_part parts[17];
    int n = a->images < 16 ? a->images : 16, rc = 0;
    for (int i = 0; i < n; i++)
        ims[i] = synthetic(448, 448, 10 + (unsigned)i), parts[i] = VLM_IMAGE(ims[i]);
    char *q = question(a->text);
    parts[n] = (vlm_part){q, strlen(q), NULL};
    vlm_msg msg = {CHAT_USER, parts, n + 1};
    vlm_prompt p;
    double t0 = now_seconds();
    rc = vlm_prompt_make(v, &msg, 1, &p, e);
    double encode = now_seconds() - t0, first = rc ? -1 : generate(v, &p, 1, 1, e);
    if (!rc && first >= 0) {
        printf("{\"bench\":\"solver_prompt\",\"images\":%d,\"prompt_tokens\":%zu,"
               "\"encode_s\":%.3f,\"prefill_s\":%.3f,\"ttft_s\":%.3f}\n",
               n, p.ids.n, encode, first, encode + first);
        fflush(stdout);
        double one = generate(v, &p, 1, a->k_tokens, e), k = generate(v, &p, a->k, a->k_tokens, e);
        if (one >= 0 && k >= 0)
            printf("{\"bench\":\"solver_prompt_k\",\"k\":%d,\"new_tokens\":%d,\"one_s\":%.3f,"
                   "\"k_s\":%.3f,\"ratio\":%.3f}\n",
                   a->k, a->k_tokens, one, k, k / one);
        rc = one < 0 || k < 0 ? ERR_FAIL : 0;
        vlm_prompt_free(&p);
    }
    rc = rc || first < 0 ? (e->code ? e->code : ERR_FAIL) : 0;
    for (int i = 0; i < n; i++)
        img_free(ims[i]);
    free(q);
    vlm_close(v);
    return rc;
}

static int parse(int argc, char **argv, bench_args *a)
{
    *a = (bench_args){NULL, NULL, "448x448,1024x768", 2, 5, 300, 5, 16};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-') {
            a->mmproj = o;
            continue;
        }
        if (!v)
            return 1;
        i++;
        if (!strcmp(o, "--model"))
            a->model = v;
        else if (!strcmp(o, "--sizes"))
            a->sizes = v;
        else if (!strcmp(o, "--runs"))
            a->runs = atoi(v);
        else if (!strcmp(o, "--images"))
            a->images = atoi(v);
        else if (!strcmp(o, "--text"))
            a->text = atoi(v);
        else if (!strcmp(o, "--k"))
            a->k = atoi(v);
        else if (!strcmp(o, "--k-tokens"))
            a->k_tokens = atoi(v);
        else
            return 1;
    }
    return !a->mmproj || a->runs < 1 || a->images < 1 || a->k < 1 || a->k_tokens < 1;
}

int main(int argc, char **argv)
{
    bench_args a;
    if (parse(argc, argv, &a)) {
        fprintf(stderr, "usage: bench_vit MMPROJ.gguf [--model M.gguf] [--sizes WxH,...] "
                        "[--runs N] [--images N] [--text N] [--k K] [--k-tokens N]\n");
        return 2;
    }
    errmsg e = {0};
    vk_ctx *ctx = vk_open(-1, &e);
    int rc = !ctx || (a.model ? bench_prompt(ctx, &a, &e) : bench_encode(ctx, &a, &e));
    if (rc)
        fprintf(stderr, "bench_vit: %s\n", e.text);
    vk_close(ctx);
    return rc ? 1 : 0;
}
