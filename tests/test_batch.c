/* test_batch.c - training batch files: C writer -> C reader field by field, file numbering
 * and rollover, index checks, hashes, truncated and bit-flipped files, and a writer whose
 * folder vanishes. */
#define _GNU_SOURCE

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evolve/batch.h"
#include "base/rng.h"
#include "tests/batch/batch_sample.h"
#include "tests/testutil.h"

static int str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

static int mem_eq(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

static void check_model(const char *what, const batch_model *got, const batch_model *want)
{
    T_CHECK(str_eq(got->file_name, want->file_name), "%s file name '%s'", what, got->file_name);
    T_CHECK(got->file_size == want->file_size, "%s size %llu", what,
            (unsigned long long)got->file_size);
    T_CHECK(mem_eq(got->sha256, want->sha256, BATCH_SHA256_SIZE), "%s sha256", what);
}

static void check_header(const batch_header *got, const batch_header *want, uint32_t index)
{
    T_CHECK(got->schema_version == BATCH_SCHEMA_VERSION, "schema version %u", got->schema_version);
    T_CHECK(str_eq(got->run_id, want->run_id), "run id '%s'", got->run_id);
    T_CHECK(got->round == want->round, "round %u", got->round);
    T_CHECK(got->batch_index == index, "batch index %u, want %u", got->batch_index, index);
    T_CHECK(got->created_unix_ms == want->created_unix_ms, "created %lld",
            (long long)got->created_unix_ms);
    T_CHECK(got->seed == want->seed, "seed %llx", (unsigned long long)got->seed);
    check_model("challenger", &got->challenger, &want->challenger);
    check_model("solver", &got->solver, &want->solver);
    T_CHECK(got->n_settings == want->n_settings, "%zu settings", got->n_settings);
    for (size_t i = 0; i < got->n_settings && i < want->n_settings; i++)
        T_CHECK(str_eq(got->settings[i].key, want->settings[i].key) &&
                    str_eq(got->settings[i].value, want->settings[i].value),
                "setting %zu: '%s' = '%s'", i, got->settings[i].key, got->settings[i].value);
    T_CHECK(strncmp(got->creator, "vkeve ", 6) == 0, "creator '%s'", got->creator);
}

static void check_image(size_t i, const batch_image *got, const batch_image *want)
{
    uint8_t sha[BATCH_SHA256_SIZE];
    batch_sha256(want->png, want->png_size, sha);
    T_CHECK(got->png_size == want->png_size && mem_eq(got->png, want->png, want->png_size),
            "image %zu: %zu PNG bytes, want %zu", i, got->png_size, want->png_size);
    T_CHECK(got->width == want->width && got->height == want->height, "image %zu: %ux%u", i,
            got->width, got->height);
    T_CHECK(mem_eq(got->sha256, sha, sizeof sha), "image %zu: sha256", i);
    T_CHECK(str_eq(got->name, want->name), "image %zu: name '%s'", i, got->name);
}

static void check_task(size_t i, const batch_task *got, const batch_task *want)
{
    T_CHECK(got->question_type == want->question_type, "task %zu: type %u", i, got->question_type);
    T_CHECK(str_eq(got->question, want->question), "task %zu: question '%s'", i, got->question);
    T_CHECK(got->n_images == want->n_images &&
                mem_eq(got->images, want->images, want->n_images * sizeof *want->images),
            "task %zu: %zu images", i, got->n_images);
    T_CHECK(str_eq(got->answer, want->answer), "task %zu: answer '%s'", i, got->answer);
    T_CHECK(str_eq(got->program, want->program), "task %zu: program", i);
    for (int k = 0; k < BATCH_N_ARGS; k++)
        T_CHECK(str_eq(got->args[k], want->args[k]), "task %zu: args[%d] '%s'", i, k,
                show(got->args[k]));
    T_CHECK(got->source_image == want->source_image, "task %zu: source %d", i, got->source_image);
    T_CHECK(got->challenger_rollout == want->challenger_rollout, "task %zu: challenger %d", i,
            got->challenger_rollout);
    T_CHECK(got->pass_rate == want->pass_rate && got->n_samples == want->n_samples &&
                got->for_solver == want->for_solver,
            "task %zu: pass rate %g of %u, for solver %d", i, got->pass_rate,
            (unsigned)got->n_samples, got->for_solver);
}

static void check_tokens(const char *what, size_t i, const int32_t *got, size_t n_got,
                         const int32_t *want, size_t n_want)
{
    T_CHECK(n_got == n_want && mem_eq(got, want, n_want * sizeof *want),
            "%s %zu: %zu ids, want %zu", what, i, n_got, n_want);
}

static void check_logprobs(const char *what, size_t i, const float *got, const float *want,
                           size_t n)
{
    if (!want)
        T_CHECK(got == NULL, "%s %zu: log-probs where none were written", what, i);
    else
        T_CHECK(got && mem_eq(got, want, n * sizeof *want), "%s %zu: log-probs differ", what, i);
}

static void check_challenger(size_t i, const batch_challenger *got, const batch_challenger *want)
{
    T_CHECK(got->group_id == want->group_id, "challenger %zu: group %u", i, got->group_id);
    check_tokens("challenger prompt", i, got->prompt_ids, got->n_prompt_ids, want->prompt_ids,
                 want->n_prompt_ids);
    T_CHECK(got->n_prompt_images == want->n_prompt_images &&
                mem_eq(got->prompt_images, want->prompt_images, want->n_prompt_images * 4) &&
                mem_eq(got->grids, want->grids, want->n_prompt_images * sizeof(batch_grid)),
            "challenger %zu: prompt images and grids", i);
    check_tokens("challenger completion", i, got->completion_ids, got->n_completion_ids,
                 want->completion_ids, want->n_completion_ids);
    check_logprobs("challenger", i, got->logprobs, want->logprobs, want->n_completion_ids);
    T_CHECK(str_eq(got->completion, want->completion), "challenger %zu: completion", i);
    T_CHECK(got->valid == want->valid, "challenger %zu: valid %d", i, got->valid);
    T_CHECK(str_eq(got->failure, want->failure), "challenger %zu: failure '%s'", i, got->failure);
    T_CHECK(got->reward_format == want->reward_format &&
                got->reward_validity == want->reward_validity &&
                got->reward_difficulty == want->reward_difficulty &&
                got->reward_diversity == want->reward_diversity && got->reward == want->reward &&
                got->advantage == want->advantage,
            "challenger %zu: rewards %g %g %g %g %g adv %g", i, got->reward_format,
            got->reward_validity, got->reward_difficulty, got->reward_diversity, got->reward,
            got->advantage);
}

static void check_solver(size_t i, const batch_solver *got, const batch_solver *want)
{
    T_CHECK(got->task == want->task && got->group_id == want->group_id,
            "solver %zu: task %u group %u", i, got->task, got->group_id);
    check_tokens("solver prompt", i, got->prompt_ids, got->n_prompt_ids, want->prompt_ids,
                 want->n_prompt_ids);
    T_CHECK(got->n_grids == want->n_grids &&
                mem_eq(got->grids, want->grids, want->n_grids * sizeof(batch_grid)),
            "solver %zu: %zu grids", i, got->n_grids);
    check_tokens("solver completion", i, got->completion_ids, got->n_completion_ids,
                 want->completion_ids, want->n_completion_ids);
    check_logprobs("solver", i, got->logprobs, want->logprobs, want->n_completion_ids);
    T_CHECK(str_eq(got->completion, want->completion) && str_eq(got->answer, want->answer),
            "solver %zu: completion / answer '%s'", i, got->answer);
    T_CHECK(got->score == want->score && got->correct == want->correct &&
                got->reward == want->reward && got->advantage == want->advantage,
            "solver %zu: score %g correct %d reward %g adv %g", i, got->score, got->correct,
            got->reward, got->advantage);
}

static void check_sample_file(const batch_reader *r, const batch_sample *s)
{
    batch_header h;
    batch_reader_header(r, &h);
    check_header(&h, &s->header, 0);
    batch_counts n = batch_reader_counts(r);
    T_CHECK(n.images == SAMPLE_IMAGES && n.tasks == SAMPLE_TASKS &&
                n.challenger_rollouts == SAMPLE_CHALLENGERS && n.solver_rollouts == SAMPLE_SOLVERS,
            "counts %zu %zu %zu %zu", n.images, n.tasks, n.challenger_rollouts, n.solver_rollouts);
    for (size_t i = 0; i < n.images && i < SAMPLE_IMAGES; i++) {
        batch_image im;
        T_CHECK(batch_reader_image(r, i, &im) == 0, "image %zu", i);
        check_image(i, &im, &s->images[i]);
    }
    for (size_t i = 0; i < n.tasks && i < SAMPLE_TASKS; i++) {
        batch_task t;
        T_CHECK(batch_reader_task(r, i, &t) == 0, "task %zu", i);
        check_task(i, &t, &s->tasks[i]);
    }
    for (size_t i = 0; i < n.challenger_rollouts && i < SAMPLE_CHALLENGERS; i++) {
        batch_challenger c;
        T_CHECK(batch_reader_challenger(r, i, &c) == 0, "challenger %zu", i);
        check_challenger(i, &c, &s->challengers[i]);
    }
    for (size_t i = 0; i < n.solver_rollouts && i < SAMPLE_SOLVERS; i++) {
        batch_solver v;
        T_CHECK(batch_reader_solver(r, i, &v) == 0, "solver %zu", i);
        check_solver(i, &v, &s->solvers[i]);
    }
    batch_task t;
    T_CHECK(batch_reader_task(r, SAMPLE_TASKS, &t) == ERR_FAIL, "task index past the end");
}

/* The sample written to a fresh folder; returns the folder (remove_dir it). */
static char *write_sample(const batch_sample *s)
{
    char *dir = t_temp_dir("batch");
    errmsg e = {0};
    int rc = batch_sample_write(s, dir, &e);
    T_CHECK(rc == 0, "writing the sample: %s", e.text);
    return dir;
}

static void test_round_trip(const batch_sample *s)
{
    char *dir = write_sample(s);
    errmsg e = {0};
    batch_reader *r = batch_reader_open(dir, &e);
    T_CHECK(r != NULL, "open reader: %s", e.text);
    int st = batch_reader_next(r, &e);
    T_CHECK(st == BATCH_NEXT_FILE, "first file: %d %s", st, e.text);
    if (st == BATCH_NEXT_FILE) {
        const char *name = strrchr(batch_reader_path(r), '/');
        T_CHECK(name && strcmp(name, "/round-0003-batch-0000.vkb") == 0, "file name %s",
                batch_reader_path(r));
        check_sample_file(r, s);
    }
    T_CHECK(batch_reader_next(r, &e) == BATCH_NEXT_END, "one file only");
    batch_reader_close(r);
    t_remove_dir(dir);
}

/* One unit of one image, one task and one solver rollout (two records). */
static int write_small_unit(batch_writer *w, uint8_t tag, errmsg *e)
{
    uint8_t png[64];
    memset(png, tag, sizeof png);
    batch_image im = {.png = png, .png_size = sizeof png, .width = 8, .height = 8};
    uint32_t img, task;
    int rc = batch_writer_add_image(w, &im, &img, e);
    batch_task t = {
        .images = &img, .n_images = 1, .answer = "A", .source_image = -1, .challenger_rollout = -1};
    if (!rc)
        rc = batch_writer_add_task(w, &t, &task, e);
    int32_t ids[3] = {tag, tag + 1, tag + 2};
    float lp[3] = {-0.5f, -1.0f, -(float)tag};
    batch_solver v = {.task = task, .completion_ids = ids, .logprobs = lp, .n_completion_ids = 3};
    if (!rc)
        rc = batch_writer_add_solver(w, &v, NULL, e);
    return rc ? rc : batch_writer_end_unit(w, e);
}

static void check_listing(const char *dir, uint32_t round, int n_files)
{
    errmsg e = {0};
    batch_reader *r = batch_reader_open(dir, &e);
    T_CHECK(r != NULL, "open %s: %s", dir, e.text);
    int seen = 0, st;
    while (r && (st = batch_reader_next(r, &e)) != BATCH_NEXT_END) {
        T_CHECK(st == BATCH_NEXT_FILE, "file %d skipped: %s", seen, e.text);
        char want[64];
        snprintf(want, sizeof want, "/round-%04u-batch-%04d.vkb", round, seen);
        const char *name = strrchr(batch_reader_path(r), '/');
        T_CHECK(name && strcmp(name, want) == 0, "file %d is %s, want %s", seen,
                batch_reader_path(r), want);
        batch_header h;
        batch_reader_header(r, &h);
        T_CHECK(h.batch_index == (uint32_t)seen, "file %d has batch index %u", seen, h.batch_index);
        batch_counts n = batch_reader_counts(r);
        T_CHECK(n.tasks + n.challenger_rollouts + n.solver_rollouts == 2,
                "file %d: %zu tasks, "
                "%zu solver rollouts",
                seen, n.tasks, n.solver_rollouts);
        batch_solver v;
        T_CHECK(batch_reader_solver(r, 0, &v) == 0 && v.n_completion_ids == 3 &&
                    v.completion_ids[0] == seen && v.logprobs[2] == -(float)seen,
                "file %d: its own solver rollout", seen);
        seen++;
    }
    T_CHECK(seen == n_files, "%d files, want %d", seen, n_files);
    batch_reader_close(r);
}

static void test_rollover_and_resume(void)
{
    char *dir = t_temp_dir("batch");
    errmsg e = {0};
    batch_header h = {.run_id = "rollover", .round = 12};
    batch_writer_opts o = batch_writer_defaults();
    o.max_records = 2;
    batch_writer *w = batch_writer_open(dir, &h, &o, &e);
    T_CHECK(w != NULL, "open writer: %s", e.text);
    for (uint8_t tag = 0; w && tag < 3; tag++)
        T_CHECK(write_small_unit(w, tag, &e) == 0, "unit %u: %s", tag, e.text);
    T_CHECK(w && strstr(batch_writer_last_path(w), "round-0012-batch-0002.vkb"), "last path %s",
            batch_writer_last_path(w));
    T_CHECK(batch_writer_close(w, &e) == 0, "close: %s", e.text);
    check_listing(dir, 12, 3);

    w = batch_writer_open(dir, &h, &o, &e); /* resumes after the highest number */
    T_CHECK(w && write_small_unit(w, 3, &e) == 0, "resumed unit: %s", e.text);
    T_CHECK(batch_writer_close(w, &e) == 0, "close: %s", e.text);
    check_listing(dir, 12, 4);
    t_remove_dir(dir);
}

static void test_bad_indices(void)
{
    char *dir = t_temp_dir("batch");
    errmsg e = {0};
    batch_header h = {.run_id = "bad"};
    batch_writer *w = batch_writer_open(dir, &h, NULL, &e);
    uint32_t img = 0, task = 0;
    batch_task t = {.images = &img, .n_images = 1, .source_image = -1, .challenger_rollout = -1};
    T_CHECK(batch_writer_add_task(w, &t, &task, &e) == ERR_FAIL && strstr(e.text, "out of range"),
            "task pointing at a missing image: '%s'", e.text);
    batch_solver v = {.task = 0};
    T_CHECK(batch_writer_add_solver(w, &v, NULL, &e) == ERR_FAIL && strstr(e.text, "solver task"),
            "solver pointing at a missing task: '%s'", e.text);
    batch_challenger c = {.n_prompt_ids = 5};
    T_CHECK(batch_writer_add_challenger(w, &c, NULL, &e) == ERR_FAIL && strstr(e.text, "no array"),
            "count without array: '%s'", e.text);
    /* The writer is still usable after refusing bad input. */
    uint8_t png[4] = {1, 2, 3, 4};
    batch_image im = {.png = png, .png_size = 4, .width = 1, .height = 1};
    T_CHECK(batch_writer_add_image(w, &im, &img, &e) == 0 && img == 0, "image: %s", e.text);
    T_CHECK(batch_writer_add_task(w, &t, &task, &e) == 0 && task == 0, "task: %s", e.text);
    batch_solver grids_wrong = {
        .task = 0, .grids = (batch_grid[2]){{1, 2, 2}, {1, 2, 2}}, .n_grids = 2};
    T_CHECK(batch_writer_add_solver(w, &grids_wrong, NULL, &e) == ERR_FAIL,
            "two grids for a one-image task accepted");
    T_CHECK(batch_writer_close(w, &e) == 0, "close: %s", e.text);
    batch_writer_opts zero = {.max_records = 0, .max_bytes = 1};
    T_CHECK(batch_writer_open(dir, &h, &zero, &e) == NULL && e.code == ERR_ENV,
            "max_records 0 accepted");
    t_remove_dir(dir);
}

static void test_hashes(void)
{
    /* FIPS 180-2 test vector: SHA-256("abc"). */
    static const uint8_t abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t got[32];
    batch_sha256("abc", 3, got);
    T_CHECK(memcmp(got, abc, 32) == 0, "sha256(abc)");

    char *dir = t_temp_dir("batch");
    char path[4096];
    snprintf(path, sizeof path, "%s/model.gguf", dir);
    size_t n = (3u << 20) + 17; /* crosses the 1 MiB read chunks */
    uint8_t *data = malloc(n);
    rng r = rng_make(1, 2);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)rng_below(&r, 256);
    FILE *f = fopen(path, "wb");
    T_CHECK(f && fwrite(data, 1, n, f) == n && fclose(f) == 0, "write %s", path);
    batch_model m;
    errmsg e = {0};
    T_CHECK(batch_model_identify(path, &m, &e) == 0, "identify: %s", e.text);
    batch_sha256(data, n, got);
    T_CHECK(strcmp(m.file_name, "model.gguf") == 0 && m.file_size == n &&
                memcmp(m.sha256, got, 32) == 0,
            "model identity %s %llu", m.file_name, (unsigned long long)m.file_size);
    T_CHECK(batch_model_identify("/nonexistent/x.gguf", &m, &e) == ERR_FAIL &&
                strstr(e.text, "/nonexistent/x.gguf"),
            "missing model: '%s'", e.text);
    free(data);
    t_remove_dir(dir);
}

/* ---- damaged files ---- */

static uint8_t *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size);
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)size;
    return buf;
}

/* Touches every byte the reader exposes, so a view past the buffer shows under ASan. */
static unsigned long walk_everything(const batch_reader *r)
{
    unsigned long sum = 0;
    batch_counts n = batch_reader_counts(r);
    batch_header h;
    batch_reader_header(r, &h);
    sum += strlen(h.run_id) + strlen(h.creator) + strlen(h.challenger.file_name);
    for (size_t i = 0; i < h.n_settings; i++)
        sum += strlen(h.settings[i].key) + strlen(h.settings[i].value);
    for (size_t i = 0; i < n.images; i++) {
        batch_image im;
        batch_reader_image(r, i, &im);
        for (size_t k = 0; k < im.png_size; k++)
            sum += im.png[k];
    }
    for (size_t i = 0; i < n.tasks; i++) {
        batch_task t;
        batch_reader_task(r, i, &t);
        sum += strlen(t.question) + strlen(t.answer) + strlen(t.program);
        for (size_t k = 0; k < t.n_images; k++)
            sum += t.images[k];
        for (int k = 0; k < BATCH_N_ARGS; k++)
            sum += strlen(t.args[k]);
    }
    for (size_t i = 0; i < n.challenger_rollouts; i++) {
        batch_challenger c;
        batch_reader_challenger(r, i, &c);
        for (size_t k = 0; k < c.n_prompt_ids; k++)
            sum += (unsigned long)c.prompt_ids[k];
        for (size_t k = 0; k < c.n_completion_ids; k++)
            sum += (unsigned long)c.completion_ids[k] + (c.logprobs ? (c.logprobs[k] < 0) : 0);
        for (size_t k = 0; c.grids && k < c.n_prompt_images; k++)
            sum += c.grids[k].h + c.prompt_images[k];
        sum += strlen(c.completion) + strlen(c.failure);
    }
    for (size_t i = 0; i < n.solver_rollouts; i++) {
        batch_solver v;
        batch_reader_solver(r, i, &v);
        for (size_t k = 0; k < v.n_prompt_ids; k++)
            sum += (unsigned long)v.prompt_ids[k];
        for (size_t k = 0; k < v.n_completion_ids; k++)
            sum += (unsigned long)v.completion_ids[k] + (v.logprobs ? (v.logprobs[k] < 0) : 0);
        for (size_t k = 0; k < v.n_grids; k++)
            sum += v.grids[k].w;
        sum += strlen(v.completion) + strlen(v.answer);
    }
    return sum;
}

/* Writes n bytes to path and reads it back: BATCH_NEXT_FILE or BATCH_NEXT_SKIPPED. */
static int read_damaged(const char *path, const uint8_t *data, size_t n, errmsg *e)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    batch_reader *r = batch_reader_open(path, e);
    if (!r)
        return -1;
    int st = batch_reader_next(r, e);
    if (st == BATCH_NEXT_FILE)
        walk_everything(r);
    batch_reader_close(r);
    return st;
}

static void test_truncated(const uint8_t *good, size_t n, const char *path)
{
    size_t cuts[] = {0, 1, 4, 7, 8, 9, 64, n / 3, n / 2, n - 4096, n - 8, n - 1};
    int all_skipped = 1;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        errmsg e = {0};
        int st = read_damaged(path, good, cuts[i], &e);
        if (st != BATCH_NEXT_SKIPPED || !strstr(e.text, path)) {
            all_skipped = 0;
            fprintf(stderr, "cut at %zu: status %d, '%s'\n", cuts[i], st, e.text);
        }
    }
    T_CHECK(all_skipped, "every truncated file is reported by name and skipped");
    errmsg e = {0};
    T_CHECK(read_damaged(path, good, n, &e) == BATCH_NEXT_FILE, "the undamaged file: %s", e.text);
}

static void test_bit_flips(const uint8_t *good, size_t n, const batch_sample *s, const char *path)
{
    uint8_t *bad = malloc(n);
    memcpy(bad, good, n);
    const uint8_t *png = memmem(good, n, s->images[1].png, s->images[1].png_size);
    T_CHECK(png != NULL, "image bytes stored verbatim");
    size_t png_at = png ? (size_t)(png - good) : 0;
    rng r = rng_make(99, 1);
    int flips = 0, skipped = 0, png_missed = 0, header_missed = 0;
    for (size_t i = 0; i < 600; i++) {
        size_t at = i < 200   ? i
                    : i < 300 ? png_at + rng_below(&r, 40000)
                              : rng_below(&r, (uint32_t)n);
        uint8_t bit = (uint8_t)(1u << rng_below(&r, 8));
        bad[at] ^= bit;
        errmsg e = {0};
        int st = read_damaged(path, bad, n, &e);
        bad[at] ^= bit;
        flips++;
        skipped += st == BATCH_NEXT_SKIPPED;
        png_missed += i >= 200 && i < 300 && st != BATCH_NEXT_SKIPPED;
        header_missed += at >= 4 && at < 8 && st != BATCH_NEXT_SKIPPED;
    }
    T_CHECK(png_missed == 0, "%d flips inside image bytes not caught by the SHA-256", png_missed);
    T_CHECK(header_missed == 0, "a flipped file identifier accepted");
    T_CHECK(skipped > 100, "only %d of %d bit flips rejected", skipped, flips);
    free(bad);
}

static void test_damaged(const batch_sample *s)
{
    char *dir = write_sample(s);
    char path[4096], damaged[4096];
    snprintf(path, sizeof path, "%s/round-0003-batch-0000.vkb", dir);
    snprintf(damaged, sizeof damaged, "%s/damaged.vkb", dir);
    size_t n = 0;
    uint8_t *good = read_whole(path, &n);
    T_CHECK(good && n > 1000000, "sample file %s: %zu bytes", path, n);
    if (good) {
        test_truncated(good, n, damaged);
        test_bit_flips(good, n, s, damaged);
    }
    /* A folder with one damaged file among good ones: the good one is still read. */
    errmsg e = {0};
    if (good)
        read_damaged(damaged, good, n / 2, &e);
    batch_reader *r = batch_reader_open(dir, &e);
    int files = 0, skipped = 0, st;
    while ((st = batch_reader_next(r, &e)) != BATCH_NEXT_END) {
        files += st == BATCH_NEXT_FILE;
        if (st == BATCH_NEXT_SKIPPED) {
            skipped++;
            T_CHECK(strstr(e.text, "damaged.vkb") != NULL, "skip message '%s'", e.text);
        }
    }
    T_CHECK(files == 1 && skipped == 1, "folder: %d read, %d skipped", files, skipped);
    batch_reader_close(r);
    free(good);
    t_remove_dir(dir);
}

/* ---- write failures ---- */

/* The folder vanishes under an open writer: the error names it, later calls refuse. (The
 * atomic writer itself is tested for full disks and kills in test_afile.c.) */
static void test_write_failures(void)
{
    char *dir = t_temp_dir("batch");
    errmsg e = {0};
    batch_header h = {.run_id = "gone"};
    batch_writer_opts o = batch_writer_defaults();
    o.max_records = 1;
    batch_writer *w = batch_writer_open(dir, &h, &o, &e);
    rmdir(dir);
    T_CHECK(w && write_small_unit(w, 1, &e) == ERR_FAIL && strstr(e.text, dir),
            "vanished folder: '%s'", e.text);
    T_CHECK(write_small_unit(w, 2, &e) == ERR_FAIL && strstr(e.text, "earlier failure"),
            "after a failure: '%s'", e.text);
    T_CHECK(batch_writer_close(w, &e) == ERR_FAIL, "close after a failure succeeded");
    free(dir);
}

int main(void)
{
    batch_sample s;
    if (batch_sample_make(&s)) {
        fprintf(stderr, "out of memory making the sample\n");
        return 1;
    }
    test_round_trip(&s);
    test_rollover_and_resume();
    test_bad_indices();
    test_hashes();
    test_damaged(&s);
    test_write_failures();
    batch_sample_free(&s);
    return t_finish();
}
