/* test_sample.c - the sampler (runtime/sample.h) and the stop-string matcher
 * (runtime/stopstr.h).
 *
 * Against tests/reference/sample_ref.py (PyTorch, HF's processors written from their
 * definitions, run with $PYTHON3): the raw log-softmax and top lists at 151,936 tokens, and
 * the kept set and renormalised probabilities of each processor combination. Then what a
 * reference cannot see: the fast draw (bucketed, partial) picks exactly the token that
 * walking the fully sorted distribution with the same uniform picks; draw frequencies pass a
 * chi-square test (fixed seeds, so never flaky) that a slightly wrong distribution fails;
 * greedy, the temperature -> 0 limit, top_k = 1, the repetition penalty; determinism and one
 * draw per token; errors; and a table of stop-string cases fed in every way of splitting.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/rng.h"
#include "runtime/sample.h"
#include "runtime/stopstr.h"
#include "tests/testutil.h"

enum { BIG = 151936, MAX_CASES = 16 };

/* logprob tolerance: the C value is a double rounded to float, so within one float ulp. */
static const double LP_RTOL = 1.2e-7, LP_ATOL = 1e-12;
/* probabilities: both sides compute in double; exp implementations differ by an ulp or two. */
static const double P_RTOL = 1e-9, P_ATOL = 1e-15;

typedef struct tcase {
    const char *name;
    int n, n_history, masked; /* masked: every masked-th logit is -inf; < 0: rounded to
                               * halves, so many scores tie */
    sample_params p;
    float *logits;
    int32_t *history;
} tcase;

static sample_params params(float t, int k, float top_p, float min_p, float rep, int n_top)
{
    sample_params p = {t, k, top_p, min_p, rep, n_top};
    return p;
}

/* A language model's shape: a normal background and a few dozen raised tokens. */
static void lm_logits(float *l, int n, float sd, int masked, rng *r)
{
    for (int i = 0; i < n; i++)
        l[i] = sd * rng_normal(r);
    for (int j = 0; j < 1 + n / 4000; j++)
        l[rng_below(r, (uint32_t)n)] += rng_uniform(r, 4.0f, 10.0f);
    for (int i = masked - 1; masked > 0 && i < n; i += masked)
        l[i] = -INFINITY;
}

static void case_make(tcase *c, unsigned stream)
{
    rng r = rng_make(4242, stream);
    c->logits = malloc((size_t)c->n * sizeof *c->logits);
    lm_logits(c->logits, c->n, 2.5f, c->masked > 0 ? c->masked : 0, &r);
    for (int i = 0; c->masked < 0 && i < c->n; i++)
        c->logits[i] = roundf(2 * c->logits[i]) / 2;
    c->history = malloc((size_t)(c->n_history + 1) * sizeof *c->history);
    for (int j = 0; j < c->n_history; j++) /* some ids repeat; some are the top tokens */
        c->history[j] = j % 3 == 0 && j ? c->history[j / 2] : (int32_t)rng_below(&r, c->n);
}

static void write_cases(const char *path, tcase *cs, int n)
{
    FILE *f = fopen(path, "wb");
    fwrite(&n, 4, 1, f);
    for (int i = 0; i < n; i++) {
        int32_t h[4] = {cs[i].n, cs[i].p.top_k, cs[i].n_history, cs[i].p.n_top};
        float fp[4] = {cs[i].p.temperature, cs[i].p.top_p, cs[i].p.min_p,
                       cs[i].p.repetition_penalty};
        fwrite(h, 4, 4, f);
        fwrite(fp, 4, 4, f);
        fwrite(cs[i].logits, 4, (size_t)cs[i].n, f);
        fwrite(cs[i].history, 4, (size_t)cs[i].n_history, f);
    }
    fclose(f);
}

/* The reference's answer for one case. */
typedef struct ref {
    int n_top, n_kept;
    int32_t top_ids[SAMPLE_MAX_TOP], *kept;
    double top_lp[SAMPLE_MAX_TOP], *lsm, *probs;
} ref;

static int read_ref(FILE *f, int n_vocab, ref *r)
{
    int ok = fread(&r->n_top, 4, 1, f) == 1 && r->n_top >= 0 && r->n_top <= SAMPLE_MAX_TOP;
    ok = ok && fread(r->top_ids, 4, (size_t)r->n_top, f) == (size_t)r->n_top;
    ok = ok && fread(r->top_lp, 8, (size_t)r->n_top, f) == (size_t)r->n_top;
    r->lsm = malloc((size_t)n_vocab * 8);
    ok = ok && fread(r->lsm, 8, (size_t)n_vocab, f) == (size_t)n_vocab;
    ok = ok && fread(&r->n_kept, 4, 1, f) == 1 && r->n_kept > 0 && r->n_kept <= n_vocab;
    r->kept = malloc((size_t)(ok ? r->n_kept : 1) * 4);
    r->probs = malloc((size_t)(ok ? r->n_kept : 1) * 8);
    ok = ok && fread(r->kept, 4, (size_t)r->n_kept, f) == (size_t)r->n_kept;
    return ok && fread(r->probs, 8, (size_t)r->n_kept, f) == (size_t)r->n_kept;
}

static int lp_close(float got, double want)
{
    return fabs((double)got - want) <= LP_ATOL + LP_RTOL * fabs(want);
}

/* The token the inverse CDF over a sorted distribution gives for u. */
static int32_t walk(const int32_t *ids, const double *probs, int n, double u)
{
    double cum = 0;
    for (int j = 0; j < n; j++) {
        cum += probs[j];
        if (cum > u)
            return ids[j];
    }
    return ids[n - 1];
}

static void compare_distribution(const tcase *c, const ref *r, sample_scratch *s)
{
    int32_t *ids = malloc((size_t)c->n * 4);
    double *probs = malloc((size_t)c->n * 8);
    int n_kept = 0, same = 1;
    errmsg e;
    T_CHECK(sample_distribution(c->logits, c->n, &c->p, c->history, c->n_history, s, ids, probs,
                                &n_kept, &e) == 0,
            "%s: %s", c->name, e.text);
    T_CHECK(n_kept == r->n_kept, "%s: %d tokens kept, reference %d", c->name, n_kept, r->n_kept);
    for (int j = 0; same && j < n_kept && j < r->n_kept; j++)
        if (ids[j] != r->kept[j] || fabs(probs[j] - r->probs[j]) > P_ATOL + P_RTOL * r->probs[j]) {
            T_CHECK(0, "%s: kept[%d] = %d p %.17g, reference %d p %.17g", c->name, j, ids[j],
                    probs[j], r->kept[j], r->probs[j]);
            same = 0;
        }
    free(ids);
    free(probs);
}

/* Draws: each token's raw logprob == the reference; the top list == the reference's; each
 * token == walking the reference distribution with the same uniform (the fast paths choose
 * exactly as a full sort would). */
static void compare_draws(const tcase *c, const ref *r, sample_scratch *s, int draws)
{
    rng g = rng_make(77, (uint64_t)c->n);
    int lp_bad = 0, top_bad = 0, walk_bad = 0;
    for (int d = 0; d < draws; d++) {
        rng before = g;
        double u = rng_float(&before);
        sample_result out;
        errmsg e;
        if (sample_token(c->logits, c->n, &c->p, c->history, c->n_history, &g, s, &out, &e)) {
            T_CHECK(0, "%s: %s", c->name, e.text);
            return;
        }
        lp_bad += !lp_close(out.logprob, r->lsm[out.token]);
        walk_bad += out.token != walk(r->kept, r->probs, r->n_kept, u);
        top_bad += out.n_top != r->n_top;
        for (int k = 0; k < out.n_top && k < r->n_top; k++)
            top_bad +=
                out.top_ids[k] != r->top_ids[k] || !lp_close(out.top_logprobs[k], r->top_lp[k]);
    }
    T_CHECK(lp_bad == 0, "%s: %d of %d logprobs differ from torch.log_softmax", c->name, lp_bad,
            draws);
    T_CHECK(top_bad == 0, "%s: %d top-list entries differ from the reference", c->name, top_bad);
    T_CHECK(walk_bad == 0, "%s: %d of %d draws differ from the inverse CDF over the reference",
            c->name, walk_bad, draws);
}

static void test_against_reference(sample_scratch *s)
{
    tcase cs[] = {
        {"plain", BIG, 0, 0, params(1, 0, 1, 0, 1, SAMPLE_MAX_TOP), 0, 0},
        {"temperature 0.7 top_k 50", BIG, 0, 0, params(0.7f, 50, 1, 0, 1, 5), 0, 0},
        {"temperature 1.3 top_p 0.9", BIG, 0, 0, params(1.3f, 0, 0.9f, 0, 1, 3), 0, 0},
        {"top_k 100 top_p 0.8 min_p 0.05", BIG, 0, 0, params(1, 100, 0.8f, 0.05f, 1, 1), 0, 0},
        {"min_p 0.02", BIG, 0, 0, params(1, 0, 1, 0.02f, 1, 0), 0, 0},
        {"penalty 1.3 temperature 0.9 top_p 0.95", BIG, 300, 0, params(0.9f, 0, 0.95f, 0, 1.3f, 2),
         0, 0},
        {"top_k 5000 (sorted path)", BIG, 0, 0, params(2, 5000, 1, 0, 1, 0), 0, 0},
        {"masked, temperature 1.5 top_p 0.7", BIG, 0, 7, params(1.5f, 0, 0.7f, 0, 1, 4), 0, 0},
        {"greedy penalty 1.2", BIG, 50, 0, params(0, 0, 1, 0, 1.2f, 2), 0, 0},
        {"small, penalty 0.8 top_k 30 min_p 0.1", 1000, 40, 0, params(1.2f, 30, 1, 0.1f, 0.8f, 3),
         0, 0},
        {"small, temperature 0.2", 1000, 0, 0, params(0.2f, 0, 1, 0, 1, 3), 0, 0},
        {"tiny, top_p 0", 8, 0, 0, params(1, 0, 0, 0, 1, 8), 0, 0},
        {"ties, top_k 10 top_p 0.6", 64, 0, -1, params(1, 10, 0.6f, 0, 1, 6), 0, 0},
        {"ties, temperature 0.5", 64, 0, -1, params(0.5f, 0, 1, 0, 1, 6), 0, 0},
        {"ties, greedy", 64, 0, -1, params(0, 0, 1, 0, 1, 6), 0, 0},
    };
    int n = (int)(sizeof cs / sizeof cs[0]);
    for (int i = 0; i < n; i++)
        case_make(&cs[i], (unsigned)i);
    char dir[] = "/tmp/vkeve_test_sample_XXXXXX", in[128], out[128], cmd[1024];
    T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(in, sizeof in, "%s/cases.bin", dir);
    snprintf(out, sizeof out, "%s/ref.bin", dir);
    write_cases(in, cs, n);
    const char *python = getenv("PYTHON3") ? getenv("PYTHON3") : "/usr/bin/python3";
    snprintf(cmd, sizeof cmd, "%s %s %s %s", python, t_data_path("reference/sample_ref.py"), in,
             out);
    int rc = system(cmd);
    T_CHECK(rc == 0, "%s: exit status %d", cmd, rc);
    FILE *f = fopen(out, "rb");
    T_CHECK(f != NULL, "reference output %s", out);
    for (int i = 0; f && i < n; i++) {
        ref r = {0};
        if (!read_ref(f, cs[i].n, &r)) {
            T_CHECK(0, "%s: reference output short", cs[i].name);
            i = n;
        } else {
            compare_distribution(&cs[i], &r, s);
            compare_draws(&cs[i], &r, s, cs[i].n == BIG ? 200 : 2000);
        }
        free(r.lsm);
        free(r.kept);
        free(r.probs);
    }
    if (f)
        fclose(f);
    unlink(in);
    unlink(out);
    rmdir(dir);
    for (int i = 0; i < n; i++) {
        free(cs[i].logits);
        free(cs[i].history);
    }
}

/* Pearson's statistic of counts against a distribution; bins expecting under 5 draws are
 * pooled. A draw outside the kept set makes it infinite. */
static double chi_square(const int *counts, const int32_t *ids, const double *probs, int n_kept,
                         int draws, int *df)
{
    double chi = 0, pool_e = 0, pool_o = 0;
    int bins = 0, inside = 0;
    for (int j = 0; j < n_kept; j++) {
        double want = probs[j] * draws;
        inside += counts[ids[j]];
        if (want >= 5) {
            chi += (counts[ids[j]] - want) * (counts[ids[j]] - want) / want;
            bins++;
        } else {
            pool_e += want;
            pool_o += counts[ids[j]];
        }
    }
    if (pool_e > 0) {
        chi += (pool_o - pool_e) * (pool_o - pool_e) / pool_e;
        bins++;
    }
    *df = bins - 1;
    return inside == draws ? chi : INFINITY;
}

/* A bound the statistic passes with probability about 1 - 1e-9 under the null hypothesis
 * (about six standard deviations above its mean). */
static double chi_bound(int df)
{
    return df + 6.0 * sqrt(2.0 * df) + 10.0;
}

static void frequency_case(const char *name, const float *l, int n, sample_params p,
                           const int32_t *hist, int nh, int draws, sample_scratch *s)
{
    int *counts = calloc((size_t)n, sizeof *counts);
    int32_t *ids = malloc((size_t)n * 4);
    double *probs = malloc((size_t)n * 8);
    int n_kept, df;
    errmsg e;
    T_CHECK(sample_distribution(l, n, &p, hist, nh, s, ids, probs, &n_kept, &e) == 0, "%s: %s",
            name, e.text);
    rng g = rng_make(2024, (uint64_t)draws);
    sample_result out;
    for (int d = 0; d < draws; d++) {
        T_CHECK(sample_token(l, n, &p, hist, nh, &g, s, &out, &e) == 0, "%s", e.text);
        counts[out.token]++;
    }
    double chi = chi_square(counts, ids, probs, n_kept, draws, &df);
    T_CHECK(chi <= chi_bound(df), "%s: chi-square %.1f with %d degrees of freedom (bound %.1f)",
            name, chi, df, chi_bound(df));
    /* The test has power: the same counts against a slightly hotter distribution fail. */
    sample_params hot = p;
    hot.temperature *= 1.15f;
    if (n_kept > 1 && p.temperature > 0) {
        sample_distribution(l, n, &hot, hist, nh, s, ids, probs, &n_kept, &e);
        double wrong = chi_square(counts, ids, probs, n_kept, draws, &df);
        T_CHECK(wrong > chi_bound(df), "%s: counts also fit temperature x1.15 (chi-square %.1f)",
                name, wrong);
    }
    free(counts);
    free(ids);
    free(probs);
}

static void test_frequencies(sample_scratch *s)
{
    enum { N = 40 };
    float l[N];
    rng r = rng_make(31, 0);
    for (int i = 0; i < N; i++)
        l[i] = 1.2f * rng_normal(&r);
    int32_t hist[] = {3, 5, 3, 11};
    frequency_case("temperature 1", l, N, params(1, 0, 1, 0, 1, 0), NULL, 0, 200000, s);
    frequency_case("temperature 0.7 top_k 10", l, N, params(0.7f, 10, 1, 0, 1, 0), NULL, 0, 200000,
                   s);
    frequency_case("top_p 0.8", l, N, params(1, 0, 0.8f, 0, 1, 0), NULL, 0, 200000, s);
    frequency_case("temperature 1.5 min_p 0.1", l, N, params(1.5f, 0, 1, 0.1f, 1, 0), NULL, 0,
                   200000, s);
    frequency_case("all, penalty 1.5", l, N, params(0.9f, 20, 0.9f, 0.02f, 1.5f, 0), hist, 4,
                   200000, s);
    float *big = malloc((size_t)BIG * sizeof *big);
    lm_logits(big, BIG, 2.0f, 0, &r);
    frequency_case("151936 tokens, temperature 1", big, BIG, params(1, 0, 1, 0, 1, 0), NULL, 0,
                   4000, s);
    free(big);
}

static int32_t draw_one(const float *l, int n, sample_params p, const int32_t *h, int nh,
                        uint64_t stream, sample_scratch *s)
{
    rng g = rng_make(9, stream);
    sample_result out;
    errmsg e;
    if (sample_token(l, n, &p, h, nh, &g, s, &out, &e))
        return -1;
    return out.token;
}

static void test_greedy_and_limits(sample_scratch *s)
{
    float *l = malloc((size_t)BIG * sizeof *l);
    rng r = rng_make(5, 5);
    lm_logits(l, BIG, 2.5f, 0, &r);
    int argmax = 0;
    for (int i = 1; i < BIG; i++)
        argmax = l[i] > l[argmax] ? i : argmax;
    l[BIG - 1] = l[argmax]; /* a tie with a higher id */
    int first_k1 = -1, k1_ok = 1, cold_ok = 1;
    T_CHECK(draw_one(l, BIG, params(0, 0, 1, 0, 1, 0), NULL, 0, 0, s) == argmax,
            "greedy: not the lowest-id maximum %d", argmax);
    T_CHECK(draw_one(l, BIG, params(-1, 50, 0.5f, 0.1f, 1, 0), NULL, 0, 0, s) == argmax,
            "negative temperature: not greedy");
    l[BIG - 1] = 0;
    for (uint64_t st = 0; st < 50; st++) {
        int32_t t = draw_one(l, BIG, params(1.5f, 1, 1, 0, 1, 0), NULL, 0, st, s);
        first_k1 = st ? first_k1 : t;
        k1_ok &= t == argmax;
        cold_ok &= draw_one(l, BIG, params(1e-3f, 0, 1, 0, 1, 0), NULL, 0, st, s) == argmax;
    }
    T_CHECK(k1_ok, "top_k 1 differs from greedy (first draw %d, argmax %d)", first_k1, argmax);
    T_CHECK(cold_ok, "temperature 1e-3 differs from greedy");
    /* The limit: the argmax's probability rises towards 1 as the temperature falls (with the
     * argmax 1 nat clear of the rest, it is within e^-100 of 1 at temperature 0.01). */
    l[argmax] += 1.0f;
    int32_t *ids = malloc((size_t)BIG * 4);
    double *probs = malloc((size_t)BIG * 8), last = 0;
    int n_kept, rising = 1;
    errmsg e;
    float temps[] = {2, 1, 0.5f, 0.2f, 0.05f, 0.01f};
    for (int t = 0; t < 6; t++) {
        sample_params p = params(temps[t], 0, 1, 0, 1, 0);
        sample_distribution(l, BIG, &p, NULL, 0, s, ids, probs, &n_kept, &e);
        rising &= ids[0] == argmax && probs[0] > last;
        last = probs[0];
    }
    T_CHECK(rising && last > 1 - 1e-9, "temperature -> 0: argmax probability %.12f", last);
    free(ids);
    free(probs);
    free(l);
}

/* Small cases worked out by hand: the repetition penalty, top-k ties. */
static void test_by_hand(sample_scratch *s)
{
    /* logits 2, -2, 1, 0.5 with 0 and 1 seen (0 twice), penalty 2 -> 1, -4, 1, 0.5 */
    float l[] = {2, -2, 1, 0.5f};
    int32_t h[] = {0, 1, 0}, ids[6];
    double probs[6], want[4] = {exp(1.0), exp(1.0), exp(0.5), exp(-4.0)}, z = 0;
    int32_t want_ids[4] = {0, 2, 3, 1}; /* 0 and 2 tie at 1: the lower id first */
    int n_kept, ok = 1;
    errmsg e;
    sample_params p = params(1, 0, 1, 0, 2, 0);
    T_CHECK(sample_distribution(l, 4, &p, h, 3, s, ids, probs, &n_kept, &e) == 0, "%s", e.text);
    for (int j = 0; j < 4; j++)
        z += want[j];
    for (int j = 0; j < 4; j++)
        ok &= n_kept == 4 && ids[j] == want_ids[j] && fabs(probs[j] - want[j] / z) < 1e-12;
    T_CHECK(ok, "penalty 2 on positive and negative logits: got %d %d %d %d, p0 %.6f", ids[0],
            ids[1], ids[2], ids[3], probs[0]);
    /* top-k keeps every token tied with the k-th score, as HF's mask does */
    float tied[] = {1, 3, 3, 2, 3, 0};
    p = params(1, 2, 1, 0, 1, 0);
    T_CHECK(sample_distribution(tied, 6, &p, NULL, 0, s, ids, probs, &n_kept, &e) == 0 &&
                n_kept == 3 && ids[0] == 1 && ids[1] == 2 && ids[2] == 4,
            "top_k 2 over three tied 3s: %d kept (%d %d %d)", n_kept, ids[0], ids[1], ids[2]);
    float g[] = {2, 1.5f};
    int32_t g0[] = {0};
    T_CHECK(draw_one(g, 2, params(0, 0, 1, 0, 2, 0), g0, 1, 0, s) == 1,
            "greedy: the penalty applies before the argmax");
    float c[] = {1, 1.5f, -1};
    int32_t ch[] = {0, 2};
    T_CHECK(draw_one(c, 3, params(0, 0, 1, 0, 0.5f, 0), ch, 2, 0, s) == 0,
            "penalty 0.5 raises a seen positive logit (1 -> 2) above 1.5");
}

static void test_determinism(sample_scratch *s)
{
    enum { N = 3000 };
    float l[N];
    rng r = rng_make(8, 8);
    lm_logits(l, N, 1.0f, 0, &r);
    sample_params ps[] = {params(0, 0, 1, 0, 1, 3),        params(1, 0, 1, 0, 1, 3),
                          params(0.8f, 40, 1, 0, 1, 3),    params(1.1f, 0, 0.9f, 0, 1, 3),
                          params(1, 0, 1, 0.05f, 1.2f, 3), params(1, 4000, 0.5f, 0, 1, 3)};
    int32_t h[] = {1, 2, 3};
    errmsg e;
    for (int k = 0; k < 6; k++) {
        rng a = rng_make(1, 2), b = a;
        sample_result ra, rb;
        memset(&ra, 0xaa, sizeof ra);
        memset(&rb, 0x55, sizeof rb);
        sample_token(l, N, &ps[k], h, 3, &a, s, &ra, &e);
        sample_token(l, N, &ps[k], h, 3, &b, s, &rb, &e);
        T_CHECK(!memcmp(&ra, &rb, sizeof ra), "setting %d: same state, different result", k);
        T_CHECK(a.counter == 1, "setting %d: %llu draws for one token", k,
                (unsigned long long)a.counter);
    }
    /* A sampled token after a greedy one sees the second value of the stream. */
    rng a = rng_make(3, 4), b = rng_make(3, 4);
    sample_result ra, rb;
    sample_token(l, N, &ps[0], NULL, 0, &a, s, &ra, &e);
    sample_token(l, N, &ps[1], NULL, 0, &a, s, &ra, &e);
    rng_float(&b);
    sample_token(l, N, &ps[1], NULL, 0, &b, s, &rb, &e);
    T_CHECK(ra.token == rb.token, "greedy call did not take exactly one draw");
    /* A failed call draws nothing. */
    l[5] = NAN;
    rng c = rng_make(3, 4);
    T_CHECK(sample_token(l, N, &ps[1], NULL, 0, &c, s, &ra, &e) == ERR_FAIL && c.counter == 0,
            "NaN: rc or draw count");
}

static void expect_error(const char *what, const float *l, int n, sample_params p, const int32_t *h,
                         int nh, int code, const char *needle, sample_scratch *s)
{
    rng g = rng_make(1, 1);
    sample_result out;
    errmsg e = {0, ""};
    int rc = sample_token(l, n, &p, h, nh, &g, s, &out, &e);
    T_CHECK(rc == code && strstr(e.text, needle), "%s: rc %d, message '%s'", what, rc, e.text);
}

static void test_errors(sample_scratch *s)
{
    float l[4] = {0, 1, NAN, 2}, inf[4] = {0, INFINITY, 1, 2};
    float masked[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    sample_params d = sample_defaults();
    int32_t bad_h[] = {1, 4};
    expect_error("NaN", l, 4, d, NULL, 0, ERR_FAIL, "logit 2 is NaN", s);
    expect_error("+inf", inf, 4, d, NULL, 0, ERR_FAIL, "logit 1 is +inf", s);
    expect_error("all -inf", masked, 4, d, NULL, 0, ERR_FAIL, "all 4 logits are -inf", s);
    expect_error("top_k", inf + 2, 2, params(1, -1, 1, 0, 1, 0), NULL, 0, ERR_ENV, "top_k", s);
    expect_error("top_p", inf + 2, 2, params(1, 0, -0.5f, 0, 1, 0), NULL, 0, ERR_ENV, "top_p", s);
    expect_error("min_p", inf + 2, 2, params(1, 0, 1, 1.5f, 1, 0), NULL, 0, ERR_ENV, "min_p", s);
    expect_error("penalty", inf + 2, 2, params(1, 0, 1, 0, 0, 0), NULL, 0, ERR_ENV, "penalty", s);
    expect_error("n_top", inf + 2, 2, params(1, 0, 1, 0, 1, 3), NULL, 0, ERR_ENV, "n_top", s);
    expect_error("history", inf + 2, 2, d, bad_h, 2, ERR_ENV, "history[1] = 4", s);
    expect_error("temperature", inf + 2, 2, params(NAN, 0, 1, 0, 1, 0), NULL, 0, ERR_ENV,
                 "temperature", s);
    float big[8] = {1e30f, 0};
    expect_error("overflow", big, 8, params(1e-10f, 0, 1, 0, 1, 0), NULL, 0, ERR_FAIL, "overflows",
                 s);
    expect_error("too large", big, BIG + 1, d, NULL, 0, ERR_ENV, "scratch", s);
    float one_left[3] = {-INFINITY, 0.5f, -INFINITY};
    T_CHECK(draw_one(one_left, 3, params(1, 0, 0.5f, 0.5f, 1, 1), NULL, 0, 0, s) == 1,
            "masked logits: the one finite token");
}

/* stop strings ---------------------------------------------------------------------------- */

typedef struct stop_case {
    const char *stops[3];
    int n_stops;
    const char *chunks[4]; /* the tokens' bytes; NULL ends */
    const char *want;      /* released text */
    int stopped;
} stop_case;

static const stop_case stop_cases[] = {
    {{"ab", "bc"}, 2, {"abc"}, "", 1},
    {{"bc", "ab"}, 2, {"x", "abc"}, "x", 1},
    {{"aab"}, 1, {"aaab"}, "a", 1},
    {{"aab"}, 1, {"a", "a", "a", "b"}, "a", 1},
    {{"aab"}, 1, {"aaaab"}, "aa", 1},
    {{"</answer>"}, 1, {"The </an", "swer> tail"}, "The ", 1},
    {{"abcd", "bc"}, 2, {"xabcd"}, "xa", 1},
    {{"b", "ab"}, 2, {"ab"}, "", 1},
    {{"zz"}, 1, {"hello z"}, "hello z", 0},
    {{"abc"}, 1, {"ab", "abd"}, "ababd", 0},
    {{"<|im_end|>"}, 1, {"ok<|", "im_", "end|>more"}, "ok", 1},
    {{"\xc3\xa9!"}, 1, {"caf\xc3", "\xa9!"}, "caf", 1},
    {{"\xe7\xb5\x82\xe3\x82\x8f\xe3\x82\x8a"},
     1,
     {"x\xe7\xb5", "\x82\xe3\x82\x8f\xe3", "\x82\x8a"},
     "x",
     1},
    {{"x"}, 1, {"a\xe2\x82", "\xac b"}, "a\xe2\x82\xac b", 0},
    {{0}, 0, {"no stops"}, "no stops", 0},
    {{"end"}, 1, {"the end", " and more"}, "the ", 1},
};

/* Feeds text cut at the given points (cuts ascending, n_cuts of them); returns the released
 * text (malloc'd) and whether it stopped. */
static char *run_stops(const stop_case *c, const char *text, const size_t *cuts, int n_cuts,
                       int *stopped)
{
    stop_matcher *m;
    errmsg e;
    size_t len = strlen(text), at = 0, released = 0, emit;
    char *out = calloc(len + 1, 1);
    *stopped = 0;
    if (stop_new(c->stops, c->n_stops, &m, &e)) {
        T_CHECK(0, "stop_new: %s", e.text);
        return out;
    }
    for (int k = 0; k <= n_cuts && !*stopped; k++) {
        size_t end = k < n_cuts ? cuts[k] : len;
        T_CHECK(stop_feed(m, text + at, end - at, &emit, stopped, &e) == 0, "%s", e.text);
        memcpy(out + released, text + released, emit);
        released += emit;
        at = end;
    }
    if (!*stopped) {
        stop_flush(m, &emit);
        memcpy(out + released, text + released, emit);
    }
    stop_free(m);
    return out;
}

static void test_stop_strings(void)
{
    for (size_t i = 0; i < sizeof stop_cases / sizeof stop_cases[0]; i++) {
        const stop_case *c = &stop_cases[i];
        char text[128] = "";
        size_t cuts[4], all[128];
        int n_cuts = 0, stopped;
        for (int k = 0; k < 4 && c->chunks[k]; k++) {
            if (k)
                cuts[n_cuts++] = strlen(text);
            strcat(text, c->chunks[k]);
        }
        char *got = run_stops(c, text, cuts, n_cuts, &stopped);
        T_CHECK(!strcmp(got, c->want) && stopped == c->stopped,
                "stop case %zu: released '%s' stopped %d, want '%s' %d", i, got, stopped, c->want,
                c->stopped);
        free(got);
        /* The same text whole and byte by byte gives the same answer. */
        size_t len = strlen(text);
        for (size_t k = 1; k < len; k++)
            all[k - 1] = k;
        int whole_stop, byte_stop;
        char *whole = run_stops(c, text, NULL, 0, &whole_stop);
        char *bytes = run_stops(c, text, all, (int)len - 1, &byte_stop);
        T_CHECK(!strcmp(whole, c->want) && !strcmp(bytes, c->want) && whole_stop == c->stopped &&
                    byte_stop == c->stopped,
                "stop case %zu: whole '%s', byte by byte '%s'", i, whole, bytes);
        free(whole);
        free(bytes);
    }
}

static void test_stop_holding(void)
{
    const char *stops[] = {"</s>"};
    stop_matcher *m;
    errmsg e;
    size_t emit;
    int stopped;
    T_CHECK(stop_new(stops, 1, &m, &e) == 0, "%s", e.text);
    stop_feed(m, "ab<", 3, &emit, &stopped, &e);
    T_CHECK(emit == 2 && stop_held(m) == 1, "'<' held: emit %zu held %zu", emit, stop_held(m));
    stop_feed(m, "/x\xe2\x82", 4, &emit, &stopped, &e);
    T_CHECK(emit == 3 && stop_held(m) == 2, "half a character held: emit %zu", emit);
    stop_feed(m, "\xac</s>tail", 9, &emit, &stopped, &e);
    T_CHECK(emit == 3 && stopped, "stop after the character: emit %zu stopped %d", emit, stopped);
    stop_feed(m, "more", 4, &emit, &stopped, &e);
    T_CHECK(emit == 0 && stopped, "after the stop: emit %zu", emit);
    stop_free(m);
    const char *empty[] = {"ok", ""};
    T_CHECK(stop_new(empty, 2, &m, &e) == ERR_ENV && strstr(e.text, "empty"), "empty stop: %s",
            e.text);
}

int main(void)
{
    sample_scratch *s = sample_scratch_new(BIG);
    T_CHECK(s != NULL, "scratch");
    T_CHECK(sample_scratch_new(0) == NULL, "scratch for 0 tokens");
    test_against_reference(s);
    test_frequencies(s);
    test_greedy_and_limits(s);
    test_by_hand(s);
    test_determinism(s);
    test_errors(s);
    sample_scratch_free(s);
    test_stop_strings();
    test_stop_holding();
    return t_finish();
}
