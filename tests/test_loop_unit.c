/* test_loop_unit.c - the loop's rule-based parts on hand-made cases whose answers are known:
 * code extraction and validity of real programs run in the sandbox (one program per
 * rejection reason), questions, answer reading on a table of model-style answers, rewards
 * and advantages (worked by hand), and the code queue (admission, order, persistence,
 * sampling).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/rng.h"
#include "evolve/answer.h"
#include "evolve/prog/prog.h"
#include "evolve/queue.h"
#include "evolve/reward.h"
#include "evolve/valid.h"
#include "evolve/vqa.h"
#include "tests/testutil.h"
#include "vision/img_io.h"

/* ---- extraction and text rules ---- */

static void test_extraction(void)
{
    const char *c = "<thinking>plan</thinking>\n```python\nx = 1\n```\ntext\n```python\n"
                    "def edit_image(img, a):\n    return img\nargs_list = [{'a': 1}]\n```";
    char *code = valid_extract_code(c);
    T_CHECK(code && !strncmp(code, "def edit_image", 14), "last block: %s", code);
    char *func = valid_func_part(code);
    T_CHECK(func && !strcmp(func, "def edit_image(img, a):\n    return img"), "func: [%s]", func);
    valid_options o = valid_default_options();
    T_CHECK(valid_format(c, code, &o) == 1.0, "format with one thinking pair");
    T_CHECK(valid_format("<thinking></thinking><thinking>", code, &o) == 0.0, "two tags");
    free(code), free(func);
    T_CHECK(!valid_extract_code("no code here"), "no fence gives no code");
    T_CHECK(!valid_extract_code("```python\n  \n```"), "empty block gives no code");
    code = valid_extract_code("```python\nx = 1\n```</think>```python\ny = 2");
    T_CHECK(code && !strcmp(code, "y = 2"), "after </think>, unclosed fence: %s", code);
    free(code);
    func = valid_func_part("import math\nargs_list=[1]\nargs_list = [2]");
    T_CHECK(!strcmp(func, "import math\nargs_list=[1]"), "'args_list =' wins: %s", func);
    free(func);
    T_CHECK(valid_comment_marks("# a\nc = '#FF0000'\n\"\"\"doc\"\"\" '''") == 5, "marks");
    T_CHECK(valid_chars("é#") == 2, "code points");
    T_CHECK(valid_rotates("img.rotate(45)") && !valid_rotates("rotate(45)"), "rotates");
    const char *marked = "<thinking>x</thinking>```python\n# a\n# b\n# c\nargs_list = []\n```";
    code = valid_extract_code(marked);
    T_CHECK(valid_format(marked, code, &o) == 0.0, "3 comment marks zero the format");
    free(code);
}

/* ---- validity of real programs ---- */

typedef struct prog_case_t {
    const char *src;
    valid_reason want;
} prog_case_t;

#define HEAD "from PIL import Image, ImageDraw, ImageOps\n"
static const prog_case_t PROGRAMS[] = {
    {HEAD "def edit_image(img, angle):\n    return img.rotate(angle, expand=True)\n"
          "args_list = [{'angle': 15}, {'angle': 45}, {'angle': 90}, {'angle': 180}]\n",
     VALID_OK},
    {HEAD "def edit_image(img, k):\n    return img.crop((0, 0, 40 * k, 40 * k))\n"
          "args_list = [{'k': 4}, {'k': 5}, {'k': 6}, {'k': 1}]\n",
     VALID_TOO_SMALL},
    {HEAD "def edit_image(img, k):\n    return img.resize((1100, 1000 + k))\n"
          "args_list = [{'k': 4}, {'k': 5}, {'k': 6}, {'k': 1}]\n",
     VALID_TOO_LARGE},
    {HEAD "def edit_image(img, k):\n    return img\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 3}]\n",
     VALID_ARGS_COUNT},
    {HEAD "def edit_image(img, k):\n    return ImageOps.posterize(img, k)\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 1}, {'k': 4}]\n",
     VALID_ARGS_DUPLICATE},
    {HEAD "def edit_image(img, k):\n    return img if k < 3 else img.transpose(k)\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 3}, {'k': 4}]\n",
     VALID_SAME_IMAGES},
    {HEAD "def edit_image(img, k):\n    return Image.new('RGB', img.size, (k, k, k))\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 3}, {'k': 4}]\n",
     VALID_TOO_DARK},
    {HEAD "def edit_image(img, k):\n    return Image.new('RGBA', img.size, (200, 0, 0, k))\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 3}, {'k': 4}]\n",
     VALID_TRANSPARENT},
    {HEAD "def edit_image(img, k):\n    return img.crop((k, 0, 100, 100)) if k else 1 / k\n"
          "args_list = [{'k': 1}, {'k': 2}, {'k': 0}, {'k': 4}]\n",
     VALID_CASE_FAILED},
    {HEAD "def edit_image(img, k) return img\nargs_list = []\n", VALID_PROGRAM_FAILED},
};

static void test_programs(void)
{
    errmsg e;
    img *input = img_load(t_data_path("../assets/test_333x250.png"), 0, &e);
    T_CHECK(input != NULL, "input: %s", e.text);
    if (!input)
        return;
    valid_options o = valid_default_options();
    for (size_t i = 0; i < sizeof PROGRAMS / sizeof PROGRAMS[0]; i++) {
        prog_result r;
        T_CHECK(!prog_run(PROGRAMS[i].src, strlen(PROGRAMS[i].src), input, NULL, &r, &e), "run: %s",
                e.text);
        valid_report rep;
        T_CHECK(!valid_check(PROGRAMS[i].src, &r, &o, &rep, &e), "check: %s", e.text);
        T_CHECK(rep.reason == PROGRAMS[i].want, "program %zu: %s (%s), want %s", i,
                valid_reason_name(rep.reason), rep.message, valid_reason_name(PROGRAMS[i].want));
        prog_result_free(&r);
    }
    /* a long function part: one character past the limit */
    char *src = malloc(4096);
    snprintf(src, 4096,
             HEAD "def edit_image(img, k):\n    return img.rotate(k)\nargs_list = "
                  "[{'k': 10}, {'k': 20}, {'k': 30}, {'k': 40}]\n");
    prog_result r;
    prog_run(src, strlen(src), input, NULL, &r, &e);
    valid_report rep;
    char *func = valid_func_part(src);
    o.max_chars = (long)valid_chars(func) - 1;
    free(func);
    valid_check(src, &r, &o, &rep, &e);
    T_CHECK(rep.reason == VALID_CODE_TOO_LONG, "long function part: %s",
            valid_reason_name(rep.reason));
    o.max_chars += 1;
    valid_check(src, &r, &o, &rep, &e);
    T_CHECK(rep.reason == VALID_OK, "rotation program: %s", rep.message);
    T_CHECK(valid_check("", &r, &o, &rep, &e) == 0 && rep.reason == VALID_NO_CODE, "no code");
    prog_result_free(&r);
    free(src);
    img_free(input);
}

/* ---- questions ---- */

static void test_questions(void)
{
    const char *args[4] = {"{'angle': 15}", "{'angle': 45}", "{'angle': 90}", "{'angle': 180}"};
    const char *func = "def edit_image(img, angle):\n    return img.rotate(angle)";
    int seen[3][4] = {{0}};
    for (int t = 0; t < 3; t++)
        for (uint64_t s = 0; s < 40; s++) {
            rng r = rng_make(s, 7), r2 = rng_make(s, 7);
            vqa_question q, q2;
            errmsg e;
            T_CHECK(!vqa_make(t, func, args, &r, NULL, &q, &e), "vqa: %s", e.text);
            vqa_make(t, func, args, &r2, NULL, &q2, &e);
            T_CHECK(!strcmp(q.text, q2.text) && !strcmp(q.answer, q2.answer), "deterministic");
            T_CHECK(strstr(q.text, func) && !strstr(q.text, "args_list"), "shows func only");
            T_CHECK(strstr(q.text, "\\boxed{"), "asks for a box");
            if (t == 0) {
                int k = q.answer[0] - 'A';
                T_CHECK(strstr(q.text, args[k]) && q.n_images == 5, "type 0 asks about args[k]");
            } else if (t == 1) {
                T_CHECK(q.n_images == 2 && q.images[1] == q.answer[0] - 'A', "type 1 image");
            } else {
                for (int i = 0; i < 4; i++) {
                    char line[64];
                    snprintf(line, sizeof line, "%c. %s\n", q.answer[i], args[i]);
                    T_CHECK(strstr(q.text, line) != NULL, "type 2: %s missing", line);
                }
            }
            seen[t][q.answer[0] - 'A']++;
            vqa_free(&q), vqa_free(&q2);
        }
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 4; k++)
            T_CHECK(seen[t][k] > 0, "type %d never answers %c in 40 seeds", t, 'A' + k);
    rng r = rng_make(1, 1);
    vqa_question q;
    errmsg e;
    vqa_options o = {333, 250};
    vqa_make(1, func, args, &r, &o, &q, &e);
    T_CHECK(!strncmp(q.text, "image_0 is 333x250 pixels.", 26), "size prefix");
    vqa_free(&q);
    T_CHECK(vqa_make(3, func, args, &r, NULL, &q, &e) == ERR_ENV, "type 3 is refused");
}

/* ---- answers ---- */

typedef struct answer_row {
    int type;
    const char *completion;
    const char *truth;
    double score;
} answer_row;

static const answer_row ANSWERS[] = {
    {0, "The rotation is larger here. \\boxed{B}", "B", 1},
    {0, "\\boxed{(B)}", "B", 1},
    {0, "\\boxed{B.}", "B", 1},
    {0, "\\boxed{B. image_2}", "B", 1},
    {0, "\\boxed{image_2}", "B", 1},
    {0, "\\boxed{image_3}", "B", 0},
    {0, "\\boxed{\\text{B}}", "B", 1},
    {0, "\\boxed{**B**}", "B", 1},
    {0, "\\boxed{Answer: B}", "B", 1},
    {0, "\\boxed{Option C}", "C", 1},
    {0, "first \\boxed{A} then \\boxed{D}", "D", 1},
    {0, "\\boxed{A or B}", "A", 1},
    {0, "\\boxed{I think B, not A}", "B", 0},
    {0, "no box, B", "B", 0},
    {0, "\\boxed{b}", "B", 1},
    {0, "\\boxed{E}", "B", 0},
    {0, "\\boxed{B", "B", 0},
    {0, "\\boxed{image_20}", "B", 0},
    {0, "\\boxed{ D }", "D", 1},
    {1, "\\boxed{{'angle': 45}}", "B", 1},
    {1, "\\boxed{C. {'angle': 45}}", "C", 1},
    {1, "\\boxed{{'angle': 450}}", "B", 0},
    {2, "\\boxed{BDAC}", "BDAC", 1},
    {2, "\\boxed{B, D, A, C}", "BDAC", 1},
    {2, "\\boxed{[B][D][C][A]}", "BDAC", 0.5},
    {2, "\\boxed{2 4 1 3}", "BDAC", 1},
    {2, "\\boxed{image_1: B, image_2: D, image_3: A, image_4: C}", "BDAC", 1},
    {2, "\\boxed{ABCD}", "BDAC", 0},
    {2, "\\boxed{AAAB}", "ABCD", 0},
    {2, "\\boxed{AABB}", "ABCD", 0.25},
    {2, "\\boxed{BDA}", "BDAC", 0},
    {2, "\\boxed{B D A C D}", "BDAC", 0},
    {2, "\\boxed{B D 1 3}", "BDAC", 0},
};

static void test_answers(void)
{
    const char *images[4] = {"image_1", "image_2", "image_3", "image_4"};
    const char *args[4] = {"{'angle': 15}", "{'angle': 45}", "{'angle': 90}", "{'angle': 180}"};
    for (size_t i = 0; i < sizeof ANSWERS / sizeof ANSWERS[0]; i++) {
        const answer_row *a = &ANSWERS[i];
        double s = ans_score(a->type, a->completion, a->truth, a->type == 0 ? images : args);
        T_CHECK(s == a->score, "row %zu %s: score %g, want %g", i, a->completion, s, a->score);
    }
    char *box = ans_boxed("x \\boxed{\\frac{1}{2}} y");
    T_CHECK(box && !strcmp(box, "\\frac{1}{2}"), "nested braces: %s", box);
    free(box);
    T_CHECK(ans_format("reasoning \\boxed{A}") == 1.0, "format with reasoning");
    T_CHECK(ans_format("  \\boxed{A}") == 0.5, "format without reasoning");
    T_CHECK(ans_format("A") == 0.0, "format without a box");
}

/* ---- rewards ---- */

static void test_rewards(void)
{
    rew_options o = rew_default_options();
    double p[2] = {0.5, 1.0 / 6};
    T_CHECK(fabs(rew_difficulty(p, 2) - (1.0 + 1.0 / 3) / 2) < 1e-15, "difficulty");
    T_CHECK(rew_difficulty_of(0.0) == 0.0 && rew_difficulty_of(1.0) == 0.0, "extremes");
    T_CHECK(fabs(rew_challenger(1, 1, 0.5, 0.3, &o) - 0.5) < 1e-15, "challenger 0.2+0.4+0.2-0.3");
    T_CHECK(fabs(rew_challenger(1, 0, 0, 0, &o) - 0.2) < 1e-15, "format only");
    T_CHECK(fabs(rew_solver(0.5, 1, &o) - 0.9) < 1e-15, "solver");
    /* group 7: 1, 2, 3 (mean 2, unbiased std 1); group 3: 5, 5; group 9: one reward 0.4 */
    double r[6] = {1, 5, 2, 5, 3, 0.4}, adv[6];
    long g[6] = {7, 3, 7, 3, 7, 9};
    errmsg e;
    T_CHECK(!rew_advantages(r, g, 6, &o, adv, &e), "advantages: %s", e.text);
    double want[6] = {-1 / (1 + 1e-6), 0, 0, 0, 1 / (1 + 1e-6), 0.4 / (1 + 1e-6)};
    for (int i = 0; i < 6; i++)
        T_CHECK(fabs(adv[i] - want[i]) < 1e-15, "advantage %d: %.17g, want %.17g", i, adv[i],
                want[i]);
}

/* ---- queue ---- */

static char *program(const char *body, int variant)
{
    char *s = malloc(1024);
    snprintf(s, 1024, "def edit_image(img, k):\n    %s\nargs_list = [{'k': %d}]", body, variant);
    return s;
}

static void test_queue(void)
{
    queue q;
    queue_init(&q);
    queue_options o = queue_default_options();
    errmsg e;
    queue_verdict v;
    o.k = 3;
    queue_add_seed(&q, "def edit_image(img, a):\n    return img.rotate(a)\nargs_list = []", &e);
    /* long, unrelated bodies: the shared signature alone keeps BLEU under 0.25 */
    const char *bodies[] = {
        "w, h = img.size\n    box = (w // k, h // k, w - w // k, h - h // k)\n"
        "    small = img.crop(box)\n    return small.resize((w, h), Image.BICUBIC)",
        "levels = max(1, min(8, k))\n    gray = ImageOps.grayscale(img)\n"
        "    poster = ImageOps.posterize(gray.convert('RGB'), levels)\n    return poster",
        "d = ImageDraw.Draw(img)\n    for i in range(k):\n"
        "        d.line((0, i * 9, img.width, i * 9), fill=(255, 0, 0), width=2)\n    return img",
        "enh = ImageEnhance.Contrast(img)\n    out = enh.enhance(k / 10.0)\n"
        "    out = ImageOps.mirror(out) if k > 5 else ImageOps.flip(out)\n    return out"};
    char *p0 = program(bodies[0], 1), *p0b = program(bodies[0], 2);
    queue_offer(&q, p0, 0.5, &o, &v, &e);
    T_CHECK(v == QUEUE_TOO_EASY, "0.5 is not above 0.5: %s", queue_verdict_name(v));
    queue_offer(&q, p0, 2.0 / 3, &o, &v, &e);
    T_CHECK(v == QUEUE_ADMITTED && q.n == 2, "admitted: %s", queue_verdict_name(v));
    queue_offer(&q, p0b, 1.0, &o, &v, &e);
    T_CHECK(v == QUEUE_SIMILAR, "same function part: %s", queue_verdict_name(v));
    char *p1 = program(bodies[1], 1), *p2 = program(bodies[2], 1), *p3 = program(bodies[3], 1);
    queue_offer(&q, p1, 2.0 / 3, &o, &v, &e);
    T_CHECK(v == QUEUE_ADMITTED && q.n == 3 && !strcmp(q.items[1].code, p1), "newest first");
    queue_offer(&q, p2, 5.0 / 6, &o, &v, &e);
    T_CHECK(v == QUEUE_ADMITTED && q.n == 3 && !strcmp(q.items[1].code, p2), "p2 second");
    T_CHECK(!strcmp(q.items[2].code, p1) && q.items[0].difficulty == QUEUE_PINNED, "p0 fell");
    queue_offer(&q, p3, 0.6, &o, &v, &e);
    T_CHECK(v == QUEUE_FELL_OFF && q.n == 3, "below the k best: %s", queue_verdict_name(v));
    char *hashes = program("x = '#1' # two #\n    return img", 1);
    queue_offer(&q, hashes, 1.0, &o, &v, &e);
    T_CHECK(v == QUEUE_COMMENTS, "3 comment marks: %s", queue_verdict_name(v));
    char path[] = "/tmp/test_loop_queue_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    T_CHECK(!queue_save(&q, path, &e), "save: %s", e.text);
    queue q2;
    queue_init(&q2);
    T_CHECK(!queue_load(&q2, path, &e) && q2.n == 3, "load: %s", e.text);
    for (size_t i = 0; i < q2.n && i < q.n; i++)
        T_CHECK(!strcmp(q.items[i].code, q2.items[i].code) &&
                    q.items[i].difficulty == q2.items[i].difficulty,
                "entry %zu round trip", i);
    FILE *f = fopen(path, "w");
    fputs("{\"code_str\": \"x\", \"diff_reward\": 100.0}\nnot json\n", f);
    fclose(f);
    T_CHECK(queue_load(&q2, path, &e) == ERR_FAIL && strstr(e.text, ":2:"), "bad line: %s", e.text);
    unlink(path);
    T_CHECK(!queue_load(&q2, path, &e) && q2.n == 0, "a missing file is an empty queue");
    int count[3] = {0}, pairs[3][3] = {{0}};
    rng r = rng_make(5, 5);
    for (int i = 0; i < 6000; i++) {
        size_t idx[2];
        int n = queue_sample(&q, &r, idx);
        count[n]++;
        if (n == 2)
            pairs[idx[0]][idx[1]]++;
        T_CHECK(n == 1 || idx[0] != idx[1], "two distinct examples");
    }
    T_CHECK(count[1] > 2700 && count[1] < 3300, "one example half the time: %d", count[1]);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            T_CHECK(a == b || (pairs[a][b] > 350 && pairs[a][b] < 650), "pair %d,%d: %d", a, b,
                    pairs[a][b]);
    queue_free(&q), queue_free(&q2);
    free(p0), free(p0b), free(p1), free(p2), free(p3), free(hashes);
}

int main(void)
{
    test_extraction();
    test_programs();
    test_questions();
    test_answers();
    test_rewards();
    test_queue();
    return t_finish();
}
