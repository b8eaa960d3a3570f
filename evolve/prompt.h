/* prompt.h - the two conversations the loop shows a model: the Challenger's (write an image
 * editing program for this image) and the Solver's (answer this question about these images).
 *
 * Challenger: a system message stating the task, the requirements and one or two example
 * programs from the code queue, then a user message holding the image followed by the
 * instruction to reason inside think tags and give the code in one ```python block (the
 * method of EVE, in vkeve's own words). Two variants, as EVE has:
 *   PROMPT_QWEN3   coordinates in args_list are relative, 0 to 1000, converted to pixels inside
 *                  edit_image; the image size is not stated; tags <thinking></thinking>.
 *                  Qwen2-VL and Qwen3-VL ground objects in 0..1000 coordinates.
 *   PROMPT_QWEN25  the image size is stated ("The input image is 448x336 pixels."); tags
 *                  <think></think>. Qwen2.5-VL grounds objects in absolute pixels.
 * prompt_variant_for picks the variant from the vision projector's name.
 *
 * Solver: one user message holding the question's images in its order (image_0 the input,
 * then the results the question names, see evolve/vqa.h), then the question text.
 *
 *     prompt_conv c;
 *     const char *ex[2] = {queue.items[i].code, queue.items[j].code};
 *     if (prompt_challenger(PROMPT_QWEN3, image, ex, 2, &c, &e)) return e.code;
 *     vlm_prompt p;
 *     vlm_prompt_make(v, c.msgs, c.n_msgs, &p, &e);
 *     prompt_conv_free(&c);                       // once the prompt is made
 *
 *     const img *imgs[5] = {input, out0, out1, out2, out3};   // vqa's q.images order
 *     prompt_solver(&q, imgs, &c, &e);
 */
#ifndef VKEVE_PROMPT_H
#define VKEVE_PROMPT_H

#include "base/errmsg.h"
#include "evolve/vlm.h"
#include "evolve/vqa.h"
#include "vision/img.h"

typedef enum prompt_variant { PROMPT_QWEN3, PROMPT_QWEN25 } prompt_variant;

/* "qwen3" or "qwen2.5". */
const char *prompt_variant_name(prompt_variant v);
/* Parses "qwen3" / "qwen2.5" (also "qwen2" for PROMPT_QWEN3, Qwen2-VL's convention); returns
 * 0, or -1 for an unknown name. */
int prompt_variant_parse(const char *name, prompt_variant *out);
/* PROMPT_QWEN25 for the "qwen2.5vl_merger" projector, PROMPT_QWEN3 otherwise (NULL too). */
prompt_variant prompt_variant_for(const char *projector);
/* The reasoning tag the variant asks for, without brackets: "thinking" or "think" (what
 * valid_options.think_tag must be for the format reward). */
const char *prompt_think_tag(prompt_variant v);

/* The most parts one message has: the Solver's five images and its text. */
#define PROMPT_MAX_PARTS (VQA_N + 2)

/* A conversation; its messages point into the struct itself, so it must not be copied. */
typedef struct prompt_conv {
    vlm_msg msgs[2];
    int n_msgs;
    vlm_part parts[PROMPT_MAX_PARTS]; /* the user message's parts */
    char *system, *user;              /* owned texts (system NULL for the Solver) */
} prompt_conv;

/* The Challenger's conversation about image (which must outlive c), with n_examples (0 to 2)
 * whole queue programs as examples. ERR_FAIL on out of memory, ERR_ENV for n_examples > 2. */
int prompt_challenger(prompt_variant v, const img *image, const char *const *examples,
                      int n_examples, prompt_conv *c, errmsg *e);

/* The Solver's conversation for q; images[i] is the image q.images[i] names (q.n_images of
 * them, in order). */
int prompt_solver(const vqa_question *q, const img *const *images, prompt_conv *c, errmsg *e);

void prompt_conv_free(prompt_conv *c);

#endif
