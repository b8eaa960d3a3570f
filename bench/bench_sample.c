/* bench_sample.c - the cost of one sample_token call (runtime/sample.h) at Qwen2's vocabulary
 * size, for the settings a rollout uses, as JSON lines.
 * usage: bench_sample [CALLS]   (default 2000 calls per setting)
 *
 * Logits are shaped like a language model's: a normal background (sd 2.5) with a few dozen
 * tokens raised 6-12 nats above it, so the head holds most of the mass and the tail is long.
 * n_top = 5 throughout, as a trainer asking for a few alternatives would. */
#include <stdio.h>
#include <stdlib.h>

#include "base/now.h"
#include "runtime/sample.h"

enum { N_VOCAB = 151936, N_LOGIT_SETS = 8 };

static void lm_logits(float *l, rng *r)
{
    for (int i = 0; i < N_VOCAB; i++)
        l[i] = 2.5f * rng_normal(r);
    for (int j = 0; j < 40; j++)
        l[rng_below(r, N_VOCAB)] += rng_uniform(r, 6.0f, 12.0f);
}

static int bench(const char *name, const float *logits, sample_params p, int calls,
                 sample_scratch *s)
{
    rng r = rng_make(7, 0);
    sample_result out;
    errmsg e;
    long sum = 0;
    double t0 = now_seconds();
    for (int c = 0; c < calls; c++) {
        const float *l = logits + (size_t)(c % N_LOGIT_SETS) * N_VOCAB;
        if (sample_token(l, N_VOCAB, &p, NULL, 0, &r, s, &out, &e)) {
            fprintf(stderr, "bench_sample: %s\n", e.text);
            return 1;
        }
        sum += out.token;
    }
    double dt = now_seconds() - t0;
    printf("{\"bench\": \"sample\", \"setting\": \"%s\", \"n_vocab\": %d, \"calls\": %d, "
           "\"us_per_call\": %.1f, \"token_sum\": %ld}\n",
           name, N_VOCAB, calls, 1e6 * dt / calls, sum);
    return 0;
}

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 2000;
    float *logits = malloc((size_t)N_LOGIT_SETS * N_VOCAB * sizeof *logits);
    sample_scratch *s = sample_scratch_new(N_VOCAB);
    if (!logits || !s || calls <= 0) {
        fprintf(stderr, "bench_sample: %s\n",
                calls <= 0 ? "usage: bench_sample [CALLS]" : "out of memory");
        return 2;
    }
    rng r = rng_make(1, 0);
    for (int k = 0; k < N_LOGIT_SETS; k++)
        lm_logits(logits + (size_t)k * N_VOCAB, &r);
    sample_params base = sample_defaults();
    base.n_top = 5;
    sample_params greedy = base, temp = base, topk = base, topp = base;
    greedy.temperature = 0;
    temp.temperature = 0.8f;
    topk.top_k = 50;
    topp.top_p = 0.9f;
    int rc = bench("greedy", logits, greedy, calls, s) ||
             bench("temperature_1", logits, base, calls, s) ||
             bench("temperature_0.8", logits, temp, calls, s) ||
             bench("top_k_50", logits, topk, calls, s) ||
             bench("top_p_0.9", logits, topp, calls, s);
    sample_scratch_free(s);
    free(logits);
    return rc;
}
