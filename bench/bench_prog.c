/* bench_prog.c - how many challenger programs per second the interpreter runs on one core.
 *
 * usage: bench_prog [PROGRAM_DIR] [SECONDS_PER_PROGRAM] [IMAGE]
 *   PROGRAM_DIR defaults to $VKEVE_TEST_DATA/programs, else tests/programs.
 * Each *.py program runs (all four cases, as prog_run does for EVE) repeatedly on IMAGE (the
 * 448x448 test image bench/pillow_programs.py uses; a 448x448 RGB gradient when none is given)
 * for about SECONDS_PER_PROGRAM (default 0.2). Prints one JSON line per program,
 * one for the pure interpreter (a tight arithmetic loop, in steps per second), and a summary:
 *   {"bench":"prog","programs":126,"programs_per_s":...,"ms_per_program_median":...}
 * programs_per_s is the number of programs over the time to run each of them once (each
 * program's time is its mean over its repeats), comparable to bench/pillow_programs.py.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "evolve/prog/prog.h"
#include "vision/img.h"
#include "vision/img_io.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = (size_t)n;
    }
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Runs source until `seconds` pass; returns seconds per run, or -1 when it fails as a whole. */
static double time_program(const char *src, size_t len, const img *input, double seconds,
                           int *cases_ok)
{
    prog_limits lim = prog_default_limits();
    errmsg e;
    int runs = 0;
    double t0 = now_seconds(), t;
    do {
        prog_result r;
        if (prog_run(src, len, input, &lim, &r, &e))
            return -1;
        *cases_ok = 0;
        for (int k = 0; k < r.n_cases; k++)
            *cases_ok += r.cases[k].out != NULL;
        prog_result_free(&r);
        runs++;
        t = now_seconds() - t0;
    } while (t < seconds);
    return t / runs;
}

static void bench_interpreter(void)
{
    const char *src = "s = 0\ni = 0\nwhile i < 1000000:\n    s += i * 2 % 7\n    i += 1\n";
    prog_limits lim = prog_default_limits();
    char *printed;
    prog_failure fail;
    errmsg e;
    double t0 = now_seconds();
    if (prog_exec_script(src, strlen(src), &lim, &printed, &fail, &e) == 0) {
        double t = now_seconds() - t0;
        /* per iteration: the while test, two statements */
        printf("{\"bench\":\"prog_interp\",\"loop_iterations\":1000000,\"seconds\":%.4f,"
               "\"iterations_per_s\":%.0f,\"failed\":\"%s\"}\n",
               t, 1e6 / t, fail.kind);
        free(printed);
    }
}

int main(int argc, char **argv)
{
    char dir[4096];
    const char *data = getenv("VKEVE_TEST_DATA");
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (data)
        snprintf(dir, sizeof dir, "%s/programs", data);
    else
        snprintf(dir, sizeof dir, "tests/programs");
    double seconds = argc > 2 ? atof(argv[2]) : 0.2;

    errmsg e;
    const char *image_name = argc > 3 ? argv[3] : "448x448 RGB gradient";
    img *input = argc > 3 ? img_load(argv[3], 0, &e) : img_new(448, 448, IMG_RGB, NULL, &e);
    if (!input) {
        fprintf(stderr, "bench_prog: %s\n", e.text);
        return 1;
    }
    for (int y = 0; y < 448 && argc <= 3; y++)
        for (int x = 0; x < 448; x++) {
            uint8_t *p = input->px + ((size_t)y * 448 + (size_t)x) * 3;
            p[0] = (uint8_t)(x * 255 / 447);
            p[1] = (uint8_t)(y * 255 / 447);
            p[2] = (uint8_t)((x + y) * 255 / 894);
        }

    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "bench_prog: cannot open %s\n", dir);
        img_free(input);
        return 1;
    }
    char *names[1024];
    int n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) && n < 1024) {
        size_t l = strlen(ent->d_name);
        if (l > 3 && strcmp(ent->d_name + l - 3, ".py") == 0)
            names[n++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);

    bench_interpreter();
    double total = 0, per[1024];
    int timed = 0;
    for (int k = 0; k < n; k++) {
        char path[8192];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        char *src = read_file(path, &len);
        int ok = 0;
        double t = src ? time_program(src, len, input, seconds, &ok) : -1;
        if (t > 0) {
            printf("{\"bench\":\"prog_program\",\"program\":\"%s\",\"ms_per_run\":%.3f,\"cases_"
                   "ok\":%d}\n",
                   names[k], t * 1e3, ok);
            total += t;
            per[timed++] = t;
        }
        free(src);
        free(names[k]);
    }
    qsort(per, (size_t)timed, sizeof *per, by_value);
    printf("{\"bench\":\"prog\",\"programs\":%d,\"image\":\"%s\",\"cases_per_program\":4,"
           "\"programs_per_s\":%.1f,\"ms_per_program_median\":%.3f,\"threads\":1}\n",
           timed, image_name, timed ? timed / total : 0.0, timed ? per[timed / 2] * 1e3 : 0.0);
    img_free(input);
    return 0;
}
