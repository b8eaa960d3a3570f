/* test_run_unit.c - the parts of the main job that need no model: the Challenger's and
 * Solver's conversations (both prompt variants), the image order of a round (a function of
 * seed, round and names only), input image preparation, and the worker pool. `vkeve run`
 * itself is tested end to end by tests/run.cmake.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/pool.h"
#include "evolve/prompt.h"
#include "evolve/round.h"
#include "evolve/vqa.h"
#include "tests/testutil.h"

static const char *message_text(const vlm_msg *m)
{
    for (int i = 0; i < m->n_parts; i++)
        if (m->parts[i].text)
            return m->parts[i].text;
    return "";
}

static void test_challenger_prompts(void)
{
    errmsg e = {0};
    img *im = img_new(64, 48, IMG_RGB, NULL, &e);
    const char *ex[2] = {"def edit_image(img):\n    return img\n\nargs_list = [{}]", "EXAMPLE_TWO"};
    prompt_conv c;
    T_CHECK(!prompt_challenger(PROMPT_QWEN3, im, ex, 2, &c, &e), "qwen3 prompt: %s", e.text);
    T_CHECK(c.n_msgs == 2 && c.msgs[0].role == CHAT_SYSTEM && c.msgs[1].role == CHAT_USER,
            "system then user");
    T_CHECK(c.msgs[1].n_parts == 2 && c.msgs[1].parts[0].image == im && c.msgs[1].parts[1].text,
            "the image comes before the instruction");
    const char *sys = message_text(&c.msgs[0]), *user = message_text(&c.msgs[1]);
    T_CHECK(strstr(sys, "# Task") && strstr(sys, "# Requirements") && strstr(sys, "# Examples"),
            "system sections: %s", sys);
    T_CHECK(strstr(sys, "## Example 1\n```python\ndef edit_image") &&
                strstr(sys, "## Example 2\n```python\nEXAMPLE_TWO\n```"),
            "examples as python blocks");
    T_CHECK(strstr(sys, "0 to 1000") != NULL, "qwen3: relative coordinates required");
    T_CHECK(strstr(user, "<thinking>") && !strstr(user, "pixels"), "qwen3 user text: %s", user);
    T_CHECK(strlen(sys) == c.msgs[0].parts[0].len, "part length");
    prompt_conv_free(&c);

    T_CHECK(!prompt_challenger(PROMPT_QWEN25, im, ex, 1, &c, &e), "qwen2.5 prompt");
    sys = message_text(&c.msgs[0]), user = message_text(&c.msgs[1]);
    T_CHECK(!strstr(sys, "0 to 1000") && !strstr(sys, "EXAMPLE_TWO") &&
                !strstr(sys, "## Example 2"),
            "qwen2.5: no relative rule, one example");
    T_CHECK(!strncmp(user, "The input image is 64x48 pixels.", 32) && strstr(user, "<think>"),
            "qwen2.5 user text: %s", user);
    prompt_conv_free(&c);

    T_CHECK(!prompt_challenger(PROMPT_QWEN3, im, NULL, 0, &c, &e) &&
                !strstr(message_text(&c.msgs[0]), "Example"),
            "no examples, no examples section");
    prompt_conv_free(&c);
    T_CHECK(prompt_challenger(PROMPT_QWEN3, im, ex, 3, &c, &e) == ERR_ENV, "three examples");
    img_free(im);

    prompt_variant v;
    T_CHECK(prompt_variant_for("qwen2.5vl_merger") == PROMPT_QWEN25 &&
                prompt_variant_for("qwen2vl_merger") == PROMPT_QWEN3 &&
                prompt_variant_for(NULL) == PROMPT_QWEN3,
            "variant by projector");
    T_CHECK(!prompt_variant_parse("qwen2.5", &v) && v == PROMPT_QWEN25 &&
                prompt_variant_parse("qwen4", &v) == -1,
            "variant names");
    T_CHECK(!strcmp(prompt_think_tag(PROMPT_QWEN3), "thinking") &&
                !strcmp(prompt_think_tag(PROMPT_QWEN25), "think"),
            "think tags");
}

static void test_solver_prompt(void)
{
    errmsg e = {0};
    const char *args[VQA_N] = {"{'a': 1}", "{'a': 2}", "{'a': 3}", "{'a': 4}"};
    rng r = rng_make(5, 1);
    vqa_question q;
    T_CHECK(!vqa_make(0, "def edit_image(img, a):\n    return img", args, &r, NULL, &q, &e),
            "question: %s", e.text);
    img *ims[VQA_N + 1];
    for (int i = 0; i < VQA_N + 1; i++)
        ims[i] = img_new(8 + i, 8, IMG_RGB, NULL, &e);
    prompt_conv c;
    T_CHECK(!prompt_solver(&q, (const img *const *)ims, &c, &e), "solver prompt: %s", e.text);
    T_CHECK(c.n_msgs == 1 && c.msgs[0].role == CHAT_USER && c.msgs[0].n_parts == q.n_images + 1,
            "one user message, images then text");
    for (int i = 0; i < q.n_images; i++)
        T_CHECK(c.msgs[0].parts[i].image == ims[i], "image %d in order", i);
    T_CHECK(!strcmp(c.msgs[0].parts[q.n_images].text, q.text), "the question text");
    prompt_conv_free(&c);
    for (int i = 0; i < VQA_N + 1; i++)
        img_free(ims[i]);
    vqa_free(&q);
}

static void test_order(void)
{
    errmsg e = {0};
    const char *names[20], *reversed[20];
    char buf[20][16];
    for (int i = 0; i < 20; i++) {
        snprintf(buf[i], sizeof buf[i], "img-%02d.png", i);
        names[i] = buf[i], reversed[19 - i] = buf[i];
    }
    size_t a[20], b[20], c[20], d[20];
    T_CHECK(!round_order(names, 20, 9, 0, a, &e) && !round_order(reversed, 20, 9, 0, b, &e),
            "order: %s", e.text);
    int same = 1, moved = 0;
    for (int i = 0; i < 20; i++)
        same &= !strcmp(names[a[i]], reversed[b[i]]);
    T_CHECK(same, "the order depends on the names, not on how they were listed");
    round_order(names, 20, 10, 0, c, &e);
    round_order(names, 20, 9, 1, d, &e);
    int diff_seed = 0, diff_round = 0;
    for (int i = 0; i < 20; i++) {
        diff_seed |= a[i] != c[i], diff_round |= a[i] != d[i];
        moved |= a[i] != (size_t)i;
    }
    T_CHECK(diff_seed && diff_round && moved, "seed and round shuffle the order");
    names[3] = names[7];
    T_CHECK(round_order(names, 20, 9, 0, a, &e) == ERR_ENV && strstr(e.text, "img-07.png"),
            "duplicate names: %s", e.text);
}

static void test_prepare(void)
{
    errmsg e = {0};
    vpre_params p = vpre_params_eve();
    uint8_t fill[4] = {10, 200, 30, 0};
    img *rgba = img_new(1000, 700, IMG_RGBA, fill, &e);
    img *out = round_prepare_image(rgba, &p, &e);
    T_CHECK(out && out->mode == IMG_RGB && out->w % 28 == 0 && out->h % 28 == 0 &&
                (long)out->w * out->h <= p.max_pixels && (long)out->w * out->h >= p.min_pixels,
            "RGB, multiples of 28, within bounds: %dx%d", out ? out->w : 0, out ? out->h : 0);
    T_CHECK(out && out->px[0] == 10 && out->px[1] == 200 && out->px[2] == 30, "alpha dropped");
    img_free(out);
    img_free(rgba);
    img *thin = img_new(2000, 5, IMG_RGB, NULL, &e);
    T_CHECK(!round_prepare_image(thin, &p, &e) && e.text[0], "aspect ratio over 200 refused");
    img_free(thin);
}

static atomic_int counter;

static void bump(void *arg)
{
    atomic_fetch_add(&counter, *(int *)arg);
}

static void test_pool(void)
{
    errmsg e = {0};
    int one = 1;
    for (int threads = 0; threads <= 3; threads += 3) {
        pool *p = pool_new(threads, &e);
        T_CHECK(p != NULL, "pool of %d: %s", threads, e.text);
        atomic_store(&counter, 0);
        for (int i = 0; p && i < 100; i++)
            pool_submit(p, bump, &one, &e);
        if (p)
            pool_wait(p);
        T_CHECK(atomic_load(&counter) == 100, "%d threads ran %d of 100 jobs", threads,
                atomic_load(&counter));
        pool_free(p);
    }
    T_CHECK(!pool_new(-1, &e) && e.code == ERR_ENV, "negative thread count");
}

int main(void)
{
    test_challenger_prompts();
    test_solver_prompt();
    test_order();
    test_prepare();
    test_pool();
    return t_finish();
}
