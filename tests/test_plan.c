/* test_plan.c - the activation planner (base/plan.h) on random buffer sets: no two buffers
 * alive at the same time share a byte, offsets are aligned, the arena is no larger than
 * all buffers end to end, and buffers never alive together do share memory. */
#include <stdlib.h>

#include "base/plan.h"
#include "base/rng.h"
#include "tests/testutil.h"

static int overlaps(const plan_item *a, const plan_item *b)
{
    int together = a->first <= b->last && b->first <= a->last;
    int bytes = a->offset < b->offset + b->bytes && b->offset < a->offset + a->bytes;
    return together && bytes && a->bytes && b->bytes;
}

static void random_plan(unsigned seed)
{
    rng r = rng_make(seed, 9);
    plan p = {0};
    int n = 2 + (int)rng_below(&r, 40);
    uint64_t sum = 0;
    for (int i = 0; i < n; i++) {
        int first = (int)rng_below(&r, 20), len = (int)rng_below(&r, 6);
        uint64_t bytes = 1 + rng_below(&r, 1u << 20);
        sum += (bytes + 255) / 256 * 256;
        T_CHECK(plan_add(&p, bytes, first, first + len) == i, "add %d", i);
    }
    T_CHECK(plan_solve(&p, 256) == 0, "solve");
    int clashes = 0, misaligned = 0;
    for (int i = 0; i < n; i++) {
        misaligned += p.items[i].offset % 256 != 0;
        for (int j = i + 1; j < n; j++)
            clashes += overlaps(&p.items[i], &p.items[j]);
    }
    T_CHECK(clashes == 0 && misaligned == 0, "seed %u: %d clashes, %d misaligned", seed, clashes,
            misaligned);
    T_CHECK(p.total <= sum, "seed %u: arena %llu over the sum %llu", seed,
            (unsigned long long)p.total, (unsigned long long)sum);
    plan_free(&p);
}

/* A chain of buffers each alive only next to its neighbours packs into two slots. */
static void test_chain(void)
{
    plan p = {0};
    for (int i = 0; i < 10; i++)
        plan_add(&p, 1000, i, i + 1);
    plan_solve(&p, 1);
    T_CHECK(p.total == 2000, "a chain of ten 1000-byte buffers takes %llu bytes",
            (unsigned long long)p.total);
    plan_free(&p);
}

int main(void)
{
    test_chain();
    for (unsigned seed = 1; seed <= 200; seed++)
        random_plan(seed);
    return t_finish();
}
