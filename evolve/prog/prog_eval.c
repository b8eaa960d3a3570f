/* prog_eval.c - the tree-walking interpreter: expressions, statements, function calls,
 * comprehensions, imports and exceptions. Every statement, call and loop iteration costs a
 * step; the C recursion of eval is bounded (I->cdepth) so hostile nesting cannot overflow
 * the C stack; Python-level recursion is bounded by prog_limits.max_depth.
 */
#include "evolve/prog/prog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statement outcomes besides 0 (normal) and -1 (raised). */
enum { EX_BREAK = 1, EX_CONTINUE = 2, EX_RETURN = 3 };

static int eval(interp *I, pscope *s, node *n, pv *out);
static int exec_block(interp *I, pscope *s, node *block);

const char *pi_sym_name(interp *I, int sym)
{
    return sym >= 0 && sym < I->code->n_syms ? I->code->syms[sym] : "?";
}

int pi_sym(interp *I, const char *name)
{
    return code_intern(I->code, name, strlen(name));
}

static int enter(interp *I)
{
    if (++I->cdepth > PI_MAX_CDEPTH) {
        I->cdepth--;
        return pi_raise(I, "RecursionError", "maximum recursion depth exceeded");
    }
    return 0;
}

static int cmp_sym(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* Names that exist in Python but never in the sandbox. */
static const char *const forbidden_names[] = {
    "open",    "eval",    "exec",    "compile", "__import__", "getattr",      "setattr",
    "delattr", "hasattr", "globals", "locals",  "vars",       "input",        "breakpoint",
    "exit",    "quit",    "help",    "dir",     "memoryview", "__builtins__", NULL};

static int is_local_of(const node *def, int sym)
{
    return def && def->n_locals &&
           bsearch(&sym, def->locals, (size_t)def->n_locals, sizeof(int), cmp_sym) != NULL;
}

static int lookup(interp *I, pscope *s, int sym, pv *out)
{
    for (pscope *c = s; c; c = c->parent) {
        pv *v = pi_scope_find(c, sym);
        /* Python decides locals at compile time: a local read before it is bound is an error,
         * not a read of the global of the same name. */
        if (!v && is_local_of(c->func, sym)) {
            if (c == s)
                return pi_raise(
                    I, "UnboundLocalError",
                    "cannot access local variable '%s' where it is not associated with a value",
                    pi_sym_name(I, sym));
            return pi_raise(I, "NameError",
                            "cannot access free variable '%s' where it is not associated with a "
                            "value in enclosing scope",
                            pi_sym_name(I, sym));
        }
        if (v && v->tag == PV_GLOBAL_REF) {
            c = I->globals;
            v = pi_scope_find(c, sym);
            if (v) {
                *out = pv_ref(*v);
                return 0;
            }
            break;
        }
        if (v && v->tag != PV_NONLOCAL_REF) {
            *out = pv_ref(*v);
            return 0;
        }
    }
    pv *v = pi_scope_find(I->builtins, sym);
    if (v) {
        *out = pv_ref(*v);
        return 0;
    }
    const char *name = pi_sym_name(I, sym);
    for (int k = 0; forbidden_names[k]; k++)
        if (strcmp(name, forbidden_names[k]) == 0)
            return pi_raise(I, "Forbidden", "'%s' is not available in the sandbox", name);
    if (strncmp(name, "__", 2) == 0)
        return pi_raise(I, "Forbidden", "dunder name '%s' is not available in the sandbox", name);
    return pi_raise(I, "NameError", "name '%s' is not defined", name);
}

/* The scope an assignment to sym in s binds in: s itself, unless s declares the name
 * `global` (the module scope) or `nonlocal` (the nearest enclosing function scope that has it). */
static int binding_scope(interp *I, pscope *s, int sym, pscope **out)
{
    pv *v = pi_scope_find(s, sym);
    *out = s;
    if (!v || (v->tag != PV_GLOBAL_REF && v->tag != PV_NONLOCAL_REF))
        return 0;
    if (v->tag == PV_GLOBAL_REF) {
        *out = I->globals;
        return 0;
    }
    for (pscope *c = s->parent; c && c != I->globals; c = c->parent) {
        pv *w = pi_scope_find(c, sym);
        if (w && w->tag == PV_NONLOCAL_REF)
            continue;
        if (w) {
            *out = c;
            return w->tag == PV_GLOBAL_REF ? binding_scope(I, c, sym, out) : 0;
        }
    }
    return pi_raise(I, "SyntaxError", "no binding for nonlocal '%s' found", pi_sym_name(I, sym));
}

static int set_name(interp *I, pscope *s, int sym, pv v)
{
    pscope *target;
    if (binding_scope(I, s, sym, &target))
        return -1;
    return pi_scope_set(I, target, sym, v);
}

/* ---- functions ---- */

static int make_function(interp *I, pscope *s, node *def, pv *out)
{
    pfunc *f = pi_new(I, PO_FUNC, sizeof *f);
    if (!f)
        return -1;
    *out = pv_obj(f);
    f->def = def;
    f->closure = s;
    s->h.refs++;
    int n = def->n_kids;
    if (n) {
        f->defaults = calloc((size_t)n, sizeof *f->defaults);
        f->has_default = calloc((size_t)n, 1);
        if (!f->defaults || !f->has_default) {
            pi_release(I, *out);
            return pi_raise(I, "MemoryError", "out of host memory");
        }
        f->n_defaults = n;
    }
    for (int k = 0; k < n; k++) {
        node *p = def->kids[k];
        if (!p->a)
            continue;
        if (eval(I, s, p->a, &f->defaults[k])) {
            pi_release(I, *out);
            return -1;
        }
        f->has_default[k] = 1;
    }
    return 0;
}

static const char *fname(interp *I, pfunc *f)
{
    return f->def->kind == N_LAMBDA ? "<lambda>" : pi_sym_name(I, f->def->sym);
}

/* Binds call arguments to the parameters in the new scope. */
static int bind_args(interp *I, pfunc *f, pscope *sc, int argc, const pv *argv, int kwc,
                     const int *kwn, const pv *kwv)
{
    node *def = f->def;
    int n = def->n_kids, n_pos = 0, star = -1, dstar = -1;
    for (int k = 0; k < n; k++) {
        int op = def->kids[k]->op;
        if (op == 0)
            n_pos++;
        else if (op == 1)
            star = k;
        else if (op == 2)
            dstar = k;
    }
    uint8_t set_small[32];
    uint8_t *set = n <= 32 ? set_small : calloc((size_t)n, 1);
    if (!set)
        return pi_raise(I, "MemoryError", "out of host memory");
    memset(set, 0, n <= 32 ? sizeof set_small : 0);
    int r = 0, pos = 0;
    plist *extra = NULL;
    pdict *kwextra = NULL;
    for (int k = 0; k < n && pos < argc; k++) {
        if (def->kids[k]->op != 0)
            continue;
        if ((r = pi_scope_set(I, sc, def->kids[k]->sym, argv[pos++])))
            goto done;
        set[k] = 1;
    }
    if (pos < argc) {
        if (star < 0) {
            r = pi_raise(I, "TypeError", "%s() takes %d positional argument%s but %d were given",
                         fname(I, f), n_pos, n_pos == 1 ? "" : "s", argc);
            goto done;
        }
    }
    if (star >= 0) {
        if (!(extra = pi_list(I, PO_TUPLE, (size_t)(argc - pos)))) {
            r = -1;
            goto done;
        }
        for (; pos < argc; pos++)
            extra->items[extra->len++] = pv_ref(argv[pos]);
        r = pi_scope_set(I, sc, def->kids[star]->sym, pv_obj(extra));
        set[star] = 1;
        if (r)
            goto done;
    }
    if (dstar >= 0 && !(kwextra = pi_dict(I))) {
        r = -1;
        goto done;
    }
    for (int j = 0; j < kwc; j++) {
        int k = 0;
        while (k < n &&
               !(def->kids[k]->sym == kwn[j] && (def->kids[k]->op == 0 || def->kids[k]->op == 3)))
            k++;
        if (k < n) {
            if (set[k]) {
                r = pi_raise(I, "TypeError", "%s() got multiple values for argument '%s'",
                             fname(I, f), pi_sym_name(I, kwn[j]));
                goto done;
            }
            set[k] = 1;
            if ((r = pi_scope_set(I, sc, kwn[j], kwv[j])))
                goto done;
        } else if (kwextra) {
            pv key = pi_cstr(I, pi_sym_name(I, kwn[j]));
            if (key.tag != PV_OBJ) {
                r = -1;
                goto done;
            }
            r = pi_dict_set(I, kwextra, key, kwv[j]);
            pi_release(I, key);
            if (r)
                goto done;
        } else {
            r = pi_raise(I, "TypeError", "%s() got an unexpected keyword argument '%s'",
                         fname(I, f), pi_sym_name(I, kwn[j]));
            goto done;
        }
    }
    if (kwextra) {
        set[dstar] = 1;
        if ((r = pi_scope_set(I, sc, def->kids[dstar]->sym, pv_obj(kwextra))))
            goto done;
    }
    for (int k = 0; k < n; k++) {
        if (set[k])
            continue;
        if (f->has_default[k]) {
            if ((r = pi_scope_set(I, sc, def->kids[k]->sym, f->defaults[k])))
                goto done;
            continue;
        }
        r = pi_raise(I, "TypeError", "%s() missing required %sargument: '%s'", fname(I, f),
                     def->kids[k]->op == 3 ? "keyword-only " : "positional ",
                     pi_sym_name(I, def->kids[k]->sym));
        goto done;
    }
done:
    if (extra)
        pi_release(I, pv_obj(extra));
    if (kwextra)
        pi_release(I, pv_obj(kwextra));
    if (set != set_small)
        free(set);
    return r;
}

static int call_func(interp *I, pfunc *f, int argc, const pv *argv, int kwc, const int *kwn,
                     const pv *kwv, pv *out)
{
    if (I->depth >= I->lim.max_depth)
        return pi_raise(I, "RecursionError", "maximum recursion depth exceeded (limit %d calls)",
                        I->lim.max_depth);
    pscope *sc = pi_scope(I, f->closure);
    if (!sc)
        return -1;
    if (f->def->kind == N_DEF)
        sc->func = f->def;
    int saved_line = I->line;
    int r = bind_args(I, f, sc, argc, argv, kwc, kwn, kwv);
    I->depth++;
    if (!r) {
        if (f->def->kind == N_LAMBDA) {
            r = eval(I, sc, f->def->a, out);
        } else {
            int st = exec_block(I, sc, f->def->a);
            if (st == EX_RETURN) {
                *out = I->ret;
                I->ret = pv_none();
                r = 0;
            } else if (st < 0) {
                r = -1;
            } else if (st != 0) {
                r = pi_raise(I, "SyntaxError", "'%s' outside loop",
                             st == EX_BREAK ? "break" : "continue");
            } else {
                *out = pv_none();
                r = 0;
            }
        }
    }
    I->depth--;
    if (!r)
        I->line = saved_line;
    pi_release(I, pv_obj(sc));
    return r;
}

static int make_exception(interp *I, pexctype *t, int argc, const pv *argv, pv *out)
{
    pexc *e = pi_new(I, PO_EXC, sizeof *e);
    if (!e)
        return -1;
    e->kind = t->name;
    e->message = pv_none();
    *out = pv_obj(e);
    if (argc > 0) {
        pbuf b = {0};
        /* str(KeyError(k)) is repr(k), as a missing key reads in Python */
        int r =
            strcmp(t->name, "KeyError") == 0 ? pi_repr(I, argv[0], &b) : pi_tostr(I, argv[0], &b);
        if (r || pi_buf_to_str(I, &b, &e->message)) {
            free(b.s);
            e->message = pv_none();
            pi_release(I, *out);
            return -1;
        }
    }
    return 0;
}

int pi_call(interp *I, pv fn, int argc, const pv *argv, int kwc, const int *kwn, const pv *kwv,
            pv *out)
{
    if (pi_step(I, 1))
        return -1;
    if (fn.tag == PV_OBJ) {
        switch (fn.u.o->kind) {
        case PO_FUNC: return call_func(I, (pfunc *)fn.u.o, argc, argv, kwc, kwn, kwv, out);
        case PO_NATIVE: {
            pnative *nf = (pnative *)fn.u.o;
            if (!nf->fn)
                return pi_call_method(I, nf->self, nf->method_sym, argc, argv, kwc, kwn, kwv, out);
            return nf->fn(I, nf->self, argc, argv, kwc, kwn, kwv, out);
        }
        case PO_EXCTYPE: return make_exception(I, (pexctype *)fn.u.o, argc, argv, out);
        default: break;
        }
    }
    return pi_raise(I, "TypeError", "'%s' object is not callable", pi_type_name(fn));
}

/* ---- calls from syntax ---- */

typedef struct callargs {
    pv *pos;
    int n_pos, cap_pos;
    int *kwn;
    pv *kwv;
    int n_kw, cap_kw;
} callargs;

static void callargs_free(interp *I, callargs *a)
{
    for (int k = 0; k < a->n_pos; k++)
        pi_release(I, a->pos[k]);
    for (int k = 0; k < a->n_kw; k++)
        pi_release(I, a->kwv[k]);
    free(a->pos);
    free(a->kwn);
    free(a->kwv);
}

static int push_pos(interp *I, callargs *a, pv v)
{
    if (a->n_pos == a->cap_pos) {
        int cap = a->cap_pos ? a->cap_pos * 2 : 8;
        if (cap > 100000) {
            pi_release(I, v);
            return pi_raise(I, "ValueError", "too many arguments in a call");
        }
        pv *p = realloc(a->pos, (size_t)cap * sizeof *p);
        if (!p) {
            pi_release(I, v);
            return pi_raise(I, "MemoryError", "out of host memory");
        }
        a->pos = p;
        a->cap_pos = cap;
    }
    a->pos[a->n_pos++] = v;
    return 0;
}

static int push_kw(interp *I, callargs *a, int sym, pv v)
{
    for (int k = 0; k < a->n_kw; k++)
        if (a->kwn[k] == sym) {
            pi_release(I, v);
            return pi_raise(I, "TypeError", "keyword argument repeated: '%s'", pi_sym_name(I, sym));
        }
    if (a->n_kw == a->cap_kw) {
        int cap = a->cap_kw ? a->cap_kw * 2 : 8;
        int *n = realloc(a->kwn, (size_t)cap * sizeof *n);
        if (n)
            a->kwn = n;
        pv *p = n ? realloc(a->kwv, (size_t)cap * sizeof *p) : NULL;
        if (!p) {
            pi_release(I, v);
            return pi_raise(I, "MemoryError", "out of host memory");
        }
        a->kwv = p;
        a->cap_kw = cap;
    }
    a->kwn[a->n_kw] = sym;
    a->kwv[a->n_kw++] = v;
    return 0;
}

static int expand_dstar(interp *I, callargs *a, pv d)
{
    if (!pv_is(d, PO_DICT))
        return pi_raise(I, "TypeError", "argument after ** must be a mapping, not %s",
                        pi_type_name(d));
    pdict *dict = pv_dict(d);
    for (size_t k = 0; k < dict->used; k++) {
        pdict_entry *e = &dict->entries[k];
        if (!e->live)
            continue;
        if (!pv_is(e->key, PO_STR))
            return pi_raise(I, "TypeError", "keywords must be strings");
        int sym = code_intern(I->code, pv_str(e->key)->s, pv_str(e->key)->len);
        if (sym < 0)
            return pi_raise(I, "MemoryError", "out of host memory");
        if (push_kw(I, a, sym, pv_ref(e->val)))
            return -1;
    }
    return 0;
}

static int eval_args(interp *I, pscope *s, node *call, callargs *a)
{
    for (int k = 0; k < call->n_kids; k++) {
        node *arg = call->kids[k];
        pv v;
        if (eval(I, s,
                 arg->kind == N_KWARG || arg->kind == N_STARRED || arg->kind == N_DSTAR ? arg->a
                                                                                        : arg,
                 &v))
            return -1;
        int r;
        if (arg->kind == N_KWARG) {
            r = push_kw(I, a, arg->sym, v);
        } else if (arg->kind == N_DSTAR) {
            r = expand_dstar(I, a, v);
            pi_release(I, v);
        } else if (arg->kind == N_STARRED) {
            piter it;
            pv item;
            r = pi_iter_init(I, v, &it);
            int got;
            while (!r && (got = pi_iter_next(I, &it, &item)) != 0)
                r = got < 0 ? -1 : push_pos(I, a, item);
            pi_release(I, v);
        } else {
            r = push_pos(I, a, v);
        }
        if (r)
            return -1;
    }
    return 0;
}

static int eval_call(interp *I, pscope *s, node *n, pv *out)
{
    callargs a = {0};
    pv fn = pv_none(), obj = pv_none();
    int method = n->a->kind == N_ATTR;
    int r = eval(I, s, method ? n->a->a : n->a, method ? &obj : &fn);
    if (!r)
        r = eval_args(I, s, n, &a);
    if (!r) {
        I->line = n->line;
        if (method)
            r = pi_call_method(I, obj, n->a->sym, a.n_pos, a.pos, a.n_kw, a.kwn, a.kwv, out);
        else
            r = pi_call(I, fn, a.n_pos, a.pos, a.n_kw, a.kwn, a.kwv, out);
    }
    callargs_free(I, &a);
    pi_release(I, fn);
    pi_release(I, obj);
    return r;
}

/* ---- assignment ---- */

static int assign(interp *I, pscope *s, node *t, pv v);

/* obj[a:b:c] = *val, or del obj[a:b:c] when val is NULL. Releases obj. */
static int slice_target(interp *I, pscope *s, pv obj, node *sl, const pv *val)
{
    pv parts[3] = {pv_none(), pv_none(), pv_none()};
    node *exprs[3] = {sl->a, sl->b, sl->c};
    int r = 0;
    for (int k = 0; k < 3 && !r; k++)
        if (exprs[k])
            r = eval(I, s, exprs[k], &parts[k]);
    if (!r)
        r = pi_set_slice(I, obj, parts[0], parts[1], parts[2], val);
    for (int k = 0; k < 3; k++)
        pi_release(I, parts[k]);
    pi_release(I, obj);
    return r;
}

/* a, *rest, z = items: the starred target takes a list of what the others leave. */
static int unpack_starred(interp *I, pscope *s, node *t, plist *items, int star)
{
    size_t after = (size_t)(t->n_kids - star - 1);
    if (items->len < (size_t)t->n_kids - 1)
        return pi_raise(I, "ValueError",
                        "not enough values to unpack (expected at least %d, got %zu)",
                        t->n_kids - 1, items->len);
    size_t mid = items->len - (size_t)star - after;
    plist *rest = pi_list(I, PO_LIST, mid);
    if (!rest)
        return -1;
    for (size_t j = 0; j < mid; j++)
        rest->items[rest->len++] = pv_ref(items->items[(size_t)star + j]);
    int r = 0;
    for (int k = 0; !r && k < t->n_kids; k++) {
        if (k == star)
            r = assign(I, s, t->kids[k]->a, pv_obj(rest));
        else
            r = assign(I, s, t->kids[k],
                       items->items[k < star ? (size_t)k : items->len - (size_t)(t->n_kids - k)]);
    }
    pi_release(I, pv_obj(rest));
    return r;
}

static int unpack(interp *I, pscope *s, node *t, pv v)
{
    /* The common `r, g, b = pixel`: a small tuple or list of the right length is unpacked
     * from a snapshot of its items, without making a list. */
    if ((pv_is(v, PO_TUPLE) || pv_is(v, PO_LIST)) && pv_list(v)->len == (size_t)t->n_kids &&
        t->n_kids <= 8) {
        pv snap[8];
        int n = t->n_kids, r = 0, starred = 0;
        for (int k = 0; k < n; k++)
            starred |= t->kids[k]->kind == N_STARRED;
        if (!starred) {
            for (int k = 0; k < n; k++)
                snap[k] = pv_ref(pv_list(v)->items[k]);
            for (int k = 0; k < n && !r; k++)
                r = assign(I, s, t->kids[k], snap[k]);
            for (int k = 0; k < n; k++)
                pi_release(I, snap[k]);
            return r;
        }
    }
    plist *items;
    if (pi_to_list(I, v, &items))
        return -1;
    int r = 0;
    for (int k = 0; k < t->n_kids; k++)
        if (t->kids[k]->kind == N_STARRED) {
            r = unpack_starred(I, s, t, items, k);
            pi_release(I, pv_obj(items));
            return r;
        }
    if (items->len != (size_t)t->n_kids) {
        if (items->len > (size_t)t->n_kids)
            r = pi_raise(I, "ValueError", "too many values to unpack (expected %d)", t->n_kids);
        else
            r = pi_raise(I, "ValueError", "not enough values to unpack (expected %d, got %zu)",
                         t->n_kids, items->len);
    }
    for (int k = 0; !r && k < t->n_kids; k++)
        r = assign(I, s, t->kids[k], items->items[k]);
    pi_release(I, pv_obj(items));
    return r;
}

/* Assigns v (borrowed) to a target expression. */
static int assign(interp *I, pscope *s, node *t, pv v)
{
    pv obj, idx;
    int r;
    switch (t->kind) {
    case N_NAME: return set_name(I, s, t->sym, v);
    case N_TUPLE:
    case N_LIST: return unpack(I, s, t, v);
    case N_ATTR:
        if (eval(I, s, t->a, &obj))
            return -1;
        r = pi_setattr(I, obj, t->sym, v);
        pi_release(I, obj);
        return r;
    case N_SUBSCRIPT:
        if (eval(I, s, t->a, &obj))
            return -1;
        if (t->b->kind == N_SLICE)
            return slice_target(I, s, obj, t->b, &v);
        if (eval(I, s, t->b, &idx)) {
            pi_release(I, obj);
            return -1;
        }
        r = pi_setitem(I, obj, idx, v);
        pi_release(I, obj);
        pi_release(I, idx);
        return r;
    default: return pi_raise(I, "SyntaxError", "cannot assign to expression");
    }
}

static int exec_augassign(interp *I, pscope *s, node *n)
{
    node *t = n->a;
    pv obj = pv_none(), idx = pv_none(), old = pv_none(), rhs = pv_none(), res = pv_none();
    int r;
    if (t->kind == N_NAME) {
        r = lookup(I, s, t->sym, &old);
    } else if (t->kind == N_ATTR) {
        r = eval(I, s, t->a, &obj);
        if (!r)
            r = pi_getattr(I, obj, t->sym, &old);
    } else {
        if (t->b->kind == N_SLICE)
            return pi_raise(I, "TypeError", "slice assignment is not supported");
        r = eval(I, s, t->a, &obj);
        if (!r)
            r = eval(I, s, t->b, &idx);
        if (!r)
            r = pi_getitem(I, obj, idx, &old);
    }
    if (!r)
        r = eval(I, s, n->b, &rhs);
    if (!r) {
        if (n->op == OP_ADD && pv_is(old, PO_LIST)) { /* += extends a list in place */
            plist *items;
            r = pi_to_list(I, rhs, &items);
            for (size_t k = 0; !r && k < items->len; k++)
                r = pi_list_push(I, pv_list(old), pv_ref(items->items[k]));
            if (items)
                pi_release(I, pv_obj(items));
            res = pv_ref(old);
        } else {
            r = pi_binop(I, n->op, old, rhs, &res);
        }
    }
    if (!r) {
        if (t->kind == N_NAME)
            r = set_name(I, s, t->sym, res);
        else if (t->kind == N_ATTR)
            r = pi_setattr(I, obj, t->sym, res);
        else
            r = pi_setitem(I, obj, idx, res);
    }
    pi_release(I, obj);
    pi_release(I, idx);
    pi_release(I, old);
    pi_release(I, rhs);
    pi_release(I, res);
    return r;
}

static int exec_del(interp *I, pscope *s, node *n)
{
    for (int k = 0; k < n->n_kids; k++) {
        node *t = n->kids[k];
        pv obj, idx;
        if (t->kind == N_NAME) {
            pscope *target;
            if (binding_scope(I, s, t->sym, &target))
                return -1;
            pv *slot = pi_scope_find(target, t->sym);
            if (!slot)
                return pi_raise(I, "NameError", "name '%s' is not defined", pi_sym_name(I, t->sym));
            pv old = *slot;
            *slot = pv_none();
            pi_release(I, old);
            continue;
        }
        if (t->kind != N_SUBSCRIPT)
            return pi_raise(I, "TypeError", "del supports names and subscripts only");
        if (eval(I, s, t->a, &obj))
            return -1;
        if (t->b->kind == N_SLICE) {
            if (slice_target(I, s, obj, t->b, NULL))
                return -1;
            continue;
        }
        if (eval(I, s, t->b, &idx)) {
            pi_release(I, obj);
            return -1;
        }
        int r = pi_delitem(I, obj, idx);
        pi_release(I, obj);
        pi_release(I, idx);
        if (r)
            return -1;
    }
    return 0;
}

/* ---- expressions ---- */

static int eval_fstring(interp *I, pscope *s, node *n, pv *out);

static int eval_format(interp *I, pscope *s, node *f, pbuf *b)
{
    pv v;
    if (eval(I, s, f->a, &v))
        return -1;
    int r = 0;
    if (f->op == 'r' || f->op == 'a' || f->op == 's') {
        pbuf t = {0};
        r = f->op == 's' ? pi_tostr(I, v, &t) : pi_repr(I, v, &t);
        pv conv;
        if (!r && !(r = pi_buf_to_str(I, &t, &conv))) {
            pi_release(I, v);
            v = conv;
        }
        free(t.s);
    }
    pv spec = pv_none();
    if (!r && f->b)
        r = eval_fstring(I, s, f->b, &spec);
    if (!r)
        r = spec.tag == PV_OBJ ? pi_format(I, v, pv_str(spec)->s, pv_str(spec)->len, b)
                               : pi_format(I, v, "", 0, b);
    pi_release(I, spec);
    pi_release(I, v);
    return r;
}

static int eval_fstring(interp *I, pscope *s, node *n, pv *out)
{
    pbuf b = {0};
    for (int k = 0; k < n->n_kids; k++) {
        node *p = n->kids[k];
        if (p->kind == N_CONST) {
            pbuf_put(&b, pv_str(p->value)->s, pv_str(p->value)->len);
        } else if (eval_format(I, s, p, &b)) {
            free(b.s);
            return -1;
        }
        if (b.len > I->lim.max_bytes / 2) {
            free(b.s);
            return pi_reserve(I, (size_t)-1 / 2);
        }
    }
    return pi_buf_to_str(I, &b, out);
}

static int eval_seq(interp *I, pscope *s, node *n, int kind, pv *out)
{
    plist *l = pi_list(I, kind, (size_t)n->n_kids);
    if (!l)
        return -1;
    for (int k = 0; k < n->n_kids; k++) {
        node *e = n->kids[k];
        pv v;
        if (eval(I, s, e->kind == N_STARRED ? e->a : e, &v)) {
            pi_release(I, pv_obj(l));
            return -1;
        }
        if (e->kind != N_STARRED) {
            if (pi_list_push(I, l, v)) {
                pi_release(I, pv_obj(l));
                return -1;
            }
            continue;
        }
        plist *items = NULL;
        int r = pi_to_list(I, v, &items);
        pi_release(I, v);
        for (size_t j = 0; !r && j < items->len; j++)
            r = pi_list_push(I, l, pv_ref(items->items[j]));
        if (items)
            pi_release(I, pv_obj(items));
        if (r) {
            pi_release(I, pv_obj(l));
            return -1;
        }
    }
    *out = pv_obj(l);
    return 0;
}

static int eval_set(interp *I, pscope *s, node *n, pv *out)
{
    pv items;
    if (eval_seq(I, s, n, PO_LIST, &items)) /* starred items expand as in a list */
        return -1;
    pdict *d = pi_set(I);
    int r = d ? 0 : -1;
    for (size_t k = 0; !r && k < pv_list(items)->len; k++)
        r = pi_dict_set(I, d, pv_list(items)->items[k], pv_none());
    pi_release(I, items);
    if (r) {
        if (d)
            pi_release(I, pv_obj(d));
        return -1;
    }
    *out = pv_obj(d);
    return 0;
}

static int eval_dict(interp *I, pscope *s, node *n, pv *out)
{
    pdict *d = pi_dict(I);
    if (!d)
        return -1;
    *out = pv_obj(d);
    for (int k = 0; k + 1 < n->n_kids; k += 2) {
        pv key, val;
        if (n->kids[k]->kind == N_DSTAR) {
            if (eval(I, s, n->kids[k]->a, &val))
                goto fail;
            int r = 0;
            if (!pv_is(val, PO_DICT))
                r = pi_raise(I, "TypeError", "'%s' object is not a mapping", pi_type_name(val));
            for (size_t j = 0; !r && j < pv_dict(val)->used; j++)
                if (pv_dict(val)->entries[j].live)
                    r = pi_dict_set(I, d, pv_dict(val)->entries[j].key,
                                    pv_dict(val)->entries[j].val);
            pi_release(I, val);
            if (r)
                goto fail;
            continue;
        }
        if (eval(I, s, n->kids[k], &key))
            goto fail;
        if (eval(I, s, n->kids[k + 1], &val)) {
            pi_release(I, key);
            goto fail;
        }
        int r = pi_dict_set(I, d, key, val);
        pi_release(I, key);
        pi_release(I, val);
        if (r)
            goto fail;
    }
    return 0;
fail:
    pi_release(I, *out);
    return -1;
}

/* Runs comprehension clause k onward, adding elements to acc (a list or dict). */
static int comp_run(interp *I, pscope *s, node *comp, int k, pv acc)
{
    if (k == comp->n_kids) {
        pv a, b = pv_none();
        if (pi_step(I, 1) || eval(I, s, comp->a, &a))
            return -1;
        if (comp->kind == N_LISTCOMP)
            return pi_list_push(I, pv_list(acc), a);
        if (comp->b && eval(I, s, comp->b, &b)) {
            pi_release(I, a);
            return -1;
        }
        int r = pi_dict_set(I, pv_dict(acc), a, b);
        pi_release(I, a);
        pi_release(I, b);
        return r;
    }
    node *c = comp->kids[k];
    pv v;
    if (eval(I, s, c->kind == N_COMPIF ? c->a : c->b, &v))
        return -1;
    int r = 0;
    if (c->kind == N_COMPIF) {
        int t;
        r = pi_truthy(I, v, &t);
        pi_release(I, v);
        return r ? -1 : t ? comp_run(I, s, comp, k + 1, acc) : 0;
    }
    piter it;
    pv item;
    int got;
    r = pi_iter_init(I, v, &it);
    while (!r && (got = pi_iter_next(I, &it, &item)) != 0) {
        if (got < 0) {
            r = -1;
            break;
        }
        r = assign(I, s, c->a, item);
        pi_release(I, item);
        if (!r)
            r = comp_run(I, s, comp, k + 1, acc);
    }
    pi_release(I, v);
    return r;
}

static int eval_comp(interp *I, pscope *s, node *n, pv *out)
{
    pscope *cs = pi_scope(I, s);
    if (!cs)
        return -1;
    pv acc;
    if (n->kind == N_LISTCOMP) {
        plist *l = pi_list(I, PO_LIST, 0);
        acc = l ? pv_obj(l) : pv_none();
    } else {
        pdict *d = n->b ? pi_dict(I) : pi_set(I);
        acc = d ? pv_obj(d) : pv_none();
    }
    int r = acc.tag == PV_OBJ ? comp_run(I, cs, n, 0, acc) : -1;
    pi_release(I, pv_obj(cs));
    if (r) {
        pi_release(I, acc);
        return -1;
    }
    *out = acc;
    return 0;
}

static int eval_compare(interp *I, pscope *s, node *n, pv *out)
{
    pv left;
    if (eval(I, s, n->kids[0], &left))
        return -1;
    int result = 1;
    for (int k = 1; k < n->n_kids && result; k++) {
        pv right;
        if (eval(I, s, n->kids[k], &right)) {
            pi_release(I, left);
            return -1;
        }
        int r = pi_cmp_op(I, n->ops[k - 1], left, right, &result);
        pi_release(I, left);
        left = right;
        if (r) {
            pi_release(I, left);
            return -1;
        }
    }
    pi_release(I, left);
    *out = pv_bool(result);
    return 0;
}

static int eval_subscript(interp *I, pscope *s, node *n, pv *out)
{
    pv obj, a = pv_none(), b = pv_none(), c = pv_none();
    if (eval(I, s, n->a, &obj))
        return -1;
    int r;
    if (n->b->kind == N_SLICE) {
        node *sl = n->b;
        r = (sl->a && eval(I, s, sl->a, &a)) || (sl->b && eval(I, s, sl->b, &b)) ||
            (sl->c && eval(I, s, sl->c, &c));
        if (!r)
            r = pi_slice(I, obj, a, b, c, out);
        else
            r = -1;
    } else {
        r = eval(I, s, n->b, &a);
        if (!r)
            r = pi_getitem(I, obj, a, out);
    }
    pi_release(I, obj);
    pi_release(I, a);
    pi_release(I, b);
    pi_release(I, c);
    return r;
}

static int eval_inner(interp *I, pscope *s, node *n, pv *out)
{
    pv a, b;
    int r, t;
    switch (n->kind) {
    case N_CONST: *out = pv_ref(n->value); return 0;
    case N_NAME: return lookup(I, s, n->sym, out);
    case N_FSTRING: return eval_fstring(I, s, n, out);
    case N_LIST: return eval_seq(I, s, n, PO_LIST, out);
    case N_TUPLE: return eval_seq(I, s, n, PO_TUPLE, out);
    case N_DICT: return eval_dict(I, s, n, out);
    case N_SET: return eval_set(I, s, n, out);
    case N_LISTCOMP:
    case N_DICTCOMP: return eval_comp(I, s, n, out);
    case N_COMPARE: return eval_compare(I, s, n, out);
    case N_CALL: return eval_call(I, s, n, out);
    case N_SUBSCRIPT: return eval_subscript(I, s, n, out);
    case N_LAMBDA: return make_function(I, s, n, out);
    case N_UNARY:
        if (eval(I, s, n->a, &a))
            return -1;
        r = pi_unary(I, n->op, a, out);
        pi_release(I, a);
        return r;
    case N_NOT:
        if (eval(I, s, n->a, &a))
            return -1;
        r = pi_truthy(I, a, &t);
        pi_release(I, a);
        *out = pv_bool(!t);
        return r;
    case N_BINOP:
        if (eval(I, s, n->a, &a))
            return -1;
        if (eval(I, s, n->b, &b)) {
            pi_release(I, a);
            return -1;
        }
        I->line = n->line;
        r = pi_binop(I, n->op, a, b, out);
        pi_release(I, a);
        pi_release(I, b);
        return r;
    case N_AND:
    case N_OR:
        if (eval(I, s, n->a, &a))
            return -1;
        if (pi_truthy(I, a, &t)) {
            pi_release(I, a);
            return -1;
        }
        if ((n->kind == N_AND) != (t != 0)) { /* and: falsy left wins; or: truthy left wins */
            *out = a;
            return 0;
        }
        pi_release(I, a);
        return eval(I, s, n->b, out);
    case N_IFEXP:
        if (eval(I, s, n->a, &a))
            return -1;
        r = pi_truthy(I, a, &t);
        pi_release(I, a);
        return r ? -1 : eval(I, s, t ? n->b : n->c, out);
    case N_ATTR:
        if (eval(I, s, n->a, &a))
            return -1;
        r = pi_getattr(I, a, n->sym, out);
        pi_release(I, a);
        return r;
    case N_SLICE: return pi_raise(I, "SyntaxError", "a slice is only allowed inside []");
    case N_STARRED: return pi_raise(I, "SyntaxError", "can't use starred expression here");
    default: return pi_raise(I, "SyntaxError", "unsupported expression");
    }
}

static int eval(interp *I, pscope *s, node *n, pv *out)
{
    if (enter(I))
        return -1;
    int r = eval_inner(I, s, n, out);
    I->cdepth--;
    return r;
}

/* ---- statements ---- */

static int exec_for(interp *I, pscope *s, node *n)
{
    pv seq;
    if (eval(I, s, n->b, &seq))
        return -1;
    piter it;
    int st = pi_iter_init(I, seq, &it) ? -1 : 0, broke = 0;
    while (st >= 0) {
        pv item;
        int got = pi_iter_next(I, &it, &item);
        if (got <= 0) {
            st = got;
            break;
        }
        int r = assign(I, s, n->a, item);
        pi_release(I, item);
        if (r) {
            st = -1;
            break;
        }
        st = exec_block(I, s, n->c);
        if (st == EX_BREAK) {
            broke = 1;
            st = 0;
            break;
        }
        if (st == EX_CONTINUE)
            st = 0;
        if (st)
            break;
    }
    pi_release(I, seq);
    if (st == 0 && !broke && n->n_kids)
        st = exec_block(I, s, n->kids[0]);
    return st;
}

static int exec_while(interp *I, pscope *s, node *n)
{
    for (;;) {
        pv c;
        int t;
        if (pi_step(I, 1) || eval(I, s, n->a, &c))
            return -1;
        int r = pi_truthy(I, c, &t);
        pi_release(I, c);
        if (r)
            return -1;
        if (!t)
            return n->c ? exec_block(I, s, n->c) : 0;
        int st = exec_block(I, s, n->b);
        if (st == EX_BREAK)
            return 0;
        if (st != 0 && st != EX_CONTINUE)
            return st;
    }
}

/* Budget failures and host failures must not be caught by a program's except clause. */
static int catchable(interp *I)
{
    return !I->host_oom && strcmp(I->fail.kind, "BudgetExceeded") != 0 &&
           strcmp(I->fail.kind, "Forbidden") != 0 && strcmp(I->fail.kind, "RecursionError") != 0 &&
           strcmp(I->fail.kind, "SyntaxError") != 0;
}

static const char *exc_parent(const char *kind)
{
    static const char *const pairs[][2] = {{"ZeroDivisionError", "ArithmeticError"},
                                           {"OverflowError", "ArithmeticError"},
                                           {"IndexError", "LookupError"},
                                           {"KeyError", "LookupError"},
                                           {"UnboundLocalError", "NameError"},
                                           {"NotImplementedError", "RuntimeError"},
                                           {"MemoryError", "Exception"},
                                           {"ArithmeticError", "Exception"},
                                           {"LookupError", "Exception"},
                                           {"Exception", "BaseException"},
                                           {NULL, NULL}};
    for (int k = 0; pairs[k][0]; k++)
        if (strcmp(pairs[k][0], kind) == 0)
            return pairs[k][1];
    return strcmp(kind, "BaseException") == 0 ? NULL : "Exception";
}

static int exc_matches(const char *kind, const char *handler)
{
    for (const char *k = kind; k; k = exc_parent(k))
        if (strcmp(k, handler) == 0)
            return 1;
    return 0;
}

static int handler_matches(interp *I, pscope *s, node *h, int *match)
{
    *match = 0;
    if (!h->a) {
        *match = 1;
        return 0;
    }
    pv t;
    if (eval(I, s, h->a, &t))
        return -1;
    int r = 0;
    if (pv_is(t, PO_EXCTYPE)) {
        *match = exc_matches(I->fail.kind, ((pexctype *)t.u.o)->name);
    } else if (pv_is(t, PO_TUPLE)) {
        for (size_t k = 0; k < pv_list(t)->len; k++) {
            pv e = pv_list(t)->items[k];
            if (pv_is(e, PO_EXCTYPE) && exc_matches(I->fail.kind, ((pexctype *)e.u.o)->name))
                *match = 1;
        }
    } else {
        r = pi_raise(I, "TypeError",
                     "catching classes that do not inherit from BaseException is not allowed");
    }
    pi_release(I, t);
    return r;
}

static int exec_try(interp *I, pscope *s, node *n)
{
    int st = exec_block(I, s, n->a);
    if (st < 0 && catchable(I)) {
        prog_failure caught = I->fail;
        I->failed = 0;
        for (int k = 0; k < n->n_kids; k++) {
            node *h = n->kids[k];
            int match;
            /* The handler's type is evaluated with the caught failure visible for matching. */
            I->fail = caught;
            if (handler_matches(I, s, h, &match)) {
                st = -1;
                break;
            }
            if (!match)
                continue;
            if (h->sym >= 0) {
                pexc *e = pi_new(I, PO_EXC, sizeof *e);
                if (!e)
                    return -1;
                e->kind = "Exception";
                /* clang-format off */
                static const char *const kinds[] = {
                    "ValueError", "TypeError", "IndexError", "KeyError", "ZeroDivisionError",
                    "AttributeError", "NameError", "OverflowError", "AssertionError",
                    "RuntimeError", "NotImplementedError", "ArithmeticError", "LookupError",
                    "MemoryError", "UnboundLocalError", "StopIteration", "OSError", NULL};
                /* clang-format on */
                for (int j = 0; kinds[j]; j++)
                    if (strcmp(kinds[j], caught.kind) == 0)
                        e->kind = kinds[j];
                e->message = pi_cstr(I, caught.message);
                int r = e->message.tag == PV_OBJ ? set_name(I, s, h->sym, pv_obj(e)) : -1;
                if (e->message.tag != PV_OBJ)
                    e->message = pv_none();
                pi_release(I, pv_obj(e));
                if (r)
                    return -1;
            }
            I->exc = pv_none();
            st = exec_block(I, s, h->b);
            goto finally;
        }
        if (!I->failed) { /* no handler matched: the failure goes on */
            I->fail = caught;
            I->failed = 1;
            st = -1;
        }
    } else if (st == 0 && n->b) {
        st = exec_block(I, s, n->b);
    }
finally:
    if (n->c) {
        int pending_failed = I->failed;
        prog_failure pending = I->fail;
        pv pending_ret = I->ret;
        I->failed = 0;
        I->ret = pv_none();
        int fst = exec_block(I, s, n->c);
        if (fst != 0) { /* break/continue/return/raise in finally replaces what was pending */
            pi_release(I, pending_ret);
            return fst;
        }
        I->ret = pending_ret;
        if (pending_failed) {
            I->failed = 1;
            I->fail = pending;
        }
    }
    return st;
}

static int exec_raise(interp *I, pscope *s, node *n)
{
    if (!n->a)
        return pi_raise(I, "RuntimeError", "No active exception to reraise");
    pv v;
    if (eval(I, s, n->a, &v))
        return -1;
    pv e = v;
    if (pv_is(v, PO_EXCTYPE)) {
        if (pi_call(I, v, 0, NULL, 0, NULL, NULL, &e)) {
            pi_release(I, v);
            return -1;
        }
        pi_release(I, v);
    }
    if (!pv_is(e, PO_EXC)) {
        pi_release(I, e);
        return pi_raise(I, "TypeError", "exceptions must derive from BaseException");
    }
    pexc *x = (pexc *)e.u.o;
    I->line = n->line;
    pi_raise(I, x->kind, "%s", x->message.tag == PV_OBJ ? pv_str(x->message)->s : "");
    pi_release(I, e);
    return -1;
}

static int exec_assert(interp *I, pscope *s, node *n)
{
    pv c;
    int t;
    if (eval(I, s, n->a, &c))
        return -1;
    int r = pi_truthy(I, c, &t);
    pi_release(I, c);
    if (r || t)
        return r;
    if (!n->b)
        return pi_raise(I, "AssertionError", "assertion failed");
    pv m;
    if (eval(I, s, n->b, &m))
        return -1;
    pbuf b = {0};
    r = pi_tostr(I, m, &b);
    pi_release(I, m);
    I->line = n->line;
    if (!r)
        pi_raise(I, "AssertionError", "%s", b.s ? b.s : "");
    free(b.s);
    return -1;
}

static int exec_import(interp *I, pscope *s, node *n)
{
    for (int k = 0; k < n->n_kids; k++) {
        node *item = n->kids[k];
        const char *name = pv_str(item->value)->s;
        pv mod;
        char top[128];
        /* import PIL.Image binds PIL; import PIL.Image as X binds the submodule. */
        snprintf(top, sizeof top, "%s", name);
        if (!item->op)
            top[strcspn(top, ".")] = 0;
        if (pi_import(I, name, &mod))
            return -1;
        pi_release(I, mod);
        if (pi_import(I, top, &mod))
            return -1;
        int r = set_name(I, s, item->sym, mod);
        pi_release(I, mod);
        if (r)
            return -1;
    }
    return 0;
}

/* Names `from M import *` binds, per module (prog_pil.c and prog_math.c answer getattr). */
static const char *const math_names[] = {
    "pi",      "e",       "tau",      "inf",   "nan",   "sqrt",     "sin",  "cos",   "tan",
    "asin",    "acos",    "atan",     "atan2", "sinh",  "cosh",     "tanh", "exp",   "log",
    "log2",    "log10",   "pow",      "floor", "ceil",  "trunc",    "fabs", "hypot", "radians",
    "degrees", "isclose", "isfinite", "isinf", "isnan", "copysign", "fmod", "gcd",   "factorial",
    "comb",    "perm",    "prod",     "fsum",  "dist",  "modf",     "lcm",  NULL};
static const char *const pil_names[] = {"Image",       "ImageDraw",  "ImageOps", "ImageEnhance",
                                        "ImageFilter", "ImageColor", NULL};

static int exec_from_import(interp *I, pscope *s, node *n)
{
    pv mod;
    if (pi_import(I, pv_str(n->value)->s, &mod))
        return -1;
    int r = 0;
    if (n->op == 1) { /* import * */
        const char *const *names = ((pmodule *)mod.u.o)->which == MOD_MATH  ? math_names
                                   : ((pmodule *)mod.u.o)->which == MOD_PIL ? pil_names
                                                                            : NULL;
        if (!names)
            r = pi_raise(I, "SyntaxError", "'from %s import *' is not supported",
                         pv_str(n->value)->s);
        for (int k = 0; !r && names[k]; k++) {
            pv v;
            int sym = pi_sym(I, names[k]);
            r = sym < 0 ? pi_raise(I, "MemoryError", "out of host memory")
                        : pi_module_getattr(I, (pmodule *)mod.u.o, names[k], &v);
            if (!r) {
                r = set_name(I, s, sym, v);
                pi_release(I, v);
            }
        }
    }
    for (int k = 0; !r && k < n->n_kids; k++) {
        pv v;
        const char *name = pi_sym_name(I, n->kids[k]->sym);
        if (pi_module_getattr(I, (pmodule *)mod.u.o, name, &v)) {
            if (strcmp(I->fail.kind, "AttributeError") == 0) {
                I->failed = 0;
                pi_raise(I, "ImportError", "cannot import name '%s' from '%s'", name,
                         pv_str(n->value)->s);
            }
            r = -1;
            break;
        }
        r = set_name(I, s, n->kids[k]->op, v);
        pi_release(I, v);
    }
    pi_release(I, mod);
    return r;
}

static int exec_stmt(interp *I, pscope *s, node *n)
{
    I->line = n->line;
    if (pi_step(I, 1))
        return -1;
    pv v;
    int r;
    switch (n->kind) {
    case N_EXPR:
        if (eval(I, s, n->a, &v))
            return -1;
        pi_release(I, v);
        return 0;
    case N_ASSIGN:
        if (eval(I, s, n->a, &v))
            return -1;
        r = 0;
        for (int k = 0; k < n->n_kids && !r; k++)
            r = assign(I, s, n->kids[k], v);
        pi_release(I, v);
        return r;
    case N_AUGASSIGN: return exec_augassign(I, s, n);
    case N_IF: {
        int t;
        if (eval(I, s, n->a, &v))
            return -1;
        r = pi_truthy(I, v, &t);
        pi_release(I, v);
        if (r)
            return -1;
        if (t)
            return exec_block(I, s, n->b);
        return n->c ? exec_block(I, s, n->c) : 0;
    }
    case N_FOR: return exec_for(I, s, n);
    case N_WHILE: return exec_while(I, s, n);
    case N_BREAK: return EX_BREAK;
    case N_CONTINUE: return EX_CONTINUE;
    case N_PASS: return 0;
    case N_RETURN:
        if (!n->a) {
            I->ret = pv_none();
            return EX_RETURN;
        }
        /* Evaluated into a local: a call inside the expression uses I->ret itself. */
        if (eval(I, s, n->a, &v))
            return -1;
        I->ret = v;
        return EX_RETURN;
    case N_DEF:
        if (make_function(I, s, n, &v))
            return -1;
        r = set_name(I, s, n->sym, v);
        pi_release(I, v);
        return r;
    case N_IMPORT: return exec_import(I, s, n);
    case N_FROMIMPORT: return exec_from_import(I, s, n);
    case N_ASSERT: return exec_assert(I, s, n);
    case N_RAISE: return exec_raise(I, s, n);
    case N_DEL: return exec_del(I, s, n);
    case N_TRY: return exec_try(I, s, n);
    case N_GLOBAL:
        /* At module level both are no-ops for `global` (Python refuses a module-level nonlocal). */
        if (s == I->globals) {
            if (n->op)
                return pi_raise(I, "SyntaxError",
                                "nonlocal declaration not allowed at module level");
            return 0;
        }
        for (int k = 0; k < n->n_kids; k++) {
            pv marker;
            marker.tag = n->op ? PV_NONLOCAL_REF : PV_GLOBAL_REF;
            marker.u.i = 0;
            pv *slot = pi_scope_find(s, n->kids[k]->sym);
            if (slot && slot->tag != marker.tag)
                return pi_raise(I, "SyntaxError", "name '%s' is assigned to before %s declaration",
                                pi_sym_name(I, n->kids[k]->sym), n->op ? "nonlocal" : "global");
            if (pi_scope_set(I, s, n->kids[k]->sym, marker))
                return -1;
        }
        return 0;
    default: return pi_raise(I, "SyntaxError", "unsupported statement");
    }
}

static int exec_block(interp *I, pscope *s, node *block)
{
    if (enter(I))
        return -1;
    int st = 0;
    for (int k = 0; k < block->n_kids && st == 0; k++)
        st = exec_stmt(I, s, block->kids[k]);
    I->cdepth--;
    return st;
}

int pi_exec_module(interp *I)
{
    int st = exec_block(I, I->globals, I->code->body);
    if (st == EX_RETURN) {
        pi_release(I, I->ret);
        I->ret = pv_none();
        return pi_raise(I, "SyntaxError", "'return' outside function");
    }
    if (st == EX_BREAK || st == EX_CONTINUE)
        return pi_raise(I, "SyntaxError", "'%s' outside loop",
                        st == EX_BREAK ? "break" : "continue");
    return st < 0 ? -1 : 0;
}
