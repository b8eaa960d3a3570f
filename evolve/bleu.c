/* bleu.c - NLTK's sentence BLEU with method1 smoothing (see bleu.h).
 *
 * Tokens are interned to ids (from 1) so an n-gram (n <= 4) packs into two 64-bit words;
 * each text keeps its n-grams sorted, and a pair's clipped counts come from one merge walk.
 */
#include "evolve/bleu.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLEU_N 4

typedef struct gram {
    uint64_t hi, lo; /* ids 1..4 packed 32 bits each; missing positions are 0 */
} gram;

typedef struct sent {
    size_t n_tokens;
    gram *grams[BLEU_N]; /* sorted; n_tokens - k of order k + 1 */
} sent;

struct bleu_set {
    size_t n;
    sent *s;
};

typedef struct interner {
    const char **key; /* token starts (in the caller's texts) */
    size_t *len;
    uint32_t *id;
    size_t cap, used;
} interner;

static int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int interner_grow(interner *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    interner g = {calloc(cap, sizeof *g.key), calloc(cap, sizeof *g.len), calloc(cap, sizeof *g.id),
                  cap, t->used};
    if (!g.key || !g.len || !g.id) {
        free(g.key), free(g.len), free(g.id);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->key[i])
            continue;
        size_t j = hash_bytes(t->key[i], t->len[i]) & (cap - 1);
        while (g.key[j])
            j = (j + 1) & (cap - 1);
        g.key[j] = t->key[i], g.len[j] = t->len[i], g.id[j] = t->id[i];
    }
    free(t->key), free(t->len), free(t->id);
    *t = g;
    return 0;
}

/* The id of token s[0..n), a new one (used + 1) if unseen; 0 on out of memory. */
static uint32_t intern(interner *t, const char *s, size_t n)
{
    if (2 * (t->used + 1) > t->cap && interner_grow(t))
        return 0;
    size_t j = hash_bytes(s, n) & (t->cap - 1);
    for (; t->key[j]; j = (j + 1) & (t->cap - 1))
        if (t->len[j] == n && !memcmp(t->key[j], s, n))
            return t->id[j];
    t->key[j] = s, t->len[j] = n, t->id[j] = (uint32_t)++t->used;
    return t->id[j];
}

/* Token ids of text (malloc'd, *n_out of them); NULL on out of memory. A text has at most
 * (length + 1) / 2 tokens, so one allocation suffices. */
static uint32_t *tokenize(interner *t, const char *text, size_t *n_out)
{
    size_t n = 0;
    uint32_t *ids = malloc((strlen(text) / 2 + 1) * sizeof *ids);
    for (const char *p = text; ids && *p;) {
        while (*p && is_space(*p))
            p++;
        const char *start = p;
        while (*p && !is_space(*p))
            p++;
        if (p == start)
            break;
        if (!(ids[n++] = intern(t, start, (size_t)(p - start)))) {
            free(ids);
            ids = NULL;
        }
    }
    *n_out = n;
    return ids;
}

static int gram_cmp(const void *a, const void *b)
{
    const gram *x = a, *y = b;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

static gram make_gram(const uint32_t *ids, int order)
{
    uint32_t v[BLEU_N] = {0};
    for (int k = 0; k < order; k++)
        v[k] = ids[k];
    gram g = {((uint64_t)v[0] << 32) | v[1], ((uint64_t)v[2] << 32) | v[3]};
    return g;
}

static int index_sent(sent *s, const uint32_t *ids, size_t n)
{
    s->n_tokens = n;
    for (int k = 0; k < BLEU_N; k++) {
        size_t count = n > (size_t)k ? n - k : 0;
        s->grams[k] = malloc((count ? count : 1) * sizeof(gram));
        if (!s->grams[k])
            return -1;
        for (size_t i = 0; i < count; i++)
            s->grams[k][i] = make_gram(ids + i, k + 1);
        qsort(s->grams[k], count, sizeof(gram), gram_cmp);
    }
    return 0;
}

bleu_set *bleu_prepare(const char *const *texts, size_t n, errmsg *e)
{
    bleu_set *set = calloc(1, sizeof *set);
    interner t = {0};
    int bad = !set || !(set->s = calloc(n ? n : 1, sizeof *set->s));
    if (set)
        set->n = n;
    for (size_t i = 0; i < n && !bad; i++) {
        size_t len;
        uint32_t *ids = tokenize(&t, texts[i], &len);
        bad = !ids || index_sent(&set->s[i], ids, len);
        free(ids);
    }
    free(t.key), free(t.len), free(t.id);
    if (bad) {
        bleu_free(set);
        err_set(e, ERR_FAIL, "BLEU: out of memory for %zu texts", n);
        return NULL;
    }
    return set;
}

/* Clipped matches of hypothesis n-grams in the reference (both sorted). */
static size_t clipped(const gram *h, size_t nh, const gram *r, size_t nr)
{
    size_t i = 0, j = 0, match = 0;
    while (i < nh) {
        size_t ci = 1;
        while (i + ci < nh && !gram_cmp(&h[i], &h[i + ci]))
            ci++;
        while (j < nr && gram_cmp(&r[j], &h[i]) < 0)
            j++;
        size_t cj = 0;
        while (j + cj < nr && !gram_cmp(&r[j + cj], &h[i]))
            cj++;
        match += ci < cj ? ci : cj;
        i += ci;
    }
    return match;
}

double bleu_pair(const bleu_set *set, size_t ref, size_t hyp)
{
    const sent *h = &set->s[hyp], *r = &set->s[ref];
    double log_sum = 0.0;
    for (int k = 0; k < BLEU_N; k++) {
        size_t nh = h->n_tokens > (size_t)k ? h->n_tokens - k : 0;
        size_t nr = r->n_tokens > (size_t)k ? r->n_tokens - k : 0;
        size_t num = clipped(h->grams[k], nh, r->grams[k], nr);
        double den = nh ? (double)nh : 1.0;
        if (k == 0 && num == 0)
            return 0.0;
        double p = num ? (double)num / den : 0.1 / den;
        log_sum += 0.25 * log(p);
    }
    double bp = 1.0;
    if (h->n_tokens <= r->n_tokens)
        bp = exp(1.0 - (double)r->n_tokens / (double)h->n_tokens);
    return bp * exp(log_sum);
}

void bleu_free(bleu_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; set->s && i < set->n; i++)
        for (int k = 0; k < BLEU_N; k++)
            free(set->s[i].grams[k]);
    free(set->s);
    free(set);
}

int bleu_sentence(const char *reference, const char *hypothesis, double *out, errmsg *e)
{
    const char *texts[2] = {reference, hypothesis};
    bleu_set *set = bleu_prepare(texts, 2, e);
    if (!set)
        return e->code;
    *out = bleu_pair(set, 0, 1);
    bleu_free(set);
    return 0;
}
