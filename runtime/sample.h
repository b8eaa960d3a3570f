/* sample.h - turns one step's raw logits into the next token, as Hugging Face's `generate`
 * samples, plus the log-probabilities a trainer needs.
 *
 *     sample_scratch *s = sample_scratch_new(n_vocab);   // one per thread, reused
 *     sample_params p = sample_defaults();
 *     p.temperature = 0.7f, p.top_p = 0.9f, p.n_top = 5;
 *     rng r = rng_make(seed, sequence_index);             // one stream per sequence
 *     sample_result out;
 *     errmsg e;
 *     if (sample_token(logits, n_vocab, &p, ids, n_ids, &r, s, &out, &e))
 *         fprintf(stderr, "%s\n", e.text);
 *     // out.token, out.logprob, out.top_ids[0..out.n_top), out.top_logprobs[...]
 *     sample_scratch_free(s);
 *
 * Processors, in the order transformers' GenerationMixin._get_logits_processor builds them
 * (repetition penalty is a "processor" added first, the sampling "warpers" follow in this
 * order):
 *   1. repetition penalty, for every distinct token of `history`: score > 0 ? score / p :
 *      score * p;
 *   2. temperature: score / t (float, as HF does on float32 logits);
 *   3. top-k: keeps every token whose score is >= the k-th largest score, so ties at the k-th
 *      value are all kept, as HF's `scores < topk(...)[-1]` mask does;
 *   4. top-p: over the softmax of what top-k kept, in descending order (ties by id), keeps the
 *      shortest prefix whose mass reaches top_p, that is every token with less than top_p of
 *      mass strictly before it (HF removes the ascending tail whose cumulative sum <= 1 - p);
 *   5. min-p: keeps the tokens whose probability (after top-p) is >= min_p times the largest;
 *   each filter keeps at least one token (HF's min_tokens_to_keep = 1).
 * Then one uniform draw u = rng_float(r) and inverse-CDF sampling: the kept tokens, in
 * descending probability with ties by id, are walked until the cumulative probability
 * exceeds u. Every successful call draws exactly once, greedy calls included, so a
 * sequence's random stream advances one value per token whatever the settings.
 *
 * temperature <= 0 is greedy: the argmax (lowest id on ties) after the repetition penalty,
 * which HF applies in greedy search too. Probabilities are computed in double from the float
 * scores; HF uses float32, so the top-p boundary may differ where a cumulative sum lies within
 * float32 rounding of top_p.
 *
 * The reported logprob and top list are the log-softmax of the RAW logits (no penalty, no
 * temperature, no filter: the model's own distribution, vLLM's default), in double with the
 * maximum subtracted. NaN or +inf logits fail; -inf logits are masked tokens.
 *
 * Same logits, params, history and rng state give the same token on every machine: every
 * ordering is total (ties broken by id) and the arithmetic is plain IEEE float/double.
 * Cost: with top-k (k <= 4096) only k tokens are sorted; without it, tokens are bucketed by
 * log-probability and only the bucket where the cut or the draw falls is sorted. A top_k above
 * 4096 sorts the whole vocabulary.
 */
#ifndef VKEVE_SAMPLE_H
#define VKEVE_SAMPLE_H

#include <stdint.h>

#include "base/errmsg.h"
#include "base/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { SAMPLE_MAX_TOP = 20 }; /* vLLM's default cap on returned logprobs */

typedef struct sample_params {
    float temperature;        /* <= 0: greedy (argmax, ties -> lowest id) */
    int top_k;                /* 0: off */
    float top_p;              /* >= 1: off; 0 keeps only the most likely token */
    float min_p;              /* <= 0: off; at most 1 */
    float repetition_penalty; /* 1: off; > 0 */
    int n_top;                /* alternatives to report (0..SAMPLE_MAX_TOP) */
} sample_params;

/* temperature 1, everything else off. */
sample_params sample_defaults(void);

typedef struct sample_result {
    int32_t token;
    float logprob; /* raw log-softmax at token */
    int n_top;
    int32_t top_ids[SAMPLE_MAX_TOP]; /* most likely first under the raw log-softmax, ties by id */
    float top_logprobs[SAMPLE_MAX_TOP];
} sample_result;

typedef struct sample_scratch sample_scratch;

/* Working memory for vocabularies of up to n_vocab tokens; NULL when out of memory. */
sample_scratch *sample_scratch_new(int n_vocab);
void sample_scratch_free(sample_scratch *s);

/* Samples the next token. history: the ids the repetition penalty looks at (prompt and
 * generated so far, as HF's input_ids), may be NULL when n_history is 0. Fails (ERR_ENV) on bad
 * parameters, ids outside the vocabulary or n_vocab above the scratch's size, and (ERR_FAIL)
 * on NaN or +inf logits or when no token is left. */
int sample_token(const float *logits, int n_vocab, const sample_params *p, const int32_t *history,
                 int n_history, rng *r, sample_scratch *s, sample_result *out, errmsg *e);

/* The distribution sample_token draws from, for tests and inspection: the kept tokens in
 * sampling order (descending probability, ties by id) and their renormalised probabilities;
 * ids and probs hold n_vocab entries. Sorts the whole kept set, so it is slower than sampling.
 * Greedy gives the argmax with probability 1. */
int sample_distribution(const float *logits, int n_vocab, const sample_params *p,
                        const int32_t *history, int n_history, sample_scratch *s, int32_t *ids,
                        double *probs, int *n_kept, errmsg *e);

#ifdef __cplusplus
}
#endif

#endif
