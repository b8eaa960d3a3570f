/* valid.c - EVE's validity rules for Challenger programs (see valid.h). */
#include "evolve/valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_phash.h"

valid_options valid_default_options(void)
{
    valid_options o = {
        .n_args = 4,
        .min_pixels = 4096,
        .max_pixels = 1048576,
        .min_alpha = 10,
        .min_opaque = 0.10,
        .black_luma = 5.0,
        .max_black = 0.10,
        .max_black_rotate = 0.75,
        .size_ratio = 0.95,
        .max_chars = 2000,
        .max_comment_marks = 2,
        .think_tag = "thinking",
    };
    return o;
}

const char *valid_reason_name(valid_reason reason)
{
    static const char *const names[VALID_N_REASONS] = {
        "ok",        "no_code",   "program_failed", "case_failed", "args_count",  "args_duplicate",
        "too_small", "too_large", "transparent",    "too_dark",    "same_images", "code_too_long",
    };
    return reason >= 0 && reason < VALID_N_REASONS ? names[reason] : "?";
}

/* Python's str.strip() whitespace for ASCII text. */
static int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static char *strip_dup(const char *s, size_t n)
{
    while (n && is_space(*s))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = 0;
    }
    return out;
}

static const char *last_of(const char *s, const char *needle)
{
    const char *last = NULL;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        last = p;
    return last;
}

char *valid_extract_code(const char *completion)
{
    const char *think = last_of(completion, "</think>");
    const char *text = think ? think + strlen("</think>") : completion;
    const char *fence = last_of(text, "```python");
    if (!fence)
        return NULL;
    const char *start = fence + strlen("```python");
    const char *end = strstr(start, "```");
    char *code = strip_dup(start, end ? (size_t)(end - start) : strlen(start));
    if (code && !*code) {
        free(code);
        return NULL;
    }
    return code;
}

char *valid_func_part(const char *code)
{
    const char *cut = strstr(code, "args_list =");
    if (!cut)
        cut = strstr(code, "args_list=");
    return strip_dup(code, cut ? (size_t)(cut - code) : strlen(code));
}

size_t valid_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int count_of(const char *s, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(s, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

int valid_comment_marks(const char *func_part)
{
    return count_of(func_part, "#") + count_of(func_part, "\"\"\"") + count_of(func_part, "'''");
}

int valid_rotates(const char *code)
{
    return strstr(code, ".rotate(") != NULL;
}

/* Luma as EVE's numpy code computes it: float32 products and sums. */
static float luma709(const uint8_t *p, img_mode mode)
{
    float r = p[0], g = mode == IMG_L ? p[0] : p[1], b = mode == IMG_L ? p[0] : p[2];
    float l = 0.2126f * r + 0.7152f * g;
    return l + 0.0722f * b;
}

valid_reason valid_image(const img *im, int rotates, const valid_options *o, char *msg,
                         size_t msg_size)
{
    long pixels = (long)im->w * im->h;
    if (pixels > o->max_pixels) {
        snprintf(msg, msg_size, "%dx%d is over %ld pixels", im->w, im->h, o->max_pixels);
        return VALID_TOO_LARGE;
    }
    if (pixels < o->min_pixels) {
        snprintf(msg, msg_size, "%dx%d is under %ld pixels", im->w, im->h, o->min_pixels);
        return VALID_TOO_SMALL;
    }
    int ch = img_channels(im->mode);
    long opaque = 0, black = 0;
    for (long i = 0; i < pixels; i++) {
        const uint8_t *p = im->px + i * ch;
        if (im->mode == IMG_RGBA && p[3] < o->min_alpha)
            continue;
        opaque++;
        black += luma709(p, im->mode) <= o->black_luma;
    }
    if ((double)opaque < (double)pixels * o->min_opaque) {
        snprintf(msg, msg_size, "only %ld of %ld pixels are opaque", opaque, pixels);
        return VALID_TRANSPARENT;
    }
    double limit = rotates ? o->max_black_rotate : o->max_black;
    double ratio = (double)black / (double)opaque;
    if (ratio > limit) {
        snprintf(msg, msg_size, "%.1f%% of opaque pixels are near-black (limit %.0f%%)",
                 100.0 * ratio, 100.0 * limit);
        return VALID_TOO_DARK;
    }
    return VALID_OK;
}

static valid_reason fail(valid_report *rep, valid_reason reason, int index)
{
    rep->reason = reason;
    rep->case_index = index;
    return reason;
}

static int similar_size(const img *a, const img *b, double ratio)
{
    int wmin = a->w < b->w ? a->w : b->w, wmax = a->w < b->w ? b->w : a->w;
    int hmin = a->h < b->h ? a->h : b->h, hmax = a->h < b->h ? b->h : a->h;
    return (double)wmin / wmax >= ratio && (double)hmin / hmax >= ratio;
}

/* Pairwise pHash comparison of similar-sized outputs; hashes computed once each. */
static int check_same(const prog_result *r, int n, const valid_options *o, valid_report *rep,
                      errmsg *e)
{
    uint64_t hash[PROG_MAX_CASES];
    int have[PROG_MAX_CASES] = {0};
    for (int i = 1; i < n; i++)
        for (int j = 0; j < i; j++) {
            const img *a = r->cases[i].out, *b = r->cases[j].out;
            if (!similar_size(a, b, o->size_ratio))
                continue;
            for (int k = 0; k < 2; k++) {
                int idx = k ? j : i;
                if (!have[idx] && img_phash(r->cases[idx].out, &hash[idx], e))
                    return e->code;
                have[idx] = 1;
            }
            if (hash[i] == hash[j]) {
                fail(rep, VALID_SAME_IMAGES, i);
                snprintf(rep->message, sizeof rep->message,
                         "outputs %d and %d look the same (pHash %016llx)", j, i,
                         (unsigned long long)hash[i]);
                return 0;
            }
        }
    return 0;
}

static valid_reason check_run(const prog_result *r, const valid_options *o, valid_report *rep)
{
    if (r->fail.kind[0]) {
        snprintf(rep->message, sizeof rep->message, "%s line %d: %s", r->fail.kind, r->fail.line,
                 r->fail.message);
        return fail(rep, VALID_PROGRAM_FAILED, -1);
    }
    for (int i = 0; i < r->n_cases; i++)
        if (!r->cases[i].out) {
            const prog_failure *f = &r->cases[i].fail;
            snprintf(rep->message, sizeof rep->message, "case %d: %s line %d: %s", i, f->kind,
                     f->line, f->message);
            return fail(rep, VALID_CASE_FAILED, i);
        }
    if (r->n_cases != o->n_args) {
        snprintf(rep->message, sizeof rep->message, "%d argument sets, need %d", r->n_cases,
                 o->n_args);
        return fail(rep, VALID_ARGS_COUNT, -1);
    }
    for (int i = 1; i < r->n_cases; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(r->cases[i].args_repr, r->cases[j].args_repr)) {
                snprintf(rep->message, sizeof rep->message, "argument sets %d and %d are both %s",
                         j, i, r->cases[i].args_repr);
                return fail(rep, VALID_ARGS_DUPLICATE, i);
            }
    return VALID_OK;
}

int valid_check(const char *code, const prog_result *r, const valid_options *o, valid_report *rep,
                errmsg *e)
{
    rep->reason = VALID_OK;
    rep->case_index = -1;
    rep->message[0] = 0;
    if (!code || !*code) {
        snprintf(rep->message, sizeof rep->message, "no ```python block");
        return fail(rep, VALID_NO_CODE, -1), 0;
    }
    if (check_run(r, o, rep))
        return 0;
    int rotates = valid_rotates(code);
    for (int i = 0; i < r->n_cases; i++) {
        char msg[256];
        valid_reason why = valid_image(r->cases[i].out, rotates, o, msg, sizeof msg);
        if (why) {
            snprintf(rep->message, sizeof rep->message, "output %d: %s", i, msg);
            return fail(rep, why, i), 0;
        }
    }
    if (check_same(r, r->n_cases, o, rep, e))
        return e->code;
    if (rep->reason)
        return 0;
    char *func = valid_func_part(code);
    if (!func)
        return err_set(e, ERR_FAIL, "validity: out of memory");
    size_t chars = valid_chars(func);
    free(func);
    if (chars > (size_t)o->max_chars) {
        snprintf(rep->message, sizeof rep->message, "function part has %zu characters (max %ld)",
                 chars, o->max_chars);
        fail(rep, VALID_CODE_TOO_LONG, -1);
    }
    return 0;
}

double valid_format(const char *completion, const char *code, const valid_options *o)
{
    if (!code || !*code)
        return 0.0;
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", o->think_tag);
    snprintf(close, sizeof close, "</%s>", o->think_tag);
    if (count_of(completion, open) != 1 || count_of(completion, close) != 1)
        return 0.0;
    char *func = valid_func_part(code);
    int marks = func ? valid_comment_marks(func) : o->max_comment_marks + 1;
    free(func);
    return marks > o->max_comment_marks ? 0.0 : 1.0;
}
