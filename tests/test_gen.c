/* test_gen.c - batched generation (runtime/gen.h) on a tiny random model that `vkeve
 * make-model` writes: a request's samples are the same alone and batched with others (and
 * run to run), greedy samples agree, log-probs are the model's own log-softmax, end tokens,
 * lengths and stop strings end samples, a shared prompt is computed once, and requests that
 * cannot run are refused with a reason. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/gen.h"
#include "tests/testutil.h"

static const int32_t prompt_a[] = {39, 68, 334, 78, 271, 274, 75, 67, 220, 101, 412, 9};
static const int32_t prompt_b[] = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

typedef struct fixture {
    vk_ctx *ctx;
    gguf_file *f;
    tok *t;
    llm *m;
    kv_cache *kv;
} fixture;

static int open_fixture(fixture *x, const char *dir)
{
    char path[4096], cmd[8192];
    snprintf(path, sizeof path, "%s/gen-model.gguf", dir);
    snprintf(cmd, sizeof cmd, "'%s' make-model '%s' --seed 3 --embd 128 --ff 256 >/dev/null",
             getenv("VKEVE_BIN"), path);
    errmsg e = {0};
    llm_opts o = llm_default_opts();
    o.n_ctx = 256;
    int rc = system(cmd) != 0 ? err_set(&e, 1, "make-model failed") : 0;
    if (!rc && !gguf_open(path, &x->f, &e) && !tok_load(x->f, &x->t, &e) &&
        (x->ctx = t_gpu_open()) && !llm_load(x->ctx, x->f, &o, &x->m, &e))
        rc = llm_new_cache(x->m, 0, &x->kv, &e);
    else
        rc = 1;
    T_CHECK(rc == 0, "fixture: %s", e.text);
    return rc;
}

static gen_request request(const int32_t *ids, int n, int samples, uint64_t seed)
{
    gen_request r = gen_default_request();
    r.ids = ids;
    r.n_ids = n;
    r.n_samples = samples;
    r.seed = seed;
    r.max_tokens = 24;
    return r;
}

static int same_sample(const gen_sample *a, const gen_sample *b)
{
    return a->n == b->n && !memcmp(a->ids, b->ids, (size_t)a->n * sizeof *a->ids) &&
           !memcmp(a->logprobs, b->logprobs, (size_t)a->n * sizeof *a->logprobs) &&
           a->finish == b->finish;
}

static gen_result *run(fixture *x, const gen_request *r, int n, gen_stats *st)
{
    errmsg e = {0};
    gen_result *res = NULL;
    gen_opts o = {NULL, NULL, st};
    T_CHECK(gen_run(x->m, x->kv, x->t, r, n, &o, &res, &e) == 0, "gen_run: %s", e.text);
    return res;
}

static void test_batch_invariance(fixture *x)
{
    gen_request both[2] = {request(prompt_a, 12, 3, 7), request(prompt_b, 17, 2, 9)};
    gen_result *together = run(x, both, 2, NULL), *alone = run(x, both, 1, NULL);
    gen_result *again = run(x, both, 1, NULL);
    for (int k = 0; together && alone && again && k < 3; k++) {
        T_CHECK(same_sample(&together[0].samples[k], &alone[0].samples[k]),
                "sample %d differs batched with another request", k);
        T_CHECK(same_sample(&again[0].samples[k], &alone[0].samples[k]),
                "sample %d differs run to run", k);
    }
    T_CHECK(together && !same_sample(&together[0].samples[0], &together[0].samples[1]),
            "two samples of one request drew the same tokens");
    gen_results_free(together, 2);
    gen_results_free(alone, 1);
    gen_results_free(again, 1);
}

/* Greedy samples agree, and the first token's log-prob is the log-softmax of the prompt's
 * last logits computed here in double. */
static void test_greedy_and_logprobs(fixture *x)
{
    gen_request r = request(prompt_a, 12, 2, 1);
    r.sampling.temperature = 0;
    gen_result *res = run(x, &r, 1, NULL);
    int V = llm_config_of(x->m)->n_vocab;
    float *logits = malloc((size_t)V * sizeof *logits);
    errmsg e = {0};
    int s = kv_seq_new(x->kv, &e), out = 11, seqs[12];
    int32_t pos[48];
    for (int i = 0; i < 12; i++)
        seqs[i] = s;
    llm_text_positions(0, 12, pos);
    llm_batch b = {12, prompt_a, pos, seqs, NULL, NULL, 0, &out, 1};
    int rc = kv_reserve(x->kv, s, 12, &e) || llm_step(x->m, x->kv, &b, logits, &e);
    kv_free_seq(x->kv, s);
    if (res && !rc) {
        double max = -INFINITY, sum = 0;
        int best = 0;
        for (int i = 0; i < V; i++) {
            best = logits[i] > logits[best] ? i : best;
            max = logits[i] > max ? logits[i] : max;
        }
        for (int i = 0; i < V; i++)
            sum += exp(logits[i] - max);
        double want = logits[best] - max - log(sum);
        T_CHECK(same_sample(&res[0].samples[0], &res[0].samples[1]), "greedy samples differ");
        T_CHECK(res[0].samples[0].ids[0] == best, "greedy took %d, the argmax is %d",
                (int)res[0].samples[0].ids[0], best);
        T_CHECK(fabs(res[0].samples[0].logprobs[0] - want) < 1e-5, "log-prob %g, want %g",
                res[0].samples[0].logprobs[0], want);
    }
    T_CHECK(rc == 0, "prompt logits: %s", e.text);
    free(logits);
    gen_results_free(res, 1);
}

/* The third greedy token as an end token stops there (and is kept); a length limit gives
 * GEN_LENGTH; a stop string cuts the text before it. */
static void test_endings(fixture *x)
{
    gen_request r = request(prompt_b, 17, 1, 2);
    r.sampling.temperature = 0;
    gen_result *free_run = run(x, &r, 1, NULL);
    if (!free_run)
        return;
    const gen_sample *s = &free_run[0].samples[0];
    T_CHECK(s->n == 24 && s->finish == GEN_LENGTH, "24 tokens, finish %d", (int)s->finish);
    int32_t end = s->ids[2];
    r.stop_ids = &end;
    r.n_stop_ids = 1;
    gen_result *ended = run(x, &r, 1, NULL);
    T_CHECK(ended && ended[0].samples[0].finish == GEN_STOP_TOKEN && ended[0].samples[0].n <= 3 &&
                ended[0].samples[0].ids[ended[0].samples[0].n - 1] == end,
            "stop token");
    r.n_stop_ids = 0;
    char stop[8] = {0};
    const char *stops[1] = {stop};
    size_t at = s->text_len / 2;
    memcpy(stop, s->text + at, s->text_len - at < 3 ? s->text_len - at : 3);
    r.stops = stops;
    r.n_stops = stop[0] ? 1 : 0;
    gen_result *cut = run(x, &r, 1, NULL);
    const gen_sample *c = cut ? &cut[0].samples[0] : NULL;
    T_CHECK(!stop[0] || (c && c->finish == GEN_STOP_STRING && c->text_len <= at &&
                         !memcmp(c->text, s->text, c->text_len) && !strstr(c->text, stop)),
            "stop string '%s'", stop);
    gen_results_free(free_run, 1);
    gen_results_free(ended, 1);
    gen_results_free(cut, 1);
}

/* Five samples of one request compute the prompt once; five requests compute it five times. */
static void test_shared_prompt(fixture *x)
{
    gen_request one = request(prompt_b, 17, 5, 4), five[5];
    for (int i = 0; i < 5; i++)
        five[i] = request(prompt_b, 17, 1, 4 + (uint64_t)i);
    gen_stats shared = {0}, separate = {0};
    gen_results_free(run(x, &one, 1, &shared), 1);
    gen_results_free(run(x, five, 5, &separate), 5);
    T_CHECK(shared.prompt_tokens == 17 && separate.prompt_tokens == 85,
            "prompt tokens computed: shared %ld, separate %ld", shared.prompt_tokens,
            separate.prompt_tokens);
}

static void test_refusals(fixture *x)
{
    static int32_t long_prompt[300];
    gen_request r[2] = {request(long_prompt, 300, 1, 1), request(prompt_a, 12, 500, 1)};
    gen_result *res = run(x, r, 2, NULL);
    T_CHECK(res && res[0].samples[0].finish == GEN_REFUSED && strstr(res[0].error, "context"),
            "a prompt past the context: '%s'", res ? res[0].error : "");
    T_CHECK(res && res[1].samples[0].finish == GEN_REFUSED && strstr(res[1].error, "samples"),
            "too many samples: '%s'", res ? res[1].error : "");
    gen_results_free(res, 2);
    T_CHECK(kv_free_pages(x->kv) == kv_total_pages(x->kv), "every page returned");
}

int main(void)
{
    char dir[] = "/tmp/vkeve-test-gen-XXXXXX";
    fixture x = {0};
    if (mkdtemp(dir) && !open_fixture(&x, dir)) {
        test_batch_invariance(&x);
        test_greedy_and_logprobs(&x);
        test_endings(&x);
        test_shared_prompt(&x);
        test_refusals(&x);
    }
    kv_free(x.kv);
    llm_free(x.m);
    tok_free(x.t);
    gguf_close(x.f);
    if (x.ctx)
        t_gpu_close(x.ctx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    T_CHECK(system(cmd) == 0, "cleanup");
    return t_finish();
}
