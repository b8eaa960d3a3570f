/* export_fixture.c - writes batch files for the `vkeve export` test (tests/export.cmake):
 *     export_fixture DIR
 * Two files of round 1 with real PNG images (evolve/seedimg.h), shared between tasks, and
 * tasks of every question type with pass rates that tie, measured and unmeasured, selected
 * for solver training or not, and non-ASCII question text. What the export must contain is
 * worked out by tests/reference/export_check.py from the files themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/batch.h"
#include "evolve/seedimg.h"
#include "vision/img_io.h"

enum { N_PICTURES = 6 };

typedef struct picture {
    uint8_t *png;
    size_t n;
    int w, h;
} picture;

typedef struct spec {
    int type;
    int images[5]; /* pictures, -1 ends */
    const char *answer;
    float pass_rate;
    uint32_t n_samples;
    int for_solver;
} spec;

/* Six tasks end the first file (max_records 6); the rest go to the second. */
static const spec TASKS[] = {
    {0, {0, 1, 2, 3, 4}, "B", 0.5f, 6, 1},     {1, {0, 3, -1}, "D", 2.0f / 6, 6, 1},
    {0, {0, 1, 2, 3, 4}, "A", 1.0f, 6, 0},     {1, {0, 2, -1}, "C", 0.0f, 6, 0},
    {2, {5, 1, 2, 3, 4}, "BDAC", 0.5f, 6, 1},  {1, {5, 1, -1}, "A", -1.0f, 0, 0},
    {0, {5, 4, 3, 2, 1}, "C", 4.0f / 6, 6, 1}, {1, {5, 4, -1}, "B", 5.0f / 6, 6, 1},
    {2, {0, 4, 3, 2, 1}, "ADCB", 0.75f, 8, 1},
};
enum { N_TASKS = sizeof TASKS / sizeof TASKS[0] };

static int add_task(batch_writer *w, const picture *pics, int k, errmsg *e)
{
    const spec *s = &TASKS[k];
    uint32_t idx[5];
    size_t n = 0;
    for (; n < 5 && s->images[n] >= 0; n++) {
        const picture *p = &pics[s->images[n]];
        batch_image im = {.png = p->png,
                          .png_size = p->n,
                          .width = (uint32_t)p->w,
                          .height = (uint32_t)p->h,
                          .name = n ? "" : "seed.png"};
        if (batch_writer_add_image(w, &im, &idx[n], e))
            return 1;
    }
    char question[512];
    snprintf(question, sizeof question,
             "Task %d (\xe5\x9b\xbe\xe5\x83\x8f \xe2\x9c\x93): which option? \"quoted\"\n"
             "```python\ndef edit_image(img, k):\n    return img\n```\nOptions:\nA. one\n",
             k);
    batch_task t = {.question_type = (uint8_t)s->type,
                    .question = question,
                    .images = idx,
                    .n_images = n,
                    .answer = s->answer,
                    .program = "x = 1\n",
                    .args = {"{'k': 1}", "{'k': 2}", "{'k': 3}", "{'k': 4}"},
                    .source_image = (int32_t)idx[0],
                    .challenger_rollout = -1,
                    .pass_rate = s->pass_rate,
                    .n_samples = s->n_samples,
                    .for_solver = s->for_solver};
    return batch_writer_add_task(w, &t, NULL, e) || batch_writer_end_unit(w, e);
}

static int make_pictures(picture *pics, errmsg *e)
{
    for (int i = 0; i < N_PICTURES; i++) {
        img *im = NULL;
        if (seedimg_render(i, 5, &im, e))
            return 1;
        pics[i].w = im->w;
        pics[i].h = im->h;
        int rc = img_encode_png(im, &pics[i].png, &pics[i].n, e);
        img_free(im);
        if (rc)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: export_fixture DIR\n");
        return 2;
    }
    picture pics[N_PICTURES] = {0};
    errmsg e = {0};
    batch_header h = {.run_id = "export-test", .round = 1, .created_unix_ms = 1, .seed = 9};
    batch_writer_opts o = batch_writer_defaults();
    o.max_records = 6;
    batch_writer *w = NULL;
    int rc = make_pictures(pics, &e);
    if (!rc)
        rc = !(w = batch_writer_open(argv[1], &h, &o, &e));
    for (int k = 0; k < N_TASKS && !rc; k++)
        rc = add_task(w, pics, k, &e);
    if (w && batch_writer_close(w, rc ? NULL : &e))
        rc = 1;
    for (int i = 0; i < N_PICTURES; i++)
        free(pics[i].png);
    if (rc)
        fprintf(stderr, "export_fixture: %s\n", e.text);
    return rc ? 1 : 0;
}
