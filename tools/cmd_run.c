/* cmd_run.c - `vkeve run`: the main job. Rounds of the EVE loop (evolve/round.h) over a folder
 * of images, with resuming, the round's end read back from its files (evolve/recap.h),
 * checkpoint pickup between rounds, and progress on the terminal. */
#include "tools/commands.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/now.h"
#include "evolve/recap.h"
#include "evolve/round.h"
#include "evolve/seedimg.h"
#include "evolve/seeds.h"
#include "evolve/sheet.h"
#include "runtime/vit.h"
#include "tools/run_files.h"
#include "vision/img_io.h"

const char cmd_run_usage[] =
    "usage: vkeve run [--model M.gguf --mmproj P.gguf] [--images DIR] [--out DIR] [options]\n\n"
    "Runs rounds of the EVE loop: for every image the Challenger writes G image-editing\n"
    "programs, vkeve runs them and asks the Solver K times about each valid one; rewards,\n"
    "advantages and everything a trainer needs go to batch files in OUT/batches. Re-running\n"
    "the same command resumes where it stopped; Ctrl-C finishes the current step and exits\n"
    "130. Without --model it runs the built-in default: a tiny random model with the Qwen2\n"
    "vocabulary (made in OUT/default-model), 8 rendered images and --challenger queue.\n"
    "Files: OUT/batches/*.vkb, OUT/summary.jsonl (a line per round), OUT/sheets/*.png\n"
    "(contact sheets), OUT/queue.jsonl (the code queue, EVE's format), OUT/state.json.\n\n"
    "Models and data\n"
    "  --model F, --mmproj F        the challenger (and solver) model and vision projector\n"
    "  --solver-model F, --solver-mmproj F   a different solver (default: the same)\n"
    "  --images DIR                 PNG/JPEG/BMP/GIF files (default: 8 rendered images)\n"
    "  --out DIR                    output folder (default ./vkeve-out)\n"
    "  --vocab F                    Qwen2 vocabulary GGUF for the built-in model\n"
    "                               (default $VKEVE_DEFAULT_VOCAB)\n"
    "  --queue F                    initial code queue, EVE JSONL (default: the seed programs)\n"
    "Rounds\n"
    "  --rounds N (1)  --seed S (0)  --group G (4)  --samples K (6)\n"
    "  --question-types LIST (0,1)  types 0, 1 and 2 (match all four)\n"
    "  --challenger model|queue     model: the model writes programs (default with --model);\n"
    "                               queue: fresh arguments for queue programs\n"
    "  --prompt-variant qwen3|qwen2.5   relative 0-1000 coordinates or the image size stated\n"
    "                               (default: from the projector, qwen2.5 for Qwen2.5-VL)\n"
    "  --step-images N (8)          images per step; the diversity penalty's batch\n"
    "  --round-images N (0: all)    images per round\n"
    "  --max-new-tokens N (4096)    challenger; --solver-max-new-tokens N (2048; 64 for\n"
    "                               the built-in model)\n"
    "  --temp T (1) --top-k K (40) --top-p P (1)     challenger sampling\n"
    "  --solver-temp T (1) --solver-top-k K (0) --solver-top-p P (1)\n"
    "  --ctx N (8192)               tokens per sequence\n"
    "Rewards, validity and the queue (EVE's defaults)\n"
    "  --w-format 0.2 --w-valid 0.4 --w-difficulty 0.4   challenger weights\n"
    "  --s-format 0.2 --s-accuracy 0.8                   solver weights\n"
    "  --diversity-threshold 0.5 --diversity-scale 0.3   clustering penalty\n"
    "  --queue-size 50 --queue-min-difficulty 0.5 --queue-max-bleu 0.25\n"
    "  --min-pixels 4096 --max-pixels 1048576            image and output size bounds\n"
    "  --max-comments 2             comment marks allowed for the format reward\n"
    "  --max-code-chars 2000        function part length\n"
    "  --max-solver-tasks N (0: all)  per step, nearest pass rate 0.5 first\n"
    "Execution\n"
    "  --threads N (4)              program worker threads\n"
    "  --device N                   Vulkan device (see vkeve info; default $VKEVE_DEVICE,\n"
    "                               else the best one)\n"
    "  --steps N --memory MIB --max-side N --depth N   interpreter budgets (as vkeve exec)\n"
    "  --checkpoints DIR            before round R, load DIR/round-RRRR/model.gguf (and\n"
    "                               mmproj.gguf, solver.gguf, solver-mmproj.gguf if present)\n"
    "  --checkpoint-wait S (0)      wait up to S seconds for that folder\n"
    "  --sheet-tasks N (16)         tasks on each round's contact sheet\n"
    "  --quiet                      no progress; --json-log: progress as JSON lines\n";

enum { PATH_SIZE = 4096, N_DEFAULT_IMAGES = 8, MAX_SETTINGS = 80, DEFAULT_JOB_SOLVER_TOKENS = 64 };

typedef struct run_args {
    const char *model, *mmproj, *solver_model, *solver_mmproj, *images, *out, *vocab, *queue;
    const char *challenger, *variant, *types, *checkpoints;
    uint64_t seed;
    long rounds, group, samples, c_tokens, s_tokens, step_images, round_images, ctx;
    long c_top_k, s_top_k, queue_k, min_pixels, max_pixels, max_comments, max_code;
    long max_solver, threads, steps, memory, max_side, depth, wait, sheet, device;
    double c_temp, c_top_p, s_temp, s_top_p, w_format, w_valid, w_diff, s_format, s_acc;
    double div_threshold, div_scale, q_min_diff, q_max_bleu;
    long quiet, json_log;
} run_args;

typedef enum opt_kind { O_STR, O_INT, O_U64, O_REAL, O_FLAG } opt_kind;

/* One option: where its value goes, its range, and whether it shapes the records (1: it
 * belongs to the run's fingerprint; 0: it is only recorded; -1: not even recorded, as where
 * the output goes says nothing about the data). */
typedef struct opt {
    const char *name;
    opt_kind kind;
    void *p;
    double lo, hi;
    int shapes;
} opt;

#define N_OPTS 60

static int make_opts(run_args *a, opt *o)
{
    const double big = 1e9;
    opt t[] = {
        {"--model", O_STR, &a->model, 0, 0, 0},
        {"--mmproj", O_STR, &a->mmproj, 0, 0, 0},
        {"--solver-model", O_STR, &a->solver_model, 0, 0, 0},
        {"--solver-mmproj", O_STR, &a->solver_mmproj, 0, 0, 0},
        {"--images", O_STR, &a->images, 0, 0, 0},
        {"--out", O_STR, &a->out, 0, 0, -1},
        {"--vocab", O_STR, &a->vocab, 0, 0, -1},
        {"--queue", O_STR, &a->queue, 0, 0, 1},
        {"--challenger", O_STR, &a->challenger, 0, 0, 1},
        {"--prompt-variant", O_STR, &a->variant, 0, 0, 1},
        {"--question-types", O_STR, &a->types, 0, 0, 1},
        {"--checkpoints", O_STR, &a->checkpoints, 0, 0, 0},
        {"--seed", O_U64, &a->seed, 0, 0, 1},
        {"--rounds", O_INT, &a->rounds, 1, big, 0},
        {"--group", O_INT, &a->group, 1, ROUND_MAX_GROUP, 1},
        {"--samples", O_INT, &a->samples, 1, ROUND_MAX_SAMPLES, 1},
        {"--max-new-tokens", O_INT, &a->c_tokens, 1, 1 << 20, 1},
        {"--solver-max-new-tokens", O_INT, &a->s_tokens, 1, 1 << 20, 1},
        {"--step-images", O_INT, &a->step_images, 1, 1 << 16, 1},
        {"--round-images", O_INT, &a->round_images, 0, big, 1},
        {"--ctx", O_INT, &a->ctx, 64, 1 << 20, 1},
        {"--top-k", O_INT, &a->c_top_k, 0, big, 1},
        {"--solver-top-k", O_INT, &a->s_top_k, 0, big, 1},
        {"--queue-size", O_INT, &a->queue_k, 1, big, 1},
        {"--min-pixels", O_INT, &a->min_pixels, 1, big, 1},
        {"--max-pixels", O_INT, &a->max_pixels, 1, big, 1},
        {"--max-comments", O_INT, &a->max_comments, 0, big, 1},
        {"--max-code-chars", O_INT, &a->max_code, 1, big, 1},
        {"--max-solver-tasks", O_INT, &a->max_solver, 0, big, 1},
        {"--threads", O_INT, &a->threads, 0, 256, 0},
        {"--device", O_INT, &a->device, -1, 1 << 16, -1},
        {"--steps", O_INT, &a->steps, 1, 1e15, 1},
        {"--memory", O_INT, &a->memory, 1, 1 << 20, 1},
        {"--max-side", O_INT, &a->max_side, 1, 1 << 16, 1},
        {"--depth", O_INT, &a->depth, 1, 100000, 1},
        {"--checkpoint-wait", O_INT, &a->wait, 0, big, 0},
        {"--sheet-tasks", O_INT, &a->sheet, 0, SHEET_MAX_ROWS, 0},
        {"--temp", O_REAL, &a->c_temp, 0, 100, 1},
        {"--top-p", O_REAL, &a->c_top_p, 0, 1, 1},
        {"--solver-temp", O_REAL, &a->s_temp, 0, 100, 1},
        {"--solver-top-p", O_REAL, &a->s_top_p, 0, 1, 1},
        {"--w-format", O_REAL, &a->w_format, -big, big, 1},
        {"--w-valid", O_REAL, &a->w_valid, -big, big, 1},
        {"--w-difficulty", O_REAL, &a->w_diff, -big, big, 1},
        {"--s-format", O_REAL, &a->s_format, -big, big, 1},
        {"--s-accuracy", O_REAL, &a->s_acc, -big, big, 1},
        {"--diversity-threshold", O_REAL, &a->div_threshold, 0, big, 1},
        {"--diversity-scale", O_REAL, &a->div_scale, -big, big, 1},
        {"--queue-min-difficulty", O_REAL, &a->q_min_diff, -big, big, 1},
        {"--queue-max-bleu", O_REAL, &a->q_max_bleu, 0, big, 1},
        {"--quiet", O_FLAG, &a->quiet, 0, 0, 0},
        {"--json-log", O_FLAG, &a->json_log, 0, 0, 0},
    };
    int n = (int)(sizeof t / sizeof t[0]);
    memcpy(o, t, sizeof t);
    return n;
}

static void set_defaults(run_args *a)
{
    round_options d = round_default_options();
    prog_limits l = prog_default_limits();
    rew_options r = rew_default_options();
    cluster_options c = cluster_default_options();
    queue_options q = queue_default_options();
    valid_options v = valid_default_options();
    *a = (run_args){.out = "vkeve-out",
                    .rounds = 1,
                    .group = d.group,
                    .samples = d.samples,
                    .c_tokens = d.challenger_tokens,
                    .step_images = d.step_images,
                    .ctx = 8192,
                    .c_top_k = d.challenger_sampling.top_k,
                    .queue_k = (long)q.k,
                    .min_pixels = (long)d.bounds.min_pixels,
                    .max_pixels = (long)d.bounds.max_pixels,
                    .max_comments = v.max_comment_marks,
                    .max_code = v.max_chars,
                    .threads = d.threads,
                    .steps = l.steps,
                    .memory = (long)(l.max_bytes >> 20),
                    .max_side = l.max_side,
                    .depth = l.max_depth,
                    .sheet = 16,
                    .device = -1,
                    .c_temp = d.challenger_sampling.temperature,
                    .c_top_p = 1,
                    .s_temp = d.solver_sampling.temperature,
                    .s_top_p = 1,
                    .w_format = r.w_format,
                    .w_valid = r.w_valid,
                    .w_diff = r.w_difficulty,
                    .s_format = r.s_format,
                    .s_acc = r.s_accuracy,
                    .div_threshold = c.threshold,
                    .div_scale = c.scale,
                    .q_min_diff = q.min_difficulty,
                    .q_max_bleu = q.max_bleu};
}

static int parse_value(const opt *o, const char *v)
{
    char *end;
    errno = 0;
    if (o->kind == O_STR) {
        *(const char **)o->p = v;
        return 0;
    }
    if (o->kind == O_U64) {
        unsigned long long u = strtoull(v, &end, 10);
        *(uint64_t *)o->p = u;
        return !*v || *end || errno || v[0] == '-';
    }
    double d = strtod(v, &end);
    if (!*v || *end || errno || !(d >= o->lo && d <= o->hi))
        return 1;
    if (o->kind == O_REAL)
        *(double *)o->p = d;
    else if (d != floor(d))
        return 1;
    else
        *(long *)o->p = (long)d;
    return 0;
}

static int parse_types(const char *s, unsigned *out)
{
    *out = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '2' && (p[1] == ',' || !p[1]))
            *out |= 1u << (*p - '0');
        else if (*p != ',')
            return -1;
    }
    return *out ? 0 : -1;
}

static int parse_args(int argc, char **argv, run_args *a, opt *opts, int *n_opts)
{
    set_defaults(a);
    *n_opts = make_opts(a, opts);
    for (int i = 1; i < argc; i++) {
        const opt *o = NULL;
        for (int k = 0; k < *n_opts && !o; k++)
            o = !strcmp(argv[i], opts[k].name) ? &opts[k] : NULL;
        if (!o)
            return cmd_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        if (o->kind == O_FLAG) {
            *(long *)o->p = 1;
            continue;
        }
        if (i + 1 >= argc)
            return cmd_usage_error(argv[0], "'%s' needs a value", argv[i]);
        if (parse_value(o, argv[++i]))
            return cmd_usage_error(argv[0], "bad value '%s' for %s", argv[i], o->name);
    }
    if (!a->model != !a->mmproj)
        return cmd_usage_error(argv[0], "give --model and --mmproj together");
    if (!a->solver_model != !a->solver_mmproj)
        return cmd_usage_error(argv[0], "give --solver-model and --solver-mmproj together");
    if (a->min_pixels > a->max_pixels)
        return cmd_usage_error(argv[0], "--min-pixels is above --max-pixels");
    unsigned types;
    prompt_variant v;
    if (a->challenger && strcmp(a->challenger, "queue") && strcmp(a->challenger, "model"))
        return cmd_usage_error(argv[0], "--challenger is 'model' or 'queue'");
    if (a->types && parse_types(a->types, &types))
        return cmd_usage_error(argv[0], "--question-types: a list of 0, 1, 2 such as 0,1");
    if (a->variant && prompt_variant_parse(a->variant, &v))
        return cmd_usage_error(argv[0], "--prompt-variant is 'qwen3' or 'qwen2.5'");
    const char *dirs[3] = {a->out, a->images, a->checkpoints};
    for (int i = 0; i < 3; i++)
        if (dirs[i] && strlen(dirs[i]) > RUNF_MAX_DIR)
            return cmd_usage_error(argv[0], "folder name over %d bytes: %.40s...", RUNF_MAX_DIR,
                                   dirs[i]);
    const char *files[4] = {a->model, a->mmproj, a->solver_model, a->solver_mmproj};
    for (int i = 0; i < 4; i++)
        if (files[i] && strlen(files[i]) >= PATH_SIZE)
            return cmd_usage_error(argv[0], "file name over %d bytes", PATH_SIZE - 1);
    return 0;
}

/* ---- options into the round's settings ---- */

/* The round's options (parse_args checked the option strings). */
static void round_settings(const run_args *a, round_options *o, queue_options *q)
{
    *o = round_default_options();
    o->seed = a->seed;
    o->challenger = !strcmp(a->challenger, "queue") ? ROUND_FROM_QUEUE : ROUND_FROM_MODEL;
    if (a->types)
        parse_types(a->types, &o->question_types);
    prompt_variant_parse(a->variant, &o->variant);
    o->group = (int)a->group, o->samples = (int)a->samples;
    o->step_images = (int)a->step_images, o->max_images = (int)a->round_images;
    o->challenger_tokens = (int)a->c_tokens, o->solver_tokens = (int)a->s_tokens;
    o->challenger_sampling.temperature = (float)a->c_temp;
    o->challenger_sampling.top_k = (int)a->c_top_k;
    o->challenger_sampling.top_p = (float)a->c_top_p;
    o->solver_sampling.temperature = (float)a->s_temp;
    o->solver_sampling.top_k = (int)a->s_top_k;
    o->solver_sampling.top_p = (float)a->s_top_p;
    o->threads = (int)a->threads;
    o->max_solver_tasks = (int)a->max_solver;
    o->bounds.min_pixels = a->min_pixels, o->bounds.max_pixels = a->max_pixels;
    o->valid.min_pixels = a->min_pixels, o->valid.max_pixels = a->max_pixels;
    o->valid.max_comment_marks = (int)a->max_comments;
    o->valid.max_chars = a->max_code;
    o->valid.think_tag = prompt_think_tag(o->variant);
    o->limits.steps = a->steps, o->limits.max_bytes = (size_t)a->memory << 20;
    o->limits.max_side = (int)a->max_side, o->limits.max_depth = (int)a->depth;
    o->rewards.w_format = a->w_format, o->rewards.w_valid = a->w_valid;
    o->rewards.w_difficulty = a->w_diff;
    o->rewards.s_format = a->s_format, o->rewards.s_accuracy = a->s_acc;
    o->diversity.threshold = a->div_threshold, o->diversity.scale = a->div_scale;
    *q = queue_default_options();
    q->k = (size_t)a->queue_k, q->min_difficulty = a->q_min_diff, q->max_bleu = a->q_max_bleu;
    q->max_comment_marks = (int)a->max_comments, q->max_chars = a->max_code;
}

/* Every option as a (key, value) setting for the batch headers; the ones that shape the
 * records also go into the run's fingerprint. */
typedef struct settings {
    batch_setting kv[MAX_SETTINGS];
    char text[MAX_SETTINGS][2][256];
    size_t n;
    char fingerprint[65];
} settings;

static void value_text(const opt *o, char *buf, size_t size)
{
    if (o->kind == O_STR)
        snprintf(buf, size, "%s", *(const char **)o->p ? *(const char **)o->p : "");
    else if (o->kind == O_U64)
        snprintf(buf, size, "%" PRIu64, *(uint64_t *)o->p);
    else if (o->kind == O_REAL)
        snprintf(buf, size, "%.17g", *(double *)o->p);
    else
        snprintf(buf, size, "%ld", *(long *)o->p);
}

static void make_settings(const opt *opts, int n, const round_options *ro, settings *s)
{
    char all[MAX_SETTINGS * 300] = "", line[600];
    s->n = 0;
    for (int i = 0; i < n && s->n < MAX_SETTINGS; i++) {
        if (opts[i].shapes < 0)
            continue;
        snprintf(s->text[s->n][0], 256, "%s", opts[i].name + 2);
        value_text(&opts[i], s->text[s->n][1], 256);
        if (opts[i].shapes > 0) {
            snprintf(line, sizeof line, "%s=%s\n", s->text[s->n][0], s->text[s->n][1]);
            strncat(all, line, sizeof all - strlen(all) - 1);
        }
        s->kv[s->n] = (batch_setting){s->text[s->n][0], s->text[s->n][1]};
        s->n++;
    }
    /* What the options left open, as resolved. */
    snprintf(line, sizeof line, "challenger=%d variant=%d types=%u\n", ro->challenger, ro->variant,
             ro->question_types);
    strncat(all, line, sizeof all - strlen(all) - 1);
    uint8_t h[BATCH_SHA256_SIZE];
    batch_sha256(all, strlen(all), h);
    for (int i = 0; i < BATCH_SHA256_SIZE; i++)
        snprintf(s->fingerprint + 2 * i, 3, "%02x", h[i]);
}

/* ---- models ---- */

typedef struct models {
    vk_ctx *ctx;
    vlm *c, *s; /* s may be c */
    char c_path[PATH_SIZE], c_mmproj[PATH_SIZE], s_path[PATH_SIZE], s_mmproj[PATH_SIZE];
    batch_model c_id, s_id;
} models;

static void models_close(models *m)
{
    if (m->s != m->c)
        vlm_close(m->s);
    vlm_close(m->c);
    m->c = m->s = NULL;
}

static int read_projector(const char *path, vit_config *c, errmsg *e)
{
    gguf_file *f;
    if (gguf_open(path, &f, e))
        return e->code;
    int rc = vit_read_config(f, c, e);
    gguf_close(f);
    return rc ? err_prefix(e, "%s: ", path) : 0;
}

/* KV cache pages for a model that shares the device with another: enough for `seqs` full
 * sequences at once. */
static int cache_pages(long seqs, long ctx)
{
    long page = llm_default_opts().page_size, pages = seqs * ((ctx + page - 1) / page);
    return pages > (1L << 30) ? 1 << 30 : (int)pages;
}

/* Checked before the first round: a model's cache must hold its largest request (one prompt
 * of up to ctx tokens and `seqs` samples of up to `tokens` new tokens each), else every such
 * request would be refused. */
static int check_cache(const vlm *v, const char *role, long seqs, long tokens, long ctx, errmsg *e)
{
    const kv_cache *kv = vlm_kv(v);
    long have = (long)kv_total_pages(kv) * kv_page_size(kv);
    long need = ctx + seqs * (tokens < ctx ? tokens : ctx);
    if (have >= need)
        return 0;
    return err_set(e, ERR_ENV,
                   "device memory: the %s's cache holds %ld tokens, one request needs up to %ld "
                   "(a %ld-token context and %ld samples of %ld new tokens); lower --ctx, the "
                   "samples or the new tokens, or use a device with more memory",
                   role, have, need, ctx, seqs, tokens);
}

static int models_open(models *m, const round_options *ro, long ctx, errmsg *e)
{
    models_close(m);
    int two = strcmp(m->c_path, m->s_path) || strcmp(m->c_mmproj, m->s_mmproj);
    int need_c = ro->challenger == ROUND_FROM_MODEL;
    vlm_opts o = vlm_default_opts();
    o.llm.n_ctx = (int)ctx;
    int n_types = 0;
    for (int t = 0; t < 3; t++)
        n_types += (ro->question_types >> t) & 1;
    if (two && need_c)
        o.cache_pages = cache_pages((long)ro->step_images * ro->group, ctx);
    int rc = need_c ? vlm_open(m->ctx, m->c_path, m->c_mmproj, &o, &m->c, e) : 0;
    if (!rc && two && need_c)
        o.cache_pages = cache_pages((long)n_types * ro->group * ro->samples, ctx);
    if (!rc && (two || !need_c))
        rc = vlm_open(m->ctx, m->s_path, m->s_mmproj, &o, &m->s, e);
    else if (!rc)
        m->s = m->c;
    if (!rc && need_c)
        rc = check_cache(m->c, "challenger", ro->group, ro->challenger_tokens, ctx, e);
    if (!rc)
        rc = check_cache(m->s, "solver", ro->samples, ro->solver_tokens, ctx, e);
    memset(&m->c_id, 0, sizeof m->c_id);
    if (!rc && need_c)
        rc = batch_model_identify(m->c_path, &m->c_id, e);
    if (!rc)
        rc = batch_model_identify(m->s_path, &m->s_id, e);
    return rc ? (e->code ? e->code : ERR_FAIL) : 0;
}

static void set_paths(models *m, const char *cm, const char *cp, const char *sm, const char *sp)
{
    runf_path(m->c_path, PATH_SIZE, "%s", cm);
    runf_path(m->c_mmproj, PATH_SIZE, "%s", cp);
    runf_path(m->s_path, PATH_SIZE, "%s", sm ? sm : cm);
    runf_path(m->s_mmproj, PATH_SIZE, "%s", sp ? sp : cp);
}

/* ---- logging and progress ---- */

typedef struct runner {
    run_args *a;
    opt *opts;
    int n_opts;
    round_options ro;
    queue_options qo;
    vit_config projector; /* of the model that sees the round's images first */
    settings set;
    models m;
    round_image *images;
    size_t n_images;
    img **rendered;
    char **names;
    uint32_t round;
    uint32_t checkpoint; /* the checkpoint round whose models are loaded, 0: none */
    int terminal;
    int line_open; /* a progress line is on the terminal */
    char batches[PATH_SIZE];
} runner;

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void end_line(runner *R)
{
    if (R->line_open)
        fputc('\n', stderr);
    R->line_open = 0;
}

static void say(runner *R, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(runner *R, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (R->a->quiet)
        return;
    end_line(R);
    if (R->a->json_log) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "event", "log");
        cJSON_AddStringToObject(o, "message", msg);
        char *s = cJSON_PrintUnformatted(o);
        fprintf(stderr, "%s\n", s ? s : "");
        free(s);
        cJSON_Delete(o);
    } else {
        fprintf(stderr, "vkeve run: %s\n", msg);
    }
}

static void on_warn(void *user, const char *message)
{
    say(user, "%s", message);
}

static void progress_json(runner *R, const round_stats *st, double eta, double tps)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", "progress");
    cJSON_AddNumberToObject(o, "round", R->round);
    cJSON_AddNumberToObject(o, "images", (double)st->images);
    cJSON_AddNumberToObject(o, "images_done", (double)(st->images_done + st->units));
    cJSON_AddNumberToObject(o, "rollouts", (double)st->rollouts);
    cJSON_AddNumberToObject(o, "valid", (double)st->valid);
    cJSON_AddNumberToObject(o, "tasks", (double)st->tasks);
    cJSON_AddNumberToObject(o, "tokens_per_s", tps);
    cJSON_AddNumberToObject(o, "eta_s", eta);
    char *s = cJSON_PrintUnformatted(o);
    fprintf(stderr, "%s\n", s ? s : "");
    free(s);
    cJSON_Delete(o);
}

static void on_progress(void *user, const round_stats *st)
{
    runner *R = user;
    if (R->a->quiet)
        return;
    size_t done = st->images_done + st->units + st->images_bad;
    size_t mine = st->units + st->images_bad;
    double gen = st->t_challenger + st->t_solver;
    double tps = gen > 0 ? (double)(st->challenger_tokens + st->solver_tokens) / gen : 0;
    double eta = mine ? st->t_total / (double)mine * (double)(st->images - done) : -1;
    double valid = st->rollouts ? 100.0 * (double)st->valid / (double)st->rollouts : 0;
    if (R->a->json_log)
        return progress_json(R, st, eta, tps);
    char line[256];
    snprintf(line, sizeof line,
             "round %u/%ld  images %zu/%zu  rollouts %zu  valid %.0f%%  tasks %zu  %.0f tok/s  "
             "ETA %.0fs",
             R->round + 1, R->a->rounds, done, st->images, st->rollouts, valid, st->tasks, tps,
             eta < 0 ? 0 : eta);
    if (R->terminal) {
        fprintf(stderr, "\r\033[K%s", line);
        R->line_open = 1;
    } else {
        fprintf(stderr, "vkeve run: %s\n", line);
    }
    fflush(stderr);
}

/* ---- the run's inputs ---- */

static int default_images(runner *R, errmsg *e)
{
    R->n_images = N_DEFAULT_IMAGES;
    R->images = calloc(R->n_images, sizeof *R->images);
    R->rendered = calloc(R->n_images, sizeof *R->rendered);
    R->names = calloc(R->n_images, sizeof *R->names);
    if (!R->images || !R->rendered || !R->names)
        return err_set(e, ERR_FAIL, "out of memory");
    for (size_t i = 0; i < R->n_images; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed-%02zu.png", i);
        if (!(R->names[i] = strdup(name)))
            return err_set(e, ERR_FAIL, "out of memory");
        if (seedimg_render((int)i, 0, &R->rendered[i], e))
            return e->code;
        R->images[i] = (round_image){R->names[i], NULL, R->rendered[i]};
    }
    return 0;
}

static int folder_images(runner *R, errmsg *e)
{
    if (runf_list_images(R->a->images, &R->names, &R->n_images, e))
        return e->code;
    if (!R->n_images)
        return err_set(e, ERR_ENV, "--images %s: no PNG, JPEG, BMP or GIF files", R->a->images);
    R->images = calloc(R->n_images, sizeof *R->images);
    if (!R->images)
        return err_set(e, ERR_FAIL, "out of memory");
    for (size_t i = 0; i < R->n_images; i++) {
        size_t n = strlen(R->a->images) + strlen(R->names[i]) + 2;
        char *path = malloc(n);
        if (!path)
            return err_set(e, ERR_FAIL, "out of memory");
        snprintf(path, n, "%s/%s", R->a->images, R->names[i]);
        R->images[i] = (round_image){R->names[i], path, NULL};
    }
    return 0;
}

static void free_images(runner *R)
{
    for (size_t i = 0; R->images && i < R->n_images; i++)
        free((char *)R->images[i].path);
    for (size_t i = 0; R->rendered && i < R->n_images; i++)
        img_free(R->rendered[i]);
    runf_free_list(R->names, R->names ? R->n_images : 0);
    free(R->images);
    free(R->rendered);
}

/* The queue a round starts from: the previous round's, else the initial one. */
static int start_queue(runner *R, uint32_t round, queue *q, errmsg *e)
{
    queue_init(q);
    char path[PATH_SIZE];
    if (round > 0) {
        runf_queue_path(R->a->out, round - 1, path, sizeof path);
        if (queue_load(q, path, e))
            return e->code;
        if (!q->n)
            return err_set(e, ERR_FAIL, "%s: missing or empty; round %u cannot start", path, round);
        return 0;
    }
    if (R->a->queue && queue_load(q, R->a->queue, e))
        return e->code;
    if (R->a->queue && !q->n)
        return err_set(e, ERR_ENV, "--queue %s: no programs", R->a->queue);
    if (R->a->queue)
        return 0;
    for (size_t i = 0; i < seeds_count(); i++)
        if (queue_add_seed(q, seeds_code(i), e))
            return e->code;
    return 0;
}

/* ---- checkpoints ---- */

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static void checkpoint_files(const char *dir, uint32_t round, char f[4][PATH_SIZE])
{
    static const char *const names[4] = {"model.gguf", "mmproj.gguf", "solver.gguf",
                                         "solver-mmproj.gguf"};
    for (int i = 0; i < 4; i++)
        runf_path(f[i], PATH_SIZE, "%s/round-%04u/%s", dir, round, names[i]);
}

/* The models of round `round` with --checkpoints DIR: those of the newest DIR/round-RRRR
 * (RRRR <= round) holding model.gguf (the challenger, and the solver unless solver.gguf is
 * there too; mmproj.gguf and solver-mmproj.gguf when present), so a resumed run uses what
 * an uninterrupted one would have. A fresh round first waits up to --checkpoint-wait
 * seconds for its own folder. */
static int pick_up_checkpoint(runner *R, uint32_t round, int fresh, errmsg *e)
{
    if (!R->a->checkpoints || round == 0)
        return 0;
    char f[4][PATH_SIZE];
    checkpoint_files(R->a->checkpoints, round, f);
    double t0 = now_seconds();
    while (fresh && !file_exists(f[0]) && !stop_requested &&
           now_seconds() - t0 < (double)R->a->wait)
        sleep(1);
    if (fresh && !file_exists(f[0]))
        say(R, "round %u: no checkpoint %s after %ld s", round, f[0], R->a->wait);
    uint32_t r = round;
    for (; r > 0; r--) {
        checkpoint_files(R->a->checkpoints, r, f);
        if (file_exists(f[0]))
            break;
    }
    if (r == R->checkpoint)
        return 0;
    const char *cp = file_exists(f[1]) ? f[1] : R->m.c_mmproj;
    const char *sm = file_exists(f[2]) ? f[2] : f[0];
    const char *sp = file_exists(f[3]) ? f[3] : file_exists(f[1]) ? f[1] : R->m.s_mmproj;
    char c_mmproj[PATH_SIZE], s_mmproj[PATH_SIZE];
    runf_path(c_mmproj, sizeof c_mmproj, "%s", cp);
    runf_path(s_mmproj, sizeof s_mmproj, "%s", sp);
    set_paths(&R->m, f[0], c_mmproj, sm, s_mmproj);
    if (models_open(&R->m, &R->ro, R->a->ctx, e))
        return e->code;
    R->checkpoint = r;
    say(R, "round %u: loaded the models of checkpoint round %u (challenger %s, solver %s)", round,
        r, R->m.c_path, R->m.s_path);
    return 0;
}

/* ---- rounds ---- */

static void make_header(runner *R, uint32_t round, batch_header *h)
{
    memset(h, 0, sizeof *h);
    static char run_id[64];
    snprintf(run_id, sizeof run_id, "vkeve-%" PRIu64 "-%.12s", R->a->seed, R->set.fingerprint);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h->run_id = run_id;
    h->round = round;
    h->created_unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    h->seed = R->a->seed;
    h->challenger = R->m.c_id;
    h->solver = R->m.s_id;
    h->settings = R->set.kv;
    h->n_settings = R->set.n;
}

static int write_sheet(runner *R, const recap *rc, errmsg *e)
{
    sheet_task t[SHEET_MAX_ROWS];
    size_t n = rc->n_picks < SHEET_MAX_ROWS ? rc->n_picks : SHEET_MAX_ROWS;
    for (size_t i = 0; i < n; i++) {
        const recap_pick *p = &rc->picks[i];
        t[i] = (sheet_task){.original = p->original,
                            .results = {p->results[0], p->results[1], p->results[2], p->results[3]},
                            .question_type = p->question_type,
                            .question = p->question,
                            .answer = p->answer,
                            .n_correct = p->n_correct,
                            .n_samples = p->n_samples};
    }
    char title[128], dir[PATH_SIZE], path[PATH_SIZE];
    snprintf(title, sizeof title, "round %u: %zu valid of %zu programs, %zu tasks", rc->round,
             rc->valid, rc->rollouts, rc->tasks[0] + rc->tasks[1] + rc->tasks[2]);
    runf_path(dir, sizeof dir, "%s/sheets", R->a->out);
    runf_path(path, sizeof path, "%s/round-%04u.png", dir, rc->round);
    img *sheet = NULL;
    int bad = afile_mkdirs(dir, e) || sheet_render(t, n, title, &sheet, e) ||
              img_save_png(sheet, path, e);
    img_free(sheet);
    return bad ? (e->code ? e->code : ERR_FAIL) : 0;
}

/* The round's end, all from its files: queue offers, the queue files, the sheet, the
 * summary line and the state. Redoing it gives the same files. */
static int end_round(runner *R, uint32_t round, const round_stats *st, errmsg *e)
{
    recap rc;
    queue q;
    recap_verdicts v;
    char path[PATH_SIZE], qdir[PATH_SIZE];
    if (start_queue(R, round, &q, e))
        return e->code;
    int err = recap_read(R->batches, round, (int)R->a->sheet, &rc, e);
    if (err) {
        queue_free(&q);
        return err;
    }
    runf_queue_path(R->a->out, round, path, sizeof path);
    runf_path(qdir, sizeof qdir, "%s/queue", R->a->out);
    err = recap_offer(&rc, &q, &R->qo, &v, e) || afile_mkdirs(qdir, e) || queue_save(&q, path, e);
    runf_path(path, sizeof path, "%s/queue.jsonl", R->a->out);
    if (!err)
        err = queue_save(&q, path, e) || write_sheet(R, &rc, e);
    char *line = err ? NULL : recap_json(&rc, st, &v, q.n);
    if (!err && !line)
        err = err_set(e, ERR_FAIL, "round %u: out of memory writing the summary", round);
    if (!err)
        err = runf_summary_put(R->a->out, round, line, e);
    if (!err) {
        runf_state s = {R->a->seed, "", round, 1};
        memcpy(s.fingerprint, R->set.fingerprint, sizeof s.fingerprint);
        err = runf_state_write(R->a->out, &s, e);
    }
    if (!err && R->a->json_log && !R->a->quiet) {
        end_line(R);
        fprintf(stderr, "{\"event\":\"round\",\"summary\":%s}\n", line);
    } else if (!err) {
        say(R,
            "round %u finished: %zu images, %zu of %zu programs valid, %zu tasks (%zu for "
            "solver training), queue %zu (+%zu)",
            round, rc.n_done, rc.valid, rc.rollouts, rc.tasks[0] + rc.tasks[1] + rc.tasks[2],
            rc.for_solver, q.n, v.n[QUEUE_ADMITTED]);
    }
    free(line);
    recap_free(&rc);
    queue_free(&q);
    return err ? (e->code ? e->code : ERR_FAIL) : 0;
}

static int one_round(runner *R, uint32_t round, int fresh, int *stopped, errmsg *e)
{
    R->round = round;
    if (pick_up_checkpoint(R, round, fresh, e))
        return e->code;
    if (stop_requested) {
        *stopped = 1;
        return 0;
    }
    runf_state s = {R->a->seed, "", round, 0};
    memcpy(s.fingerprint, R->set.fingerprint, sizeof s.fingerprint);
    queue q;
    recap done;
    if (runf_state_write(R->a->out, &s, e) || start_queue(R, round, &q, e))
        return e->code;
    if (recap_read(R->batches, round, 0, &done, e)) {
        queue_free(&q);
        return e->code;
    }
    if (done.files_skipped)
        say(R, "round %u: %zu damaged batch files are skipped, their images redone (first: %s)",
            round, done.files_skipped, done.first_skip);
    batch_header h;
    make_header(R, round, &h);
    round_job j = {.opts = R->ro,
                   .round = round,
                   .images = R->images,
                   .n_images = R->n_images,
                   .done = (const char *const *)done.done,
                   .n_done = done.n_done,
                   .queue = &q,
                   .challenger = R->m.c,
                   .solver = R->m.s,
                   .out_dir = R->batches,
                   .header = &h,
                   .stop = &stop_requested,
                   .progress = on_progress,
                   .warn = on_warn,
                   .user = R};
    round_stats st;
    int rc = round_run(&j, &st, e);
    recap_free(&done);
    queue_free(&q);
    end_line(R);
    if (rc)
        return rc;
    *stopped = st.stopped || stop_requested;
    if (*stopped) {
        say(R,
            "interrupted in round %u after %zu new image units; run the same command to "
            "continue",
            round, st.units);
        return 0;
    }
    return end_round(R, round, &st, e);
}

/* Where to start: after the last finished round of a run with these settings. */
static int resume_point(runner *R, uint32_t *first, int *fresh, errmsg *e)
{
    runf_state s;
    int found;
    *first = 0, *fresh = 1;
    if (runf_state_read(R->a->out, &s, &found, e))
        return e->code;
    if (!found)
        return 0;
    if (s.seed != R->a->seed || strcmp(s.fingerprint, R->set.fingerprint))
        return err_set(e, ERR_ENV,
                       "%s holds a run with other settings (seed %" PRIu64
                       "); re-run it with the same options, or use another --out",
                       R->a->out, s.seed);
    *first = s.finished ? s.round + 1 : s.round;
    *fresh = s.finished;
    if (*first > 0 || !s.finished)
        say(R, "resuming %s at round %u", R->a->out, *first);
    return 0;
}

static int resolve_models(runner *R, errmsg *e)
{
    static char model[PATH_SIZE], mmproj[PATH_SIZE];
    run_args *a = R->a;
    if (!a->model) {
        const char *vocab = a->vocab ? a->vocab : getenv("VKEVE_DEFAULT_VOCAB");
        if (runf_default_model(a->out, vocab, model, mmproj, e))
            return e->code;
        a->model = model, a->mmproj = mmproj;
        /* A random model never stops and its own programs fail: answers are capped short and
         * programs come from the queue, so the demo ends in minutes with verified tasks. */
        a->challenger = a->challenger ? a->challenger : "queue";
        a->s_tokens = a->s_tokens ? a->s_tokens : DEFAULT_JOB_SOLVER_TOKENS;
    }
    a->challenger = a->challenger ? a->challenger : "model";
    a->s_tokens = a->s_tokens ? a->s_tokens : round_default_options().solver_tokens;
    set_paths(&R->m, a->model, a->mmproj, a->solver_model, a->solver_mmproj);
    /* The prompt variant and the resize factor come from the projector. */
    int from_queue = a->challenger && !strcmp(a->challenger, "queue");
    if (read_projector(from_queue ? R->m.s_mmproj : R->m.c_mmproj, &R->projector, e))
        return e->code;
    if (!a->variant)
        a->variant = prompt_variant_name(prompt_variant_for(R->projector.projector));
    return 0;
}

static int prepare(runner *R, errmsg *e)
{
    run_args *a = R->a;
    runf_path(R->batches, sizeof R->batches, "%s/batches", a->out);
    if (afile_mkdirs(R->batches, e))
        return e->code;
    if (resolve_models(R, e))
        return e->code;
    round_settings(a, &R->ro, &R->qo);
    R->ro.bounds.patch = R->projector.patch, R->ro.bounds.merge = R->projector.merge;
    make_settings(R->opts, R->n_opts, &R->ro, &R->set);
    if (a->images ? folder_images(R, e) : default_images(R, e))
        return e->code;
    if (!(R->m.ctx = vk_open((int)a->device, e)))
        return e->code;
    return models_open(&R->m, &R->ro, a->ctx, e);
}

static int run_all(runner *R, errmsg *e)
{
    uint32_t first;
    int fresh, stopped = 0;
    if (resume_point(R, &first, &fresh, e))
        return e->code;
    if (first >= (uint32_t)R->a->rounds) {
        say(R, "all %ld rounds in %s are finished", R->a->rounds, R->a->out);
        return 0;
    }
    for (uint32_t r = first; r < (uint32_t)R->a->rounds && !stopped; r++) {
        if (one_round(R, r, fresh || r > first, &stopped, e))
            return e->code;
        if (!stopped && stop_requested)
            stopped = 1;
    }
    return stopped ? 130 : 0;
}

int cmd_run(int argc, char **argv)
{
    run_args a;
    opt opts[N_OPTS];
    runner R = {.a = &a, .opts = opts, .terminal = isatty(2)};
    int rc = parse_args(argc, argv, &a, opts, &R.n_opts);
    if (rc)
        return rc;
    errmsg e = {0};
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C ends the process at once */
    sigaction(SIGINT, &sa, NULL);
    rc = prepare(&R, &e);
    if (!rc)
        rc = run_all(&R, &e);
    if (rc && rc != 130) {
        end_line(&R);
        fprintf(stderr, "vkeve run: %s\n", e.text);
        rc = e.code == ERR_ENV ? 2 : 1;
    }
    models_close(&R.m);
    vk_close(R.m.ctx);
    free_images(&R);
    signal(SIGINT, SIG_DFL);
    return rc;
}
