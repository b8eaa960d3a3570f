/* prog_math.c - the `math` module: constants and functions with CPython's domain and range
 * errors ("math domain error" is a ValueError, "math range error" an OverflowError), and
 * floor/ceil/trunc returning ints.
 */
#include "evolve/prog/prog_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef double (*unary_fn)(double);

static const struct {
    const char *name;
    unary_fn fn;
} unary_table[] = {{"sqrt", sqrt},   {"sin", sin},     {"cos", cos},     {"tan", tan},
                   {"asin", asin},   {"acos", acos},   {"atan", atan},   {"sinh", sinh},
                   {"cosh", cosh},   {"tanh", tanh},   {"exp", exp},     {"log2", log2},
                   {"log10", log10}, {"fabs", fabs},   {"asinh", asinh}, {"acosh", acosh},
                   {"atanh", atanh}, {"expm1", expm1}, {"log1p", log1p}, {NULL, NULL}};

static int arg_double(interp *I, const char *fname, int argc, const pv *argv, int kwc, int n,
                      double *x)
{
    if (kwc)
        return pi_raise(I, "TypeError", "math.%s() takes no keyword arguments", fname);
    if (argc != n)
        return pi_raise(I, "TypeError", "math.%s() takes exactly %d argument%s (%d given)", fname,
                        n, n == 1 ? "" : "s", argc);
    for (int k = 0; k < n; k++)
        if (pi_to_double(I, argv[k], fname, &x[k]))
            return -1;
    return 0;
}

/* Checks a libm result the way CPython's math module does. */
static int math_result(interp *I, double in, double r, pv *out)
{
    if (isnan(r) && !isnan(in))
        return pi_raise(I, "ValueError", "math domain error");
    if (isinf(r) && isfinite(in)) {
        /* log(0) and friends are domain errors; exp(1000) is a range error */
        if (in == 0 || in == 1 || in == -1)
            return pi_raise(I, "ValueError", "math domain error");
        return pi_raise(I, "OverflowError", "math range error");
    }
    *out = pv_float(r);
    return 0;
}

static int m_unary(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    const char *name = pv_str(self)->s;
    double x;
    if (arg_double(I, name, argc, argv, kwc, 1, &x))
        return -1;
    for (int k = 0; unary_table[k].name; k++)
        if (strcmp(unary_table[k].name, name) == 0) {
            if ((strcmp(name, "sqrt") == 0 && x < 0) ||
                ((strcmp(name, "log2") == 0 || strcmp(name, "log10") == 0) && x <= 0))
                return pi_raise(I, "ValueError", "math domain error");
            if ((strcmp(name, "sin") == 0 || strcmp(name, "cos") == 0 ||
                 strcmp(name, "tan") == 0) &&
                isinf(x))
                return pi_raise(I, "ValueError", "math domain error");
            return math_result(I, x, unary_table[k].fn(x), out);
        }
    return pi_raise(I, "AttributeError", "module 'math' has no attribute '%s'", name);
}

static int m_rounding(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    const char *name = pv_str(self)->s;
    double x;
    if (argc == 1 && kwc == 0 && pv_is_intlike(argv[0])) {
        *out = pv_int(argv[0].u.i);
        return 0;
    }
    if (arg_double(I, name, argc, argv, kwc, 1, &x))
        return -1;
    double r = strcmp(name, "floor") == 0  ? floor(x)
               : strcmp(name, "ceil") == 0 ? ceil(x)
                                           : trunc(x);
    return pi_float_to_int(I, r, out);
}

static int m_binary(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    const char *name = pv_str(self)->s;
    double x[2];
    if (strcmp(name, "log") == 0) {
        if (kwc || argc < 1 || argc > 2)
            return pi_raise(I, "TypeError", "log expected 1 or 2 arguments, got %d", argc);
        if (pi_to_double(I, argv[0], "log", &x[0]) ||
            (argc == 2 && pi_to_double(I, argv[1], "log", &x[1])))
            return -1;
        if (x[0] <= 0 || (argc == 2 && (x[1] <= 0)))
            return pi_raise(I, "ValueError", "math domain error");
        if (argc == 2 && x[1] == 1)
            return pi_raise(I, "ZeroDivisionError", "float division by zero");
        *out = pv_float(argc == 2 ? log(x[0]) / log(x[1]) : log(x[0]));
        return 0;
    }
    if (arg_double(I, name, argc, argv, kwc, 2, x))
        return -1;
    double r;
    if (strcmp(name, "atan2") == 0) {
        r = atan2(x[0], x[1]);
    } else if (strcmp(name, "pow") == 0) {
        if (x[0] == 0 && x[1] < 0)
            return pi_raise(I, "ValueError", "math domain error");
        if (x[0] < 0 && isfinite(x[1]) && x[1] != floor(x[1]))
            return pi_raise(I, "ValueError", "math domain error");
        r = pow(x[0], x[1]);
        if (isinf(r) && isfinite(x[0]) && isfinite(x[1]))
            return pi_raise(I, "OverflowError", "math range error");
    } else if (strcmp(name, "fmod") == 0) {
        if (x[1] == 0 || isinf(x[0]))
            return pi_raise(I, "ValueError", "math domain error");
        r = fmod(x[0], x[1]);
    } else {
        r = copysign(x[0], x[1]);
    }
    *out = pv_float(r);
    return 0;
}

/* hypot(*coordinates) and dist(p, q) */
static int m_hypot(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    if (kwc)
        return pi_raise(I, "TypeError", "math.%s() takes no keyword arguments", pv_str(self)->s);
    double acc = 0;
    if (strcmp(pv_str(self)->s, "dist") == 0) {
        if (argc != 2 || !(pv_is(argv[0], PO_TUPLE) || pv_is(argv[0], PO_LIST)) ||
            !(pv_is(argv[1], PO_TUPLE) || pv_is(argv[1], PO_LIST)) ||
            pv_list(argv[0])->len != pv_list(argv[1])->len)
            return pi_raise(I, "ValueError", "dist() needs two points of the same dimension");
        for (size_t k = 0; k < pv_list(argv[0])->len; k++) {
            double a, b;
            if (pi_to_double(I, pv_list(argv[0])->items[k], "dist", &a) ||
                pi_to_double(I, pv_list(argv[1])->items[k], "dist", &b))
                return -1;
            acc = hypot(acc, a - b);
        }
    } else {
        for (int k = 0; k < argc; k++) {
            double a;
            if (pi_to_double(I, argv[k], "hypot", &a))
                return -1;
            acc = hypot(acc, a);
        }
    }
    *out = pv_float(acc);
    return 0;
}

static int m_isclose(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                     const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"a", "b", "rel_tol", "abs_tol"};
    pv a[4];
    double x, y, rel = 1e-9, abs_tol = 0;
    if (pi_args(I, "isclose", argc, argv, kwc, kwn, kwv, 4, names, 2, a) ||
        pi_to_double(I, a[0], "isclose", &x) || pi_to_double(I, a[1], "isclose", &y) ||
        (a[2].tag != PV_UNSET && pi_to_double(I, a[2], "isclose", &rel)) ||
        (a[3].tag != PV_UNSET && pi_to_double(I, a[3], "isclose", &abs_tol)))
        return -1;
    if (rel < 0 || abs_tol < 0)
        return pi_raise(I, "ValueError", "tolerances must be non-negative");
    if (x == y) {
        *out = pv_bool(1);
        return 0;
    }
    if (isinf(x) || isinf(y)) {
        *out = pv_bool(0);
        return 0;
    }
    double d = fabs(x - y);
    *out = pv_bool(d <= fabs(rel * y) || d <= fabs(rel * x) || d <= abs_tol);
    return 0;
}

static int m_classify(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    const char *name = pv_str(self)->s;
    double x;
    if (arg_double(I, name, argc, argv, kwc, 1, &x))
        return -1;
    if (strcmp(name, "isnan") == 0)
        *out = pv_bool(isnan(x));
    else if (strcmp(name, "isinf") == 0)
        *out = pv_bool(isinf(x));
    else if (strcmp(name, "isfinite") == 0)
        *out = pv_bool(isfinite(x));
    else if (strcmp(name, "radians") == 0)
        *out = pv_float(x * (M_PI / 180.0));
    else if (strcmp(name, "degrees") == 0)
        *out = pv_float(x * (180.0 / M_PI));
    else { /* modf */
        double ip, fp = modf(x, &ip);
        plist *t = pi_list(I, PO_TUPLE, 2);
        if (!t)
            return -1;
        t->items[0] = pv_float(fp);
        t->items[1] = pv_float(ip);
        t->len = 2;
        *out = pv_obj(t);
    }
    return 0;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    uint64_t x = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t y = b < 0 ? (uint64_t)0 - (uint64_t)b : (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return (int64_t)x;
}

static int m_integer(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                     const pv *kwv, pv *out)
{
    (void)kwn;
    (void)kwv;
    const char *name = pv_str(self)->s;
    int64_t v[2] = {0, 0};
    if (kwc)
        return pi_raise(I, "TypeError", "math.%s() takes no keyword arguments", name);
    int want = strcmp(name, "factorial") == 0 ? 1 : 2;
    if (strcmp(name, "gcd") != 0 && strcmp(name, "lcm") != 0 && argc != want)
        return pi_raise(I, "TypeError", "math.%s() takes exactly %d argument%s (%d given)", name,
                        want, want == 1 ? "" : "s", argc);
    if (argc > 2)
        return pi_raise(I, "TypeError", "math.%s() with more than 2 arguments is not supported",
                        name);
    for (int k = 0; k < argc; k++)
        if (pi_to_int(I, argv[k], name, &v[k]))
            return -1;
    int64_t r = 1;
    if (strcmp(name, "gcd") == 0) {
        r = gcd64(v[0], v[1]);
    } else if (strcmp(name, "lcm") == 0) {
        int64_t g = gcd64(v[0], v[1]);
        r = 0;
        if (g && __builtin_mul_overflow(v[0] / g, v[1], &r))
            return pi_raise(I, "OverflowError",
                            "integer result too large (vkeve integers are 64-bit)");
        if (r < 0)
            r = -r;
    } else if (strcmp(name, "factorial") == 0) {
        if (v[0] < 0)
            return pi_raise(I, "ValueError", "factorial() not defined for negative values");
        for (int64_t k = 2; k <= v[0]; k++)
            if (__builtin_mul_overflow(r, k, &r))
                return pi_raise(I, "OverflowError",
                                "integer result too large (vkeve integers are 64-bit)");
    } else { /* comb, perm */
        if (v[0] < 0 || v[1] < 0)
            return pi_raise(I, "ValueError", "%s arguments must be non-negative", name);
        if (v[1] > v[0]) {
            r = 0;
        } else {
            int comb = strcmp(name, "comb") == 0;
            int64_t k = comb && v[1] > v[0] - v[1] ? v[0] - v[1] : v[1];
            for (int64_t j = 1; j <= k; j++) {
                if (__builtin_mul_overflow(r, v[0] - k + j, &r))
                    return pi_raise(I, "OverflowError",
                                    "integer result too large (vkeve integers are 64-bit)");
                if (comb)
                    r /= j;
            }
        }
    }
    *out = pv_int(r);
    return 0;
}

static int m_prod(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (argc != 1 || kwc)
        return pi_raise(I, "TypeError", "math.prod() takes exactly one argument");
    piter it;
    pv v, acc = pv_int(1);
    int got;
    if (pi_iter_init(I, argv[0], &it))
        return -1;
    while ((got = pi_iter_next(I, &it, &v)) > 0) {
        pv next;
        int r = pv_is_num(v)
                    ? pi_binop(I, OP_MUL, acc, v, &next)
                    : pi_raise(I, "TypeError", "must be real number, not %s", pi_type_name(v));
        pi_release(I, v);
        if (r)
            return -1;
        acc = next;
    }
    if (got < 0)
        return -1;
    *out = acc;
    return 0;
}

/* Adds x into the non-overlapping partial sums p[0..*n) (Shewchuk's exact summation). */
static void fsum_add(double *p, int *n, double x)
{
    int i = 0;
    for (int j = 0; j < *n; j++) {
        double y = p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y, lo = y - (hi - x);
        if (lo != 0.0)
            p[i++] = lo;
        x = hi;
    }
    p[i] = x;
    *n = i + 1;
}

/* The correctly rounded sum of the partials, rounding half to even as CPython's fsum. */
static double fsum_result(const double *p, int n)
{
    double hi = 0, lo = 0;
    if (n == 0)
        return 0.0;
    hi = p[--n];
    while (n > 0) {
        double x = hi, y = p[--n];
        hi = x + y;
        lo = y - (hi - x);
        if (lo != 0.0)
            break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
        double y = lo * 2, x = hi + y;
        if (y == x - hi)
            hi = x;
    }
    return hi;
}

/* math.fsum: exact summation; the partials never exceed about 40 for doubles. */
static int m_fsum(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    (void)kwn;
    (void)kwv;
    if (argc != 1 || kwc)
        return pi_raise(I, "TypeError", "math.fsum() takes exactly one argument");
    double partials[64], special = 0;
    int n = 0, got, has_special = 0, saw_nan = 0;
    piter it;
    pv v;
    if (pi_iter_init(I, argv[0], &it))
        return -1;
    while ((got = pi_iter_next(I, &it, &v)) > 0) {
        double x;
        int r = pi_to_double(I, v, "fsum", &x);
        pi_release(I, v);
        if (r)
            return -1;
        if (!isfinite(x)) {
            special += x;
            has_special = 1;
            saw_nan |= isnan(x);
            continue;
        }
        fsum_add(partials, &n, x);
        if (n >= 60 || !isfinite(partials[n - 1]))
            return pi_raise(I, "OverflowError", "intermediate overflow in fsum");
    }
    if (got < 0)
        return -1;
    if (has_special && isnan(special) && !saw_nan)
        return pi_raise(I, "ValueError", "-inf + inf in fsum");
    *out = pv_float(has_special ? special : fsum_result(partials, n));
    return 0;
}

/* clang-format off */
static const struct {
    const char *name;
    native_fn *fn;
} fn_table[] = {
    {"floor", m_rounding}, {"ceil", m_rounding}, {"trunc", m_rounding}, {"log", m_binary},
    {"atan2", m_binary}, {"pow", m_binary}, {"fmod", m_binary}, {"copysign", m_binary},
    {"hypot", m_hypot}, {"dist", m_hypot}, {"isclose", m_isclose}, {"isnan", m_classify},
    {"isinf", m_classify}, {"isfinite", m_classify}, {"radians", m_classify},
    {"degrees", m_classify}, {"modf", m_classify}, {"gcd", m_integer}, {"lcm", m_integer},
    {"factorial", m_integer}, {"comb", m_integer}, {"perm", m_integer}, {"prod", m_prod},
    {"fsum", m_fsum}, {NULL, NULL}};
/* clang-format on */

int pi_math_getattr(interp *I, const char *name, pv *out)
{
    static const struct {
        const char *name;
        double value;
    } consts[] = {{"pi", M_PI},      {"e", M_E},   {"tau", 2 * M_PI},
                  {"inf", INFINITY}, {"nan", NAN}, {NULL, 0}};
    for (int k = 0; consts[k].name; k++)
        if (strcmp(consts[k].name, name) == 0) {
            *out = pv_float(consts[k].value);
            return 0;
        }
    native_fn *fn = NULL;
    for (int k = 0; unary_table[k].name && !fn; k++)
        if (strcmp(unary_table[k].name, name) == 0)
            fn = m_unary;
    for (int k = 0; fn_table[k].name && !fn; k++)
        if (strcmp(fn_table[k].name, name) == 0)
            fn = fn_table[k].fn;
    if (!fn)
        return pi_raise(I, "AttributeError", "module 'math' has no attribute '%s'", name);
    /* The function's own name travels as its bound value so one C function serves many. */
    pv self = pi_cstr(I, name);
    if (self.tag != PV_OBJ)
        return -1;
    *out = pi_native(I, pv_str(self)->s, fn, self);
    pi_release(I, self);
    return out->tag == PV_OBJ ? 0 : -1;
}
