/* batch.h - writing and reading training batches (schemas/batch.fbs), the files trainers read.
 *
 * A batch file holds a header, images (PNG bytes, each stored once and referenced by index),
 * tasks (questions built from executed programs) and challenger and solver rollouts with
 * token ids, log-probs, rewards and GRPO advantages. The C structs below mirror the schema's
 * tables one to one; the writer takes them as input and the reader fills them as output.
 *
 * Writing. Records (tasks and rollouts) are added in UNITS: everything added between two
 * batch_writer_end_unit calls (typically one challenger prompt: its rollouts, their tasks and
 * images, the solver rollouts) lands in the same file, so the indices returned by the add
 * functions stay valid until the next end_unit and are never split across files. At
 * end_unit, once the file holds max_records records or max_bytes bytes, it is written out and
 * the next unit starts a new file with indices from 0 again.
 *
 *     batch_writer_opts o = batch_writer_defaults();      // 256 records, 256 MiB per file
 *     batch_writer *w = batch_writer_open("out", &header, &o, &e);
 *     uint32_t img, task;
 *     batch_writer_add_image(w, &image, &img, &e);        // identical bytes -> same index
 *     task_struct.images = &img; ...
 *     batch_writer_add_task(w, &task_struct, &task, &e);
 *     batch_writer_add_solver(w, &rollout, NULL, &e);     // rollout.task = task
 *     batch_writer_end_unit(w, &e);
 *     batch_writer_close(w, &e);                          // writes what is left, frees w
 *
 * Files are named DIR/round-RRRR-batch-BBBB.vkb (RRRR = header round, BBBB counts from one
 * past the highest batch of that round already in DIR, so a resumed run never overwrites).
 * Each is written to a hidden temporary name (".round-...vkb.tmp-XXXXXX", base/afile.h), flushed,
 * fsync'ed and renamed, then the folder is fsync'ed: a reader sees a complete file or none, and a
 * crash leaves at most a hidden temporary file that readers ignore. One writer per (DIR, round).
 * After any failure a writer refuses further calls; close it to free it.
 *
 * Reading. A reader walks one file or every *.vkb file of a folder (hidden files skipped) in
 * (round, batch) order. Each file is read whole, checked by the FlatBuffers verifier, then
 * checked for meaning: every index in range, log-probs as long as completions, four argument
 * sets, 32-byte hashes, and each image's SHA-256 recomputed. A file that fails is reported
 * (BATCH_NEXT_SKIPPED, e names the file and the reason) and skipped, never exposed.
 *
 *     batch_reader *r = batch_reader_open("out", &e);
 *     int st;
 *     while ((st = batch_reader_next(r, &e)) != BATCH_NEXT_END) {
 *         if (st == BATCH_NEXT_SKIPPED) { fprintf(stderr, "%s\n", e.text); continue; }
 *         batch_counts n = batch_reader_counts(r);
 *         for (size_t i = 0; i < n.solver_rollouts; i++) {
 *             batch_solver s;
 *             batch_reader_solver(r, i, &s);              // pointers valid until next()
 *         }
 *     }
 *     batch_reader_close(r);
 *
 * In structs filled by the reader, strings are never NULL (absent reads as "") and arrays
 * with n == 0 may have a NULL pointer; so may `grids` and `logprobs` when the file has none
 * (both are optional: 0 grids, or 0 log-probs, are accepted). In structs given to the
 * writer, NULL strings are written as "" and NULL grids/logprobs as empty vectors. Token ids
 * are int32, log-probs float32, both little-endian in the file. A task's pass_rate is -1 when
 * it was not measured (and reads -1 from files written before the field existed); a zeroed
 * batch_task says "measured, never correct", so writers set -1 themselves.
 *
 * A writer or reader belongs to one thread at a time; separate ones may run in parallel.
 */
#ifndef VKEVE_BATCH_H
#define VKEVE_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version 1 is the first release of schemas/batch.fbs. */
#define BATCH_SCHEMA_VERSION 1u
#define BATCH_N_ARGS         4
#define BATCH_SHA256_SIZE    32

typedef struct batch_model {
    const char *file_name; /* base name of the GGUF file */
    uint64_t file_size;
    uint8_t sha256[BATCH_SHA256_SIZE];
} batch_model;

typedef struct batch_setting {
    const char *key;
    const char *value;
} batch_setting;

typedef struct batch_header {
    uint32_t schema_version; /* filled by the reader; the writer writes BATCH_SCHEMA_VERSION */
    const char *run_id;
    uint32_t round;
    uint32_t batch_index; /* filled by the reader; the writer numbers files itself */
    int64_t created_unix_ms;
    uint64_t seed;
    batch_model challenger, solver;
    const batch_setting *settings;
    size_t n_settings;
    const char *creator; /* filled by the reader; the writer writes "vkeve VERSION" */
} batch_header;

typedef struct batch_image {
    const uint8_t *png;
    size_t png_size;
    uint32_t width, height;
    uint8_t sha256[BATCH_SHA256_SIZE]; /* computed by the writer; checked by the reader */
    const char *name;                  /* origin of the image, "" for program outputs */
} batch_image;

typedef struct batch_grid {
    uint32_t t, h, w;
} batch_grid;

typedef struct batch_task {
    uint8_t question_type; /* 0, 1 or 2 as in EVE */
    const char *question;
    const uint32_t *images; /* indices into the file's images, in prompt order */
    size_t n_images;
    const char *answer;
    const char *program;
    const char *args[BATCH_N_ARGS]; /* Python dict reprs */
    int32_t source_image;           /* image index or -1 */
    int32_t challenger_rollout;     /* challenger rollout index or -1 */
    float pass_rate;                /* solver pass rate of this question, -1 when not measured */
    uint32_t n_samples;             /* solver samples behind pass_rate */
    int for_solver;                 /* 1 when selected for solver training */
} batch_task;

typedef struct batch_challenger {
    uint32_t group_id;
    const int32_t *prompt_ids;
    size_t n_prompt_ids;
    const uint32_t *prompt_images; /* image indices; grids[i] belongs to prompt_images[i] */
    const batch_grid *grids;
    size_t n_prompt_images;
    const int32_t *completion_ids;
    const float *logprobs; /* n_completion_ids values */
    size_t n_completion_ids;
    const char *completion;
    int valid;
    const char *failure;
    float reward_format, reward_validity, reward_difficulty, reward_diversity;
    float reward, advantage;
} batch_challenger;

typedef struct batch_solver {
    uint32_t task; /* task index; the prompt's images are the task's images */
    uint32_t group_id;
    const int32_t *prompt_ids;
    size_t n_prompt_ids;
    const batch_grid *grids; /* n_grids is 0 or the task's n_images */
    size_t n_grids;
    const int32_t *completion_ids;
    const float *logprobs; /* n_completion_ids values */
    size_t n_completion_ids;
    const char *completion;
    const char *answer; /* extracted answer */
    float score;        /* verifier score in [0, 1] */
    int correct;
    float reward, advantage;
} batch_solver;

/* SHA-256 of n bytes at data. */
void batch_sha256(const void *data, size_t n, uint8_t out[BATCH_SHA256_SIZE]);

/* Fills m from the file at path: its base name, size and SHA-256 (streamed; m->file_name
 * points into path). */
int batch_model_identify(const char *path, batch_model *m, errmsg *e);

/* ---- writing ---- */

typedef struct batch_writer batch_writer;

typedef struct batch_writer_opts {
    uint32_t max_records; /* tasks + rollouts per file before it is written out, >= 1 */
    size_t max_bytes;     /* file size that also triggers writing, <= BATCH_MAX_FILE_BYTES */
} batch_writer_opts;

/* The hard ceiling of one file (FlatBuffers offsets are 32-bit). */
#define BATCH_MAX_FILE_BYTES ((size_t)1 << 31)

batch_writer_opts batch_writer_defaults(void);

/* Opens a writer that creates files in dir (created if missing, one level). The header is
 * copied; its pointers need not outlive the call. Returns NULL and fills e on failure. */
batch_writer *batch_writer_open(const char *dir, const batch_header *h,
                                const batch_writer_opts *opts, errmsg *e);

/* Add functions copy their input. *index (may be NULL) receives the new element's index in
 * the current file, valid until the next batch_writer_end_unit. Indices inside the input are
 * checked against what the current file holds. */
int batch_writer_add_image(batch_writer *w, const batch_image *im, uint32_t *index, errmsg *e);
int batch_writer_add_task(batch_writer *w, const batch_task *t, uint32_t *index, errmsg *e);
int batch_writer_add_challenger(batch_writer *w, const batch_challenger *c, uint32_t *index,
                                errmsg *e);
int batch_writer_add_solver(batch_writer *w, const batch_solver *s, uint32_t *index, errmsg *e);

/* Ends the current unit; writes the file out if it is full (see the top of this file). */
int batch_writer_end_unit(batch_writer *w, errmsg *e);

/* Path of the last file written, "" before the first. */
const char *batch_writer_last_path(const batch_writer *w);

/* Writes any remaining records as a last file and frees w (also after a failure, in which
 * case nothing more is written and the earlier error is returned). NULL is a no-op. */
int batch_writer_close(batch_writer *w, errmsg *e);

/* ---- reading ---- */

typedef struct batch_reader batch_reader;

enum { BATCH_NEXT_END = 0, BATCH_NEXT_FILE = 1, BATCH_NEXT_SKIPPED = 2 };

typedef struct batch_counts {
    size_t images, tasks, challenger_rollouts, solver_rollouts;
} batch_counts;

/* path is one file (read whatever its name) or a folder. Returns NULL and fills e when path
 * cannot be opened or listed. */
batch_reader *batch_reader_open(const char *path, errmsg *e);

/* Loads the next file: BATCH_NEXT_FILE, BATCH_NEXT_SKIPPED (e says which file and why; call
 * again for the one after), or BATCH_NEXT_END. */
int batch_reader_next(batch_reader *r, errmsg *e);

/* About the current file (after BATCH_NEXT_FILE). Views stay valid until the next call to
 * batch_reader_next or batch_reader_close; out-of-range indices return ERR_FAIL. */
const char *batch_reader_path(const batch_reader *r);
size_t batch_reader_file_size(const batch_reader *r);
batch_counts batch_reader_counts(const batch_reader *r);
void batch_reader_header(const batch_reader *r, batch_header *h);
int batch_reader_image(const batch_reader *r, size_t i, batch_image *im);
int batch_reader_task(const batch_reader *r, size_t i, batch_task *t);
int batch_reader_challenger(const batch_reader *r, size_t i, batch_challenger *c);
int batch_reader_solver(const batch_reader *r, size_t i, batch_solver *s);

void batch_reader_close(batch_reader *r);

#ifdef __cplusplus
}
#endif

#endif
