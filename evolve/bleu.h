/* bleu.h - sentence BLEU between programs, as EVE measures program similarity.
 *
 * The definition is NLTK's sentence_bleu(references=[ref.split()], hypothesis=hyp.split(),
 * smoothing_function=SmoothingFunction().method1) with its defaults: whitespace tokens
 * (Python's str.split(): runs of ASCII whitespace and \x1c-\x1f; other Unicode spaces are
 * part of tokens here), n-grams 1 to 4 weighted 0.25 each, clipped counts, the brevity
 * penalty against the one reference, method1 smoothing (a precision with no matches becomes
 * 0.1 / number of hypothesis n-grams, at least 1), and 0 when no unigram matches.
 * Results agree with NLTK 3.8 under Python 3.11 to about 1e-15.
 *
 * EVE uses it twice: the code queue rejects a program whose BLEU against any member exceeds
 * 0.25, and the diversity penalty clusters a batch by 1 - BLEU (evolve/cluster.h).
 *
 *     double s;
 *     if (bleu_sentence(reference, hypothesis, &s, &e)) return e.code;
 *
 *     bleu_set *set = bleu_prepare(texts, n, &e);     // many pairs: tokenise once
 *     double s01 = bleu_pair(set, 0, 1);              // reference texts[0], hypothesis texts[1]
 *     bleu_free(set);
 */
#ifndef VKEVE_BLEU_H
#define VKEVE_BLEU_H

#include <stddef.h>

#include "base/errmsg.h"

typedef struct bleu_set bleu_set;

/* Tokenises n texts and indexes their n-grams. NULL with e filled on out of memory. */
bleu_set *bleu_prepare(const char *const *texts, size_t n, errmsg *e);

/* sentence BLEU of texts[hyp] against the single reference texts[ref]. */
double bleu_pair(const bleu_set *set, size_t ref, size_t hyp);

void bleu_free(bleu_set *set);

/* One pair; returns 0 or ERR_FAIL (out of memory). */
int bleu_sentence(const char *reference, const char *hypothesis, double *out, errmsg *e);

#endif
