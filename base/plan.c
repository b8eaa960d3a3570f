/* plan.c - greedy arena layout of buffers with lifetimes (see plan.h). */
#include "base/plan.h"

#include <stdlib.h>
#include <string.h>

int plan_add(plan *p, uint64_t bytes, int first, int last)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 16;
        plan_item *grown = realloc(p->items, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        p->items = grown;
        p->cap = cap;
    }
    p->items[p->n] = (plan_item){bytes, first, last, 0};
    return p->n++;
}

static int alive_together(const plan_item *a, const plan_item *b)
{
    return a->first <= b->last && b->first <= a->last;
}

/* The lowest aligned offset for item i that clashes with no placed item (order[0..placed)). */
static uint64_t lowest_free(const plan *p, const int *order, int placed, int i, uint64_t align)
{
    const plan_item *it = &p->items[i];
    uint64_t at = 0;
    for (int moved = 1; moved;) {
        moved = 0;
        for (int k = 0; k < placed; k++) {
            const plan_item *o = &p->items[order[k]];
            if (!alive_together(it, o) || at >= o->offset + o->bytes || o->offset >= at + it->bytes)
                continue;
            at = (o->offset + o->bytes + align - 1) / align * align;
            moved = 1;
        }
    }
    return at;
}

/* Whether item a is placed before item b: larger first, ties by index, so the same buffers
 * always get the same layout. */
static int before(const plan *p, int a, int b)
{
    uint64_t x = p->items[a].bytes, y = p->items[b].bytes;
    return x != y ? x > y : a < b;
}

int plan_solve(plan *p, uint64_t align)
{
    int *order = malloc((size_t)(p->n ? p->n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (int i = 0; i < p->n; i++) { /* insertion sort: plans hold a few dozen buffers */
        int k = i;
        for (; k > 0 && before(p, i, order[k - 1]); k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    p->total = 0;
    for (int k = 0; k < p->n; k++) {
        plan_item *it = &p->items[order[k]];
        it->offset = lowest_free(p, order, k, order[k], align ? align : 1);
        if (it->offset + it->bytes > p->total)
            p->total = it->offset + it->bytes;
    }
    free(order);
    return 0;
}

void plan_free(plan *p)
{
    free(p->items);
    memset(p, 0, sizeof *p);
}
