/* kv.c - paged key/value cache with shared pages and copy on write (see kv.h). */
#include "runtime/kv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/ops.h"

typedef struct kv_seq {
    int used;
    int len;     /* positions written */
    int n_pages; /* pages held (reserved room: n_pages * page_size) */
    int32_t *pages;
} kv_seq;

struct kv_cache {
    vk_ctx *ctx;
    int n_layers, kv_dim, n_pages, page_size, max_pages;
    int *refs;       /* holders per page; 0 = free */
    int *free_stack; /* free page ids */
    int n_free;
    kv_seq *seqs;
    int n_seqs;
    vk_buf *bufs;    /* keys of layer l at 2l, values at 2l + 1 */
    tensor *tensors; /* as bufs */
};

uint64_t kv_bytes(int n_layers, int kv_dim, int n_pages, int page_size)
{
    return 2ull * (uint64_t)n_layers *
           vk_mem_footprint((uint64_t)n_pages * (uint64_t)page_size * (uint64_t)kv_dim * 2);
}

static int check_shape(vk_ctx *ctx, int n_layers, int kv_dim, int n_pages, int page_size,
                       int max_pages, errmsg *e)
{
    if (n_layers < 1 || kv_dim < 32 || kv_dim % 32 || n_pages < 1 || page_size < 1 || max_pages < 1)
        return err_set(e, ERR_FAIL, "KV cache: bad shape (%d layers, %d wide, %d pages of %d)",
                       n_layers, kv_dim, n_pages, page_size);
    uint64_t layer = (uint64_t)n_pages * (uint64_t)page_size * (uint64_t)kv_dim * 2;
    uint64_t range = vk_caps_of(ctx)->max_storage_range;
    if (layer > range)
        return err_set(e, ERR_FAIL,
                       "KV cache: %d pages of %d slots take %" PRIu64 " MiB per layer, more "
                       "than one binding of this device sees (%" PRIu64 " MiB): use fewer pages",
                       n_pages, page_size, layer >> 20, range >> 20);
    return 0;
}

static int alloc_layers(kv_cache *kv, errmsg *e)
{
    uint64_t bytes = (uint64_t)kv->n_pages * (uint64_t)kv->page_size * (uint64_t)kv->kv_dim * 2;
    for (int i = 0; i < 2 * kv->n_layers; i++) {
        if (vk_buf_alloc(kv->ctx, bytes, &kv->bufs[i], e))
            return err_prefix(e, "KV cache: ");
        kv->tensors[i] = (tensor){
            DT_F16, {kv->kv_dim, (int64_t)kv->n_pages * kv->page_size, 1, 1}, &kv->bufs[i], 0};
    }
    return 0;
}

int kv_new(vk_ctx *ctx, int n_layers, int kv_dim, int n_pages, int page_size, int max_pages,
           kv_cache **out, errmsg *e)
{
    *out = NULL;
    if (check_shape(ctx, n_layers, kv_dim, n_pages, page_size, max_pages, e))
        return e->code;
    kv_cache *kv = calloc(1, sizeof *kv);
    if (!kv)
        return err_set(e, ERR_FAIL, "KV cache: out of host memory");
    kv->ctx = ctx;
    kv->n_layers = n_layers;
    kv->kv_dim = kv_dim;
    kv->n_pages = n_pages;
    kv->page_size = page_size;
    kv->max_pages = max_pages;
    kv->refs = calloc((size_t)n_pages, sizeof *kv->refs);
    kv->free_stack = malloc((size_t)n_pages * sizeof *kv->free_stack);
    kv->bufs = calloc((size_t)(2 * n_layers), sizeof *kv->bufs);
    kv->tensors = calloc((size_t)(2 * n_layers), sizeof *kv->tensors);
    if (!kv->refs || !kv->free_stack || !kv->bufs || !kv->tensors) {
        kv_free(kv);
        return err_set(e, ERR_FAIL, "KV cache: out of host memory");
    }
    for (int p = 0; p < n_pages; p++)
        kv->free_stack[p] = n_pages - 1 - p; /* page 0 is taken first */
    kv->n_free = n_pages;
    if (alloc_layers(kv, e)) {
        kv_free(kv);
        return e->code;
    }
    *out = kv;
    return 0;
}

void kv_free(kv_cache *kv)
{
    if (!kv)
        return;
    for (int i = 0; kv->bufs && i < 2 * kv->n_layers; i++)
        vk_buf_free(kv->ctx, &kv->bufs[i]);
    for (int s = 0; s < kv->n_seqs; s++)
        free(kv->seqs[s].pages);
    free(kv->seqs);
    free(kv->bufs);
    free(kv->tensors);
    free(kv->refs);
    free(kv->free_stack);
    free(kv);
}

int kv_seq_new(kv_cache *kv, errmsg *e)
{
    int s = 0;
    while (s < kv->n_seqs && kv->seqs[s].used)
        s++;
    if (s == kv->n_seqs) {
        kv_seq *grown = realloc(kv->seqs, (size_t)(kv->n_seqs + 1) * sizeof *grown);
        if (!grown)
            return err_set(e, ERR_FAIL, "KV cache: out of host memory"), -1;
        kv->seqs = grown;
        kv->seqs[kv->n_seqs++] = (kv_seq){0};
    }
    int32_t *pages = malloc((size_t)kv->max_pages * sizeof *pages);
    if (!pages)
        return err_set(e, ERR_FAIL, "KV cache: out of host memory"), -1;
    kv->seqs[s] = (kv_seq){1, 0, 0, pages};
    return s;
}

int kv_fork(kv_cache *kv, int parent, errmsg *e)
{
    int s = kv_seq_new(kv, e);
    if (s < 0)
        return -1;
    kv_seq *p = &kv->seqs[parent], *c = &kv->seqs[s];
    memcpy(c->pages, p->pages, (size_t)p->n_pages * sizeof *c->pages);
    c->n_pages = p->n_pages;
    c->len = p->len;
    for (int i = 0; i < c->n_pages; i++)
        kv->refs[c->pages[i]]++;
    return s;
}

static void release_page(kv_cache *kv, int32_t page)
{
    if (--kv->refs[page] == 0)
        kv->free_stack[kv->n_free++] = page;
}

void kv_free_seq(kv_cache *kv, int seq)
{
    kv_seq *s = &kv->seqs[seq];
    for (int i = 0; i < s->n_pages; i++)
        release_page(kv, s->pages[i]);
    free(s->pages);
    *s = (kv_seq){0};
}

static int32_t take_page(kv_cache *kv)
{
    int32_t page = kv->free_stack[--kv->n_free];
    kv->refs[page] = 1;
    return page;
}

/* Whether the next append to s writes into a page another sequence also holds. */
static int shares_partial_page(const kv_cache *kv, const kv_seq *s)
{
    return s->len % kv->page_size && kv->refs[s->pages[s->len / kv->page_size]] > 1;
}

int kv_pages_needed(const kv_cache *kv, int seq, int n)
{
    const kv_seq *s = &kv->seqs[seq];
    int want = (s->len + n + kv->page_size - 1) / kv->page_size;
    int more = want > s->n_pages ? want - s->n_pages : 0;
    return more + (n > 0 && shares_partial_page(kv, s));
}

/* Copies the first `count` slots of page `from` into page `to`, in every layer: gathered to
 * floats and scattered back, which is exact for f16. */
static int copy_page(kv_cache *kv, int32_t from, int32_t to, int count, errmsg *e)
{
    int32_t *ids = malloc(2 * (size_t)count * sizeof *ids);
    vk_buf idbuf[2] = {0}, tmpbuf = {0};
    tensor id_t[2], tmp = {DT_F32, {kv->kv_dim, count, 1, 1}, &tmpbuf, 0};
    op_node *nodes = malloc((size_t)(4 * kv->n_layers) * sizeof *nodes);
    int rc = nodes && ids ? 0 : err_set(e, ERR_FAIL, "KV cache: out of host memory");
    for (int i = 0; !rc && i < count; i++) {
        ids[i] = from * kv->page_size + i;
        ids[count + i] = to * kv->page_size + i;
    }
    for (int k = 0; k < 2 && !rc; k++) {
        id_t[k] = (tensor){DT_I32, {count, 1, 1, 1}, &idbuf[k], 0};
        rc = vk_buf_alloc(kv->ctx, (uint64_t)count * 4, &idbuf[k], e) ||
             vk_buf_write(kv->ctx, &idbuf[k], 0, ids + k * count, (size_t)count * 4, e);
    }
    if (!rc)
        rc = vk_buf_alloc(kv->ctx, tensor_bytes(&tmp), &tmpbuf, e);
    for (int i = 0; !rc && i < 2 * kv->n_layers; i++) {
        nodes[2 * i] = (op_node){.kind = OP_GET_ROWS,
                                 .dst = &tmp,
                                 .src = {&kv->tensors[i], &id_t[0]},
                                 .label = "kv copy"};
        nodes[2 * i + 1] = (op_node){.kind = OP_SET_ROWS,
                                     .dst = &kv->tensors[i],
                                     .src = {&tmp, &id_t[1]},
                                     .label = "kv copy"};
    }
    if (!rc)
        rc = op_run(kv->ctx, nodes, 4 * kv->n_layers, e);
    free(nodes);
    free(ids);
    vk_buf_free(kv->ctx, &idbuf[0]);
    vk_buf_free(kv->ctx, &idbuf[1]);
    vk_buf_free(kv->ctx, &tmpbuf);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

int kv_reserve(kv_cache *kv, int seq, int n, errmsg *e)
{
    kv_seq *s = &kv->seqs[seq];
    if (s->len + n > kv->max_pages * kv->page_size)
        return err_set(e, ERR_FAIL, "sequence of %d tokens would pass the context of %d",
                       s->len + n, kv->max_pages * kv->page_size);
    int need = kv_pages_needed(kv, seq, n);
    if (need > kv->n_free)
        return err_set(e, ERR_FAIL, "KV cache full: %d more pages needed, %d of %d free", need,
                       kv->n_free, kv->n_pages);
    if (n > 0 && shares_partial_page(kv, s)) {
        int last = s->len / kv->page_size;
        int32_t page = take_page(kv);
        if (copy_page(kv, s->pages[last], page, s->len % kv->page_size, e)) {
            release_page(kv, page);
            return e->code;
        }
        release_page(kv, s->pages[last]);
        s->pages[last] = page;
    }
    int want = (s->len + n + kv->page_size - 1) / kv->page_size;
    while (s->n_pages < want)
        s->pages[s->n_pages++] = take_page(kv);
    return 0;
}

int32_t kv_append(kv_cache *kv, int seq)
{
    kv_seq *s = &kv->seqs[seq];
    int32_t slot = s->pages[s->len / kv->page_size] * kv->page_size + s->len % kv->page_size;
    s->len++;
    return slot;
}

int kv_len(const kv_cache *kv, int seq)
{
    return kv->seqs[seq].len;
}

int kv_room(const kv_cache *kv, int seq)
{
    const kv_seq *s = &kv->seqs[seq];
    return shares_partial_page(kv, s) ? 0 : s->n_pages * kv->page_size - s->len;
}

bool kv_seq_valid(const kv_cache *kv, int seq)
{
    return seq >= 0 && seq < kv->n_seqs && kv->seqs[seq].used;
}

void kv_table(const kv_cache *kv, int seq, int32_t *out)
{
    const kv_seq *s = &kv->seqs[seq];
    memcpy(out, s->pages, (size_t)s->n_pages * sizeof *out);
    memset(out + s->n_pages, 0, (size_t)(kv->max_pages - s->n_pages) * sizeof *out);
}

int kv_page_size(const kv_cache *kv)
{
    return kv->page_size;
}

int kv_max_pages(const kv_cache *kv)
{
    return kv->max_pages;
}

int kv_free_pages(const kv_cache *kv)
{
    return kv->n_free;
}

int kv_total_pages(const kv_cache *kv)
{
    return kv->n_pages;
}

const tensor *kv_keys(const kv_cache *kv, int layer)
{
    return &kv->tensors[2 * layer];
}

const tensor *kv_values(const kv_cache *kv, int layer)
{
    return &kv->tensors[2 * layer + 1];
}
