/* test_boot.c - the bootstrap challenger (evolve/boot.h) and the literal parser it reads
 * argument sets with (evolve/pylit.h).
 *
 * The new programs are checked by running them: the interpreter evaluates their args_list
 * and runs edit_image on a 448x448 image. Each seed program's offspring runs four distinct
 * cases of the same keys and value types; a crafted program checks the sampling rules
 * (ranges, signs, decimals, kept constants, shuffles, kept orders, strings and bools from the
 * examples); the same generator gives the same text; bad args_list give clear errors. Last,
 * every program in tests/programs/ is bootstrapped and the share of valid results printed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "evolve/boot.h"
#include "evolve/prog/prog.h"
#include "evolve/pylit.h"
#include "evolve/seeds.h"
#include "evolve/valid.h"
#include "tests/testutil.h"
#include "vision/img_io.h"

/* ---- pylit ---- */

static void test_pylit(void)
{
    errmsg e = {0};
    pylit *v = NULL;
    const char *text = " [{'a': -3, \"it's\": (1.5e-05, None,), 'b': [True, False]}, "
                       "set(), {1, 2}, -inf, 'x\\'y', ()] ";
    T_CHECK(pylit_parse(text, &v, &e) == 0, "parse: %s", e.text);
    if (v) {
        T_CHECK(v->kind == PYLIT_LIST && v->n == 6, "outer list of %zu", v->n);
        const pylit *d = &v->items[0];
        T_CHECK(d->kind == PYLIT_DICT && d->n == 6, "dict of %zu items", d->n);
        T_CHECK(d->items[1].kind == PYLIT_INT && d->items[1].i == -3, "int -3");
        T_CHECK(d->items[2].len == 6 && !strncmp(d->items[2].text, "\"it's\"", 6), "key text");
        const pylit *t = &d->items[3];
        T_CHECK(t->kind == PYLIT_TUPLE && t->n == 2 && t->items[0].f == 1.5e-05 &&
                    t->items[0].decimals == 1 && t->items[1].kind == PYLIT_NONE,
                "tuple (1.5e-05, None,)");
        T_CHECK(d->items[5].items[0].kind == PYLIT_BOOL && d->items[5].items[0].i == 1, "True");
        T_CHECK(v->items[1].kind == PYLIT_SET && v->items[1].n == 0, "set()");
        T_CHECK(v->items[2].kind == PYLIT_SET && v->items[2].n == 2, "{1, 2}");
        T_CHECK(v->items[3].kind == PYLIT_FLOAT && isinf(v->items[3].f) && v->items[3].f < 0,
                "-inf");
        T_CHECK(v->items[4].kind == PYLIT_STR && v->items[4].len == 6, "escaped quote");
        T_CHECK(v->items[5].kind == PYLIT_TUPLE && v->items[5].n == 0, "()");
    }
    pylit_free(v);
    static const char *const BAD[] = {"[1, 2",        "{'a' 1}",      "'open",
                                      "<function f>", "[1] 2",        "99999999999999999999",
                                      "1e",           "{'a': 1, 2: }"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        v = NULL;
        T_CHECK(pylit_parse(BAD[i], &v, &e) == ERR_FAIL && !v && strstr(e.text, "at byte"),
                "'%s' rejected: %s", BAD[i], e.text);
    }
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = 0;
    T_CHECK(pylit_parse(deep, &v, &e) == ERR_FAIL && strstr(e.text, "nesting"), "deep: %s", e.text);
}

/* ---- running programs ---- */

/* args_list of code as evaluated by the interpreter, parsed; NULL (a failed check) if not. */
static pylit *args_of(const char *code, char **repr)
{
    size_t n = strlen(code);
    char *script = malloc(n + 64);
    snprintf(script, n + 64, "%s\nprint(repr(args_list))\n", code);
    char *printed = NULL;
    prog_failure fail;
    errmsg e = {0};
    T_CHECK(prog_exec_script(script, strlen(script), NULL, &printed, &fail, &e) == 0, "%s", e.text);
    free(script);
    T_CHECK(!fail.kind[0], "args_list: %s %s", fail.kind, fail.message);
    pylit *v = NULL;
    if (printed && !fail.kind[0]) {
        printed[strcspn(printed, "\n")] = 0;
        T_CHECK(pylit_parse(printed, &v, &e) == 0, "%s", e.text);
    }
    *repr = printed;
    return v;
}

/* Whether a and b have the same shape: kinds, lengths and dict keys, recursively. */
static int same_shape(const pylit *a, const pylit *b)
{
    if (a->kind != b->kind || (a->kind >= PYLIT_LIST && a->n != b->n))
        return 0;
    for (size_t i = 0; a->kind >= PYLIT_LIST && i < a->n; i++) {
        int key = a->kind == PYLIT_DICT && i % 2 == 0;
        if (key ? a->items[i].len != b->items[i].len ||
                      memcmp(a->items[i].text, b->items[i].text, a->items[i].len)
                : !same_shape(&a->items[i], &b->items[i]))
            return 0;
    }
    return 1;
}

/* code's offspring runs 4 distinct cases on input shaped like code's own first set. */
static void check_offspring(const char *name, const char *code, const img *input, uint64_t seed)
{
    rng r = rng_make(seed, 1);
    char *out = NULL;
    errmsg e = {0};
    T_CHECK(boot_program(code, &r, &out, &e) == 0, "%s: %s", name, e.text);
    if (!out)
        return;
    prog_result res;
    T_CHECK(prog_run(out, strlen(out), input, NULL, &res, &e) == 0, "%s", e.text);
    T_CHECK(!res.fail.kind[0] && res.n_cases == 4, "%s: %s %s, %d cases\n%s", name, res.fail.kind,
            res.fail.message, res.n_cases, out);
    for (int i = 0; i < res.n_cases; i++)
        for (int j = i + 1; j < res.n_cases; j++)
            T_CHECK(strcmp(res.cases[i].args_repr, res.cases[j].args_repr) != 0,
                    "%s: sets %d and %d equal: %s", name, i, j, res.cases[i].args_repr);
    char *old_repr = NULL, *new_repr = NULL;
    pylit *old = args_of(code, &old_repr), *new = args_of(out, &new_repr);
    for (size_t i = 0; old && new &&i < new->n; i++)
        T_CHECK(same_shape(&old->items[0], &new->items[i]), "%s: set %zu %.*s vs %.*s", name, i,
                (int)new->items[i].len, new->items[i].text, (int)old->items[0].len,
                old->items[0].text);
    char *func = valid_func_part(code);
    T_CHECK(func && !strncmp(out, func, strlen(func)), "%s: function part kept", name);
    free(func);
    pylit_free(old), pylit_free(new);
    free(old_repr), free(new_repr);
    prog_result_free(&res);
    free(out);
}

static void test_seeds(const img *input)
{
    for (size_t i = 0; i < seeds_count(); i++)
        for (uint64_t seed = 1; seed <= 5; seed++)
            check_offspring(seeds_name(i), seeds_code(i), input, seed);
}

static const char CRAFTED[] =
    "from PIL import ImageOps\n\n"
    "def edit_image(img, a, b, c, s, box, order, k, mix):\n"
    "    return ImageOps.posterize(img, 1 + a % 7)\n\n"
    "args_list = [\n"
    "    {'a': 10, 'b': 0.5, 'c': True, 's': 'x', 'box': (1, 50), 'order': [0, 1, 2],"
    " 'k': 7, 'mix': 1},\n"
    "    {'a': 20, 'b': 1.25, 'c': False, 's': 'y', 'box': (2, 80), 'order': [2, 0, 1],"
    " 'k': 7, 'mix': 2.5},\n"
    "    {'a': 30, 'b': 2.0, 'c': True, 's': 'x', 'box': (9, 60), 'order': [1, 2, 0],"
    " 'k': 7, 'mix': 4},\n"
    "    {'a': 50, 'b': 1.5, 'c': True, 's': \"z'\", 'box': (3, 70), 'order': [1, 0, 2],"
    " 'k': 7, 'mix': 3},\n"
    "]\n";

static const pylit *field(const pylit *dict, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i + 1 < dict->n; i += 2)
        if (dict->items[i].len == n + 2 && !strncmp(dict->items[i].text + 1, key, n))
            return &dict->items[i + 1];
    return NULL;
}

/* One offspring set of CRAFTED against the rules of boot.h. */
static void check_crafted_set(const pylit *set, int *seen_false)
{
    const pylit *a = field(set, "a"), *b = field(set, "b"), *c = field(set, "c");
    const pylit *s = field(set, "s"), *box = field(set, "box"), *order = field(set, "order");
    const pylit *k = field(set, "k"), *mix = field(set, "mix");
    if (!a || !b || !c || !s || !box || !order || !k || !mix) {
        T_CHECK(0, "a key is missing: %.*s", (int)set->len, set->text);
        return;
    }
    /* a: 10..50, span 40, widened by 10 each side; all positive */
    T_CHECK(a->kind == PYLIT_INT && a->i >= 1 && a->i <= 60, "a = %lld", a->i);
    /* b: 0.5..2.0, widened by 0.375, two decimals, positive */
    T_CHECK(b->kind == PYLIT_FLOAT && b->f >= 0.125 - 1e-9 && b->f <= 2.375 + 1e-9 &&
                b->decimals <= 2 && fabs(b->f * 100 - round(b->f * 100)) < 1e-6,
            "b = %.*s", (int)b->len, b->text);
    T_CHECK(c->kind == PYLIT_BOOL, "c is a bool");
    *seen_false |= c->kind == PYLIT_BOOL && c->i == 0;
    T_CHECK((s->len == 3 && (!strncmp(s->text, "'x'", 3) || !strncmp(s->text, "'y'", 3))) ||
                (s->len == 4 && !strncmp(s->text, "\"z'\"", 4)),
            "s = %.*s", (int)s->len, s->text);
    T_CHECK(box->kind == PYLIT_TUPLE && box->n == 2 && box->items[0].i < box->items[1].i &&
                box->items[0].i >= 0 && box->items[1].i <= 88,
            "box keeps x0 < x1: %.*s", (int)box->len, box->text);
    long long sum = 0, mask = 0;
    for (size_t i = 0; order->kind == PYLIT_LIST && i < order->n; i++) {
        sum += order->items[i].i;
        mask |= 1ll << (order->items[i].i & 7);
    }
    T_CHECK(order->kind == PYLIT_LIST && order->n == 3 && sum == 3 && mask == 7,
            "order is a permutation: %.*s", (int)order->len, order->text);
    T_CHECK(k->kind == PYLIT_INT && k->i == 7, "k kept: %lld", k->i);
    T_CHECK(mix->kind == PYLIT_FLOAT && mix->f >= 0.25 - 1e-9 && mix->f <= 4.75 + 1e-9,
            "mix: ints and floats give a float: %.*s", (int)mix->len, mix->text);
}

static void test_crafted(void)
{
    int seen_false = 0;
    for (uint64_t seed = 0; seed < 50; seed++) {
        rng r = rng_make(seed, 2);
        char *out = NULL, *repr = NULL;
        errmsg e = {0};
        T_CHECK(boot_program(CRAFTED, &r, &out, &e) == 0, "crafted: %s", e.text);
        pylit *args = out ? args_of(out, &repr) : NULL;
        for (size_t i = 0; args && i < args->n; i++)
            check_crafted_set(&args->items[i], &seen_false);
        T_CHECK(!args || args->n == 4, "4 sets");
        pylit_free(args);
        free(repr);
        free(out);
    }
    T_CHECK(seen_false, "bools take both values");
}

static void test_determinism(void)
{
    char *out[3] = {0};
    errmsg e = {0};
    for (int i = 0; i < 3; i++) {
        rng r = rng_make(i < 2 ? 77 : 78, 0);
        T_CHECK(boot_program(CRAFTED, &r, &out[i], &e) == 0, "%s", e.text);
    }
    T_CHECK(out[0] && out[1] && out[2] && !strcmp(out[0], out[1]) && strcmp(out[0], out[2]),
            "same generator same text, another seed another text");
    for (int i = 0; i < 3; i++)
        free(out[i]);
}

static void test_errors(void)
{
    static const struct {
        const char *code, *want;
    } CASES[] = {
        {"def edit_image(img):\n    return img\nargs_list = ({'a': 1}, {'a': 2})\n",
         "list of dicts, not a value of type tuple"},
        {"def edit_image(img):\n    return img\nargs_list = []\n", "not an empty list"},
        {"def edit_image(img, a):\n    return img\nargs_list = [{'a': 1}, 2]\n",
         "args_list[1] must be a dict"},
        {"def edit_image(img, a):\n    return img\nargs_list = [{'a': edit_image}]\n",
         "not a literal"},
        {"def edit_image(img, a):\n    return img\n", "NameError"},
        {"def edit_image(img, a)\n    return img\nargs_list = [{'a': 1}]\n", "SyntaxError"},
        {"def edit_image(img, a):\n    return img\nargs_list = [{'a': 1}, {'a': 1}]\n", "distinct"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        rng r = rng_make(1, 1);
        char *out = (char *)CASES[i].code;
        errmsg e = {0};
        T_CHECK(boot_program(CASES[i].code, &r, &out, &e) == ERR_FAIL && !out &&
                    strstr(e.text, CASES[i].want) && !strncmp(e.text, "boot: ", 6),
                "case %zu: want '%s', got '%s'", i, CASES[i].want, e.text);
    }
}

/* Bootstraps every program in tests/programs and counts the valid results. */
static void test_corpus(const img *input)
{
    DIR *d = opendir(t_data_path("programs"));
    T_CHECK(d != NULL, "programs folder");
    if (!d)
        return;
    int programs = 0, booted = 0, valid = 0;
    int reasons[VALID_N_REASONS] = {0};
    valid_options o = valid_default_options();
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (!strstr(ent->d_name, ".py"))
            continue;
        char rel[300], *code = NULL;
        size_t n;
        errmsg e = {0};
        snprintf(rel, sizeof rel, "programs/%s", ent->d_name);
        if (afile_read(t_data_path(rel), 1 << 20, "a program", &code, &n, &e))
            continue;
        programs++;
        rng r = rng_make(2026, (uint64_t)programs);
        char *out = NULL;
        if (boot_program(code, &r, &out, &e) == 0) {
            booted++;
            prog_result res;
            valid_report rep;
            if (prog_run(out, strlen(out), input, NULL, &res, &e) == 0 &&
                valid_check(out, &res, &o, &rep, &e) == 0) {
                valid += rep.reason == VALID_OK;
                reasons[rep.reason]++;
            }
            prog_result_free(&res);
        }
        free(out);
        free(code);
    }
    closedir(d);
    printf("corpus: %d programs, %d bootstrapped, %d valid\n", programs, booted, valid);
    for (int i = 1; i < VALID_N_REASONS; i++)
        if (reasons[i])
            printf("  %-16s %d\n", valid_reason_name((valid_reason)i), reasons[i]);
    T_CHECK(programs >= 100 && booted >= programs * 9 / 10 && valid >= booted / 2,
            "%d programs, %d bootstrapped, %d valid", programs, booted, valid);
}

int main(void)
{
    test_pylit();
    errmsg e = {0};
    img *input = img_load(t_data_path("../assets/test_448.png"), 0, &e);
    T_CHECK(input != NULL, "test image: %s", e.text);
    if (input) {
        test_seeds(input);
        test_corpus(input);
    }
    test_crafted();
    test_determinism();
    test_errors();
    img_free(input);
    return t_finish();
}
