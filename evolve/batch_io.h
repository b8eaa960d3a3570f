/* batch_io.h - the file-system side of batch files (internal to evolve/batch*.{c,cpp}):
 * naming and folder listings (whole-file reads and atomic writes are base/afile.h). Kept apart from
 * batch.cpp so the C++ file does FlatBuffers and nothing else.
 */
#ifndef VKEVE_BATCH_IO_H
#define VKEVE_BATCH_IO_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of the longest name batch_io_file_name writes, plus the NUL. */
#define BATCH_IO_NAME_SIZE 64

/* "round-RRRR-batch-BBBB.vkb" (at least 4 digits each). */
void batch_io_file_name(uint32_t round, uint32_t batch, char out[BATCH_IO_NAME_SIZE]);

/* Parses a name written by batch_io_file_name; returns 1 when it is one. */
int batch_io_parse_name(const char *name, uint32_t *round, uint32_t *batch);

/* The batch number a new file of this round gets in dir: one past the highest present. */
int batch_io_next_index(const char *dir, uint32_t round, uint32_t *next, errmsg *e);

/* The batch files of a folder as full paths: every non-hidden regular "*.vkb", ordered by
 * (round, batch) for names batch_io_file_name writes, then by name. Free with
 * batch_io_free_list. A path that is a file gives a one-element list holding it. */
int batch_io_list(const char *path, char ***paths, size_t *n, errmsg *e);
void batch_io_free_list(char **paths, size_t n);

#ifdef __cplusplus
}
#endif

#endif
