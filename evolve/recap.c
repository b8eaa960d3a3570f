/* recap.c - a round read back from its batch files (see recap.h). */
#include "evolve/recap.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evolve/batch.h"
#include "evolve/batch_io.h"
#include "evolve/valid.h"
#include "vision/img_io.h"

/* Where a sheet candidate is: read again at the end, once the picks are known. */
typedef struct pick_ref {
    char *name;
    int rollout;
    size_t file;
    uint32_t task;
    int all_results; /* the task shows all four results */
} pick_ref;

typedef struct reading {
    recap *r;
    char **paths;
    size_t n_paths;
    pick_ref *refs;
    size_t n_refs, cap_refs;
    size_t cap_done, cap_cand;
} reading;

static int oom(errmsg *e)
{
    return err_set(e, ERR_FAIL, "reading the round back: out of memory");
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q, *cap = n;
    return 0;
}

static int count_reason(recap *r, const char *failure, errmsg *e)
{
    size_t len = strcspn(failure, ":");
    for (size_t i = 0; i < r->n_reasons; i++)
        if (strlen(r->reasons[i].name) == len && !strncmp(r->reasons[i].name, failure, len)) {
            r->reasons[i].n++;
            return 0;
        }
    recap_count *c = realloc(r->reasons, (r->n_reasons + 1) * sizeof *c);
    if (!c)
        return oom(e);
    r->reasons = c;
    if (!(c[r->n_reasons].name = strndup(failure, len)))
        return oom(e);
    c[r->n_reasons++].n = 1;
    return 0;
}

/* The unit's image name: the file's named image (each unit file has exactly one). */
static const char *unit_name(const batch_reader *br)
{
    batch_counts n = batch_reader_counts(br);
    batch_image im;
    for (size_t i = 0; i < n.images; i++)
        if (!batch_reader_image(br, i, &im) && im.name[0])
            return im.name;
    return NULL;
}

static int add_candidate(reading *R, const char *name, int rollout, const batch_challenger *c,
                         errmsg *e)
{
    recap *r = R->r;
    if (grow((void **)&r->cand, &R->cap_cand, r->n_cand + 1, sizeof *r->cand))
        return oom(e);
    recap_candidate *k = &r->cand[r->n_cand];
    *k = (recap_candidate){strdup(name), rollout, valid_extract_code(c->completion),
                           c->reward_difficulty};
    r->n_cand++;
    return !k->name || !k->code ? oom(e) : 0;
}

static void add_difficulty(recap *r, double d)
{
    int bin = (int)(d * RECAP_BINS);
    r->hist[bin < 0 ? 0 : bin >= RECAP_BINS ? RECAP_BINS - 1 : bin]++;
}

static int read_challengers(reading *R, const batch_reader *br, const char *name, errmsg *e)
{
    recap *r = R->r;
    batch_counts n = batch_reader_counts(br);
    for (size_t i = 0; i < n.challenger_rollouts; i++) {
        batch_challenger c;
        if (batch_reader_challenger(br, i, &c))
            return err_set(e, ERR_FAIL, "%s: challenger rollout %zu", batch_reader_path(br), i);
        r->rollouts++;
        r->model_rollouts += c.n_completion_ids > 0;
        r->challenger_reward_sum += c.reward;
        if (c.valid) {
            r->valid++;
            add_difficulty(r, c.reward_difficulty);
            if (add_candidate(R, name, (int)i, &c, e))
                return e->code;
        } else if (count_reason(r, c.failure, e)) {
            return e->code;
        }
    }
    return 0;
}

/* A sheet candidate per valid rollout: its first task showing all four results, else its
 * first task. */
static int read_tasks(reading *R, const batch_reader *br, const char *name, size_t file, errmsg *e)
{
    recap *r = R->r;
    batch_counts n = batch_reader_counts(br);
    size_t first_ref = R->n_refs;
    for (size_t i = 0; i < n.tasks; i++) {
        batch_task t;
        if (batch_reader_task(br, i, &t))
            return err_set(e, ERR_FAIL, "%s: task %zu", batch_reader_path(br), i);
        int type = t.question_type < 3 ? t.question_type : 2;
        r->tasks[type]++;
        r->measured[type] += t.pass_rate >= 0;
        r->pass_sum[type] += t.pass_rate > 0 ? t.pass_rate : 0;
        r->for_solver += t.for_solver != 0;
        int all = t.n_images == 5;
        pick_ref *have = NULL;
        for (size_t k = first_ref; k < R->n_refs; k++)
            if (R->refs[k].rollout == t.challenger_rollout)
                have = &R->refs[k];
        if (have && all && !have->all_results) {
            have->task = (uint32_t)i;
            have->all_results = 1;
        }
        if (have)
            continue;
        if (grow((void **)&R->refs, &R->cap_refs, R->n_refs + 1, sizeof *R->refs))
            return oom(e);
        have = &R->refs[R->n_refs++];
        *have = (pick_ref){strdup(name), t.challenger_rollout, file, (uint32_t)i, all};
        if (!have->name)
            return oom(e);
    }
    return 0;
}

static void read_solvers(recap *r, const batch_reader *br)
{
    batch_counts n = batch_reader_counts(br);
    for (size_t i = 0; i < n.solver_rollouts; i++) {
        batch_solver s;
        if (batch_reader_solver(br, i, &s))
            continue;
        r->solver_rollouts++;
        r->solver_correct += s.correct != 0;
        r->solver_reward_sum += s.reward;
    }
}

static int read_file(reading *R, size_t file, errmsg *e)
{
    recap *r = R->r;
    errmsg why = {0};
    batch_reader *br = batch_reader_open(R->paths[file], &why);
    int st = br ? batch_reader_next(br, &why) : BATCH_NEXT_SKIPPED;
    const char *name = st == BATCH_NEXT_FILE ? unit_name(br) : NULL;
    if (st == BATCH_NEXT_FILE && !name)
        err_set(&why, ERR_FAIL, "%s: no named input image", R->paths[file]);
    if (!name) {
        if (!r->files_skipped++)
            snprintf(r->first_skip, sizeof r->first_skip, "%s", why.text);
        batch_reader_close(br);
        return 0;
    }
    r->files++;
    int rc = grow((void **)&r->done, &R->cap_done, r->n_done + 1, sizeof *r->done) ||
                     !(r->done[r->n_done++] = strdup(name))
                 ? oom(e)
                 : 0;
    if (!rc)
        rc = read_challengers(R, br, name, e) || read_tasks(R, br, name, file, e);
    if (!rc)
        read_solvers(r, br);
    batch_reader_close(br);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_cand(const void *a, const void *b)
{
    const recap_candidate *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->rollout > y->rollout) - (x->rollout < y->rollout);
}

static int compare_refs(const void *a, const void *b)
{
    const pick_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->rollout > y->rollout) - (x->rollout < y->rollout);
}

static img *decode(const batch_reader *br, uint32_t index, errmsg *e)
{
    batch_image im;
    if (batch_reader_image(br, index, &im)) {
        err_set(e, ERR_FAIL, "%s: image %u", batch_reader_path(br), index);
        return NULL;
    }
    return img_decode(im.png, im.png_size, batch_reader_path(br), 0, e);
}

static int load_pick(const batch_reader *br, const pick_ref *ref, recap_pick *p, errmsg *e)
{
    batch_task t;
    if (batch_reader_task(br, ref->task, &t))
        return err_set(e, ERR_FAIL, "%s: task %u", batch_reader_path(br), ref->task);
    p->name = strdup(ref->name);
    p->rollout = ref->rollout;
    p->question_type = t.question_type;
    p->question = strdup(t.question);
    p->answer = strdup(t.answer);
    p->n_samples = (int)t.n_samples;
    p->n_correct = t.pass_rate > 0 ? (int)(t.pass_rate * t.n_samples + 0.5) : 0;
    if (!p->name || !p->question || !p->answer)
        return oom(e);
    if (t.source_image >= 0 && !(p->original = decode(br, (uint32_t)t.source_image, e)))
        return e->code;
    /* Types 0 and 2 show all four results in order; type 1 shows result k, answer 'A' + k. */
    int one = t.n_images == 2 && t.answer[0] >= 'A' && t.answer[0] <= 'D' ? t.answer[0] - 'A' : 0;
    for (size_t i = 1; i < t.n_images && i < 5; i++) {
        size_t k = t.n_images == 5 ? i - 1 : (size_t)one;
        if (!p->results[k] && !(p->results[k] = decode(br, t.images[i], e)))
            return e->code;
    }
    return 0;
}

static int read_picks(reading *R, int max_picks, errmsg *e)
{
    recap *r = R->r;
    if (R->n_refs)
        qsort(R->refs, R->n_refs, sizeof *R->refs, compare_refs);
    size_t n = R->n_refs < (size_t)max_picks ? R->n_refs : (size_t)max_picks;
    if (!n)
        return 0;
    if (!(r->picks = calloc(n, sizeof *r->picks)))
        return oom(e);
    for (size_t i = 0; i < n; i++) {
        batch_reader *br = batch_reader_open(R->paths[R->refs[i].file], e);
        int rc = !br || batch_reader_next(br, e) != BATCH_NEXT_FILE;
        r->n_picks++;
        if (!rc)
            rc = load_pick(br, &R->refs[i], &r->picks[i], e);
        batch_reader_close(br);
        if (rc)
            return e->code ? e->code : ERR_FAIL;
    }
    return 0;
}

/* The round's files: names batch_io_file_name wrote for this round. */
static int list_round(const char *dir, uint32_t round, reading *R, errmsg *e)
{
    char **all = NULL;
    size_t n = 0;
    if (batch_io_list(dir, &all, &n, e))
        return e->code;
    R->paths = calloc(n + 1, sizeof *R->paths);
    if (!R->paths) {
        batch_io_free_list(all, n);
        return oom(e);
    }
    for (size_t i = 0; i < n; i++) {
        const char *base = strrchr(all[i], '/');
        uint32_t r, b;
        if (batch_io_parse_name(base ? base + 1 : all[i], &r, &b) && r == round) {
            R->paths[R->n_paths++] = all[i];
            all[i] = NULL;
        }
    }
    batch_io_free_list(all, n);
    return 0;
}

int recap_read(const char *dir, uint32_t round, int max_picks, recap *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    out->round = round;
    reading R = {.r = out};
    struct stat sb;
    int rc = stat(dir, &sb) ? 0 : list_round(dir, round, &R, e);
    for (size_t i = 0; !rc && i < R.n_paths; i++)
        rc = read_file(&R, i, e);
    if (!rc) {
        if (out->n_done) /* qsort needs a non-NULL array */
            qsort(out->done, out->n_done, sizeof *out->done, compare_strings);
        if (out->n_cand)
            qsort(out->cand, out->n_cand, sizeof *out->cand, compare_cand);
        rc = read_picks(&R, max_picks, e);
    }
    for (size_t i = 0; i < R.n_refs; i++)
        free(R.refs[i].name);
    free(R.refs);
    batch_io_free_list(R.paths, R.n_paths);
    if (rc)
        recap_free(out);
    return rc;
}

void recap_free(recap *r)
{
    for (size_t i = 0; i < r->n_done; i++)
        free(r->done[i]);
    for (size_t i = 0; i < r->n_reasons; i++)
        free(r->reasons[i].name);
    for (size_t i = 0; i < r->n_cand; i++)
        free(r->cand[i].name), free(r->cand[i].code);
    for (size_t i = 0; i < r->n_picks; i++) {
        recap_pick *p = &r->picks[i];
        free(p->name), free(p->question), free(p->answer);
        img_free(p->original);
        for (int k = 0; k < 4; k++)
            img_free(p->results[k]);
    }
    free(r->done), free(r->reasons), free(r->cand), free(r->picks);
    memset(r, 0, sizeof *r);
}

int recap_is_done(const recap *r, const char *name)
{
    return r->n_done && bsearch(&name, r->done, r->n_done, sizeof *r->done, compare_strings);
}

int recap_offer(const recap *r, queue *q, const queue_options *o, recap_verdicts *v, errmsg *e)
{
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < r->n_cand; i++) {
        queue_verdict verdict;
        if (!r->cand[i].code)
            continue;
        if (queue_offer(q, r->cand[i].code, r->cand[i].difficulty, o, &verdict, e))
            return e->code;
        v->offered++;
        v->n[verdict]++;
    }
    return 0;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static void add_stats(cJSON *o, const round_stats *st)
{
    double gen = st->t_challenger + st->t_solver;
    long tokens = st->challenger_tokens + st->solver_tokens;
    cJSON_AddNumberToObject(o, "units_written", (double)st->units);
    cJSON_AddNumberToObject(o, "images_skipped_bad", (double)st->images_bad);
    cJSON_AddNumberToObject(o, "generated_tokens", (double)tokens);
    cJSON_AddNumberToObject(o, "prompt_tokens", (double)st->prompt_tokens);
    cJSON_AddNumberToObject(o, "tokens_per_s", ratio((double)tokens, gen));
    cJSON *s = cJSON_AddObjectToObject(o, "seconds");
    cJSON_AddNumberToObject(s, "challenger", st->t_challenger);
    cJSON_AddNumberToObject(s, "execution_cpu", st->t_exec);
    cJSON_AddNumberToObject(s, "execution_wait", st->t_exec_wait);
    cJSON_AddNumberToObject(s, "solver", st->t_solver);
    cJSON_AddNumberToObject(s, "rewards_and_writing", st->t_write);
    cJSON_AddNumberToObject(s, "total", st->t_total);
}

static void add_tasks(cJSON *o, const recap *r)
{
    cJSON *tasks = cJSON_AddObjectToObject(o, "tasks");
    cJSON *pass = cJSON_AddObjectToObject(o, "pass_rate");
    for (int t = 0; t < 3; t++) {
        char key[4];
        snprintf(key, sizeof key, "%d", t);
        if (r->tasks[t])
            cJSON_AddNumberToObject(tasks, key, (double)r->tasks[t]);
        if (r->measured[t])
            cJSON_AddNumberToObject(pass, key, r->pass_sum[t] / (double)r->measured[t]);
    }
    cJSON_AddNumberToObject(o, "for_solver", (double)r->for_solver);
    cJSON_AddNumberToObject(o, "solver_rollouts", (double)r->solver_rollouts);
    cJSON_AddNumberToObject(o, "solver_correct", (double)r->solver_correct);
}

static void add_queue(cJSON *o, const recap_verdicts *v, size_t size)
{
    cJSON *q = cJSON_AddObjectToObject(o, "queue");
    cJSON_AddNumberToObject(q, "offered", (double)v->offered);
    for (int i = 0; i <= QUEUE_FELL_OFF; i++)
        cJSON_AddNumberToObject(q, queue_verdict_name((queue_verdict)i), (double)v->n[i]);
    cJSON_AddNumberToObject(q, "size", (double)size);
}

char *recap_json(const recap *r, const round_stats *st, const recap_verdicts *v, size_t queue_size)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "round", r->round);
    cJSON_AddNumberToObject(o, "images", (double)r->n_done);
    cJSON_AddNumberToObject(o, "files_skipped", (double)r->files_skipped);
    cJSON_AddNumberToObject(o, "challenger_rollouts", (double)r->rollouts);
    cJSON_AddNumberToObject(o, "valid", (double)r->valid);
    cJSON_AddNumberToObject(o, "valid_rate", ratio((double)r->valid, (double)r->rollouts));
    cJSON *rej = cJSON_AddObjectToObject(o, "rejections");
    for (size_t i = 0; i < r->n_reasons; i++)
        cJSON_AddNumberToObject(rej, r->reasons[i].name, (double)r->reasons[i].n);
    add_tasks(o, r);
    cJSON *hist = cJSON_AddArrayToObject(o, "difficulty_histogram");
    for (int i = 0; i < RECAP_BINS; i++)
        cJSON_AddItemToArray(hist, cJSON_CreateNumber((double)r->hist[i]));
    cJSON_AddNumberToObject(o, "challenger_reward_mean",
                            ratio(r->challenger_reward_sum, (double)r->rollouts));
    cJSON_AddNumberToObject(o, "solver_reward_mean",
                            ratio(r->solver_reward_sum, (double)r->solver_rollouts));
    if (v)
        add_queue(o, v, queue_size);
    if (st)
        add_stats(o, st);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return line;
}
