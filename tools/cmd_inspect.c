/* cmd_inspect.c - `vkeve inspect`: summarise or dump training batch files (evolve/batch.h). */
#include "tools/commands.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/batch.h"

const char cmd_inspect_usage[] =
    "usage: vkeve inspect [--json] PATH...\n\n"
    "Reads training batch files (*.vkb) - each PATH a file or a folder of them - checks\n"
    "every file (FlatBuffers verifier, indices, image SHA-256) and prints a summary:\n"
    "counts, reward and advantage statistics, challenger validity, solver pass rates per\n"
    "question type, and the tasks' measured pass rates and how many are selected for solver\n"
    "training. A damaged file is named on stderr and skipped.\n\n"
    "  --json   print every record instead, one JSON object per line: {\"file\", \"kind\"\n"
    "           (header|image|task|challenger|solver), \"index\", and the schema's fields};\n"
    "           images give png_size and sha256 (hex) instead of their bytes\n\n"
    "exit status: 0 all files good, 1 a file was skipped or unreadable, 2 bad usage\n";

enum { N_TYPES = 3 };

/* Running count, mean and spread of one quantity. */
typedef struct stat_acc {
    size_t n;
    double sum, sum_sq, min, max;
} stat_acc;

static void stat_add(stat_acc *s, double v)
{
    if (s->n == 0 || v < s->min)
        s->min = v;
    if (s->n == 0 || v > s->max)
        s->max = v;
    s->n++;
    s->sum += v;
    s->sum_sq += v * v;
}

static void stat_print(const char *what, const stat_acc *s)
{
    if (s->n == 0)
        return;
    double mean = s->sum / (double)s->n;
    double var = s->sum_sq / (double)s->n - mean * mean;
    printf("  %-18s mean %8.4f  std %8.4f  min %8.4f  max %8.4f\n", what, mean,
           sqrt(var > 0 ? var : 0), s->min, s->max);
}

typedef struct summary {
    size_t files, skipped, bytes, images, png_bytes, challengers, valid, solvers;
    uint32_t first_round, last_round;
    size_t tasks[N_TYPES + 1], solved[N_TYPES + 1], attempted[N_TYPES + 1];
    size_t for_solver;
    stat_acc task_pass; /* tasks whose pass rate was measured */
    stat_acc chal_reward, chal_adv, format, validity, difficulty, diversity;
    stat_acc solv_reward, solv_adv, solv_score, prompt_len, completion_len;
} summary;

/* Question types past 2 (from a newer schema) are counted together. */
static int type_slot(unsigned type)
{
    return type < N_TYPES ? (int)type : N_TYPES;
}

static void summarise_file(const batch_reader *r, summary *s)
{
    batch_counts n = batch_reader_counts(r);
    batch_header h;
    batch_reader_header(r, &h);
    if (s->files == 0 || h.round < s->first_round)
        s->first_round = h.round;
    if (s->files == 0 || h.round > s->last_round)
        s->last_round = h.round;
    s->files++;
    s->bytes += batch_reader_file_size(r);
    s->images += n.images;
    for (size_t i = 0; i < n.images; i++) {
        batch_image im;
        batch_reader_image(r, i, &im);
        s->png_bytes += im.png_size;
    }
    for (size_t i = 0; i < n.tasks; i++) {
        batch_task t;
        batch_reader_task(r, i, &t);
        s->tasks[type_slot(t.question_type)]++;
        s->for_solver += t.for_solver != 0;
        if (t.pass_rate >= 0)
            stat_add(&s->task_pass, t.pass_rate);
    }
    for (size_t i = 0; i < n.challenger_rollouts; i++) {
        batch_challenger c;
        batch_reader_challenger(r, i, &c);
        s->challengers++;
        s->valid += c.valid != 0;
        stat_add(&s->chal_reward, c.reward);
        stat_add(&s->chal_adv, c.advantage);
        stat_add(&s->format, c.reward_format);
        stat_add(&s->validity, c.reward_validity);
        stat_add(&s->difficulty, c.reward_difficulty);
        stat_add(&s->diversity, c.reward_diversity);
        stat_add(&s->prompt_len, (double)c.n_prompt_ids);
        stat_add(&s->completion_len, (double)c.n_completion_ids);
    }
    for (size_t i = 0; i < n.solver_rollouts; i++) {
        batch_solver v;
        batch_task t;
        batch_reader_solver(r, i, &v);
        batch_reader_task(r, v.task, &t);
        int slot = type_slot(t.question_type);
        s->solvers++;
        s->attempted[slot]++;
        s->solved[slot] += v.correct != 0;
        stat_add(&s->solv_reward, v.reward);
        stat_add(&s->solv_adv, v.advantage);
        stat_add(&s->solv_score, v.score);
        stat_add(&s->prompt_len, (double)v.n_prompt_ids);
        stat_add(&s->completion_len, (double)v.n_completion_ids);
    }
}

static double percent(size_t part, size_t whole)
{
    return whole ? 100.0 * part / whole : 0.0;
}

static void print_summary(const summary *s)
{
    printf("files: %zu read, %zu skipped, %.1f MiB\n", s->files, s->skipped, s->bytes / 1048576.0);
    if (s->files)
        printf("rounds: %u to %u\n", (unsigned)s->first_round, (unsigned)s->last_round);
    printf("images: %zu (%.1f MiB of PNG)\n", s->images, s->png_bytes / 1048576.0);
    printf("tasks: %zu (type 0: %zu, type 1: %zu, type 2: %zu, newer types: %zu)\n",
           s->tasks[0] + s->tasks[1] + s->tasks[2] + s->tasks[3], s->tasks[0], s->tasks[1],
           s->tasks[2], s->tasks[3]);
    printf("  measured %zu, selected for solver training %zu\n", s->task_pass.n, s->for_solver);
    stat_print("task pass rate", &s->task_pass);
    printf("challenger rollouts: %zu, valid %zu (%.1f%%)\n", s->challengers, s->valid,
           percent(s->valid, s->challengers));
    stat_print("reward", &s->chal_reward);
    stat_print("reward format", &s->format);
    stat_print("reward validity", &s->validity);
    stat_print("reward difficulty", &s->difficulty);
    stat_print("reward diversity", &s->diversity);
    stat_print("advantage", &s->chal_adv);
    printf("solver rollouts: %zu\n", s->solvers);
    stat_print("reward", &s->solv_reward);
    stat_print("score", &s->solv_score);
    stat_print("advantage", &s->solv_adv);
    static const char *const type_names[N_TYPES + 1] = {"0", "1", "2", "3+"};
    for (int t = 0; t <= N_TYPES; t++)
        if (s->attempted[t])
            printf("  pass rate type %-2s  %zu/%zu (%.1f%%)\n", type_names[t], s->solved[t],
                   s->attempted[t], percent(s->solved[t], s->attempted[t]));
    printf("tokens per rollout:\n");
    stat_print("prompt", &s->prompt_len);
    stat_print("completion", &s->completion_len);
}

/* ---- --json ---- */

static cJSON *record(const char *path, const char *kind, size_t index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddNumberToObject(o, "index", (double)index);
    return o;
}

static void add_hex(cJSON *o, const char *key, const uint8_t *p, size_t n)
{
    char hex[2 * BATCH_SHA256_SIZE + 1];
    for (size_t i = 0; i < n && i < BATCH_SHA256_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", p[i]);
    hex[2 * (n < BATCH_SHA256_SIZE ? n : BATCH_SHA256_SIZE)] = 0;
    cJSON_AddStringToObject(o, key, hex);
}

static void add_ints(cJSON *o, const char *key, const int32_t *p, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
}

static void add_uints(cJSON *o, const char *key, const uint32_t *p, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
}

static void add_floats(cJSON *o, const char *key, const float *p, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; p && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
}

static void add_grids(cJSON *o, const batch_grid *g, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, "image_grid_thw");
    for (size_t i = 0; g && i < n; i++) {
        const uint32_t thw[3] = {g[i].t, g[i].h, g[i].w};
        cJSON *row = cJSON_CreateArray();
        for (int k = 0; k < 3; k++)
            cJSON_AddItemToArray(row, cJSON_CreateNumber(thw[k]));
        cJSON_AddItemToArray(a, row);
    }
}

static void add_model(cJSON *o, const char *key, const batch_model *m)
{
    cJSON *mo = cJSON_AddObjectToObject(o, key);
    cJSON_AddStringToObject(mo, "file_name", m->file_name);
    cJSON_AddNumberToObject(mo, "file_size", (double)m->file_size);
    add_hex(mo, "sha256", m->sha256, BATCH_SHA256_SIZE);
}

static cJSON *header_json(const batch_reader *r, const char *path)
{
    batch_header h;
    batch_reader_header(r, &h);
    cJSON *o = record(path, "header", 0);
    cJSON_AddNumberToObject(o, "schema_version", h.schema_version);
    cJSON_AddStringToObject(o, "run_id", h.run_id);
    cJSON_AddNumberToObject(o, "round", h.round);
    cJSON_AddNumberToObject(o, "batch_index", h.batch_index);
    cJSON_AddNumberToObject(o, "created_unix_ms", (double)h.created_unix_ms);
    char seed[24]; /* as text: a double cannot hold every 64-bit seed */
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)h.seed);
    cJSON_AddStringToObject(o, "seed", seed);
    add_model(o, "challenger", &h.challenger);
    add_model(o, "solver", &h.solver);
    cJSON *settings = cJSON_AddObjectToObject(o, "settings");
    for (size_t i = 0; i < h.n_settings; i++)
        cJSON_AddStringToObject(settings, h.settings[i].key, h.settings[i].value);
    cJSON_AddStringToObject(o, "creator", h.creator);
    return o;
}

static cJSON *image_json(const batch_reader *r, const char *path, size_t i)
{
    batch_image im;
    batch_reader_image(r, i, &im);
    cJSON *o = record(path, "image", i);
    cJSON_AddNumberToObject(o, "width", im.width);
    cJSON_AddNumberToObject(o, "height", im.height);
    cJSON_AddNumberToObject(o, "png_size", (double)im.png_size);
    add_hex(o, "sha256", im.sha256, BATCH_SHA256_SIZE);
    cJSON_AddStringToObject(o, "name", im.name);
    return o;
}

static cJSON *task_json(const batch_reader *r, const char *path, size_t i)
{
    batch_task t;
    batch_reader_task(r, i, &t);
    cJSON *o = record(path, "task", i);
    cJSON_AddNumberToObject(o, "question_type", t.question_type);
    cJSON_AddStringToObject(o, "question", t.question);
    add_uints(o, "images", t.images, t.n_images);
    cJSON_AddStringToObject(o, "answer", t.answer);
    cJSON_AddStringToObject(o, "program", t.program);
    cJSON_AddItemToObject(o, "args", cJSON_CreateStringArray(t.args, BATCH_N_ARGS));
    cJSON_AddNumberToObject(o, "source_image", t.source_image);
    cJSON_AddNumberToObject(o, "challenger_rollout", t.challenger_rollout);
    cJSON_AddNumberToObject(o, "pass_rate", t.pass_rate);
    cJSON_AddNumberToObject(o, "n_samples", t.n_samples);
    cJSON_AddBoolToObject(o, "for_solver", t.for_solver);
    return o;
}

static cJSON *challenger_json(const batch_reader *r, const char *path, size_t i)
{
    batch_challenger c;
    batch_reader_challenger(r, i, &c);
    cJSON *o = record(path, "challenger", i);
    cJSON_AddNumberToObject(o, "group_id", c.group_id);
    add_ints(o, "prompt_ids", c.prompt_ids, c.n_prompt_ids);
    add_uints(o, "prompt_images", c.prompt_images, c.n_prompt_images);
    add_grids(o, c.grids, c.n_prompt_images);
    add_ints(o, "completion_ids", c.completion_ids, c.n_completion_ids);
    add_floats(o, "logprobs", c.logprobs, c.n_completion_ids);
    cJSON_AddStringToObject(o, "completion", c.completion);
    cJSON_AddBoolToObject(o, "valid", c.valid);
    cJSON_AddStringToObject(o, "failure", c.failure);
    cJSON_AddNumberToObject(o, "reward_format", c.reward_format);
    cJSON_AddNumberToObject(o, "reward_validity", c.reward_validity);
    cJSON_AddNumberToObject(o, "reward_difficulty", c.reward_difficulty);
    cJSON_AddNumberToObject(o, "reward_diversity", c.reward_diversity);
    cJSON_AddNumberToObject(o, "reward", c.reward);
    cJSON_AddNumberToObject(o, "advantage", c.advantage);
    return o;
}

static cJSON *solver_json(const batch_reader *r, const char *path, size_t i)
{
    batch_solver v;
    batch_reader_solver(r, i, &v);
    cJSON *o = record(path, "solver", i);
    cJSON_AddNumberToObject(o, "task", v.task);
    cJSON_AddNumberToObject(o, "group_id", v.group_id);
    add_ints(o, "prompt_ids", v.prompt_ids, v.n_prompt_ids);
    add_grids(o, v.grids, v.n_grids);
    add_ints(o, "completion_ids", v.completion_ids, v.n_completion_ids);
    add_floats(o, "logprobs", v.logprobs, v.n_completion_ids);
    cJSON_AddStringToObject(o, "completion", v.completion);
    cJSON_AddStringToObject(o, "answer", v.answer);
    cJSON_AddNumberToObject(o, "score", v.score);
    cJSON_AddBoolToObject(o, "correct", v.correct);
    cJSON_AddNumberToObject(o, "reward", v.reward);
    cJSON_AddNumberToObject(o, "advantage", v.advantage);
    return o;
}

/* Prints one record as a line and frees it; returns 1 when out of memory. */
static int emit(cJSON *o)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return 1;
    puts(text);
    cJSON_free(text);
    return 0;
}

static int dump_file(const batch_reader *r)
{
    const char *path = batch_reader_path(r);
    batch_counts n = batch_reader_counts(r);
    int oom = emit(header_json(r, path));
    for (size_t i = 0; !oom && i < n.images; i++)
        oom = emit(image_json(r, path, i));
    for (size_t i = 0; !oom && i < n.tasks; i++)
        oom = emit(task_json(r, path, i));
    for (size_t i = 0; !oom && i < n.challenger_rollouts; i++)
        oom = emit(challenger_json(r, path, i));
    for (size_t i = 0; !oom && i < n.solver_rollouts; i++)
        oom = emit(solver_json(r, path, i));
    return oom;
}

/* Reads every file under path into the summary (or dumps it); returns 1 after any problem. */
static int inspect_path(const char *path, int json, summary *s)
{
    errmsg e = {0};
    batch_reader *r = batch_reader_open(path, &e);
    if (!r) {
        fprintf(stderr, "vkeve inspect: %s\n", e.text);
        return 1;
    }
    int bad = 0, st;
    while ((st = batch_reader_next(r, &e)) != BATCH_NEXT_END) {
        if (st == BATCH_NEXT_SKIPPED) {
            fprintf(stderr, "vkeve inspect: %s\n", e.text);
            s->skipped++;
            bad = 1;
        } else if (json && dump_file(r)) {
            fprintf(stderr, "vkeve inspect: %s: out of memory printing JSON\n",
                    batch_reader_path(r));
            bad = 1;
        } else {
            summarise_file(r, s);
        }
    }
    batch_reader_close(r);
    return bad;
}

int cmd_inspect(int argc, char **argv)
{
    int json = 0, n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cmd_usage_error("inspect", "unknown option '%s'", argv[i]);
        else
            n_paths++;
    }
    if (n_paths == 0)
        return cmd_usage_error("inspect", "no batch file or folder given");
    summary *s = calloc(1, sizeof *s);
    if (!s) {
        fprintf(stderr, "vkeve inspect: out of memory\n");
        return 1;
    }
    int bad = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--json") != 0)
            bad |= inspect_path(argv[i], json, s);
    if (!json)
        print_summary(s);
    free(s);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "vkeve inspect: cannot write the output\n");
        return 1;
    }
    return bad ? 1 : 0;
}
