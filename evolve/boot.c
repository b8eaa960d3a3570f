/* boot.c - the bootstrap challenger (evolve/boot.h): fresh argument sets shaped like a
 * program's examples. */
#include "evolve/boot.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evolve/prog/prog.h"
#include "evolve/pylit.h"
#include "evolve/valid.h"

enum {
    BOOT_SETS = 4,
    SET_TRIES = 64,       /* draws of one argument set before giving up on distinctness */
    ORDER_TRIES = 32,     /* draws of a list or dict before taking an example's values */
    DRAW_BUDGET = 200000, /* values drawn in all, so nested redraws stay bounded */
    MAX_ORDERED = 64,     /* most slots whose pairwise orders are kept */
    MAX_DECIMALS = 6
};

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

typedef struct gen {
    rng *r;
    sbuf out;
    long draws_left;
} gen;

/* One element of a list or one key of a dict, across the examples. */
typedef struct slot {
    const pylit *key;    /* the key in the template dict, NULL for list elements */
    const pylit **by_ex; /* the value in each example, NULL where an example lacks it */
    const pylit **ex;    /* the values present, in example order */
    size_t n;
} slot;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static int is_number(const pylit *v)
{
    return v->kind == PYLIT_INT || (v->kind == PYLIT_FLOAT && isfinite(v->f));
}

static double number(const pylit *v)
{
    return v->kind == PYLIT_INT ? (double)v->i : v->f;
}

static int same_text(const pylit *a, const pylit *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Writes v as it was read; a value without a literal (inf, nan) as the call that makes it. */
static void copy(gen *g, const pylit *v, double *value)
{
    *value = is_number(v) ? number(v) : NAN;
    if (v->kind == PYLIT_FLOAT && !isfinite(v->f))
        sb_puts(&g->out, isnan(v->f) ? "float('nan')"
                         : v->f > 0  ? "float('inf')"
                                     : "float('-inf')");
    else
        sb_put(&g->out, v->text, v->len);
}

/* The kind every example shares (ints mixed with floats count as floats), or -1. */
static int common_kind(const pylit *const *ex, size_t n)
{
    int kind = ex[0]->kind, numbers = 1;
    for (size_t k = 0; k < n; k++) {
        numbers &= is_number(ex[k]);
        if ((int)ex[k]->kind != kind)
            kind = -1;
    }
    if (numbers)
        return kind == PYLIT_INT ? PYLIT_INT : PYLIT_FLOAT;
    return kind == PYLIT_FLOAT ? -1 : kind;
}

static uint64_t below64(rng *r, uint64_t n)
{
    return n ? rng_u64(r) % n : rng_u64(r);
}

static void range_of(const pylit *const *ex, size_t n, double *lo, double *hi)
{
    *lo = *hi = number(ex[0]);
    for (size_t k = 1; k < n; k++) {
        double v = number(ex[k]);
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
}

/* Keeps the sign every example shares; step is the smallest non-zero magnitude. */
static void keep_sign(double min, double max, double step, double *lo, double *hi)
{
    if (min > 0 && *lo < step)
        *lo = step;
    else if (min >= 0 && *lo < 0)
        *lo = 0;
    if (max < 0 && *hi > -step)
        *hi = -step;
    else if (max <= 0 && *hi > 0)
        *hi = 0;
}

static void gen_int(gen *g, const pylit *const *ex, size_t n, double *value)
{
    const double limit = 4e18;
    double min, max;
    range_of(ex, n, &min, &max);
    double pad = fmax(1.0, round((max - min) / 4));
    double lo = fmax(min - pad, -limit), hi = fmin(max + pad, limit);
    keep_sign(min, max, 1, &lo, &hi);
    long long a = (long long)lo, b = (long long)hi;
    long long v = a + (long long)below64(g->r, (uint64_t)(b - a) + 1);
    char text[32];
    snprintf(text, sizeof text, "%lld", v);
    sb_puts(&g->out, text);
    *value = (double)v;
}

static int max_decimals(const pylit *const *ex, size_t n)
{
    int d = 1;
    for (size_t k = 0; k < n; k++)
        d = ex[k]->kind == PYLIT_FLOAT && ex[k]->decimals > d ? ex[k]->decimals : d;
    return d > MAX_DECIMALS ? MAX_DECIMALS : d;
}

/* A float literal of k / 10^d, trailing zeros dropped but one decimal kept ("2.0"). */
static void put_decimal(sbuf *b, long long k, int d)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", d, (double)k / pow(10, d));
    size_t len = strlen(text);
    while (len > 2 && text[len - 1] == '0' && text[len - 2] != '.')
        len--;
    sb_put(b, text, len);
}

static void gen_float(gen *g, const pylit *const *ex, size_t n, double *value)
{
    double min, max;
    range_of(ex, n, &min, &max);
    int d = max_decimals(ex, n);
    double scale = pow(10, d), pad = (max - min) / 4;
    double lo = min - pad, hi = max + pad;
    keep_sign(min, max, 1 / scale, &lo, &hi);
    double u = (double)(rng_u64(g->r) >> 11) * 0x1p-53;
    if (fmax(fabs(lo), fabs(hi)) * scale >= 0x1p52) { /* too large for a decimal grid */
        char text[40];
        *value = lo + (hi - lo) * u;
        snprintf(text, sizeof text, "%.17g", *value);
        sb_puts(&g->out, text);
        if (!strpbrk(text, ".e"))
            sb_puts(&g->out, ".0");
        return;
    }
    long long a = (long long)ceil(lo * scale), b = (long long)floor(hi * scale);
    long long k = a <= b ? a + (long long)below64(g->r, (uint64_t)(b - a) + 1)
                         : (long long)llround(min * scale);
    put_decimal(&g->out, k, d);
    *value = (double)k / scale;
}

static int gen_value(gen *g, const pylit *const *ex, size_t n, double *value);

static int cmp_text(const void *a, const void *b)
{
    const pylit *x = *(const pylit *const *)a, *y = *(const pylit *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->text, y->text, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The elements of v sorted by text, into sorted[v->n]. */
static void sorted_items(const pylit *v, const pylit **sorted)
{
    for (size_t i = 0; i < v->n; i++)
        sorted[i] = &v->items[i];
    qsort(sorted, v->n, sizeof *sorted, cmp_text);
}

/* Whether every example holds the same elements in some order. */
static int permutations(const pylit *const *ex, size_t n, int *oom)
{
    size_t len = ex[0]->n;
    const pylit **a = malloc(len * sizeof *a), **b = malloc(len * sizeof *b);
    int same = a && b;
    *oom = !same;
    if (same)
        sorted_items(ex[0], a);
    for (size_t k = 1; k < n && same; k++) {
        sorted_items(ex[k], b);
        for (size_t i = 0; i < len && same; i++)
            same = same_text(a[i], b[i]);
    }
    free(a);
    free(b);
    return same;
}

static void put_close(sbuf *b, pylit_kind kind, size_t n)
{
    sb_puts(b, kind == PYLIT_LIST ? "]" : n == 1 ? ",)" : ")");
}

/* A random example's elements, shuffled. */
static int gen_shuffle(gen *g, const pylit *const *ex, size_t n)
{
    const pylit *v = ex[rng_below(g->r, (uint32_t)n)];
    size_t *order = malloc(v->n * sizeof *order);
    if (!order)
        return ERR_FAIL;
    for (size_t i = 0; i < v->n; i++)
        order[i] = i;
    for (size_t i = v->n - 1; i > 0; i--) {
        size_t j = rng_below(g->r, (uint32_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    sb_puts(&g->out, v->kind == PYLIT_LIST ? "[" : "(");
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            sb_puts(&g->out, ", ");
        sb_put(&g->out, v->items[order[i]].text, v->items[order[i]].len);
    }
    put_close(&g->out, v->kind, v->n);
    free(order);
    return 0;
}

/* Whether every example with both slots a and b holds numbers ordered the same way (at least
 * two such examples): -1 when a < b in all, 1 when a > b in all, else 0. */
static int order_of(const slot *a, const slot *b, size_t n_ex)
{
    int less = 0, more = 0, seen = 0;
    for (size_t k = 0; k < n_ex; k++) {
        const pylit *x = a->by_ex[k], *y = b->by_ex[k];
        if (!x || !y)
            continue;
        if (!is_number(x) || !is_number(y))
            return 0;
        seen++;
        less += number(x) < number(y);
        more += number(x) > number(y);
    }
    return seen < 2 ? 0 : less == seen ? -1 : more == seen ? 1 : 0;
}

/* The order every example keeps between slots a < b (order_of), as n_slots x n_slots bytes;
 * none past MAX_ORDERED slots, where the pairs would cost more than they are worth. */
static signed char *orders_of(const slot *slots, size_t n_slots, size_t n_ex)
{
    signed char *order = calloc(n_slots * n_slots + 1, 1);
    for (size_t a = 0; order && n_slots <= MAX_ORDERED && a < n_slots; a++)
        for (size_t b = a + 1; b < n_slots; b++)
            order[a * n_slots + b] = (signed char)order_of(&slots[a], &slots[b], n_ex);
    return order;
}

static int orders_kept(const signed char *order, size_t n_slots, const double *values)
{
    for (size_t a = 0; a < n_slots; a++)
        for (size_t b = a + 1; b < n_slots; b++) {
            int want = order[a * n_slots + b];
            if ((want < 0 && !(values[a] < values[b])) || (want > 0 && !(values[a] > values[b])))
                return 0;
        }
    return 1;
}

/* Draws the slots into a list, tuple or dict literal of kind, redrawing while an order the
 * examples share is broken; past the tries, writes one example (from ex) as it is. */
static int gen_slots(gen *g, pylit_kind kind, const slot *slots, size_t n_slots,
                     const pylit *const *ex, size_t n_ex)
{
    double *values = malloc((n_slots + 1) * sizeof *values);
    signed char *order = orders_of(slots, n_slots, n_ex);
    int rc = values && order ? 0 : ERR_FAIL;
    size_t mark = g->out.len;
    int kept = 0;
    for (int t = 0; !rc && !kept && t < ORDER_TRIES && g->draws_left > 0; t++) {
        g->out.len = mark;
        sb_puts(&g->out, kind == PYLIT_LIST ? "[" : kind == PYLIT_TUPLE ? "(" : "{");
        for (size_t s = 0; s < n_slots && !rc; s++) {
            if (s)
                sb_puts(&g->out, ", ");
            if (slots[s].key) {
                sb_put(&g->out, slots[s].key->text, slots[s].key->len);
                sb_puts(&g->out, ": ");
            }
            rc = gen_value(g, slots[s].ex, slots[s].n, &values[s]);
        }
        if (kind == PYLIT_DICT)
            sb_puts(&g->out, "}");
        else
            put_close(&g->out, kind, n_slots);
        kept = !rc && orders_kept(order, n_slots, values);
    }
    if (!rc && !kept) {
        double ignored;
        g->out.len = mark;
        copy(g, ex[rng_below(g->r, (uint32_t)n_ex)], &ignored);
    }
    free(values);
    free(order);
    return rc;
}

static void free_slots(slot *slots, size_t n)
{
    for (size_t s = 0; slots && s < n; s++) {
        free(slots[s].by_ex);
        free(slots[s].ex);
    }
    free(slots);
}

/* Slot s of every example: element s of each list, or the value of key in each dict. */
static int fill_slot(slot *sl, const pylit *key, size_t s, const pylit *const *ex, size_t n)
{
    sl->key = key;
    sl->by_ex = calloc(n, sizeof *sl->by_ex);
    sl->ex = calloc(n, sizeof *sl->ex);
    if (!sl->by_ex || !sl->ex)
        return ERR_FAIL;
    for (size_t k = 0; k < n; k++) {
        const pylit *v = ex[k], *found = NULL;
        if (!key)
            found = &v->items[s];
        for (size_t i = 0; key && i + 1 < v->n && !found; i += 2)
            found = same_text(&v->items[i], key) ? &v->items[i + 1] : NULL;
        sl->by_ex[k] = found;
        if (found)
            sl->ex[sl->n++] = found;
    }
    return 0;
}

/* Lists and tuples of one length element by element; dicts key by key after a template. */
static int gen_container(gen *g, const pylit *const *ex, size_t n)
{
    const pylit *tmpl = ex[rng_below(g->r, (uint32_t)n)];
    int dict = tmpl->kind == PYLIT_DICT;
    size_t n_slots = dict ? tmpl->n / 2 : tmpl->n;
    slot *slots = calloc(n_slots + 1, sizeof *slots);
    int rc = slots ? 0 : ERR_FAIL;
    for (size_t s = 0; s < n_slots && !rc; s++)
        rc = fill_slot(&slots[s], dict ? &tmpl->items[2 * s] : NULL, s, ex, n);
    if (!rc)
        rc = gen_slots(g, tmpl->kind, slots, n_slots, ex, n);
    free_slots(slots, n_slots);
    return rc;
}

static int gen_sequence(gen *g, const pylit *const *ex, size_t n, double *value)
{
    for (size_t k = 1; k < n; k++)
        if (ex[k]->n != ex[0]->n) {
            copy(g, ex[rng_below(g->r, (uint32_t)n)], value);
            return 0;
        }
    if (ex[0]->n == 0) {
        copy(g, ex[0], value);
        return 0;
    }
    int oom = 0;
    if (ex[0]->n > 1 && permutations(ex, n, &oom))
        return gen_shuffle(g, ex, n);
    return oom ? ERR_FAIL : gen_container(g, ex, n);
}

/* Appends a value shaped like the n >= 1 examples; *value is its number, NAN if none. */
static int gen_value(gen *g, const pylit *const *ex, size_t n, double *value)
{
    *value = NAN;
    g->draws_left--;
    int all_same = 1;
    for (size_t k = 1; k < n && all_same; k++)
        all_same = same_text(ex[k], ex[0]);
    if (all_same) {
        copy(g, ex[0], value);
        return 0;
    }
    switch (common_kind(ex, n)) {
    case PYLIT_BOOL:
        *value = (double)rng_below(g->r, 2);
        sb_puts(&g->out, *value ? "True" : "False");
        return 0;
    case PYLIT_INT: gen_int(g, ex, n, value); return 0;
    case PYLIT_FLOAT: gen_float(g, ex, n, value); return 0;
    case PYLIT_LIST:
    case PYLIT_TUPLE: return gen_sequence(g, ex, n, value);
    case PYLIT_DICT: return gen_container(g, ex, n);
    default: copy(g, ex[rng_below(g->r, (uint32_t)n)], value); return 0;
    }
}

/* The repr of the program's args_list, as the interpreter evaluates it. malloc'd. */
static int eval_args(const char *code, char **repr, errmsg *e)
{
    static const char PRINT[] = "\nprint(repr(args_list))\n";
    size_t n = strlen(code);
    char *script = malloc(n + sizeof PRINT);
    if (!script)
        return err_set(e, ERR_FAIL, "boot: out of memory");
    memcpy(script, code, n);
    memcpy(script + n, PRINT, sizeof PRINT);
    prog_limits lim = prog_default_limits();
    prog_failure fail;
    char *printed = NULL;
    int rc = prog_exec_script(script, n + sizeof PRINT - 1, &lim, &printed, &fail, e);
    free(script);
    if (rc)
        return err_prefix(e, "boot: ");
    if (fail.kind[0]) {
        free(printed);
        return err_set(e, ERR_FAIL,
                       "boot: the program fails to evaluate args_list: %s: %s "
                       "(line %d)",
                       fail.kind, fail.message, fail.line);
    }
    size_t len = strlen(printed);
    while (len && printed[len - 1] == '\n')
        printed[--len] = 0;
    char *line = strrchr(printed, '\n');
    *repr = strdup(line ? line + 1 : printed);
    free(printed);
    return *repr ? 0 : err_set(e, ERR_FAIL, "boot: out of memory");
}

/* args_list must be a non-empty list of dicts; their addresses go to ex (malloc'd). */
static int examples_of(const pylit *args, const pylit ***ex, errmsg *e)
{
    if (args->kind != PYLIT_LIST || args->n == 0)
        return err_set(e, ERR_FAIL, "boot: args_list must be a non-empty list of dicts, not %s%s",
                       args->kind == PYLIT_LIST ? "an empty " : "a value of type ",
                       pylit_kind_name(args->kind));
    for (size_t k = 0; k < args->n; k++)
        if (args->items[k].kind != PYLIT_DICT)
            return err_set(e, ERR_FAIL,
                           "boot: args_list[%zu] must be a dict, not a value of type %s", k,
                           pylit_kind_name(args->items[k].kind));
    *ex = malloc(args->n * sizeof **ex);
    if (!*ex)
        return err_set(e, ERR_FAIL, "boot: out of memory");
    for (size_t k = 0; k < args->n; k++)
        (*ex)[k] = &args->items[k];
    return 0;
}

/* Draws BOOT_SETS pairwise distinct sets into sets[] (malloc'd texts). */
static int draw_sets(gen *g, const pylit *const *ex, size_t n, char *sets[BOOT_SETS], errmsg *e)
{
    for (int i = 0; i < BOOT_SETS; i++) {
        int fresh = 0;
        for (int t = 0; t < SET_TRIES && !fresh; t++) {
            double ignored;
            g->out.len = 0;
            if (gen_value(g, ex, n, &ignored) || g->out.oom)
                return err_set(e, ERR_FAIL, "boot: out of memory");
            fresh = 1;
            for (int j = 0; j < i && fresh; j++)
                fresh = strcmp(sets[j], g->out.s) != 0;
        }
        if (!fresh)
            return err_set(e, ERR_FAIL, "boot: no %d distinct argument sets after %d draws each",
                           BOOT_SETS, SET_TRIES);
        sets[i] = strdup(g->out.s);
        if (!sets[i])
            return err_set(e, ERR_FAIL, "boot: out of memory");
    }
    return 0;
}

static int write_program(const char *code, char *const sets[BOOT_SETS], char **out, errmsg *e)
{
    char *func = valid_func_part(code);
    sbuf b = {0};
    sb_puts(&b, func ? func : "");
    sb_puts(&b, "\n\nargs_list = [\n");
    for (int i = 0; i < BOOT_SETS; i++) {
        sb_puts(&b, "    ");
        sb_puts(&b, sets[i]);
        sb_puts(&b, ",\n");
    }
    sb_puts(&b, "]\n");
    free(func);
    if (!func || b.oom) {
        free(b.s);
        return err_set(e, ERR_FAIL, "boot: out of memory");
    }
    *out = b.s;
    return 0;
}

int boot_program(const char *code, rng *r, char **out, errmsg *e)
{
    *out = NULL;
    if (!code || !r)
        return err_set(e, ERR_FAIL, "boot_program: no program or no generator");
    char *repr = NULL, *sets[BOOT_SETS] = {0};
    pylit *args = NULL;
    const pylit **ex = NULL;
    gen g = {r, {0}, DRAW_BUDGET};
    int rc = eval_args(code, &repr, e);
    if (!rc && pylit_parse(repr, &args, e))
        rc = err_prefix(e, "boot: args_list holds a value that is not a literal: ");
    if (!rc)
        rc = examples_of(args, &ex, e);
    if (!rc)
        rc = draw_sets(&g, ex, args->n, sets, e);
    if (!rc)
        rc = write_program(code, sets, out, e);
    for (int i = 0; i < BOOT_SETS; i++)
        free(sets[i]);
    free(g.out.s);
    free(ex);
    pylit_free(args);
    free(repr);
    return rc;
}
