/* round.c - one round of the loop (see round.h): steps of images go through challenger
 * generation, program execution on worker threads, questions, solver generation, rewards and
 * batch files. The device generates the next step's rollouts while the workers run this
 * step's programs, and the workers run the next step's programs while the device answers this
 * step's questions. */
#include "evolve/round.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "base/rng.h"
#include "base/utf8.h"
#include "evolve/answer.h"
#include "evolve/boot.h"
#include "evolve/pool.h"
#include "evolve/vqa.h"
#include "vision/img_geom.h"
#include "vision/img_io.h"

enum { N_TYPES = 3 };

/* What a random choice is for: each has its own rng stream per image and rollout. */
enum {
    PURPOSE_ORDER,
    PURPOSE_EXAMPLES,
    PURPOSE_CHALLENGER,
    PURPOSE_BOOT,
    PURPOSE_QUESTION,
    PURPOSE_SOLVER
};

round_options round_default_options(void)
{
    round_options o = {0};
    o.challenger = ROUND_FROM_MODEL;
    o.variant = PROMPT_QWEN3;
    o.group = 4;
    o.samples = 6;
    o.question_types = 0x3;
    o.step_images = 8;
    o.challenger_tokens = 4096;
    o.solver_tokens = 2048;
    o.challenger_sampling = sample_defaults();
    o.challenger_sampling.top_k = 40;
    o.solver_sampling = sample_defaults();
    o.threads = 4;
    o.solver_max_marks = 4;
    o.bounds = vpre_params_eve();
    o.limits = prog_default_limits();
    o.valid = valid_default_options();
    o.rewards = rew_default_options();
    o.diversity = cluster_default_options();
    return o;
}

/* ---- identities and random streams ---- */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* The stream of one choice: (round, image name, which rollout or question, purpose). */
static rng choice_rng(uint64_t seed, uint32_t round, const char *name, int which, int purpose)
{
    uint64_t h = mix(name_hash(name) ^ mix(((uint64_t)round << 32) | (uint32_t)(which + 1)));
    return rng_make(seed, mix(h ^ ((uint64_t)(purpose + 1) * 0x9e3779b97f4a7c15ull)));
}

typedef struct order_key {
    uint64_t key;
    const char *name;
    size_t index;
} order_key;

static int compare_keys(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->name, y->name);
}

int round_order(const char *const *names, size_t n, uint64_t seed, uint32_t round, size_t *order,
                errmsg *e)
{
    order_key *k = calloc(n + 1, sizeof *k);
    if (!k)
        return err_set(e, ERR_FAIL, "round %u: out of memory ordering %zu images", round, n);
    for (size_t i = 0; i < n; i++) {
        rng r = choice_rng(seed, round, names[i], -1, PURPOSE_ORDER);
        k[i] = (order_key){rng_u64(&r), names[i], i};
    }
    qsort(k, n, sizeof *k, compare_keys);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(k[i].name, k[i - 1].name) && !rc)
            rc = err_set(e, ERR_ENV, "round %u: two images are named '%s'", round, k[i].name);
        order[i] = k[i].index;
    }
    free(k);
    return rc;
}

img *round_prepare_image(const img *im, const vpre_params *bounds, errmsg *e)
{
    int w, h;
    if (vpre_size(im->w, im->h, bounds, &w, &h, e))
        return NULL;
    img *rgb = im->mode == IMG_RGB ? NULL : img_convert(im, IMG_RGB, e);
    if (im->mode != IMG_RGB && !rgb)
        return NULL;
    const img *src = rgb ? rgb : im;
    img *out =
        src->w == w && src->h == h ? img_copy(src, e) : img_resize(src, w, h, IMG_BICUBIC, NULL, e);
    img_free(rgb);
    return out;
}

/* ---- the records of one image ---- */

/* A prompt's ids and image grids, kept for the batch after its embeddings are freed. */
typedef struct kept_prompt {
    int32_t *ids;
    int n_ids;
    batch_grid grids[VQA_N + 1];
    int n_grids;
} kept_prompt;

typedef struct question {
    vqa_question q;
    char *text; /* q.text, cleaned */
    kept_prompt prompt;
    const gen_result *res;
    char **completion, **answer; /* per sample, cleaned */
    double *score, *reward, *adv;
    double pass; /* -1: not measured (the model refused the prompt: too long) */
    int for_solver;
} question;

typedef struct rollout {
    const round_options *o;
    const img *input;
    const gen_sample *sample; /* NULL: from the queue, or refused */
    char *text;               /* the completion, cleaned */
    char *code, *func;
    prog_result run;
    valid_report rep;
    char failure[400];
    double format, difficulty, penalty, reward, adv;
    int marks;
    char *args[VQA_N];
    uint8_t *png[VQA_N]; /* the outputs, kept as PNG once the Solver has seen them */
    size_t png_size[VQA_N];
    int out_w[VQA_N], out_h[VQA_N];
    question q[N_TYPES];
    int n_q;
    double seconds;
    errmsg host; /* an out-of-memory failure in the worker */
} rollout;

typedef struct unit {
    const round_image *src;
    int write;  /* not written before */
    img *input; /* RGB, resized; NULL when the image is unusable */
    uint8_t *png;
    size_t png_size;
    kept_prompt prompt;
    rollout *r; /* group */
    gen_result *solver;
    int n_solver;
} unit;

typedef struct step {
    unit *u;
    size_t n;
    gen_result *challenger;
    int n_challenger;
} step;

static void kept_free(kept_prompt *k)
{
    free(k->ids);
    memset(k, 0, sizeof *k);
}

static int keep_prompt(const vlm_prompt *p, kept_prompt *k, errmsg *e)
{
    memset(k, 0, sizeof *k);
    k->ids = malloc((p->ids.n ? p->ids.n : 1) * sizeof *k->ids);
    if (!k->ids)
        return err_set(e, ERR_FAIL, "out of memory keeping a prompt");
    memcpy(k->ids, p->ids.v, p->ids.n * sizeof *k->ids);
    k->n_ids = (int)p->ids.n;
    for (int i = 0; i < p->n_images && i < VQA_N + 1; i++, k->n_grids++)
        k->grids[i] =
            (batch_grid){(uint32_t)p->grids[i].t, (uint32_t)p->grids[i].h, (uint32_t)p->grids[i].w};
    return 0;
}

static void question_free(question *q, int k)
{
    for (int i = 0; i < k; i++) {
        free(q->completion ? q->completion[i] : NULL);
        free(q->answer ? q->answer[i] : NULL);
    }
    free(q->completion), free(q->answer), free(q->score), free(q->reward), free(q->adv);
    free(q->text);
    vqa_free(&q->q);
    kept_free(&q->prompt);
}

static void rollout_free(rollout *r, int k)
{
    free(r->text), free(r->code), free(r->func);
    prog_result_free(&r->run);
    for (int i = 0; i < VQA_N; i++)
        free(r->png[i]), free(r->args[i]);
    for (int i = 0; i < r->n_q; i++)
        question_free(&r->q[i], k);
}

static void step_free(step *s, const round_options *o)
{
    for (size_t i = 0; i < s->n; i++) {
        unit *u = &s->u[i];
        for (int g = 0; u->r && g < o->group; g++)
            rollout_free(&u->r[g], o->samples);
        free(u->r);
        img_free(u->input);
        free(u->png);
        kept_free(&u->prompt);
        gen_results_free(u->solver, u->n_solver);
    }
    free(s->u);
    gen_results_free(s->challenger, s->n_challenger);
    memset(s, 0, sizeof *s);
}

/* ---- the run's shared state ---- */

typedef struct run {
    const round_job *j;
    const round_options *o;
    round_stats *st;
    size_t *order;  /* processing order (indices into j->images) */
    size_t n_order; /* images in this round */
    size_t n_steps;
    const char **done; /* sorted */
    size_t n_done;
    pool *workers;
    double t_start;
} run;

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int is_done(const run *R, const char *name)
{
    return R->n_done && bsearch(&name, R->done, R->n_done, sizeof *R->done, compare_names);
}

static void warn(const run *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(const run *R, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (R->j->warn)
        R->j->warn(R->j->user, msg);
}

/* ---- step preparation: the images ---- */

static int load_unit(run *R, unit *u, errmsg *e)
{
    errmsg why = {0};
    img *loaded = u->src->image ? NULL : img_load(u->src->path, 0, &why);
    const img *im = u->src->image ? u->src->image : loaded;
    if (im)
        u->input = round_prepare_image(im, &R->o->bounds, &why);
    img_free(loaded);
    if (u->input && img_encode_png(u->input, &u->png, &u->png_size, e)) {
        img_free(u->input);
        u->input = NULL;
        return e->code;
    }
    if (!u->input) {
        R->st->images_bad++;
        warn(R, "round %u: image '%s' skipped: %s", R->j->round, u->src->name, why.text);
    }
    return 0;
}

/* The units of step k (images order[k*S .. k*S+S)), or an empty step when all are written. */
static int step_make(run *R, size_t k, step *s, errmsg *e)
{
    memset(s, 0, sizeof *s);
    size_t S = (size_t)R->o->step_images, first = k * S;
    size_t n = first + S > R->n_order ? R->n_order - first : S, to_write = 0;
    for (size_t i = 0; i < n; i++)
        to_write += !is_done(R, R->j->images[R->order[first + i]].name);
    R->st->images_done += n - to_write;
    if (!to_write)
        return 0;
    s->u = calloc(n, sizeof *s->u);
    if (!s->u)
        return err_set(e, ERR_FAIL, "round %u: out of memory", R->j->round);
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        unit *u = &s->u[i];
        u->src = &R->j->images[R->order[first + i]];
        u->write = !is_done(R, u->src->name);
        if (!(u->r = calloc((size_t)R->o->group, sizeof *u->r)))
            return err_set(e, ERR_FAIL, "round %u: out of memory", R->j->round);
        if (load_unit(R, u, e))
            return e->code;
        for (int g = 0; g < R->o->group; g++)
            u->r[g].o = R->o, u->r[g].input = u->input;
    }
    return 0;
}

/* ---- challenger ---- */

static int set_text(rollout *r, const char *text, size_t len, errmsg *e)
{
    if (!(r->text = utf8_clean(text ? text : "", text ? len : 0, UTF8_NUL_TOO)))
        return err_set(e, ERR_FAIL, "out of memory copying a completion");
    return 0;
}

static int challenger_prompt(run *R, unit *u, vlm_prompt *p, gen_request *req, errmsg *e)
{
    const queue *q = R->j->queue;
    rng r = choice_rng(R->o->seed, R->j->round, u->src->name, -1, PURPOSE_EXAMPLES);
    size_t idx[2];
    int n_ex = queue_sample(q, &r, idx);
    const char *ex[2] = {n_ex > 0 ? q->items[idx[0]].code : NULL,
                         n_ex > 1 ? q->items[idx[1]].code : NULL};
    prompt_conv c;
    if (prompt_challenger(R->o->variant, u->input, ex, n_ex, &c, e))
        return e->code;
    int rc = vlm_prompt_make(R->j->challenger, c.msgs, c.n_msgs, p, e);
    prompt_conv_free(&c);
    if (rc)
        return err_prefix(e, "challenger prompt for '%s': ", u->src->name);
    *req = gen_default_request();
    vlm_prompt_request(p, req);
    req->n_samples = R->o->group;
    req->max_tokens = R->o->challenger_tokens;
    req->sampling = R->o->challenger_sampling;
    rng s = choice_rng(R->o->seed, R->j->round, u->src->name, -1, PURPOSE_CHALLENGER);
    req->seed = rng_u64(&s);
    return 0;
}

static int attach_samples(unit *u, const gen_result *res, int group, errmsg *e)
{
    for (int g = 0; g < group; g++) {
        rollout *r = &u->r[g];
        const gen_sample *s = g < res->n_samples ? &res->samples[g] : NULL;
        if (!s || s->finish == GEN_REFUSED) {
            snprintf(r->failure, sizeof r->failure, "refused: %s", res->error);
            continue;
        }
        r->sample = s;
        if (set_text(r, s->text, s->text_len, e))
            return e->code;
    }
    return 0;
}

static int challenger_model(run *R, step *s, errmsg *e)
{
    vlm_prompt *p = calloc(s->n, sizeof *p);
    gen_request *req = calloc(s->n, sizeof *req);
    size_t *of = calloc(s->n, sizeof *of);
    int rc = !p || !req || !of ? err_set(e, ERR_FAIL, "out of memory") : 0, n = 0;
    for (size_t i = 0; !rc && i < s->n; i++)
        if (s->u[i].input) {
            rc = challenger_prompt(R, &s->u[i], &p[n], &req[n], e);
            of[n++] = i;
        }
    gen_stats gs = {0};
    gen_opts go = {NULL, NULL, &gs};
    if (!rc && n && !(rc = vlm_generate(R->j->challenger, req, n, &go, &s->challenger, e)))
        s->n_challenger = n;
    R->st->challenger_tokens += gs.generated_tokens;
    R->st->prompt_tokens += gs.prompt_tokens;
    for (int k = 0; !rc && k < s->n_challenger; k++) {
        unit *u = &s->u[of[k]];
        rc = keep_prompt(&p[k], &u->prompt, e) ||
             attach_samples(u, &s->challenger[k], R->o->group, e);
    }
    for (size_t i = 0; p && i < s->n; i++)
        vlm_prompt_free(&p[i]);
    free(p), free(req), free(of);
    return rc;
}

/* --challenger queue: programs derived from queue members, shown as a python block. */
static int challenger_queue(run *R, step *s, errmsg *e)
{
    const queue *q = R->j->queue;
    for (size_t i = 0; i < s->n; i++) {
        unit *u = &s->u[i];
        for (int g = 0; u->input && g < R->o->group; g++) {
            rollout *r = &u->r[g];
            rng rr = choice_rng(R->o->seed, R->j->round, u->src->name, g, PURPOSE_BOOT);
            size_t member = rng_below(&rr, (uint32_t)q->n);
            char *code = NULL;
            errmsg why = {0};
            if (boot_program(q->items[member].code, &rr, &code, &why)) {
                snprintf(r->failure, sizeof r->failure, "bootstrap: %.380s", why.text);
                continue;
            }
            size_t n = strlen(code) + 32;
            char *text = malloc(n);
            if (text)
                snprintf(text, n, "```python\n%s\n```", code);
            free(code);
            int rc = text ? set_text(r, text, strlen(text), e)
                          : err_set(e, ERR_FAIL, "out of memory bootstrapping a program");
            free(text);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- execution (worker threads) ---- */

static void fail_rollout(rollout *r)
{
    snprintf(r->failure, sizeof r->failure, "%s: %s", valid_reason_name(r->rep.reason),
             r->rep.message);
}

static int keep_outputs(rollout *r)
{
    for (int k = 0; k < VQA_N; k++) {
        const prog_case *c = &r->run.cases[k];
        r->out_w[k] = c->out->w, r->out_h[k] = c->out->h;
        r->args[k] = utf8_clean(c->args_repr, strlen(c->args_repr), UTF8_NUL_TOO);
        if (!r->args[k] || img_encode_png(c->out, &r->png[k], &r->png_size[k], &r->host))
            return err_set(&r->host, ERR_FAIL, "out of memory encoding program outputs");
    }
    return 0;
}

static void exec_job(void *arg)
{
    rollout *r = arg;
    double t0 = now_seconds();
    r->code = valid_extract_code(r->text);
    if (r->code && prog_run(r->code, strlen(r->code), r->input, &r->o->limits, &r->run, &r->host))
        return;
    if (valid_check(r->code, &r->run, &r->o->valid, &r->rep, &r->host))
        return;
    r->format = valid_format(r->text, r->code, &r->o->valid);
    if (r->rep.reason) {
        fail_rollout(r);
    } else if (!(r->func = valid_func_part(r->code))) {
        err_set(&r->host, ERR_FAIL, "out of memory");
    } else {
        r->marks = valid_comment_marks(r->func);
        keep_outputs(r);
    }
    r->seconds = now_seconds() - t0;
}

static int exec_submit(run *R, step *s, errmsg *e)
{
    for (size_t i = 0; i < s->n; i++)
        for (int g = 0; s->u[i].input && g < R->o->group; g++)
            if (s->u[i].r[g].text && pool_submit(R->workers, exec_job, &s->u[i].r[g], e))
                return e->code;
    return 0;
}

static int exec_collect(run *R, step *s, errmsg *e)
{
    double t0 = now_seconds();
    pool_wait(R->workers);
    R->st->t_exec_wait += now_seconds() - t0;
    for (size_t i = 0; i < s->n; i++)
        for (int g = 0; s->u[i].input && g < R->o->group; g++) {
            rollout *r = &s->u[i].r[g];
            if (r->host.code)
                return err_set(e, r->host.code, "'%s' rollout %d: %s", s->u[i].src->name, g,
                               r->host.text);
            R->st->t_exec += r->seconds;
            R->st->rollouts++;
            R->st->valid += r->func != NULL;
        }
    return 0;
}

/* ---- questions and the solver ---- */

static int question_alloc(question *q, int k, errmsg *e)
{
    q->completion = calloc((size_t)k, sizeof *q->completion);
    q->answer = calloc((size_t)k, sizeof *q->answer);
    q->score = calloc((size_t)k, sizeof *q->score);
    q->reward = calloc((size_t)k, sizeof *q->reward);
    q->adv = calloc((size_t)k, sizeof *q->adv);
    if (!q->completion || !q->answer || !q->score || !q->reward || !q->adv)
        return err_set(e, ERR_FAIL, "out of memory");
    return 0;
}

/* Builds rollout g's question of type t and its solver request. */
static int make_question(run *R, unit *u, int g, int t, vlm_prompt *p, gen_request *req, errmsg *e)
{
    rollout *r = &u->r[g];
    question *q = &r->q[r->n_q++];
    vqa_options vo = {0, 0};
    if (R->o->variant == PROMPT_QWEN25)
        vo = (vqa_options){u->input->w, u->input->h};
    rng qr = choice_rng(R->o->seed, R->j->round, u->src->name, g * N_TYPES + t, PURPOSE_QUESTION);
    if (vqa_make(t, r->func, (const char *const *)r->args, &qr, &vo, &q->q, e) ||
        question_alloc(q, R->o->samples, e))
        return e->code;
    if (!(q->text = utf8_clean(q->q.text, strlen(q->q.text), UTF8_NUL_TOO)))
        return err_set(e, ERR_FAIL, "out of memory");
    const img *images[VQA_N + 1];
    for (int i = 0; i < q->q.n_images; i++)
        images[i] = q->q.images[i] < 0 ? u->input : r->run.cases[q->q.images[i]].out;
    prompt_conv c;
    if (prompt_solver(&q->q, images, &c, e))
        return e->code;
    int rc = vlm_prompt_make(R->j->solver, c.msgs, c.n_msgs, p, e);
    prompt_conv_free(&c);
    if (rc)
        return err_prefix(e, "solver prompt for '%s': ", u->src->name);
    *req = gen_default_request();
    vlm_prompt_request(p, req);
    req->n_samples = R->o->samples;
    req->max_tokens = R->o->solver_tokens;
    req->sampling = R->o->solver_sampling;
    rng sr = choice_rng(R->o->seed, R->j->round, u->src->name, g * N_TYPES + t, PURPOSE_SOLVER);
    req->seed = rng_u64(&sr);
    return 0;
}

/* Reads and scores the K answers to one question. */
static int score_question(run *R, question *q, const gen_result *res, errmsg *e)
{
    const round_options *o = R->o;
    int K = o->samples;
    double sum = 0;
    q->res = res;
    q->pass = -1;
    if (res->n_samples < K || res->samples[0].finish == GEN_REFUSED)
        return 0;
    for (int k = 0; k < K; k++) {
        const gen_sample *s = &res->samples[k];
        q->completion[k] =
            utf8_clean(s->text ? s->text : "", s->text ? s->text_len : 0, UTF8_NUL_TOO);
        if (!q->completion[k])
            return err_set(e, ERR_FAIL, "out of memory");
        char *box = ans_boxed(q->completion[k]);
        q->answer[k] = box ? box : strdup("");
        if (!q->answer[k])
            return err_set(e, ERR_FAIL, "out of memory");
        q->score[k] =
            ans_score(q->q.type, q->completion[k], q->q.answer, (const char *const *)q->q.options);
        q->reward[k] = rew_solver(ans_format(q->completion[k]), q->score[k], &o->rewards);
        sum += q->score[k];
    }
    q->pass = sum / K;
    long *group = calloc((size_t)K, sizeof *group);
    int rc = group ? rew_advantages(q->reward, group, (size_t)K, &o->rewards, q->adv, e)
                   : err_set(e, ERR_FAIL, "out of memory");
    free(group);
    return rc;
}

static int count_questions(const run *R, const unit *u)
{
    int n_types = 0;
    for (int t = 0; t < N_TYPES; t++)
        n_types += (R->o->question_types >> t) & 1;
    int n = 0;
    for (int g = 0; u->input && g < R->o->group; g++)
        n += u->r[g].func ? n_types : 0;
    return n;
}

static int solver_unit(run *R, unit *u, errmsg *e)
{
    int n = count_questions(R, u);
    if (!n)
        return 0;
    vlm_prompt *p = calloc((size_t)n, sizeof *p);
    gen_request *req = calloc((size_t)n, sizeof *req);
    int rc = !p || !req ? err_set(e, ERR_FAIL, "out of memory") : 0, k = 0;
    for (int g = 0; !rc && g < R->o->group; g++)
        for (int t = 0; !rc && u->r[g].func && t < N_TYPES; t++)
            if ((R->o->question_types >> t) & 1)
                rc = make_question(R, u, g, t, &p[k], &req[k], e), k++;
    gen_stats gs = {0};
    gen_opts go = {NULL, NULL, &gs};
    if (!rc && !(rc = vlm_generate(R->j->solver, req, n, &go, &u->solver, e)))
        u->n_solver = n;
    R->st->solver_tokens += gs.generated_tokens;
    R->st->prompt_tokens += gs.prompt_tokens;
    k = 0;
    for (int g = 0; !rc && g < R->o->group; g++)
        for (int i = 0; !rc && i < u->r[g].n_q; i++, k++)
            rc = keep_prompt(&p[k], &u->r[g].q[i].prompt, e) ||
                 score_question(R, &u->r[g].q[i], &u->solver[k], e);
    for (int i = 0; p && i < n; i++)
        vlm_prompt_free(&p[i]);
    free(p), free(req);
    R->st->tasks += (size_t)n;
    R->st->solver_samples += (size_t)n * (size_t)R->o->samples;
    return rc;
}

/* ---- rewards ---- */

/* Over the question types that were measured. */
static double difficulty(const rollout *r)
{
    double pass[N_TYPES];
    int n = 0;
    for (int i = 0; i < r->n_q; i++)
        if (r->q[i].pass >= 0)
            pass[n++] = r->q[i].pass;
    return r->func ? rew_difficulty(pass, n) : 0;
}

static int challenger_rewards(run *R, step *s, errmsg *e)
{
    size_t n = 0, G = (size_t)R->o->group;
    const char **funcs = calloc(s->n * G + 1, sizeof *funcs);
    double *pen = calloc(s->n * G + 1, sizeof *pen);
    int rc = !funcs || !pen ? err_set(e, ERR_FAIL, "out of memory") : 0;
    for (size_t i = 0; !rc && i < s->n; i++)
        for (size_t g = 0; s->u[i].input && g < G; g++)
            funcs[n++] = s->u[i].r[g].func ? s->u[i].r[g].func : "";
    if (!rc && n)
        rc = cluster_penalty(funcs, n, &R->o->diversity, pen, e);
    n = 0;
    for (size_t i = 0; !rc && i < s->n; i++) {
        unit *u = &s->u[i];
        if (!u->input)
            continue;
        double rew[ROUND_MAX_GROUP], adv[ROUND_MAX_GROUP];
        long group[ROUND_MAX_GROUP] = {0};
        for (size_t g = 0; g < G; g++) {
            rollout *r = &u->r[g];
            r->difficulty = difficulty(r);
            r->penalty = pen[n++];
            r->reward = rew[g] = rew_challenger(r->format, r->func != NULL, r->difficulty,
                                                r->penalty, &R->o->rewards);
        }
        rc = rew_advantages(rew, group, G, &R->o->rewards, adv, e);
        for (size_t g = 0; !rc && g < G; g++)
            u->r[g].adv = adv[g];
    }
    free(funcs), free(pen);
    return rc;
}

static double distance_to_half(const question *q)
{
    return q->pass > 0.5 ? q->pass - 0.5 : 0.5 - q->pass;
}

static int compare_picks(const void *a, const void *b)
{
    const question *x = *(question *const *)a, *y = *(question *const *)b;
    double dx = distance_to_half(x), dy = distance_to_half(y);
    return dx < dy ? -1 : dx > dy;
}

/* EVE's solver data: 0 < p < 1 and few comment marks; with a cap, nearest p = 0.5 first
 * (a stable order among equals: image order, rollout, type). */
static int select_solver_data(run *R, step *s, errmsg *e)
{
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < s->n; i++)
        for (int g = 0; s->u[i].input && g < R->o->group; g++)
            cap += (size_t)s->u[i].r[g].n_q;
    question **picks = calloc(cap + 1, sizeof *picks);
    if (!picks)
        return err_set(e, ERR_FAIL, "out of memory");
    for (size_t i = 0; i < s->n; i++)
        for (int g = 0; s->u[i].input && g < R->o->group; g++) {
            rollout *r = &s->u[i].r[g];
            for (int k = 0; k < r->n_q; k++)
                if (r->q[k].pass > 0 && r->q[k].pass < 1 && r->marks <= R->o->solver_max_marks)
                    picks[n++] = &r->q[k];
        }
    size_t keep = n;
    if (R->o->max_solver_tasks > 0 && n > (size_t)R->o->max_solver_tasks) {
        for (size_t i = 1; i < n; i++) /* insertion sort: stable, and n is small */
            for (size_t j = i; j > 0 && compare_picks(&picks[j], &picks[j - 1]) < 0; j--) {
                question *t = picks[j];
                picks[j] = picks[j - 1], picks[j - 1] = t;
            }
        keep = (size_t)R->o->max_solver_tasks;
    }
    for (size_t i = 0; i < keep; i++)
        picks[i]->for_solver = 1;
    free(picks);
    return 0;
}

/* ---- writing ---- */

static int write_task(batch_writer *w, const rollout *r, const question *q, uint32_t src,
                      uint32_t ch, const uint32_t out[VQA_N], const round_options *o, errmsg *e)
{
    uint32_t images[VQA_N + 1], task;
    for (int i = 0; i < q->q.n_images; i++)
        images[i] = q->q.images[i] < 0 ? src : out[q->q.images[i]];
    batch_task t = {0};
    t.question_type = (uint8_t)q->q.type;
    t.question = q->text;
    t.images = images;
    t.n_images = (size_t)q->q.n_images;
    t.answer = q->q.answer;
    t.program = r->code;
    for (int k = 0; k < VQA_N; k++)
        t.args[k] = r->args[k];
    t.source_image = (int32_t)src;
    t.challenger_rollout = (int32_t)ch;
    int measured = q->pass >= 0;
    t.pass_rate = (float)q->pass;
    t.n_samples = measured ? (uint32_t)o->samples : 0;
    t.for_solver = q->for_solver;
    if (batch_writer_add_task(w, &t, &task, e))
        return e->code;
    for (int k = 0; measured && k < o->samples; k++) {
        const gen_sample *s = &q->res->samples[k];
        batch_solver b = {0};
        b.task = task;
        b.group_id = task;
        b.prompt_ids = q->prompt.ids;
        b.n_prompt_ids = (size_t)q->prompt.n_ids;
        b.grids = q->prompt.grids;
        b.n_grids = (size_t)q->prompt.n_grids;
        b.completion_ids = s->ids;
        b.logprobs = s->logprobs;
        b.n_completion_ids = (size_t)s->n;
        b.completion = q->completion[k];
        b.answer = q->answer[k];
        b.score = (float)q->score[k];
        b.correct = q->score[k] == 1.0;
        b.reward = (float)q->reward[k];
        b.advantage = (float)q->adv[k];
        if (batch_writer_add_solver(w, &b, NULL, e))
            return e->code;
    }
    return 0;
}

static int write_rollout(batch_writer *w, const unit *u, const rollout *r, uint32_t src,
                         uint32_t *index, errmsg *e)
{
    batch_challenger c = {0};
    c.group_id = 0;
    c.prompt_ids = u->prompt.ids;
    c.n_prompt_ids = (size_t)u->prompt.n_ids;
    c.prompt_images = &src;
    c.grids = u->prompt.n_grids ? u->prompt.grids : NULL;
    c.n_prompt_images = 1;
    c.completion_ids = r->sample ? r->sample->ids : NULL;
    c.logprobs = r->sample ? r->sample->logprobs : NULL;
    c.n_completion_ids = r->sample ? (size_t)r->sample->n : 0;
    c.completion = r->text ? r->text : "";
    c.valid = r->func != NULL;
    c.failure = r->failure;
    c.reward_format = (float)r->format;
    c.reward_validity = (float)(r->func != NULL);
    c.reward_difficulty = (float)r->difficulty;
    c.reward_diversity = (float)-r->penalty;
    c.reward = (float)r->reward;
    c.advantage = (float)r->adv;
    return batch_writer_add_challenger(w, &c, index, e);
}

static int write_unit(batch_writer *w, const unit *u, const round_options *o, errmsg *e)
{
    batch_image im = {.png = u->png,
                      .png_size = u->png_size,
                      .width = (uint32_t)u->input->w,
                      .height = (uint32_t)u->input->h,
                      .name = u->src->name};
    uint32_t src, ch[ROUND_MAX_GROUP];
    if (batch_writer_add_image(w, &im, &src, e))
        return e->code;
    for (int g = 0; g < o->group; g++)
        if (write_rollout(w, u, &u->r[g], src, &ch[g], e))
            return e->code;
    for (int g = 0; g < o->group; g++) {
        const rollout *r = &u->r[g];
        uint32_t out[VQA_N];
        for (int k = 0; r->func && k < VQA_N; k++) {
            batch_image b = {.png = r->png[k],
                             .png_size = r->png_size[k],
                             .width = (uint32_t)r->out_w[k],
                             .height = (uint32_t)r->out_h[k],
                             .name = ""};
            if (batch_writer_add_image(w, &b, &out[k], e))
                return e->code;
        }
        for (int i = 0; i < r->n_q; i++)
            if (write_task(w, r, &r->q[i], src, ch[g], out, o, e))
                return e->code;
    }
    return batch_writer_end_unit(w, e);
}

static int write_step(run *R, step *s, errmsg *e)
{
    batch_header h = *R->j->header;
    h.round = R->j->round;
    batch_writer_opts wo = batch_writer_defaults();
    wo.max_records = 1; /* every unit is its own file */
    batch_writer *w = NULL;
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n; i++) {
        if (!s->u[i].write || !s->u[i].input)
            continue;
        if (!w && !(w = batch_writer_open(R->j->out_dir, &h, &wo, e)))
            return e->code;
        if (!(rc = write_unit(w, &s->u[i], R->o, e)))
            R->st->units++;
    }
    int rc_close = batch_writer_close(w, rc ? NULL : e);
    return rc ? rc : rc_close;
}

/* ---- the pipeline ---- */

static int challenger(run *R, step *s, errmsg *e)
{
    double t0 = now_seconds();
    int rc = R->o->challenger == ROUND_FROM_QUEUE ? challenger_queue(R, s, e)
                                                  : challenger_model(R, s, e);
    R->st->t_challenger += now_seconds() - t0;
    return rc;
}

/* Questions, answers, rewards and the files of a step whose programs have run. */
static int finish_step(run *R, step *s, errmsg *e)
{
    double t0 = now_seconds();
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n; i++) {
        if (s->u[i].input)
            rc = solver_unit(R, &s->u[i], e);
        /* The decoded outputs are no longer needed (the batch takes the PNGs): a step holds
         * G x 4 of them per image, up to 4 MiB each. */
        for (int g = 0; s->u[i].r && g < R->o->group; g++)
            prog_result_free(&s->u[i].r[g].run);
    }
    double t1 = now_seconds();
    R->st->t_solver += t1 - t0;
    if (!rc)
        rc = challenger_rewards(R, s, e) || select_solver_data(R, s, e) || write_step(R, s, e);
    R->st->t_write += now_seconds() - t1;
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

static int stopping(const run *R)
{
    return R->j->stop && *R->j->stop;
}

/* The next step with something to write, from step *k on, with its challenger rollouts;
 * empty when none is left. */
static int next_step(run *R, size_t *k, step *s, errmsg *e)
{
    memset(s, 0, sizeof *s);
    while (*k < R->n_steps && !s->n) {
        if (step_make(R, (*k)++, s, e))
            return e->code;
    }
    return s->n ? challenger(R, s, e) : 0;
}

static int pipeline(run *R, errmsg *e)
{
    size_t k = 0;
    step cur, next = {0};
    int rc = next_step(R, &k, &cur, e) || exec_submit(R, &cur, e);
    while (!rc && cur.n) {
        if (!stopping(R))
            rc = next_step(R, &k, &next, e);
        if (!rc)
            rc = exec_collect(R, &cur, e);
        if (!rc && next.n)
            rc = exec_submit(R, &next, e);
        if (!rc)
            rc = finish_step(R, &cur, e);
        pool_wait(R->workers); /* nothing may run on a step about to be freed */
        step_free(&cur, R->o);
        cur = next;
        memset(&next, 0, sizeof next);
        R->st->t_total = now_seconds() - R->t_start;
        if (!rc && R->j->progress)
            R->j->progress(R->j->user, R->st);
    }
    pool_wait(R->workers);
    step_free(&cur, R->o);
    step_free(&next, R->o);
    R->st->stopped = !rc && stopping(R) && k < R->n_steps;
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

static int check_job(const round_job *j, errmsg *e)
{
    const round_options *o = &j->opts;
    if (o->group < 1 || o->group > ROUND_MAX_GROUP)
        return err_set(e, ERR_ENV, "group size %d: 1 to %d", o->group, ROUND_MAX_GROUP);
    if (o->samples < 1 || o->samples > ROUND_MAX_SAMPLES)
        return err_set(e, ERR_ENV, "solver samples %d: 1 to %d", o->samples, ROUND_MAX_SAMPLES);
    if (o->question_types & ~0x7u)
        return err_set(e, ERR_ENV, "question types: only 0, 1 and 2 exist");
    if (o->step_images < 1 || o->challenger_tokens < 1 || o->solver_tokens < 1)
        return err_set(e, ERR_ENV, "step images and token limits must be at least 1");
    if (!j->queue || !j->queue->n)
        return err_set(e, ERR_ENV, "the code queue is empty: it needs at least one program");
    if (!j->solver || (o->challenger == ROUND_FROM_MODEL && !j->challenger))
        return err_set(e, ERR_ENV, "round: no %s model", j->solver ? "challenger" : "solver");
    if (!vlm_has_vision(j->solver) || (j->challenger && !vlm_has_vision(j->challenger)))
        return err_set(e, ERR_ENV, "round: the models need their vision encoders (mmproj)");
    if (o->valid.n_args != VQA_N)
        return err_set(e, ERR_ENV, "programs must have %d argument sets", VQA_N);
    return 0;
}

static int set_up(run *R, const round_job *j, errmsg *e)
{
    const char **names = calloc(j->n_images + 1, sizeof *names);
    R->order = calloc(j->n_images + 1, sizeof *R->order);
    R->done = calloc(j->n_done + 1, sizeof *R->done);
    if (!names || !R->order || !R->done) {
        free(names);
        return err_set(e, ERR_FAIL, "round %u: out of memory", j->round);
    }
    for (size_t i = 0; i < j->n_images; i++)
        names[i] = j->images[i].name;
    int rc = round_order(names, j->n_images, j->opts.seed, j->round, R->order, e);
    free(names);
    R->n_order = j->opts.max_images > 0 && (size_t)j->opts.max_images < j->n_images
                     ? (size_t)j->opts.max_images
                     : j->n_images;
    R->n_steps = (R->n_order + (size_t)j->opts.step_images - 1) / (size_t)j->opts.step_images;
    for (size_t i = 0; i < j->n_done; i++)
        R->done[i] = j->done[i];
    R->n_done = j->n_done;
    qsort(R->done, R->n_done, sizeof *R->done, compare_names);
    if (!rc && !(R->workers = pool_new(j->opts.threads, e)))
        rc = e->code;
    return rc;
}

int round_run(const round_job *j, round_stats *st, errmsg *e)
{
    memset(st, 0, sizeof *st);
    if (check_job(j, e))
        return e->code;
    run R = {.j = j, .o = &j->opts, .st = st, .t_start = now_seconds()};
    int rc = set_up(&R, j, e);
    st->images = R.n_order;
    if (!rc)
        rc = pipeline(&R, e);
    st->t_total = now_seconds() - R.t_start;
    pool_free(R.workers);
    free(R.order);
    free(R.done);
    return rc;
}
