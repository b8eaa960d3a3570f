/* cluster.c - average-linkage clustering and EVE's diversity penalty (see cluster.h). */
#include "evolve/cluster.h"

#include <stdlib.h>
#include <string.h>

#include "evolve/bleu.h"

cluster_options cluster_default_options(void)
{
    cluster_options o = {.threshold = 0.5, .scale = 0.3, .tail_chars = 1000};
    return o;
}

/* The closest pair of active clusters (i < j); returns its distance, or threshold when none
 * is closer than threshold. */
static double closest(const double *d, size_t n, const int *active, double threshold, size_t *bi,
                      size_t *bj)
{
    double best = threshold;
    for (size_t i = 0; i < n; i++) {
        if (!active[i])
            continue;
        for (size_t j = i + 1; j < n; j++)
            if (active[j] && d[i * n + j] < best) {
                best = d[i * n + j];
                *bi = i, *bj = j;
            }
    }
    return best;
}

/* Merges cluster j into i; average linkage updates distances by the Lance-Williams rule. */
static void merge(double *d, size_t n, int *active, size_t *size, int *parent, size_t i, size_t j)
{
    for (size_t k = 0; k < n; k++) {
        if (!active[k] || k == i || k == j)
            continue;
        double v = ((double)size[i] * d[i * n + k] + (double)size[j] * d[j * n + k]) /
                   (double)(size[i] + size[j]);
        d[i * n + k] = d[k * n + i] = v;
    }
    size[i] += size[j];
    active[j] = 0;
    parent[j] = (int)i;
}

static int root(const int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i];
    return i;
}

int cluster_average(const double *dist, size_t n, double threshold, int *labels, errmsg *e)
{
    double *d = malloc((n ? n * n : 1) * sizeof *d);
    int *active = malloc((n ? n : 1) * sizeof *active);
    int *parent = malloc((n ? n : 1) * sizeof *parent);
    size_t *size = malloc((n ? n : 1) * sizeof *size);
    if (!d || !active || !parent || !size) {
        free(d), free(active), free(parent), free(size);
        return err_set(e, ERR_FAIL, "clustering: out of memory for %zu items", n);
    }
    memcpy(d, dist, n * n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        active[i] = 1, parent[i] = (int)i, size[i] = 1;
    size_t bi = 0, bj = 0;
    while (closest(d, n, active, threshold, &bi, &bj) < threshold)
        merge(d, n, active, size, parent, bi, bj);
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        int r = root(parent, (int)i);
        labels[i] = r == (int)i ? next++ : labels[r];
    }
    free(d), free(active), free(parent), free(size);
    return 0;
}

/* The last `keep` code points of s (a pointer into s). */
static const char *tail(const char *s, size_t keep)
{
    const char *p = s + strlen(s);
    size_t chars = 0;
    while (p > s && chars < keep) {
        p--;
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    }
    return p;
}

static int bleu_distances(const char *const *texts, size_t n, double *d, errmsg *e)
{
    bleu_set *set = bleu_prepare(texts, n, e);
    if (!set)
        return e->code;
    for (size_t i = 0; i < n; i++) {
        d[i * n + i] = 0.0;
        for (size_t j = i + 1; j < n; j++)
            d[i * n + j] = d[j * n + i] = 1.0 - bleu_pair(set, j, i);
    }
    bleu_free(set);
    return 0;
}

/* Cluster shares -> min-max normalised, zero for empty programs, scaled. */
static void shares_to_penalty(const int *labels, const char *const *texts, size_t n, double scale,
                              double *pen)
{
    double lo = 1.0, hi = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++)
            same += labels[j] == labels[i];
        pen[i] = (double)same / (double)n;
        lo = pen[i] < lo ? pen[i] : lo;
        hi = pen[i] > hi ? pen[i] : hi;
    }
    for (size_t i = 0; i < n; i++) {
        if (hi > lo)
            pen[i] = (pen[i] - lo) / (hi - lo);
        pen[i] = texts[i][0] ? pen[i] * scale : 0.0;
    }
}

int cluster_penalty(const char *const *func_parts, size_t n, const cluster_options *o,
                    double *penalty, errmsg *e)
{
    const char **texts = calloc(n ? n : 1, sizeof *texts);
    double *d = malloc((n ? n * n : 1) * sizeof *d);
    int *labels = malloc((n ? n : 1) * sizeof *labels);
    int rc = 0;
    if (!texts || !d || !labels) {
        rc = err_set(e, ERR_FAIL, "diversity penalty: out of memory for %zu programs", n);
    } else {
        for (size_t i = 0; i < n; i++)
            texts[i] = tail(func_parts[i], o->tail_chars);
        rc = bleu_distances(texts, n, d, e);
        if (!rc)
            rc = cluster_average(d, n, o->threshold, labels, e);
        if (!rc)
            shares_to_penalty(labels, texts, n, o->scale, penalty);
    }
    free(texts), free(d), free(labels);
    return rc;
}
