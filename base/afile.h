/* afile.h - files that appear whole or not at all, and whole files read back.
 *
 * Every file vkeve writes (images, batches, models, the pipeline cache) goes through here:
 * the bytes go to a hidden temporary file in the destination folder (".NAME.tmp-XXXXXX"),
 * which is fsync'ed, renamed over NAME, and then the folder is fsync'ed so the rename
 * survives a crash. A reader never sees half a file; a failure (full disk, vanished folder,
 * kill -9) leaves the old NAME untouched and removes the temporary file where it still can.
 *
 *     afile f;
 *     if (afile_open(&f, "out/a.bin", e)) return e->code;
 *     afile_write(&f, head, n_head);          // errors are remembered, not returned
 *     afile_write(&f, body, n_body);
 *     return afile_commit(&f, e);             // reports the first error, or renames
 *
 * afile_save() does the same for one buffer.
 */
#ifndef VKEVE_AFILE_H
#define VKEVE_AFILE_H

#include <stddef.h>

#include "base/errmsg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct afile {
    int fd;     /* the temporary file; -1 once closed */
    char *path; /* final name */
    char *tmp;  /* temporary name beside it */
    int error;  /* first errno seen by afile_write, 0 if none */
    size_t written;
} afile;

/* Creates the temporary file beside path (mode 0644, like any output). */
int afile_open(afile *f, const char *path, errmsg *e);

/* Appends n bytes; a failure is kept for afile_commit, so callers may write on. */
void afile_write(afile *f, const void *data, size_t n);

/* Flushes, renames into place and syncs the folder; on any failure removes the temporary
 * file, leaves path as it was and says why. Frees f's resources either way. */
int afile_commit(afile *f, errmsg *e);

/* Gives up: removes the temporary file and frees f's resources. */
void afile_abort(afile *f);

/* Writes one buffer to path atomically (afile_open + afile_write + afile_commit). */
int afile_save(const char *path, const void *data, size_t n, errmsg *e);

/* Writes all n bytes to fd, retrying after signals; returns 0 or an errno value. */
int afile_write_fd(int fd, const void *data, size_t n);

/* Reads the regular file path, at most max_bytes of it, into a malloc'd buffer with a NUL
 * after the last byte (so text can be used as a string); *n is the file's size. `what`
 * names the kind of file in the message when it is too large ("a batch file"). */
int afile_read(const char *path, size_t max_bytes, const char *what, char **data, size_t *n,
               errmsg *e);

/* Creates dir and any missing parents (mode 0755); an existing folder is fine. */
int afile_mkdirs(const char *dir, errmsg *e);

#ifdef __cplusplus
}
#endif

#endif
