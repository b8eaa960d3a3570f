/* test_batch_compat.c - the current reader reads a file of an older schema version.
 *
 * tests/batch/batch_v0.fbs is an earlier subset of schemas/batch.fbs; at build time flatc
 * turns tests/batch/batch_v0.json into a binary file with it ($VKEVE_BATCH_V0, set by
 * tests/batch.cmake). Every value the reader returns is compared with the JSON, read here
 * with cJSON, and the fields v0 did not have must read as their defaults.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/batch.h"
#include "tests/testutil.h"

static cJSON *load_json(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return cJSON_Parse(text);
}

static cJSON *at(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}
static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(at(o, key));
}
static const char *text(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(at(o, key));
    return s ? s : "";
}
static cJSON *first(const cJSON *o, const char *key)
{
    return cJSON_GetArrayItem(at(o, key), 0);
}

/* 1 when the n values of a JSON number array equal p[0..n) (as doubles). */
static int same_numbers(const cJSON *array, size_t n, double (*get)(const void *, size_t),
                        const void *p)
{
    if ((size_t)cJSON_GetArraySize(array) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (cJSON_GetNumberValue(cJSON_GetArrayItem(array, (int)i)) != get(p, i))
            return 0;
    return 1;
}
static double get_i32(const void *p, size_t i)
{
    return ((const int32_t *)p)[i];
}
static double get_u32(const void *p, size_t i)
{
    return ((const uint32_t *)p)[i];
}
static double get_f32(const void *p, size_t i)
{
    return ((const float *)p)[i];
}
static double get_u8(const void *p, size_t i)
{
    return ((const uint8_t *)p)[i];
}

static void check_header(const batch_reader *r, const cJSON *j)
{
    batch_header h;
    batch_reader_header(r, &h);
    T_CHECK(h.schema_version == num(j, "schema_version") && h.schema_version < BATCH_SCHEMA_VERSION,
            "schema version %u", h.schema_version);
    T_CHECK(strcmp(h.run_id, text(j, "run_id")) == 0, "run id '%s'", h.run_id);
    T_CHECK(h.round == num(j, "round") && h.batch_index == num(j, "batch_index"),
            "round %u batch %u", h.round, h.batch_index);
    T_CHECK((double)h.created_unix_ms == num(j, "created_unix_ms") &&
                (double)h.seed == num(j, "seed"),
            "created / seed");
    const cJSON *c = at(j, "challenger");
    T_CHECK(strcmp(h.challenger.file_name, text(c, "file_name")) == 0 &&
                (double)h.challenger.file_size == num(c, "file_size") &&
                same_numbers(at(c, "sha256"), 32, get_u8, h.challenger.sha256),
            "challenger model");
    T_CHECK(h.solver.file_name[0] == 0 && h.solver.file_size == 0,
            "absent solver model reads empty");
    T_CHECK(h.n_settings == 1 &&
                strcmp(h.settings[0].value, text(first(j, "settings"), "value")) == 0,
            "settings");
    T_CHECK(strcmp(h.creator, "") == 0, "creator (new since v0) reads '', got '%s'", h.creator);
}

static void check_records(const batch_reader *r, const cJSON *j)
{
    batch_image im;
    const cJSON *ji = first(j, "images");
    T_CHECK(batch_reader_image(r, 0, &im) == 0 &&
                same_numbers(at(ji, "png"), im.png_size, get_u8, im.png) &&
                im.width == num(ji, "width") && strcmp(im.name, "") == 0,
            "image (name is new since v0)");
    batch_task t;
    const cJSON *jt = first(j, "tasks");
    T_CHECK(batch_reader_task(r, 0, &t) == 0 && t.question_type == num(jt, "question_type") &&
                strcmp(t.question, text(jt, "question")) == 0 &&
                same_numbers(at(jt, "images"), t.n_images, get_u32, t.images) &&
                strcmp(t.args[3], cJSON_GetStringValue(cJSON_GetArrayItem(at(jt, "args"), 3))) ==
                    0 &&
                t.source_image == num(jt, "source_image"),
            "task");
    T_CHECK(t.challenger_rollout == -1, "task challenger_rollout (new since v0) reads -1, got %d",
            t.challenger_rollout);
    T_CHECK(t.pass_rate == -1.0f && t.n_samples == 0 && t.for_solver == 0,
            "task pass_rate, n_samples, for_solver (new since v0) read -1, 0, 0: got %g %u %d",
            t.pass_rate, (unsigned)t.n_samples, t.for_solver);
    batch_challenger c;
    const cJSON *jc = first(j, "challenger_rollouts");
    T_CHECK(batch_reader_challenger(r, 0, &c) == 0 &&
                same_numbers(at(jc, "prompt_ids"), c.n_prompt_ids, get_i32, c.prompt_ids) &&
                same_numbers(at(jc, "logprobs"), c.n_completion_ids, get_f32, c.logprobs) &&
                c.n_prompt_images == 1 && c.grids && c.grids[0].h == 4 && c.valid &&
                c.reward_diversity == num(jc, "reward_diversity") && c.reward == num(jc, "reward"),
            "challenger rollout");
    T_CHECK(c.advantage == 0.0f, "challenger advantage (new since v0) reads 0, got %g",
            c.advantage);
    batch_solver s;
    const cJSON *js = first(j, "solver_rollouts");
    T_CHECK(
        batch_reader_solver(r, 0, &s) == 0 && s.task == 0 && s.n_grids == 2 &&
            same_numbers(at(js, "completion_ids"), s.n_completion_ids, get_i32, s.completion_ids) &&
            strcmp(s.answer, text(js, "answer")) == 0 && s.correct && s.score == 1.0f,
        "solver rollout");
    T_CHECK(s.reward == 0.0f && s.advantage == 0.0f, "solver reward/advantage (new) read 0");
}

int main(void)
{
    const char *path = getenv("VKEVE_BATCH_V0");
    cJSON *j = load_json(t_data_path("batch/batch_v0.json"));
    T_CHECK(path != NULL, "VKEVE_BATCH_V0 not set (run through ctest)");
    T_CHECK(j != NULL, "cannot parse %s", t_data_path("batch/batch_v0.json"));
    if (!path || !j)
        return t_finish();
    errmsg e = {0};
    batch_reader *r = batch_reader_open(path, &e);
    T_CHECK(r != NULL, "open: %s", e.text);
    int st = batch_reader_next(r, &e);
    T_CHECK(st == BATCH_NEXT_FILE, "v0 file rejected: %s", e.text);
    if (st == BATCH_NEXT_FILE) {
        check_header(r, at(j, "header"));
        check_records(r, j);
    }
    batch_reader_close(r);
    cJSON_Delete(j);
    return t_finish();
}
