/* prog_obj.c - the object store of the interpreter: allocation against the memory budget,
 * reference counting with an iterative free (deeply nested values must not overflow the C
 * stack), the sweep at the end of a run, and the core containers (str, list, tuple, dict,
 * scope) with hashing, equality, ordering and truth.
 */
#include "evolve/prog/prog_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pi_raise(interp *I, const char *kind, const char *fmt, ...)
{
    if (I->failed)
        return -1;
    I->failed = 1;
    snprintf(I->fail.kind, sizeof I->fail.kind, "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(I->fail.message, sizeof I->fail.message, fmt, ap);
    va_end(ap);
    I->fail.line = I->line;
    return -1;
}

int pi_step(interp *I, long n)
{
    I->steps += n;
    if (I->steps > I->lim.steps)
        return pi_raise(I, "BudgetExceeded", "step budget exceeded (%ld steps)", I->lim.steps);
    return 0;
}

int pi_search_cost(interp *I, size_t hay, size_t needle)
{
    double compares = (double)hay * (double)(needle ? needle : 1);
    return pi_step(I, 1 + (long)fmin(compares / (4.0 * PI_COPY_BYTES_PER_STEP), 1e15));
}

int pi_reserve(interp *I, size_t n)
{
    /* Before refusing, free what only reference cycles keep alive. */
    if (n <= I->lim.max_bytes && I->bytes > I->lim.max_bytes - n && !I->collecting)
        pi_collect(I);
    if (n > I->lim.max_bytes || I->bytes > I->lim.max_bytes - n)
        return pi_raise(I, "BudgetExceeded", "memory budget exceeded (%zu MiB)",
                        I->lim.max_bytes >> 20);
    return 0;
}

static int host_oom(interp *I)
{
    I->host_oom = 1;
    return pi_raise(I, "MemoryError", "out of host memory");
}

void *pi_malloc(interp *I, size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        host_oom(I);
    return p;
}

void *pi_realloc(interp *I, void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        host_oom(I);
    return q;
}

void *pi_new(interp *I, int kind, size_t size)
{
    if (pi_reserve(I, size))
        return NULL;
    pobj *o = calloc(1, size);
    if (!o) {
        host_oom(I);
        return NULL;
    }
    o->kind = kind;
    o->refs = 1;
    o->bytes = size;
    I->bytes += size;
    o->next = I->live.next;
    o->prev = &I->live;
    I->live.next->prev = o;
    I->live.next = o;
    return o;
}

int pi_resize_account(interp *I, pobj *o, size_t new_bytes)
{
    if (new_bytes > o->bytes) {
        if (pi_reserve(I, new_bytes - o->bytes))
            return -1;
        I->bytes += new_bytes - o->bytes;
    } else {
        I->bytes -= o->bytes - new_bytes;
    }
    o->bytes = new_bytes;
    return 0;
}

/* Frees what an object owns besides references to other objects. */
static void free_parts(pobj *o)
{
    switch (o->kind) {
    case PO_LIST:
    case PO_TUPLE:
        if (((plist *)o)->items != (pv *)((plist *)o + 1)) /* small ones keep items inline */
            free(((plist *)o)->items);
        break;
    case PO_DICT:
    case PO_SET:
        free(((pdict *)o)->entries);
        free(((pdict *)o)->index);
        break;
    case PO_SCOPE:
        free(((pscope *)o)->syms);
        free(((pscope *)o)->vals);
        break;
    case PO_FUNC:
        free(((pfunc *)o)->defaults);
        free(((pfunc *)o)->has_default);
        break;
    case PO_IMAGE: img_free(((pimage *)o)->im); break;
    default: break;
    }
}

/* Calls visit on every value the object references. */
static void each_child(pobj *o, void (*visit)(interp *, pv), interp *I)
{
    switch (o->kind) {
    case PO_LIST:
    case PO_TUPLE: {
        plist *l = (plist *)o;
        for (size_t i = 0; i < l->len; i++)
            visit(I, l->items[i]);
        break;
    }
    case PO_DICT:
    case PO_SET: {
        pdict *d = (pdict *)o;
        for (size_t i = 0; i < d->used; i++)
            if (d->entries[i].live) {
                visit(I, d->entries[i].key);
                visit(I, d->entries[i].val);
            }
        break;
    }
    case PO_SCOPE: {
        pscope *s = (pscope *)o;
        if (s->parent)
            visit(I, pv_obj(s->parent));
        for (size_t i = 0; i < s->cap; i++)
            if (s->syms[i] >= 0)
                visit(I, s->vals[i]);
        break;
    }
    case PO_FUNC: {
        pfunc *f = (pfunc *)o;
        if (f->closure)
            visit(I, pv_obj(f->closure));
        for (int i = 0; i < f->n_defaults; i++)
            if (f->has_default[i])
                visit(I, f->defaults[i]);
        break;
    }
    case PO_NATIVE: visit(I, ((pnative *)o)->self); break;
    case PO_DRAW: visit(I, pv_obj(((pdraw *)o)->target)); break;
    case PO_PIXELS: visit(I, pv_obj(((ppixels *)o)->image)); break;
    case PO_ENHANCER: visit(I, pv_obj(((penhancer *)o)->image)); break;
    case PO_EXC: visit(I, ((pexc *)o)->message); break;
    default: break;
    }
}

static void unlink_free(interp *I, pobj *o)
{
    o->prev->next = o->next;
    o->next->prev = o->prev;
    I->bytes -= o->bytes;
    free_parts(o);
    free(o);
}

/* Objects whose count reached zero wait on I->fstack, so freeing a chain of a million
 * nested lists is a loop, not a recursion that would overflow the C stack. */
static void push_dead(interp *I, pobj *o)
{
    if (I->fstack_n == I->fstack_cap) {
        size_t cap = I->fstack_cap ? I->fstack_cap * 2 : 64;
        pobj **items = realloc(I->fstack, cap * sizeof *items);
        if (!items) /* left on the live list; the end-of-run sweep frees it */
            return;
        I->fstack = items;
        I->fstack_cap = cap;
    }
    I->fstack[I->fstack_n++] = o;
}

static void drop(interp *I, pv v)
{
    if (v.tag != PV_OBJ || v.u.o->prev == NULL) /* constants of the code are never freed */
        return;
    if (--v.u.o->refs == 0)
        push_dead(I, v.u.o);
}

void pi_release(interp *I, pv v)
{
    drop(I, v);
    if (I->freeing)
        return;
    I->freeing = 1;
    while (I->fstack_n > 0) {
        pobj *o = I->fstack[--I->fstack_n];
        each_child(o, drop, I);
        unlink_free(I, o);
    }
    I->freeing = 0;
}

/* ---- the cycle collector ----
 * Reference counting frees everything but cycles. The collector finds them the way CPython's
 * does, without knowing the roots: an object whose count exceeds the references other live
 * objects hold on it is referenced from outside (the C stack, the interpreter) and is alive,
 * with everything it reaches; the rest is garbage. */

static int gc_live(pv v)
{
    return v.tag == PV_OBJ && v.u.o && v.u.o->prev;
}

static void gc_uncount(interp *I, pv v)
{
    (void)I;
    if (gc_live(v))
        v.u.o->gc_refs--;
}

static void gc_push(interp *I, pobj *o)
{
    o->gc_mark = 1;
    if (I->gc_n == I->gc_cap) {
        size_t cap = I->gc_cap ? I->gc_cap * 2 : 256;
        pobj **w = realloc(I->gc_work, cap * sizeof *w);
        if (!w) { /* cannot finish the walk: keep everything */
            I->gc_cap = 0;
            return;
        }
        I->gc_work = w;
        I->gc_cap = cap;
    }
    I->gc_work[I->gc_n++] = o;
}

static void gc_reach(interp *I, pv v)
{
    if (gc_live(v) && !v.u.o->gc_mark)
        gc_push(I, v.u.o);
}

/* Garbage gives back the references it holds on live objects before it is freed. */
static void gc_release_live(interp *I, pv v)
{
    (void)I;
    if (gc_live(v) && v.u.o->gc_mark)
        v.u.o->refs--;
}

void pi_collect(interp *I)
{
    if (I->freeing)
        return;
    I->collecting = 1;
    for (pobj *o = I->live.next; o != &I->live; o = o->next) {
        o->gc_refs = o->refs;
        o->gc_mark = 0;
    }
    for (pobj *o = I->live.next; o != &I->live; o = o->next)
        each_child(o, gc_uncount, I);
    I->gc_n = 0;
    int complete = 1;
    for (pobj *o = I->live.next; o != &I->live && complete; o = o->next)
        if (o->gc_refs > 0 && !o->gc_mark) {
            gc_push(I, o);
            while (I->gc_n > 0 && I->gc_cap > 0)
                each_child(I->gc_work[--I->gc_n], gc_reach, I);
            complete = I->gc_cap > 0;
        }
    if (complete) {
        for (pobj *o = I->live.next; o != &I->live; o = o->next)
            if (!o->gc_mark)
                each_child(o, gc_release_live, I);
        for (pobj *o = I->live.next, *next; o != &I->live; o = next) {
            next = o->next;
            if (!o->gc_mark)
                unlink_free(I, o);
        }
    }
    I->collecting = 0;
}

void pi_free_all(interp *I)
{
    while (I->live.next != &I->live)
        unlink_free(I, I->live.next);
}

/* ---- text buffers ---- */

static void pbuf_reserve(pbuf *b, size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void pbuf_put(pbuf *b, const char *s, size_t n)
{
    pbuf_reserve(b, n);
    if (b->oom)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void pbuf_puts(pbuf *b, const char *s)
{
    pbuf_put(b, s, strlen(s));
}

void pbuf_printf(pbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        pbuf_put(b, tmp, (size_t)n);
        return;
    }
    pbuf_reserve(b, (size_t)n);
    if (b->oom)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---- strings ---- */

pv pi_str(interp *I, const char *s, size_t len)
{
    if (pi_step(I, (long)(len / PI_COPY_BYTES_PER_STEP)))
        return pv_none();
    pstr *p = pi_new(I, PO_STR, sizeof *p + len + 1);
    if (!p)
        return pv_none();
    p->len = len;
    if (len)
        memcpy(p->s, s, len);
    p->s[len] = 0;
    return pv_obj(p);
}

pv pi_cstr(interp *I, const char *s)
{
    return pi_str(I, s, strlen(s));
}

int pi_buf_to_str(interp *I, pbuf *b, pv *out)
{
    if (b->oom) {
        free(b->s);
        return host_oom(I);
    }
    *out = pi_str(I, b->s ? b->s : "", b->len);
    free(b->s);
    b->s = NULL;
    return out->tag == PV_OBJ ? 0 : -1;
}

/* ---- lists and tuples ---- */

plist *pi_list(interp *I, int kind, size_t cap)
{
    if (cap > I->lim.max_bytes / sizeof(pv) || pi_reserve(I, sizeof(plist) + cap * sizeof(pv)))
        return pi_raise(I, "BudgetExceeded", "memory budget exceeded (%zu MiB)",
                        I->lim.max_bytes >> 20),
               NULL;
    if (pi_step(I, (long)(cap / PI_COPY_ITEMS_PER_STEP)))
        return NULL;
    if (cap && cap <= 8) { /* one block: small tuples are made by the million in pixel loops */
        plist *l = pi_new(I, kind, sizeof *l + cap * sizeof(pv));
        if (l) {
            l->items = (pv *)(l + 1);
            l->cap = cap;
        }
        return l;
    }
    plist *l = pi_new(I, kind, sizeof *l);
    if (!l)
        return NULL;
    if (cap) {
        if (pi_resize_account(I, &l->h, sizeof *l + cap * sizeof(pv)) ||
            !(l->items = pi_malloc(I, cap * sizeof(pv)))) {
            pi_release(I, pv_obj(l));
            return NULL;
        }
        l->cap = cap;
    }
    return l;
}

int pi_list_reserve(interp *I, plist *l, size_t cap)
{
    if (cap <= l->cap)
        return 0;
    if (cap > I->lim.max_bytes / sizeof(pv))
        return pi_reserve(I, (size_t)-1);
    if (pi_resize_account(I, &l->h, sizeof *l + cap * sizeof(pv)))
        return -1;
    pv *items;
    if (l->items == (pv *)(l + 1)) { /* leaving the inline block: it stays, unused */
        items = pi_malloc(I, cap * sizeof(pv));
        if (items)
            memcpy(items, l->items, l->len * sizeof(pv));
    } else {
        items = pi_realloc(I, l->items, cap * sizeof(pv));
    }
    if (!items)
        return -1;
    l->items = items;
    l->cap = cap;
    return 0;
}

int pi_list_push(interp *I, plist *l, pv v)
{
    if (l->len == l->cap && pi_list_reserve(I, l, l->cap ? l->cap * 2 : 4)) {
        pi_release(I, v);
        return -1;
    }
    l->items[l->len++] = v;
    return 0;
}

/* ---- hashing and equality ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

int pi_hash(interp *I, pv v, uint64_t *h)
{
    switch (v.tag) {
    case PV_NONE: *h = 0x9e3779b97f4a7c15ULL; return 0;
    case PV_BOOL:
    case PV_INT: *h = mix64((uint64_t)v.u.i); return 0;
    case PV_FLOAT:
        /* Equal numbers must hash alike: 2.0 and 2 are the same dict key. */
        if (v.u.f == floor(v.u.f) && fabs(v.u.f) < 9.2e18) {
            *h = mix64((uint64_t)(int64_t)v.u.f);
        } else {
            uint64_t bits;
            memcpy(&bits, &v.u.f, sizeof bits);
            *h = mix64(bits);
        }
        return 0;
    default: break;
    }
    pobj *o = v.u.o;
    if (o->kind == PO_STR) {
        pstr *s = (pstr *)o;
        if (!s->hash) {
            uint64_t x = 1469598103934665603ULL;
            for (size_t i = 0; i < s->len; i++)
                x = (x ^ (unsigned char)s->s[i]) * 1099511628211ULL;
            s->hash = x | 1;
        }
        *h = s->hash;
        return 0;
    }
    if (o->kind == PO_TUPLE) {
        plist *t = (plist *)o;
        if (++I->cdepth > PI_MAX_CDEPTH) {
            I->cdepth--;
            return pi_raise(I, "BudgetExceeded", "recursion depth exceeded while hashing");
        }
        uint64_t x = 0x345678;
        if (pi_step(I, 1 + (long)t->len)) {
            I->cdepth--;
            return -1;
        }
        for (size_t i = 0; i < t->len; i++) {
            uint64_t e;
            if (pi_hash(I, t->items[i], &e)) {
                I->cdepth--;
                return -1;
            }
            x = mix64(x ^ e) + i;
        }
        I->cdepth--;
        *h = x;
        return 0;
    }
    if (o->kind == PO_EXCTYPE) { /* classes compare by name, so they hash by name */
        uint64_t x = 1469598103934665603ULL;
        for (const char *p = ((pexctype *)o)->name; *p; p++)
            x = (x ^ (unsigned char)*p) * 1099511628211ULL;
        *h = mix64(x);
        return 0;
    }
    if (o->kind == PO_LIST || o->kind == PO_DICT || o->kind == PO_SET)
        return pi_raise(I, "TypeError", "unhashable type: '%s'", pi_type_name(v));
    *h = mix64((uint64_t)(uintptr_t)o);
    return 0;
}

static int num_equal(pv a, pv b)
{
    if (a.tag != PV_FLOAT && b.tag != PV_FLOAT)
        return a.u.i == b.u.i;
    double x = a.tag == PV_FLOAT ? a.u.f : (double)a.u.i;
    double y = b.tag == PV_FLOAT ? b.u.f : (double)b.u.i;
    return x == y;
}

int pi_equal(interp *I, pv a, pv b, int *out)
{
    if (pv_is_num(a) || pv_is_num(b)) {
        *out = pv_is_num(a) && pv_is_num(b) && num_equal(a, b);
        return 0;
    }
    if (a.tag == PV_NONE || b.tag == PV_NONE) {
        *out = a.tag == b.tag;
        return 0;
    }
    pobj *x = a.u.o, *y = b.u.o;
    if (x == y) {
        *out = 1;
        return 0;
    }
    *out = 0;
    if (x->kind != y->kind)
        return 0;
    if (x->kind == PO_EXCTYPE) {
        *out = strcmp(((pexctype *)x)->name, ((pexctype *)y)->name) == 0;
        return 0;
    }
    if (x->kind == PO_STR) {
        pstr *s = (pstr *)x, *t = (pstr *)y;
        *out = s->len == t->len && memcmp(s->s, t->s, s->len) == 0;
        return 0;
    }
    if (x->kind != PO_LIST && x->kind != PO_TUPLE && x->kind != PO_DICT && x->kind != PO_SET)
        return 0;
    if (++I->cdepth > PI_MAX_CDEPTH) {
        I->cdepth--;
        return pi_raise(I, "RecursionError", "maximum recursion depth exceeded in comparison");
    }
    /* Each element compared costs a step: equal structures with shared parts can be huge. */
    int r = pi_step(I, 1 + (long)(x->kind == PO_LIST || x->kind == PO_TUPLE ? ((plist *)x)->len
                                                                            : ((pdict *)x)->len));
    if (r) {
        I->cdepth--;
        return -1;
    }
    if (x->kind == PO_DICT || x->kind == PO_SET) {
        pdict *d = (pdict *)x, *e = (pdict *)y;
        *out = d->len == e->len;
        for (size_t i = 0; i < d->used && *out && !r; i++) {
            if (!d->entries[i].live)
                continue;
            pv other;
            int found = pi_dict_get(I, e, d->entries[i].key, &other);
            if (found < 0)
                r = -1;
            else if (!found)
                *out = 0;
            else
                r = pi_equal(I, d->entries[i].val, other, out);
        }
    } else {
        plist *l = (plist *)x, *m = (plist *)y;
        *out = l->len == m->len;
        for (size_t i = 0; i < l->len && *out && !r; i++)
            r = pi_equal(I, l->items[i], m->items[i], out);
    }
    I->cdepth--;
    return r;
}

const char *pi_type_name(pv v)
{
    switch (v.tag) {
    case PV_NONE: return "NoneType";
    case PV_BOOL: return "bool";
    case PV_INT: return "int";
    case PV_FLOAT: return "float";
    default: break;
    }
    switch (v.u.o->kind) {
    case PO_STR: return "str";
    case PO_LIST: return "list";
    case PO_TUPLE: return "tuple";
    case PO_DICT: return "dict";
    case PO_SET: return "set";
    case PO_FUNC: return "function";
    case PO_NATIVE: return "builtin_function_or_method";
    case PO_SCOPE: return "scope";
    case PO_RANGE: return "range";
    case PO_MODULE: return "module";
    case PO_IMAGE: return "Image";
    case PO_DRAW: return "ImageDraw";
    case PO_FILTER: return "Filter";
    case PO_ENHANCER: return "Enhancer";
    case PO_EXCTYPE: return "type";
    case PO_EXC: return ((pexc *)v.u.o)->kind;
    case PO_PIXELS: return "PixelAccess";
    }
    return "object";
}

static int unordered(interp *I, int op, pv a, pv b)
{
    static const char *const names[] = {"<", "<=", ">", ">="};
    const char *o = op >= OP_LT && op <= OP_GE ? names[op - OP_LT] : "<";
    return pi_raise(I, "TypeError", "'%s' not supported between instances of '%s' and '%s'", o,
                    pi_type_name(a), pi_type_name(b));
}

int pi_compare(interp *I, int op, pv a, pv b, int *out)
{
    if (pv_is_num(a) && pv_is_num(b)) {
        if (a.tag != PV_FLOAT && b.tag != PV_FLOAT) {
            *out = (a.u.i > b.u.i) - (a.u.i < b.u.i);
        } else {
            double x = a.tag == PV_FLOAT ? a.u.f : (double)a.u.i;
            double y = b.tag == PV_FLOAT ? b.u.f : (double)b.u.i;
            *out = (x > y) - (x < y);
        }
        return 0;
    }
    if (a.tag != PV_OBJ || b.tag != PV_OBJ || a.u.o->kind != b.u.o->kind)
        return unordered(I, op, a, b);
    int kind = a.u.o->kind;
    if (kind == PO_STR) {
        pstr *s = pv_str(a), *t = pv_str(b);
        size_t n = s->len < t->len ? s->len : t->len;
        int c = memcmp(s->s, t->s, n);
        *out = c ? (c > 0) - (c < 0) : (s->len > t->len) - (s->len < t->len);
        return 0;
    }
    if (kind != PO_LIST && kind != PO_TUPLE)
        return unordered(I, op, a, b);
    if (++I->cdepth > PI_MAX_CDEPTH) {
        I->cdepth--;
        return pi_raise(I, "RecursionError", "maximum recursion depth exceeded in comparison");
    }
    plist *l = pv_list(a), *m = pv_list(b);
    size_t n = l->len < m->len ? l->len : m->len;
    int r = pi_step(I, 1 + (long)n);
    *out = (l->len > m->len) - (l->len < m->len);
    for (size_t i = 0; i < n && !r; i++) {
        int eq;
        if ((r = pi_equal(I, l->items[i], m->items[i], &eq)))
            break;
        if (!eq) {
            r = pi_compare(I, op, l->items[i], m->items[i], out);
            break;
        }
    }
    I->cdepth--;
    return r;
}

int pi_cmp_op(interp *I, int op, pv a, pv b, int *out)
{
    int c;
    switch (op) {
    case OP_EQ:
    case OP_NE:
        if (pi_equal(I, a, b, &c))
            return -1;
        *out = op == OP_EQ ? c : !c;
        return 0;
    case OP_IS:
    case OP_ISNOT:
        if (a.tag != b.tag)
            c = 0;
        else if (a.tag == PV_OBJ)
            c = a.u.o == b.u.o;
        else if (a.tag == PV_FLOAT)
            c = a.u.f == b.u.f;
        else
            c = a.u.i == b.u.i;
        *out = op == OP_IS ? c : !c;
        return 0;
    case OP_IN:
    case OP_NOTIN:
        if (pi_contains(I, b, a, &c))
            return -1;
        *out = op == OP_IN ? c : !c;
        return 0;
    default: break;
    }
    if ((a.tag == PV_FLOAT || b.tag == PV_FLOAT) && pv_is_num(a) && pv_is_num(b)) {
        /* Direct comparisons keep NaN false in every direction, as in Python. */
        double x = a.tag == PV_FLOAT ? a.u.f : (double)a.u.i;
        double y = b.tag == PV_FLOAT ? b.u.f : (double)b.u.i;
        *out = op == OP_LT ? x < y : op == OP_LE ? x <= y : op == OP_GT ? x > y : x >= y;
        return 0;
    }
    if (pi_compare(I, op, a, b, &c))
        return -1;
    *out = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
    return 0;
}

int pi_truthy(interp *I, pv v, int *out)
{
    (void)I;
    switch (v.tag) {
    case PV_NONE: *out = 0; return 0;
    case PV_BOOL:
    case PV_INT: *out = v.u.i != 0; return 0;
    case PV_FLOAT: *out = v.u.f != 0.0; return 0;
    default: break;
    }
    switch (v.u.o->kind) {
    case PO_STR: *out = pv_str(v)->len != 0; return 0;
    case PO_LIST:
    case PO_TUPLE: *out = pv_list(v)->len != 0; return 0;
    case PO_DICT:
    case PO_SET: *out = pv_dict(v)->len != 0; return 0;
    case PO_RANGE: {
        prange *r = (prange *)v.u.o;
        *out = r->step > 0 ? r->start < r->stop : r->start > r->stop;
        return 0;
    }
    default: *out = 1; return 0;
    }
}

/* ---- dicts ---- */

pdict *pi_dict(interp *I)
{
    return pi_new(I, PO_DICT, sizeof(pdict));
}
pdict *pi_set(interp *I)
{
    return pi_new(I, PO_SET, sizeof(pdict));
}

static size_t dict_bytes(size_t cap, size_t index_cap)
{
    return sizeof(pdict) + cap * sizeof(pdict_entry) + index_cap * sizeof(int32_t);
}

/* Finds the index slot for key: returns the slot, with *entry the entry or -1. */
static int dict_lookup(interp *I, pdict *d, pv key, uint64_t h, size_t *slot, int32_t *entry)
{
    size_t mask = d->index_cap - 1;
    size_t i = h & mask;
    for (;;) {
        int32_t e = d->index[i];
        if (e < 0) {
            *slot = i;
            *entry = -1;
            return 0;
        }
        pdict_entry *en = &d->entries[e];
        if (en->live && en->hash == h) {
            int eq;
            if (pi_equal(I, en->key, key, &eq))
                return -1;
            if (eq) {
                *slot = i;
                *entry = e;
                return 0;
            }
        }
        i = (i + 1) & mask;
    }
}

/* Rebuilds entries (dropping deleted ones) and the index for room for one more entry. */
static int dict_grow(interp *I, pdict *d)
{
    size_t cap = d->len * 2 + 8;
    size_t index_cap = 16;
    while (index_cap < cap * 2)
        index_cap *= 2;
    if (pi_resize_account(I, &d->h, dict_bytes(cap, index_cap)))
        return -1;
    pdict_entry *entries = pi_malloc(I, cap * sizeof *entries);
    int32_t *index = pi_malloc(I, index_cap * sizeof *index);
    if (!entries || !index) {
        free(entries);
        free(index);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < d->used; i++)
        if (d->entries[i].live)
            entries[n++] = d->entries[i];
    for (size_t i = 0; i < index_cap; i++)
        index[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t s = entries[i].hash & (index_cap - 1);
        while (index[s] >= 0)
            s = (s + 1) & (index_cap - 1);
        index[s] = (int32_t)i;
    }
    free(d->entries);
    free(d->index);
    d->entries = entries;
    d->index = index;
    d->used = n;
    d->cap = cap;
    d->index_cap = index_cap;
    return 0;
}

int pi_dict_get(interp *I, pdict *d, pv key, pv *val)
{
    uint64_t h;
    if (pi_hash(I, key, &h))
        return -1;
    if (!d->index_cap)
        return 0;
    size_t slot;
    int32_t e;
    if (dict_lookup(I, d, key, h, &slot, &e))
        return -1;
    if (e < 0)
        return 0;
    *val = d->entries[e].val;
    return 1;
}

int pi_dict_set(interp *I, pdict *d, pv key, pv val)
{
    uint64_t h;
    if (pi_hash(I, key, &h))
        return -1;
    size_t slot;
    int32_t e = -1;
    if (d->index_cap && dict_lookup(I, d, key, h, &slot, &e))
        return -1;
    if (e >= 0) {
        pv old = d->entries[e].val;
        d->entries[e].val = pv_ref(val);
        pi_release(I, old);
        return 0;
    }
    if (d->used == d->cap) {
        if (dict_grow(I, d))
            return -1;
    }
    if (dict_lookup(I, d, key, h, &slot, &e))
        return -1;
    d->entries[d->used] = (pdict_entry){pv_ref(key), pv_ref(val), h, 1};
    d->index[slot] = (int32_t)d->used++;
    d->len++;
    return 0;
}

int pi_dict_del(interp *I, pdict *d, pv key)
{
    uint64_t h;
    if (pi_hash(I, key, &h))
        return -1;
    size_t slot;
    int32_t e = -1;
    if (d->index_cap && dict_lookup(I, d, key, h, &slot, &e))
        return -1;
    if (e < 0) {
        pbuf b = {0};
        pi_repr(I, key, &b);
        pi_raise(I, "KeyError", "%s", b.s ? b.s : "?");
        free(b.s);
        return -1;
    }
    /* The entry stays in the index as a dead tombstone, so probe chains are not broken. */
    pdict_entry *en = &d->entries[e];
    en->live = 0;
    d->len--;
    pi_release(I, en->key);
    pi_release(I, en->val);
    en->key = en->val = pv_none();
    return 0;
}

/* ---- scopes ---- */

pscope *pi_scope(interp *I, pscope *parent)
{
    pscope *s = pi_new(I, PO_SCOPE, sizeof *s);
    if (!s)
        return NULL;
    if (parent) {
        parent->h.refs++;
        s->parent = parent;
    }
    return s;
}

pv *pi_scope_find(pscope *s, int sym)
{
    if (!s->cap)
        return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = (size_t)sym * 2654435761u & mask;; i = (i + 1) & mask) {
        if (s->syms[i] == sym)
            return &s->vals[i];
        if (s->syms[i] < 0)
            return NULL;
    }
}

static int scope_grow(interp *I, pscope *s)
{
    size_t cap = s->cap ? s->cap * 2 : 8;
    if (pi_resize_account(I, &s->h, sizeof *s + cap * (sizeof(int) + sizeof(pv))))
        return -1;
    int *syms = pi_malloc(I, cap * sizeof *syms);
    pv *vals = pi_malloc(I, cap * sizeof *vals);
    if (!syms || !vals) {
        free(syms);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        syms[i] = -1;
    for (size_t k = 0; k < s->cap; k++) {
        if (s->syms[k] < 0)
            continue;
        size_t i = (size_t)s->syms[k] * 2654435761u & (cap - 1);
        while (syms[i] >= 0)
            i = (i + 1) & (cap - 1);
        syms[i] = s->syms[k];
        vals[i] = s->vals[k];
    }
    free(s->syms);
    free(s->vals);
    s->syms = syms;
    s->vals = vals;
    s->cap = cap;
    return 0;
}

int pi_scope_set(interp *I, pscope *s, int sym, pv v)
{
    pv *slot = pi_scope_find(s, sym);
    if (slot) {
        pv old = *slot;
        *slot = pv_ref(v);
        pi_release(I, old);
        return 0;
    }
    if ((s->n + 1) * 2 > s->cap && scope_grow(I, s))
        return -1;
    size_t mask = s->cap - 1;
    size_t i = (size_t)sym * 2654435761u & mask;
    while (s->syms[i] >= 0)
        i = (i + 1) & mask;
    s->syms[i] = sym;
    s->vals[i] = pv_ref(v);
    s->n++;
    return 0;
}
