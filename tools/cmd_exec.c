/* cmd_exec.c - `vkeve exec`: runs one challenger program on one image, writes each case's
 * result as a PNG and prints one line per case (the format tests/reference/pil_exec.py
 * prints for Pillow, so the two can be compared line by line). */
#include "tools/commands.h"

#include "base/afile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/prog/prog.h"
#include "vision/img_io.h"

const char cmd_exec_usage[] =
    "usage: vkeve exec PROGRAM.py IMAGE [--out DIR] [--steps N] [--memory MIB] [--max-side N]\n"
    "                  [--depth N]\n\n"
    "Runs a challenger program (a Python subset with a PIL-shaped API: it defines\n"
    "edit_image(img, ...) and args_list, a list of keyword-argument dicts) on IMAGE:\n"
    "edit_image is called once per dict on a fresh copy of the image. Each result is\n"
    "written to DIR/caseN.png (atomically) and one line per case is printed:\n\n"
    "    case0 ok 448x448 RGB {'angle': 15}\n"
    "    case1 fail TypeError line 7: unsupported operand type(s) for +: 'int' and 'str'\n\n"
    "A program that fails as a whole (syntax error, forbidden import, no args_list) prints\n"
    "    program fail SyntaxError line 3: invalid syntax\n\n"
    "options:\n"
    "  --out DIR       where case PNGs go, created if missing (default: the current folder)\n"
    "  --steps N       interpreter step budget for the whole run (default 20000000)\n"
    "  --memory MIB    budget for live values and images (default 512)\n"
    "  --max-side N    largest image width or height a program may make (default 4096)\n"
    "  --depth N       largest Python call depth (default 64)\n\n"
    "exit status: 0 when every case succeeded, 1 when the program or any case failed,\n"
    "2 on bad usage or an unreadable program or image.\n";

#define MAX_PROGRAM_BYTES ((size_t)1 << 20)

static char *read_program(const char *path, size_t *len)
{
    char *source = NULL;
    errmsg e;
    if (afile_read(path, MAX_PROGRAM_BYTES, "a program", &source, len, &e)) {
        fprintf(stderr, "vkeve exec: %s\n", e.text);
        return NULL;
    }
    return source;
}

static int parse_options(int argc, char **argv, const char **paths, const char **out_dir,
                         prog_limits *lim)
{
    int n_paths = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long v;
        if (strcmp(a, "--out") == 0 || strcmp(a, "--steps") == 0 || strcmp(a, "--memory") == 0 ||
            strcmp(a, "--max-side") == 0 || strcmp(a, "--depth") == 0) {
            if (i + 1 >= argc)
                return cmd_usage_error("exec", "%s needs a value", a);
            const char *val = argv[++i];
            if (strcmp(a, "--out") == 0) {
                *out_dir = val;
                continue;
            }
            long max = strcmp(a, "--steps") == 0      ? 1000000000000L
                       : strcmp(a, "--memory") == 0   ? 65536
                       : strcmp(a, "--max-side") == 0 ? 65536
                                                      : 10000;
            if (cmd_parse_int(val, 1, max, &v))
                return cmd_usage_error("exec", "%s: '%s' is not an integer from 1 to %ld", a, val,
                                       max);
            if (strcmp(a, "--steps") == 0)
                lim->steps = v;
            else if (strcmp(a, "--memory") == 0)
                lim->max_bytes = (size_t)v << 20;
            else if (strcmp(a, "--max-side") == 0)
                lim->max_side = (int)v;
            else
                lim->max_depth = (int)v;
        } else if (a[0] == '-' && a[1]) {
            return cmd_usage_error("exec", "unknown option '%s'", a);
        } else if (n_paths < 2) {
            paths[n_paths++] = a;
        } else {
            return cmd_usage_error("exec", "unexpected argument '%s'", a);
        }
    }
    if (n_paths != 2)
        return cmd_usage_error("exec", "expected PROGRAM.py and IMAGE");
    return 0;
}

static void print_failure(const char *head, const prog_failure *f)
{
    /* One line per case: newlines inside a message would break the format. */
    char msg[sizeof f->message];
    snprintf(msg, sizeof msg, "%s", f->message);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    printf("%s fail %s line %d: %s\n", head, f->kind, f->line, msg);
}

/* Writes each case's image as DIR/caseN.png and prints one line per case; returns 0 when
 * every case succeeded. */
static int write_cases(const prog_result *res, const char *out_dir)
{
    int status = 0;
    errmsg e;
    for (int k = 0; k < res->n_cases; k++) {
        const prog_case *c = &res->cases[k];
        char head[16], path[4096];
        snprintf(head, sizeof head, "case%d", k);
        if (!c->out) {
            print_failure(head, &c->fail);
            status = 1;
            continue;
        }
        if ((size_t)snprintf(path, sizeof path, "%s/case%d.png", out_dir, k) >= sizeof path) {
            fprintf(stderr, "vkeve exec: %s: output path too long\n", out_dir);
            return 1;
        }
        if (img_save_png(c->out, path, &e)) {
            fprintf(stderr, "vkeve exec: %s\n", e.text);
            return 1;
        }
        printf("%s ok %dx%d %s %s\n", head, c->out->w, c->out->h, img_mode_name(c->out->mode),
               c->args_repr);
    }
    return status;
}

int cmd_exec(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL}, *out_dir = ".";
    prog_limits lim = prog_default_limits();
    int r = parse_options(argc, argv, paths, &out_dir, &lim);
    if (r)
        return r;
    errmsg e;
    if (afile_mkdirs(out_dir, &e)) {
        fprintf(stderr, "vkeve exec: %s\n", e.text);
        return 1;
    }
    size_t len;
    char *source = read_program(paths[0], &len);
    if (!source)
        return 2;
    img *input = img_load(paths[1], 0, &e);
    if (!input) {
        fprintf(stderr, "vkeve exec: %s\n", e.text);
        free(source);
        return 2;
    }
    prog_result res;
    if (prog_run(source, len, input, &lim, &res, &e)) {
        fprintf(stderr, "vkeve exec: %s\n", e.text);
        free(source);
        img_free(input);
        return 1;
    }
    int status = 0;
    if (res.fail.kind[0]) {
        print_failure("program", &res.fail);
        status = 1;
    }
    status |= write_cases(&res, out_dir);
    fflush(stdout);
    prog_result_free(&res);
    img_free(input);
    free(source);
    return status;
}
