/* afile.c - atomic file writing (see afile.h). */
#include "base/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int afile_write_fd(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0) {
        /* Linux writes at most ~2 GiB per call; ask for less so k always fits. */
        size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
        ssize_t k = write(fd, p, chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return ENOSPC;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The folder part of path ("." for a bare name); malloc'd, NULL when out of memory. */
static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(len + 1);
    if (dir) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

/* Makes the rename durable. Some file systems cannot fsync a folder (EINVAL); the file is
 * complete and in place there, so that is not an error. */
static int sync_parent(const char *path)
{
    char *dir = parent_of(path);
    if (!dir)
        return ENOMEM;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return errno;
    int err = fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    close(fd);
    return err;
}

/* ".NAME.tmp-XXXXXX" in NAME's folder: hidden, so folder listings skip it. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *name = path + dir_len;
    size_t len = dir_len + 1 + strlen(name) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(len);
    if (tmp)
        snprintf(tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dir_len, path, name);
    return tmp;
}

static void release(afile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f->tmp);
    f->fd = -1;
    f->path = f->tmp = NULL;
}

int afile_open(afile *f, const char *path, errmsg *e)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!*path || path[strlen(path) - 1] == '/')
        return err_set(e, ERR_FAIL, "'%s': not a file name", path);
    f->path = strdup(path);
    f->tmp = temp_name(path);
    if (!f->path || !f->tmp) {
        release(f);
        return err_set(e, ERR_FAIL, "%s: out of memory", path);
    }
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int err = errno;
        release(f);
        return err_set(e, ERR_FAIL, "%s: cannot create a temporary file beside it: %s", path,
                       strerror(err));
    }
    /* mkstemp makes the file private (0600); outputs are ordinary readable files. */
    if (fchmod(f->fd, 0644) != 0)
        f->error = errno;
    return 0;
}

void afile_write(afile *f, const void *data, size_t n)
{
    if (f->error || f->fd < 0)
        return;
    f->error = afile_write_fd(f->fd, data, n);
    if (!f->error)
        f->written += n;
}

int afile_commit(afile *f, errmsg *e)
{
    int err = f->error;
    if (!err && fsync(f->fd) != 0)
        err = errno;
    if (close(f->fd) != 0 && !err)
        err = errno;
    f->fd = -1;
    if (!err && rename(f->tmp, f->path) != 0)
        err = errno;
    if (err) {
        unlink(f->tmp);
        int rc = err_set(e, ERR_FAIL,
                         "%s: writing failed after %zu bytes: %s (the file was "
                         "not changed)",
                         f->path, f->written, strerror(err));
        release(f);
        return rc;
    }
    err = sync_parent(f->path);
    int rc = err ? err_set(e, ERR_FAIL, "%s: written, but its folder cannot be synced: %s", f->path,
                           strerror(err))
                 : 0;
    release(f);
    return rc;
}

void afile_abort(afile *f)
{
    if (f->tmp)
        unlink(f->tmp);
    release(f);
}

int afile_save(const char *path, const void *data, size_t n, errmsg *e)
{
    afile f;
    int rc = afile_open(&f, path, e);
    if (rc)
        return rc;
    afile_write(&f, data, n);
    return afile_commit(&f, e);
}

/* Reads exactly n bytes from fd, retrying after signals; returns how many it got. */
static size_t read_fd(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

int afile_read(const char *path, size_t max_bytes, const char *what, char **data, size_t *n,
               errmsg *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, ERR_FAIL, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = 0;
    char *buf = NULL;
    size_t size = 0;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        rc = err_set(e, ERR_FAIL, "%s: not a regular file", path);
    else if ((uint64_t)st.st_size > max_bytes)
        rc = err_set(e, ERR_FAIL, "%s: %lld bytes, more than %s may have (%zu)", path,
                     (long long)st.st_size, what, max_bytes);
    else if (!(buf = malloc((size = (size_t)st.st_size) + 1)))
        rc = err_set(e, ERR_FAIL, "%s: out of memory for %zu bytes", path, size);
    else if (read_fd(fd, buf, size) != size)
        rc = err_set(e, ERR_FAIL, "%s: read error before byte %zu", path, size);
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[size] = '\0';
    *data = buf;
    *n = size;
    return 0;
}

int afile_mkdirs(const char *dir, errmsg *e)
{
    if (!*dir)
        return err_set(e, ERR_FAIL, "empty folder name");
    char *p = strdup(dir);
    if (!p)
        return err_set(e, ERR_FAIL, "%s: out of memory", dir);
    int rc = 0;
    for (char *s = p + 1; !rc; s++) {
        int end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        struct stat st;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = err_set(e, ERR_FAIL, "%s: cannot create folder: %s", p, strerror(errno));
        else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = err_set(e, ERR_FAIL, "%s: exists and is not a folder", p);
        if (end)
            break;
        *s = '/';
    }
    free(p);
    return rc;
}
