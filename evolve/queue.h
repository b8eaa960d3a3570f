/* queue.h - the code queue: the best programs so far, shown to the Challenger as examples.
 *
 * Up to k programs (default 50) ordered by difficulty. A candidate is admitted only when its
 * difficulty > min_difficulty (0.5), its function part (the code before `args_list`) has at
 * most max_comment_marks comment marks (2) and fewer than max_chars characters (2000), and
 * its sentence BLEU against every member's function part is at most max_bleu (0.25;
 * evolve/bleu.h, the member as reference). Admitted programs go before members of equal
 * difficulty (newest first); the lowest fall off past k. Seed programs are pinned: stored
 * with difficulty 100 (EVE's convention), they never fall off.
 * The file is EVE's JSONL, one {"code_str": ..., "diff_reward": ...} per line, written
 * atomically (base/afile.h), so a queue from EVE seeds vkeve and back, and a resumed run
 * continues from the last saved queue. Example selection is uniform: two distinct members,
 * cut to one with probability 0.5.
 *
 *     queue q;
 *     queue_init(&q);
 *     if (queue_load(&q, "out/queue.jsonl", &e)) ...        // a missing file is an empty queue
 *     if (!q.n) queue_add_seed(&q, seed_code, &e);
 *     queue_verdict v;
 *     queue_offer(&q, code, difficulty, &o, &v, &e);        // v says admitted or why not
 *     size_t ex[2];
 *     int n_ex = queue_sample(&q, &r, ex);                  // 0, 1 or 2 examples
 *     queue_save(&q, "out/queue.jsonl", &e);
 *     queue_free(&q);
 */
#ifndef VKEVE_QUEUE_H
#define VKEVE_QUEUE_H

#include <stddef.h>

#include "base/errmsg.h"
#include "base/rng.h"

#define QUEUE_PINNED 100.0 /* the difficulty seeds are stored with */

typedef struct queue_entry {
    char *code; /* the whole program, args_list included */
    double difficulty;
} queue_entry;

typedef struct queue {
    queue_entry *items; /* best first */
    size_t n, cap;
} queue;

typedef struct queue_options {
    size_t k;              /* 50 */
    double min_difficulty; /* 0.5, exclusive */
    int max_comment_marks; /* 2 */
    long max_chars;        /* 2000, exclusive */
    double max_bleu;       /* 0.25 */
} queue_options;

typedef enum queue_verdict {
    QUEUE_ADMITTED = 0,
    QUEUE_TOO_EASY, /* difficulty not above min_difficulty */
    QUEUE_COMMENTS, /* too many comment marks */
    QUEUE_TOO_LONG, /* function part too long */
    QUEUE_SIMILAR,  /* BLEU above max_bleu against a member */
    QUEUE_FELL_OFF  /* admitted, but below the k best */
} queue_verdict;

queue_options queue_default_options(void);
void queue_init(queue *q);
void queue_free(queue *q);
const char *queue_verdict_name(queue_verdict v);

/* Adds a pinned seed program (no admission rules). */
int queue_add_seed(queue *q, const char *code, errmsg *e);

/* Offers a program; *verdict says what happened. Returns 0 or ERR_FAIL (out of memory). */
int queue_offer(queue *q, const char *code, double difficulty, const queue_options *o,
                queue_verdict *verdict, errmsg *e);

/* Up to two distinct members chosen uniformly (then one with probability 0.5) into idx;
 * returns how many (0 for an empty queue). */
int queue_sample(const queue *q, rng *r, size_t idx[2]);

/* Replaces q's contents with the JSONL file at path; a missing file gives an empty queue.
 * A malformed line is an error naming the file and line. */
int queue_load(queue *q, const char *path, errmsg *e);

/* Writes q atomically as JSONL. */
int queue_save(const queue *q, const char *path, errmsg *e);

#endif
