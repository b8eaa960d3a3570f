/* pylit.c - parsing Python literals (evolve/pylit.h) by recursive descent. */
#include "evolve/pylit.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;
    size_t pos;
    errmsg *e;
} parser;

static int fail(parser *p, const char *what)
{
    return err_set(p->e, ERR_FAIL, "Python literal: %s at byte %zu", what, p->pos);
}

static void skip_spaces(parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

static int starts(const parser *p, const char *word)
{
    return strncmp(p->s + p->pos, word, strlen(word)) == 0 &&
           !isalnum((unsigned char)p->s[p->pos + strlen(word)]) &&
           p->s[p->pos + strlen(word)] != '_';
}

static void free_items(pylit *v)
{
    for (size_t i = 0; i < v->n; i++)
        free_items(&v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

/* None, True, False, inf, nan, set(): the names a repr may hold. */
static int parse_name(parser *p, pylit *v)
{
    static const struct {
        const char *word;
        pylit_kind kind;
        long long i;
        double f;
    } NAMES[] = {{"None", PYLIT_NONE, 0, 0},   {"True", PYLIT_BOOL, 1, 0},
                 {"False", PYLIT_BOOL, 0, 0},  {"inf", PYLIT_FLOAT, 0, INFINITY},
                 {"nan", PYLIT_FLOAT, 0, NAN}, {"set()", PYLIT_SET, 0, 0}};
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++)
        if (starts(p, NAMES[k].word)) {
            v->kind = NAMES[k].kind;
            v->i = NAMES[k].i;
            v->f = NAMES[k].f;
            p->pos += strlen(NAMES[k].word);
            return 0;
        }
    return fail(p, "not a literal (a name, call or object)");
}

static size_t digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

static int parse_number(parser *p, pylit *v)
{
    const char *s = p->s + p->pos;
    if (!strncmp(s, "-inf", 4)) {
        v->kind = PYLIT_FLOAT;
        v->f = -INFINITY;
        p->pos += 4;
        return 0;
    }
    size_t n = s[0] == '-' ? 1 : 0;
    size_t whole = digits(s + n);
    if (whole == 0)
        return fail(p, "a number without digits");
    n += whole;
    int is_float = 0;
    if (s[n] == '.') {
        size_t frac = digits(s + n + 1);
        v->decimals = (int)frac;
        n += 1 + frac;
        is_float = 1;
    }
    if (s[n] == 'e' || s[n] == 'E') {
        size_t sign = s[n + 1] == '+' || s[n + 1] == '-';
        size_t exp = digits(s + n + 1 + sign);
        if (exp == 0)
            return fail(p, "an exponent without digits");
        n += 1 + sign + exp;
        is_float = 1;
    }
    errno = 0;
    if (is_float) {
        v->kind = PYLIT_FLOAT;
        v->f = strtod(s, NULL);
    } else {
        v->kind = PYLIT_INT;
        v->i = strtoll(s, NULL, 10);
        if (errno == ERANGE)
            return fail(p, "an integer beyond 64 bits");
    }
    p->pos += n;
    return 0;
}

/* A quoted string; escapes are skipped, not decoded. */
static int parse_string(parser *p, pylit *v)
{
    char quote = p->s[p->pos++];
    for (;;) {
        char c = p->s[p->pos];
        if (c == 0 || c == '\n')
            return fail(p, "an unterminated string");
        p->pos++;
        if (c == quote)
            break;
        if (c == '\\') {
            if (p->s[p->pos] == 0)
                return fail(p, "an unterminated string");
            p->pos++;
        }
    }
    v->kind = PYLIT_STR;
    return 0;
}

static int parse_value(parser *p, pylit *v, int depth);

static int push(parser *p, pylit *v, size_t *cap, int depth)
{
    if (v->n == *cap) {
        size_t grown = *cap ? 2 * *cap : 4;
        pylit *items = realloc(v->items, grown * sizeof *items);
        if (!items)
            return err_set(p->e, ERR_FAIL, "Python literal: out of memory");
        v->items = items;
        *cap = grown;
    }
    memset(&v->items[v->n], 0, sizeof *v->items);
    v->n++;
    return parse_value(p, &v->items[v->n - 1], depth + 1);
}

/* The elements of a list, tuple, dict or set after its opening bracket, up to close. */
static int parse_items(parser *p, pylit *v, char close, int depth)
{
    size_t cap = 0;
    skip_spaces(p);
    while (p->s[p->pos] != close) {
        if (push(p, v, &cap, depth))
            return ERR_FAIL;
        skip_spaces(p);
        if (v->kind == PYLIT_DICT && v->n == 1 && p->s[p->pos] != ':')
            v->kind = PYLIT_SET;
        if (v->kind == PYLIT_DICT) {
            if (p->s[p->pos] != ':')
                return fail(p, "a dict entry without ':'");
            p->pos++;
            if (push(p, v, &cap, depth))
                return ERR_FAIL;
            skip_spaces(p);
        }
        if (p->s[p->pos] == ',') {
            p->pos++;
            skip_spaces(p);
        } else if (p->s[p->pos] != close) {
            return fail(p, "a missing ',' or closing bracket");
        }
    }
    p->pos++;
    return 0;
}

static int parse_value(parser *p, pylit *v, int depth)
{
    if (depth > PYLIT_MAX_DEPTH)
        return fail(p, "nesting deeper than PYLIT_MAX_DEPTH");
    skip_spaces(p);
    v->text = p->s + p->pos;
    size_t start = p->pos;
    char c = p->s[p->pos];
    int rc;
    if (c == '[' || c == '(' || c == '{') {
        v->kind = c == '[' ? PYLIT_LIST : c == '(' ? PYLIT_TUPLE : PYLIT_DICT;
        p->pos++;
        rc = parse_items(p, v, c == '[' ? ']' : c == '(' ? ')' : '}', depth);
    } else if (c == '\'' || c == '"') {
        rc = parse_string(p, v);
    } else if (c == '-' || isdigit((unsigned char)c)) {
        rc = parse_number(p, v);
    } else {
        rc = parse_name(p, v);
    }
    v->len = p->pos - start;
    return rc;
}

int pylit_parse(const char *text, pylit **out, errmsg *e)
{
    *out = NULL;
    pylit *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_FAIL, "Python literal: out of memory");
    parser p = {text, 0, e};
    int rc = parse_value(&p, v, 0);
    skip_spaces(&p);
    if (!rc && text[p.pos] != 0)
        rc = fail(&p, "text after the literal");
    if (rc) {
        pylit_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void pylit_free(pylit *v)
{
    if (!v)
        return;
    free_items(v);
    free(v);
}

const char *pylit_kind_name(pylit_kind kind)
{
    static const char *const NAMES[] = {"None", "bool",  "int",  "float", "str",
                                        "list", "tuple", "dict", "set"};
    return (unsigned)kind < sizeof NAMES / sizeof NAMES[0] ? NAMES[kind] : "?";
}
