/* queue.c - the code queue (see queue.h). */
#define _POSIX_C_SOURCE 200809L
#include "evolve/queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/afile.h"
#include "evolve/bleu.h"
#include "evolve/valid.h"

queue_options queue_default_options(void)
{
    queue_options o = {.k = 50,
                       .min_difficulty = 0.5,
                       .max_comment_marks = 2,
                       .max_chars = 2000,
                       .max_bleu = 0.25};
    return o;
}

void queue_init(queue *q)
{
    memset(q, 0, sizeof *q);
}

void queue_free(queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->items[i].code);
    free(q->items);
    queue_init(q);
}

const char *queue_verdict_name(queue_verdict v)
{
    static const char *const names[] = {"admitted", "too_easy", "comments",
                                        "too_long", "similar",  "fell_off"};
    return v <= QUEUE_FELL_OFF ? names[v] : "?";
}

/* Inserts before the first member with difficulty <= d (newest first among equals). */
static int insert(queue *q, const char *code, double d, errmsg *e)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        queue_entry *items = realloc(q->items, cap * sizeof *items);
        if (!items)
            return err_set(e, ERR_FAIL, "queue: out of memory");
        q->items = items, q->cap = cap;
    }
    char *copy = strdup(code);
    if (!copy)
        return err_set(e, ERR_FAIL, "queue: out of memory");
    size_t at = 0;
    while (at < q->n && q->items[at].difficulty > d)
        at++;
    memmove(q->items + at + 1, q->items + at, (q->n - at) * sizeof *q->items);
    q->items[at].code = copy, q->items[at].difficulty = d;
    q->n++;
    return 0;
}

int queue_add_seed(queue *q, const char *code, errmsg *e)
{
    return insert(q, code, QUEUE_PINNED, e);
}

/* Whether func is too close to a member's function part: BLEU above max_bleu, or the same
 * text (BLEU alone misses copies shorter than four tokens). */
static int check_similar(const queue *q, const char *func, double max_bleu, int *similar, errmsg *e)
{
    *similar = 0;
    for (size_t i = 0; i < q->n && !*similar; i++) {
        char *member = valid_func_part(q->items[i].code);
        double s = 0.0;
        int rc = member ? bleu_sentence(member, func, &s, e)
                        : err_set(e, ERR_FAIL, "queue: out of memory");
        *similar = !rc && (s > max_bleu || !strcmp(member, func));
        free(member);
        if (rc)
            return rc;
    }
    return 0;
}

static queue_verdict static_verdict(const char *func, double d, const queue_options *o)
{
    if (!(d > o->min_difficulty))
        return QUEUE_TOO_EASY;
    if (valid_comment_marks(func) > o->max_comment_marks)
        return QUEUE_COMMENTS;
    if ((long)valid_chars(func) >= o->max_chars)
        return QUEUE_TOO_LONG;
    return QUEUE_ADMITTED;
}

/* Drops the lowest members past k, pinned ones never; says whether code fell off. */
static int trim(queue *q, size_t k, const char *code)
{
    int fell = 0;
    while (q->n > k && q->items[q->n - 1].difficulty < QUEUE_PINNED) {
        queue_entry *last = &q->items[--q->n];
        fell |= !strcmp(last->code, code);
        free(last->code);
    }
    return fell;
}

int queue_offer(queue *q, const char *code, double difficulty, const queue_options *o,
                queue_verdict *verdict, errmsg *e)
{
    char *func = valid_func_part(code);
    if (!func)
        return err_set(e, ERR_FAIL, "queue: out of memory");
    int similar = 0, rc = 0;
    *verdict = static_verdict(func, difficulty, o);
    if (*verdict == QUEUE_ADMITTED)
        rc = check_similar(q, func, o->max_bleu, &similar, e);
    free(func);
    if (rc)
        return rc;
    if (similar)
        *verdict = QUEUE_SIMILAR;
    if (*verdict != QUEUE_ADMITTED)
        return 0;
    if ((rc = insert(q, code, difficulty, e)))
        return rc;
    if (trim(q, o->k, code))
        *verdict = QUEUE_FELL_OFF;
    return 0;
}

int queue_sample(const queue *q, rng *r, size_t idx[2])
{
    if (!q->n)
        return 0;
    idx[0] = rng_below(r, (uint32_t)q->n);
    if (q->n == 1)
        return 1;
    idx[1] = rng_below(r, (uint32_t)q->n - 1);
    idx[1] += idx[1] >= idx[0];
    return rng_float(r) < 0.5f ? 1 : 2;
}

static int load_line(queue *q, const char *line, const char *path, int lineno, errmsg *e)
{
    cJSON *j = cJSON_Parse(line);
    cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code_str");
    cJSON *diff = cJSON_GetObjectItemCaseSensitive(j, "diff_reward");
    int rc = cJSON_IsString(code) && cJSON_IsNumber(diff)
                 ? insert(q, code->valuestring, diff->valuedouble, e)
                 : err_set(e, ERR_FAIL, "%s:%d: not a {\"code_str\", \"diff_reward\"} object", path,
                           lineno);
    cJSON_Delete(j);
    return rc;
}

int queue_load(queue *q, const char *path, errmsg *e)
{
    queue_free(q);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : err_set(e, ERR_FAIL, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    int rc = 0, lineno = 0;
    while (!rc && getline(&line, &cap, f) > 0) {
        lineno++;
        if (line[strspn(line, " \t\r\n")])
            rc = load_line(q, line, path, lineno, e);
    }
    free(line);
    fclose(f);
    if (rc)
        queue_free(q);
    return rc;
}

int queue_save(const queue *q, const char *path, errmsg *e)
{
    afile f;
    if (afile_open(&f, path, e))
        return e->code;
    for (size_t i = 0; i < q->n; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "code_str", q->items[i].code);
        cJSON_AddNumberToObject(j, "diff_reward", q->items[i].difficulty);
        char *s = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        if (!s) {
            afile_abort(&f);
            return err_set(e, ERR_FAIL, "%s: out of memory", path);
        }
        afile_write(&f, s, strlen(s));
        afile_write(&f, "\n", 1);
        free(s);
    }
    return afile_commit(&f, e);
}
