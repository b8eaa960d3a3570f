/* batch_sample.h - a deterministic sample batch for the batch tests: every field set, with
 * empty strings and vectors, non-ASCII text, 100k-token vectors, a seed above 2^63 and a
 * repeated image. The C round trip (tests/test_batch.c) and the Python and flatc checks
 * (tests/batch/batch_fixture.c + tests/reference/batch_read.py) all use it.
 */
#ifndef VKEVE_TESTS_BATCH_SAMPLE_H
#define VKEVE_TESTS_BATCH_SAMPLE_H

#include <stdint.h>

#include "evolve/batch.h"

#define SAMPLE_IMAGES      3
#define SAMPLE_TASKS       3
#define SAMPLE_CHALLENGERS 2
#define SAMPLE_SOLVERS     3
#define SAMPLE_BIG         100000 /* tokens in the large vectors */

typedef struct batch_sample {
    batch_header header;
    batch_setting settings[3];
    batch_image images[SAMPLE_IMAGES];
    batch_task tasks[SAMPLE_TASKS];
    uint32_t task_images[SAMPLE_TASKS][5];
    batch_challenger challengers[SAMPLE_CHALLENGERS];
    batch_grid challenger_grid;
    batch_solver solvers[SAMPLE_SOLVERS];
    batch_grid solver_grids[5];
    void *owned[16]; /* buffers freed by batch_sample_free */
    int n_owned;
} batch_sample;

/* Fills s; returns 0, or 1 when out of memory. */
int batch_sample_make(batch_sample *s);
void batch_sample_free(batch_sample *s);

/* Writes s as one unit with a fresh writer (image 0 is added twice) and closes it: one file
 * in dir. Returns the writer's error code. */
int batch_sample_write(const batch_sample *s, const char *dir, errmsg *e);

/* What the file must contain, as the JSON `flatc --json --strict-json --defaults-json`
 * prints for it (all fields but header.creator). malloc'd; NULL when out of memory. */
char *batch_sample_json(const batch_sample *s);

#endif
