/* test_seeds.c - the embedded seed programs (evolve/seeds.h): they are EVE's four seeds as
 * kept in tests/programs/00N_seed_*.py minus the conformance comment, byte for byte (read
 * from disk here, independently of the build's embedding), the queue takes them as pinned
 * seeds, and each runs in the sandbox on a 448x448 image with four outputs that pass every
 * validity rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/afile.h"
#include "evolve/prog/prog.h"
#include "evolve/queue.h"
#include "evolve/seeds.h"
#include "evolve/valid.h"
#include "tests/testutil.h"
#include "vision/img_io.h"

static const char *const NAMES[] = {"001_seed_rectangle_outline", "002_seed_crop_relative",
                                    "003_seed_rotate_expand", "004_seed_jigsaw_2x2"};
enum { N_SEEDS = sizeof NAMES / sizeof NAMES[0] };

/* The conformance program tests/programs/NAME.py without its first line. */
static char *conformance_source(const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "programs/%s.py", name);
    char *text = NULL;
    size_t n = 0;
    errmsg e = {0};
    if (afile_read(t_data_path(rel), 1 << 20, "a program", &text, &n, &e)) {
        T_CHECK(0, "%s", e.text);
        return NULL;
    }
    char *body = strchr(text, '\n');
    T_CHECK(!strncmp(text, "# conformance:", 14) && body, "%s: first line is the comment", rel);
    char *copy = body ? strdup(body + 1) : NULL;
    free(text);
    return copy;
}

static void test_table(void)
{
    T_CHECK(seeds_count() == N_SEEDS, "%zu seeds", seeds_count());
    for (size_t i = 0; i < N_SEEDS && i < seeds_count(); i++) {
        T_CHECK(!strcmp(seeds_name(i), NAMES[i]), "seed %zu is %s", i, seeds_name(i));
        char *want = conformance_source(NAMES[i]);
        T_CHECK(want && !strcmp(seeds_code(i), want), "seed %s: text differs from the program",
                NAMES[i]);
        free(want);
    }
    T_CHECK(seeds_code(seeds_count()) == NULL && seeds_name(seeds_count()) == NULL,
            "past the end gives NULL");
}

static void test_queue(void)
{
    queue q;
    queue_init(&q);
    errmsg e = {0};
    for (size_t i = 0; i < seeds_count(); i++)
        T_CHECK(queue_add_seed(&q, seeds_code(i), &e) == 0, "queue_add_seed %zu: %s", i, e.text);
    T_CHECK(q.n == seeds_count(), "queue holds %zu", q.n);
    for (size_t i = 0; i < q.n; i++)
        T_CHECK(q.items[i].difficulty == QUEUE_PINNED, "seed %zu pinned", i);
    queue_free(&q);
}

static void test_runs(void)
{
    errmsg e = {0};
    img *input = img_load(t_data_path("../assets/test_448.png"), 0, &e);
    T_CHECK(input && input->w == 448 && input->h == 448, "test image: %s", e.text);
    if (!input)
        return;
    valid_options o = valid_default_options();
    for (size_t i = 0; i < seeds_count(); i++) {
        const char *code = seeds_code(i);
        prog_result r;
        T_CHECK(prog_run(code, strlen(code), input, NULL, &r, &e) == 0, "run: %s", e.text);
        T_CHECK(!r.fail.kind[0], "%s: %s %s", seeds_name(i), r.fail.kind, r.fail.message);
        T_CHECK(r.n_cases == 4, "%s: %d cases", seeds_name(i), r.n_cases);
        valid_report rep;
        T_CHECK(valid_check(code, &r, &o, &rep, &e) == 0, "valid_check: %s", e.text);
        T_CHECK(rep.reason == VALID_OK, "%s: %s (%s)", seeds_name(i), valid_reason_name(rep.reason),
                rep.message);
        prog_result_free(&r);
    }
    img_free(input);
}

int main(void)
{
    test_table();
    test_queue();
    test_runs();
    return t_finish();
}
