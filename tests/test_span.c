/* test_span.c - the first-fit range list under device memory (base/span.h), against a model:
 * a byte map of the range, where first fit is the lowest offset with `size` free bytes in a
 * row. Random take/give sequences must agree with the model offset for offset, never hand
 * out a taken byte, and end with everything merged back into one free range. */
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "base/span.h"
#include "tests/testutil.h"

enum { RANGE = 4096, UNIT = 16, LIVE_MAX = 64 };

typedef struct model {
    unsigned char used[RANGE / UNIT];
} model;

/* The lowest unit offset with n free units in a row, or -1. */
static int64_t model_first_fit(const model *m, int n)
{
    int run = 0;
    for (int i = 0; i < RANGE / UNIT; i++) {
        run = m->used[i] ? 0 : run + 1;
        if (run == n)
            return (int64_t)(i - n + 1) * UNIT;
    }
    return -1;
}

static void model_mark(model *m, int64_t offset, uint64_t size, unsigned char v)
{
    memset(m->used + offset / UNIT, v, size / UNIT);
}

/* The list's free ranges must be sorted, never adjacent, and exactly the model's free units. */
static int consistent(const span_list *l, const model *m)
{
    unsigned char free_map[RANGE / UNIT];
    memset(free_map, 0, sizeof free_map);
    for (int i = 0; i < l->n_free; i++) {
        const span *s = &l->free[i];
        if (i && s->offset <= l->free[i - 1].offset + l->free[i - 1].size)
            return 0; /* unsorted, overlapping or adjacent (unmerged) */
        memset(free_map + s->offset / UNIT, 1, s->size / UNIT);
    }
    for (int i = 0; i < RANGE / UNIT; i++)
        if (free_map[i] == m->used[i])
            return 0;
    return 1;
}

static void run_sequence(unsigned seed)
{
    span_list l;
    model m = {{0}};
    T_CHECK(span_init(&l, RANGE) == 0, "init");
    rng r = rng_make(seed, 17);
    int64_t at[LIVE_MAX];
    uint64_t size[LIVE_MAX];
    int live = 0, agree = 1, whole = 1;
    for (int step = 0; step < 4000; step++) {
        if (live < LIVE_MAX && (live == 0 || rng_below(&r, 100) < 55)) {
            int units = 1 + (int)rng_below(&r, rng_below(&r, 4) ? 8 : 64);
            int64_t want = model_first_fit(&m, units);
            int64_t got = span_take(&l, (uint64_t)units * UNIT);
            agree &= got == want;
            if (got >= 0) {
                model_mark(&m, got, (uint64_t)units * UNIT, 1);
                at[live] = got;
                size[live++] = (uint64_t)units * UNIT;
            }
        } else {
            int k = (int)rng_below(&r, (uint32_t)live);
            T_CHECK(span_give(&l, (uint64_t)at[k], size[k]) == 0, "give");
            model_mark(&m, at[k], size[k], 0);
            at[k] = at[--live];
            size[k] = size[live];
        }
        whole &= consistent(&l, &m);
    }
    T_CHECK(agree, "seed %u: first fit differs from the model", seed);
    T_CHECK(whole, "seed %u: free ranges differ from the model or are left unmerged", seed);
    while (live > 0) {
        live--;
        span_give(&l, (uint64_t)at[live], size[live]);
    }
    T_CHECK(span_all_free(&l) && l.n_free == 1, "seed %u: %d free ranges after freeing all", seed,
            l.n_free);
    span_free(&l);
}

static void test_edges(void)
{
    span_list l;
    T_CHECK(span_init(&l, 64) == 0, "init");
    T_CHECK(span_take(&l, 65) == -1, "too large");
    T_CHECK(span_take(&l, 64) == 0 && span_take(&l, 1) == -1, "exact fit, then full");
    T_CHECK(!span_all_free(&l), "full is not free");
    span_give(&l, 0, 64);
    T_CHECK(span_all_free(&l), "free again");
    int64_t a = span_take(&l, 16), b = span_take(&l, 16), c = span_take(&l, 16);
    span_give(&l, (uint64_t)a, 16);
    span_give(&l, (uint64_t)c, 16);
    T_CHECK(l.n_free == 2, "two holes around b: %d ranges", l.n_free);
    span_give(&l, (uint64_t)b, 16);
    T_CHECK(span_all_free(&l), "merging on both sides");
    span_free(&l);
}

int main(void)
{
    test_edges();
    for (unsigned seed = 1; seed <= 20; seed++)
        run_sequence(seed);
    return t_finish();
}
