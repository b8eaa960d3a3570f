/* bench_batch.c - training batch throughput: records/s and MB/s written (build, fsync,
 * rename) and read back (read, verify, image SHA-256, touch every token) for a realistic mix.
 *
 *     bench_batch [UNITS [DIR]]     (default 48 units, in a fresh folder under /tmp)
 *
 * One unit is what one challenger prompt yields in EVE: 5 images of 448x448 (as ~300 KB
 * PNG-sized random blobs), 4 challenger rollouts, 2 tasks, 8 solver rollouts per task;
 * every prompt 1,500 tokens, every completion 200 tokens with log-probs. Prints JSON lines.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/now.h"
#include "base/rng.h"
#include "evolve/batch.h"

enum { IMAGES = 5, CHALLENGERS = 4, TASKS = 2, SOLVERS_PER_TASK = 8 };
enum { PROMPT = 1500, COMPLETION = 200, PNG_BYTES = 300 * 1024 };

typedef struct payload {
    uint8_t *png[IMAGES];
    int32_t prompt[PROMPT], completion[COMPLETION];
    float logprobs[COMPLETION];
    batch_grid grids[IMAGES];
} payload;

static int make_payload(payload *p)
{
    rng r = rng_make(2026, 1);
    for (int i = 0; i < IMAGES; i++) {
        p->png[i] = malloc(PNG_BYTES);
        if (!p->png[i])
            return 1;
        for (size_t k = 0; k < PNG_BYTES; k++)
            p->png[i][k] = (uint8_t)rng_below(&r, 256);
        p->grids[i] = (batch_grid){1, 32, 32};
    }
    for (int k = 0; k < PROMPT; k++)
        p->prompt[k] = (int32_t)rng_below(&r, 151936);
    for (int k = 0; k < COMPLETION; k++) {
        p->completion[k] = (int32_t)rng_below(&r, 151936);
        p->logprobs[k] = -4.0f * rng_float(&r);
    }
    return 0;
}

/* Adds one unit; the images differ per unit (a tag in their first bytes). */
static int add_unit(batch_writer *w, payload *p, uint32_t unit, errmsg *e)
{
    uint32_t img[IMAGES], task[TASKS];
    int rc = 0;
    for (int i = 0; i < IMAGES && !rc; i++) {
        memcpy(p->png[i], &unit, sizeof unit);
        batch_image im = {.png = p->png[i], .png_size = PNG_BYTES, .width = 448, .height = 448};
        rc = batch_writer_add_image(w, &im, &img[i], e);
    }
    for (int c = 0; c < CHALLENGERS && !rc; c++) {
        batch_challenger ch = {.group_id = unit,
                               .prompt_ids = p->prompt,
                               .n_prompt_ids = PROMPT,
                               .prompt_images = img,
                               .grids = p->grids,
                               .n_prompt_images = 1,
                               .completion_ids = p->completion,
                               .logprobs = p->logprobs,
                               .n_completion_ids = COMPLETION,
                               .completion = "```python\n```",
                               .valid = 1,
                               .reward = 0.8f,
                               .advantage = 0.5f};
        rc = batch_writer_add_challenger(w, &ch, NULL, e);
    }
    for (int t = 0; t < TASKS && !rc; t++) {
        batch_task tk = {.question_type = (uint8_t)t,
                         .question = "Which image ...?",
                         .images = img,
                         .n_images = t == 0 ? IMAGES : 2,
                         .answer = "B",
                         .program = "def edit_image(img): ...",
                         .args = {"{}", "{}", "{}", "{}"},
                         .source_image = 0,
                         .challenger_rollout = 0};
        rc = batch_writer_add_task(w, &tk, &task[t], e);
    }
    for (int t = 0; t < TASKS && !rc; t++)
        for (int s = 0; s < SOLVERS_PER_TASK && !rc; s++) {
            batch_solver sv = {.task = task[t],
                               .group_id = unit,
                               .prompt_ids = p->prompt,
                               .n_prompt_ids = PROMPT,
                               .grids = p->grids,
                               .n_grids = t == 0 ? IMAGES : 2,
                               .completion_ids = p->completion,
                               .logprobs = p->logprobs,
                               .n_completion_ids = COMPLETION,
                               .completion = "\\boxed{B}",
                               .answer = "B",
                               .score = 1,
                               .correct = 1,
                               .reward = 1,
                               .advantage = 0.25f};
            rc = batch_writer_add_solver(w, &sv, NULL, e);
        }
    return rc ? rc : batch_writer_end_unit(w, e);
}

static double touch_file(const batch_reader *r)
{
    double sum = 0;
    batch_counts n = batch_reader_counts(r);
    for (size_t i = 0; i < n.challenger_rollouts; i++) {
        batch_challenger c;
        batch_reader_challenger(r, i, &c);
        for (size_t k = 0; k < c.n_prompt_ids; k++)
            sum += c.prompt_ids[k];
        for (size_t k = 0; k < c.n_completion_ids; k++)
            sum += c.completion_ids[k] + c.logprobs[k];
    }
    for (size_t i = 0; i < n.solver_rollouts; i++) {
        batch_solver s;
        batch_reader_solver(r, i, &s);
        for (size_t k = 0; k < s.n_prompt_ids; k++)
            sum += s.prompt_ids[k];
        for (size_t k = 0; k < s.n_completion_ids; k++)
            sum += s.completion_ids[k] + s.logprobs[k];
    }
    return sum;
}

static void print_line(const char *op, size_t files, size_t records, size_t bytes, double sec)
{
    printf("{\"bench\":\"batch\",\"op\":\"%s\",\"files\":%zu,\"records\":%zu,\"bytes\":%zu,"
           "\"seconds\":%.4f,\"records_per_s\":%.1f,\"mb_per_s\":%.1f}\n",
           op, files, records, bytes, sec, records / sec, bytes / sec / 1e6);
}

static void remove_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char path[4096];
    while (d && (ent = readdir(d)) != NULL)
        if (ent->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    long units = argc > 1 ? strtol(argv[1], NULL, 10) : 48;
    char tmpl[] = "/tmp/vkeve-bench-batch-XXXXXX";
    const char *dir = argc > 2 ? argv[2] : mkdtemp(tmpl);
    static payload p;
    if (units < 1 || !dir || make_payload(&p)) {
        fprintf(stderr, "usage: bench_batch [UNITS [DIR]] (or out of memory)\n");
        return 2;
    }
    errmsg e = {0};
    batch_header h = {.run_id = "bench", .round = 0};
    double t0 = now_seconds();
    batch_writer *w = batch_writer_open(dir, &h, NULL, &e);
    int rc = w ? 0 : 1;
    for (long u = 0; u < units && !rc; u++)
        rc = add_unit(w, &p, (uint32_t)u, &e);
    if (batch_writer_close(w, rc ? NULL : &e) && !rc)
        rc = 1;
    double t_write = now_seconds() - t0;
    if (rc) {
        fprintf(stderr, "bench_batch: %s\n", e.text);
        return 1;
    }

    t0 = now_seconds();
    batch_reader *r = batch_reader_open(dir, &e);
    size_t files = 0, records = 0, bytes = 0;
    double sink = 0;
    int st;
    while (r && (st = batch_reader_next(r, &e)) != BATCH_NEXT_END) {
        if (st == BATCH_NEXT_SKIPPED) {
            fprintf(stderr, "bench_batch: %s\n", e.text);
            return 1;
        }
        batch_counts n = batch_reader_counts(r);
        files++;
        records += n.tasks + n.challenger_rollouts + n.solver_rollouts;
        bytes += batch_reader_file_size(r);
        sink += touch_file(r);
    }
    batch_reader_close(r);
    double t_read = now_seconds() - t0;
    print_line("write", files, records, bytes, t_write);
    print_line("read", files, records, bytes, t_read);
    if (argc <= 2)
        remove_files(dir);
    return sink == 0.5 ? 3 : 0; /* keeps the token walk from being optimised away */
}
