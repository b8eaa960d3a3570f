/* gen.h - batched generation: many requests, each with many samples, run as one continuously
 * batched workload on the decoder (runtime/llm.h).
 *
 * A request is a prompt (token ids, and optionally image embedding rows and M-RoPE
 * positions) and how to sample it. Its prompt is computed once; its samples then share the
 * prompt's cache pages and branch (runtime/kv.h). Every forward step carries one new token
 * of every running sample plus, while there is room, a chunk of a waiting prompt; finished
 * samples free their pages and waiting requests take their place. A request is admitted
 * only when the cache can hold all its samples at full length, so a run never stalls.
 *
 * Each sample draws from its own stream of the request's seed (rng stream = sample index)
 * and the kernels are batch-invariant, so the same seed on the same device gives the same
 * tokens whatever else is in the batch.
 *
 *     gen_request r = gen_default_request();
 *     r.ids = prompt; r.n_ids = n; r.n_samples = 6; r.max_tokens = 2048; r.seed = 42;
 *     gen_result *res;
 *     if (gen_run(model, kv, tokenizer, &r, 1, NULL, &res, &e)) ...
 *     gen_sample *s = &res[0].samples[0];   // s->ids, s->logprobs, s->text, s->finish
 *     gen_results_free(res, 1);
 */
#ifndef VKEVE_GEN_H
#define VKEVE_GEN_H

#include <stdint.h>

#include "runtime/llm.h"
#include "runtime/sample.h"
#include "runtime/tok.h"

typedef struct gen_request {
    const int32_t *ids; /* prompt token ids */
    int n_ids;
    const int32_t *pos; /* 4 per prompt token (t, h, w, e), or NULL for text positions */
    int next_pos;       /* with pos: the first generated token's position */
    const float *embd;  /* image rows replacing prompt tokens (n_embd floats each), or NULL */
    const int *embd_at; /* the prompt token each row replaces */
    int n_embd_rows;
    int n_samples;
    int max_tokens;
    sample_params sampling;
    uint64_t seed;
    const int32_t *stop_ids; /* tokens that end a sample besides the tokenizer's end tokens */
    int n_stop_ids;
    const char *const *stops; /* stop strings (need a tokenizer) */
    int n_stops;
} gen_request;

gen_request gen_default_request(void); /* 1 sample, 256 tokens, sample_defaults() */

typedef enum gen_finish {
    GEN_STOP_TOKEN,  /* an end token (not in the output) */
    GEN_STOP_STRING, /* a stop string (the text ends before it) */
    GEN_LENGTH,      /* max_tokens reached */
    GEN_REFUSED,     /* the request cannot run: see gen_result.error */
} gen_finish;

typedef struct gen_sample {
    int32_t *ids;       /* generated tokens, the end token excluded */
    float *logprobs;    /* each token's log-probability under the model (raw log-softmax) */
    sample_result *top; /* per token, with sampling.n_top > 0: the alternatives */
    int n;
    char *text; /* decoded text (with a tokenizer), stop string excluded; NUL-terminated */
    size_t text_len;
    gen_finish finish;
} gen_sample;

typedef struct gen_result {
    gen_sample *samples; /* n_samples */
    int n_samples;
    char error[256]; /* why a refused request could not run */
} gen_result;

/* Called for every token as it is generated; `text` is what may be shown now (stop strings
 * held back). Streaming output uses it. */
typedef void gen_token_fn(void *user, int request, int sample, int32_t id, const char *text,
                          size_t text_len);

typedef struct gen_stats {
    int steps;
    long prompt_tokens, generated_tokens;
    double seconds;
} gen_stats;

typedef struct gen_opts {
    gen_token_fn *on_token;
    void *user;
    gen_stats *stats; /* filled when not NULL */
} gen_opts;

/* Runs the requests to completion. t may be NULL (no text, no stop strings, no end tokens
 * but stop_ids). A request that cannot run is refused in its result; errors of the device
 * or bad requests fail the call. Free *out with gen_results_free. */
int gen_run(llm *m, kv_cache *kv, const tok *t, const gen_request *reqs, int n, const gen_opts *o,
            gen_result **out, errmsg *e);
void gen_results_free(gen_result *r, int n);

#endif
