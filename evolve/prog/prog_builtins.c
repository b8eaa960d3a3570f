/* prog_builtins.c - the built-in functions (len, range, sorted, print ...), the methods of
 * str, list, tuple and dict, attribute access and the import allow-list. Results follow
 * CPython; where CPython returns a lazy iterator (zip, map, enumerate, reversed, dict.items)
 * this returns a list, which iterates the same way.
 */
#include "evolve/prog/prog_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- argument binding ---- */

int pi_args(interp *I, const char *fname, int argc, const pv *argv, int kwc, const int *kwn,
            const pv *kwv, int n, const char *const *names, int required, pv *slots)
{
    for (int k = 0; k < n; k++)
        slots[k].tag = PV_UNSET;
    if (argc > n)
        return pi_raise(I, "TypeError", "%s() takes at most %d argument%s (%d given)", fname, n,
                        n == 1 ? "" : "s", argc);
    for (int k = 0; k < argc; k++)
        slots[k] = argv[k];
    for (int j = 0; j < kwc; j++) {
        const char *kname = pi_sym_name(I, kwn[j]);
        int k = 0;
        while (k < n && strcmp(names[k], kname) != 0)
            k++;
        if (k == n)
            return pi_raise(I, "TypeError", "%s() got an unexpected keyword argument '%s'", fname,
                            kname);
        if (slots[k].tag != PV_UNSET)
            return pi_raise(I, "TypeError", "%s() got multiple values for argument '%s'", fname,
                            kname);
        slots[k] = kwv[j];
    }
    for (int k = 0; k < required; k++)
        if (slots[k].tag == PV_UNSET)
            return pi_raise(I, "TypeError", "%s() missing required argument '%s' (pos %d)", fname,
                            names[k], k + 1);
    return 0;
}

int pi_call_args(interp *I, const pcall *c, int n, const char *const *names, int required,
                 pv *slots)
{
    return pi_args(I, c->name, c->argc, c->argv, c->kwc, c->kwn, c->kwv, n, names, required, slots);
}

static int no_kwargs(interp *I, const char *fname, int kwc)
{
    if (kwc)
        return pi_raise(I, "TypeError", "%s() takes no keyword arguments", fname);
    return 0;
}

static int nargs(interp *I, const char *fname, int argc, int kwc, int lo, int hi)
{
    if (no_kwargs(I, fname, kwc))
        return -1;
    if (argc < lo || argc > hi) {
        if (lo == hi)
            return pi_raise(I, "TypeError", "%s() takes exactly %d argument%s (%d given)", fname,
                            lo, lo == 1 ? "" : "s", argc);
        return pi_raise(I, "TypeError", "%s() takes from %d to %d arguments (%d given)", fname, lo,
                        hi, argc);
    }
    return 0;
}

pv pi_native(interp *I, const char *name, native_fn *fn, pv self)
{
    pnative *n = pi_new(I, PO_NATIVE, sizeof *n);
    if (!n)
        return pv_none();
    n->name = name;
    n->fn = fn;
    n->self = pv_ref(self);
    n->method_sym = -1;
    return pv_obj(n);
}

static pv make_tuple2(interp *I, pv a, pv b)
{
    plist *t = pi_list(I, PO_TUPLE, 2);
    if (!t)
        return pv_none();
    t->items[0] = pv_ref(a);
    t->items[1] = pv_ref(b);
    t->len = 2;
    return pv_obj(t);
}

/* ---- conversions ---- */

static int parse_int_text(interp *I, const char *s, size_t n, int base, pv *out)
{
    char buf[80];
    size_t a = 0, b = n, o = 0;
    while (a < b && isspace((unsigned char)s[a]))
        a++;
    while (b > a && isspace((unsigned char)s[b - 1]))
        b--;
    for (size_t k = a; k < b && o < sizeof buf - 1; k++)
        if (s[k] != '_')
            buf[o++] = s[k];
    buf[o] = 0;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, base);
    if (o == 0 || *end || b - a >= sizeof buf - 1 ||
        (base == 0 && buf[0] == '0' && o > 1 && isdigit((unsigned char)buf[1])))
        return pi_raise(I, "ValueError", "invalid literal for int() with base %d: '%.*s'",
                        base ? base : 10, (int)(n > 100 ? 100 : n), s);
    if (errno == ERANGE)
        return pi_raise(I, "OverflowError", "int too large (vkeve integers are 64-bit)");
    *out = pv_int(v);
    return 0;
}

int pi_float_to_int(interp *I, double d, pv *out)
{
    if (isnan(d))
        return pi_raise(I, "ValueError", "cannot convert float NaN to integer");
    if (isinf(d))
        return pi_raise(I, "OverflowError", "cannot convert float infinity to integer");
    if (!(fabs(d) < 9.2233720368547758e18))
        return pi_raise(I, "OverflowError", "int too large (vkeve integers are 64-bit)");
    *out = pv_int((int64_t)d);
    return 0;
}

static int b_int(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"x", "base"};
    pv a[2];
    if (pi_args(I, "int", argc, argv, kwc, kwn, kwv, 2, names, 0, a))
        return -1;
    if (a[0].tag == PV_UNSET) {
        *out = pv_int(0);
        return 0;
    }
    if (a[1].tag != PV_UNSET) {
        int64_t base;
        if (!pv_is(a[0], PO_STR))
            return pi_raise(I, "TypeError", "int() can't convert non-string with explicit base");
        if (pi_to_int(I, a[1], "int() base", &base))
            return -1;
        if (base != 0 && (base < 2 || base > 36))
            return pi_raise(I, "ValueError", "int() base must be >= 2 and <= 36, or 0");
        return parse_int_text(I, pv_str(a[0])->s, pv_str(a[0])->len, (int)base, out);
    }
    if (pv_is_intlike(a[0])) {
        *out = pv_int(a[0].u.i);
        return 0;
    }
    if (a[0].tag == PV_FLOAT)
        return pi_float_to_int(I, a[0].u.f, out);
    if (pv_is(a[0], PO_STR))
        return parse_int_text(I, pv_str(a[0])->s, pv_str(a[0])->len, 10, out);
    return pi_raise(I, "TypeError", "int() argument must be a string or a real number, not '%s'",
                    pi_type_name(a[0]));
}

static int parse_float_text(interp *I, pstr *s, pv *out)
{
    char buf[128];
    size_t a = 0, b = s->len, o = 0;
    while (a < b && isspace((unsigned char)s->s[a]))
        a++;
    while (b > a && isspace((unsigned char)s->s[b - 1]))
        b--;
    if (b - a >= sizeof buf)
        return pi_raise(I, "ValueError", "could not convert string to float: (too long)");
    for (size_t k = a; k < b; k++) { /* Python allows _ between digits: 1_000.5 */
        int between_digits = k > a && k + 1 < b && isdigit((unsigned char)s->s[k - 1]) &&
                             isdigit((unsigned char)s->s[k + 1]);
        if (s->s[k] != '_' || !between_digits)
            buf[o++] = s->s[k];
    }
    buf[o] = 0;
    char *end;
    double d = strtod(buf, &end);
    /* strtod accepts hex floats and "infinity"-like spellings Python handles differently;
     * Python accepts inf/infinity/nan in any case, which strtod also does. */
    if (o == 0 || *end || strchr(buf, 'x') || strchr(buf, 'X'))
        return pi_raise(I, "ValueError", "could not convert string to float: '%.*s'",
                        (int)(s->len > 100 ? 100 : s->len), s->s);
    *out = pv_float(d);
    return 0;
}

static int b_float(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    if (nargs(I, "float", argc, kwc, 0, 1))
        return -1;
    (void)kwn;
    (void)kwv;
    if (argc == 0) {
        *out = pv_float(0);
        return 0;
    }
    if (pv_is_num(argv[0])) {
        *out = pv_float(argv[0].tag == PV_FLOAT ? argv[0].u.f : (double)argv[0].u.i);
        return 0;
    }
    if (pv_is(argv[0], PO_STR))
        return parse_float_text(I, pv_str(argv[0]), out);
    return pi_raise(I, "TypeError", "float() argument must be a string or a real number, not '%s'",
                    pi_type_name(argv[0]));
}

static int b_str(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "str", argc, kwc, 0, 1))
        return -1;
    if (argc == 0) {
        *out = pi_str(I, "", 0);
        return out->tag == PV_OBJ ? 0 : -1;
    }
    if (pv_is(argv[0], PO_STR)) {
        *out = pv_ref(argv[0]);
        return 0;
    }
    pbuf b = {0};
    if (pi_tostr(I, argv[0], &b)) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

static int b_repr(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "repr", argc, kwc, 1, 1))
        return -1;
    pbuf b = {0};
    if (pi_repr(I, argv[0], &b)) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

static int b_format(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "format", argc, kwc, 1, 2))
        return -1;
    if (argc == 2 && !pv_is(argv[1], PO_STR))
        return pi_raise(I, "TypeError", "format() argument 2 must be str, not %s",
                        pi_type_name(argv[1]));
    pbuf b = {0};
    int r = argc == 2 ? pi_format(I, argv[0], pv_str(argv[1])->s, pv_str(argv[1])->len, &b)
                      : pi_format(I, argv[0], "", 0, &b);
    if (r) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

static int b_bool(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "bool", argc, kwc, 0, 1))
        return -1;
    int t = 0;
    if (argc && pi_truthy(I, argv[0], &t))
        return -1;
    *out = pv_bool(t);
    return 0;
}

static int length(interp *I, pv v, int64_t *n)
{
    if (pv_is(v, PO_STR))
        *n = (int64_t)pv_str(v)->len;
    else if (pv_is(v, PO_LIST) || pv_is(v, PO_TUPLE))
        *n = (int64_t)pv_list(v)->len;
    else if (pv_is_dictlike(v))
        *n = (int64_t)pv_dict(v)->len;
    else if (pv_is(v, PO_RANGE)) {
        piter it;
        if (pi_iter_init(I, v, &it))
            return -1;
        *n = it.n;
    } else
        return pi_raise(I, "TypeError", "object of type '%s' has no len()", pi_type_name(v));
    return 0;
}

static int b_len(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    int64_t n = 0;
    if (nargs(I, "len", argc, kwc, 1, 1) || length(I, argv[0], &n))
        return -1;
    *out = pv_int(n);
    return 0;
}

static int b_range(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "range", argc, kwc, 1, 3))
        return -1;
    int64_t v[3] = {0, 0, 1};
    for (int k = 0; k < argc; k++)
        if (pi_to_int(I, argv[k], "range()", &v[argc == 1 ? 1 : k]))
            return -1;
    if (v[2] == 0)
        return pi_raise(I, "ValueError", "range() arg 3 must not be zero");
    prange *r = pi_new(I, PO_RANGE, sizeof *r);
    if (!r)
        return -1;
    r->start = v[0];
    r->stop = v[1];
    r->step = v[2];
    *out = pv_obj(r);
    return 0;
}

/* ---- iteration builtins (eager: they return lists) ---- */

static int b_list(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "list", argc, kwc, 0, 1))
        return -1;
    plist *l;
    if (argc == 0) {
        if (!(l = pi_list(I, PO_LIST, 0)))
            return -1;
    } else if (pi_to_list(I, argv[0], &l)) {
        return -1;
    }
    *out = pv_obj(l);
    return 0;
}

static int b_tuple(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "tuple", argc, kwc, 0, 1))
        return -1;
    if (argc && pv_is(argv[0], PO_TUPLE)) {
        *out = pv_ref(argv[0]);
        return 0;
    }
    plist *l;
    if (argc == 0) {
        if (!(l = pi_list(I, PO_TUPLE, 0)))
            return -1;
    } else if (pi_to_list(I, argv[0], &l)) {
        return -1;
    }
    l->h.kind = PO_TUPLE;
    *out = pv_obj(l);
    return 0;
}

static int dict_update(interp *I, pdict *d, pv src)
{
    if (pv_is(src, PO_DICT)) {
        pdict *s = pv_dict(src);
        for (size_t k = 0; k < s->used; k++)
            if (s->entries[k].live && pi_dict_set(I, d, s->entries[k].key, s->entries[k].val))
                return -1;
        return 0;
    }
    plist *items;
    if (pi_to_list(I, src, &items))
        return -1;
    int r = 0;
    for (size_t k = 0; k < items->len && !r; k++) {
        pv pair = items->items[k];
        if (!(pv_is(pair, PO_TUPLE) || pv_is(pair, PO_LIST)) || pv_list(pair)->len != 2)
            r = pi_raise(I, "ValueError",
                         "dictionary update sequence element #%zu has the wrong length", k);
        else
            r = pi_dict_set(I, d, pv_list(pair)->items[0], pv_list(pair)->items[1]);
    }
    pi_release(I, pv_obj(items));
    return r;
}

static int dict_update_kw(interp *I, pdict *d, int kwc, const int *kwn, const pv *kwv)
{
    for (int k = 0; k < kwc; k++) {
        pv key = pi_cstr(I, pi_sym_name(I, kwn[k]));
        if (key.tag != PV_OBJ)
            return -1;
        int r = pi_dict_set(I, d, key, kwv[k]);
        pi_release(I, key);
        if (r)
            return -1;
    }
    return 0;
}

static int b_dict(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    if (argc > 1)
        return pi_raise(I, "TypeError", "dict expected at most 1 argument, got %d", argc);
    pdict *d = pi_dict(I);
    if (!d)
        return -1;
    *out = pv_obj(d);
    if ((argc && dict_update(I, d, argv[0])) || dict_update_kw(I, d, kwc, kwn, kwv)) {
        pi_release(I, *out);
        return -1;
    }
    return 0;
}

/* Adds every item of src to the set d. */
static int set_add_all(interp *I, pdict *d, pv src)
{
    piter it;
    pv item;
    int got;
    if (pi_iter_init(I, src, &it))
        return -1;
    while ((got = pi_iter_next(I, &it, &item)) > 0) {
        int r = pi_dict_set(I, d, item, pv_none());
        pi_release(I, item);
        if (r)
            return -1;
    }
    return got;
}

static int b_set(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "set", argc, kwc, 0, 1))
        return -1;
    pdict *d = pi_set(I);
    if (!d)
        return -1;
    *out = pv_obj(d);
    if (argc && set_add_all(I, d, argv[0])) {
        pi_release(I, *out);
        return -1;
    }
    return 0;
}

static int b_enumerate(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                       const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"iterable", "start"};
    pv a[2];
    int64_t start = 0;
    if (pi_args(I, "enumerate", argc, argv, kwc, kwn, kwv, 2, names, 1, a))
        return -1;
    if (a[1].tag != PV_UNSET && pi_to_int(I, a[1], "enumerate() start", &start))
        return -1;
    plist *items;
    if (pi_to_list(I, a[0], &items))
        return -1;
    for (size_t k = 0; k < items->len; k++) {
        pv pair = make_tuple2(I, pv_int(start + (int64_t)k), items->items[k]);
        if (pair.tag != PV_OBJ) {
            pi_release(I, pv_obj(items));
            return -1;
        }
        pi_release(I, items->items[k]);
        items->items[k] = pair;
    }
    *out = pv_obj(items);
    return 0;
}

static int b_zip(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (no_kwargs(I, "zip", kwc))
        return -1;
    plist *lists[16];
    if (argc > 16)
        return pi_raise(I, "TypeError", "zip() of more than 16 iterables is not supported");
    size_t n = (size_t)-1;
    int r = 0, made = 0;
    for (; made < argc && !r; made++) {
        r = pi_to_list(I, argv[made], &lists[made]);
        if (!r && lists[made]->len < n)
            n = lists[made]->len;
        if (r)
            break;
    }
    if (argc == 0)
        n = 0;
    plist *res = r ? NULL : pi_list(I, PO_LIST, n);
    for (size_t k = 0; res && k < n; k++) {
        plist *t = pi_list(I, PO_TUPLE, (size_t)argc);
        if (!t) {
            r = -1;
            break;
        }
        for (int j = 0; j < argc; j++)
            t->items[t->len++] = pv_ref(lists[j]->items[k]);
        res->items[res->len++] = pv_obj(t);
    }
    for (int j = 0; j < made; j++)
        pi_release(I, pv_obj(lists[j]));
    if (r || !res) {
        if (res)
            pi_release(I, pv_obj(res));
        return -1;
    }
    *out = pv_obj(res);
    return 0;
}

static int b_reversed(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "reversed", argc, kwc, 1, 1))
        return -1;
    if (pv_is(argv[0], PO_DICT))
        return pi_raise(I, "TypeError", "'dict' object is not reversible");
    plist *l;
    if (pi_to_list(I, argv[0], &l))
        return -1;
    for (size_t a = 0, b = l->len; a + 1 < b; a++, b--) {
        pv t = l->items[a];
        l->items[a] = l->items[b - 1];
        l->items[b - 1] = t;
    }
    *out = pv_obj(l);
    return 0;
}

static int b_map(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (no_kwargs(I, "map", kwc))
        return -1;
    if (argc < 2)
        return pi_raise(I, "TypeError", "map() must have at least two arguments.");
    pv zipped;
    if (b_zip(I, self, argc - 1, argv + 1, 0, NULL, NULL, &zipped))
        return -1;
    plist *z = pv_list(zipped);
    int r = 0;
    for (size_t k = 0; k < z->len && !r; k++) {
        plist *args = pv_list(z->items[k]);
        pv v;
        r = pi_call(I, argv[0], (int)args->len, args->items, 0, NULL, NULL, &v);
        if (!r) {
            pi_release(I, z->items[k]);
            z->items[k] = v;
        }
    }
    if (r) {
        pi_release(I, zipped);
        return -1;
    }
    *out = zipped;
    return 0;
}

static int b_filter(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "filter", argc, kwc, 2, 2))
        return -1;
    plist *items, *res;
    if (pi_to_list(I, argv[1], &items))
        return -1;
    if (!(res = pi_list(I, PO_LIST, 0))) {
        pi_release(I, pv_obj(items));
        return -1;
    }
    int r = 0;
    for (size_t k = 0; k < items->len && !r; k++) {
        pv v = pv_ref(items->items[k]);
        int t;
        if (argv[0].tag != PV_NONE) {
            pi_release(I, v);
            r = pi_call(I, argv[0], 1, &items->items[k], 0, NULL, NULL, &v);
        }
        if (!r)
            r = pi_truthy(I, v, &t);
        pi_release(I, v);
        if (!r && t)
            r = pi_list_push(I, res, pv_ref(items->items[k]));
    }
    pi_release(I, pv_obj(items));
    if (r) {
        pi_release(I, pv_obj(res));
        return -1;
    }
    *out = pv_obj(res);
    return 0;
}

static int any_all(interp *I, int argc, const pv *argv, int kwc, int want, const char *name,
                   pv *out)
{
    if (nargs(I, name, argc, kwc, 1, 1))
        return -1;
    piter it;
    pv v;
    int got, t;
    if (pi_iter_init(I, argv[0], &it))
        return -1;
    while ((got = pi_iter_next(I, &it, &v)) > 0) {
        int r = pi_truthy(I, v, &t);
        pi_release(I, v);
        if (r)
            return -1;
        if (t == want) {
            *out = pv_bool(want);
            return 0;
        }
    }
    if (got < 0)
        return -1;
    *out = pv_bool(!want);
    return 0;
}

static int b_any(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    return any_all(I, argc, argv, kwc, 1, "any", out);
}

static int b_all(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    return any_all(I, argc, argv, kwc, 0, "all", out);
}

/* ---- numeric builtins ---- */

static int b_abs(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "abs", argc, kwc, 1, 1))
        return -1;
    pv v = argv[0];
    if (v.tag == PV_FLOAT) {
        *out = pv_float(fabs(v.u.f));
        return 0;
    }
    if (!pv_is_intlike(v))
        return pi_raise(I, "TypeError", "bad operand type for abs(): '%s'", pi_type_name(v));
    if (v.u.i == INT64_MIN)
        return pi_raise(I, "OverflowError", "integer result too large (vkeve integers are 64-bit)");
    *out = pv_int(v.u.i < 0 ? -v.u.i : v.u.i);
    return 0;
}

/* Round half to even, like Python's round(). */
static double round_even(double x)
{
    double r = round(x);
    if (fabs(x - trunc(x)) == 0.5)
        r = 2.0 * round(x / 2.0);
    return r;
}

static int b_round(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"number", "ndigits"};
    pv a[2];
    if (pi_args(I, "round", argc, argv, kwc, kwn, kwv, 2, names, 1, a))
        return -1;
    pv x = a[0];
    int have_n = a[1].tag != PV_UNSET && a[1].tag != PV_NONE;
    int64_t nd = 0;
    if (have_n && pi_to_int(I, a[1], "round() ndigits", &nd))
        return -1;
    if (pv_is_intlike(x)) {
        if (!have_n || nd >= 0) {
            *out = pv_int(x.u.i);
            return 0;
        }
        /* round(1234, -2) == 1200 with ties to even */
        if (nd < -18) {
            *out = pv_int(0);
            return 0;
        }
        int64_t p = 1;
        for (int64_t k = 0; k < -nd; k++)
            p *= 10;
        int64_t q = x.u.i / p, rem = x.u.i % p;
        if (rem < 0) {
            q -= 1;
            rem += p;
        }
        if (rem * 2 > p || (rem * 2 == p && (q & 1)))
            q += 1;
        int64_t res;
        if (__builtin_mul_overflow(q, p, &res))
            return pi_raise(I, "OverflowError",
                            "integer result too large (vkeve integers are 64-bit)");
        *out = pv_int(res);
        return 0;
    }
    if (x.tag != PV_FLOAT)
        return pi_raise(I, "TypeError", "type %s doesn't define __round__ method", pi_type_name(x));
    if (!have_n) {
        if (isnan(x.u.f))
            return pi_raise(I, "ValueError", "cannot convert float NaN to integer");
        if (isinf(x.u.f))
            return pi_raise(I, "OverflowError", "cannot convert float infinity to integer");
        return pi_float_to_int(I, round_even(x.u.f), out);
    }
    if (!isfinite(x.u.f) || nd > 300) {
        *out = x;
        return 0;
    }
    if (nd < -308) {
        *out = pv_float(copysign(0.0, x.u.f));
        return 0;
    }
    if (nd >= 0) {
        /* Correctly rounded decimal conversion (glibc rounds exact ties to even), as CPython
         * does: round(2.675, 2) == 2.67 because 2.675 is really 2.67499999... */
        char buf[400];
        snprintf(buf, sizeof buf, "%.*f", (int)nd, x.u.f);
        *out = pv_float(strtod(buf, NULL));
        return 0;
    }
    double p = pow(10.0, (double)-nd);
    double y = round_even(x.u.f / p) * p;
    *out = pv_float(isfinite(y) ? y : x.u.f);
    return 0;
}

static int b_divmod(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "divmod", argc, kwc, 2, 2))
        return -1;
    pv q, m;
    if (pi_binop(I, OP_FLOORDIV, argv[0], argv[1], &q))
        return -1;
    if (pi_binop(I, OP_MOD, argv[0], argv[1], &m))
        return -1;
    *out = make_tuple2(I, q, m);
    return out->tag == PV_OBJ ? 0 : -1;
}

static int b_pow(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "pow", argc, kwc, 2, 3))
        return -1;
    if (argc == 2)
        return pi_binop(I, OP_POW, argv[0], argv[1], out);
    int64_t b, e, m;
    if (pi_to_int(I, argv[0], "pow()", &b) || pi_to_int(I, argv[1], "pow()", &e) ||
        pi_to_int(I, argv[2], "pow()", &m))
        return -1;
    if (m == 0)
        return pi_raise(I, "ValueError", "pow() 3rd argument cannot be 0");
    if (e < 0)
        return pi_raise(I, "ValueError", "pow() negative exponent with a modulus is not supported");
    __int128 r = 1, base = ((b % m) + m) % m;
    while (e > 0) {
        if (e & 1)
            r = r * base % m;
        base = base * base % m;
        e >>= 1;
    }
    int64_t res = (int64_t)r;
    if (res != 0 && ((res < 0) != (m < 0)))
        res += m;
    *out = pv_int(res);
    return 0;
}

static int minmax(interp *I, int argc, const pv *argv, int kwc, const int *kwn, const pv *kwv,
                  int want_max, pv *out)
{
    const char *name = want_max ? "max" : "min";
    pv key = pv_none(), deflt;
    deflt.tag = PV_UNSET;
    for (int k = 0; k < kwc; k++) {
        const char *kn = pi_sym_name(I, kwn[k]);
        if (strcmp(kn, "key") == 0)
            key = kwv[k];
        else if (strcmp(kn, "default") == 0)
            deflt = kwv[k];
        else
            return pi_raise(I, "TypeError", "%s() got an unexpected keyword argument '%s'", name,
                            kn);
    }
    if (argc == 0)
        return pi_raise(I, "TypeError", "%s expected at least 1 argument, got 0", name);
    plist *items;
    if (argc == 1) {
        if (pi_to_list(I, argv[0], &items))
            return -1;
    } else {
        if (!(items = pi_list(I, PO_LIST, (size_t)argc)))
            return -1;
        for (int k = 0; k < argc; k++)
            items->items[items->len++] = pv_ref(argv[k]);
    }
    int r = 0;
    if (items->len == 0) {
        if (deflt.tag != PV_UNSET)
            *out = pv_ref(deflt);
        else
            r = pi_raise(I, "ValueError", "%s() arg is an empty sequence", name);
        pi_release(I, pv_obj(items));
        return r;
    }
    pv best = pv_none(), best_key = pv_none();
    for (size_t k = 0; k < items->len && !r; k++) {
        pv kv;
        if (key.tag != PV_NONE)
            r = pi_call(I, key, 1, &items->items[k], 0, NULL, NULL, &kv);
        else
            kv = pv_ref(items->items[k]);
        if (r)
            break;
        int better = k == 0;
        if (!better) {
            r = pi_cmp_op(I, want_max ? OP_GT : OP_LT, kv, best_key, &better);
        }
        if (!r && better) {
            pi_release(I, best_key);
            best_key = kv;
            best = items->items[k];
        } else {
            pi_release(I, kv);
        }
    }
    if (!r)
        *out = pv_ref(best);
    pi_release(I, best_key);
    pi_release(I, pv_obj(items));
    return r;
}

static int b_min(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    return minmax(I, argc, argv, kwc, kwn, kwv, 0, out);
}

static int b_max(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    return minmax(I, argc, argv, kwc, kwn, kwv, 1, out);
}

static int b_sum(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"iterable", "start"};
    pv a[2];
    if (pi_args(I, "sum", argc, argv, kwc, kwn, kwv, 2, names, 1, a))
        return -1;
    pv acc = a[1].tag == PV_UNSET ? pv_int(0) : pv_ref(a[1]);
    if (pv_is(acc, PO_STR)) {
        pi_release(I, acc);
        return pi_raise(I, "TypeError", "sum() can't sum strings [use ''.join(seq) instead]");
    }
    piter it;
    pv v;
    int got;
    if (pi_iter_init(I, a[0], &it)) {
        pi_release(I, acc);
        return -1;
    }
    while ((got = pi_iter_next(I, &it, &v)) > 0) {
        pv next;
        int r = pi_binop(I, OP_ADD, acc, v, &next);
        pi_release(I, v);
        pi_release(I, acc);
        if (r)
            return -1;
        acc = next;
    }
    if (got < 0) {
        pi_release(I, acc);
        return -1;
    }
    *out = acc;
    return 0;
}

/* ---- sorting: a stable merge sort whose comparisons may raise ---- */

typedef struct sort_item {
    pv key, val;
} sort_item;

static int sort_items(interp *I, sort_item *a, size_t n, int reverse)
{
    sort_item *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return pi_raise(I, "MemoryError", "out of host memory");
    if (pi_step(I, (long)n))
        goto fail;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n,
                   hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                int before;
                /* Take from the right run only when it is strictly before the left one. */
                if (pi_cmp_op(I, OP_LT, reverse ? a[i].key : a[j].key,
                              reverse ? a[j].key : a[i].key, &before))
                    goto fail;
                tmp[o++] = before ? a[j++] : a[i++];
            }
            while (i < mid)
                tmp[o++] = a[i++];
            while (j < hi)
                tmp[o++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
        if (pi_step(I, (long)n))
            goto fail;
    }
    free(tmp);
    return 0;
fail:
    free(tmp);
    return -1;
}

/* Sorts list l in place (list.sort and sorted). */
static int sort_list(interp *I, plist *l, pv key, int reverse)
{
    size_t n = l->len;
    if (n < 2)
        return 0;
    if (pi_reserve(I, n * sizeof(sort_item) * 2))
        return -1;
    sort_item *items = malloc(n * sizeof *items);
    if (!items)
        return pi_raise(I, "MemoryError", "out of host memory");
    int r = 0;
    size_t made = 0;
    for (; made < n && !r; made++) {
        items[made].val = l->items[made];
        if (key.tag != PV_NONE)
            r = pi_call(I, key, 1, &l->items[made], 0, NULL, NULL, &items[made].key);
        else
            items[made].key = pv_ref(l->items[made]);
        if (r)
            break;
    }
    if (!r && l->len != n)
        r = pi_raise(I, "ValueError", "list modified during sort");
    if (!r)
        r = sort_items(I, items, n, reverse);
    if (!r)
        for (size_t k = 0; k < n; k++)
            l->items[k] = items[k].val;
    for (size_t k = 0; k < made; k++)
        pi_release(I, items[k].key);
    free(items);
    return r;
}

static int sort_kwargs(interp *I, const char *name, int kwc, const int *kwn, const pv *kwv, pv *key,
                       int *reverse)
{
    *key = pv_none();
    *reverse = 0;
    for (int k = 0; k < kwc; k++) {
        const char *kn = pi_sym_name(I, kwn[k]);
        if (strcmp(kn, "key") == 0) {
            *key = kwv[k];
        } else if (strcmp(kn, "reverse") == 0) {
            if (pi_truthy(I, kwv[k], reverse))
                return -1;
        } else {
            return pi_raise(I, "TypeError", "%s() got an unexpected keyword argument '%s'", name,
                            kn);
        }
    }
    return 0;
}

static int b_sorted(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)self;
    pv key;
    int reverse;
    if (argc != 1)
        return pi_raise(I, "TypeError", "sorted expected 1 argument, got %d", argc);
    if (sort_kwargs(I, "sorted", kwc, kwn, kwv, &key, &reverse))
        return -1;
    plist *l;
    if (pi_to_list(I, argv[0], &l))
        return -1;
    if (sort_list(I, l, key, reverse)) {
        pi_release(I, pv_obj(l));
        return -1;
    }
    *out = pv_obj(l);
    return 0;
}

/* ---- type checks ---- */

static int is_instance_of(interp *I, pv v, pv type, int *out)
{
    if (pv_is(type, PO_TUPLE)) {
        *out = 0;
        for (size_t k = 0; k < pv_list(type)->len && !*out; k++)
            if (is_instance_of(I, v, pv_list(type)->items[k], out))
                return -1;
        return 0;
    }
    if (pv_is(type, PO_EXCTYPE)) {
        *out = strcmp(pi_type_name(v), ((pexctype *)type.u.o)->name) == 0;
        return 0;
    }
    if (!pv_is(type, PO_NATIVE))
        return pi_raise(I, "TypeError", "isinstance() arg 2 must be a type or tuple of types");
    const char *t = ((pnative *)type.u.o)->name;
    if (strcmp(t, "int") == 0)
        *out = pv_is_intlike(v);
    else if (strcmp(t, "float") == 0)
        *out = v.tag == PV_FLOAT;
    else if (strcmp(t, "bool") == 0)
        *out = v.tag == PV_BOOL;
    else if (strcmp(t, "str") == 0)
        *out = pv_is(v, PO_STR);
    else if (strcmp(t, "list") == 0)
        *out = pv_is(v, PO_LIST);
    else if (strcmp(t, "tuple") == 0)
        *out = pv_is(v, PO_TUPLE);
    else if (strcmp(t, "dict") == 0)
        *out = pv_is(v, PO_DICT);
    else if (strcmp(t, "set") == 0)
        *out = pv_is(v, PO_SET);
    else if (strcmp(t, "Image") == 0)
        *out = pv_is(v, PO_IMAGE);
    else
        return pi_raise(I, "TypeError", "isinstance() arg 2 must be a type or tuple of types");
    return 0;
}

static int b_isinstance(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                        const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    int r;
    if (nargs(I, "isinstance", argc, kwc, 2, 2) || is_instance_of(I, argv[0], argv[1], &r))
        return -1;
    *out = pv_bool(r);
    return 0;
}

/* type(x): the built-in for core types (so type(x) == int works), else a class object named
 * after the type. Identity-free comparison of those is by name (pi_equal). */
static int b_type(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "type", argc, kwc, 1, 1))
        return -1;
    const char *name = pi_type_name(argv[0]);
    int sym = pi_sym(I, name);
    pv *builtin = sym >= 0 ? pi_scope_find(I->builtins, sym) : NULL;
    if (builtin && (pv_is(*builtin, PO_NATIVE) || pv_is(*builtin, PO_EXCTYPE))) {
        *out = pv_ref(*builtin);
        return 0;
    }
    pexctype *t = pi_new(I, PO_EXCTYPE, sizeof *t);
    if (!t)
        return -1;
    t->name = name; /* pi_type_name returns static strings */
    *out = pv_obj(t);
    return 0;
}

static int b_callable(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "callable", argc, kwc, 1, 1))
        return -1;
    *out =
        pv_bool(pv_is(argv[0], PO_FUNC) || pv_is(argv[0], PO_NATIVE) || pv_is(argv[0], PO_EXCTYPE));
    return 0;
}

/* ---- text builtins ---- */

static int b_print(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    pv sep = pv_none(), end = pv_none();
    for (int k = 0; k < kwc; k++) {
        const char *kn = pi_sym_name(I, kwn[k]);
        if (strcmp(kn, "sep") == 0)
            sep = kwv[k];
        else if (strcmp(kn, "end") == 0)
            end = kwv[k];
        else if (strcmp(kn, "flush") != 0)
            return pi_raise(I, "TypeError", "print() got an unexpected keyword argument '%s'", kn);
    }
    if ((sep.tag != PV_NONE && !pv_is(sep, PO_STR)) || (end.tag != PV_NONE && !pv_is(end, PO_STR)))
        return pi_raise(I, "TypeError", "print() sep and end must be None or a string");
    *out = pv_none();
    if (!I->out_enabled) /* output is discarded, but str() of each argument may still fail */
        return 0;
    pbuf b = {0};
    for (int k = 0; k < argc; k++) {
        if (k) {
            if (sep.tag == PV_NONE)
                pbuf_puts(&b, " ");
            else
                pbuf_put(&b, pv_str(sep)->s, pv_str(sep)->len);
        }
        if (pi_tostr(I, argv[k], &b)) {
            free(b.s);
            return -1;
        }
    }
    if (end.tag == PV_NONE)
        pbuf_puts(&b, "\n");
    else
        pbuf_put(&b, pv_str(end)->s, pv_str(end)->len);
    if (b.oom) {
        free(b.s);
        return pi_raise(I, "MemoryError", "out of host memory");
    }
    size_t room = I->out_len < (1u << 20) ? (1u << 20) - I->out_len : 0;
    size_t n = b.len < room ? b.len : room;
    if (n && I->out_len + n + 1 > I->out_cap) {
        size_t cap = (I->out_len + n + 1) * 2;
        char *o = realloc(I->out, cap);
        if (!o) {
            free(b.s);
            return pi_raise(I, "MemoryError", "out of host memory");
        }
        I->out = o;
        I->out_cap = cap;
    }
    if (n) {
        memcpy(I->out + I->out_len, b.s, n);
        I->out_len += n;
        I->out[I->out_len] = 0;
    }
    free(b.s);
    return 0;
}

static int b_chr(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    int64_t c;
    if (nargs(I, "chr", argc, kwc, 1, 1) || pi_to_int(I, argv[0], "chr()", &c))
        return -1;
    if (c < 0 || c > 0x10FFFF)
        return pi_raise(I, "ValueError", "chr() arg not in range(0x110000)");
    char buf[4];
    size_t n;
    if (c < 0x80) {
        buf[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        buf[0] = (char)(0xC0 | (c >> 6));
        buf[1] = (char)(0x80 | (c & 63));
        n = 2;
    } else if (c < 0x10000) {
        buf[0] = (char)(0xE0 | (c >> 12));
        buf[1] = (char)(0x80 | ((c >> 6) & 63));
        buf[2] = (char)(0x80 | (c & 63));
        n = 3;
    } else {
        buf[0] = (char)(0xF0 | (c >> 18));
        buf[1] = (char)(0x80 | ((c >> 12) & 63));
        buf[2] = (char)(0x80 | ((c >> 6) & 63));
        buf[3] = (char)(0x80 | (c & 63));
        n = 4;
    }
    *out = pi_str(I, buf, n);
    return out->tag == PV_OBJ ? 0 : -1;
}

static int b_ord(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (nargs(I, "ord", argc, kwc, 1, 1))
        return -1;
    if (!pv_is(argv[0], PO_STR) || pv_str(argv[0])->len != 1)
        return pi_raise(I, "TypeError", "ord() expected a character");
    *out = pv_int((unsigned char)pv_str(argv[0])->s[0]);
    return 0;
}

static int int_text(interp *I, int argc, const pv *argv, int kwc, const char *name,
                    const char *spec, pv *out)
{
    if (nargs(I, name, argc, kwc, 1, 1))
        return -1;
    if (!pv_is_intlike(argv[0]))
        return pi_raise(I, "TypeError", "'%s' object cannot be interpreted as an integer",
                        pi_type_name(argv[0]));
    pbuf b = {0};
    if (pi_format(I, argv[0], spec, strlen(spec), &b)) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

static int b_hex(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    return int_text(I, argc, argv, kwc, "hex", "#x", out);
}

static int b_bin(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    return int_text(I, argc, argv, kwc, "bin", "#b", out);
}

static int b_oct(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    return int_text(I, argc, argv, kwc, "oct", "#o", out);
}

/* ---- str methods ---- */

static int str_strip(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int left = c->how & 1, right = c->how & 2; /* how: 1 lstrip, 2 rstrip, 3 strip */
    const char *chars = " \t\n\r\f\v";
    size_t nchars = 6;
    if (c->argc > 1)
        return pi_raise(I, "TypeError", "strip() takes at most 1 argument");
    if (c->argc == 1 && c->argv[0].tag != PV_NONE) {
        if (!pv_is(c->argv[0], PO_STR))
            return pi_raise(I, "TypeError", "strip arg must be None or str");
        chars = pv_str(c->argv[0])->s;
        nchars = pv_str(c->argv[0])->len;
    }
    size_t a = 0, b = s->len;
    while (left && a < b && memchr(chars, s->s[a], nchars))
        a++;
    while (right && b > a && memchr(chars, s->s[b - 1], nchars))
        b--;
    *out = pi_str(I, s->s + a, b - a);
    return out->tag == PV_OBJ ? 0 : -1;
}

static int str_split(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    static const char *const names[] = {"sep", "maxsplit"};
    pv a[2];
    if (pi_call_args(I, c, 2, names, 0, a))
        return -1;
    if (pi_search_cost(I, s->len, pv_is(a[0], PO_STR) ? pv_str(a[0])->len : 1))
        return -1;
    int64_t maxsplit = -1;
    if (a[1].tag != PV_UNSET && pi_to_int(I, a[1], "split() maxsplit", &maxsplit))
        return -1;
    plist *l = pi_list(I, PO_LIST, 0);
    if (!l)
        return -1;
    *out = pv_obj(l);
    size_t i = 0, n = s->len;
    int r = 0;
    if (a[0].tag == PV_UNSET || a[0].tag == PV_NONE) {
        while (!r) {
            while (i < n && isspace((unsigned char)s->s[i]))
                i++;
            if (i >= n)
                break;
            size_t j = i;
            if (maxsplit >= 0 && (int64_t)l->len >= maxsplit) {
                j = n;
                while (j > i && isspace((unsigned char)s->s[j - 1]))
                    j--;
            } else {
                while (j < n && !isspace((unsigned char)s->s[j]))
                    j++;
            }
            pv part = pi_str(I, s->s + i, j - i);
            r = part.tag == PV_OBJ ? pi_list_push(I, l, part) : -1;
            i = j;
        }
    } else {
        if (!pv_is(a[0], PO_STR) || pv_str(a[0])->len == 0) {
            pi_release(I, *out);
            return pi_raise(I, pv_is(a[0], PO_STR) ? "ValueError" : "TypeError",
                            pv_is(a[0], PO_STR) ? "empty separator" : "must be str or None");
        }
        pstr *sep = pv_str(a[0]);
        for (;;) {
            size_t j = i;
            int found = 0;
            if (maxsplit < 0 || (int64_t)l->len < maxsplit)
                for (; j + sep->len <= n; j++)
                    if (memcmp(s->s + j, sep->s, sep->len) == 0) {
                        found = 1;
                        break;
                    }
            if (!found)
                j = n;
            pv part = pi_str(I, s->s + i, j - i);
            r = part.tag == PV_OBJ ? pi_list_push(I, l, part) : -1;
            if (r || !found)
                break;
            i = j + sep->len;
        }
    }
    if (r) {
        pi_release(I, *out);
        return -1;
    }
    return 0;
}

static int str_join(interp *I, const pcall *c, pv *out)
{
    pstr *sep = pv_str(c->self);
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "join() takes exactly one argument (%d given)", c->argc);
    plist *items;
    if (pi_to_list(I, c->argv[0], &items))
        return -1;
    pbuf b = {0};
    int r = 0;
    for (size_t k = 0; k < items->len && !r; k++) {
        if (!pv_is(items->items[k], PO_STR)) {
            r = pi_raise(I, "TypeError", "sequence item %zu: expected str instance, %s found", k,
                         pi_type_name(items->items[k]));
            break;
        }
        if (k)
            pbuf_put(&b, sep->s, sep->len);
        pbuf_put(&b, pv_str(items->items[k])->s, pv_str(items->items[k])->len);
        if (b.len > I->lim.max_bytes)
            r = pi_reserve(I, b.len);
    }
    pi_release(I, pv_obj(items));
    if (r) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

static int str_replace(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    if (c->argc < 2 || c->argc > 3 || !pv_is(c->argv[0], PO_STR) || !pv_is(c->argv[1], PO_STR))
        return pi_raise(I, "TypeError", "replace() takes two str arguments and an optional count");
    int64_t count = -1;
    if (c->argc == 3 && pi_to_int(I, c->argv[2], "replace() count", &count))
        return -1;
    pstr *old = pv_str(c->argv[0]), *new = pv_str(c->argv[1]);
    if (pi_search_cost(I, s->len, old->len))
        return -1;
    pbuf b = {0};
    size_t i = 0;
    int64_t done = 0;
    while (i <= s->len) {
        if ((count < 0 || done < count) && old->len == 0) {
            pbuf_put(&b, new->s, new->len);
            if (i < s->len)
                pbuf_put(&b, s->s + i, 1);
            i++;
            done++;
        } else if ((count < 0 || done < count) && i + old->len <= s->len && old->len &&
                   memcmp(s->s + i, old->s, old->len) == 0) {
            pbuf_put(&b, new->s, new->len);
            i += old->len;
            done++;
        } else {
            if (i < s->len)
                pbuf_put(&b, s->s + i, 1);
            i++;
        }
        if (b.len > I->lim.max_bytes) {
            free(b.s);
            return pi_reserve(I, (size_t)-1);
        }
    }
    return pi_buf_to_str(I, &b, out);
}

static int str_affix(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int end = c->how;
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "%s() takes exactly one argument",
                        end ? "endswith" : "startswith");
    pv arg = c->argv[0];
    size_t n = pv_is(arg, PO_TUPLE) ? pv_list(arg)->len : 1;
    for (size_t k = 0; k < n; k++) {
        pv a = pv_is(arg, PO_TUPLE) ? pv_list(arg)->items[k] : arg;
        if (!pv_is(a, PO_STR))
            return pi_raise(I, "TypeError", "%s first arg must be str or a tuple of str",
                            end ? "endswith" : "startswith");
        pstr *p = pv_str(a);
        if (p->len <= s->len && memcmp(s->s + (end ? s->len - p->len : 0), p->s, p->len) == 0) {
            *out = pv_bool(1);
            return 0;
        }
    }
    *out = pv_bool(0);
    return 0;
}

static int str_find(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int mode = c->how;
    if (c->argc < 1 || !pv_is(c->argv[0], PO_STR))
        return pi_raise(I, "TypeError", "must be str");
    pstr *n = pv_str(c->argv[0]);
    int64_t found = -1, count = 0;
    if (pi_search_cost(I, s->len, n->len))
        return -1;
    for (size_t k = 0; k + n->len <= s->len; k++) {
        if (memcmp(s->s + k, n->s, n->len) != 0)
            continue;
        if (mode == 3) {
            count++;
            if (n->len)
                k += n->len - 1;
            continue;
        }
        found = (int64_t)k;
        if (mode != 1)
            break;
    }
    if (mode == 3) {
        *out = pv_int(count);
        return 0;
    }
    if (mode == 2 && found < 0)
        return pi_raise(I, "ValueError", "substring not found");
    *out = pv_int(found);
    return 0;
}

static int str_case(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int how = c->how; /* 0 upper, 1 lower, 2 title, 3 capitalize */
    if (pi_step(I, (long)(s->len / PI_COPY_BYTES_PER_STEP)))
        return -1;
    pstr *r = pi_new(I, PO_STR, sizeof *r + s->len + 1);
    if (!r)
        return -1;
    int start = 1;
    for (size_t k = 0; k < s->len; k++) {
        int ch = (unsigned char)s->s[k];
        if (how == 0)
            ch = toupper(ch);
        else if (how == 1)
            ch = tolower(ch);
        else if (how == 2) { /* title */
            ch = start ? toupper(ch) : tolower(ch);
            start = !isalpha(ch);
        } else { /* capitalize */
            ch = k == 0 ? toupper(ch) : tolower(ch);
        }
        r->s[k] = (char)ch;
    }
    r->len = s->len;
    r->s[s->len] = 0;
    *out = pv_obj(r);
    return 0;
}

/* The classes of the is*() tests; upper and lower accept uncased characters as Python does. */
enum { CC_SPACE, CC_DIGIT, CC_ALPHA, CC_ALNUM, CC_UPPER, CC_LOWER };

static int char_is(int class, int ch)
{
    switch (class) {
    case CC_SPACE: return isspace(ch);
    case CC_DIGIT: return isdigit(ch);
    case CC_ALPHA: return isalpha(ch);
    case CC_ALNUM: return isalnum(ch);
    case CC_UPPER: return isupper(ch) || !isalpha(ch);
    default: return islower(ch) || !isalpha(ch);
    }
}

/* isspace(), isdigit() ...: how is the CC_* class every character must be in. */
static int str_test(interp *I, const pcall *c, pv *out)
{
    (void)I;
    pstr *s = pv_str(c->self);
    int ok = s->len > 0;
    for (size_t k = 0; k < s->len && ok; k++)
        ok = char_is(c->how, (unsigned char)s->s[k]) != 0;
    *out = pv_bool(ok);
    return 0;
}

static int str_pad(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    char align = (char)c->how; /* a format-spec alignment, or z for zfill */
    int64_t width;
    if (c->argc < 1 || c->argc > 2 || pi_to_int(I, c->argv[0], "width", &width))
        return c->argc < 1 || c->argc > 2 ? pi_raise(I, "TypeError", "expected 1 or 2 arguments")
                                          : -1;
    char fill = ' ';
    if (c->argc == 2) {
        if (!pv_is(c->argv[1], PO_STR) || pv_str(c->argv[1])->len != 1)
            return pi_raise(I, "TypeError",
                            "The fill character must be exactly one character long");
        fill = pv_str(c->argv[1])->s[0];
    }
    if (width > 100000000 || pi_reserve(I, (size_t)(width > 0 ? width : 0)))
        return width > 100000000 ? pi_reserve(I, (size_t)-1) : -1;
    char spec[32];
    if (align == 'z') { /* zfill keeps the sign first */
        snprintf(spec, sizeof spec, "%c>%lld", '0', (long long)width);
        if (s->len && (s->s[0] == '-' || s->s[0] == '+') && (int64_t)s->len < width) {
            pbuf b = {0};
            pbuf_put(&b, s->s, 1);
            for (int64_t k = (int64_t)s->len; k < width; k++)
                pbuf_puts(&b, "0");
            pbuf_put(&b, s->s + 1, s->len - 1);
            return pi_buf_to_str(I, &b, out);
        }
    } else {
        snprintf(spec, sizeof spec, "%c%c%lld", fill, align, (long long)width);
    }
    pbuf b = {0};
    if (pi_format(I, pv_obj(s), spec, strlen(spec), &b)) {
        free(b.s);
        return -1;
    }
    return pi_buf_to_str(I, &b, out);
}

/* partition / rpartition: (head, sep, tail) around the first / last sep. */
static int str_partition(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int last = c->how;
    if (c->argc != 1 || !pv_is(c->argv[0], PO_STR))
        return pi_raise(I, "TypeError", "partition() takes exactly one str argument");
    pstr *sep = pv_str(c->argv[0]);
    if (sep->len == 0)
        return pi_raise(I, "ValueError", "empty separator");
    if (pi_search_cost(I, s->len, sep->len))
        return -1;
    long at = -1;
    for (size_t k = 0; k + sep->len <= s->len; k++)
        if (memcmp(s->s + k, sep->s, sep->len) == 0) {
            at = (long)k;
            if (!last)
                break;
        }
    size_t a = at < 0 ? (last ? 0 : s->len) : (size_t)at, b = at < 0 ? a : a + sep->len;
    plist *t = pi_list(I, PO_TUPLE, 3);
    if (!t)
        return -1;
    *out = pv_obj(t);
    const char *parts[3] = {s->s, s->s + a, s->s + b};
    size_t lens[3] = {a, b - a, s->len - b};
    for (int k = 0; k < 3; k++) {
        pv v = pi_str(I, parts[k], lens[k]);
        if (v.tag != PV_OBJ) {
            pi_release(I, *out);
            return -1;
        }
        t->items[t->len++] = v;
    }
    return 0;
}

/* removeprefix / removesuffix */
static int str_remove_affix(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    int suffix = c->how;
    if (c->argc != 1 || !pv_is(c->argv[0], PO_STR))
        return pi_raise(I, "TypeError", "%s() takes exactly one str argument",
                        suffix ? "removesuffix" : "removeprefix");
    pstr *a = pv_str(c->argv[0]);
    int match =
        a->len <= s->len && memcmp(s->s + (suffix ? s->len - a->len : 0), a->s, a->len) == 0;
    size_t cut = match ? a->len : 0;
    *out = pi_str(I, s->s + (suffix ? 0 : cut), s->len - cut);
    return out->tag == PV_OBJ ? 0 : -1;
}

/* splitlines(): lines split at \n, \r\n and \r, without the line ends. */
static int str_splitlines(interp *I, const pcall *c, pv *out)
{
    pstr *s = pv_str(c->self);
    if (c->argc)
        return pi_raise(I, "TypeError", "splitlines() with keepends is not supported");
    plist *l = pi_list(I, PO_LIST, 0);
    if (!l)
        return -1;
    *out = pv_obj(l);
    size_t start = 0;
    for (size_t k = 0; k <= s->len; k++) {
        int end = k == s->len || s->s[k] == '\n' || s->s[k] == '\r';
        if (!end)
            continue;
        if (k == s->len && start == k)
            break;
        pv v = pi_str(I, s->s + start, k - start);
        if (v.tag != PV_OBJ || pi_list_push(I, l, v)) {
            pi_release(I, *out);
            return -1;
        }
        if (k < s->len && s->s[k] == '\r' && k + 1 < s->len && s->s[k + 1] == '\n')
            k++;
        start = k + 1;
    }
    return 0;
}

static int str_format(interp *I, const pcall *c, pv *out)
{
    return pi_str_format(I, pv_str(c->self), c->argc, c->argv, c->kwc, c->kwn, c->kwv, out);
}

static const pmethod str_methods[] = {
    {"format", str_format, 0, PM_KW},
    {"split", str_split, 0, PM_KW},
    {"strip", str_strip, 3, 0},
    {"lstrip", str_strip, 1, 0},
    {"rstrip", str_strip, 2, 0},
    {"join", str_join, 0, 0},
    {"replace", str_replace, 0, 0},
    {"startswith", str_affix, 0, 0},
    {"endswith", str_affix, 1, 0},
    {"find", str_find, 0, 0},
    {"rfind", str_find, 1, 0},
    {"index", str_find, 2, 0},
    {"count", str_find, 3, 0},
    {"upper", str_case, 0, 0},
    {"lower", str_case, 1, 0},
    {"title", str_case, 2, 0},
    {"capitalize", str_case, 3, 0},
    {"isspace", str_test, CC_SPACE, 0},
    {"isdigit", str_test, CC_DIGIT, 0},
    {"isnumeric", str_test, CC_DIGIT, 0},
    {"isdecimal", str_test, CC_DIGIT, 0},
    {"isalpha", str_test, CC_ALPHA, 0},
    {"isalnum", str_test, CC_ALNUM, 0},
    {"isupper", str_test, CC_UPPER, 0},
    {"islower", str_test, CC_LOWER, 0},
    {"ljust", str_pad, '<', 0},
    {"rjust", str_pad, '>', 0},
    {"center", str_pad, '^', 0},
    {"zfill", str_pad, 'z', 0},
    {"partition", str_partition, 0, 0},
    {"rpartition", str_partition, 1, 0},
    {"removeprefix", str_remove_affix, 0, 0},
    {"removesuffix", str_remove_affix, 1, 0},
    {"splitlines", str_splitlines, 0, 0},
    {NULL, NULL, 0, 0},
};

/* ---- list, tuple and dict methods ---- */

/* index() / count() of a list or tuple (how 1: count). */
static int list_index(interp *I, const pcall *c, pv *out)
{
    plist *l = pv_list(c->self);
    int count = c->how;
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "%s() takes exactly one argument (%d given)",
                        count ? "count" : "index", c->argc);
    int64_t n = 0;
    for (size_t k = 0; k < l->len; k++) {
        int eq;
        if (pi_equal(I, l->items[k], c->argv[0], &eq))
            return -1;
        if (eq && !count) {
            *out = pv_int((int64_t)k);
            return 0;
        }
        n += eq;
    }
    if (!count) {
        pbuf b = {0};
        pi_repr(I, c->argv[0], &b);
        pi_raise(I, "ValueError", "%s is not in %s", b.s ? b.s : "?",
                 l->h.kind == PO_LIST ? "list" : "tuple");
        free(b.s);
        return -1;
    }
    *out = pv_int(n);
    return 0;
}

static int list_sort(interp *I, const pcall *c, pv *out)
{
    (void)out;
    pv key;
    int reverse;
    if (c->argc)
        return pi_raise(I, "TypeError", "sort() takes no positional arguments");
    if (sort_kwargs(I, "sort", c->kwc, c->kwn, c->kwv, &key, &reverse))
        return -1;
    return sort_list(I, pv_list(c->self), key, reverse);
}

static int list_append(interp *I, const pcall *c, pv *out)
{
    (void)out;
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "list.append() takes exactly one argument (%d given)",
                        c->argc);
    return pi_list_push(I, pv_list(c->self), pv_ref(c->argv[0]));
}

static int list_extend(interp *I, const pcall *c, pv *out)
{
    (void)out;
    plist *items;
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "list.extend() takes exactly one argument (%d given)",
                        c->argc);
    if (pi_to_list(I, c->argv[0], &items))
        return -1;
    int r = 0;
    for (size_t k = 0; k < items->len && !r; k++)
        r = pi_list_push(I, pv_list(c->self), pv_ref(items->items[k]));
    pi_release(I, pv_obj(items));
    return r;
}

static int list_insert(interp *I, const pcall *c, pv *out)
{
    (void)out;
    plist *l = pv_list(c->self);
    int64_t at;
    if (c->argc != 2)
        return pi_raise(I, "TypeError", "insert expected 2 arguments, got %d", c->argc);
    if (pi_to_int(I, c->argv[0], "insert()", &at) || pi_list_push(I, l, pv_ref(c->argv[1])))
        return -1;
    int64_t n = (int64_t)l->len - 1;
    if (at < 0)
        at = at + n < 0 ? 0 : at + n;
    if (at > n)
        at = n;
    pv v = l->items[n];
    memmove(l->items + at + 1, l->items + at, (size_t)(n - at) * sizeof(pv));
    l->items[at] = v;
    return 0;
}

static int list_pop(interp *I, const pcall *c, pv *out)
{
    plist *l = pv_list(c->self);
    int64_t at = -1;
    if (c->argc > 1 || (c->argc == 1 && pi_to_int(I, c->argv[0], "pop()", &at)))
        return c->argc > 1 ? pi_raise(I, "TypeError", "pop expected at most 1 argument") : -1;
    if (l->len == 0)
        return pi_raise(I, "IndexError", "pop from empty list");
    if (at < 0)
        at += (int64_t)l->len;
    if (at < 0 || at >= (int64_t)l->len)
        return pi_raise(I, "IndexError", "pop index out of range");
    *out = l->items[at];
    memmove(l->items + at, l->items + at + 1, (l->len - (size_t)at - 1) * sizeof(pv));
    l->len--;
    return 0;
}

static int list_remove(interp *I, const pcall *c, pv *out)
{
    pv idx;
    pcall find = *c;
    find.how = 0; /* index() */
    (void)out;
    if (list_index(I, &find, &idx))
        return -1;
    return pi_delitem(I, c->self, idx);
}

static int list_reverse(interp *I, const pcall *c, pv *out)
{
    (void)I;
    (void)out;
    plist *l = pv_list(c->self);
    for (size_t a = 0, b = l->len; a + 1 < b; a++, b--) {
        pv t = l->items[a];
        l->items[a] = l->items[b - 1];
        l->items[b - 1] = t;
    }
    return 0;
}

static int list_copy(interp *I, const pcall *c, pv *out)
{
    return pi_slice(I, c->self, pv_none(), pv_none(), pv_none(), out);
}

static int list_clear(interp *I, const pcall *c, pv *out)
{
    (void)out;
    plist *l = pv_list(c->self);
    while (l->len) {
        pv v = l->items[--l->len];
        pi_release(I, v);
    }
    return 0;
}

static const pmethod list_methods[] = {
    {"append", list_append, 0, 0},      {"extend", list_extend, 0, 0},
    {"insert", list_insert, 0, 0},      {"pop", list_pop, 0, 0},
    {"remove", list_remove, 0, 0},      {"reverse", list_reverse, 0, 0},
    {"copy", list_copy, 0, 0},          {"clear", list_clear, 0, 0},
    {"sort", list_sort, 0, PM_KW},      {"index", list_index, 0, PM_TUPLE},
    {"count", list_index, 1, PM_TUPLE}, {NULL, NULL, 0, 0},
};

/* keys(), values(), items() (how 0, 1, 2) as lists. */
static int dict_view(interp *I, const pcall *c, pv *out)
{
    pdict *d = pv_dict(c->self);
    int what = c->how;
    plist *l = pi_list(I, PO_LIST, d->len);
    if (!l)
        return -1;
    for (size_t k = 0; k < d->used; k++) {
        pdict_entry *e = &d->entries[k];
        if (!e->live)
            continue;
        pv v = what == 0   ? pv_ref(e->key)
               : what == 1 ? pv_ref(e->val)
                           : make_tuple2(I, e->key, e->val);
        if (v.tag == PV_NONE && what == 2) {
            pi_release(I, pv_obj(l));
            return -1;
        }
        l->items[l->len++] = v;
    }
    *out = pv_obj(l);
    return 0;
}

static int dict_update_method(interp *I, const pcall *c, pv *out)
{
    (void)out;
    pdict *d = pv_dict(c->self);
    if (c->argc > 1)
        return pi_raise(I, "TypeError", "update expected at most 1 argument, got %d", c->argc);
    if (c->argc && dict_update(I, d, c->argv[0]))
        return -1;
    return dict_update_kw(I, d, c->kwc, c->kwn, c->kwv);
}

/* get(), pop(), setdefault() (how 0, 1, 2). */
static int dict_lookup(interp *I, const pcall *c, pv *out)
{
    pdict *d = pv_dict(c->self);
    int pop = c->how == 1, setdefault = c->how == 2;
    if (c->argc < 1 || c->argc > 2)
        return pi_raise(I, "TypeError", "%s expected 1 or 2 arguments, got %d", c->name, c->argc);
    pv v;
    int has = pi_dict_get(I, d, c->argv[0], &v);
    if (has < 0)
        return -1;
    if (has) {
        *out = pv_ref(v);
        return pop ? pi_dict_del(I, d, c->argv[0]) : 0;
    }
    if (pop && c->argc == 1) {
        pbuf b = {0};
        pi_repr(I, c->argv[0], &b);
        pi_raise(I, "KeyError", "%s", b.s ? b.s : "?");
        free(b.s);
        return -1;
    }
    *out = c->argc == 2 ? pv_ref(c->argv[1]) : pv_none();
    return setdefault ? pi_dict_set(I, d, c->argv[0], *out) : 0;
}

static int dict_copy(interp *I, const pcall *c, pv *out)
{
    pdict *copy = pi_dict(I);
    if (!copy)
        return -1;
    *out = pv_obj(copy);
    return dict_update(I, copy, c->self);
}

/* clear() of a dict or a set. */
static int dict_clear(interp *I, const pcall *c, pv *out)
{
    (void)out;
    pdict *d = pv_dict(c->self);
    for (size_t k = 0; k < d->used; k++)
        if (d->entries[k].live && pi_dict_del(I, d, d->entries[k].key))
            return -1;
    return 0;
}

static const pmethod dict_methods[] = {
    {"keys", dict_view, 0, 0},
    {"values", dict_view, 1, 0},
    {"items", dict_view, 2, 0},
    {"get", dict_lookup, 0, 0},
    {"pop", dict_lookup, 1, 0},
    {"setdefault", dict_lookup, 2, 0},
    {"copy", dict_copy, 0, 0},
    {"clear", dict_clear, 0, 0},
    {"update", dict_update_method, 0, PM_KW},
    {NULL, NULL, 0, 0},
};

/* ---- set methods ---- */

/* add(), remove(), discard() (how 0, 1, 2). */
static int set_element(interp *I, const pcall *c, pv *out)
{
    (void)out;
    pdict *d = pv_dict(c->self);
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "set.%s() takes exactly one argument (%d given)", c->name,
                        c->argc);
    if (c->how == 0)
        return pi_dict_set(I, d, c->argv[0], pv_none());
    pv v;
    int has = pi_dict_get(I, d, c->argv[0], &v);
    if (has < 0)
        return -1;
    if (!has && c->how == 2)
        return 0;
    return pi_dict_del(I, d, c->argv[0]);
}

static int set_update(interp *I, const pcall *c, pv *out)
{
    (void)out;
    for (int k = 0; k < c->argc; k++)
        if (set_add_all(I, pv_dict(c->self), c->argv[k]))
            return -1;
    return 0;
}

static int set_copy(interp *I, const pcall *c, pv *out)
{
    pdict *empty = pi_set(I);
    if (!empty)
        return -1;
    pv copy;
    int r = pi_set_op(I, OP_BITOR, pv_dict(c->self), empty, &copy);
    pi_release(I, pv_obj(empty));
    if (r)
        return -1;
    *out = copy;
    return 0;
}

/* union(), intersection(), difference(): how is the operator (|, &, -) applied with each
 * argument in turn; with none, a copy. */
static int set_combine(interp *I, const pcall *c, pv *out)
{
    if (c->argc == 0)
        return set_copy(I, c, out);
    pv acc = pv_ref(c->self);
    for (int k = 0; k < c->argc; k++) {
        pdict *other = pi_set(I);
        pv next;
        int r = other ? set_add_all(I, other, c->argv[k]) : -1;
        if (!r)
            r = pi_set_op(I, c->how, pv_dict(acc), other, &next);
        if (other)
            pi_release(I, pv_obj(other));
        pi_release(I, acc);
        if (r)
            return -1;
        acc = next;
    }
    *out = acc;
    return 0;
}

/* issubset(), issuperset() (how 1, 0). */
static int set_subset(interp *I, const pcall *c, pv *out)
{
    pdict *d = pv_dict(c->self);
    if (c->argc != 1)
        return pi_raise(I, "TypeError", "set.%s() takes exactly one argument", c->name);
    pdict *other = pi_set(I);
    int r = other ? set_add_all(I, other, c->argv[0]) : -1;
    pdict *small = c->how ? d : other;
    pdict *big = small == d ? other : d;
    int all = 1;
    for (size_t k = 0; !r && k < small->used && all; k++) {
        pv dummy;
        if (!small->entries[k].live)
            continue;
        int has = pi_dict_get(I, big, small->entries[k].key, &dummy);
        if (has < 0)
            r = -1;
        all = has > 0;
    }
    if (other)
        pi_release(I, pv_obj(other));
    *out = pv_bool(all);
    return r;
}

static const pmethod set_methods[] = {
    {"add", set_element, 0, 0},
    {"remove", set_element, 1, 0},
    {"discard", set_element, 2, 0},
    {"update", set_update, 0, 0},
    {"copy", set_copy, 0, 0},
    {"union", set_combine, OP_BITOR, 0},
    {"intersection", set_combine, OP_BITAND, 0},
    {"difference", set_combine, OP_SUB, 0},
    {"clear", dict_clear, 0, 0},
    {"issubset", set_subset, 1, 0},
    {"issuperset", set_subset, 0, 0},
    {NULL, NULL, 0, 0},
};

const pmethod *pi_find_method(const pmethod *table, const char *name)
{
    for (; table->name; table++)
        if (strcmp(table->name, name) == 0)
            return table;
    return NULL;
}

/* The method table of a built-in container, or NULL. */
static const pmethod *methods_of(pv obj)
{
    switch (obj.u.o->kind) {
    case PO_STR: return str_methods;
    case PO_LIST:
    case PO_TUPLE: return list_methods;
    case PO_DICT: return dict_methods;
    case PO_SET: return set_methods;
    default: return NULL;
    }
}

/* The method of a built-in container named name; a tuple has list's PM_TUPLE methods only. */
static const pmethod *find_container_method(pv obj, const char *name)
{
    const pmethod *m = pi_find_method(methods_of(obj), name);
    if (m && pv_is(obj, PO_TUPLE) && !(m->flags & PM_TUPLE))
        return NULL;
    return m;
}

/* Calls a method of str, list, tuple, dict or set (*found 0 when there is none). Keyword
 * arguments are refused before the name is checked, except on a tuple, as CPython's own
 * argument parsing of these types does. */
static int container_method(interp *I, pcall *c, pv *out, int *found)
{
    const pmethod *m = find_container_method(c->self, c->name);
    *found = m != NULL;
    *out = pv_none();
    if (!m && pv_is(c->self, PO_TUPLE))
        return 0;
    if (c->kwc && !(m && (m->flags & PM_KW)))
        return pi_raise(I, "TypeError", "%s%s() takes no keyword arguments",
                        pv_is(c->self, PO_STR) ? "str." : "", c->name);
    if (!m)
        return 0;
    c->how = m->how;
    return m->fn(I, c, out);
}

/* ---- attributes ---- */

static int is_dunder(const char *name)
{
    size_t n = strlen(name);
    return n >= 2 && name[0] == '_' && name[1] == '_';
}

static int no_attr(interp *I, pv obj, const char *name)
{
    return pi_raise(I, "AttributeError", "'%s' object has no attribute '%s'", pi_type_name(obj),
                    name);
}

/* obj.name(...) on an object whose methods are values: get the attribute and call it. */
static int call_attribute(interp *I, pv obj, int sym, int argc, const pv *argv, int kwc,
                          const int *kwn, const pv *kwv, pv *out)
{
    pv fn;
    if (pi_getattr(I, obj, sym, &fn))
        return -1;
    int r = pi_call(I, fn, argc, argv, kwc, kwn, kwv, out);
    pi_release(I, fn);
    return r;
}

int pi_call_method(interp *I, pv obj, int sym, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    const char *m = pi_sym_name(I, sym);
    int found = 0, r = 0;
    if (is_dunder(m))
        return pi_raise(I, "Forbidden", "access to dunder attribute '%s' is not allowed", m);
    if (pi_step(I, 1))
        return -1;
    if (obj.tag == PV_FLOAT && strcmp(m, "is_integer") == 0) {
        if (nargs(I, m, argc, kwc, 0, 0))
            return -1;
        *out = pv_bool(isfinite(obj.u.f) && obj.u.f == floor(obj.u.f));
        return 0;
    }
    if (obj.tag == PV_OBJ) {
        pcall c = {obj, m, 0, argc, argv, kwc, kwn, kwv};
        switch (obj.u.o->kind) {
        case PO_STR:
        case PO_LIST:
        case PO_TUPLE:
        case PO_DICT:
        case PO_SET: r = container_method(I, &c, out, &found); break;
        case PO_IMAGE: r = pi_image_method(I, &c, out, &found); break;
        case PO_DRAW: r = pi_draw_method(I, &c, out, &found); break;
        case PO_ENHANCER: r = pi_enhancer_method(I, &c, out, &found); break;
        default: return call_attribute(I, obj, sym, argc, argv, kwc, kwn, kwv, out);
        }
    }
    if (r)
        return -1;
    if (!found)
        return no_attr(I, obj, m);
    return 0;
}

/* A bound method of a built-in type: calling it calls obj.<sym>(...). */
static int bound_method(interp *I, pv obj, int sym, pv *out)
{
    pnative *n = pi_new(I, PO_NATIVE, sizeof *n);
    if (!n)
        return -1;
    n->name = pi_sym_name(I, sym);
    n->self = pv_ref(obj);
    n->method_sym = sym;
    *out = pv_obj(n);
    return 0;
}

/* e.args: the message as a 1-tuple, or () without one. */
static int exc_args(interp *I, pexc *e, pv *out)
{
    plist *t = pi_list(I, PO_TUPLE, 1);
    if (!t)
        return -1;
    if (e->message.tag != PV_NONE)
        t->items[t->len++] = pv_ref(e->message);
    *out = pv_obj(t);
    return 0;
}

int pi_getattr(interp *I, pv obj, int sym, pv *out)
{
    const char *name = pi_sym_name(I, sym);
    if (is_dunder(name))
        return pi_raise(I, "Forbidden", "access to dunder attribute '%s' is not allowed", name);
    if (obj.tag != PV_OBJ) {
        if (obj.tag == PV_FLOAT && strcmp(name, "is_integer") == 0)
            return bound_method(I, obj, sym, out);
        if (pv_is_num(obj) && (strcmp(name, "real") == 0)) {
            *out = obj;
            return 0;
        }
        return no_attr(I, obj, name);
    }
    int found = 0, r = 0;
    switch (obj.u.o->kind) {
    case PO_MODULE: return pi_module_getattr(I, (pmodule *)obj.u.o, name, out);
    case PO_STR:
    case PO_LIST:
    case PO_TUPLE:
    case PO_DICT:
    case PO_SET: found = find_container_method(obj, name) != NULL; break;
    case PO_IMAGE:
        r = pi_image_attr(I, obj, name, out, &found);
        if (r || found)
            return r;
        found = 1; /* methods are checked when called */
        break;
    case PO_DRAW:
    case PO_ENHANCER: found = 1; break;
    case PO_EXC:
        if (strcmp(name, "args") == 0)
            return exc_args(I, (pexc *)obj.u.o, out);
        break;
    default: break;
    }
    if (!found)
        return no_attr(I, obj, name);
    return bound_method(I, obj, sym, out);
}

int pi_setattr(interp *I, pv obj, int sym, pv val)
{
    (void)val;
    const char *name = pi_sym_name(I, sym);
    if (is_dunder(name))
        return pi_raise(I, "Forbidden", "access to dunder attribute '%s' is not allowed", name);
    return pi_raise(I, "AttributeError", "'%s' object attribute '%s' is read-only",
                    pi_type_name(obj), name);
}

/* ---- modules ---- */

/* clang-format off */
static const struct {
    const char *name;
    int which;
} modules[] = {
    {"PIL", MOD_PIL}, {"PIL.Image", MOD_IMAGE}, {"PIL.ImageDraw", MOD_IMAGEDRAW},
    {"PIL.ImageOps", MOD_IMAGEOPS}, {"PIL.ImageEnhance", MOD_IMAGEENHANCE},
    {"PIL.ImageFilter", MOD_IMAGEFILTER}, {"PIL.ImageColor", MOD_IMAGECOLOR},
    {"math", MOD_MATH}, {NULL, 0}};
/* clang-format on */

static int module_value(interp *I, int which, pv *out)
{
    pmodule *m = pi_new(I, PO_MODULE, sizeof *m);
    if (!m)
        return -1;
    m->which = which;
    *out = pv_obj(m);
    return 0;
}

int pi_import(interp *I, const char *name, pv *out)
{
    for (int k = 0; modules[k].name; k++)
        if (strcmp(modules[k].name, name) == 0)
            return module_value(I, modules[k].which, out);
    if (strcmp(name, "numpy") == 0 || strncmp(name, "numpy.", 6) == 0)
        return pi_raise(I, "Forbidden",
                        "numpy is not available in the sandbox (allowed imports: PIL, math)");
    return pi_raise(I, "Forbidden",
                    "import of '%s' is not allowed (allowed imports: PIL and its Image, "
                    "ImageDraw, ImageOps, ImageEnhance, ImageFilter, ImageColor modules; math)",
                    name);
}

int pi_module_getattr(interp *I, pmodule *m, const char *name, pv *out)
{
    if (is_dunder(name))
        return pi_raise(I, "Forbidden", "access to dunder attribute '%s' is not allowed", name);
    if (m->which == MOD_PIL) {
        for (int k = 1; k <= 6; k++)
            if (strcmp(modules[k].name + 4, name) == 0)
                return module_value(I, modules[k].which, out);
        return pi_raise(I, "AttributeError", "module 'PIL' has no attribute '%s'", name);
    }
    if (m->which == MOD_MATH)
        return pi_math_getattr(I, name, out);
    return pi_pil_getattr(I, m->which, name, out);
}

/* ---- installation ---- */

/* clang-format off */
static const struct {
    const char *name;
    native_fn *fn;
} builtin_table[] = {
    {"int", b_int}, {"float", b_float}, {"str", b_str}, {"bool", b_bool}, {"len", b_len},
    {"range", b_range}, {"enumerate", b_enumerate}, {"zip", b_zip}, {"min", b_min},
    {"max", b_max}, {"abs", b_abs}, {"round", b_round}, {"sum", b_sum}, {"sorted", b_sorted},
    {"reversed", b_reversed}, {"list", b_list}, {"tuple", b_tuple}, {"dict", b_dict},
    {"set", b_set}, {"divmod", b_divmod}, {"isinstance", b_isinstance}, {"map", b_map},
    {"filter", b_filter}, {"any", b_any}, {"all", b_all}, {"print", b_print}, {"pow", b_pow},
    {"repr", b_repr}, {"format", b_format}, {"chr", b_chr}, {"ord", b_ord}, {"hex", b_hex},
    {"bin", b_bin}, {"oct", b_oct}, {"callable", b_callable}, {"type", b_type}, {NULL, NULL}};
/* clang-format on */

/* clang-format off */
static const char *const exception_names[] = {
    "Exception", "BaseException", "ValueError", "TypeError", "KeyError", "IndexError",
    "ZeroDivisionError", "RuntimeError", "AttributeError", "NameError", "AssertionError",
    "ArithmeticError", "LookupError", "OverflowError", "NotImplementedError", "StopIteration",
    "MemoryError", "UnboundLocalError", "OSError", NULL};
/* clang-format on */

static int install(interp *I, const char *name, pv v)
{
    int sym = pi_sym(I, name);
    if (v.tag != PV_OBJ && v.tag == PV_NONE && I->failed)
        return -1;
    int r = sym < 0 ? pi_raise(I, "MemoryError", "out of host memory")
                    : pi_scope_set(I, I->builtins, sym, v);
    pi_release(I, v);
    return r;
}

int pi_install_builtins(interp *I)
{
    for (int k = 0; builtin_table[k].name; k++)
        if (install(I, builtin_table[k].name,
                    pi_native(I, builtin_table[k].name, builtin_table[k].fn, pv_none())))
            return -1;
    for (int k = 0; exception_names[k]; k++) {
        pexctype *t = pi_new(I, PO_EXCTYPE, sizeof *t);
        if (!t)
            return -1;
        t->name = exception_names[k];
        if (install(I, exception_names[k], pv_obj(t)))
            return -1;
    }
    /* Programs guarded by `if __name__ == "__main__":` skip that block, as in EVE's harness. */
    return install(I, "__name__", pi_cstr(I, "__sandbox__"));
}
