/* prog_int.h - the internals shared by the prog_*.c files: tokens, syntax tree, values,
 * objects and the interpreter state. Nothing outside evolve/prog_*.c includes this; the
 * public API is prog.h.
 *
 * Values (pv) are small tagged unions: None, bool, int and float are held inline, everything
 * else is a reference-counted object (pobj). Every object a run creates is also linked into
 * the interpreter's list of live objects so that the bytes it holds are accounted against
 * the memory budget, and so that reference cycles (a closure and the scope that defines it)
 * are freed when the run ends. Functions that can raise return 0 on success and -1 with the
 * failure recorded in the interpreter (pi_raise).
 */
#ifndef VKEVE_PROG_INT_H
#define VKEVE_PROG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "evolve/prog/prog.h"

/* ---- values ---- */

typedef struct pobj pobj;

enum {
    PV_NONE,
    PV_BOOL,
    PV_INT,
    PV_FLOAT,
    PV_OBJ,
    /* Scope entries only, never values: the name is declared `global` / `nonlocal` here. */
    PV_GLOBAL_REF,
    PV_NONLOCAL_REF
};

typedef struct pv {
    int tag;
    union {
        int64_t i; /* PV_BOOL (0/1) and PV_INT */
        double f;
        pobj *o;
    } u;
} pv;

enum {
    PO_STR,
    PO_LIST,
    PO_TUPLE,
    PO_DICT,
    PO_FUNC,
    PO_NATIVE,
    PO_SCOPE,
    PO_RANGE,
    PO_MODULE,
    PO_IMAGE,
    PO_DRAW,
    PO_FILTER,
    PO_ENHANCER,
    PO_EXCTYPE,
    PO_EXC,
    PO_PIXELS,
    PO_SET /* a pdict whose values are all None; iterates in insertion order */
};

struct pobj {
    int kind;
    int refs;
    size_t bytes;         /* accounted against the memory budget */
    pobj *prev, *next;    /* the interpreter's live list; NULL for program constants */
    int repr_busy;        /* set while repr walks this container (prints [...] on cycles) */
    int gc_refs, gc_mark; /* scratch of the cycle collector (pi_collect) */
};

typedef struct pstr {
    pobj h;
    size_t len;
    uint64_t hash; /* 0 until computed */
    char s[];      /* len bytes plus a NUL */
} pstr;

typedef struct plist { /* PO_LIST and PO_TUPLE */
    pobj h;
    size_t len, cap;
    pv *items;
} plist;

typedef struct pdict_entry {
    pv key, val;
    uint64_t hash;
    int live;
} pdict_entry;

typedef struct pdict { /* PO_DICT and PO_SET */
    pobj h;
    size_t len;       /* live entries */
    size_t used, cap; /* entries slots used (incl. deleted) and allocated */
    pdict_entry *entries;
    int32_t *index; /* open addressing over entries, -1 empty; size index_cap (power of 2) */
    size_t index_cap;
} pdict;

typedef struct pscope {
    pobj h;
    struct pscope *parent;   /* the defining scope of the function; NULL for module scope */
    const struct node *func; /* the N_DEF whose call this is, else NULL */
    size_t n, cap;           /* open addressing keyed by symbol id */
    int *syms;               /* -1 empty */
    pv *vals;
} pscope;

typedef struct node node;
typedef struct prog_code prog_code;

typedef struct pfunc {
    pobj h;
    node *def; /* N_DEF or N_LAMBDA */
    pscope *closure;
    int n_defaults; /* one per parameter; PV_NONE tag + NULL marker via has_default */
    pv *defaults;
    uint8_t *has_default;
} pfunc;

typedef struct interp interp;
/* A native function: argv[0..argc) positional, kw names (symbol ids) and values after. */
typedef int native_fn(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out);

typedef struct pnative {
    pobj h;
    const char *name;
    native_fn *fn;  /* NULL for a bound method of a built-in type */
    pv self;        /* bound receiver (a method) or None */
    int method_sym; /* with fn NULL: calling it calls self.<method_sym>(...) */
} pnative;

typedef struct prange {
    pobj h;
    int64_t start, stop, step;
} prange;

enum {
    MOD_PIL,
    MOD_IMAGE,
    MOD_IMAGEDRAW,
    MOD_IMAGEOPS,
    MOD_IMAGEENHANCE,
    MOD_IMAGEFILTER,
    MOD_IMAGECOLOR,
    MOD_MATH,
    MOD_RESAMPLING,
    MOD_TRANSPOSE,
    MOD_TRANSFORM
};

typedef struct pmodule {
    pobj h;
    int which; /* MOD_* */
} pmodule;

typedef struct pimage {
    pobj h;
    img *im;
} pimage;

typedef struct pdraw {
    pobj h;
    pimage *target;
    int blend; /* Draw(rgb_image, "RGBA"): inks are blended by their alpha */
} pdraw;

typedef struct ppixels { /* img.load(): pixels[x, y] reads and writes the image */
    pobj h;
    pimage *image;
} ppixels;

typedef struct pfilter { /* an ImageFilter object */
    pobj h;
    int which;     /* PF_* in prog_pil.c */
    double radius; /* or size / percent */
    double arg2, arg3;
    int size; /* ImageFilter.Kernel: 3 or 5, with size * size weights */
    double weights[25];
    int has_scale;
    double scale, offset;
} pfilter;

typedef struct penhancer {
    pobj h;
    int which;
    pimage *image;
} penhancer;

typedef struct pexctype { /* ValueError, TypeError ... as callables */
    pobj h;
    const char *name;
} pexctype;

typedef struct pexc { /* an exception value: raise X("msg") */
    pobj h;
    const char *kind;
    pv message; /* str */
} pexc;

static inline pv pv_none(void)
{
    return (pv){.tag = PV_NONE};
}
static inline pv pv_bool(int b)
{
    return (pv){.tag = PV_BOOL, .u.i = b != 0};
}
static inline pv pv_int(int64_t i)
{
    return (pv){.tag = PV_INT, .u.i = i};
}
static inline pv pv_float(double f)
{
    return (pv){.tag = PV_FLOAT, .u.f = f};
}
static inline pv pv_obj(void *o)
{
    return (pv){.tag = PV_OBJ, .u.o = (pobj *)o};
}
static inline int pv_is(pv v, int kind)
{
    return v.tag == PV_OBJ && v.u.o->kind == kind;
}
static inline pstr *pv_str(pv v)
{
    return (pstr *)v.u.o;
}
static inline plist *pv_list(pv v)
{
    return (plist *)v.u.o;
}
static inline pdict *pv_dict(pv v)
{
    return (pdict *)v.u.o;
}
static inline int pv_is_num(pv v)
{
    return v.tag == PV_BOOL || v.tag == PV_INT || v.tag == PV_FLOAT;
}
static inline int pv_is_intlike(pv v)
{
    return v.tag == PV_BOOL || v.tag == PV_INT;
}

/* ---- tokens and syntax tree ---- */

enum { T_END, T_NEWLINE, T_INDENT, T_DEDENT, T_NAME, T_INT, T_FLOAT, T_STR, T_FSTR, T_OP, T_KW };

typedef struct token {
    int type;
    int line;
    int sym; /* T_NAME, T_KW: symbol id; T_OP: operator code (OP_*) */
    int64_t ival;
    double fval;
    char *text; /* T_STR / T_FSTR: decoded bytes (T_FSTR: raw body), owned by the code */
    size_t len;
} token;

/* Decodes backslash escapes (the result is never longer than the input); -1 on a bad one. */
long prog_unescape(const char *s, size_t n, char *out);

/* Operator codes for T_OP tokens and binary/unary nodes. */
enum {
    OP_ADD = 1,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_FLOORDIV,
    OP_MOD,
    OP_POW,
    OP_MATMUL,
    OP_LSHIFT,
    OP_RSHIFT,
    OP_BITAND,
    OP_BITOR,
    OP_BITXOR,
    OP_INVERT,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_IN,
    OP_NOTIN,
    OP_IS,
    OP_ISNOT,
    OP_LPAR,
    OP_RPAR,
    OP_LBRACK,
    OP_RBRACK,
    OP_LBRACE,
    OP_RBRACE,
    OP_COMMA,
    OP_COLON,
    OP_DOT,
    OP_SEMI,
    OP_ASSIGN,
    OP_ARROW,
    OP_AUG, /* augmented: sym holds the base op via ival */
    OP_WALRUS,
    OP_AT_DECOR,
    OP_COUNT
};

enum {
    /* expressions */
    N_CONST,
    N_NAME,
    N_FSTRING,
    N_FORMAT,
    N_LIST,
    N_TUPLE,
    N_DICT,
    N_UNARY,
    N_NOT,
    N_BINOP,
    N_AND,
    N_OR,
    N_COMPARE,
    N_IFEXP,
    N_CALL,
    N_ATTR,
    N_SUBSCRIPT,
    N_SLICE,
    N_LAMBDA,
    N_LISTCOMP,
    N_DICTCOMP,
    N_COMPFOR,
    N_COMPIF,
    N_STARRED,
    N_KWARG,
    N_DSTAR,
    N_SET,
    /* statements */
    N_EXPR,
    N_ASSIGN,
    N_AUGASSIGN,
    N_IF,
    N_WHILE,
    N_FOR,
    N_BREAK,
    N_CONTINUE,
    N_PASS,
    N_RETURN,
    N_DEF,
    N_IMPORT,
    N_FROMIMPORT,
    N_ASSERT,
    N_RAISE,
    N_DEL,
    N_TRY,
    N_EXCEPT,
    N_GLOBAL,
    N_BLOCK,
    N_PARAM
};

/* One node shape for all: the meaning of a, b, c, kids and sym depends on kind (see
 * prog_parse.c where each is built). */
struct node {
    int kind;
    int op; /* operator, or flags */
    int line;
    int sym;  /* a name's symbol id */
    pv value; /* N_CONST */
    node *a, *b, *c;
    node **kids;
    int n_kids;
    int *ops;    /* N_COMPARE: one operator per comparison */
    int *locals; /* N_DEF: the names its body binds (sorted symbol ids), as Python decides */
    int n_locals;
};

/* A parsed program: the syntax tree, its symbol table and constants. */
struct prog_code {
    node *body;  /* N_BLOCK */
    char **syms; /* symbol id -> name */
    int n_syms, cap_syms;
    int *sym_index; /* open addressing over syms, -1 empty */
    int sym_index_cap;
    void **allocs; /* every block this code owns (nodes, strings, constants) */
    size_t n_allocs, cap_allocs;
    int args_list_line; /* line of the first top-level `args_list = ...`, or 0 */
};

/* Returns the symbol id of name (added when new), or -1 when out of memory. */
int code_intern(prog_code *c, const char *name, size_t len);
/* Allocates len bytes owned by the code (freed by code_free); NULL when out of memory. */
void *code_alloc(prog_code *c, size_t len);
void code_free(prog_code *c);

/* Tokenizes and parses source. Returns NULL and fills fail on a syntax error, NULL with an
 * empty fail.kind when out of memory. */
prog_code *prog_parse(const char *source, size_t len, prog_failure *fail);

/* The lexer: the whole source to an array of tokens (owned by c). */
int prog_lex(prog_code *c, const char *source, size_t len, token **out, int *n_out,
             prog_failure *fail);

/* ---- the interpreter ---- */

struct interp {
    prog_code *code;
    prog_limits lim;
    long steps;
    int depth;    /* Python calls in progress */
    int cdepth;   /* C-level recursion of eval (bounds the C stack) */
    size_t bytes; /* live bytes */
    pobj live;    /* sentinel of the live list */
    pscope *globals;
    pscope *builtins;
    /* the pending failure */
    int failed;
    prog_failure fail;
    int line; /* line of the statement running now */
    pv ret;   /* value of a `return` in flight */
    pv exc;   /* the exception value in flight (for `except ... as e`), or None */
    /* print output capture (prog_exec_script); NULL discards */
    char *out;
    size_t out_len, out_cap;
    int out_enabled;
    int host_oom;  /* a real malloc failed: the run is reported as a host failure */
    pobj **fstack; /* objects waiting to be freed (pi_release) */
    size_t fstack_n, fstack_cap;
    int freeing;
    int collecting;
    pobj **gc_work; /* the collector's worklist */
    size_t gc_n, gc_cap;
};

#define PI_MAX_CDEPTH 1500

/* Records a failure (first one wins) and returns -1. */
int pi_raise(interp *I, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Counts n interpreter steps; raises BudgetExceeded past the limit. */
int pi_step(interp *I, long n);
/* Copying memory costs steps too, so a loop of big copies is bounded in time like any loop:
 * one step per PI_COPY_BYTES_PER_STEP bytes of strings, per PI_COPY_ITEMS_PER_STEP items. */
#define PI_COPY_BYTES_PER_STEP 64
#define PI_COPY_ITEMS_PER_STEP 8
/* Steps for a naive substring search of needle in hay (worst case hay * needle compares). */
int pi_search_cost(interp *I, size_t hay, size_t needle);
/* Checks that n more bytes fit the memory budget (raises BudgetExceeded otherwise). */
int pi_reserve(interp *I, size_t n);

/* Object lifetime. pi_new allocates an object of size bytes (header included) of kind,
 * accounted and linked live; NULL (raised) on budget or host failure. */
void *pi_new(interp *I, int kind, size_t size);
/* Changes an object's accounted size by delta bytes (grows checked, may raise). */
int pi_resize_account(interp *I, pobj *o, size_t new_bytes);
static inline pv pv_ref(pv v)
{
    if (v.tag == PV_OBJ)
        v.u.o->refs++;
    return v;
}
void pi_release(interp *I, pv v);
/* Frees every live object (the end of a run). */
void pi_free_all(interp *I);
/* Frees unreachable reference cycles (closures and the scopes that define them); runs by
 * itself when an allocation would exceed the memory budget. */
void pi_collect(interp *I);
/* Memory held by the object besides its header block, e.g. list items, image pixels. */
void *pi_malloc(interp *I, size_t n);
void *pi_realloc(interp *I, void *p, size_t n);

/* Strings. */
pv pi_str(interp *I, const char *s, size_t len); /* tag PV_NONE+failed on error */
pv pi_cstr(interp *I, const char *s);
/* Lists, tuples, dicts. */
plist *pi_list(interp *I, int kind, size_t cap);
int pi_list_push(interp *I, plist *l, pv v);          /* takes ownership of v */
int pi_list_reserve(interp *I, plist *l, size_t cap); /* room for cap items */
pdict *pi_dict(interp *I);
pdict *pi_set(interp *I);
static inline int pv_is_dictlike(pv v)
{
    return pv_is(v, PO_DICT) || pv_is(v, PO_SET);
}
int pi_dict_set(interp *I, pdict *d, pv key, pv val); /* borrows key and val */
/* Finds key: 1 found (*val borrowed), 0 missing, -1 raised (unhashable). */
int pi_dict_get(interp *I, pdict *d, pv key, pv *val);
int pi_dict_del(interp *I, pdict *d, pv key);
int pi_hash(interp *I, pv v, uint64_t *h);

/* Scopes. */
pscope *pi_scope(interp *I, pscope *parent);
int pi_scope_set(interp *I, pscope *s, int sym, pv v); /* borrows v */
pv *pi_scope_find(pscope *s, int sym);

/* Comparisons and truth. */
int pi_truthy(interp *I, pv v, int *out);
int pi_equal(interp *I, pv a, pv b, int *out);
/* Three-way compare for ordering: *out <0, 0, >0; raises TypeError (naming op) when the
 * values are unordered. */
int pi_compare(interp *I, int op, pv a, pv b, int *out);
/* Evaluates one comparison operator (OP_EQ ... OP_ISNOT) to *out 0/1. */
int pi_cmp_op(interp *I, int op, pv a, pv b, int *out);
const char *pi_type_name(pv v);

/* Text: repr / str into a growing buffer. */
typedef struct pbuf {
    char *s;
    size_t len, cap;
    int oom;
} pbuf;
void pbuf_put(pbuf *b, const char *s, size_t n);
void pbuf_puts(pbuf *b, const char *s);
void pbuf_printf(pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pi_repr(interp *I, pv v, pbuf *b);
int pi_tostr(interp *I, pv v, pbuf *b);
/* A Python float repr ("0.1", "1e+16", "inf"); buf >= 32 bytes. */
void pi_float_repr(double d, char *buf);
/* Formats v with a format spec (the part after ':' in an f-string). */
int pi_format(interp *I, pv v, const char *spec, size_t spec_len, pbuf *b);
/* "fmt % args" for strings. */
int pi_percent_format(interp *I, pstr *fmt, pv args, pv *out);
/* fmt.format(*args, **kwargs): {} {0} {name} {0[1]} {x:spec} {x!r} */
int pi_str_format(interp *I, pstr *fmt, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out);
/* Makes a str value from a buffer (frees the buffer's memory). */
int pi_buf_to_str(interp *I, pbuf *b, pv *out);

/* Arithmetic: binary op on values (new reference in *out). */
int pi_binop(interp *I, int op, pv a, pv b, pv *out);
int pi_unary(interp *I, int op, pv a, pv *out);
int pi_contains(interp *I, pv container, pv item, int *out);
int pi_set_op(interp *I, int op, pdict *a, pdict *b, pv *out);
int pi_getitem(interp *I, pv obj, pv index, pv *out);
int pi_setitem(interp *I, pv obj, pv index, pv val);
int pi_delitem(interp *I, pv obj, pv index);
int pi_slice(interp *I, pv obj, pv lo, pv hi, pv step, pv *out);
/* list[lo:hi:step] = items (val NULL: del list[lo:hi:step]). */
int pi_set_slice(interp *I, pv obj, pv lo, pv hi, pv step, const pv *val);

/* Number conversion helpers: raise TypeError naming what when v is not a number. */
int pi_to_int(interp *I, pv v, const char *what, int64_t *out);
int pi_to_double(interp *I, pv v, const char *what, double *out);
/* int(d) for a float, as CPython raises for NaN and infinity; past 64 bits an OverflowError
 * (prog_builtins.c, also math.floor/ceil/trunc). */
int pi_float_to_int(interp *I, double d, pv *out);

/* Iteration over list, tuple, str, dict (keys), range. */
typedef struct piter {
    pv src; /* borrowed */
    int64_t i, n, cur, step;
    int kind;
} piter;
int pi_iter_init(interp *I, pv src, piter *it);
/* 1 with a new reference in *out, 0 at the end, -1 raised. */
int pi_iter_next(interp *I, piter *it, pv *out);
/* Materialises any iterable into a new list. */
int pi_to_list(interp *I, pv src, plist **out);

/* Calls a callable with positional args and keywords. */
int pi_call(interp *I, pv fn, int argc, const pv *argv, int kwc, const int *kwn, const pv *kwv,
            pv *out);

/* Binds native arguments by name: names[0..n) are the parameters in order; required is how
 * many must be given. Unset optional slots are left with tag -1. */
int pi_args(interp *I, const char *fname, int argc, const pv *argv, int kwc, const int *kwn,
            const pv *kwv, int n, const char *const *names, int required, pv *slots);
#define PV_UNSET (-1)

/* One call obj.name(...) of a method of a built-in type (str, list, Image ...). */
typedef struct pcall {
    pv self;
    const char *name;
    int how; /* the variant of a handler that serves several methods (pmethod.how) */
    int argc;
    const pv *argv;
    int kwc;
    const int *kwn;
    const pv *kwv;
} pcall;
typedef int method_fn(interp *I, const pcall *c, pv *out);

/* A type's methods are a table ended by a NULL name, searched by pi_find_method. */
enum { PM_KW = 1, PM_TUPLE = 2 }; /* takes keyword arguments; is a tuple method too */
typedef struct pmethod {
    const char *name;
    method_fn *fn;
    int how;
    int flags; /* PM_* */
} pmethod;
const pmethod *pi_find_method(const pmethod *table, const char *name);
/* pi_args for a method call, named after the method. */
int pi_call_args(interp *I, const pcall *c, int n, const char *const *names, int required,
                 pv *slots);

/* Attributes and methods (builtins file). */
int pi_getattr(interp *I, pv obj, int sym, pv *out);
int pi_setattr(interp *I, pv obj, int sym, pv val);
/* Calls obj.name(...) directly without making a bound method. */
int pi_call_method(interp *I, pv obj, int sym, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out);
pv pi_native(interp *I, const char *name, native_fn *fn, pv self);
/* Adds the builtin functions to I->builtins. */
int pi_install_builtins(interp *I);
/* import: the module object for a dotted name, or Forbidden. */
int pi_import(interp *I, const char *name, pv *out);
int pi_module_getattr(interp *I, pmodule *m, const char *name, pv *out);

/* math module attributes; PIL module attributes and image methods (prog_pil.c). */
int pi_math_getattr(interp *I, const char *name, pv *out);
int pi_pil_getattr(interp *I, int which, const char *name, pv *out);
/* Calls a method of an Image, ImageDraw or enhancer object; *found 0 when it has none. */
int pi_image_method(interp *I, pcall *c, pv *out, int *found);
int pi_image_attr(interp *I, pv self, const char *name, pv *out, int *found);
int pi_draw_method(interp *I, const pcall *c, pv *out, int *found);
int pi_enhancer_method(interp *I, const pcall *c, pv *out, int *found);
/* pixels[x, y] of an img.load() object. */
int pi_pixels_get(interp *I, pv pixels, pv index, pv *out);
int pi_pixels_set(interp *I, pv pixels, pv index, pv val);
/* Wraps an image (takes ownership of im), accounting its pixels. */
int pi_image_wrap(interp *I, img *im, pv *out);
/* Checks a w x h image of mode fits the side and memory budgets. */
int pi_image_check(interp *I, long w, long h, int channels);

/* Executes the module body, calls functions (prog_eval.c). */
int pi_exec_module(interp *I);
const char *pi_sym_name(interp *I, int sym);
int pi_sym(interp *I, const char *name); /* interned id, or -1 when unknown */

void pi_init(interp *I, prog_code *code, const prog_limits *lim);
void pi_finish(interp *I);

#endif
