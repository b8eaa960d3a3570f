/* run_files.h - the output folder of `vkeve run` (tools/cmd_run.c), apart from the batches:
 *
 *   OUT/state.json          which round is running or finished, the seed and a fingerprint of
 *                           the settings that shape the records, so a re-run resumes only
 *                           the run it belongs to
 *   OUT/summary.jsonl       one line per finished round (evolve/recap.h)
 *   OUT/queue.jsonl         the code queue after the last finished round (EVE's JSONL)
 *   OUT/queue/round-RRRR.jsonl  the queue after round RRRR, so a round's end can be redone
 *   OUT/default-model/      the built-in tiny model pair (model.gguf, mmproj.gguf)
 * Every file is written atomically (base/afile.h). Also here: listing an image folder.
 *
 *     runf_state s;
 *     int found;
 *     if (runf_state_read("out", &s, &found, &e)) ...
 *     s.round = 3, s.finished = 0;
 *     runf_state_write("out", &s, &e);
 */
#ifndef VKEVE_RUN_FILES_H
#define VKEVE_RUN_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"

typedef struct runf_state {
    uint64_t seed;
    char fingerprint[65]; /* hex SHA-256 of the record-shaping settings */
    uint32_t round;       /* the round running, or the last finished */
    int finished;         /* round `round` is complete */
} runf_state;

/* The longest --out, --images or --checkpoints folder name: file names are added to it. */
#define RUNF_MAX_DIR 1024

/* snprintf for paths (buffers of 4096 bytes hold any name under RUNF_MAX_DIR); returns -1
 * when the result did not fit. */
int runf_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads OUT/state.json; *found is 0 (and s zeroed) when there is none. A damaged file is an
 * error naming it. */
int runf_state_read(const char *out, runf_state *s, int *found, errmsg *e);
int runf_state_write(const char *out, const runf_state *s, errmsg *e);

/* Rewrites OUT/summary.jsonl with the lines of rounds before `round`, then `line`. */
int runf_summary_put(const char *out, uint32_t round, const char *line, errmsg *e);

/* "OUT/queue/round-RRRR.jsonl" into buf. */
void runf_queue_path(const char *out, uint32_t round, char *buf, size_t size);

/* The image files of dir (png, jpg, jpeg, bmp, gif; not hidden; not in subfolders), sorted by
 * name, as malloc'd names (free with runf_free_list). ERR_ENV when dir cannot be read. */
int runf_list_images(const char *dir, char ***names, size_t *n, errmsg *e);
void runf_free_list(char **names, size_t n);

/* Writes OUT/default-model/{model.gguf,mmproj.gguf} if they are missing: a tiny random
 * qwen2vl model with the vocabulary of vocab_gguf (a Qwen2 tokenizer GGUF from
 * `vkeve vocab-gguf`) and a tiny Qwen2-VL projector, both pure functions of fixed seeds.
 * model and mmproj receive the paths (room for 4096 bytes each). */
int runf_default_model(const char *out, const char *vocab_gguf, char *model, char *mmproj,
                       errmsg *e);

#endif
