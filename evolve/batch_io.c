/* batch_io.c - naming, atomic writing, reading and listing of batch files, and the hashes
 * (SHA-256 through OpenSSL's libcrypto) that identify images and models. */
#define _POSIX_C_SOURCE 200809L

#include "evolve/batch_io.h"
#include "evolve/batch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void batch_io_file_name(uint32_t round, uint32_t batch, char out[BATCH_IO_NAME_SIZE])
{
    snprintf(out, BATCH_IO_NAME_SIZE, "round-%04u-batch-%04u.vkb", (unsigned)round,
             (unsigned)batch);
}

/* Parses a run of decimal digits of at least 4 characters into *v. */
static const char *parse_number(const char *s, uint32_t *v)
{
    uint64_t x = 0;
    const char *start = s;
    while (*s >= '0' && *s <= '9') {
        x = x * 10 + (uint64_t)(*s - '0');
        if (x > UINT32_MAX)
            return NULL;
        s++;
    }
    if (s - start < 4)
        return NULL;
    *v = (uint32_t)x;
    return s;
}

int batch_io_parse_name(const char *name, uint32_t *round, uint32_t *batch)
{
    if (strncmp(name, "round-", 6) != 0)
        return 0;
    const char *s = parse_number(name + 6, round);
    if (!s || strncmp(s, "-batch-", 7) != 0)
        return 0;
    s = parse_number(s + 7, batch);
    return s && strcmp(s, ".vkb") == 0;
}

int batch_io_next_index(const char *dir, uint32_t round, uint32_t *next, errmsg *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, ERR_FAIL, "%s: cannot list folder: %s", dir, strerror(errno));
    uint64_t n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        uint32_t r, b;
        if (batch_io_parse_name(ent->d_name, &r, &b) && r == round && (uint64_t)b + 1 > n)
            n = (uint64_t)b + 1;
    }
    closedir(d);
    if (n > UINT32_MAX)
        return err_set(e, ERR_FAIL, "%s: no batch numbers left for round %u", dir, (unsigned)round);
    *next = (uint32_t)n;
    return 0;
}

typedef struct listed {
    char *path;
    const char *name;
    int numbered;
    uint32_t round, batch;
} listed;

static int compare_listed(const void *pa, const void *pb)
{
    const listed *a = pa, *b = pb;
    if (a->numbered != b->numbered)
        return a->numbered ? -1 : 1;
    if (a->numbered && a->round != b->round)
        return a->round < b->round ? -1 : 1;
    if (a->numbered && a->batch != b->batch)
        return a->batch < b->batch ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int is_batch_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && strcmp(name + len - 4, ".vkb") == 0;
}

static int single_file(const char *path, char ***paths, size_t *n, errmsg *e)
{
    char **list = malloc(sizeof *list);
    char *copy = strdup(path);
    if (!list || !copy) {
        free(list);
        free(copy);
        return err_set(e, ERR_FAIL, "%s: out of memory", path);
    }
    list[0] = copy;
    *paths = list;
    *n = 1;
    return 0;
}

/* Appends dir/name to items (grown as needed); returns -1 when out of memory. */
static int append_listed(listed **items, size_t *count, size_t *cap, const char *dir,
                         const char *name)
{
    if (*count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        listed *grown = realloc(*items, ncap * sizeof *grown);
        if (!grown)
            return -1;
        *items = grown;
        *cap = ncap;
    }
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (!p)
        return -1;
    snprintf(p, len, "%s/%s", dir, name);
    listed *it = &(*items)[(*count)++];
    it->path = p;
    it->name = p + strlen(dir) + 1;
    it->numbered = batch_io_parse_name(it->name, &it->round, &it->batch);
    return 0;
}

int batch_io_list(const char *path, char ***paths, size_t *n, errmsg *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return err_set(e, ERR_FAIL, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return single_file(path, paths, n, e);
    DIR *d = opendir(path);
    if (!d)
        return err_set(e, ERR_FAIL, "%s: cannot list folder: %s", path, strerror(errno));
    listed *items = NULL;
    size_t count = 0, cap = 0;
    int oom = 0;
    struct dirent *ent;
    while (!oom && (ent = readdir(d)) != NULL)
        if (is_batch_name(ent->d_name))
            oom = append_listed(&items, &count, &cap, path, ent->d_name) != 0;
    closedir(d);
    char **list = oom ? NULL : malloc((count ? count : 1) * sizeof *list);
    if (!list) {
        for (size_t i = 0; i < count; i++)
            free(items[i].path);
        free(items);
        return err_set(e, ERR_FAIL, "%s: out of memory listing the folder", path);
    }
    if (count)
        qsort(items, count, sizeof *items, compare_listed);
    for (size_t i = 0; i < count; i++)
        list[i] = items[i].path;
    free(items);
    *paths = list;
    *n = count;
    return 0;
}

void batch_io_free_list(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        free(paths[i]);
    free(paths);
}

void batch_sha256(const void *data, size_t n, uint8_t out[BATCH_SHA256_SIZE])
{
    unsigned int len = BATCH_SHA256_SIZE;
    if (!EVP_Digest(data, n, out, &len, EVP_sha256(), NULL))
        memset(out, 0, BATCH_SHA256_SIZE);
}

int batch_model_identify(const char *path, batch_model *m, errmsg *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_FAIL, "%s: cannot open: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    int rc = 0;
    if (!ctx || !buf || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        rc = err_set(e, ERR_FAIL, "%s: cannot start hashing (out of memory)", path);
    } else {
        uint64_t size = 0;
        size_t k;
        while ((k = fread(buf, 1, CHUNK, f)) > 0) {
            EVP_DigestUpdate(ctx, buf, k);
            size += k;
        }
        unsigned int len = BATCH_SHA256_SIZE;
        if (ferror(f))
            rc = err_set(e, ERR_FAIL, "%s: read error after %llu bytes", path,
                         (unsigned long long)size);
        else if (!EVP_DigestFinal_ex(ctx, m->sha256, &len))
            rc = err_set(e, ERR_FAIL, "%s: hashing failed", path);
        const char *slash = strrchr(path, '/');
        m->file_name = slash ? slash + 1 : path;
        m->file_size = size;
    }
    EVP_MD_CTX_free(ctx);
    free(buf);
    fclose(f);
    return rc;
}
