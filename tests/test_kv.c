/* test_kv.c - the paged cache (runtime/kv.h): pages taken and returned, forks sharing pages,
 * copy on write of a shared partly filled page (checked on the device: the copy holds the
 * parent's keys and values, and the child's new tokens never reach the parent), a full cache
 * and a full context refused without changes. */
#include <stdlib.h>
#include <string.h>

#include "runtime/kv.h"
#include "runtime/ops.h"
#include "tests/testutil.h"

enum { LAYERS = 2, DIM = 32, PAGES = 8, PAGE = 16, MAX_PAGES = 4 };

/* Writes value `v + slot` into every element of the given slots of every layer's keys and
 * values. */
static void write_slots(vk_ctx *ctx, kv_cache *kv, const int32_t *slots, int n, float v)
{
    errmsg e = {0};
    float *rows = malloc((size_t)n * DIM * sizeof *rows);
    for (int i = 0; i < n; i++)
        for (int d = 0; d < DIM; d++)
            rows[i * DIM + d] = v + (float)slots[i];
    vk_buf xb = {0}, ib = {0};
    tensor x = {DT_F32, {DIM, n, 1, 1}, &xb, 0}, ids = {DT_I32, {n, 1, 1, 1}, &ib, 0};
    int rc = vk_buf_alloc(ctx, (uint64_t)n * DIM * 4, &xb, &e) ||
             vk_buf_alloc(ctx, (uint64_t)n * 4, &ib, &e) ||
             vk_buf_write(ctx, &xb, 0, rows, (size_t)n * DIM * 4, &e) ||
             vk_buf_write(ctx, &ib, 0, slots, (size_t)n * 4, &e);
    for (int l = 0; !rc && l < 2 * LAYERS; l++) {
        const tensor *t = l % 2 ? kv_values(kv, l / 2) : kv_keys(kv, l / 2);
        op_node nd = {.kind = OP_SET_ROWS, .dst = t, .src = {&x, &ids}};
        rc = op_run(ctx, &nd, 1, &e);
    }
    T_CHECK(rc == 0, "writing slots: %s", e.text);
    vk_buf_free(ctx, &xb);
    vk_buf_free(ctx, &ib);
    free(rows);
}

/* The first element of each of the given slots of layer 1's values. */
static void read_slots(vk_ctx *ctx, kv_cache *kv, const int32_t *slots, int n, float *out)
{
    errmsg e = {0};
    vk_buf db = {0}, ib = {0};
    tensor d = {DT_F32, {DIM, n, 1, 1}, &db, 0}, ids = {DT_I32, {n, 1, 1, 1}, &ib, 0};
    float *rows = malloc((size_t)n * DIM * sizeof *rows);
    op_node nd = {.kind = OP_GET_ROWS, .dst = &d, .src = {kv_values(kv, 1), &ids}};
    int rc = vk_buf_alloc(ctx, (uint64_t)n * DIM * 4, &db, &e) ||
             vk_buf_alloc(ctx, (uint64_t)n * 4, &ib, &e) ||
             vk_buf_write(ctx, &ib, 0, slots, (size_t)n * 4, &e) || op_run(ctx, &nd, 1, &e) ||
             vk_buf_read(ctx, &db, 0, rows, (size_t)n * DIM * 4, &e);
    T_CHECK(rc == 0, "reading slots: %s", e.text);
    for (int i = 0; i < n; i++)
        out[i] = rows[i * DIM];
    vk_buf_free(ctx, &db);
    vk_buf_free(ctx, &ib);
    free(rows);
}

static void append(kv_cache *kv, int seq, int n, int32_t *slots)
{
    errmsg e = {0};
    T_CHECK(kv_reserve(kv, seq, n, &e) == 0, "reserve %d: %s", n, e.text);
    for (int i = 0; i < n; i++)
        slots[i] = kv_append(kv, seq);
}

static void test_fork_and_copy(vk_ctx *ctx, kv_cache *kv)
{
    errmsg e = {0};
    int parent = kv_seq_new(kv, &e);
    int32_t ps[40], cs[8], table[MAX_PAGES];
    append(kv, parent, 40, ps);
    T_CHECK(kv_free_pages(kv) == PAGES - 3, "40 tokens take 3 pages: %d free", kv_free_pages(kv));
    write_slots(ctx, kv, ps, 40, 1000);
    int child = kv_fork(kv, parent, &e);
    T_CHECK(child >= 0 && kv_len(kv, child) == 40 && kv_free_pages(kv) == PAGES - 3,
            "a fork takes no pages");
    T_CHECK(kv_room(kv, child) == 0 && kv_pages_needed(kv, child, 1) == 1,
            "the shared partly filled page must be copied before an append");
    append(kv, child, 8, cs);
    T_CHECK(kv_free_pages(kv) == PAGES - 4, "copy on write took one page: %d free",
            kv_free_pages(kv));
    kv_table(kv, child, table);
    int32_t copied[8], parent_last[8];
    for (int i = 0; i < 8; i++) {
        copied[i] = table[2] * PAGE + i;
        parent_last[i] = ps[32 + i];
    }
    T_CHECK(cs[0] == table[2] * PAGE + 8, "the child continues in its own page");
    float got[8], want[8];
    read_slots(ctx, kv, copied, 8, got);
    for (int i = 0; i < 8; i++)
        want[i] = 1000 + (float)parent_last[i];
    t_close_f32("copied page", got, want, 8, 0, 0);
    write_slots(ctx, kv, cs, 8, -5000);
    read_slots(ctx, kv, parent_last, 8, got);
    t_close_f32("parent untouched by the child", got, want, 8, 0, 0);
    kv_free_seq(kv, parent);
    T_CHECK(kv_free_pages(kv) == PAGES - 3, "the parent's own page returned: %d free",
            kv_free_pages(kv));
    kv_free_seq(kv, child);
    T_CHECK(kv_free_pages(kv) == PAGES, "everything returned: %d free", kv_free_pages(kv));
}

static void test_limits(kv_cache *kv)
{
    errmsg e = {0};
    int a = kv_seq_new(kv, &e), b = kv_seq_new(kv, &e);
    int32_t slots[64];
    append(kv, a, 64, slots);
    T_CHECK(kv_reserve(kv, a, 1, &e) != 0 && strstr(e.text, "context"), "past the context: '%s'",
            e.text);
    append(kv, b, 64, slots);
    int c = kv_seq_new(kv, &e);
    T_CHECK(kv_reserve(kv, c, 1, &e) != 0 && strstr(e.text, "full") && kv_len(kv, c) == 0 &&
                kv_room(kv, c) == 0,
            "a full cache refuses and changes nothing: '%s'", e.text);
    kv_free_seq(kv, a);
    T_CHECK(kv_reserve(kv, c, 1, &e) == 0, "room again after a free: %s", e.text);
    kv_free_seq(kv, b);
    kv_free_seq(kv, c);
    T_CHECK(kv_free_pages(kv) == PAGES, "all pages back");
}

int main(void)
{
    vk_ctx *ctx = t_gpu_open();
    if (!ctx)
        return t_finish();
    errmsg e = {0};
    kv_cache *kv = NULL, *odd = NULL;
    T_CHECK(kv_new(ctx, LAYERS, DIM, PAGES, PAGE, MAX_PAGES, &kv, &e) == 0, "kv_new: %s", e.text);
    T_CHECK(kv_new(ctx, LAYERS, 30, PAGES, PAGE, MAX_PAGES, &odd, &e) != 0 && !odd,
            "a width that is not a multiple of 32 is refused");
    if (kv) {
        test_fork_and_copy(ctx, kv);
        test_limits(kv);
    }
    kv_free(kv);
    t_gpu_close(ctx);
    return t_finish();
}
