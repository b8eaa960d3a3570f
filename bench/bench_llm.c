/* bench_llm.c - the decoder's speed on a GGUF model, as JSON lines:
 *   prefill   tokens/s for one prompt of --prompt tokens (default 512), in one step
 *   decode    tokens/s for B sequences decoding together, one token each per step, for each
 *             B of --batches (default 1,8,32,128), with the host's share of a step
 *   samples   the time of K samples (--k, default 5) of one --k-prompt-token prompt (default
 *             1500) with --k-tokens new tokens each (default 16), against one sample
 *
 *     bench_llm MODEL.gguf [--prompt N] [--decode STEPS] [--batches B,B,...] [--k K]
 *               [--k-prompt N] [--k-tokens N] [--skip prefill,decode,samples]
 *
 * Prompts are random token ids; the model's vocabulary decides their range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/rng.h"
#include "runtime/gen.h"

typedef struct bench_args {
    const char *model, *skip;
    int prompt, decode_steps, k, k_prompt, k_tokens;
    int batches[8], n_batches;
} bench_args;

static int32_t *random_ids(int n, int vocab, unsigned stream)
{
    rng r = rng_make(1, stream);
    int32_t *ids = malloc((size_t)n * sizeof *ids);
    for (int i = 0; ids && i < n; i++)
        ids[i] = (int32_t)rng_below(&r, (uint32_t)vocab);
    return ids;
}

/* Feeds n tokens of each of the sequences in one step; every sequence's last token gives a
 * row of logits. */
static int feed(llm *m, kv_cache *kv, const int *seqs, int n_seqs, int n, const int32_t *ids,
                float *logits, errmsg *e)
{
    int total = n_seqs * n, *seq = malloc((size_t)total * sizeof *seq);
    int *out = malloc((size_t)n_seqs * sizeof *out);
    int32_t *pos = malloc((size_t)total * 4 * sizeof *pos), *tok = malloc((size_t)total * 4);
    int rc = 0;
    for (int s = 0; s < n_seqs && !rc; s++) {
        rc = kv_reserve(kv, seqs[s], n, e);
        llm_text_positions(kv_len(kv, seqs[s]), n, pos + 4 * s * n);
        for (int i = 0; i < n; i++) {
            seq[s * n + i] = seqs[s];
            tok[s * n + i] = ids[(s * n + i) % 4096];
        }
        out[s] = s * n + n - 1;
    }
    llm_batch b = {total, tok, pos, seq, NULL, NULL, 0, out, n_seqs};
    if (!rc)
        rc = llm_step(m, kv, &b, logits, e);
    free(seq), free(out), free(pos), free(tok);
    return rc;
}

static void bench_prefill(llm *m, kv_cache *kv, const bench_args *a, const int32_t *ids,
                          float *logits, errmsg *e)
{
    int w = kv_seq_new(kv, e), s = -1; /* a first run records and compiles */
    int rc = w < 0 || feed(m, kv, &w, 1, a->prompt, ids, logits, e);
    if (w >= 0)
        kv_free_seq(kv, w);
    if (!rc)
        s = kv_seq_new(kv, e);
    double t0 = now_seconds(), host, run;
    if (s >= 0 && !feed(m, kv, &s, 1, a->prompt, ids, logits, e)) {
        double t = now_seconds() - t0;
        llm_step_times(m, &host, &run);
        printf("{\"bench\":\"llm\",\"test\":\"prefill\",\"tokens\":%d,\"seconds\":%.3f,"
               "\"tokens_per_s\":%.1f,\"host_ms\":%.2f}\n",
               a->prompt, t, a->prompt / t, host * 1e3);
    }
    if (s >= 0)
        kv_free_seq(kv, s);
}

static void bench_decode(llm *m, kv_cache *kv, int B, const bench_args *a, const int32_t *ids,
                         float *logits, errmsg *e)
{
    int seqs[128], rc = 0;
    for (int i = 0; i < B && !rc; i++)
        rc = (seqs[i] = kv_seq_new(kv, e)) < 0;
    rc = rc || feed(m, kv, seqs, B, 16, ids, logits, e);
    for (int k = 0; k < 3 && !rc; k++) /* record, compile, settle */
        rc = feed(m, kv, seqs, B, 1, ids, logits, e);
    double t0 = now_seconds(), host = 0, run = 0, h, r;
    for (int k = 0; k < a->decode_steps && !rc; k++) {
        rc = feed(m, kv, seqs, B, 1, ids + k, logits, e);
        llm_step_times(m, &h, &r);
        host += h, run += r;
    }
    double t = now_seconds() - t0;
    if (!rc)
        printf("{\"bench\":\"llm\",\"test\":\"decode\",\"batch\":%d,\"steps\":%d,"
               "\"tokens_per_s\":%.2f,\"ms_per_step\":%.2f,\"host_ms_per_step\":%.3f,"
               "\"device_ms_per_step\":%.2f}\n",
               B, a->decode_steps, (double)B * a->decode_steps / t, 1e3 * t / a->decode_steps,
               1e3 * host / a->decode_steps, 1e3 * run / a->decode_steps);
    for (int i = 0; i < B; i++)
        if (seqs[i] >= 0)
            kv_free_seq(kv, seqs[i]);
}

static double time_samples(llm *m, kv_cache *kv, gen_request *r, errmsg *e)
{
    gen_result *res = NULL;
    double t0 = now_seconds();
    int rc = gen_run(m, kv, NULL, r, 1, NULL, &res, e);
    double t = now_seconds() - t0;
    gen_results_free(res, 1);
    return rc ? -1 : t;
}

static void bench_samples(llm *m, kv_cache *kv, const bench_args *a, const int32_t *ids, errmsg *e)
{
    gen_request r = gen_default_request();
    r.ids = ids;
    r.n_ids = a->k_prompt;
    r.max_tokens = a->k_tokens;
    r.sampling.temperature = 1;
    r.n_samples = a->k;
    double one = time_samples(m, kv, &r, e); /* a first run records and compiles */
    r.n_samples = 1;
    one = one < 0 ? -1 : time_samples(m, kv, &r, e);
    r.n_samples = a->k;
    double k = one < 0 ? -1 : time_samples(m, kv, &r, e);
    if (k >= 0)
        printf("{\"bench\":\"llm\",\"test\":\"samples\",\"prompt\":%d,\"new_tokens\":%d,\"k\":%d,"
               "\"seconds_one\":%.2f,\"seconds_k\":%.2f,\"ratio\":%.3f}\n",
               a->k_prompt, a->k_tokens, a->k, one, k, k / one);
}

static int parse(int argc, char **argv, bench_args *a)
{
    *a = (bench_args){.prompt = 512,
                      .decode_steps = 16,
                      .k = 5,
                      .k_prompt = 1500,
                      .k_tokens = 16,
                      .batches = {1, 8, 32, 128},
                      .n_batches = 4,
                      .skip = ""};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-') {
            a->model = o;
            continue;
        }
        if (!v)
            return 1;
        i++;
        if (!strcmp(o, "--batches")) {
            a->n_batches = 0;
            for (char *s = strtok((char *)v, ","); s && a->n_batches < 8; s = strtok(NULL, ","))
                a->batches[a->n_batches++] = atoi(s);
        } else if (!strcmp(o, "--skip")) {
            a->skip = v;
        } else {
            int x = atoi(v);
            int *dst = !strcmp(o, "--prompt")     ? &a->prompt
                       : !strcmp(o, "--decode")   ? &a->decode_steps
                       : !strcmp(o, "--k")        ? &a->k
                       : !strcmp(o, "--k-prompt") ? &a->k_prompt
                       : !strcmp(o, "--k-tokens") ? &a->k_tokens
                                                  : NULL;
            if (!dst || x < 1)
                return 1;
            *dst = x;
        }
    }
    return !a->model;
}

int main(int argc, char **argv)
{
    bench_args a;
    if (parse(argc, argv, &a)) {
        fprintf(stderr, "usage: bench_llm MODEL.gguf [--prompt N] [--decode STEPS] "
                        "[--batches B,...] [--k K] [--k-prompt N] [--k-tokens N] [--skip ...]\n");
        return 2;
    }
    errmsg e = {0};
    gguf_file *f = NULL;
    vk_ctx *ctx = NULL;
    llm *m = NULL;
    kv_cache *kv = NULL;
    llm_opts o = llm_default_opts();
    o.max_tokens = a.k_prompt > a.prompt ? a.k_prompt : a.prompt;
    o.max_tokens = o.max_tokens > 128 * 16 ? o.max_tokens : 128 * 16;
    o.max_outputs = o.max_seqs = 129;
    o.n_ctx = (a.k_prompt > a.prompt ? a.k_prompt : a.prompt) + 64;
    if (gguf_open(a.model, &f, &e) || !(ctx = vk_open(-1, &e)) || llm_load(ctx, f, &o, &m, &e) ||
        llm_new_cache(m, 0, &kv, &e)) {
        fprintf(stderr, "bench_llm: %s\n", e.text);
        return 1;
    }
    int V = llm_config_of(m)->n_vocab;
    int32_t *ids = random_ids(4096, V, 3);
    float *logits = malloc((size_t)129 * (size_t)V * sizeof *logits);
    printf("{\"bench\":\"llm\",\"model\":\"%s\",\"device\":\"%s\",\"cache_pages\":%d}\n", a.model,
           vk_caps_of(ctx)->name, kv_total_pages(kv));
    if (!strstr(a.skip, "prefill"))
        bench_prefill(m, kv, &a, ids, logits, &e);
    for (int i = 0; !strstr(a.skip, "decode") && i < a.n_batches; i++)
        bench_decode(m, kv, a.batches[i], &a, ids, logits, &e);
    if (!strstr(a.skip, "samples"))
        bench_samples(m, kv, &a, ids, &e);
    if (e.code)
        fprintf(stderr, "bench_llm: %s\n", e.text);
    free(ids), free(logits);
    kv_free(kv);
    llm_free(m);
    vk_close(ctx);
    gguf_close(f);
    return e.code ? 1 : 0;
}
