/* vqa.h - multiple-choice questions built from one valid program's four results.
 *
 * Images are named image_0 (the input) and image_1..image_4 (the results of the four argument
 * sets, in args_list order). Every question shows the function part of the program (never
 * args_list) and shows arguments as Python literals, e.g. {'angle': 45}.
 *   type 0: given one argument set, which of image_1..image_4 it produced (options A-D are
 *           the four images; images [input, r0, r1, r2, r3]; answer "A".."D");
 *   type 1: given image_1 (one result), which argument set produced it (options A-D are the
 *           argument sets in args_list order; images [input, r_k]);
 *   type 2: match image_1..image_4 to the argument sets, which are shuffled and labelled A-D;
 *           the answer is four letters ("BDAC"), scored per position.
 * The correct option (types 0, 1) and the shuffle (type 2) come from the caller's rng, so a
 * question is a pure function of the seed. The ground truth is the execution itself: result
 * k belongs to argument set k.
 *
 *     rng r = rng_make(seed, task_id);
 *     vqa_question q;
 *     if (vqa_make(0, func_part, args_reprs, &r, NULL, &q, &e)) return e.code;
 *     ... q.text, q.images[0 .. q.n_images), q.answer, q.options[0..3] ...
 *     vqa_free(&q);
 */
#ifndef VKEVE_VQA_H
#define VKEVE_VQA_H

#include "base/errmsg.h"
#include "base/rng.h"

#define VQA_N 4 /* argument sets / results / options */

typedef struct vqa_options {
    int input_w, input_h; /* > 0: state image_0's size first (EVE's Qwen2.5-VL variant) */
} vqa_options;

typedef struct vqa_question {
    int type;
    char *text;            /* the whole question, ending with how to answer (malloc'd) */
    int images[VQA_N + 1]; /* -1 = the input image, k = result k; in prompt order */
    int n_images;
    char answer[VQA_N + 1]; /* "B" or "BDAC" */
    char *options[VQA_N];   /* option texts without the letter ("image_2", "{'a': 1}") */
} vqa_question;

/* Builds a question of type 0, 1 or 2. args[k] is the repr of argument set k. opts may be
 * NULL. Returns 0, or ERR_ENV for a bad type, ERR_FAIL for out of memory (e filled). */
int vqa_make(int type, const char *func_part, const char *const args[VQA_N], rng *r,
             const vqa_options *opts, vqa_question *q, errmsg *e);

void vqa_free(vqa_question *q);

#endif
