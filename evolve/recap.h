/* recap.h - a round read back from its batch files: which images it has done (to resume), its
 * summary line, the programs it offers the code queue, and the tasks its contact sheet shows.
 *
 * Everything a round's end needs comes from the files rather than from memory, so a round
 * that was interrupted and resumed ends exactly as an uninterrupted one: the same summary
 * counts, the same queue offers in the same order (by image name, then rollout), the same
 * sheet. Only the timings in the summary are those of the last process.
 *
 *     recap r;
 *     if (recap_read("out/batches", round, 8, &r, &e)) return e.code;
 *     ... r.done[0 .. r.n_done) are finished images ...
 *     recap_verdicts v;
 *     recap_offer(&r, &q, &qopts, &v, &e);                   // the round's queue changes
 *     char *line = recap_json(&r, &stats, &v, q.n);          // one summary.jsonl line
 *     recap_free(&r);
 */
#ifndef VKEVE_RECAP_H
#define VKEVE_RECAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "evolve/queue.h"
#include "evolve/round.h"
#include "vision/img.h"

#define RECAP_BINS 10 /* difficulty histogram: [0, 0.1), ..., [0.9, 1] */

/* A valid program of the round, for the queue. */
typedef struct recap_candidate {
    char *name; /* its image */
    int rollout;
    char *code;
    double difficulty;
} recap_candidate;

/* A task for the contact sheet, with its images decoded. */
typedef struct recap_pick {
    char *name;
    int rollout;
    img *original;
    img *results[4]; /* NULL where the task does not show that result */
    int question_type;
    char *question, *answer;
    int n_correct, n_samples;
} recap_pick;

typedef struct recap_count {
    char *name;
    size_t n;
} recap_count;

typedef struct recap {
    uint32_t round;
    char **done; /* image names with a unit written, sorted */
    size_t n_done;
    size_t files, files_skipped;
    char first_skip[1024]; /* why the first damaged file was skipped */
    size_t rollouts, valid, model_rollouts;
    recap_count *reasons; /* rejections by reason ("case_failed"), in first-seen order */
    size_t n_reasons;
    size_t tasks[3], for_solver;
    size_t measured[3]; /* tasks with a pass rate (the Solver answered) */
    double pass_sum[3];
    size_t solver_rollouts, solver_correct;
    size_t hist[RECAP_BINS]; /* difficulty of valid programs */
    double challenger_reward_sum, solver_reward_sum;
    recap_candidate *cand; /* sorted by (name, rollout) */
    size_t n_cand;
    recap_pick *picks;
    size_t n_picks;
} recap;

/* Reads every batch file of `round` in dir (a missing folder is an empty round); keeps up to
 * max_picks tasks for the sheet, one per valid program, the first by (name, rollout). A
 * damaged file is counted and skipped (as readers skip it), not an error. */
int recap_read(const char *dir, uint32_t round, int max_picks, recap *out, errmsg *e);
void recap_free(recap *r);

/* Whether name is among r's done images. */
int recap_is_done(const recap *r, const char *name);

typedef struct recap_verdicts {
    size_t offered;
    size_t n[QUEUE_FELL_OFF + 1]; /* by queue_verdict */
} recap_verdicts;

/* Offers the round's valid programs to q in r's order. */
int recap_offer(const recap *r, queue *q, const queue_options *o, recap_verdicts *v, errmsg *e);

/* The round's summary as one line of JSON (malloc'd, no newline): images, rollouts, valid
 * rate, rejections by reason, tasks and pass rate per question type, solver data, the
 * difficulty histogram, rewards, queue changes, and, with st, this process's tokens/s and
 * seconds per stage. NULL when out of memory. */
char *recap_json(const recap *r, const round_stats *st, const recap_verdicts *v, size_t queue_size);

#endif
