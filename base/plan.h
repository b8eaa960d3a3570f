/* plan.h - lays out short-lived buffers in one arena: buffers alive at the same time never
 * overlap, the others share bytes. The decoder's activations are planned this way once, so
 * a forward step allocates nothing and every layer reuses the same memory.
 *
 *     plan p = {0};
 *     int q = plan_add(&p, 4096, 2, 3);     // bytes, first and last step it is used in
 *     int g = plan_add(&p, 8192, 9, 11);    // not alive with q: may take q's bytes
 *     if (plan_solve(&p, 256)) ...           // offsets aligned to 256; -1: out of memory
 *     uint64_t at = p.items[g].offset, arena = p.total;
 *     plan_free(&p);
 */
#ifndef VKEVE_PLAN_H
#define VKEVE_PLAN_H

#include <stdint.h>

typedef struct plan_item {
    uint64_t bytes;
    int first, last; /* inclusive range of steps it is alive in */
    uint64_t offset; /* set by plan_solve */
} plan_item;

typedef struct plan {
    plan_item *items;
    int n, cap;
    uint64_t total; /* arena bytes, set by plan_solve */
} plan;

/* Adds a buffer; returns its index, or -1 when out of memory. */
int plan_add(plan *p, uint64_t bytes, int first, int last);

/* Places every buffer, largest first, at the lowest aligned offset where it overlaps no
 * placed buffer alive at the same time. Returns 0, or -1 when out of memory. */
int plan_solve(plan *p, uint64_t align);

void plan_free(plan *p);

#endif
