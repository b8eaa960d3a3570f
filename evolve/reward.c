/* reward.c - rewards and group-normalised advantages (see reward.h). */
#include "evolve/reward.h"

#include <math.h>
#include <stdlib.h>

rew_options rew_default_options(void)
{
    rew_options o = {.w_format = 0.2,
                     .w_valid = 0.4,
                     .w_difficulty = 0.4,
                     .s_format = 0.2,
                     .s_accuracy = 0.8,
                     .eps = 1e-6};
    return o;
}

double rew_difficulty_of(double pass_rate)
{
    return 1.0 - 2.0 * fabs(pass_rate - 0.5);
}

double rew_difficulty(const double *pass_rates, int n)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += rew_difficulty_of(pass_rates[i]);
    return n ? sum / n : 0.0;
}

double rew_challenger(double format, int valid, double difficulty, double penalty,
                      const rew_options *o)
{
    return o->w_format * format + o->w_valid * (valid ? 1.0 : 0.0) + o->w_difficulty * difficulty -
           penalty;
}

double rew_solver(double format, double accuracy, const rew_options *o)
{
    return o->s_format * format + o->s_accuracy * accuracy;
}

/* Mean and unbiased std of the rewards of the members of group g. */
static void group_stats(const double *r, const long *group, size_t n, long g, double *mean,
                        double *std)
{
    double sum = 0.0, sq = 0.0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (group[i] == g)
            sum += r[i], k++;
    if (k < 2) {
        *mean = 0.0, *std = 1.0;
        return;
    }
    *mean = sum / (double)k;
    for (size_t i = 0; i < n; i++)
        if (group[i] == g)
            sq += (r[i] - *mean) * (r[i] - *mean);
    *std = sqrt(sq / (double)(k - 1));
}

int rew_advantages(const double *rewards, const long *group, size_t n, const rew_options *o,
                   double *adv, errmsg *e)
{
    char *done = calloc(n ? n : 1, 1);
    if (!done)
        return err_set(e, ERR_FAIL, "advantages: out of memory for %zu rewards", n);
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        double mean, std;
        group_stats(rewards, group, n, group[i], &mean, &std);
        for (size_t j = i; j < n; j++)
            if (group[j] == group[i]) {
                adv[j] = (rewards[j] - mean) / (std + o->eps);
                done[j] = 1;
            }
    }
    free(done);
    return 0;
}
