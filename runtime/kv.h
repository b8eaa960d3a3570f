/* kv.h - the paged key/value cache: device memory in fixed-size pages of slots, and per
 * sequence a page table that maps its positions to slots.
 *
 * Every layer has a key and a value tensor of f16, one row (kv heads x head dim) per slot;
 * slot = page * page_size + offset. Sequences share pages by reference: kv_fork gives a new
 * sequence the same pages as its parent (the K samples of one prompt: the prompt is computed
 * once), and the first append into a shared, partly filled page copies that page first
 * (copy on write), so sequences never see each other's new tokens.
 *
 *     kv_cache *kv;
 *     kv_new(ctx, n_layers, kv_dim, 1024, 16, 256, &kv, &e); // 1024 pages of 16 slots
 *     int s = kv_seq_new(kv, &e);                  // an empty sequence
 *     kv_reserve(kv, s, 40, &e);                    // room for 40 more tokens, or an error
 *     int32_t slot = kv_append(kv, s);              // position 0 -> its slot, len 1
 *     int c = kv_fork(kv, s, &e);                   // shares s's pages
 *     kv_free_seq(kv, s);                           // pages return when nobody holds them
 *
 * kv_reserve is the only call that allocates pages (or copies one); it fails, changing
 * nothing, when the free pages do not suffice, so a scheduler can wait and try again.
 */
#ifndef VKEVE_KV_H
#define VKEVE_KV_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/tensor.h"
#include "runtime/vk.h"

typedef struct kv_cache kv_cache;

/* n_pages pages of page_size slots for n_layers layers of kv_dim halves per slot; a
 * sequence may hold up to max_pages pages (its context, rounded up to pages). */
int kv_new(vk_ctx *ctx, int n_layers, int kv_dim, int n_pages, int page_size, int max_pages,
           kv_cache **out, errmsg *e);
void kv_free(kv_cache *kv);

/* Device bytes n_pages pages take. */
uint64_t kv_bytes(int n_layers, int kv_dim, int n_pages, int page_size);

int kv_seq_new(kv_cache *kv, errmsg *e);          /* its id, or -1 */
int kv_fork(kv_cache *kv, int parent, errmsg *e); /* a sequence sharing parent's pages */
void kv_free_seq(kv_cache *kv, int seq);

/* Makes room for n more tokens of seq (pages, and a private copy of a shared last page). */
int kv_reserve(kv_cache *kv, int seq, int n, errmsg *e);
/* Pages kv_reserve(seq, n) would take now, the copy of a shared last page included. */
int kv_pages_needed(const kv_cache *kv, int seq, int n);
/* Appends one position to seq within its reserved room; returns the position's slot. */
int32_t kv_append(kv_cache *kv, int seq);

int kv_len(const kv_cache *kv, int seq);
/* Positions seq may still append within its reserved room. */
int kv_room(const kv_cache *kv, int seq);
/* Whether seq names a live sequence. */
bool kv_seq_valid(const kv_cache *kv, int seq);
/* Writes seq's page table (max_pages entries, unused ones 0) to out. */
void kv_table(const kv_cache *kv, int seq, int32_t *out);

int kv_page_size(const kv_cache *kv);
int kv_max_pages(const kv_cache *kv);
int kv_free_pages(const kv_cache *kv);
int kv_total_pages(const kv_cache *kv);
const tensor *kv_keys(const kv_cache *kv, int layer);
const tensor *kv_values(const kv_cache *kv, int layer);

#endif
