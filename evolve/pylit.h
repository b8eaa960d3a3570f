/* pylit.h - Python literals as the program interpreter's repr() prints them, parsed to a tree.
 *
 * The loop reads argument sets back from their reprs ("{'angle': 45, 'box': (1, 2.5)}"):
 * None, True/False, ints, floats (also inf, nan), strings in single or double quotes with
 * backslash escapes, lists, tuples, dicts and sets (set() included). Every node keeps the
 * span of text it came from, so a value can be written back exactly as it was read; strings
 * are not decoded (their text is the literal, quotes included). Nesting is limited to
 * PYLIT_MAX_DEPTH, so hostile text cannot exhaust the stack.
 *
 *     pylit *v;
 *     if (pylit_parse("[{'a': 1}, {'a': 2.5}]", &v, &e)) return e.code;
 *     // v->kind == PYLIT_LIST, v->n == 2, v->items[0].kind == PYLIT_DICT,
 *     // v->items[0].items[0] is the key 'a', v->items[0].items[1] the value 1
 *     pylit_free(v);
 */
#ifndef VKEVE_PYLIT_H
#define VKEVE_PYLIT_H

#include <stddef.h>

#include "base/errmsg.h"

#define PYLIT_MAX_DEPTH 32

typedef enum pylit_kind {
    PYLIT_NONE,
    PYLIT_BOOL,
    PYLIT_INT,
    PYLIT_FLOAT,
    PYLIT_STR,
    PYLIT_LIST,
    PYLIT_TUPLE,
    PYLIT_DICT, /* items alternate key, value: n is twice the number of entries */
    PYLIT_SET
} pylit_kind;

typedef struct pylit {
    pylit_kind kind;
    long long i;         /* BOOL (0 or 1) and INT */
    double f;            /* FLOAT */
    int decimals;        /* FLOAT: digits after the decimal point in the text (0 in "1e-05") */
    const char *text;    /* where the literal starts in the parsed string */
    size_t len;          /* its length in bytes */
    struct pylit *items; /* LIST, TUPLE, SET elements; DICT keys and values */
    size_t n;
} pylit;

/* Parses text, which must hold exactly one literal (surrounding spaces allowed). The tree
 * points into text, which must outlive it. Returns 0, or ERR_FAIL with e saying what is
 * wrong and at which byte offset. */
int pylit_parse(const char *text, pylit **out, errmsg *e);

/* Frees a tree from pylit_parse; NULL is a no-op. */
void pylit_free(pylit *v);

/* "int", "list", ... for messages. */
const char *pylit_kind_name(pylit_kind kind);

#endif
