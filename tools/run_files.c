/* run_files.c - the state, summary and queue files of `vkeve run`, image folders, and the
 * built-in model pair (see run_files.h). */
#include "tools/run_files.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/afile.h"
#include "tools/mkmodel.h"

/* The largest state or summary file read back. */
#define RUNF_MAX_TEXT ((size_t)64 << 20)

int runf_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void path_in(const char *out, const char *name, char *buf, size_t size)
{
    runf_path(buf, size, "%s/%s", out, name);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

int runf_state_read(const char *out, runf_state *s, int *found, errmsg *e)
{
    char path[4096];
    path_in(out, "state.json", path, sizeof path);
    memset(s, 0, sizeof *s);
    *found = exists(path);
    if (!*found)
        return 0;
    char *text = NULL;
    size_t n;
    if (afile_read(path, RUNF_MAX_TEXT, "a state file", &text, &n, e))
        return e->code;
    cJSON *j = cJSON_Parse(text);
    free(text);
    cJSON *seed = cJSON_GetObjectItemCaseSensitive(j, "seed");
    cJSON *fp = cJSON_GetObjectItemCaseSensitive(j, "fingerprint");
    cJSON *round = cJSON_GetObjectItemCaseSensitive(j, "round");
    cJSON *fin = cJSON_GetObjectItemCaseSensitive(j, "finished");
    int ok = cJSON_IsString(seed) && cJSON_IsString(fp) && cJSON_IsNumber(round) &&
             cJSON_IsBool(fin) && strlen(fp->valuestring) < sizeof s->fingerprint &&
             round->valuedouble >= 0 && round->valuedouble < 4294967296.0;
    if (ok) {
        s->seed = strtoull(seed->valuestring, NULL, 10);
        snprintf(s->fingerprint, sizeof s->fingerprint, "%s", fp->valuestring);
        s->round = (uint32_t)round->valuedouble;
        s->finished = cJSON_IsTrue(fin);
    }
    cJSON_Delete(j);
    return ok ? 0 : err_set(e, ERR_FAIL, "%s: not a vkeve run state (damaged?)", path);
}

int runf_state_write(const char *out, const runf_state *s, errmsg *e)
{
    char path[4096], text[512];
    path_in(out, "state.json", path, sizeof path);
    /* The seed as a string: a JSON number would lose bits past 2^53. */
    int n = snprintf(text, sizeof text,
                     "{\"seed\": \"%" PRIu64 "\", \"fingerprint\": \"%s\", \"round\": %" PRIu32
                     ", \"finished\": %s}\n",
                     s->seed, s->fingerprint, s->round, s->finished ? "true" : "false");
    return afile_save(path, text, (size_t)n, e);
}

/* The round of a summary line, or -1 when it has none. */
static double line_round(const char *line, size_t len)
{
    char *copy = strndup(line, len);
    cJSON *j = copy ? cJSON_Parse(copy) : NULL;
    cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "round");
    double v = cJSON_IsNumber(r) ? r->valuedouble : -1;
    cJSON_Delete(j);
    free(copy);
    return v;
}

int runf_summary_put(const char *out, uint32_t round, const char *line, errmsg *e)
{
    char path[4096];
    path_in(out, "summary.jsonl", path, sizeof path);
    char *old = NULL;
    size_t n = 0;
    if (exists(path) && afile_read(path, RUNF_MAX_TEXT, "a summary file", &old, &n, e))
        return e->code;
    afile f;
    if (afile_open(&f, path, e)) {
        free(old);
        return e->code;
    }
    for (size_t at = 0; old && at < n;) {
        const char *nl = memchr(old + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (old + at)) : n - at;
        double r = line_round(old + at, len);
        if (r >= 0 && r < round) {
            afile_write(&f, old + at, len);
            afile_write(&f, "\n", 1);
        }
        at += len + 1;
    }
    afile_write(&f, line, strlen(line));
    afile_write(&f, "\n", 1);
    free(old);
    return afile_commit(&f, e);
}

void runf_queue_path(const char *out, uint32_t round, char *buf, size_t size)
{
    runf_path(buf, size, "%s/queue/round-%04" PRIu32 ".jsonl", out, round);
}

static int is_image_name(const char *name)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif"};
    size_t n = strlen(name);
    if (name[0] == '.')
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t m = strlen(ext[i]);
        if (n > m && !strcasecmp(name + n - m, ext[i]))
            return 1;
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int regular(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    return runf_path(path, sizeof path, "%s/%s", dir, name) == 0 && stat(path, &sb) == 0 &&
           S_ISREG(sb.st_mode);
}

int runf_list_images(const char *dir, char ***names, size_t *n, errmsg *e)
{
    *names = NULL, *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, ERR_ENV, "--images %s: %s", dir, strerror(errno));
    size_t cap = 0;
    int rc = 0;
    for (struct dirent *de; !rc && (de = readdir(d));) {
        if (!is_image_name(de->d_name) || !regular(dir, de->d_name))
            continue;
        if (*n == cap) {
            char **grown = realloc(*names, (cap = cap ? cap * 2 : 64) * sizeof *grown);
            if (!grown) {
                rc = err_set(e, ERR_FAIL, "--images %s: out of memory", dir);
                break;
            }
            *names = grown;
        }
        if (!((*names)[*n] = strdup(de->d_name)))
            rc = err_set(e, ERR_FAIL, "--images %s: out of memory", dir);
        else
            (*n)++;
    }
    closedir(d);
    if (rc) {
        runf_free_list(*names, *n);
        *names = NULL, *n = 0;
        return rc;
    }
    if (*n)
        qsort(*names, *n, sizeof **names, compare_names);
    return 0;
}

void runf_free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The built-in pair's fixed seeds: the default job is the same everywhere. */
enum { DEFAULT_MODEL_SEED = 17, DEFAULT_MMPROJ_SEED = 18, DEFAULT_CTX = 8192 };

static int write_model(const mkmodel_spec *s, const char *path, errmsg *e)
{
    mkmodel_summary sum;
    if (exists(path))
        return 0;
    if (mkmodel_check(s, e) || mkmodel_write(s, path, &sum, e))
        return err_prefix(e, "making the built-in model %s: ", path);
    return 0;
}

int runf_default_model(const char *out, const char *vocab_gguf, char *model, char *mmproj,
                       errmsg *e)
{
    char dir[4096];
    path_in(out, "default-model", dir, sizeof dir);
    runf_path(model, 4096, "%s/model.gguf", dir);
    runf_path(mmproj, 4096, "%s/mmproj.gguf", dir);
    if (exists(model) && exists(mmproj))
        return 0;
    if (!vocab_gguf || !*vocab_gguf)
        return err_set(e, ERR_ENV,
                       "the built-in model needs the Qwen2 vocabulary as GGUF: give --vocab "
                       "FILE or set VKEVE_DEFAULT_VOCAB (bash tools/setup.sh run does both), "
                       "or give --model and --mmproj");
    if (afile_mkdirs(dir, e))
        return e->code;
    mkmodel_spec s = mkmodel_preset_tiny();
    s.arch = MK_QWEN2VL;
    s.n_ctx = DEFAULT_CTX;
    s.seed = DEFAULT_MODEL_SEED;
    s.vocab_from = vocab_gguf;
    mkmodel_spec v = mkmodel_preset_vit_tiny(MK_PROJ_QWEN2VL);
    v.n_text_embd = s.n_embd;
    v.seed = DEFAULT_MMPROJ_SEED;
    return write_model(&s, model, e) || write_model(&v, mmproj, e) ? e->code : 0;
}
