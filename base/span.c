/* span.c - first-fit ranges (see span.h). */
#include "base/span.h"

#include <stdlib.h>
#include <string.h>

int span_init(span_list *l, uint64_t size)
{
    memset(l, 0, sizeof *l);
    l->free = malloc(4 * sizeof *l->free);
    if (!l->free)
        return -1;
    l->cap_free = 4;
    l->size = size;
    if (size) {
        l->free[0] = (span){0, size};
        l->n_free = 1;
    }
    return 0;
}

void span_free(span_list *l)
{
    free(l->free);
    memset(l, 0, sizeof *l);
}

static void remove_at(span_list *l, int i)
{
    memmove(&l->free[i], &l->free[i + 1], (size_t)(l->n_free - i - 1) * sizeof(span));
    l->n_free--;
}

int64_t span_take(span_list *l, uint64_t size)
{
    for (int i = 0; i < l->n_free; i++) {
        if (l->free[i].size < size)
            continue;
        uint64_t off = l->free[i].offset;
        l->free[i].offset += size;
        l->free[i].size -= size;
        if (l->free[i].size == 0)
            remove_at(l, i);
        return (int64_t)off;
    }
    return -1;
}

static int insert_at(span_list *l, int i, uint64_t offset, uint64_t size)
{
    if (l->n_free == l->cap_free) {
        span *grown = realloc(l->free, (size_t)l->cap_free * 2 * sizeof(span));
        if (!grown)
            return -1;
        l->free = grown;
        l->cap_free *= 2;
    }
    memmove(&l->free[i + 1], &l->free[i], (size_t)(l->n_free - i) * sizeof(span));
    l->free[i] = (span){offset, size};
    l->n_free++;
    return 0;
}

int span_give(span_list *l, uint64_t offset, uint64_t size)
{
    int i = 0;
    while (i < l->n_free && l->free[i].offset < offset)
        i++;
    int join_prev = i > 0 && l->free[i - 1].offset + l->free[i - 1].size == offset;
    int join_next = i < l->n_free && offset + size == l->free[i].offset;
    if (join_prev && join_next) {
        l->free[i - 1].size += size + l->free[i].size;
        remove_at(l, i);
    } else if (join_prev) {
        l->free[i - 1].size += size;
    } else if (join_next) {
        l->free[i].offset = offset;
        l->free[i].size += size;
    } else {
        return insert_at(l, i, offset, size);
    }
    return 0;
}

int span_all_free(const span_list *l)
{
    return l->size == 0 || (l->n_free == 1 && l->free[0].offset == 0 && l->free[0].size == l->size);
}
