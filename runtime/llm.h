/* llm.h - the text decoder: a qwen2, qwen2vl (Qwen2-VL / Qwen2.5-VL text) or llama model
 * from a GGUF file, every layer run on the device, many sequences per forward step.
 *
 * Configuration comes from the file's metadata alone; weights are uploaded once
 * (runtime/weights.h); activations live in one arena laid out once by base/plan.h for the
 * largest step, so a step allocates nothing. Keys and values go to a paged cache
 * (runtime/kv.h) that the caller owns, so sequences can share prompt pages.
 *
 *     llm *m;
 *     if (llm_load(ctx, file, NULL, &m, &e)) ...         // NULL: default options
 *     kv_cache *kv;
 *     llm_new_cache(m, 0, &kv, &e);                       // 0: pages to fill the memory left
 *     int s = kv_seq_new(kv, &e);
 *     int32_t ids[3] = {9707, 11, 1879}, pos[12];         // four positions (t, h, w, e) each
 *     int seq[3] = {s, s, s}, out = 2;
 *     llm_text_positions(0, 3, pos);                      // 0, 1, 2 in all four
 *     llm_batch b = {3, ids, pos, seq, NULL, NULL, 0, &out, 1};
 *     float *logits = malloc(llm_config_of(m)->n_vocab * sizeof *logits);
 *     llm_step(m, kv, &b, logits, &e);                    // the last token's logits
 *
 * Tokens of one sequence in a batch must be in order; each token attends to every earlier
 * position of its sequence (causal) and to itself.
 */
#ifndef VKEVE_LLM_H
#define VKEVE_LLM_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/gguf.h"
#include "runtime/kv.h"
#include "runtime/ops.h"

typedef enum llm_arch { LLM_QWEN2, LLM_QWEN2VL, LLM_LLAMA } llm_arch;

typedef struct llm_config {
    llm_arch arch;
    const char *arch_name; /* "qwen2", "qwen2vl", "llama" */
    int n_vocab, n_embd, n_layer, n_head, n_kv_head, head_dim, n_ff, n_ctx_train;
    float rope_base, rms_eps;
    op_rope_mode rope_mode;
    int rope_sections[4]; /* qwen2vl: pairs per position component */
    bool tied_output;     /* no output.weight: the token embedding is the output head */
    bool qkv_bias;
} llm_config;

typedef struct llm_opts {
    int max_tokens;  /* tokens per forward step (default 512) */
    int max_outputs; /* rows of logits per step (default 64) */
    int max_seqs;    /* sequences per step (default 64) */
    int n_ctx;       /* tokens per sequence (default min(training context, 4096)) */
    int page_size;   /* cache slots per page (default 16) */
    op_shape matmul; /* matmul kernel shape (default OP_SHAPE_AUTO; OP_SHAPE_ROWS keeps
                        activations exact where AUTO rounds them, see ops.h) */
} llm_opts;

llm_opts llm_default_opts(void);

typedef struct llm llm;

/* Reads the configuration, checks it (required keys, shapes of every tensor, vocabulary
 * against the embedding rows) and uploads the weights. o may be NULL. */
int llm_load(vk_ctx *ctx, const gguf_file *f, const llm_opts *o, llm **out, errmsg *e);
void llm_free(llm *m);
const llm_config *llm_config_of(const llm *m);
const llm_opts *llm_opts_of(const llm *m);
vk_ctx *llm_ctx(const llm *m);

/* Reads only the configuration (no device); for tools that describe a file. */
int llm_read_config(const gguf_file *f, llm_config *c, errmsg *e);

/* A cache for this model: n_pages pages, or with 0 as many as fit the device memory left
 * (at most one binding's worth per layer). */
int llm_new_cache(llm *m, int n_pages, kv_cache **out, errmsg *e);

/* Positions (p, p, p, 0) for n text tokens from `first`, four ints each. */
void llm_text_positions(int first, int n, int32_t *pos);

typedef struct llm_batch {
    int n;              /* tokens */
    const int32_t *ids; /* n token ids */
    const int32_t *pos; /* 4n positions (t, h, w, e); text uses (p, p, p, 0) */
    const int *seq;     /* n cache sequences, which kv_reserve gave room */
    const float *embd;  /* n_embd rows of n_embd floats that replace token rows, or NULL */
    const int *embd_at; /* the token each embedding row replaces */
    int n_embd_rows;
    const int *out; /* tokens whose logits are wanted */
    int n_out;
} llm_batch;

/* Runs one forward step: appends every token to its sequence's cache and writes n_out rows
 * of n_vocab logits. The sequences must have room (kv_reserve) for their tokens. A batch
 * that fails its checks changes nothing; a failure on the device leaves the batch's
 * sequences with the tokens appended but their keys undefined: free them. */
int llm_step(llm *m, kv_cache *kv, const llm_batch *b, float *logits, errmsg *e);

/* The last step's host work (checks, recording on a new shape, inputs, reading logits) and
 * its run on the device, in seconds. */
void llm_step_times(const llm *m, double *host_s, double *run_s);

#endif
