/* vqa.c - the three question types (see vqa.h). The texts are vkeve's own wording. */
#include "evolve/vqa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"

static void intro(sbuf *t, const char *func, const vqa_options *o, int one_result)
{
    if (o && o->input_w > 0 && o->input_h > 0)
        sbuf_printf(t, "image_0 is %dx%d pixels.\n", o->input_w, o->input_h);
    if (one_result)
        sbuf_printf(t,
                    "image_0 is the original picture. image_1 was made from it by the Python "
                    "function `edit_image` below, called with one of the argument sets listed as "
                    "options.\n");
    else
        sbuf_printf(t,
                    "image_0 is the original picture. image_1, image_2, image_3 and image_4 were "
                    "made from it by the Python function `edit_image` below, each with a different "
                    "argument set.\n");
    sbuf_printf(t, "\n```python\n%s\n```\n\n", func);
}

static void guidance(sbuf *t, int sequence)
{
    sbuf_printf(
        t, "\nFirst work out what the code does and how each argument changes its result; then "
           "look closely at every image and decide from concrete visual details.\n");
    if (sequence)
        sbuf_printf(t,
                    "Put the four letters in order inside \\boxed{}, for example \\boxed{BDAC}.");
    else
        sbuf_printf(t, "Answer with the letter of the correct option inside \\boxed{}, for example "
                       "\\boxed{A}.");
}

static int set_options(vqa_question *q, const char *const texts[VQA_N])
{
    for (int i = 0; i < VQA_N; i++)
        if (!(q->options[i] = strdup(texts[i])))
            return -1;
    return 0;
}

static void type0(sbuf *t, const char *const args[VQA_N], rng *r, vqa_question *q)
{
    int k = (int)rng_below(r, VQA_N);
    sbuf_printf(t,
                "Which image is the result of calling edit_image on image_0 with the arguments "
                "`%s`?\n\nOptions:\n",
                args[k]);
    for (int i = 0; i < VQA_N; i++)
        sbuf_printf(t, "%c. image_%d\n", 'A' + i, i + 1);
    q->images[0] = -1;
    for (int i = 0; i < VQA_N; i++)
        q->images[i + 1] = i;
    q->n_images = VQA_N + 1;
    q->answer[0] = (char)('A' + k);
}

static void type1(sbuf *t, const char *const args[VQA_N], rng *r, vqa_question *q)
{
    int k = (int)rng_below(r, VQA_N);
    sbuf_printf(t, "Which argument set produces image_1?\n\nOptions:\n");
    for (int i = 0; i < VQA_N; i++)
        sbuf_printf(t, "%c. %s\n", 'A' + i, args[i]);
    q->images[0] = -1;
    q->images[1] = k;
    q->n_images = 2;
    q->answer[0] = (char)('A' + k);
}

/* Argument set perm[j] is shown as letter j; result k's answer is the letter showing set k. */
static void type2(sbuf *t, const char *const args[VQA_N], rng *r, vqa_question *q,
                  const char *shown[VQA_N])
{
    int perm[VQA_N] = {0, 1, 2, 3};
    for (int i = VQA_N - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint32_t)i + 1), tmp = perm[i];
        perm[i] = perm[j], perm[j] = tmp;
    }
    sbuf_printf(t, "The four argument sets, in shuffled order:\n");
    for (int j = 0; j < VQA_N; j++) {
        sbuf_printf(t, "%c. %s\n", 'A' + j, args[perm[j]]);
        shown[j] = args[perm[j]];
        q->answer[perm[j]] = (char)('A' + j);
    }
    sbuf_printf(t,
                "\nFor image_1, image_2, image_3 and image_4 in turn, which argument set produced "
                "it? Answer with four letters, one per image.\n");
    q->images[0] = -1;
    for (int i = 0; i < VQA_N; i++)
        q->images[i + 1] = i;
    q->n_images = VQA_N + 1;
}

int vqa_make(int type, const char *func_part, const char *const args[VQA_N], rng *r,
             const vqa_options *opts, vqa_question *q, errmsg *e)
{
    memset(q, 0, sizeof *q);
    if (type < 0 || type > 2)
        return err_set(e, ERR_ENV, "question type %d: must be 0, 1 or 2", type);
    q->type = type;
    sbuf t = {0};
    const char *images[VQA_N] = {"image_1", "image_2", "image_3", "image_4"};
    const char *shown[VQA_N];
    intro(&t, func_part, opts, type == 1);
    if (type == 0)
        type0(&t, args, r, q);
    else if (type == 1)
        type1(&t, args, r, q);
    else
        type2(&t, args, r, q, shown);
    guidance(&t, type == 2);
    q->text = t.s;
    int bad = t.oom || set_options(q, type == 0 ? images : type == 1 ? args : shown);
    if (bad) {
        vqa_free(q);
        return err_set(e, ERR_FAIL, "question type %d: out of memory", type);
    }
    return 0;
}

void vqa_free(vqa_question *q)
{
    free(q->text);
    for (int i = 0; i < VQA_N; i++)
        free(q->options[i]);
    memset(q, 0, sizeof *q);
}
