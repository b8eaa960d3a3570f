/* cluster.h - EVE's batch-level diversity penalty: cluster the batch's programs, penalise
 * programs in big clusters.
 *
 * Every Challenger completion of a training batch contributes its function part (the code
 * before `args_list`, "" for an invalid program), cut to its last tail_chars characters.
 * Distance between programs i < j is 1 - BLEU(reference j, hypothesis i) (evolve/bleu.h),
 * mirrored; the diagonal is 0. Average-linkage agglomerative clustering merges clusters
 * while their distance is below threshold (scikit-learn's AgglomerativeClustering with
 * metric="precomputed", linkage="average", distance_threshold=threshold). A program's share
 * is its cluster's size / batch size; shares are min-max normalised over the batch (left as
 * they are when all are equal), set to 0 for empty programs, and multiplied by scale.
 *
 *     cluster_options o = cluster_default_options();     // 0.5, 0.3, 1000
 *     double pen[n];
 *     if (cluster_penalty(func_parts, n, &o, pen, &e)) return e.code;
 *     reward[i] -= pen[i];                                // pen[i] in [0, scale]
 *
 * Cost: n^2 / 2 BLEU pairs and O(n^3) worst-case clustering (n = 512, EVE's batch: well under
 * a second). Merges at equal distances are taken in index order, which scikit-learn (SciPy's
 * nearest-neighbour chain) may order differently; results can differ only on such exact ties.
 */
#ifndef VKEVE_CLUSTER_H
#define VKEVE_CLUSTER_H

#include <stddef.h>

#include "base/errmsg.h"

typedef struct cluster_options {
    double threshold;  /* 0.5: clusters closer than this (average distance) merge */
    double scale;      /* 0.3: the largest normalised penalty */
    size_t tail_chars; /* 1000: only the last characters of each program count */
} cluster_options;

cluster_options cluster_default_options(void);

/* Average-linkage clustering of n items from the n x n symmetric distance matrix dist
 * (row-major, zero diagonal). Writes a cluster label 0.. per item (numbered by first
 * member) and returns 0, or ERR_FAIL with e filled on out of memory. */
int cluster_average(const double *dist, size_t n, double threshold, int *labels, errmsg *e);

/* The penalty per program, as described above. func_parts[i] may be "" (invalid program). */
int cluster_penalty(const char *const *func_parts, size_t n, const cluster_options *o,
                    double *penalty, errmsg *e);

#endif
