/* reward.h - EVE's rewards for both roles and GRPO's group-normalised advantages.
 *
 * Challenger: w_format * format + w_valid * valid + w_difficulty * difficulty - penalty,
 *   format and valid in {0, 1} (evolve/valid.h), penalty the batch diversity penalty
 *   (evolve/cluster.h, 0 to 0.3), difficulty the mean over question types of
 *   1 - 2 |p - 0.5| with p the Solver's pass rate on that type (0 for an invalid program).
 *   EVE sometimes used type 1's value alone (when it had saved a training item); vkeve always
 *   averages.
 * Solver: s_format * format + s_accuracy * accuracy (evolve/answer.h).
 * Advantages: per prompt group (the rollouts sharing one prompt), (r - mean) / (std + eps)
 * with the unbiased standard deviation. A group of one has no spread: as in verl (EVE's
 * trainer), its mean is taken as 0 and its std as 1, so its advantage is r / (1 + eps).
 *
 *     rew_options o = rew_default_options();
 *     double p[2] = {pass_type0, pass_type1};
 *     double r = rew_challenger(1.0, 1, rew_difficulty(p, 2), penalty, &o);
 *     if (rew_advantages(rewards, group_ids, n, &o, adv, &e)) return e.code;
 */
#ifndef VKEVE_REWARD_H
#define VKEVE_REWARD_H

#include <stddef.h>

#include "base/errmsg.h"

typedef struct rew_options {
    double w_format, w_valid, w_difficulty; /* Challenger: 0.2, 0.4, 0.4 */
    double s_format, s_accuracy;            /* Solver: 0.2, 0.8 */
    double eps;                             /* 1e-6 in the advantage's denominator */
} rew_options;

rew_options rew_default_options(void);

/* 1 - 2 |p - 0.5|: 1 when half the Solver's answers are right, 0 when all or none are. */
double rew_difficulty_of(double pass_rate);

/* Mean of rew_difficulty_of over n question types' pass rates (0 when n is 0). */
double rew_difficulty(const double *pass_rates, int n);

double rew_challenger(double format, int valid, double difficulty, double penalty,
                      const rew_options *o);

double rew_solver(double format, double accuracy, const rew_options *o);

/* GRPO advantages of n rewards; group[i] names reward i's prompt group (any integers).
 * Returns 0, or ERR_FAIL with e filled on out of memory. */
int rew_advantages(const double *rewards, const long *group, size_t n, const rew_options *o,
                   double *adv, errmsg *e);

#endif
