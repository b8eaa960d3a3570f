/* llm_driver.c - runs vkeve's decoder for the golden tests (tests/reference/llm_golden.py),
 * which compare what it writes with the PyTorch reference:
 *
 *   llm_driver logits MODEL PROMPTS OUT   last-token logits of every prompt, as float32 rows,
 *                                         three times over: each prompt alone, all prompts
 *                                         in one batch, and (for prompts of 2+ tokens) the
 *                                         first half prefilled once in a sequence that is
 *                                         forked and finished per prompt; OUT.alone,
 *                                         OUT.batch, OUT.prefix
 *   llm_driver greedy MODEL PROMPTS N OUT N greedy tokens per prompt, one line each
 *
 * A first argument --shape rows makes every matmul use the storage rows shape, which keeps
 * activations exact.
 * PROMPTS holds one prompt per line as space-separated token ids. Text positions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/llm.h"

typedef struct prompts {
    int n;
    int32_t *ids[64];
    int len[64];
} prompts;

static int read_prompts(const char *path, prompts *p)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    memset(p, 0, sizeof *p);
    while (f && p->n < 64 && getline(&line, &cap, f) > 0) {
        int32_t *ids = malloc(strlen(line) * sizeof *ids);
        int n = 0;
        for (char *s = strtok(line, " \n"); s; s = strtok(NULL, " \n"))
            ids[n++] = (int32_t)atoi(s);
        p->ids[p->n] = ids;
        p->len[p->n++] = n;
    }
    free(line);
    if (f)
        fclose(f);
    return f && p->n ? 0 : -1;
}

/* Feeds ids[from..to) of one sequence in steps of at most max_tokens; the last step's
 * logits (of its last token) go to logits when it is not NULL. */
static int feed(llm *m, kv_cache *kv, int seq, const int32_t *ids, int from, int to, float *logits,
                errmsg *e)
{
    int chunk = llm_opts_of(m)->max_tokens;
    for (int at = from; at < to; at += chunk) {
        int n = to - at < chunk ? to - at : chunk, out = n - 1;
        int *seqs = malloc((size_t)n * sizeof *seqs);
        int32_t *pos = malloc((size_t)n * 4 * sizeof *pos);
        for (int i = 0; i < n; i++)
            seqs[i] = seq;
        llm_text_positions(at, n, pos);
        llm_batch b = {n, ids + at, pos, seqs, NULL, NULL, 0, &out, 1};
        float *dump = logits && at + n == to ? logits : NULL;
        int rc = kv_reserve(kv, seq, n, e);
        if (!rc && dump)
            rc = llm_step(m, kv, &b, dump, e);
        else if (!rc) {
            float *scratch = malloc((size_t)llm_config_of(m)->n_vocab * sizeof *scratch);
            rc = llm_step(m, kv, &b, scratch, e);
            free(scratch);
        }
        free(seqs);
        free(pos);
        if (rc)
            return rc;
    }
    return 0;
}

static int alone(llm *m, kv_cache *kv, const prompts *p, float *out, errmsg *e)
{
    size_t V = (size_t)llm_config_of(m)->n_vocab;
    for (int i = 0; i < p->n; i++) {
        int s = kv_seq_new(kv, e);
        if (s < 0 || feed(m, kv, s, p->ids[i], 0, p->len[i], out + i * V, e))
            return e->code;
        kv_free_seq(kv, s);
    }
    return 0;
}

/* Every prompt in one step (they must fit one batch together). */
static int batched(llm *m, kv_cache *kv, const prompts *p, float *out, errmsg *e)
{
    int n = 0, seqs[64], outs[64];
    for (int i = 0; i < p->n; i++)
        n += p->len[i];
    int32_t *ids = malloc((size_t)n * sizeof *ids), *pos = malloc((size_t)n * 4 * sizeof *pos);
    int *seq_of = malloc((size_t)n * sizeof *seq_of);
    int at = 0, rc = 0;
    for (int i = 0; i < p->n && !rc; i++) {
        seqs[i] = kv_seq_new(kv, e);
        rc = seqs[i] < 0 || kv_reserve(kv, seqs[i], p->len[i], e);
        memcpy(ids + at, p->ids[i], (size_t)p->len[i] * sizeof *ids);
        llm_text_positions(0, p->len[i], pos + 4 * at);
        for (int j = 0; j < p->len[i]; j++)
            seq_of[at + j] = seqs[i];
        at += p->len[i];
        outs[i] = at - 1;
    }
    llm_batch b = {n, ids, pos, seq_of, NULL, NULL, 0, outs, p->n};
    if (!rc)
        rc = llm_step(m, kv, &b, out, e);
    for (int i = 0; i < p->n; i++)
        kv_free_seq(kv, seqs[i]);
    free(ids), free(pos), free(seq_of);
    return rc ? (e->code ? e->code : 1) : 0;
}

/* The first half of each prompt once in a parent, the rest in a fork of it. */
static int prefixed(llm *m, kv_cache *kv, const prompts *p, float *out, errmsg *e)
{
    size_t V = (size_t)llm_config_of(m)->n_vocab;
    for (int i = 0; i < p->n; i++) {
        int half = p->len[i] / 2, parent = kv_seq_new(kv, e);
        if (parent < 0 || (half && feed(m, kv, parent, p->ids[i], 0, half, NULL, e)))
            return e->code;
        int child = kv_fork(kv, parent, e);
        kv_free_seq(kv, parent);
        if (child < 0 || feed(m, kv, child, p->ids[i], half, p->len[i], out + i * V, e))
            return e->code;
        kv_free_seq(kv, child);
    }
    return 0;
}

static int write_rows(const char *path, const char *suffix, const float *rows, size_t n)
{
    char name[4096];
    snprintf(name, sizeof name, "%s.%s", path, suffix);
    FILE *f = fopen(name, "wb");
    int ok = f && fwrite(rows, sizeof *rows, n, f) == n;
    return (f && fclose(f) == 0 && ok) ? 0 : -1;
}

static int logits_mode(llm *m, kv_cache *kv, const prompts *p, const char *out, errmsg *e)
{
    size_t n = (size_t)p->n * (size_t)llm_config_of(m)->n_vocab;
    float *rows = malloc(n * sizeof *rows);
    int rc = alone(m, kv, p, rows, e) || write_rows(out, "alone", rows, n) ||
             batched(m, kv, p, rows, e) || write_rows(out, "batch", rows, n) ||
             prefixed(m, kv, p, rows, e) || write_rows(out, "prefix", rows, n);
    free(rows);
    return rc;
}

static int argmax(const float *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

static int greedy_mode(llm *m, kv_cache *kv, const prompts *p, int steps, const char *out,
                       errmsg *e)
{
    FILE *f = fopen(out, "w");
    int V = llm_config_of(m)->n_vocab, rc = f ? 0 : -1;
    float *logits = malloc((size_t)V * sizeof *logits);
    for (int i = 0; i < p->n && !rc; i++) {
        int s = kv_seq_new(kv, e);
        int32_t *ids = malloc((size_t)(p->len[i] + steps) * sizeof *ids);
        memcpy(ids, p->ids[i], (size_t)p->len[i] * sizeof *ids);
        rc = s < 0 || feed(m, kv, s, ids, 0, p->len[i], logits, e);
        for (int k = 0; k < steps && !rc; k++) {
            ids[p->len[i] + k] = argmax(logits, V);
            fprintf(f, "%s%d", k ? " " : "", (int)ids[p->len[i] + k]);
            rc = feed(m, kv, s, ids, p->len[i] + k, p->len[i] + k + 1, logits, e);
        }
        fprintf(f, "\n");
        kv_free_seq(kv, s);
        free(ids);
    }
    free(logits);
    return (f && fclose(f) != 0) || rc;
}

int main(int argc, char **argv)
{
    llm_opts o = llm_default_opts();
    o.max_tokens = 1024; /* the batched pass puts every prompt in one step */
    if (argc > 2 && strcmp(argv[1], "--shape") == 0) {
        o.matmul = strcmp(argv[2], "rows") == 0 ? OP_SHAPE_ROWS : OP_SHAPE_AUTO;
        argc -= 2;
        argv += 2;
    }
    bool greedy = argc == 6 && strcmp(argv[1], "greedy") == 0;
    if (!greedy && (argc != 5 || strcmp(argv[1], "logits") != 0)) {
        fprintf(stderr,
                "usage: llm_driver logits MODEL PROMPTS OUT | greedy MODEL PROMPTS N OUT\n");
        return 2;
    }
    errmsg e = {0};
    prompts p;
    gguf_file *f = NULL;
    vk_ctx *ctx = NULL;
    llm *m = NULL;
    kv_cache *kv = NULL;
    int rc = read_prompts(argv[3], &p) ? err_set(&e, 2, "%s: no prompts", argv[3]) : 0;
    if (!rc && !gguf_open(argv[2], &f, &e) && (ctx = vk_open(-1, &e)) &&
        !llm_load(ctx, f, &o, &m, &e) && !llm_new_cache(m, 0, &kv, &e))
        rc = greedy ? greedy_mode(m, kv, &p, atoi(argv[4]), argv[5], &e)
                    : logits_mode(m, kv, &p, argv[4], &e);
    else
        rc = 1;
    if (rc)
        fprintf(stderr, "llm_driver: %s\n", e.text[0] ? e.text : "failed");
    kv_free(kv);
    llm_free(m);
    vk_close(ctx);
    gguf_close(f);
    for (int i = 0; i < p.n; i++)
        free(p.ids[i]);
    return rc ? 1 : 0;
}
