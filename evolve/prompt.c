/* prompt.c - the Challenger's and the Solver's conversations (see prompt.h). The texts are
 * vkeve's own wording of EVE's task and requirements. */
#include "evolve/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sbuf.h"

const char *prompt_variant_name(prompt_variant v)
{
    return v == PROMPT_QWEN25 ? "qwen2.5" : "qwen3";
}

int prompt_variant_parse(const char *name, prompt_variant *out)
{
    if (!strcmp(name, "qwen3") || !strcmp(name, "qwen2"))
        *out = PROMPT_QWEN3;
    else if (!strcmp(name, "qwen2.5"))
        *out = PROMPT_QWEN25;
    else
        return -1;
    return 0;
}

prompt_variant prompt_variant_for(const char *projector)
{
    return projector && !strcmp(projector, "qwen2.5vl_merger") ? PROMPT_QWEN25 : PROMPT_QWEN3;
}

const char *prompt_think_tag(prompt_variant v)
{
    return v == PROMPT_QWEN25 ? "think" : "thinking";
}

static void requirements(sbuf *t, prompt_variant v)
{
    int n = 1;
    sbuf_printf(t, "# Requirements\n");
    sbuf_printf(
        t,
        "%d. `edit_image` takes a PIL Image as its first argument, plus keyword parameters, "
        "and returns the edited PIL Image.\n",
        n++);
    sbuf_printf(
        t,
        "%d. The code holds the imports it needs, the function `edit_image`, and, as its last "
        "statement, a list of four dicts named `args_list`. The keys of each dict are "
        "parameter names of `edit_image`.\n",
        n++);
    sbuf_printf(t,
                "%d. The four parameter sets must give four results that look clearly different.\n",
                n++);
    sbuf_printf(t, "%d. Write no comments inside `edit_image`.\n", n++);
    if (v == PROMPT_QWEN3)
        sbuf_printf(
            t,
            "%d. Give every coordinate in `args_list` relative to the image, from 0 to 1000, "
            "and convert it to pixels inside `edit_image` from the image's actual size.\n",
            n++);
    sbuf_printf(t,
                "%d. The examples only show the format. Choose operations and parameters that suit "
                "this image's content; do not copy the examples' values.\n",
                n++);
}

static char *system_text(prompt_variant v, const char *const *examples, int n_examples)
{
    sbuf t = {0};
    sbuf_printf(&t,
                "# Task\nWrite a short Python function named `edit_image` that edits the user's "
                "image, and design four different parameter sets for it.\n\n");
    requirements(&t, v);
    if (n_examples)
        sbuf_printf(&t, "\n# Examples\n");
    for (int i = 0; i < n_examples; i++)
        sbuf_printf(&t, "## Example %d\n```python\n%s\n```\n", i + 1, examples[i]);
    return t.s;
}

static char *challenger_user_text(prompt_variant v, const img *image)
{
    sbuf t = {0};
    const char *tag = prompt_think_tag(v);
    if (v == PROMPT_QWEN25)
        sbuf_printf(&t, "The input image is %dx%d pixels. ", image->w, image->h);
    sbuf_printf(&t,
                "Look carefully at the image and design an image-editing program suited to what it "
                "shows. Reason step by step inside <%s> </%s>, then give the complete code in one "
                "```python block.",
                tag, tag);
    return t.s;
}

static vlm_part text_part(const char *s)
{
    return (vlm_part){s, strlen(s), NULL};
}

int prompt_challenger(prompt_variant v, const img *image, const char *const *examples,
                      int n_examples, prompt_conv *c, errmsg *e)
{
    memset(c, 0, sizeof *c);
    if (n_examples < 0 || n_examples > 2)
        return err_set(e, ERR_ENV, "challenger prompt: %d examples (0 to 2)", n_examples);
    c->system = system_text(v, examples, n_examples);
    c->user = challenger_user_text(v, image);
    if (!c->system || !c->user) {
        prompt_conv_free(c);
        return err_set(e, ERR_FAIL, "challenger prompt: out of memory");
    }
    c->parts[0] = text_part(c->system);
    c->parts[1] = (vlm_part){NULL, 0, image};
    c->parts[2] = text_part(c->user);
    c->msgs[0] = (vlm_msg){CHAT_SYSTEM, &c->parts[0], 1};
    c->msgs[1] = (vlm_msg){CHAT_USER, &c->parts[1], 2};
    c->n_msgs = 2;
    return 0;
}

int prompt_solver(const vqa_question *q, const img *const *images, prompt_conv *c, errmsg *e)
{
    memset(c, 0, sizeof *c);
    if (q->n_images < 1 || q->n_images > VQA_N + 1 || !q->text)
        return err_set(e, ERR_ENV, "solver prompt: question with %d images", q->n_images);
    if (!(c->user = strdup(q->text)))
        return err_set(e, ERR_FAIL, "solver prompt: out of memory");
    for (int i = 0; i < q->n_images; i++)
        c->parts[i] = (vlm_part){NULL, 0, images[i]};
    c->parts[q->n_images] = text_part(c->user);
    c->msgs[0] = (vlm_msg){CHAT_USER, c->parts, q->n_images + 1};
    c->n_msgs = 1;
    return 0;
}

void prompt_conv_free(prompt_conv *c)
{
    free(c->system);
    free(c->user);
    memset(c, 0, sizeof *c);
}
