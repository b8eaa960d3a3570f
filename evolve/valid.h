/* valid.h - is a Challenger program usable? EVE's validity rules, each rejection with a reason.
 *
 * A completion is usable when its last ```python block runs in the sandbox (evolve/prog) and
 * gives exactly four results that are each a plausible picture and visually distinct:
 *   - exactly n_args argument sets, whose Python reprs are pairwise different;
 *   - each output has min_pixels <= w*h <= max_pixels;
 *   - at least min_opaque of its pixels have alpha >= min_alpha ("opaque");
 *   - near-black pixels (Rec.709 luma <= black_luma, computed in float32 as numpy does) are at
 *     most max_black of the opaque pixels, or max_black_rotate when the program's text
 *     contains ".rotate(" (rotation pads with black corners);
 *   - no two outputs whose widths and heights are within size_ratio of each other have the
 *     same 64-bit pHash (vision/img_phash.h);
 *   - the function part (the code before `args_list =`) has at most max_chars characters.
 * Checks run in this order and the first failure is the reason. Separately, the format
 * reward is zero when the function part holds more than max_comment_marks comment marks
 * (each '#' plus each triple quote) or the reasoning tags are not used exactly once.
 *
 *     char *code = valid_extract_code(completion);          // NULL: no python block
 *     prog_result r;  prog_run(code, strlen(code), input, NULL, &r, &e);
 *     valid_options o = valid_default_options();
 *     valid_report rep;
 *     if (valid_check(code, &r, &o, &rep, &e)) ...         // out of memory only
 *     if (rep.reason) printf("%s: %s\n", valid_reason_name(rep.reason), rep.message);
 *     double fmt = valid_format(completion, code, &o);      // 0 or 1
 *
 * Deliberate differences from EVE's code: a completion without a ```python fence has no code
 * (EVE took the whole text); comment marks zero the format reward whether or not the program
 * is valid; the reasoning tag is an option (EVE's `<think>` variant could never pass).
 * EVE's textual bans (".save", "random.") are not repeated: the sandbox has neither.
 */
#ifndef VKEVE_VALID_H
#define VKEVE_VALID_H

#include <stddef.h>

#include "base/errmsg.h"
#include "evolve/prog/prog.h"
#include "vision/img.h"

typedef enum valid_reason {
    VALID_OK = 0,
    VALID_NO_CODE,        /* no ```python block, or an empty one */
    VALID_PROGRAM_FAILED, /* syntax error, forbidden import, no args_list ... */
    VALID_CASE_FAILED,    /* edit_image raised for one argument set */
    VALID_ARGS_COUNT,     /* not exactly n_args argument sets */
    VALID_ARGS_DUPLICATE, /* two argument sets with the same repr */
    VALID_TOO_SMALL,      /* fewer than min_pixels pixels */
    VALID_TOO_LARGE,      /* more than max_pixels pixels */
    VALID_TRANSPARENT,    /* too few opaque pixels */
    VALID_TOO_DARK,       /* too many near-black opaque pixels */
    VALID_SAME_IMAGES,    /* two outputs of similar size with equal pHash */
    VALID_CODE_TOO_LONG,  /* function part over max_chars characters */
    VALID_N_REASONS
} valid_reason;

typedef struct valid_options {
    int n_args;              /* 4 */
    long min_pixels;         /* 4096 */
    long max_pixels;         /* 1048576 */
    int min_alpha;           /* 10: alpha at least this counts as opaque */
    double min_opaque;       /* 0.10 of all pixels */
    double black_luma;       /* 5 */
    double max_black;        /* 0.10 of opaque pixels */
    double max_black_rotate; /* 0.75 when the program contains ".rotate(" */
    double size_ratio;       /* 0.95: smaller / larger side, both axes, to compare hashes */
    long max_chars;          /* 2000 characters in the function part */
    int max_comment_marks;   /* 2: more zero the format reward */
    const char *think_tag;   /* "thinking": <thinking> and </thinking> exactly once each */
} valid_options;

valid_options valid_default_options(void);

typedef struct valid_report {
    valid_reason reason;
    int case_index;    /* the argument set / output at fault, -1 when none */
    char message[320]; /* what was wrong, with the measured value */
} valid_report;

/* Short stable name of a reason ("too_dark"), for logs and summaries. */
const char *valid_reason_name(valid_reason reason);

/* The code of a completion: the text after the last "</think>" if there is one, then after
 * the last "```python" up to the next "```" (or the end), stripped. malloc'd; NULL when there
 * is no such block or it is empty. */
char *valid_extract_code(const char *completion);

/* The function part: the code before the first "args_list =" (else "args_list="), stripped.
 * This is what the Solver sees. malloc'd (the whole code, stripped, when neither occurs). */
char *valid_func_part(const char *code);

/* Characters as Python's len() counts them: UTF-8 code points. */
size_t valid_chars(const char *s);

/* '#' characters plus occurrences of '\"\"\"' and "'''" (Python's str.count). */
int valid_comment_marks(const char *func_part);

/* Whether code counts as rotating (contains ".rotate("). */
int valid_rotates(const char *code);

/* Checks one output image (size, opacity, darkness); VALID_OK or the reason, with msg. */
valid_reason valid_image(const img *im, int rotates, const valid_options *o, char *msg,
                         size_t msg_size);

/* All checks on a program run (code is the extracted code, r its result). Fills rep; returns
 * 0, or ERR_FAIL with e filled when memory ran out while hashing. */
int valid_check(const char *code, const prog_result *r, const valid_options *o, valid_report *rep,
                errmsg *e);

/* The Challenger's format reward, 0 or 1: code is non-empty, the think tag opens and closes
 * exactly once, and the function part has at most max_comment_marks comment marks. */
double valid_format(const char *completion, const char *code, const valid_options *o);

#endif
