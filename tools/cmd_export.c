/* cmd_export.c - `vkeve export`: the tasks selected for solver training, in EVE's solver-data
 * JSONL, so EVE/verl pipelines consume vkeve's batches unchanged. */
#include "tools/commands.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/utf8.h"
#include "evolve/batch.h"

const char cmd_export_usage[] =
    "usage: vkeve export DIR --format eve-jsonl OUT\n\n"
    "Reads every batch file under DIR (a folder of *.vkb files, or one file) and writes the\n"
    "tasks selected for solver training (for_solver) to OUT as EVE's solver data: one JSON\n"
    "object per line, nearest pass rate 0.5 first (EVE's ranking; ties keep batch order):\n\n"
    "  {\"data_source\": \"C\",\n"
    "   \"prompt\": [{\"role\": \"user\", \"content\": \"<image><image>\\n<question>\"}],\n"
    "   \"images\": [\"/abs/path/images/<sha256>.png\", ...],\n"
    "   \"reward_model\": {\"style\": \"model\", \"ground_truth\": \"B\"},\n"
    "   \"extra_info\": {\"question\", \"answer\", \"question_type\", \"pass_rate\", "
    "\"n_samples\",\n"
    "                  \"difficulty\", \"run_id\", \"round\", \"batch_file\", \"task\"}}\n\n"
    "The prompt holds one <image> per task image (the input first), a newline, then the\n"
    "question. Images are written once each as PNG to the folder images/ beside OUT, named by\n"
    "their SHA-256, and listed by absolute path. OUT and every image are written atomically.\n"
    "A damaged batch file is named on stderr and skipped.\n\n"
    "options:\n"
    "  --format eve-jsonl   the output format (the only one, and the default)\n\n"
    "exit status: 0 all files exported, 1 a file was skipped or a write failed, 2 bad usage\n";

/* One exported task: its JSON line and its place in the ranking. */
typedef struct record {
    char *line;
    double distance; /* |pass_rate - 0.5| */
    size_t seq;      /* reading order, for stable ties */
} record;

typedef struct exporter {
    char images_dir[PATH_MAX]; /* absolute */
    record *recs;
    size_t n, cap;
    size_t images_written;
    int skipped;
} exporter;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Creates the images folder beside out and records its absolute path. */
static int prepare_images_dir(exporter *x, const char *out, errmsg *e)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(out, '/');
    int n = slash ? snprintf(dir, sizeof dir, "%.*s/images", (int)(slash - out), out)
                  : snprintf(dir, sizeof dir, "images");
    if (n < 0 || (size_t)n >= sizeof dir)
        return err_set(e, ERR_ENV, "%s: path too long", out);
    if (afile_mkdirs(dir, e))
        return e->code;
    if (!realpath(dir, x->images_dir))
        return err_set(e, ERR_FAIL, "%s: cannot resolve the folder's path", dir);
    return 0;
}

/* Writes image i of the current file unless a file of its hash is there; its path to path. */
static int write_image(exporter *x, const batch_reader *r, uint32_t i, char *path, size_t size,
                       errmsg *e)
{
    batch_image im;
    if (batch_reader_image(r, i, &im))
        return err_set(e, ERR_FAIL, "%s: image %u missing", batch_reader_path(r), (unsigned)i);
    char hex[2 * BATCH_SHA256_SIZE + 1];
    for (int k = 0; k < BATCH_SHA256_SIZE; k++)
        snprintf(hex + 2 * k, 3, "%02x", im.sha256[k]);
    if (snprintf(path, size, "%s/%s.png", x->images_dir, hex) >= (int)size)
        return err_set(e, ERR_FAIL, "%s: path too long", x->images_dir);
    if (access(path, F_OK) == 0)
        return 0;
    x->images_written++;
    return afile_save(path, im.png, im.png_size, e);
}

static void add_text(cJSON *o, const char *key, const char *text)
{
    char *clean = utf8_clean(text, strlen(text), 0);
    cJSON_AddStringToObject(o, key, clean ? clean : "");
    free(clean);
}

static cJSON *prompt_json(const batch_task *t)
{
    size_t n = strlen(t->question);
    char *content = malloc(7 * t->n_images + n + 2);
    if (!content)
        return NULL;
    char *p = content;
    for (size_t i = 0; i < t->n_images; i++)
        p += sprintf(p, "<image>");
    p += sprintf(p, "\n");
    memcpy(p, t->question, n + 1);
    cJSON *turn = cJSON_CreateObject();
    cJSON_AddStringToObject(turn, "role", "user");
    add_text(turn, "content", content);
    free(content);
    cJSON *prompt = cJSON_CreateArray();
    cJSON_AddItemToArray(prompt, turn);
    return prompt;
}

static cJSON *extra_json(const batch_reader *r, const batch_task *t, size_t index)
{
    batch_header h;
    batch_reader_header(r, &h);
    cJSON *o = cJSON_CreateObject();
    add_text(o, "question", t->question);
    add_text(o, "answer", t->answer);
    cJSON_AddNumberToObject(o, "question_type", t->question_type);
    cJSON_AddNumberToObject(o, "pass_rate", t->pass_rate);
    cJSON_AddNumberToObject(o, "n_samples", t->n_samples);
    cJSON_AddNumberToObject(o, "difficulty", 1 - 2 * fabs(t->pass_rate - 0.5));
    add_text(o, "run_id", h.run_id);
    cJSON_AddNumberToObject(o, "round", h.round);
    add_text(o, "batch_file", base_name(batch_reader_path(r)));
    cJSON_AddNumberToObject(o, "task", (double)index);
    return o;
}

static int add_record(exporter *x, char *line, double pass_rate, errmsg *e)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        record *grown = realloc(x->recs, cap * sizeof *grown);
        if (!grown) {
            free(line);
            return err_set(e, ERR_FAIL, "out of memory");
        }
        x->recs = grown;
        x->cap = cap;
    }
    x->recs[x->n] = (record){line, fabs(pass_rate - 0.5), x->n};
    x->n++;
    return 0;
}

static int export_task(exporter *x, const batch_reader *r, const batch_task *t, size_t index,
                       errmsg *e)
{
    cJSON *o = cJSON_CreateObject(), *images = cJSON_CreateArray();
    int rc = 0;
    for (size_t i = 0; i < t->n_images && !rc; i++) {
        char path[PATH_MAX + 80];
        rc = write_image(x, r, t->images[i], path, sizeof path, e);
        cJSON_AddItemToArray(images, cJSON_CreateString(path));
    }
    cJSON_AddStringToObject(o, "data_source", "C");
    cJSON_AddItemToObject(o, "prompt", prompt_json(t));
    cJSON_AddItemToObject(o, "images", images);
    cJSON *reward = cJSON_AddObjectToObject(o, "reward_model");
    cJSON_AddStringToObject(reward, "style", "model");
    add_text(reward, "ground_truth", t->answer);
    cJSON_AddItemToObject(o, "extra_info", extra_json(r, t, index));
    char *line = rc ? NULL : cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (rc)
        return rc;
    if (!line)
        return err_set(e, ERR_FAIL, "out of memory printing JSON");
    return add_record(x, line, t->pass_rate, e);
}

static int export_file(exporter *x, const batch_reader *r, errmsg *e)
{
    batch_counts n = batch_reader_counts(r);
    int rc = 0;
    for (size_t i = 0; i < n.tasks && !rc; i++) {
        batch_task t;
        batch_reader_task(r, i, &t);
        if (t.for_solver)
            rc = export_task(x, r, &t, i, e);
    }
    return rc;
}

/* Reads every batch under dir into x; a damaged file is reported and counted, not fatal. */
static int read_batches(exporter *x, const char *dir, int *files, errmsg *e)
{
    batch_reader *r = batch_reader_open(dir, e);
    if (!r)
        return e->code;
    int st, rc = 0;
    while (!rc && (st = batch_reader_next(r, e)) != BATCH_NEXT_END) {
        if (st == BATCH_NEXT_SKIPPED) {
            fprintf(stderr, "vkeve export: %s\n", e->text);
            x->skipped++;
            continue;
        }
        (*files)++;
        rc = export_file(x, r, e);
        if (rc)
            err_prefix(e, "%s: ", batch_reader_path(r));
    }
    batch_reader_close(r);
    return rc;
}

static int by_rank(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int write_jsonl(exporter *x, const char *out, errmsg *e)
{
    qsort(x->recs, x->n, sizeof *x->recs, by_rank);
    afile f;
    if (afile_open(&f, out, e))
        return e->code;
    for (size_t i = 0; i < x->n; i++) {
        afile_write(&f, x->recs[i].line, strlen(x->recs[i].line));
        afile_write(&f, "\n", 1);
    }
    return afile_commit(&f, e);
}

static int parse_args(int argc, char **argv, const char **dir, const char **out)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format")) {
            if (i + 1 >= argc)
                return cmd_usage_error("export", "--format needs a value");
            if (strcmp(argv[++i], "eve-jsonl") != 0)
                return cmd_usage_error("export", "unknown format '%s' (known: eve-jsonl)", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cmd_usage_error("export", "unknown option '%s'", argv[i]);
        } else if (n++ < 2) {
            *(n == 1 ? dir : out) = argv[i];
        } else {
            return cmd_usage_error("export", "unexpected argument '%s'", argv[i]);
        }
    }
    return n == 2 ? 0 : cmd_usage_error("export", "needs a batch folder and an output file");
}

int cmd_export(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    if (parse_args(argc, argv, &dir, &out))
        return 2;
    exporter x = {0};
    errmsg e = {0};
    int files = 0;
    int rc = prepare_images_dir(&x, out, &e);
    if (!rc)
        rc = read_batches(&x, dir, &files, &e);
    if (!rc)
        rc = write_jsonl(&x, out, &e);
    if (rc)
        fprintf(stderr, "vkeve export: %s\n", e.text);
    else
        printf("exported %zu tasks from %d batch files to %s (%zu new images in %s)\n", x.n, files,
               out, x.images_written, x.images_dir);
    for (size_t i = 0; i < x.n; i++)
        free(x.recs[i].line);
    free(x.recs);
    return rc ? rc : x.skipped ? 1 : 0;
}
