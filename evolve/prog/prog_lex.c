/* prog_lex.c - turns program source into tokens, Python-style: INDENT/DEDENT from leading
 * whitespace, NEWLINE at the end of logical lines, no line structure inside brackets.
 * String literals are decoded here (escapes, prefixes); f-string bodies are kept raw for the
 * parser, which splits them into literal text and expressions.
 */
#include "evolve/prog/prog_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Python refuses deeper indentation too ("too many levels of indentation" at 100). */
#define LEX_MAX_INDENT 100

typedef struct lexer {
    prog_code *code;
    const char *src;
    size_t len, pos;
    int line;
    int paren;           /* bracket depth: newlines inside are not significant */
    int paren_line[256]; /* line of each open bracket (the first 256) */
    char paren_char[256];
    int indents[LEX_MAX_INDENT];
    int n_indents;
    token *toks;
    int n, cap;
    prog_failure *fail;
} lexer;

static int lex_error(lexer *L, const char *kind, const char *msg)
{
    snprintf(L->fail->kind, sizeof L->fail->kind, "%s", kind);
    snprintf(L->fail->message, sizeof L->fail->message, "%s", msg);
    L->fail->line = L->line;
    return -1;
}

static token *push(lexer *L, int type)
{
    if (L->n == L->cap) {
        int cap = L->cap ? L->cap * 2 : 256;
        token *t = realloc(L->toks, (size_t)cap * sizeof *t);
        if (!t)
            return NULL;
        L->toks = t;
        L->cap = cap;
    }
    token *t = &L->toks[L->n++];
    memset(t, 0, sizeof *t);
    t->type = type;
    t->line = L->line;
    return t;
}

static const char *const keywords[] = {
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield",    NULL};

static int is_ident_start(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
static int is_ident(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Appends the UTF-8 encoding of code point cp. */
static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 63));
        out[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 63));
    out[2] = (char)(0x80 | ((cp >> 6) & 63));
    out[3] = (char)(0x80 | (cp & 63));
    return 4;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Shared with the parser's f-string splitter (see prog_int.h). */
long prog_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 == n) {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        switch (c) {
        case '\n': break; /* line continuation inside a string */
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case '0': out[o++] = '\0'; break;
        case 'a': out[o++] = '\a'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'v': out[o++] = '\v'; break;
        case '\\':
        case '\'':
        case '"': out[o++] = c; break;
        case 'x':
        case 'u':
        case 'U': {
            int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            unsigned cp = 0;
            if (i + (size_t)digits >= n)
                return -1;
            for (int k = 0; k < digits; k++) {
                int h = hexval((unsigned char)s[i + 1 + (size_t)k]);
                if (h < 0)
                    return -1;
                cp = cp * 16 + (unsigned)h;
            }
            if (cp > 0x10FFFF)
                return -1;
            i += (size_t)digits;
            /* Escapes only shrink the text: \xNN (4 bytes) -> at most 2 bytes of UTF-8. */
            o += put_utf8(out + o, cp);
            break;
        }
        default: /* Python keeps unknown escapes as written */ out[o++] = '\\'; out[o++] = c;
        }
    }
    return (long)o;
}

static int lex_string(lexer *L, size_t prefix_start)
{
    int raw = 0, fstr = 0;
    for (size_t i = prefix_start; i < L->pos; i++) {
        int c = L->src[i] | 0x20;
        if (c == 'r')
            raw = 1;
        else if (c == 'f')
            fstr = 1;
        else if (c == 'b')
            return lex_error(L, "SyntaxError", "bytes literals are not supported");
    }
    char q = L->src[L->pos];
    int triple = L->pos + 2 < L->len && L->src[L->pos + 1] == q && L->src[L->pos + 2] == q;
    size_t qlen = triple ? 3 : 1;
    int start_line = L->line;
    size_t body = L->pos + qlen, i = body;
    for (;;) {
        if (i >= L->len) {
            L->line = start_line;
            return lex_error(L, "SyntaxError",
                             triple ? "unterminated triple-quoted string literal"
                                    : "unterminated string literal");
        }
        char c = L->src[i];
        if (c == '\\' && i + 1 < L->len) {
            if (L->src[i + 1] == '\n')
                L->line++;
            i += 2;
            continue;
        }
        if (c == '\n') {
            if (!triple) {
                L->line = start_line;
                return lex_error(L, "SyntaxError", "unterminated string literal");
            }
            L->line++;
        }
        if (c == q && (!triple || (i + 2 < L->len && L->src[i + 1] == q && L->src[i + 2] == q)))
            break;
        i++;
    }
    size_t n = i - body;
    token *t = push(L, fstr ? T_FSTR : T_STR);
    if (!t)
        return -2;
    t->line = start_line;
    t->text = code_alloc(L->code, n + 1);
    if (!t->text)
        return -2;
    if (raw || fstr) {
        memcpy(t->text, L->src + body, n);
        t->len = n;
    } else {
        long m = prog_unescape(L->src + body, n, t->text);
        if (m < 0) {
            L->line = start_line;
            return lex_error(L, "SyntaxError", "invalid escape sequence in string literal");
        }
        t->len = (size_t)m;
    }
    t->text[t->len] = 0;
    t->ival = raw; /* f-strings: whether escapes are left alone */
    L->pos = i + qlen;
    return 0;
}

static int lex_number(lexer *L)
{
    char buf[128];
    size_t n = 0, i = L->pos;
    int is_float = 0, base = 10;
    const char *s = L->src;
    if (s[i] == '0' && i + 1 < L->len && strchr("xXoObB", s[i + 1])) {
        base = (s[i + 1] | 0x20) == 'x' ? 16 : (s[i + 1] | 0x20) == 'o' ? 8 : 2;
        i += 2;
        while (i < L->len && (hexval((unsigned char)s[i]) >= 0 || s[i] == '_')) {
            if (s[i] != '_' && n < sizeof buf - 1)
                buf[n++] = s[i];
            i++;
        }
    } else {
        while (i < L->len) {
            char c = s[i];
            if (c >= '0' && c <= '9') {
                if (n < sizeof buf - 1)
                    buf[n++] = c;
            } else if (c == '_') {
            } else if (c == '.' && !is_float) {
                is_float = 1;
                if (n < sizeof buf - 1)
                    buf[n++] = c;
            } else if ((c == 'e' || c == 'E') && i + 1 < L->len &&
                       ((s[i + 1] >= '0' && s[i + 1] <= '9') ||
                        ((s[i + 1] == '+' || s[i + 1] == '-') && i + 2 < L->len &&
                         s[i + 2] >= '0' && s[i + 2] <= '9'))) {
                is_float = 1;
                if (n < sizeof buf - 2) {
                    buf[n++] = 'e';
                    buf[n++] = s[i + 1];
                }
                i += 2;
                continue;
            } else {
                break;
            }
            i++;
        }
    }
    buf[n] = 0;
    if (i < L->len && (is_ident(s[i]))) {
        if ((s[i] | 0x20) == 'j')
            return lex_error(L, "SyntaxError", "complex numbers are not supported");
        return lex_error(L, "SyntaxError", "invalid decimal literal");
    }
    if (n == 0 || n >= sizeof buf - 2)
        return lex_error(L, "SyntaxError", "invalid number literal");
    token *t = push(L, is_float ? T_FLOAT : T_INT);
    if (!t)
        return -2;
    errno = 0;
    if (is_float) {
        t->fval = strtod(buf, NULL);
    } else {
        unsigned long long v = strtoull(buf, NULL, base);
        if (errno || v > (unsigned long long)INT64_MAX)
            return lex_error(L, "OverflowError", "integer literal is too large (64-bit integers)");
        if (base == 10 && n > 1 && buf[0] == '0' && v != 0)
            return lex_error(L, "SyntaxError",
                             "leading zeros in decimal integer literals are not permitted");
        t->ival = (int64_t)v;
    }
    L->pos = i;
    return 0;
}

typedef struct opdef {
    const char *text;
    int op;
    int aug; /* base op of an augmented assignment */
} opdef;

/* Longest first, so "**=" wins over "**" and "*". */
static const opdef ops[] = {{"**=", OP_AUG, OP_POW},
                            {"//=", OP_AUG, OP_FLOORDIV},
                            {">>=", OP_AUG, OP_RSHIFT},
                            {"<<=", OP_AUG, OP_LSHIFT},
                            {"...", 0, 0},
                            {"**", OP_POW, 0},
                            {"//", OP_FLOORDIV, 0},
                            {"<<", OP_LSHIFT, 0},
                            {">>", OP_RSHIFT, 0},
                            {"==", OP_EQ, 0},
                            {"!=", OP_NE, 0},
                            {"<=", OP_LE, 0},
                            {">=", OP_GE, 0},
                            {"->", OP_ARROW, 0},
                            {":=", OP_WALRUS, 0},
                            {"+=", OP_AUG, OP_ADD},
                            {"-=", OP_AUG, OP_SUB},
                            {"*=", OP_AUG, OP_MUL},
                            {"/=", OP_AUG, OP_DIV},
                            {"%=", OP_AUG, OP_MOD},
                            {"&=", OP_AUG, OP_BITAND},
                            {"|=", OP_AUG, OP_BITOR},
                            {"^=", OP_AUG, OP_BITXOR},
                            {"@=", OP_AUG, OP_MATMUL},
                            {"+", OP_ADD, 0},
                            {"-", OP_SUB, 0},
                            {"*", OP_MUL, 0},
                            {"/", OP_DIV, 0},
                            {"%", OP_MOD, 0},
                            {"@", OP_AT_DECOR, 0},
                            {"&", OP_BITAND, 0},
                            {"|", OP_BITOR, 0},
                            {"^", OP_BITXOR, 0},
                            {"~", OP_INVERT, 0},
                            {"<", OP_LT, 0},
                            {">", OP_GT, 0},
                            {"(", OP_LPAR, 0},
                            {")", OP_RPAR, 0},
                            {"[", OP_LBRACK, 0},
                            {"]", OP_RBRACK, 0},
                            {"{", OP_LBRACE, 0},
                            {"}", OP_RBRACE, 0},
                            {",", OP_COMMA, 0},
                            {":", OP_COLON, 0},
                            {".", OP_DOT, 0},
                            {";", OP_SEMI, 0},
                            {"=", OP_ASSIGN, 0},
                            {NULL, 0, 0}};

static int lex_op(lexer *L)
{
    for (const opdef *d = ops; d->text; d++) {
        size_t n = strlen(d->text);
        if (L->pos + n <= L->len && memcmp(L->src + L->pos, d->text, n) == 0) {
            if (d->op == 0)
                return lex_error(L, "SyntaxError", "'...' (Ellipsis) is not supported");
            int op = d->op;
            if (op == OP_LPAR || op == OP_LBRACK || op == OP_LBRACE) {
                if (L->paren < 256) {
                    L->paren_line[L->paren] = L->line;
                    L->paren_char[L->paren] = d->text[0];
                }
                L->paren++;
            }
            if ((op == OP_RPAR || op == OP_RBRACK || op == OP_RBRACE) && L->paren > 0)
                L->paren--;
            token *t = push(L, T_OP);
            if (!t)
                return -2;
            t->sym = op;
            t->ival = d->aug;
            L->pos += n;
            return 0;
        }
    }
    char msg[64];
    unsigned char c = (unsigned char)L->src[L->pos];
    if (c >= 32 && c < 127)
        snprintf(msg, sizeof msg, "invalid character '%c'", c);
    else
        snprintf(msg, sizeof msg, "invalid character (byte 0x%02x)", c);
    return lex_error(L, "SyntaxError", msg);
}

/* Handles the indentation at the start of a logical line. Returns 1 when the line is blank. */
static int lex_indent(lexer *L)
{
    int col = 0;
    size_t i = L->pos;
    while (i < L->len && (L->src[i] == ' ' || L->src[i] == '\t' || L->src[i] == '\f')) {
        col = L->src[i] == '\t' ? (col / 8 + 1) * 8 : L->src[i] == ' ' ? col + 1 : 0;
        i++;
    }
    L->pos = i;
    if (i >= L->len || L->src[i] == '\n' || L->src[i] == '#' || L->src[i] == '\r')
        return 1;
    int top = L->indents[L->n_indents - 1];
    if (col > top) {
        if (L->n_indents == LEX_MAX_INDENT)
            return lex_error(L, "IndentationError", "too many levels of indentation");
        L->indents[L->n_indents++] = col;
        return push(L, T_INDENT) ? 0 : -2;
    }
    while (col < L->indents[L->n_indents - 1]) {
        L->n_indents--;
        if (!push(L, T_DEDENT))
            return -2;
    }
    if (col != L->indents[L->n_indents - 1])
        return lex_error(L, "IndentationError",
                         "unindent does not match any outer indentation level");
    return 0;
}

static int lex_loop(lexer *L)
{
    int at_line_start = 1;
    while (L->pos < L->len) {
        if (at_line_start && L->paren == 0) {
            int r = lex_indent(L);
            if (r < 0)
                return r;
            at_line_start = 0;
            if (r == 1) { /* blank or comment-only line: no tokens */
                while (L->pos < L->len && L->src[L->pos] != '\n')
                    L->pos++;
                if (L->pos < L->len) {
                    L->pos++;
                    L->line++;
                }
                at_line_start = 1;
                continue;
            }
        }
        char c = L->src[L->pos];
        if (c == '\n') {
            if (L->paren == 0) {
                if (!push(L, T_NEWLINE))
                    return -2;
                at_line_start = 1;
            }
            L->pos++;
            L->line++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            L->pos++;
        } else if (c == '#') {
            while (L->pos < L->len && L->src[L->pos] != '\n')
                L->pos++;
        } else if (c == '\\') {
            size_t j = L->pos + 1;
            if (j < L->len && L->src[j] == '\r')
                j++;
            if (j >= L->len || L->src[j] != '\n')
                return lex_error(L, "SyntaxError",
                                 "unexpected character after line continuation character");
            L->pos = j + 1;
            L->line++;
        } else if (c == '"' || c == '\'') {
            int r = lex_string(L, L->pos);
            if (r)
                return r;
        } else if ((c >= '0' && c <= '9') ||
                   (c == '.' && L->pos + 1 < L->len && L->src[L->pos + 1] >= '0' &&
                    L->src[L->pos + 1] <= '9')) {
            int r = lex_number(L);
            if (r)
                return r;
        } else if (is_ident_start((unsigned char)c)) {
            size_t s = L->pos;
            while (L->pos < L->len && is_ident((unsigned char)L->src[L->pos]))
                L->pos++;
            size_t n = L->pos - s;
            if (L->pos < L->len && (L->src[L->pos] == '"' || L->src[L->pos] == '\'') && n <= 2) {
                int ok = 1;
                for (size_t k = s; k < L->pos; k++)
                    ok &= strchr("rRbBuUfF", L->src[k]) != NULL;
                if (ok) {
                    int r = lex_string(L, s);
                    if (r)
                        return r;
                    continue;
                }
            }
            int kw = -1;
            for (int k = 0; keywords[k]; k++)
                if (strlen(keywords[k]) == n && memcmp(keywords[k], L->src + s, n) == 0)
                    kw = k;
            token *t = push(L, kw >= 0 ? T_KW : T_NAME);
            if (!t)
                return -2;
            t->sym = kw >= 0 ? code_intern(L->code, keywords[kw], n)
                             : code_intern(L->code, L->src + s, n);
            if (t->sym < 0)
                return -2;
        } else {
            int r = lex_op(L);
            if (r)
                return r;
        }
    }
    if (L->paren > 0) { /* Python names the bracket and the line it was opened on */
        int k = L->paren <= 256 ? L->paren - 1 : 255;
        char msg[64];
        snprintf(msg, sizeof msg, "'%c' was never closed", L->paren_char[k]);
        L->line = L->paren_line[k];
        return lex_error(L, "SyntaxError", msg);
    }
    if (L->n > 0 && L->toks[L->n - 1].type != T_NEWLINE && L->toks[L->n - 1].type != T_DEDENT)
        if (!push(L, T_NEWLINE))
            return -2;
    while (L->n_indents > 1) {
        L->n_indents--;
        if (!push(L, T_DEDENT))
            return -2;
    }
    return push(L, T_END) ? 0 : -2;
}

int prog_lex(prog_code *c, const char *source, size_t len, token **out, int *n_out,
             prog_failure *fail)
{
    lexer L = {0};
    L.code = c;
    L.src = source;
    L.len = len;
    L.line = 1;
    L.indents[0] = 0;
    L.n_indents = 1;
    L.fail = fail;
    if (memchr(source, 0, len)) {
        const char *z = memchr(source, 0, len);
        for (const char *p = source; p < z; p++)
            L.line += *p == '\n';
        free(L.toks);
        return lex_error(&L, "SyntaxError", "source code cannot contain null bytes");
    }
    int r = lex_loop(&L);
    if (r) {
        free(L.toks);
        return r;
    }
    *out = L.toks;
    *n_out = L.n;
    return 0;
}
