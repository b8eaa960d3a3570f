/* span.h - first-fit allocation of offsets inside one range, with free neighbours merged.
 *
 * Device memory (runtime/vk_mem.c) hands out pieces of large blocks this way; the list knows
 * only numbers, so it is tested on its own against a simple model.
 *
 *     span_list l;
 *     span_init(&l, 1 << 20);                 // one free range [0, 1 MiB)
 *     int64_t at = span_take(&l, 4096);       // first free range that fits; -1 if none
 *     span_give(&l, (uint64_t)at, 4096);      // merged back with free neighbours
 *     span_free(&l);
 */
#ifndef VKEVE_SPAN_H
#define VKEVE_SPAN_H

#include <stdint.h>

typedef struct span {
    uint64_t offset, size;
} span;

typedef struct span_list {
    span *free; /* free ranges, sorted by offset, never adjacent */
    int n_free, cap_free;
    uint64_t size;
} span_list;

/* Starts with all of [0, size) free; returns 0, or -1 when out of memory. */
int span_init(span_list *l, uint64_t size);
void span_free(span_list *l);

/* Takes size bytes from the first free range that fits; returns the offset or -1. */
int64_t span_take(span_list *l, uint64_t size);

/* Returns [offset, offset + size) to the free ranges, merging it with free neighbours.
 * Returns -1 only when out of memory, and the range then stays taken. */
int span_give(span_list *l, uint64_t offset, uint64_t size);

/* Whether the whole range is free again (one free range covering it). */
int span_all_free(const span_list *l);

#endif
