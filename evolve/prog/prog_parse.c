/* prog_parse.c - a recursive-descent parser from tokens to the syntax tree (prog_int.h),
 * following Python 3's grammar for the supported subset. Everything it allocates belongs to
 * the prog_code and is freed with it. Unsupported constructs (class, with, yield, global ...)
 * are SyntaxErrors that name the construct, so the reason is useful as training feedback.
 */
#include "evolve/prog/prog_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting of brackets or blocks is refused; it also bounds the parser's C stack. */
#define PARSE_MAX_DEPTH 150

typedef struct parser {
    prog_code *code;
    token *t;
    int n, i;
    int depth;
    int oom;
    prog_failure *fail;
} parser;

enum {
    KW_FALSE,
    KW_NONE,
    KW_TRUE,
    KW_AND,
    KW_AS,
    KW_ASSERT,
    KW_ASYNC,
    KW_AWAIT,
    KW_BREAK,
    KW_CLASS,
    KW_CONTINUE,
    KW_DEF,
    KW_DEL,
    KW_ELIF,
    KW_ELSE,
    KW_EXCEPT,
    KW_FINALLY,
    KW_FOR,
    KW_FROM,
    KW_GLOBAL,
    KW_IF,
    KW_IMPORT,
    KW_IN,
    KW_IS,
    KW_LAMBDA,
    KW_NONLOCAL,
    KW_NOT,
    KW_OR,
    KW_PASS,
    KW_RAISE,
    KW_RETURN,
    KW_TRY,
    KW_WHILE,
    KW_WITH,
    KW_YIELD
};

/* Keywords are the first symbols interned (see code_new), so their ids are the KW_* values. */
static const char *const kw_names[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield",    NULL};

/* ---- the code object ---- */

void *code_alloc(prog_code *c, size_t len)
{
    if (c->n_allocs == c->cap_allocs) {
        size_t cap = c->cap_allocs ? c->cap_allocs * 2 : 256;
        void **a = realloc(c->allocs, cap * sizeof *a);
        if (!a)
            return NULL;
        c->allocs = a;
        c->cap_allocs = cap;
    }
    void *p = calloc(1, len ? len : 1);
    if (p)
        c->allocs[c->n_allocs++] = p;
    return p;
}

void code_free(prog_code *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_allocs; i++)
        free(c->allocs[i]);
    free(c->allocs);
    free(c->syms);
    free(c->sym_index);
    free(c);
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int sym_index_grow(prog_code *c)
{
    int cap = c->sym_index_cap ? c->sym_index_cap * 2 : 256;
    int *idx = malloc((size_t)cap * sizeof *idx);
    if (!idx)
        return -1;
    for (int i = 0; i < cap; i++)
        idx[i] = -1;
    for (int s = 0; s < c->n_syms; s++) {
        uint32_t h = name_hash(c->syms[s], strlen(c->syms[s])) & (uint32_t)(cap - 1);
        while (idx[h] >= 0)
            h = (h + 1) & (uint32_t)(cap - 1);
        idx[h] = s;
    }
    free(c->sym_index);
    c->sym_index = idx;
    c->sym_index_cap = cap;
    return 0;
}

int code_intern(prog_code *c, const char *name, size_t len)
{
    if (c->n_syms * 2 >= c->sym_index_cap && sym_index_grow(c))
        return -1;
    uint32_t mask = (uint32_t)(c->sym_index_cap - 1);
    uint32_t h = name_hash(name, len) & mask;
    while (c->sym_index[h] >= 0) {
        const char *s = c->syms[c->sym_index[h]];
        if (strlen(s) == len && memcmp(s, name, len) == 0)
            return c->sym_index[h];
        h = (h + 1) & mask;
    }
    if (c->n_syms == c->cap_syms) {
        int cap = c->cap_syms ? c->cap_syms * 2 : 128;
        char **s = realloc(c->syms, (size_t)cap * sizeof *s);
        if (!s)
            return -1;
        c->syms = s;
        c->cap_syms = cap;
    }
    char *copy = code_alloc(c, len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, len);
    c->syms[c->n_syms] = copy;
    c->sym_index[h] = c->n_syms;
    return c->n_syms++;
}

/* A str constant owned by the code: never linked live, never freed by a run. */
static pv code_str(prog_code *c, const char *s, size_t n)
{
    pstr *p = code_alloc(c, sizeof *p + n + 1);
    if (!p)
        return pv_none();
    p->h.kind = PO_STR;
    p->h.refs = 1 << 30;
    p->len = n;
    memcpy(p->s, s, n);
    p->s[n] = 0;
    return pv_obj(p);
}

/* ---- helpers ---- */

static int perr(parser *P, const char *fmt, const char *arg)
{
    if (P->fail->kind[0] || P->oom)
        return -1;
    snprintf(P->fail->kind, sizeof P->fail->kind, "SyntaxError");
    snprintf(P->fail->message, sizeof P->fail->message, fmt, arg ? arg : "");
    P->fail->line = P->t[P->i].line;
    return -1;
}

static node *mk(parser *P, int kind, int line)
{
    node *n = code_alloc(P->code, sizeof *n);
    if (!n) {
        P->oom = 1;
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    n->sym = -1;
    return n;
}

static int add_kid(parser *P, node *n, node *kid)
{
    if (!kid)
        return -1;
    /* Grows by powers of two; the old array stays in the code's allocations. */
    if ((n->n_kids & (n->n_kids - 1)) == 0) {
        int cap = n->n_kids ? n->n_kids * 2 : 1;
        node **k = code_alloc(P->code, (size_t)cap * sizeof *k);
        if (!k) {
            P->oom = 1;
            return -1;
        }
        if (n->n_kids)
            memcpy(k, n->kids, (size_t)n->n_kids * sizeof *k);
        n->kids = k;
    }
    n->kids[n->n_kids++] = kid;
    return 0;
}

static token *cur(parser *P)
{
    return &P->t[P->i];
}
static int is_op(parser *P, int op)
{
    return cur(P)->type == T_OP && cur(P)->sym == op;
}
static int is_kw(parser *P, int kw)
{
    return cur(P)->type == T_KW && cur(P)->sym == kw;
}
static int accept_op(parser *P, int op)
{
    if (!is_op(P, op))
        return 0;
    P->i++;
    return 1;
}
static int accept_kw(parser *P, int kw)
{
    if (!is_kw(P, kw))
        return 0;
    P->i++;
    return 1;
}

static const char *op_text(int op)
{
    /* clang-format off */
    static const char *const t[] = {
        "", "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "~", "==", "!=",
        "<", "<=", ">", ">=", "in", "not in", "is", "is not", "(", ")", "[", "]", "{", "}", ",",
        ":", ".", ";", "=", "->", "augmented assignment", ":=", "@"};
    /* clang-format on */
    return op > 0 && op < OP_COUNT ? t[op] : "?";
}

static int expect_op(parser *P, int op)
{
    if (accept_op(P, op))
        return 0;
    char msg[64];
    snprintf(msg, sizeof msg, "expected '%s'", op_text(op));
    return perr(P, "%s", msg);
}

static int enter(parser *P)
{
    if (++P->depth > PARSE_MAX_DEPTH)
        return perr(P, "too many nested parentheses or blocks%s", NULL);
    return 0;
}

static node *parse_test(parser *P);
static node *parse_expr(parser *P);
static node *parse_or(parser *P);
static node *parse_block(parser *P);
static node *parse_fstring_body(parser *P, const char *s, size_t n, int raw, int line);
static node *parse_item(parser *P);

/* ---- expressions ---- */

/* Parses "expr" text from inside an f-string with its own lexer. */
static node *parse_sub_expr(parser *P, const char *s, size_t n, int line)
{
    token *toks = NULL;
    int n_toks = 0;
    prog_failure f = {0};
    /* Wrapping in parentheses lets the expression span lines like Python allows. */
    char *buf = malloc(n + 3);
    if (!buf) {
        P->oom = 1;
        return NULL;
    }
    buf[0] = '(';
    memcpy(buf + 1, s, n);
    buf[n + 1] = ')';
    buf[n + 2] = 0;
    int r = prog_lex(P->code, buf, n + 2, &toks, &n_toks, &f);
    free(buf);
    if (r) {
        if (r == -2)
            P->oom = 1;
        else
            perr(P, "f-string: %.200s", f.message);
        return NULL;
    }
    for (int k = 0; k < n_toks; k++)
        toks[k].line += line - 1;
    parser sub = {P->code, toks, n_toks, 0, P->depth, 0, P->fail};
    node *e = NULL;
    if (sub.t[0].type == T_OP && sub.t[0].sym == OP_LPAR && sub.t[1].type == T_OP &&
        sub.t[1].sym == OP_RPAR)
        perr(P, "f-string: empty expression not allowed%s", NULL);
    else
        e = parse_test(&sub);
    if (e && sub.t[sub.i].type != T_NEWLINE) {
        P->i = P->i; /* report at the f-string's line */
        perr(P, "f-string: invalid syntax%s", NULL);
        e = NULL;
    }
    if (sub.oom)
        P->oom = 1;
    free(toks);
    return e;
}

/* Finds the end of an f-string replacement field starting after '{': returns the index of
 * the matching '}' and sets *conv and *colon to the positions of '!' and ':' at depth 0. */
static long field_end(const char *s, size_t n, size_t i, long *conv, long *colon)
{
    int depth = 0;
    char quote = 0;
    *conv = *colon = -1;
    for (; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '\'' || c == '"') {
            if (*colon < 0)
                quote = c;
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if ((c == ')' || c == ']') && depth > 0) {
            depth--;
        } else if (c == '}') {
            if (depth == 0)
                return (long)i;
            depth--;
        } else if (depth == 0 && *colon < 0 && c == '!' && i + 1 < n && s[i + 1] != '=') {
            *conv = (long)i;
        } else if (depth == 0 && *colon < 0 && c == ':') {
            *colon = (long)i;
        }
    }
    return -1;
}

static int add_literal(parser *P, node *fs, const char *s, size_t n, int raw, int line)
{
    if (n == 0)
        return 0;
    node *k = mk(P, N_CONST, line);
    if (!k)
        return -1;
    char *buf = malloc(n + 1);
    if (!buf) {
        P->oom = 1;
        return -1;
    }
    long m = raw ? (long)n : prog_unescape(s, n, buf);
    if (raw)
        memcpy(buf, s, n);
    if (m < 0) {
        free(buf);
        return perr(P, "invalid escape sequence in f-string%s", NULL);
    }
    k->value = code_str(P->code, buf, (size_t)m);
    free(buf);
    if (k->value.tag != PV_OBJ) {
        P->oom = 1;
        return -1;
    }
    return add_kid(P, fs, k);
}

static node *parse_fstring_body(parser *P, const char *s, size_t n, int raw, int line)
{
    if (enter(P))
        return NULL;
    node *fs = mk(P, N_FSTRING, line);
    if (!fs)
        return NULL;
    size_t lit = 0, i = 0;
    char *text = malloc(n + 1); /* literal text with {{ }} collapsed */
    if (!text) {
        P->oom = 1;
        return NULL;
    }
    size_t tn = 0;
    while (i < n) {
        char c = s[i];
        if ((c == '{' || c == '}') && i + 1 < n && s[i + 1] == c) {
            text[tn++] = c;
            i += 2;
            continue;
        }
        if (c == '}') {
            free(text);
            perr(P, "f-string: single '}' is not allowed%s", NULL);
            return NULL;
        }
        if (c != '{') {
            text[tn++] = c;
            i++;
            continue;
        }
        if (add_literal(P, fs, text, tn, raw, line)) {
            free(text);
            return NULL;
        }
        tn = 0;
        long conv, colon;
        long end = field_end(s, n, i + 1, &conv, &colon);
        if (end < 0) {
            free(text);
            perr(P, "f-string: expecting '}'%s", NULL);
            return NULL;
        }
        size_t expr_end = conv >= 0 ? (size_t)conv : colon >= 0 ? (size_t)colon : (size_t)end;
        node *f = mk(P, N_FORMAT, line);
        if (!f) {
            free(text);
            return NULL;
        }
        f->a = parse_sub_expr(P, s + i + 1, expr_end - i - 1, line);
        if (conv >= 0) {
            size_t cend = colon >= 0 ? (size_t)colon : (size_t)end;
            if (cend != (size_t)conv + 2 || !strchr("rsa", s[conv + 1])) {
                free(text);
                perr(P, "f-string: invalid conversion character%s", NULL);
                return NULL;
            }
            f->op = s[conv + 1];
        }
        if (f->a && colon >= 0)
            f->b = parse_fstring_body(P, s + colon + 1, (size_t)end - (size_t)colon - 1, raw, line);
        if (!f->a || (colon >= 0 && !f->b) || add_kid(P, fs, f)) {
            free(text);
            return NULL;
        }
        i = (size_t)end + 1;
        lit = i;
    }
    (void)lit;
    int r = add_literal(P, fs, text, tn, raw, line);
    free(text);
    P->depth--;
    return r ? NULL : fs;
}

/* One or more adjacent string literals; f-strings make the whole an N_FSTRING. */
static node *parse_strings(parser *P)
{
    int line = cur(P)->line;
    int any_f = 0, k = P->i;
    size_t total = 0;
    while (P->t[k].type == T_STR || P->t[k].type == T_FSTR) {
        any_f |= P->t[k].type == T_FSTR;
        total += P->t[k].len;
        k++;
    }
    if (!any_f) {
        char *buf = malloc(total + 1);
        if (!buf) {
            P->oom = 1;
            return NULL;
        }
        size_t o = 0;
        for (; P->i < k; P->i++) {
            memcpy(buf + o, P->t[P->i].text, P->t[P->i].len);
            o += P->t[P->i].len;
        }
        node *c = mk(P, N_CONST, line);
        if (c)
            c->value = code_str(P->code, buf, o);
        free(buf);
        if (c && c->value.tag != PV_OBJ) {
            P->oom = 1;
            return NULL;
        }
        return c;
    }
    node *fs = mk(P, N_FSTRING, line);
    if (!fs)
        return NULL;
    for (; P->i < k; P->i++) {
        token *t = &P->t[P->i];
        if (t->type == T_STR) {
            if (add_literal(P, fs, t->text, t->len, 1, t->line))
                return NULL;
            continue;
        }
        node *part = parse_fstring_body(P, t->text, t->len, (int)t->ival, t->line);
        if (!part)
            return NULL;
        for (int j = 0; j < part->n_kids; j++)
            if (add_kid(P, fs, part->kids[j]))
                return NULL;
    }
    return fs;
}

/* Comprehension clauses after the element: for ... in ... [if ...]... */
static int parse_comp_clauses(parser *P, node *comp)
{
    while (is_kw(P, KW_FOR) || is_kw(P, KW_IF)) {
        int line = cur(P)->line;
        if (accept_kw(P, KW_IF)) {
            node *c = mk(P, N_COMPIF, line);
            if (!c || !(c->a = parse_or(P)) || add_kid(P, comp, c))
                return -1;
            continue;
        }
        P->i++;
        node *f = mk(P, N_COMPFOR, line);
        if (!f)
            return -1;
        /* The target is an expression list up to 'in'. */
        node *t = parse_expr(P);
        if (!t)
            return -1;
        if (is_op(P, OP_COMMA)) {
            node *tup = mk(P, N_TUPLE, line);
            if (!tup || add_kid(P, tup, t))
                return -1;
            while (accept_op(P, OP_COMMA) && !is_kw(P, KW_IN))
                if (add_kid(P, tup, parse_expr(P)))
                    return -1;
            t = tup;
        }
        f->a = t;
        if (!accept_kw(P, KW_IN))
            return perr(P, "expected 'in' in comprehension%s", NULL);
        if (!(f->b = parse_or(P)) || add_kid(P, comp, f))
            return -1;
    }
    return 0;
}

/* An item of a display or target list: an expression, or *expression (unpacking). */
static node *parse_item(parser *P)
{
    if (!is_op(P, OP_MUL))
        return parse_test(P);
    int line = cur(P)->line;
    P->i++;
    node *st = mk(P, N_STARRED, line);
    if (st && !(st->a = parse_or(P)))
        return NULL;
    return st;
}

static node *parse_list_display(parser *P, int line)
{
    node *l = mk(P, N_LIST, line);
    if (!l)
        return NULL;
    if (accept_op(P, OP_RBRACK))
        return l;
    node *first = parse_item(P);
    if (!first)
        return NULL;
    if (is_kw(P, KW_FOR) && first->kind != N_STARRED) {
        node *c = mk(P, N_LISTCOMP, line);
        if (!c)
            return NULL;
        c->a = first;
        if (parse_comp_clauses(P, c) || expect_op(P, OP_RBRACK))
            return NULL;
        return c;
    }
    if (add_kid(P, l, first))
        return NULL;
    while (accept_op(P, OP_COMMA) && !is_op(P, OP_RBRACK))
        if (add_kid(P, l, parse_item(P)))
            return NULL;
    return expect_op(P, OP_RBRACK) ? NULL : l;
}

/* {a, b, ...} or {x for ...} after its first element. Set comprehensions are N_DICTCOMP
 * nodes without a value expression. */
static node *parse_set_display(parser *P, node *first, int line)
{
    if (is_kw(P, KW_FOR)) {
        node *c = mk(P, N_DICTCOMP, line);
        if (!c)
            return NULL;
        c->a = first;
        if (parse_comp_clauses(P, c) || expect_op(P, OP_RBRACE))
            return NULL;
        return c;
    }
    node *set = mk(P, N_SET, line);
    if (!set || add_kid(P, set, first))
        return NULL;
    while (accept_op(P, OP_COMMA) && !is_op(P, OP_RBRACE))
        if (add_kid(P, set, parse_item(P)))
            return NULL;
    return expect_op(P, OP_RBRACE) ? NULL : set;
}

static node *parse_dict_display(parser *P, int line)
{
    node *d = mk(P, N_DICT, line);
    if (!d)
        return NULL;
    if (accept_op(P, OP_RBRACE))
        return d;
    for (;;) {
        node *k, *v;
        if (accept_op(P, OP_POW)) {
            k = mk(P, N_DSTAR, cur(P)->line);
            if (!k || !(k->a = parse_or(P)))
                return NULL;
            v = k;
        } else {
            k = parse_test(P);
            if (!k)
                return NULL;
            if (!is_op(P, OP_COLON) && d->n_kids == 0)
                return parse_set_display(P, k, line);
            if (!is_op(P, OP_COLON)) {
                perr(P, "invalid syntax: expected ':'%s", NULL);
                return NULL;
            }
            P->i++;
            if (!(v = parse_test(P)))
                return NULL;
            if (d->n_kids == 0 && is_kw(P, KW_FOR)) {
                node *c = mk(P, N_DICTCOMP, line);
                if (!c)
                    return NULL;
                c->a = k;
                c->b = v;
                if (parse_comp_clauses(P, c) || expect_op(P, OP_RBRACE))
                    return NULL;
                return c;
            }
        }
        if (add_kid(P, d, k) || add_kid(P, d, v))
            return NULL;
        if (!accept_op(P, OP_COMMA) || is_op(P, OP_RBRACE))
            break;
    }
    return expect_op(P, OP_RBRACE) ? NULL : d;
}

static node *parse_paren(parser *P, int line)
{
    if (accept_op(P, OP_RPAR))
        return mk(P, N_TUPLE, line);
    node *first = parse_item(P);
    if (!first)
        return NULL;
    if (is_kw(P, KW_FOR) &&
        first->kind != N_STARRED) { /* a generator expression: evaluated eagerly */
        node *c = mk(P, N_LISTCOMP, line);
        if (!c)
            return NULL;
        c->a = first;
        if (parse_comp_clauses(P, c) || expect_op(P, OP_RPAR))
            return NULL;
        return c;
    }
    if (first->kind != N_STARRED && accept_op(P, OP_RPAR))
        return first;
    node *t = mk(P, N_TUPLE, line);
    if (!t || add_kid(P, t, first))
        return NULL;
    while (accept_op(P, OP_COMMA) && !is_op(P, OP_RPAR))
        if (add_kid(P, t, parse_item(P)))
            return NULL;
    return expect_op(P, OP_RPAR) ? NULL : t;
}

static node *parse_atom(parser *P)
{
    token *t = cur(P);
    int line = t->line;
    node *n;
    switch (t->type) {
    case T_NAME:
        P->i++;
        if (!(n = mk(P, N_NAME, line)))
            return NULL;
        n->sym = t->sym;
        return n;
    case T_INT:
    case T_FLOAT:
        P->i++;
        if (!(n = mk(P, N_CONST, line)))
            return NULL;
        n->value = t->type == T_INT ? pv_int(t->ival) : pv_float(t->fval);
        return n;
    case T_STR:
    case T_FSTR: return parse_strings(P);
    case T_KW:
        if (t->sym == KW_TRUE || t->sym == KW_FALSE || t->sym == KW_NONE) {
            P->i++;
            if (!(n = mk(P, N_CONST, line)))
                return NULL;
            n->value = t->sym == KW_NONE ? pv_none() : pv_bool(t->sym == KW_TRUE);
            return n;
        }
        break;
    case T_OP:
        if (t->sym == OP_LPAR || t->sym == OP_LBRACK || t->sym == OP_LBRACE) {
            P->i++;
            if (enter(P))
                return NULL;
            n = t->sym == OP_LPAR     ? parse_paren(P, line)
                : t->sym == OP_LBRACK ? parse_list_display(P, line)
                                      : parse_dict_display(P, line);
            P->depth--;
            return n;
        }
        break;
    case T_INDENT: perr(P, "unexpected indent%s", NULL); return NULL;
    default: break;
    }
    if (t->type == T_KW)
        perr(P, "invalid syntax: unexpected '%s'", P->code->syms[t->sym]);
    else if (t->type == T_OP)
        perr(P, "invalid syntax: unexpected '%s'", op_text(t->sym));
    else
        perr(P, "invalid syntax%s", NULL);
    return NULL;
}

static node *parse_call(parser *P, node *fn, int line)
{
    node *c = mk(P, N_CALL, line);
    if (!c)
        return NULL;
    c->a = fn;
    while (!is_op(P, OP_RPAR)) {
        node *arg;
        int aline = cur(P)->line;
        if (accept_op(P, OP_MUL)) {
            if (!(arg = mk(P, N_STARRED, aline)) || !(arg->a = parse_test(P)))
                return NULL;
        } else if (accept_op(P, OP_POW)) {
            if (!(arg = mk(P, N_DSTAR, aline)) || !(arg->a = parse_test(P)))
                return NULL;
        } else if (cur(P)->type == T_NAME && P->t[P->i + 1].type == T_OP &&
                   P->t[P->i + 1].sym == OP_ASSIGN) {
            if (!(arg = mk(P, N_KWARG, aline)))
                return NULL;
            arg->sym = cur(P)->sym;
            P->i += 2;
            if (!(arg->a = parse_test(P)))
                return NULL;
        } else {
            if (!(arg = parse_test(P)))
                return NULL;
            if (is_kw(P, KW_FOR)) {
                node *g = mk(P, N_LISTCOMP, aline);
                if (!g)
                    return NULL;
                g->a = arg;
                if (parse_comp_clauses(P, g))
                    return NULL;
                arg = g;
            }
        }
        if (add_kid(P, c, arg))
            return NULL;
        if (!accept_op(P, OP_COMMA))
            break;
    }
    return expect_op(P, OP_RPAR) ? NULL : c;
}

static node *parse_subscript_index(parser *P, int line)
{
    node *parts[3] = {NULL, NULL, NULL};
    int n_colons = 0;
    if (!is_op(P, OP_COLON) && !(parts[0] = parse_test(P)))
        return NULL;
    while (n_colons < 2 && accept_op(P, OP_COLON)) {
        n_colons++;
        if (!is_op(P, OP_COLON) && !is_op(P, OP_RBRACK) && !is_op(P, OP_COMMA) &&
            !(parts[n_colons] = parse_test(P)))
            return NULL;
    }
    if (n_colons == 0)
        return parts[0];
    node *s = mk(P, N_SLICE, line);
    if (!s)
        return NULL;
    s->a = parts[0];
    s->b = parts[1];
    s->c = parts[2];
    return s;
}

static node *parse_primary(parser *P)
{
    node *e = parse_atom(P);
    while (e) {
        int line = cur(P)->line;
        if (accept_op(P, OP_LPAR)) {
            if (enter(P))
                return NULL;
            e = parse_call(P, e, line);
            P->depth--;
        } else if (accept_op(P, OP_LBRACK)) {
            if (enter(P))
                return NULL;
            node *s = mk(P, N_SUBSCRIPT, line);
            if (!s)
                return NULL;
            s->a = e;
            node *idx = parse_subscript_index(P, line);
            if (idx && is_op(P, OP_COMMA)) { /* a[i, j] indexes with a tuple */
                node *t = mk(P, N_TUPLE, line);
                if (!t || add_kid(P, t, idx))
                    return NULL;
                while (accept_op(P, OP_COMMA) && !is_op(P, OP_RBRACK))
                    if (add_kid(P, t, parse_subscript_index(P, line)))
                        return NULL;
                idx = t;
            }
            if (!idx || expect_op(P, OP_RBRACK))
                return NULL;
            s->b = idx;
            e = s;
            P->depth--;
        } else if (accept_op(P, OP_DOT)) {
            if (cur(P)->type != T_NAME) {
                perr(P, "invalid syntax: expected a name after '.'%s", NULL);
                return NULL;
            }
            node *a = mk(P, N_ATTR, line);
            if (!a)
                return NULL;
            a->a = e;
            a->sym = cur(P)->sym;
            P->i++;
            e = a;
        } else {
            break;
        }
    }
    return e;
}

static node *parse_unary(parser *P);

static node *parse_power(parser *P)
{
    node *base = parse_primary(P);
    if (!base || !is_op(P, OP_POW))
        return base;
    int line = cur(P)->line;
    P->i++;
    node *n = mk(P, N_BINOP, line);
    if (!n)
        return NULL;
    n->op = OP_POW;
    n->a = base;
    n->b = parse_unary(P); /* right-associative, and -x binds looser on the left only */
    return n->b ? n : NULL;
}

static node *parse_unary(parser *P)
{
    if (is_op(P, OP_SUB) || is_op(P, OP_ADD) || is_op(P, OP_INVERT)) {
        int op = cur(P)->sym, line = cur(P)->line;
        P->i++;
        if (enter(P))
            return NULL;
        node *n = mk(P, N_UNARY, line);
        if (!n)
            return NULL;
        n->op = op;
        n->a = parse_unary(P);
        P->depth--;
        return n->a ? n : NULL;
    }
    if (is_kw(P, KW_AWAIT)) {
        perr(P, "'await' is not supported%s", NULL);
        return NULL;
    }
    return parse_power(P);
}

/* Left-associative binary operator levels, tightest last. */
static const int level_ops[][6] = {
    {OP_BITOR, 0},       {OP_BITXOR, 0},
    {OP_BITAND, 0},      {OP_LSHIFT, OP_RSHIFT, 0},
    {OP_ADD, OP_SUB, 0}, {OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_AT_DECOR}};
#define N_LEVELS ((int)(sizeof level_ops / sizeof level_ops[0]))

static node *parse_level(parser *P, int level)
{
    if (level == N_LEVELS)
        return parse_unary(P);
    node *left = parse_level(P, level + 1);
    while (left && cur(P)->type == T_OP) {
        int op = cur(P)->sym, found = 0;
        for (int k = 0; level_ops[level][k]; k++)
            found |= level_ops[level][k] == op;
        if (!found)
            break;
        int line = cur(P)->line;
        P->i++;
        node *n = mk(P, N_BINOP, line);
        if (!n)
            return NULL;
        n->op = op == OP_AT_DECOR ? OP_MATMUL : op;
        n->a = left;
        if (!(n->b = parse_level(P, level + 1)))
            return NULL;
        left = n;
    }
    return left;
}

static node *parse_expr(parser *P)
{
    return parse_level(P, 0);
}

static int comparison_op(parser *P)
{
    token *t = cur(P);
    if (t->type == T_OP && t->sym >= OP_EQ && t->sym <= OP_GE) {
        P->i++;
        return t->sym;
    }
    if (t->type != T_KW)
        return 0;
    if (t->sym == KW_IN) {
        P->i++;
        return OP_IN;
    }
    if (t->sym == KW_NOT && P->t[P->i + 1].type == T_KW && P->t[P->i + 1].sym == KW_IN) {
        P->i += 2;
        return OP_NOTIN;
    }
    if (t->sym == KW_IS) {
        P->i++;
        return accept_kw(P, KW_NOT) ? OP_ISNOT : OP_IS;
    }
    return 0;
}

static node *parse_comparison(parser *P)
{
    node *first = parse_expr(P);
    if (!first)
        return NULL;
    int line = cur(P)->line;
    int op = comparison_op(P);
    if (!op)
        return first;
    node *c = mk(P, N_COMPARE, line);
    if (!c || add_kid(P, c, first))
        return NULL;
    int cap = 0;
    while (op) {
        if (c->n_kids > cap) {
            int ncap = cap ? cap * 2 : 4;
            int *ops = code_alloc(P->code, (size_t)ncap * sizeof *ops);
            if (!ops) {
                P->oom = 1;
                return NULL;
            }
            if (cap)
                memcpy(ops, c->ops, (size_t)cap * sizeof *ops);
            c->ops = ops;
            cap = ncap;
        }
        c->ops[c->n_kids - 1] = op;
        if (add_kid(P, c, parse_expr(P)))
            return NULL;
        op = comparison_op(P);
    }
    return c;
}

static node *parse_not(parser *P)
{
    if (!is_kw(P, KW_NOT))
        return parse_comparison(P);
    int line = cur(P)->line;
    P->i++;
    if (enter(P))
        return NULL;
    node *n = mk(P, N_NOT, line);
    if (n && !(n->a = parse_not(P)))
        n = NULL;
    P->depth--;
    return n;
}

static node *parse_bool(parser *P, int kw, int kind, node *(*next)(parser *))
{
    node *left = next(P);
    while (left && is_kw(P, kw)) {
        int line = cur(P)->line;
        P->i++;
        node *n = mk(P, kind, line);
        if (!n)
            return NULL;
        n->a = left;
        if (!(n->b = next(P)))
            return NULL;
        left = n;
    }
    return left;
}

static node *parse_and(parser *P)
{
    return parse_bool(P, KW_AND, N_AND, parse_not);
}
static node *parse_or(parser *P)
{
    return parse_bool(P, KW_OR, N_OR, parse_and);
}

static int parse_params(parser *P, node *fn, int closer);

static node *parse_lambda(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *l = mk(P, N_LAMBDA, line);
    if (!l || parse_params(P, l, OP_COLON) || expect_op(P, OP_COLON))
        return NULL;
    l->a = parse_test(P);
    return l->a ? l : NULL;
}

static node *parse_test(parser *P)
{
    if (enter(P))
        return NULL;
    node *r;
    if (is_kw(P, KW_LAMBDA)) {
        r = parse_lambda(P);
    } else {
        r = parse_or(P);
        if (r && is_kw(P, KW_IF)) {
            int line = cur(P)->line;
            P->i++;
            node *n = mk(P, N_IFEXP, line);
            if (!n)
                return NULL;
            n->b = r;
            if (!(n->a = parse_or(P)))
                return NULL;
            if (!accept_kw(P, KW_ELSE)) {
                perr(P, "expected 'else' after 'if' expression%s", NULL);
                return NULL;
            }
            if (!(n->c = parse_test(P)))
                return NULL;
            r = n;
        } else if (r && is_op(P, OP_WALRUS)) {
            perr(P, "':=' is not supported%s", NULL);
            r = NULL;
        }
    }
    P->depth--;
    return r;
}

/* test (',' test)* [','] -> one expression or a tuple. star allows *x items (targets). */
static node *parse_testlist(parser *P)
{
    int line = cur(P)->line;
    node *first = parse_item(P);
    if (!first || (!is_op(P, OP_COMMA) && first->kind != N_STARRED))
        return first;
    node *t = mk(P, N_TUPLE, line);
    if (!t || add_kid(P, t, first))
        return NULL;
    while (accept_op(P, OP_COMMA)) {
        token *c = cur(P);
        if (c->type == T_NEWLINE ||
            (c->type == T_OP && (c->sym == OP_ASSIGN || c->sym == OP_RPAR || c->sym == OP_SEMI ||
                                 c->sym == OP_AUG || c->sym == OP_COLON)))
            break;
        if (add_kid(P, t, parse_item(P)))
            return NULL;
    }
    return t;
}

/* ---- statements ---- */

static int check_target(parser *P, node *t)
{
    switch (t->kind) {
    case N_NAME:
    case N_ATTR:
    case N_SUBSCRIPT: return 0;
    case N_TUPLE:
    case N_LIST: {
        int stars = 0;
        for (int k = 0; k < t->n_kids; k++) {
            node *e = t->kids[k]->kind == N_STARRED ? t->kids[k]->a : t->kids[k];
            stars += t->kids[k]->kind == N_STARRED;
            if (check_target(P, e))
                return -1;
        }
        if (stars > 1) {
            P->i--;
            perr(P, "multiple starred expressions in assignment%s", NULL);
            return -1;
        }
        return 0;
    }
    default:
        P->i--;
        perr(P, "cannot assign to this expression%s", NULL);
        return -1;
    }
}

static int parse_params(parser *P, node *fn, int closer)
{
    int star_seen = 0;
    while (!is_op(P, closer)) {
        node *p = mk(P, N_PARAM, cur(P)->line);
        if (!p)
            return -1;
        if (accept_op(P, OP_POW))
            p->op = 2;
        else if (accept_op(P, OP_MUL))
            p->op = 1;
        if (p->op == 1 && is_op(P, OP_COMMA)) { /* bare '*': keyword-only parameters follow */
            star_seen = 1;
            P->i++;
            continue;
        }
        if (cur(P)->type != T_NAME)
            return perr(P, "invalid syntax: expected a parameter name%s", NULL);
        p->sym = cur(P)->sym;
        P->i++;
        if (closer == OP_RPAR && accept_op(P, OP_COLON) && !parse_test(P)) /* annotation */
            return -1;
        if (p->op == 0 && accept_op(P, OP_ASSIGN) && !(p->a = parse_test(P)))
            return -1;
        if (p->op == 0 && star_seen)
            p->op = 3;
        if (p->op == 1)
            star_seen = 1;
        if (add_kid(P, fn, p))
            return -1;
        if (!accept_op(P, OP_COMMA))
            break;
    }
    return 0;
}

/* A growable set of symbol ids, for collecting a function's local names. */
typedef struct symset {
    int *ids;
    int n, cap;
} symset;

static int symset_add(symset *s, int id)
{
    for (int k = 0; k < s->n; k++)
        if (s->ids[k] == id)
            return 0;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        int *ids = realloc(s->ids, (size_t)cap * sizeof *ids);
        if (!ids)
            return -1;
        s->ids = ids;
        s->cap = cap;
    }
    s->ids[s->n++] = id;
    return 0;
}

/* Names bound by an assignment target. */
static int collect_target(node *t, symset *set)
{
    if (t->kind == N_NAME)
        return symset_add(set, t->sym);
    if (t->kind == N_STARRED)
        return collect_target(t->a, set);
    if (t->kind == N_TUPLE || t->kind == N_LIST)
        for (int k = 0; k < t->n_kids; k++)
            if (collect_target(t->kids[k], set))
                return -1;
    return 0;
}

/* Names a block binds, not descending into nested functions (their names only) or
 * comprehensions (their own scope); `global`/`nonlocal` names go to declared. */
static int collect_locals(node *b, symset *set, symset *declared)
{
    for (int k = 0; b && k < b->n_kids; k++) {
        node *s = b->kids[k];
        int r = 0;
        switch (s->kind) {
        case N_ASSIGN:
            for (int j = 0; j < s->n_kids && !r; j++)
                r = collect_target(s->kids[j], set);
            break;
        case N_AUGASSIGN: r = collect_target(s->a, set); break;
        case N_FOR:
            r = collect_target(s->a, set) || collect_locals(s->c, set, declared) ||
                (s->n_kids && collect_locals(s->kids[0], set, declared));
            break;
        case N_IF:
        case N_WHILE:
            r = collect_locals(s->b, set, declared) || collect_locals(s->c, set, declared);
            break;
        case N_TRY:
            r = collect_locals(s->a, set, declared) || collect_locals(s->b, set, declared) ||
                collect_locals(s->c, set, declared);
            for (int j = 0; j < s->n_kids && !r; j++)
                r = (s->kids[j]->sym >= 0 && symset_add(set, s->kids[j]->sym)) ||
                    collect_locals(s->kids[j]->b, set, declared);
            break;
        case N_DEF: r = symset_add(set, s->sym); break;
        case N_IMPORT:
        case N_FROMIMPORT:
            for (int j = 0; j < s->n_kids && !r; j++)
                r = symset_add(set, s->kind == N_IMPORT ? s->kids[j]->sym : s->kids[j]->op);
            break;
        case N_DEL:
            for (int j = 0; j < s->n_kids && !r; j++)
                r = collect_target(s->kids[j], set);
            break;
        case N_GLOBAL:
            for (int j = 0; j < s->n_kids && !r; j++)
                r = symset_add(declared, s->kids[j]->sym);
            break;
        default: break;
        }
        if (r)
            return -1;
    }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* Records in the N_DEF which names are local to it (parameters and bound names). */
static int set_def_locals(parser *P, node *d)
{
    symset set = {0}, declared = {0};
    int r = 0;
    for (int k = 0; k < d->n_kids && !r; k++)
        r = symset_add(&set, d->kids[k]->sym);
    if (!r)
        r = collect_locals(d->a, &set, &declared);
    if (!r && set.n) {
        d->locals = code_alloc(P->code, (size_t)set.n * sizeof *d->locals);
        r = d->locals ? 0 : -1;
        for (int k = 0; !r && k < set.n; k++) {
            int skip = 0;
            for (int j = 0; j < declared.n; j++)
                skip |= declared.ids[j] == set.ids[k];
            if (!skip)
                d->locals[d->n_locals++] = set.ids[k];
        }
        if (!r)
            qsort(d->locals, (size_t)d->n_locals, sizeof *d->locals, cmp_int);
    }
    free(set.ids);
    free(declared.ids);
    if (r)
        P->oom = 1;
    return r;
}

static node *parse_def(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    if (cur(P)->type != T_NAME) {
        perr(P, "invalid syntax: expected a function name%s", NULL);
        return NULL;
    }
    node *d = mk(P, N_DEF, line);
    if (!d)
        return NULL;
    d->sym = cur(P)->sym;
    P->i++;
    if (expect_op(P, OP_LPAR) || parse_params(P, d, OP_RPAR) || expect_op(P, OP_RPAR))
        return NULL;
    if (accept_op(P, OP_ARROW) && !parse_test(P))
        return NULL;
    if (expect_op(P, OP_COLON))
        return NULL;
    d->a = parse_block(P);
    if (!d->a || set_def_locals(P, d))
        return NULL;
    return d;
}

/* A dotted module name: PIL.Image */
static int parse_dotted(parser *P, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        if (cur(P)->type != T_NAME)
            return perr(P, "invalid syntax: expected a module name%s", NULL);
        const char *s = P->code->syms[cur(P)->sym];
        size_t l = strlen(s);
        if (n + l + 2 > cap)
            return perr(P, "module name too long%s", NULL);
        memcpy(buf + n, s, l);
        n += l;
        buf[n] = 0;
        P->i++;
        if (!accept_op(P, OP_DOT))
            return 0;
        buf[n++] = '.';
    }
}

static node *parse_import(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *im = mk(P, N_IMPORT, line);
    if (!im)
        return NULL;
    do {
        char name[128];
        int first_sym = cur(P)->type == T_NAME ? cur(P)->sym : -1;
        if (parse_dotted(P, name, sizeof name))
            return NULL;
        node *k = mk(P, N_CONST, line);
        if (!k)
            return NULL;
        k->value = code_str(P->code, name, strlen(name));
        k->sym = first_sym;
        if (accept_kw(P, KW_AS)) {
            if (cur(P)->type != T_NAME) {
                perr(P, "invalid syntax: expected a name after 'as'%s", NULL);
                return NULL;
            }
            k->sym = cur(P)->sym;
            k->op = 1;
            P->i++;
        }
        if (add_kid(P, im, k))
            return NULL;
    } while (accept_op(P, OP_COMMA));
    return im;
}

static node *parse_from(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *im = mk(P, N_FROMIMPORT, line);
    char name[128];
    if (!im)
        return NULL;
    if (is_op(P, OP_DOT)) {
        perr(P, "relative imports are not supported%s", NULL);
        return NULL;
    }
    if (parse_dotted(P, name, sizeof name))
        return NULL;
    im->value = code_str(P->code, name, strlen(name));
    if (!accept_kw(P, KW_IMPORT)) {
        perr(P, "invalid syntax: expected 'import'%s", NULL);
        return NULL;
    }
    if (accept_op(P, OP_MUL)) {
        im->op = 1;
        return im;
    }
    int paren = accept_op(P, OP_LPAR);
    do {
        if (paren && is_op(P, OP_RPAR))
            break;
        if (cur(P)->type != T_NAME) {
            perr(P, "invalid syntax: expected a name to import%s", NULL);
            return NULL;
        }
        node *k = mk(P, N_NAME, line);
        if (!k)
            return NULL;
        k->sym = cur(P)->sym;
        k->op = k->sym;
        P->i++;
        if (accept_kw(P, KW_AS)) {
            if (cur(P)->type != T_NAME) {
                perr(P, "invalid syntax: expected a name after 'as'%s", NULL);
                return NULL;
            }
            k->op = cur(P)->sym;
            P->i++;
        }
        if (add_kid(P, im, k))
            return NULL;
    } while (accept_op(P, OP_COMMA));
    if (paren && expect_op(P, OP_RPAR))
        return NULL;
    return im;
}

static node *parse_expr_stmt(parser *P)
{
    int line = cur(P)->line;
    node *first = parse_testlist(P);
    if (!first)
        return NULL;
    if (is_op(P, OP_AUG)) {
        node *a = mk(P, N_AUGASSIGN, line);
        if (!a)
            return NULL;
        a->op = (int)cur(P)->ival;
        P->i++;
        if (first->kind != N_NAME && first->kind != N_ATTR && first->kind != N_SUBSCRIPT) {
            perr(P, "illegal expression for augmented assignment%s", NULL);
            return NULL;
        }
        a->a = first;
        a->b = parse_testlist(P);
        return a->b ? a : NULL;
    }
    if (is_op(P, OP_COLON)) { /* annotated assignment: x: int = 5 */
        P->i++;
        if (first->kind != N_NAME && first->kind != N_ATTR && first->kind != N_SUBSCRIPT) {
            perr(P, "illegal target for annotation%s", NULL);
            return NULL;
        }
        if (!parse_test(P))
            return NULL;
        if (!accept_op(P, OP_ASSIGN))
            return mk(P, N_PASS, line);
        node *a = mk(P, N_ASSIGN, line);
        if (!a || add_kid(P, a, first))
            return NULL;
        a->a = parse_testlist(P);
        return a->a ? a : NULL;
    }
    if (!is_op(P, OP_ASSIGN)) {
        node *e = mk(P, N_EXPR, line);
        if (e)
            e->a = first;
        return e;
    }
    node *a = mk(P, N_ASSIGN, line);
    if (!a)
        return NULL;
    node *value = first;
    while (accept_op(P, OP_ASSIGN)) {
        if (check_target(P, value) || add_kid(P, a, value))
            return NULL;
        if (!(value = parse_testlist(P)))
            return NULL;
    }
    a->a = value;
    return a;
}

static node *parse_simple(parser *P)
{
    token *t = cur(P);
    int line = t->line;
    if (t->type != T_KW)
        return parse_expr_stmt(P);
    node *n;
    switch (t->sym) {
    case KW_PASS: P->i++; return mk(P, N_PASS, line);
    case KW_BREAK: P->i++; return mk(P, N_BREAK, line);
    case KW_CONTINUE: P->i++; return mk(P, N_CONTINUE, line);
    case KW_RETURN:
        P->i++;
        if (!(n = mk(P, N_RETURN, line)))
            return NULL;
        if (cur(P)->type != T_NEWLINE && !is_op(P, OP_SEMI) && !(n->a = parse_testlist(P)))
            return NULL;
        return n;
    case KW_IMPORT: return parse_import(P);
    case KW_FROM: return parse_from(P);
    case KW_ASSERT:
        P->i++;
        if (!(n = mk(P, N_ASSERT, line)) || !(n->a = parse_test(P)))
            return NULL;
        if (accept_op(P, OP_COMMA) && !(n->b = parse_test(P)))
            return NULL;
        return n;
    case KW_RAISE:
        P->i++;
        if (!(n = mk(P, N_RAISE, line)))
            return NULL;
        if (cur(P)->type != T_NEWLINE && !is_op(P, OP_SEMI) && !(n->a = parse_test(P)))
            return NULL;
        if (accept_kw(P, KW_FROM) && !parse_test(P))
            return NULL;
        return n;
    case KW_DEL:
        P->i++;
        if (!(n = mk(P, N_DEL, line)))
            return NULL;
        do {
            node *target = parse_expr(P);
            if (!target || check_target(P, target) || add_kid(P, n, target))
                return NULL;
        } while (accept_op(P, OP_COMMA));
        return n;
    case KW_GLOBAL:
    case KW_NONLOCAL:
        P->i++;
        if (!(n = mk(P, N_GLOBAL, line)))
            return NULL;
        n->op = t->sym == KW_NONLOCAL;
        do {
            node *k = mk(P, N_NAME, cur(P)->line);
            if (!k || cur(P)->type != T_NAME) {
                perr(P, "invalid syntax: expected a name%s", NULL);
                return NULL;
            }
            k->sym = cur(P)->sym;
            P->i++;
            if (add_kid(P, n, k))
                return NULL;
        } while (accept_op(P, OP_COMMA));
        return n;
    case KW_CLASS:
    case KW_WITH:
    case KW_YIELD:
    case KW_ASYNC: perr(P, "'%s' is not supported", P->code->syms[t->sym]); return NULL;
    default: return parse_expr_stmt(P);
    }
}

/* simple_stmt (';' simple_stmt)* NEWLINE, appended to block */
static int parse_simple_line(parser *P, node *block)
{
    for (;;) {
        if (add_kid(P, block, parse_simple(P)))
            return -1;
        if (!accept_op(P, OP_SEMI))
            break;
        if (cur(P)->type == T_NEWLINE)
            break;
    }
    if (cur(P)->type != T_NEWLINE)
        return perr(P, "invalid syntax%s", NULL);
    P->i++;
    return 0;
}

static node *parse_statement_into(parser *P, node *block);

/* ':' already consumed: either a simple line or NEWLINE INDENT stmts DEDENT. */
static node *parse_block(parser *P)
{
    node *b = mk(P, N_BLOCK, cur(P)->line);
    if (!b || enter(P))
        return NULL;
    if (cur(P)->type != T_NEWLINE) {
        if (parse_simple_line(P, b))
            return NULL;
        P->depth--;
        return b;
    }
    P->i++;
    if (cur(P)->type != T_INDENT) {
        P->fail->line = cur(P)->line;
        if (!P->fail->kind[0]) {
            snprintf(P->fail->kind, sizeof P->fail->kind, "IndentationError");
            snprintf(P->fail->message, sizeof P->fail->message, "expected an indented block");
            P->fail->line = cur(P)->line;
        }
        return NULL;
    }
    P->i++;
    while (cur(P)->type != T_DEDENT && cur(P)->type != T_END)
        if (!parse_statement_into(P, b))
            return NULL;
    P->i++;
    P->depth--;
    return b;
}

static node *parse_if(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *n = mk(P, N_IF, line);
    if (!n || !(n->a = parse_test(P)) || expect_op(P, OP_COLON) || !(n->b = parse_block(P)))
        return NULL;
    if (is_kw(P, KW_ELIF)) {
        node *b = mk(P, N_BLOCK, cur(P)->line);
        if (!b || add_kid(P, b, parse_if(P)))
            return NULL;
        n->c = b;
    } else if (accept_kw(P, KW_ELSE)) {
        if (expect_op(P, OP_COLON) || !(n->c = parse_block(P)))
            return NULL;
    }
    return n;
}

static node *parse_loop_else(parser *P)
{
    if (!accept_kw(P, KW_ELSE))
        return NULL;
    if (expect_op(P, OP_COLON))
        return NULL;
    return parse_block(P);
}

static node *parse_for(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *n = mk(P, N_FOR, line);
    if (!n)
        return NULL;
    node *t = parse_expr(P);
    if (t && is_op(P, OP_COMMA)) {
        node *tup = mk(P, N_TUPLE, line);
        if (!tup || add_kid(P, tup, t))
            return NULL;
        while (accept_op(P, OP_COMMA) && !is_kw(P, KW_IN))
            if (add_kid(P, tup, parse_expr(P)))
                return NULL;
        t = tup;
    }
    if (!t || check_target(P, t))
        return NULL;
    n->a = t;
    if (!accept_kw(P, KW_IN)) {
        perr(P, "invalid syntax: expected 'in'%s", NULL);
        return NULL;
    }
    if (!(n->b = parse_testlist(P)) || expect_op(P, OP_COLON) || !(n->c = parse_block(P)))
        return NULL;
    if (is_kw(P, KW_ELSE)) {
        node *e = parse_loop_else(P);
        if (!e || add_kid(P, n, e))
            return NULL;
    }
    return n;
}

static node *parse_while(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *n = mk(P, N_WHILE, line);
    if (!n || !(n->a = parse_test(P)) || expect_op(P, OP_COLON) || !(n->b = parse_block(P)))
        return NULL;
    if (is_kw(P, KW_ELSE) && !(n->c = parse_loop_else(P)))
        return NULL;
    return n;
}

static node *parse_try(parser *P)
{
    int line = cur(P)->line;
    P->i++;
    node *n = mk(P, N_TRY, line);
    if (!n || expect_op(P, OP_COLON) || !(n->a = parse_block(P)))
        return NULL;
    while (is_kw(P, KW_EXCEPT)) {
        node *h = mk(P, N_EXCEPT, cur(P)->line);
        P->i++;
        if (!h)
            return NULL;
        if (!is_op(P, OP_COLON)) {
            if (!(h->a = parse_test(P)))
                return NULL;
            if (is_op(P, OP_COMMA)) {
                node *t = mk(P, N_TUPLE, h->line);
                if (!t || add_kid(P, t, h->a))
                    return NULL;
                while (accept_op(P, OP_COMMA))
                    if (add_kid(P, t, parse_test(P)))
                        return NULL;
                h->a = t;
            }
            if (accept_kw(P, KW_AS)) {
                if (cur(P)->type != T_NAME) {
                    perr(P, "invalid syntax: expected a name after 'as'%s", NULL);
                    return NULL;
                }
                h->sym = cur(P)->sym;
                P->i++;
            }
        }
        if (expect_op(P, OP_COLON) || !(h->b = parse_block(P)) || add_kid(P, n, h))
            return NULL;
    }
    if (n->n_kids && accept_kw(P, KW_ELSE) && (expect_op(P, OP_COLON) || !(n->b = parse_block(P))))
        return NULL;
    if (accept_kw(P, KW_FINALLY) && (expect_op(P, OP_COLON) || !(n->c = parse_block(P))))
        return NULL;
    if (!n->n_kids && !n->c) {
        perr(P, "expected 'except' or 'finally' block%s", NULL);
        return NULL;
    }
    return n;
}

/* Parses one statement (a compound one, or a line of simple ones) into block. Returns block. */
static node *parse_statement_into(parser *P, node *block)
{
    token *t = cur(P);
    if (t->type == T_INDENT) {
        perr(P, "unexpected indent%s", NULL);
        return NULL;
    }
    if (t->type == T_OP && t->sym == OP_AT_DECOR) {
        perr(P, "decorators are not supported%s", NULL);
        return NULL;
    }
    node *s = NULL;
    if (t->type == T_KW) {
        switch (t->sym) {
        case KW_DEF: s = parse_def(P); break;
        case KW_IF: s = parse_if(P); break;
        case KW_FOR: s = parse_for(P); break;
        case KW_WHILE: s = parse_while(P); break;
        case KW_TRY: s = parse_try(P); break;
        case KW_ELSE:
        case KW_ELIF:
        case KW_EXCEPT:
        case KW_FINALLY:
            perr(P, "invalid syntax: unexpected '%s'", P->code->syms[t->sym]);
            return NULL;
        default: return parse_simple_line(P, block) ? NULL : block;
        }
        return add_kid(P, block, s) ? NULL : block;
    }
    return parse_simple_line(P, block) ? NULL : block;
}

static int is_args_list_assign(parser *P, node *s)
{
    if (s->kind != N_ASSIGN)
        return 0;
    for (int k = 0; k < s->n_kids; k++)
        if (s->kids[k]->kind == N_NAME && strcmp(P->code->syms[s->kids[k]->sym], "args_list") == 0)
            return 1;
    return 0;
}

prog_code *prog_parse(const char *source, size_t len, prog_failure *fail)
{
    memset(fail, 0, sizeof *fail);
    prog_code *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (int k = 0; kw_names[k]; k++)
        if (code_intern(c, kw_names[k], strlen(kw_names[k])) != k) {
            code_free(c);
            return NULL;
        }
    token *toks = NULL;
    int n_toks = 0;
    int r = prog_lex(c, source, len, &toks, &n_toks, fail);
    if (r) {
        code_free(c);
        return NULL;
    }
    parser P = {c, toks, n_toks, 0, 0, 0, fail};
    node *body = mk(&P, N_BLOCK, 1);
    while (body && cur(&P)->type != T_END) {
        if (cur(&P)->type == T_NEWLINE) {
            P.i++;
            continue;
        }
        int before = body->n_kids;
        if (!parse_statement_into(&P, body)) {
            body = NULL;
            break;
        }
        for (int k = before; k < body->n_kids && !c->args_list_line; k++)
            if (is_args_list_assign(&P, body->kids[k]))
                c->args_list_line = body->kids[k]->line;
    }
    free(toks);
    if (!body) {
        if (P.oom)
            memset(fail, 0, sizeof *fail);
        code_free(c);
        return NULL;
    }
    c->body = body;
    return c;
}
