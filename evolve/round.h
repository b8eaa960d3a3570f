/* round.h - one round of the EVE loop: images in, verified and rewarded training batches out.
 *
 * For every image of the round (resized as the model's preprocessing does, within EVE's pixel
 * bounds, converted to RGB):
 *   1. Challenger: G rollouts of the challenger prompt (evolve/prompt.h, examples from the
 *      queue) in one request of G samples; or, with ROUND_FROM_QUEUE, G programs that
 *      boot_program (evolve/boot.h) derives from queue members (fresh argument sets).
 *   2. The last ```python block of each rollout runs in the sandbox on CPU worker threads
 *      (evolve/pool.h) while the device generates the next step's rollouts; validity
 *      (evolve/valid.h), every rejection with its reason.
 *   3. Questions of the chosen types for each valid program (evolve/vqa.h); the Solver answers
 *      each K times in one request of K samples; answers are read and scored against the
 *      execution (evolve/answer.h).
 *   4. Rewards (evolve/reward.h): the Challenger's with difficulty (mean over the question
 *      types of 1 - 2|p - 0.5|) minus the diversity penalty (evolve/cluster.h) computed over
 *      the step's rollouts (the step plays the role of EVE's training batch); the Solver's;
 *      GRPO advantages per prompt group. Questions with 0 < p < 1 (and at most
 *      solver_max_marks comment marks) are marked for solver training, nearest p = 0.5 first
 *      when max_solver_tasks caps them.
 *   5. Each image's unit (its resized image, rollouts, program outputs, tasks, solver rollouts)
 *      is written as one batch file (evolve/batch.h) in out_dir, atomically.
 *
 * Images are processed in steps of step_images, in an order that is a pure function of
 * (seed, round, image name); every random choice (queue examples, sampling seeds, question
 * options, bootstrap arguments) derives from (seed, round, image name, rollout). Generation is
 * batch-invariant given its seeds, so a unit's records do not depend on what was processed
 * with it, except through the diversity penalty, which depends on the step's other programs
 * (and so on step_images and the image set).
 *
 * Resuming: images named in `done` (their unit is already in a file) are not written again.
 * A step with some units done is computed whole (the penalty needs all its programs) and only
 * the missing units are written, so an interrupted and resumed round gives the same records as
 * an uninterrupted one. The queue is only read: offers happen at the round's end, from the
 * files (evolve/recap.h).
 *
 * Challenger rollouts made with ROUND_FROM_QUEUE have no token ids (no model wrote them):
 * their completion is the program in a ```python block, for validity and rewards only.
 * A challenger record's reward_format, reward_validity and reward_difficulty are the raw
 * terms (0/1, 0/1, 0..1), reward_diversity is minus the penalty, and reward is the weighted
 * sum; a failure reads "REASON: message" with REASON a valid_reason_name, "refused" (the
 * prompt does not fit the model's context) or "bootstrap". Record group ids count within a
 * file: the challenger rollouts of its image form group 0, a task's solver rollouts have the
 * task's index. Strings are valid UTF-8 (bytes that are not become U+FFFD; token ids keep
 * the exact output).
 *
 *     round_job j = {0};
 *     j.opts = round_default_options();
 *     j.round = 0; j.images = imgs; j.n_images = n; j.queue = &q;
 *     j.challenger = v; j.solver = v; j.out_dir = "out/batches"; j.header = &h;
 *     round_stats st;
 *     if (round_run(&j, &st, &e)) return e.code;
 *     if (st.stopped) ...                               // *j.stop was set: exit cleanly
 */
#ifndef VKEVE_ROUND_H
#define VKEVE_ROUND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "evolve/batch.h"
#include "evolve/cluster.h"
#include "evolve/prog/prog.h"
#include "evolve/prompt.h"
#include "evolve/queue.h"
#include "evolve/reward.h"
#include "evolve/valid.h"
#include "evolve/vlm.h"
#include "runtime/sample.h"
#include "vision/vlm_pre.h"

typedef enum round_challenger { ROUND_FROM_MODEL, ROUND_FROM_QUEUE } round_challenger;

#define ROUND_MAX_GROUP   64
#define ROUND_MAX_SAMPLES 256

typedef struct round_options {
    uint64_t seed;
    round_challenger challenger;       /* ROUND_FROM_MODEL */
    prompt_variant variant;            /* PROMPT_QWEN3 */
    int group;                         /* G challenger rollouts per image: 4 */
    int samples;                       /* K solver samples per question: 6 */
    unsigned question_types;           /* bit t for type t: 0b011 (types 0 and 1) */
    int step_images;                   /* images per step (the penalty's batch): 8 */
    int max_images;                    /* images per round, 0: all */
    int challenger_tokens;             /* 4096 new tokens per rollout */
    int solver_tokens;                 /* 2048 */
    sample_params challenger_sampling; /* temperature 1, top-k 40 */
    sample_params solver_sampling;     /* temperature 1 */
    int threads;                       /* program workers: 4 */
    int solver_max_marks;              /* 4: more comment marks never go to solver data */
    int max_solver_tasks;              /* per step, 0: every task with 0 < p < 1 */
    vpre_params bounds;                /* resize: vpre_params_eve(), patch and merge of the model */
    prog_limits limits;
    valid_options valid;
    rew_options rewards;
    cluster_options diversity;
} round_options;

round_options round_default_options(void);

/* An input image: read from path when image is NULL. name is its identity (unique in a run). */
typedef struct round_image {
    const char *name;
    const char *path;
    const img *image;
} round_image;

typedef struct round_stats {
    size_t images;      /* in the round */
    size_t images_done; /* found already written (resume) */
    size_t units;       /* written by this call */
    size_t images_bad;  /* unreadable or unusable images (skipped, not written) */
    size_t rollouts, valid, tasks, solver_samples;
    long challenger_tokens, solver_tokens, prompt_tokens;
    double t_challenger, t_exec, t_exec_wait, t_solver, t_write, t_total; /* seconds */
    int stopped; /* *stop was set: the round ended early after a complete step */
} round_stats;

/* Called after every step with the stats so far. */
typedef void round_progress_fn(void *user, const round_stats *st);
/* Called for every image that cannot be used (message says which and why). */
typedef void round_warn_fn(void *user, const char *message);

typedef struct round_job {
    round_options opts;
    uint32_t round;
    const round_image *images;
    size_t n_images;
    const char *const *done; /* names of images already written this round */
    size_t n_done;
    const queue *queue; /* examples and bootstrap sources; must not be empty */
    vlm *challenger;    /* NULL with ROUND_FROM_QUEUE */
    vlm *solver;
    const char *out_dir;
    const batch_header *header;  /* round is set from `round` */
    volatile sig_atomic_t *stop; /* may be NULL */
    round_progress_fn *progress;
    round_warn_fn *warn;
    void *user;
} round_job;

/* Runs the round. Returns 0 (also when stopped early), or an error: ERR_ENV for bad options,
 * ERR_FAIL for a device, file or memory failure (units already written stay valid). */
int round_run(const round_job *j, round_stats *st, errmsg *e);

/* The order images are processed in: fills order[0..n) with indices into names. */
int round_order(const char *const *names, size_t n, uint64_t seed, uint32_t round, size_t *order,
                errmsg *e);

/* An input image as the round uses it (and the batch stores it): RGB, resized as the
 * model's preprocessing does (smart resize within bounds, bicubic). NULL with e filled when
 * the image cannot be used (an aspect ratio over 200, out of memory). */
img *round_prepare_image(const img *im, const vpre_params *bounds, errmsg *e);

#endif
