/* test_afile.c - the one atomic file writer (base/afile.h): contents and mode, a full disk,
 * a folder that vanishes, a writer killed with SIGKILL mid-file, folder creation, and reading
 * whole files back. Every write case checks that the destination holds either its old bytes
 * or the new ones, whole. */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "tests/testutil.h"

enum { BIG = 4 << 20 };

/* Counts the visible files and the hidden temporaries afile leaves while writing. */
static void count_files(const char *dir, int *visible, int *temporary)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    *visible = *temporary = 0;
    while (d && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] != '.')
            (*visible)++;
        else if (strstr(ent->d_name, ".tmp-"))
            (*temporary)++;
    }
    if (d)
        closedir(d);
}

/* Reads a whole file into buf (at most cap bytes); returns its size or -1. */
static long read_back(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static void test_contents_and_mode(void)
{
    char *dir = t_temp_dir("afile");
    char path[4200];
    snprintf(path, sizeof path, "%s/out.bin", dir);
    errmsg e = {0};
    T_CHECK(afile_save(path, "first", 5, &e) == 0, "save: %s", e.text);
    afile f;
    T_CHECK(afile_open(&f, path, &e) == 0, "open: %s", e.text);
    afile_write(&f, "sec", 3);
    afile_write(&f, "ond!", 4);
    int visible, temporary;
    count_files(dir, &visible, &temporary);
    T_CHECK(visible == 1 && temporary == 1, "while writing: %d visible, %d temporary", visible,
            temporary);
    unsigned char buf[16];
    T_CHECK(read_back(path, buf, sizeof buf) == 5 && !memcmp(buf, "first", 5),
            "the old file stays until commit");
    T_CHECK(afile_commit(&f, &e) == 0, "commit: %s", e.text);
    T_CHECK(read_back(path, buf, sizeof buf) == 7 && !memcmp(buf, "second!", 7), "new contents");
    struct stat st;
    T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode %o", st.st_mode & 0777);
    T_CHECK(afile_open(&f, path, &e) == 0, "open again: %s", e.text);
    afile_write(&f, "never", 5);
    afile_abort(&f);
    count_files(dir, &visible, &temporary);
    T_CHECK(visible == 1 && temporary == 0 && read_back(path, buf, sizeof buf) == 7,
            "abort leaves the old file and no temporary (%d, %d)", visible, temporary);
    T_CHECK(afile_save(dir, "x", 1, &e) != 0, "a folder cannot be replaced by a file");
    t_remove_dir(dir);
}

/* In a child whose files may not exceed 64 KiB (as on a full disk), replacing a file with
 * 1 MiB must fail naming it, keep the old contents and leave no temporary file. */
static void full_disk_child(const char *path)
{
    signal(SIGXFSZ, SIG_IGN); /* write() then fails with EFBIG instead of killing us */
    struct rlimit lim = {64 << 10, 64 << 10};
    setrlimit(RLIMIT_FSIZE, &lim);
    static unsigned char big[1 << 20];
    errmsg e = {0};
    int rc = afile_save(path, big, sizeof big, &e);
    int bad = rc != ERR_FAIL || !strstr(e.text, path) || !strstr(e.text, "not changed");
    if (bad)
        fprintf(stderr, "full disk: rc %d, '%s'\n", rc, e.text);
    _exit(bad);
}

static void test_full_disk(void)
{
    char *dir = t_temp_dir("afile");
    char path[4200];
    snprintf(path, sizeof path, "%s/model.gguf", dir);
    errmsg e = {0};
    T_CHECK(afile_save(path, "old bytes", 9, &e) == 0, "save: %s", e.text);
    pid_t pid = fork();
    if (pid == 0)
        full_disk_child(path);
    int status = 0;
    waitpid(pid, &status, 0);
    T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "full disk: child status %d", status);
    unsigned char buf[16];
    int visible, temporary;
    count_files(dir, &visible, &temporary);
    T_CHECK(read_back(path, buf, sizeof buf) == 9 && !memcmp(buf, "old bytes", 9),
            "full disk kept the old file");
    T_CHECK(visible == 1 && temporary == 0, "full disk left %d files, %d temporaries", visible,
            temporary);
    t_remove_dir(dir);
}

static void test_vanished_folder(void)
{
    char *dir = t_temp_dir("afile");
    char path[4200];
    snprintf(path, sizeof path, "%s/late.png", dir);
    errmsg e = {0};
    afile f;
    T_CHECK(afile_open(&f, path, &e) == 0, "open: %s", e.text);
    afile_write(&f, "data", 4);
    unlink(f.tmp); /* someone removes the folder under the writer */
    T_CHECK(rmdir(dir) == 0, "rmdir: %s", strerror(errno));
    T_CHECK(afile_commit(&f, &e) == ERR_FAIL && strstr(e.text, path),
            "commit into a vanished "
            "folder: '%s'",
            e.text);
    T_CHECK(afile_save(path, "x", 1, &e) == ERR_FAIL && strstr(e.text, path),
            "save into a missing folder: '%s'", e.text);
    free(dir);
}

/* The child rewrites one file forever, each version BIG bytes of one repeated tag byte. */
static void rewrite_forever(const char *path)
{
    unsigned char *data = malloc(BIG);
    for (unsigned tag = 1; data; tag++) {
        memset(data, (int)(tag & 0xff), BIG);
        if (afile_save(path, data, BIG, NULL))
            break;
    }
    _exit(3);
}

/* Attempt k lets k versions complete, then kills the writer while the next is in flight:
 * the file is then a complete earlier version (or absent before the first). */
static void test_killed_writer(int attempt)
{
    char *dir = t_temp_dir("afile");
    char path[4200];
    snprintf(path, sizeof path, "%s/batch.vkb", dir);
    pid_t pid = fork();
    if (pid == 0)
        rewrite_forever(path);
    struct timespec pause = {0, 50000};
    int visible = 0, temporary = 0, in_flight = 0, versions = 0;
    struct stat last = {0};
    for (int i = 0; i < 200000 && !in_flight; i++) {
        struct stat st;
        if (stat(path, &st) == 0 && st.st_ino != last.st_ino) {
            versions++;
            last = st;
        }
        count_files(dir, &visible, &temporary);
        in_flight = versions >= attempt && temporary > 0;
        if (!in_flight)
            nanosleep(&pause, NULL);
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    T_CHECK(in_flight, "attempt %d: never saw a file being written", attempt);
    T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
            "attempt %d: writer ended on "
            "its own (status %d)",
            attempt, status);
    unsigned char *buf = malloc(BIG + 1);
    long n = buf ? read_back(path, buf, BIG + 1) : -2;
    int whole = n == BIG;
    for (long i = 1; whole && i < n; i++)
        whole = buf[i] == buf[0];
    T_CHECK(n == -1 ? attempt == 0 : whole,
            "attempt %d: the file is %ld bytes, not one whole "
            "version",
            attempt, n);
    free(buf);
    t_remove_dir(dir);
}

static void test_mkdirs(void)
{
    char *dir = t_temp_dir("afile");
    char deep[4200], file[4200];
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    errmsg e = {0};
    T_CHECK(afile_mkdirs(deep, &e) == 0, "mkdirs: %s", e.text);
    T_CHECK(afile_mkdirs(deep, &e) == 0, "mkdirs again: %s", e.text);
    struct stat st;
    T_CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode), "%s is a folder", deep);
    snprintf(file, sizeof file, "%s/a/file", dir);
    T_CHECK(afile_save(file, "x", 1, &e) == 0, "save: %s", e.text);
    snprintf(deep, sizeof deep, "%s/a/file/sub", dir);
    T_CHECK(afile_mkdirs(deep, &e) == ERR_FAIL && strstr(e.text, "a/file"),
            "a file in the way: '%s'", e.text);
    T_CHECK(afile_mkdirs("", &e) == ERR_FAIL, "an empty name is refused");
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    T_CHECK(system(cmd) == 0, "cleanup");
    free(dir);
}

/* Reading back: the bytes with a NUL after them, and refusals naming the file. */
static void test_read(void)
{
    char *dir = t_temp_dir("afile-read");
    char path[4200];
    snprintf(path, sizeof path, "%s/text", dir);
    errmsg e = {0};
    char *data = NULL;
    size_t n = 0;
    T_CHECK(afile_save(path, "abc\0def", 7, &e) == 0, "save: %s", e.text);
    T_CHECK(afile_read(path, 7, "a test file", &data, &n, &e) == 0 && n == 7 &&
                !memcmp(data, "abc\0def", 8),
            "read back 7 bytes and a NUL: %s", e.text);
    free(data);
    T_CHECK(afile_read(path, 6, "a test file", &data, &n, &e) == ERR_FAIL && strstr(e.text, path) &&
                strstr(e.text, "a test file"),
            "over the limit: '%s'", e.text);
    T_CHECK(afile_read(dir, 100, "a test file", &data, &n, &e) == ERR_FAIL &&
                strstr(e.text, "not a regular file"),
            "a folder: '%s'", e.text);
    snprintf(path, sizeof path, "%s/absent", dir);
    T_CHECK(afile_read(path, 100, "a test file", &data, &n, &e) == ERR_FAIL &&
                strstr(e.text, "absent"),
            "a missing file: '%s'", e.text);
    t_remove_dir(dir);
}

int main(void)
{
    test_contents_and_mode();
    test_full_disk();
    test_vanished_folder();
    for (int attempt = 0; attempt < 3; attempt++)
        test_killed_writer(attempt);
    test_mkdirs();
    test_read();
    return t_finish();
}
