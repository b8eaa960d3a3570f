/* batch_sample.c - the deterministic sample batch of batch_sample.h and its expected JSON. */
#include "tests/batch/batch_sample.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"

static void *own(batch_sample *s, size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (p)
        s->owned[s->n_owned++] = p;
    return p;
}

static int32_t *random_ids(batch_sample *s, rng *r, size_t n)
{
    int32_t *ids = own(s, n * sizeof *ids);
    for (size_t i = 0; ids && i < n; i++)
        ids[i] = (int32_t)rng_below(r, 151936);
    return ids;
}

static float *random_logprobs(batch_sample *s, rng *r, size_t n)
{
    float *lp = own(s, n * sizeof *lp);
    for (size_t i = 0; lp && i < n; i++)
        lp[i] = -8.0f * rng_float(r);
    return lp;
}

static uint8_t *random_bytes(batch_sample *s, rng *r, size_t n)
{
    uint8_t *b = own(s, n);
    for (size_t i = 0; b && i < n; i++)
        b[i] = (uint8_t)rng_below(r, 256);
    return b;
}

static void make_header(batch_sample *s)
{
    batch_header *h = &s->header;
    h->run_id = "run-\xce\xb1\xce\xb2\xce\xb3-\xf0\x9f\x99\x82"; /* run-αβγ-🙂 */
    h->round = 3;
    h->created_unix_ms = 1764000000123;
    h->seed = 0xF000000000000000ull; /* above 2^63, exact as a double */
    h->challenger.file_name = "Qwen2-VL-2B-Instruct-Q8_0.gguf";
    h->challenger.file_size = 2000000123ull;
    for (int i = 0; i < BATCH_SHA256_SIZE; i++)
        h->challenger.sha256[i] = (uint8_t)(i * 7 + 1);
    h->solver.file_name = "";
    s->settings[0] = (batch_setting){"temperature", "1.0"};
    s->settings[1] = (batch_setting){"prompt", "\xc3\xa4\xc3\xb6\xc3\xbc\n\"quoted\"\t\\"};
    s->settings[2] = (batch_setting){"", ""};
    h->settings = s->settings;
    h->n_settings = 3;
}

static void make_images(batch_sample *s, rng *r)
{
    static const size_t sizes[SAMPLE_IMAGES] = {1500, 40000, 0};
    static const char *names[SAMPLE_IMAGES] = {"seeds/k\xc3\xa4tzchen.png", "", ""};
    for (int i = 0; i < SAMPLE_IMAGES; i++) {
        batch_image *im = &s->images[i];
        im->png = sizes[i] ? random_bytes(s, r, sizes[i]) : NULL;
        im->png_size = sizes[i];
        im->width = sizes[i] ? 448u + (uint32_t)i : 0;
        im->height = sizes[i] ? 336u : 0;
        im->name = names[i];
    }
}

static void make_tasks(batch_sample *s)
{
    static const uint32_t imgs0[5] = {0, 1, 2, 1, 0};
    memcpy(s->task_images[0], imgs0, sizeof imgs0);
    s->task_images[1][0] = 0;
    s->task_images[1][1] = 1;
    s->tasks[0] = (batch_task){
        .question_type = 0,
        .question = "Which image does `{'angle': 45}` produce? \xe5\x9b\xbe\xe5\x83\x8f",
        .images = s->task_images[0],
        .n_images = 5,
        .answer = "C",
        .program = "def edit_image(img, angle):\n    return img.rotate(angle)\n"
                   "args_list = [{'angle': 10}, {'angle': 20}, {'angle': 45}, {'angle': 90}]\n",
        .args = {"{'angle': 10}", "{'angle': 20}", "{'angle': 45}", "{'angle': 90}"},
        .source_image = 0,
        .challenger_rollout = 0,
        .pass_rate = 0.5f,
        .n_samples = 6,
        .for_solver = 1};
    s->tasks[1] = (batch_task){.question_type = 1,
                               .question = "",
                               .images = s->task_images[1],
                               .n_images = 2,
                               .answer = "",
                               .program = "",
                               .args = {"", "", "", ""},
                               .source_image = -1,
                               .challenger_rollout = -1,
                               .pass_rate = -1.0f};
    s->tasks[2] = (batch_task){.question_type = 2,
                               .question = "Match \xf0\x9f\x96\xbc four",
                               .answer = "BDAC",
                               .program = "x = 1\n",
                               .args = {"{}", "{'k': '\xc3\xa9'}", "", "{'z': None}"},
                               .source_image = 2,
                               .challenger_rollout = 1,
                               .pass_rate = 1.0f / 3.0f,
                               .n_samples = 4000000000u};
}

static void make_challengers(batch_sample *s, rng *r)
{
    static uint32_t prompt_image = 0;
    s->challenger_grid = (batch_grid){1, 32, 24};
    s->challengers[0] = (batch_challenger){
        .group_id = 7,
        .prompt_ids = random_ids(s, r, SAMPLE_BIG),
        .n_prompt_ids = SAMPLE_BIG,
        .prompt_images = &prompt_image,
        .grids = &s->challenger_grid,
        .n_prompt_images = 1,
        .completion_ids = random_ids(s, r, 200),
        .logprobs = random_logprobs(s, r, 200),
        .n_completion_ids = 200,
        .completion = "<thinking>rotate</thinking>\n```python\ndef edit_image(img):\n```",
        .valid = 1,
        .failure = "",
        .reward_format = 1.0f,
        .reward_validity = 1.0f,
        .reward_difficulty = 2.0f / 3.0f,
        .reward_diversity = -0.125f,
        .reward = 0.8416667f,
        .advantage = 0.70710677f};
    s->challengers[1] = (batch_challenger){.group_id = 7,
                                           .completion = "",
                                           .valid = 0,
                                           .failure = "sandbox: step budget exceeded (\xc3\xbc)",
                                           .reward_format = 1.0f,
                                           .reward = 0.2f,
                                           .advantage = -0.70710677f};
}

static void make_solvers(batch_sample *s, rng *r)
{
    for (int i = 0; i < 5; i++)
        s->solver_grids[i] = (batch_grid){1, 16 + 2 * (uint32_t)i, 12};
    s->solvers[0] = (batch_solver){.task = 0,
                                   .group_id = 11,
                                   .prompt_ids = random_ids(s, r, 1500),
                                   .n_prompt_ids = 1500,
                                   .grids = s->solver_grids,
                                   .n_grids = 5,
                                   .completion_ids = random_ids(s, r, SAMPLE_BIG),
                                   .logprobs = random_logprobs(s, r, SAMPLE_BIG),
                                   .n_completion_ids = SAMPLE_BIG,
                                   .completion = "The answer is \\boxed{C}.",
                                   .answer = "C",
                                   .score = 1.0f,
                                   .correct = 1,
                                   .reward = 1.0f,
                                   .advantage = 0.5f};
    s->solvers[1] = (batch_solver){.task = 1,
                                   .group_id = 11,
                                   .completion = "",
                                   .answer = "",
                                   .reward = 0.2f,
                                   .advantage = -1.5f};
    s->solvers[2] = (batch_solver){.task = 2,
                                   .group_id = 12,
                                   .completion_ids = random_ids(s, r, 3),
                                   .logprobs = random_logprobs(s, r, 3),
                                   .n_completion_ids = 3,
                                   .completion = "\\boxed{BDCA} \xe2\x9c\x93",
                                   .answer = "BDCA",
                                   .score = 0.5f,
                                   .reward = 0.6f,
                                   .advantage = 1e-6f};
}

int batch_sample_make(batch_sample *s)
{
    memset(s, 0, sizeof *s);
    rng r = rng_make(20261125, 7);
    make_header(s);
    make_images(s, &r);
    make_tasks(s);
    make_challengers(s, &r);
    make_solvers(s, &r);
    for (int i = 0; i < s->n_owned; i++)
        if (!s->owned[i])
            return 1;
    return 0;
}

void batch_sample_free(batch_sample *s)
{
    for (int i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    s->n_owned = 0;
}

int batch_sample_write(const batch_sample *s, const char *dir, errmsg *e)
{
    batch_writer *w = batch_writer_open(dir, &s->header, NULL, e);
    if (!w)
        return e->code;
    int rc = 0;
    for (int i = 0; i < SAMPLE_IMAGES && !rc; i++)
        rc = batch_writer_add_image(w, &s->images[i], NULL, e);
    uint32_t again = 99;
    if (!rc && !(rc = batch_writer_add_image(w, &s->images[0], &again, e)) && again != 0)
        rc = err_set(e, ERR_FAIL, "a repeated image got index %u, not 0", (unsigned)again);
    for (int i = 0; i < SAMPLE_CHALLENGERS && !rc; i++)
        rc = batch_writer_add_challenger(w, &s->challengers[i], NULL, e);
    for (int i = 0; i < SAMPLE_TASKS && !rc; i++)
        rc = batch_writer_add_task(w, &s->tasks[i], NULL, e);
    for (int i = 0; i < SAMPLE_SOLVERS && !rc; i++)
        rc = batch_writer_add_solver(w, &s->solvers[i], NULL, e);
    if (!rc)
        rc = batch_writer_end_unit(w, e);
    errmsg close_err;
    int close_rc = batch_writer_close(w, &close_err);
    if (!rc && close_rc) {
        *e = close_err;
        rc = close_rc;
    }
    return rc;
}

/* ---- expected JSON ---- */

static cJSON *bytes_json(const uint8_t *p, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
    return a;
}

static cJSON *ints_json(const int32_t *p, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
    return a;
}

static cJSON *uints_json(const uint32_t *p, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
    return a;
}

static cJSON *floats_json(const float *p, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; p && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
    return a;
}

static cJSON *grids_json(const batch_grid *g, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; g && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "t", g[i].t);
        cJSON_AddNumberToObject(o, "h", g[i].h);
        cJSON_AddNumberToObject(o, "w", g[i].w);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *model_json(const batch_model *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file_name", m->file_name);
    cJSON_AddNumberToObject(o, "file_size", (double)m->file_size);
    cJSON_AddItemToObject(o, "sha256", bytes_json(m->sha256, BATCH_SHA256_SIZE));
    return o;
}

static cJSON *header_json(const batch_header *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "schema_version", BATCH_SCHEMA_VERSION);
    cJSON_AddStringToObject(o, "run_id", h->run_id);
    cJSON_AddNumberToObject(o, "round", h->round);
    cJSON_AddNumberToObject(o, "batch_index", 0);
    cJSON_AddNumberToObject(o, "created_unix_ms", (double)h->created_unix_ms);
    cJSON_AddNumberToObject(o, "seed", (double)h->seed);
    cJSON_AddItemToObject(o, "challenger", model_json(&h->challenger));
    cJSON_AddItemToObject(o, "solver", model_json(&h->solver));
    cJSON *settings = cJSON_AddArrayToObject(o, "settings");
    for (size_t i = 0; i < h->n_settings; i++) {
        cJSON *kv = cJSON_CreateObject();
        cJSON_AddStringToObject(kv, "key", h->settings[i].key);
        cJSON_AddStringToObject(kv, "value", h->settings[i].value);
        cJSON_AddItemToArray(settings, kv);
    }
    return o;
}

static cJSON *image_json(const batch_image *im)
{
    uint8_t sha[BATCH_SHA256_SIZE];
    batch_sha256(im->png, im->png_size, sha);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "png", bytes_json(im->png, im->png_size));
    cJSON_AddNumberToObject(o, "width", im->width);
    cJSON_AddNumberToObject(o, "height", im->height);
    cJSON_AddItemToObject(o, "sha256", bytes_json(sha, sizeof sha));
    cJSON_AddStringToObject(o, "name", im->name);
    return o;
}

static cJSON *task_json(const batch_task *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "question_type", t->question_type);
    cJSON_AddStringToObject(o, "question", t->question);
    cJSON_AddItemToObject(o, "images", uints_json(t->images, t->n_images));
    cJSON_AddStringToObject(o, "answer", t->answer);
    cJSON_AddStringToObject(o, "program", t->program);
    cJSON_AddItemToObject(o, "args", cJSON_CreateStringArray(t->args, BATCH_N_ARGS));
    cJSON_AddNumberToObject(o, "source_image", t->source_image);
    cJSON_AddNumberToObject(o, "challenger_rollout", t->challenger_rollout);
    cJSON_AddNumberToObject(o, "pass_rate", t->pass_rate);
    cJSON_AddNumberToObject(o, "n_samples", t->n_samples);
    cJSON_AddBoolToObject(o, "for_solver", t->for_solver);
    return o;
}

static cJSON *challenger_json(const batch_challenger *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "group_id", c->group_id);
    cJSON_AddItemToObject(o, "prompt_ids", ints_json(c->prompt_ids, c->n_prompt_ids));
    cJSON_AddItemToObject(o, "prompt_images", uints_json(c->prompt_images, c->n_prompt_images));
    cJSON_AddItemToObject(o, "image_grid_thw", grids_json(c->grids, c->n_prompt_images));
    cJSON_AddItemToObject(o, "completion_ids", ints_json(c->completion_ids, c->n_completion_ids));
    cJSON_AddItemToObject(o, "logprobs", floats_json(c->logprobs, c->n_completion_ids));
    cJSON_AddStringToObject(o, "completion", c->completion);
    cJSON_AddBoolToObject(o, "valid", c->valid);
    cJSON_AddStringToObject(o, "failure", c->failure);
    cJSON_AddNumberToObject(o, "reward_format", c->reward_format);
    cJSON_AddNumberToObject(o, "reward_validity", c->reward_validity);
    cJSON_AddNumberToObject(o, "reward_difficulty", c->reward_difficulty);
    cJSON_AddNumberToObject(o, "reward_diversity", c->reward_diversity);
    cJSON_AddNumberToObject(o, "reward", c->reward);
    cJSON_AddNumberToObject(o, "advantage", c->advantage);
    return o;
}

static cJSON *solver_json(const batch_solver *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "task", s->task);
    cJSON_AddNumberToObject(o, "group_id", s->group_id);
    cJSON_AddItemToObject(o, "prompt_ids", ints_json(s->prompt_ids, s->n_prompt_ids));
    cJSON_AddItemToObject(o, "image_grid_thw", grids_json(s->grids, s->n_grids));
    cJSON_AddItemToObject(o, "completion_ids", ints_json(s->completion_ids, s->n_completion_ids));
    cJSON_AddItemToObject(o, "logprobs", floats_json(s->logprobs, s->n_completion_ids));
    cJSON_AddStringToObject(o, "completion", s->completion);
    cJSON_AddStringToObject(o, "answer", s->answer);
    cJSON_AddNumberToObject(o, "score", s->score);
    cJSON_AddBoolToObject(o, "correct", s->correct);
    cJSON_AddNumberToObject(o, "reward", s->reward);
    cJSON_AddNumberToObject(o, "advantage", s->advantage);
    return o;
}

char *batch_sample_json(const batch_sample *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "header", header_json(&s->header));
    cJSON *images = cJSON_AddArrayToObject(root, "images");
    for (int i = 0; i < SAMPLE_IMAGES; i++)
        cJSON_AddItemToArray(images, image_json(&s->images[i]));
    cJSON *tasks = cJSON_AddArrayToObject(root, "tasks");
    for (int i = 0; i < SAMPLE_TASKS; i++)
        cJSON_AddItemToArray(tasks, task_json(&s->tasks[i]));
    cJSON *chal = cJSON_AddArrayToObject(root, "challenger_rollouts");
    for (int i = 0; i < SAMPLE_CHALLENGERS; i++)
        cJSON_AddItemToArray(chal, challenger_json(&s->challengers[i]));
    cJSON *solv = cJSON_AddArrayToObject(root, "solver_rollouts");
    for (int i = 0; i < SAMPLE_SOLVERS; i++)
        cJSON_AddItemToArray(solv, solver_json(&s->solvers[i]));
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}
