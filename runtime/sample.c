/* sample.c - next-token sampling (runtime/sample.h): HF's logits processors, the raw
 * log-softmax, and an inverse-CDF draw that sorts only what it has to.
 *
 * Without top-k, the kept tokens can be the whole vocabulary, and sorting 150k scores per
 * token would cost milliseconds. Instead tokens are bucketed by how far their score lies
 * below the maximum (1/16 nat per bucket); one pass sums each bucket's mass, the cut or the
 * draw is located bucket by bucket, and only the tokens of the bucket it falls in (plus,
 * for top-p, those above it) are gathered and sorted. Every token of an earlier bucket comes
 * earlier in the total order (score descending, id ascending), so the result is exactly what
 * walking the fully sorted list gives, up to the rounding of the partial sums.
 */
#include "runtime/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    N_BUCKETS = 2048, /* 128 nats of score range; the last bucket holds everything below */
    HEAP_MAX_K = 4096 /* larger top-k sorts the whole vocabulary instead of a heap */
};
static const double BUCKETS_PER_NAT = 16.0;

/* A candidate token: its processed score and, once known, exp(score - max score). */
typedef struct cand {
    double w;
    float v;
    int32_t id;
} cand;

struct sample_scratch {
    int n_vocab;
    float *work;            /* processed scores, when they differ from the logits */
    double *w;              /* exp(score - max) per token, when a path needs them all */
    cand *c;                /* candidates (n_vocab), also the heap for top lists */
    double mass[N_BUCKETS]; /* weight per bucket */
};

/* The processed scores of one call and what the filters need about them. */
typedef struct prep {
    const float *score; /* the logits themselves when no processor changes them */
    double vmax;        /* largest score (finite) */
    int n_finite;       /* scores above -inf */
    const double *w;    /* exp(score - vmax) per token, once computed (else NULL) */
} prep;

sample_params sample_defaults(void)
{
    sample_params p = {1.0f, 0, 1.0f, 0.0f, 1.0f, 0};
    return p;
}

sample_scratch *sample_scratch_new(int n_vocab)
{
    if (n_vocab <= 0)
        return NULL;
    sample_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n_vocab = n_vocab;
    s->work = malloc((size_t)n_vocab * sizeof *s->work);
    s->w = malloc((size_t)n_vocab * sizeof *s->w);
    s->c = malloc((size_t)n_vocab * sizeof *s->c);
    if (!s->work || !s->w || !s->c) {
        sample_scratch_free(s);
        return NULL;
    }
    return s;
}

void sample_scratch_free(sample_scratch *s)
{
    if (!s)
        return;
    free(s->work);
    free(s->w);
    free(s->c);
    free(s);
}

static int check_params(int n_vocab, const sample_params *p, const int32_t *history, int n_history,
                        const sample_scratch *s, errmsg *e)
{
    if (!s || n_vocab <= 0 || n_vocab > s->n_vocab)
        return err_set(e, ERR_ENV, "sample: n_vocab %d outside 1..%d (the scratch's size)", n_vocab,
                       s ? s->n_vocab : 0);
    if (!isfinite(p->temperature))
        return err_set(e, ERR_ENV, "sample: temperature %g is not finite", p->temperature);
    if (p->top_k < 0)
        return err_set(e, ERR_ENV, "sample: top_k %d is negative", p->top_k);
    if (!(p->top_p >= 0))
        return err_set(e, ERR_ENV, "sample: top_p %g is not >= 0", p->top_p);
    if (!(p->min_p <= 1) || isinf(p->min_p))
        return err_set(e, ERR_ENV, "sample: min_p %g is not <= 1", p->min_p);
    if (!(p->repetition_penalty > 0) || !isfinite(p->repetition_penalty))
        return err_set(e, ERR_ENV, "sample: repetition_penalty %g is not a positive number",
                       p->repetition_penalty);
    if (p->n_top < 0 || p->n_top > SAMPLE_MAX_TOP || p->n_top > n_vocab)
        return err_set(e, ERR_ENV, "sample: n_top %d outside 0..%d", p->n_top,
                       n_vocab < SAMPLE_MAX_TOP ? n_vocab : SAMPLE_MAX_TOP);
    if (n_history < 0 || (n_history > 0 && !history))
        return err_set(e, ERR_ENV, "sample: bad history (%d ids)", n_history);
    for (int i = 0; i < n_history; i++)
        if (history[i] < 0 || history[i] >= n_vocab)
            return err_set(e, ERR_ENV, "sample: history[%d] = %d outside the vocabulary (0..%d)", i,
                           (int)history[i], n_vocab - 1);
    return ERR_OK;
}

/* Largest value and the count of values above -inf; flags NaN and +inf. Written as eight
 * independent lanes over the bits, so the compiler vectorises it. */
static float scan_max(const float *v, int n, int *n_finite, int *bad)
{
    const uint32_t minus_inf = 0xff800000u;
    float m[8];
    uint32_t nonfinite = 0, finite = 0;
    for (int j = 0; j < 8; j++)
        m[j] = -INFINITY;
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) {
            float x = v[i + j];
            uint32_t b;
            memcpy(&b, &x, 4);
            nonfinite |= ((b & 0x7fffffffu) >= 0x7f800000u) & (b != minus_inf);
            finite += b != minus_inf;
            m[j] = x > m[j] ? x : m[j];
        }
    for (; i < n; i++) {
        float x = v[i];
        nonfinite |= !(x < INFINITY);
        finite += x > -INFINITY;
        m[0] = x > m[0] ? x : m[0];
    }
    for (int j = 1; j < 8; j++)
        m[0] = m[j] > m[0] ? m[j] : m[0];
    *n_finite = (int)finite;
    *bad = (int)nonfinite;
    return m[0];
}

/* w[i] = exp(v[i] - vmax) in double for every token, and their sum, in eight fixed lanes
 * (so the sum is the same wherever it runs, and the adds overlap). */
static double exp_pass(const float *v, int n, double vmax, double *w)
{
    for (int i = 0; i < n; i++)
        w[i] = exp((double)v[i] - vmax);
    double acc[8] = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++)
            acc[j] += w[i + j];
    for (; i < n; i++)
        acc[0] += w[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static int first_bad(const float *v, int n)
{
    int i = 0;
    while (i < n && v[i] < INFINITY)
        i++;
    return i;
}

static int check_logits(const float *l, int n, float *max, errmsg *e)
{
    int n_finite, bad;
    *max = scan_max(l, n, &n_finite, &bad);
    if (bad) {
        int i = first_bad(l, n);
        return err_set(e, ERR_FAIL, "sample: logit %d is %s", i, isnan(l[i]) ? "NaN" : "+inf");
    }
    if (n_finite == 0)
        return err_set(e, ERR_FAIL, "sample: all %d logits are -inf, no token can be chosen", n);
    return ERR_OK;
}

/* HF's repetition penalty: pushes a score towards -inf whatever its sign. */
static float penalize(float x, float penalty)
{
    return x > 0 ? x / penalty : x * penalty;
}

/* Applies the repetition penalty and the temperature (greedy counts as temperature 1), in
 * float as HF does on float32 logits. */
static int prepare(const float *l, int n, const sample_params *p, const int32_t *history,
                   int n_history, sample_scratch *s, prep *out, errmsg *e)
{
    float t = p->temperature > 0 ? p->temperature : 1.0f;
    int penalty = p->repetition_penalty != 1.0f && n_history > 0;
    out->score = l;
    out->w = NULL;
    if (t != 1.0f || penalty) {
        float *w = s->work;
        if (t != 1.0f)
            for (int i = 0; i < n; i++)
                w[i] = l[i] / t;
        else
            memcpy(w, l, (size_t)n * sizeof *w);
        /* From the raw logit each time, so a repeated id is penalised once. */
        for (int j = 0; j < n_history; j++)
            w[history[j]] = penalize(l[history[j]], p->repetition_penalty) / t;
        out->score = w;
    }
    int bad;
    float vmax = scan_max(out->score, n, &out->n_finite, &bad);
    if (bad)
        return err_set(e, ERR_FAIL,
                       "sample: temperature %g too small: a logit / temperature "
                       "overflows float",
                       p->temperature);
    if (out->n_finite == 0)
        return err_set(e, ERR_FAIL, "sample: no token left after temperature %g", p->temperature);
    out->vmax = vmax;
    return ERR_OK;
}

/* a comes after b in sampling order: lower score, or the same score and a higher id. */
static int worse(const cand *a, const cand *b)
{
    return a->v < b->v || (a->v == b->v && a->id > b->id);
}

static int cmp_cand(const void *a, const void *b)
{
    return worse(a, b) ? 1 : worse(b, a) ? -1 : 0;
}

static void swap_cand(cand *a, cand *b)
{
    cand t = *a;
    *a = *b;
    *b = t;
}

static void sift_down(cand *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&h[l], &h[m]))
            m = l;
        if (r < n && worse(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        swap_cand(&h[i], &h[m]);
        i = m;
    }
}

static void sift_up(cand *h, int i)
{
    while (i > 0 && worse(&h[i], &h[(i - 1) / 2])) {
        swap_cand(&h[i], &h[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

/* The k first tokens of v[0..n) in sampling order, as a heap with the last of them at h[0].
 * Ids rise with i, so a later equal score never displaces the root. -inf is skipped when
 * skip_inf. Returns how many were found (< k when n is smaller). */
static int heap_select(const float *v, int n, int k, int skip_inf, cand *h)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m == k && !(v[i] > h[0].v))
            continue;
        if (skip_inf && v[i] == -INFINITY)
            continue;
        cand c = {0, v[i], i};
        if (m < k) {
            h[m] = c;
            sift_up(h, m++);
        } else {
            h[0] = c;
            sift_down(h, m, 0);
        }
    }
    return m;
}

/* Top-k keeps ties at the k-th score: adds the tied tokens the heap left out, which all have
 * higher ids than the tied ones it kept. */
static int add_ties(const float *v, int n, cand *c, int m)
{
    float vk = c[0].v;
    int32_t last = -1;
    for (int j = 0; j < m; j++)
        if (c[j].v == vk && c[j].id > last)
            last = c[j].id;
    for (int i = last + 1; i < n; i++)
        if (v[i] == vk) {
            cand t = {0, vk, i};
            c[m++] = t;
        }
    return m;
}

static int bucket_of(float v, double vmax)
{
    double b = (vmax - (double)v) * BUCKETS_PER_NAT;
    return b < N_BUCKETS - 1 ? (int)b : N_BUCKETS - 1;
}

/* Sorts c[0..m) into sampling order and returns its total weight. */
static double sort_weigh(cand *c, int m, double vmax)
{
    qsort(c, (size_t)m, sizeof *c, cmp_cand);
    double z = 0;
    for (int j = 0; j < m; j++) {
        c[j].w = exp((double)c[j].v - vmax);
        z += c[j].w;
    }
    return z;
}

/* Top-p then min-p over sorted c[0..m); z_before is the weight top-p normalises by (the whole
 * set it filters, which may extend past c when only a prefix was gathered). Returns how many
 * tokens stay and their weight in *z_kept. */
static int cut_sorted(const cand *c, int m, double z_before, const sample_params *p, double *z_kept)
{
    int keep = m;
    if (p->top_p < 1) {
        double target = (double)p->top_p * z_before, cum = 0;
        for (int j = 0; j < m; j++) {
            if (cum >= target) {
                keep = j;
                break;
            }
            cum += c[j].w;
        }
    }
    if (p->min_p > 0) {
        double floor = (double)p->min_p * c[0].w;
        int j = 0;
        while (j < keep && c[j].w >= floor)
            j++;
        keep = j;
    }
    keep = keep > 0 ? keep : 1;
    double z = 0;
    for (int j = 0; j < keep; j++)
        z += c[j].w;
    *z_kept = z;
    return keep;
}

/* Inverse CDF over sorted c[0..keep): the first token whose cumulative weight passes u * z. */
static int32_t draw_sorted(const cand *c, int keep, double z, double u)
{
    double target = u * z, cum = 0;
    for (int j = 0; j < keep; j++) {
        cum += c[j].w;
        if (cum > target)
            return c[j].id;
    }
    return c[keep - 1].id;
}

/* Weight per bucket of the tokens weighing at least wmin; the total is summed bucket by
 * bucket, as crossing() walks them, so the walk ends exactly on it. */
static double histogram(const prep *pp, int n, double wmin, double *mass)
{
    memset(mass, 0, N_BUCKETS * sizeof *mass);
    for (int i = 0; i < n; i++)
        if (pp->w[i] >= wmin)
            mass[bucket_of(pp->score[i], pp->vmax)] += pp->w[i];
    double z = 0;
    for (int b = 0; b < N_BUCKETS; b++)
        z += mass[b];
    return z;
}

/* The first bucket whose cumulative weight passes target (strictly, or reaches it when
 * !strict); *before is the weight of the buckets before it. */
static int crossing(const double *mass, double target, int strict, double *before)
{
    double cum = 0;
    int last = 0;
    for (int b = 0; b < N_BUCKETS; b++) {
        double next = cum + mass[b];
        if (mass[b] > 0 && (next > target || (!strict && next >= target))) {
            *before = cum;
            return b;
        }
        if (mass[b] > 0)
            last = b;
        cum = next;
    }
    *before = cum - mass[last]; /* only on rounding: the last bucket that has tokens */
    return last;
}

/* Tokens in buckets lo..hi weighing at least wmin, into c with their weights. A float
 * pre-test, a little below the bucket edge, skips the far tail cheaply. */
static int gather(const prep *pp, int n, int lo, int hi, double wmin, cand *c)
{
    float edge = hi < N_BUCKETS - 1 ? (float)(pp->vmax - (hi + 1) / BUCKETS_PER_NAT) : -INFINITY;
    edge = nextafterf(nextafterf(edge, -INFINITY), -INFINITY);
    int m = 0;
    for (int i = 0; i < n; i++) {
        float v = pp->score[i];
        if (v < edge || v == -INFINITY)
            continue;
        int b = bucket_of(v, pp->vmax);
        double w = exp((double)v - pp->vmax);
        if (b >= lo && b <= hi && w >= wmin) {
            cand t = {w, v, i};
            c[m++] = t;
        }
    }
    return m;
}

static int top_k_active(const sample_params *p, const prep *pp)
{
    return p->top_k > 0 && p->top_k < pp->n_finite;
}

/* The tokens top-k keeps (all finite ones when it is off), sorted, with their weight. */
static int top_k_sorted(const prep *pp, int n, const sample_params *p, cand *c, double *z)
{
    int m;
    if (top_k_active(p, pp) && p->top_k <= HEAP_MAX_K) {
        m = add_ties(pp->score, n, c, heap_select(pp->score, n, p->top_k, 1, c));
    } else {
        m = gather(pp, n, 0, N_BUCKETS - 1, 0, c);
        if (top_k_active(p, pp)) {
            qsort(c, (size_t)m, sizeof *c, cmp_cand);
            int k = p->top_k;
            while (k < m && c[k].v == c[p->top_k - 1].v)
                k++;
            m = k;
        }
    }
    *z = sort_weigh(c, m, pp->vmax);
    return m;
}

/* The weight of every token, reusing the raw ones when the scores are the logits. */
static void weigh_all(prep *pp, int n, sample_scratch *s)
{
    if (!pp->w) {
        exp_pass(pp->score, n, pp->vmax, s->w);
        pp->w = s->w;
    }
}

/* Top-p without top-k: gathers only the buckets up to where the mass reaches top_p. */
static int top_p_sorted(prep *pp, int n, sample_scratch *s, float top_p, double *z)
{
    weigh_all(pp, n, s);
    *z = histogram(pp, n, 0, s->mass);
    double before;
    int b = crossing(s->mass, (double)top_p * *z, 0, &before);
    int m = gather(pp, n, 0, b, 0, s->c);
    sort_weigh(s->c, m, pp->vmax);
    return m;
}

/* Temperature (and min-p) only: draws over every token by locating the bucket first. */
static int32_t draw_bucketed(prep *pp, int n, double wmin, double u, sample_scratch *s)
{
    weigh_all(pp, n, s);
    double z = histogram(pp, n, wmin, s->mass), before;
    double target = u * z;
    int b = crossing(s->mass, target, 1, &before);
    int m = gather(pp, n, b, b, wmin, s->c);
    qsort(s->c, (size_t)m, sizeof *s->c, cmp_cand);
    double cum = before;
    for (int j = 0; j < m; j++) {
        cum += s->c[j].w;
        if (cum > target)
            return s->c[j].id;
    }
    return s->c[m - 1].id;
}

static int32_t first_max(const float *v, int n, double vmax)
{
    int i = 0;
    while (i < n - 1 && (double)v[i] != vmax)
        i++;
    return i;
}

static int32_t choose(prep *pp, int n, const sample_params *p, double u, sample_scratch *s)
{
    if (p->temperature <= 0)
        return first_max(pp->score, n, pp->vmax);
    if (!top_k_active(p, pp) && !(p->top_p < 1))
        return draw_bucketed(pp, n, p->min_p > 0 ? p->min_p : 0, u, s);
    double z_before, z_kept;
    int m = top_k_active(p, pp) ? top_k_sorted(pp, n, p, s->c, &z_before)
                                : top_p_sorted(pp, n, s, p->top_p, &z_before);
    int keep = cut_sorted(s->c, m, z_before, p, &z_kept);
    return draw_sorted(s->c, keep, z_kept, u);
}

/* The n_top most likely tokens under the raw log-softmax. */
static void report_top(const float *l, int n, double lse, int n_top, cand *h, sample_result *out)
{
    int m = heap_select(l, n, n_top, 0, h);
    qsort(h, (size_t)m, sizeof *h, cmp_cand);
    out->n_top = m;
    for (int k = 0; k < m; k++) {
        out->top_ids[k] = h[k].id;
        out->top_logprobs[k] = (float)((double)h[k].v - lse);
    }
}

int sample_token(const float *logits, int n_vocab, const sample_params *p, const int32_t *history,
                 int n_history, rng *r, sample_scratch *s, sample_result *out, errmsg *e)
{
    float max;
    prep pp;
    int rc = check_params(n_vocab, p, history, n_history, s, e);
    if (!rc)
        rc = check_logits(logits, n_vocab, &max, e);
    if (!rc)
        rc = prepare(logits, n_vocab, p, history, n_history, s, &pp, e);
    if (rc)
        return rc;
    double u = rng_float(r);
    memset(out, 0, sizeof *out);
    /* The raw weights double as the sampling weights when nothing changed the logits. */
    double lse = max + log(exp_pass(logits, n_vocab, max, s->w));
    if (pp.score == logits)
        pp.w = s->w;
    out->token = choose(&pp, n_vocab, p, u, s);
    out->logprob = (float)((double)logits[out->token] - lse);
    report_top(logits, n_vocab, lse, p->n_top, s->c, out);
    return ERR_OK;
}

int sample_distribution(const float *logits, int n_vocab, const sample_params *p,
                        const int32_t *history, int n_history, sample_scratch *s, int32_t *ids,
                        double *probs, int *n_kept, errmsg *e)
{
    float max;
    prep pp;
    int rc = check_params(n_vocab, p, history, n_history, s, e);
    if (!rc)
        rc = check_logits(logits, n_vocab, &max, e);
    if (!rc)
        rc = prepare(logits, n_vocab, p, history, n_history, s, &pp, e);
    if (rc)
        return rc;
    if (p->temperature <= 0) {
        ids[0] = first_max(pp.score, n_vocab, pp.vmax);
        probs[0] = 1;
        *n_kept = 1;
        return ERR_OK;
    }
    double z_before, z_kept;
    int m = top_k_sorted(&pp, n_vocab, p, s->c, &z_before);
    int keep = cut_sorted(s->c, m, z_before, p, &z_kept);
    for (int j = 0; j < keep; j++) {
        ids[j] = s->c[j].id;
        probs[j] = s->c[j].w / z_kept;
    }
    *n_kept = keep;
    return ERR_OK;
}
