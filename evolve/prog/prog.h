/* prog.h - the program language: a sandboxed Python subset with a PIL-shaped image API.
 *
 * A challenger program is Python source that defines `edit_image(img, ...)` and a list
 * `args_list` of keyword-argument dicts. prog_run executes the module once (imports, defs,
 * args_list), then calls `edit_image(copy_of_input, **args)` once per dict; every call gets a
 * fresh copy of the input, so in-place drawing never leaks between cases.
 *
 *     prog_limits lim = prog_default_limits();
 *     prog_result r;
 *     errmsg e;
 *     if (prog_run(src, strlen(src), input, &lim, &r, &e))
 *         ... host failure (out of memory): e.text ...
 *     else if (r.fail.kind[0])
 *         ... the program as a whole failed: r.fail.kind, r.fail.message, r.fail.line ...
 *     else
 *         for (int i = 0; i < r.n_cases; i++)
 *             r.cases[i].out ? use(r.cases[i].out) : report(&r.cases[i].fail);
 *     prog_result_free(&r);
 *
 * The language: statements def (defaults, keyword-only, *args, **kwargs, annotations ignored,
 * nested functions and closures), lambda, return, if/elif/else, for/while (+ else), break,
 * continue, pass, assert, raise, del, global, nonlocal, try/except/else/finally, assignment
 * (tuple and starred unpacking, subscripts, augmented, annotated), imports from an allow-list
 * (PIL and its submodules Image, ImageDraw, ImageOps, ImageEnhance, ImageFilter, ImageColor;
 * math). Values: 64-bit int (overflow is an OverflowError, never undefined behaviour), float,
 * bool, None, str (f-strings with format specs, % formatting, str.format), list, tuple, dict,
 * set. Python semantics for floor division and modulo, banker's round, the shortest
 * round-trip float repr, and Python's local-name rule (UnboundLocalError).
 * Not supported (clear SyntaxError or NameError): class, with, yield, async, walrus, decorators,
 * bytes, complex numbers, iter()/next(), generators. Strings are byte strings:
 * len() and indexing count UTF-8 bytes. Sets iterate in insertion order (CPython: hash order).
 * zip, map, filter, enumerate, reversed and dict views return lists.
 *
 * The image API follows Pillow 9.4 (vision/img_*.h do the pixels): Image.new/merge/blend/
 * composite/alpha_composite/eval, Image.Resampling/Transpose/Transform and the legacy
 * constants; img.size/width/height/mode, copy, crop, resize (box, reducing_gap), rotate,
 * transpose, transform, paste, convert (L/RGB/RGBA), filter, point, getpixel, putpixel, load
 * (px[x, y]), getdata, putdata, split, getbands, thumbnail, reduce, putalpha, histogram,
 * getextrema, getbbox; ImageDraw.Draw(img[, "RGBA"]) rectangle, rounded_rectangle, ellipse,
 * arc, chord, pieslice, line, polygon, regular_polygon, point, and ImageDraw.floodfill;
 * ImageOps mirror, flip, grayscale, invert, posterize, solarize, autocontrast, equalize,
 * colorize, pad, expand, crop, scale, contain, fit; ImageEnhance
 * Brightness/Contrast/Color/Sharpness; ImageFilter built-in kernels, Kernel, GaussianBlur, BoxBlur,
 * UnsharpMask, Median/Min/MaxFilter; ImageColor getrgb/getcolor. Not available: draw.text (no
 * fonts), quantize, palette and other modes.
 *
 * The sandbox: no file, network, clock, environment or randomness access exists in the
 * language; `open`, `eval`, `exec`, `compile`, `__import__`, `getattr`, `globals`, Image.open,
 * img.save/show and every dunder name or attribute fail with kind "Forbidden". Steps, the bytes
 * held by all live values and images, image sides and the number of cases are budgeted
 * (prog_limits): exceeding one ends with kind "BudgetExceeded" BEFORE the offending
 * allocation; too deep recursion is a "RecursionError". except clauses cannot catch these.
 *
 * Failures carry a Python-style kind ("SyntaxError", "NameError", "TypeError", "IndexError",
 * "KeyError", "ZeroDivisionError", "ValueError", "AttributeError", "OverflowError",
 * "AssertionError", "BudgetExceeded", "Forbidden", ...), a message and the 1-based source line.
 * A run is deterministic: the same source and input give the same bytes everywhere.
 * prog_run is re-entrant: threads may run programs concurrently (each run needs about 1 MiB
 * of C stack, 2 MiB under ASan: interpreter recursion is capped well below that).
 */
#ifndef VKEVE_PROG_H
#define VKEVE_PROG_H

#include <stddef.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* The most cases one run returns; prog_limits.max_outputs may only lower it. */
#define PROG_MAX_CASES 8

typedef struct prog_limits {
    long steps;       /* interpreter steps for the whole run (all cases together) */
    int max_depth;    /* nested Python calls */
    size_t max_bytes; /* bytes of live values and images at any moment */
    int max_side;     /* largest width or height of any image the program makes */
    int max_outputs;  /* most entries args_list may have (<= PROG_MAX_CASES) */
} prog_limits;

/* 20M steps, depth 64, 512 MiB, side 4096, 8 outputs. */
prog_limits prog_default_limits(void);

typedef struct prog_failure {
    char kind[32]; /* empty when there was no failure */
    char message[256];
    int line; /* 1-based source line, 0 when none applies */
} prog_failure;

typedef struct prog_case {
    img *out;            /* the returned image (owned by the result), NULL on failure */
    prog_failure fail;   /* why this case failed */
    char args_repr[512]; /* Python's repr of the args dict, e.g. "{'angle': 15}" */
} prog_case;

typedef struct prog_result {
    prog_failure fail; /* whole-program failure: syntax, import, no args_list ... */
    int n_cases;       /* entries of args_list that were run */
    prog_case cases[PROG_MAX_CASES];
    char *func_source; /* source before the line of the first top-level `args_list =`
                          statement, stripped (EVE shows the solver the text before the
                          first `args_list =`); NULL if there is none */
} prog_result;

/* Runs a challenger program on input (which is not modified). Returns 0 when the program was
 * run, whatever it did (see out->fail and out->cases[i]); ERR_FAIL with e filled only when the
 * host failed (out of memory). lim NULL means prog_default_limits(). Always call
 * prog_result_free afterwards. */
int prog_run(const char *source, size_t len, const img *input, const prog_limits *lim,
             prog_result *out, errmsg *e);
void prog_result_free(prog_result *r);

/* Runs source as a plain script (no edit_image, no args_list) and returns what it printed
 * in *printed (malloc'd, NUL-terminated, caller frees; capped at 1 MiB). fail->kind is empty
 * on success. For tests and tools that check the language itself. Returns ERR_FAIL only on
 * host failure. */
int prog_exec_script(const char *source, size_t len, const prog_limits *lim, char **printed,
                     prog_failure *fail, errmsg *e);

#endif
