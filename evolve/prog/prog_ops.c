/* prog_ops.c - operators on values with Python's semantics: arithmetic (floor division and
 * modulo of negatives, int overflow as OverflowError rather than undefined behaviour, float
 * divmod as CPython computes it), sequence repetition and concatenation checked against the
 * memory budget before allocating, indexing, slicing, membership and iteration.
 */
#include "evolve/prog/prog_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *op_symbol(int op)
{
    switch (op) {
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_FLOORDIV: return "//";
    case OP_MOD: return "%";
    case OP_POW: return "** or pow()";
    case OP_MATMUL: return "@";
    case OP_LSHIFT: return "<<";
    case OP_RSHIFT: return ">>";
    case OP_BITAND: return "&";
    case OP_BITOR: return "|";
    case OP_BITXOR: return "^";
    default: return "?";
    }
}

static int unsupported(interp *I, int op, pv a, pv b)
{
    return pi_raise(I, "TypeError", "unsupported operand type(s) for %s: '%s' and '%s'",
                    op_symbol(op), pi_type_name(a), pi_type_name(b));
}

static int overflow(interp *I)
{
    return pi_raise(I, "OverflowError", "integer result too large (vkeve integers are 64-bit)");
}

int pi_to_int(interp *I, pv v, const char *what, int64_t *out)
{
    if (pv_is_intlike(v)) {
        *out = v.u.i;
        return 0;
    }
    return pi_raise(I, "TypeError", "%s: '%s' object cannot be interpreted as an integer", what,
                    pi_type_name(v));
}

int pi_to_double(interp *I, pv v, const char *what, double *out)
{
    if (v.tag == PV_FLOAT) {
        *out = v.u.f;
        return 0;
    }
    if (pv_is_intlike(v)) {
        *out = (double)v.u.i;
        return 0;
    }
    return pi_raise(I, "TypeError", "%s: must be a real number, not %s", what, pi_type_name(v));
}

static double as_double(pv v)
{
    return v.tag == PV_FLOAT ? v.u.f : (double)v.u.i;
}

static int int_pow(interp *I, int64_t base, int64_t exp, pv *out)
{
    int64_t result = 1;
    while (exp > 0) {
        if (exp & 1 && __builtin_mul_overflow(result, base, &result))
            return overflow(I);
        exp >>= 1;
        if (exp && __builtin_mul_overflow(base, base, &base))
            return overflow(I);
    }
    *out = pv_int(result);
    return 0;
}

static int float_pow(interp *I, double x, double y, pv *out)
{
    if (x == 0 && y < 0)
        return pi_raise(I, "ZeroDivisionError", "0.0 cannot be raised to a negative power");
    if (x < 0 && y != floor(y) && isfinite(y))
        return pi_raise(
            I, "ValueError",
            "negative number raised to a fractional power (complex results are not supported)");
    double r = pow(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y))
        return pi_raise(I, "OverflowError", "(34, 'Numerical result out of range')");
    *out = pv_float(r);
    return 0;
}

/* CPython's float divmod, so -7.5 // 2 and -7.5 % 2 come out exactly as in Python. */
static void float_divmod(double vx, double wx, double *floordiv, double *mod)
{
    double m = fmod(vx, wx);
    double div = (vx - m) / wx;
    if (m != 0) {
        if ((wx < 0) != (m < 0)) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = copysign(0.0, wx);
    }
    double fd;
    if (div != 0) {
        fd = floor(div);
        if (div - fd > 0.5)
            fd += 1.0;
    } else {
        fd = copysign(0.0, vx / wx);
    }
    *floordiv = fd;
    *mod = m;
}

static int int_arith(interp *I, int op, int64_t x, int64_t y, pv *out)
{
    int64_t r;
    switch (op) {
    case OP_ADD:
        if (__builtin_add_overflow(x, y, &r))
            return overflow(I);
        break;
    case OP_SUB:
        if (__builtin_sub_overflow(x, y, &r))
            return overflow(I);
        break;
    case OP_MUL:
        if (__builtin_mul_overflow(x, y, &r))
            return overflow(I);
        break;
    case OP_DIV:
        if (y == 0)
            return pi_raise(I, "ZeroDivisionError", "division by zero");
        *out = pv_float((double)x / (double)y);
        return 0;
    case OP_FLOORDIV:
    case OP_MOD:
        if (y == 0)
            return pi_raise(I, "ZeroDivisionError", "integer division or modulo by zero");
        if (y == -1) { /* INT64_MIN / -1 overflows in C */
            if (op == OP_MOD) {
                r = 0;
                break;
            }
            if (x == INT64_MIN)
                return overflow(I);
            r = -x;
            break;
        }
        {
            int64_t q = x / y, m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) {
                q -= 1;
                m += y;
            }
            r = op == OP_FLOORDIV ? q : m;
        }
        break;
    case OP_POW:
        if (y < 0)
            return float_pow(I, (double)x, (double)y, out);
        return int_pow(I, x, y, out);
    case OP_LSHIFT:
        if (y < 0)
            return pi_raise(I, "ValueError", "negative shift count");
        if (x == 0) {
            r = 0;
            break;
        }
        if (y >= 63 || (x > 0 ? x > (INT64_MAX >> y) : x < (INT64_MIN >> y)))
            return overflow(I);
        r = (int64_t)((uint64_t)x << y);
        break;
    case OP_RSHIFT:
        if (y < 0)
            return pi_raise(I, "ValueError", "negative shift count");
        r = y >= 63 ? (x < 0 ? -1 : 0) : x >> y;
        break;
    case OP_BITAND: r = x & y; break;
    case OP_BITOR: r = x | y; break;
    case OP_BITXOR: r = x ^ y; break;
    default: return -2;
    }
    *out = pv_int(r);
    return 0;
}

static int float_arith(interp *I, int op, double x, double y, pv *out)
{
    double fd, m;
    switch (op) {
    case OP_ADD: *out = pv_float(x + y); return 0;
    case OP_SUB: *out = pv_float(x - y); return 0;
    case OP_MUL: *out = pv_float(x * y); return 0;
    case OP_DIV:
        if (y == 0)
            return pi_raise(I, "ZeroDivisionError", "float division by zero");
        *out = pv_float(x / y);
        return 0;
    case OP_FLOORDIV:
    case OP_MOD:
        if (y == 0)
            return pi_raise(I, "ZeroDivisionError",
                            op == OP_MOD ? "float modulo" : "float floor division by zero");
        float_divmod(x, y, &fd, &m);
        *out = pv_float(op == OP_FLOORDIV ? fd : m);
        return 0;
    case OP_POW: return float_pow(I, x, y, out);
    default: return -2;
    }
}

/* seq * n for str, list and tuple, checked against the memory budget first. */
static int repeat(interp *I, pv seq, int64_t n, pv *out)
{
    if (n < 0)
        n = 0;
    if (pv_is(seq, PO_STR)) {
        pstr *s = pv_str(seq);
        if (s->len && (uint64_t)n > (I->lim.max_bytes / s->len))
            return pi_reserve(I, (size_t)-1);
        size_t total = s->len * (size_t)n;
        if (pi_reserve(I, total) || pi_step(I, (long)(total / PI_COPY_BYTES_PER_STEP)))
            return -1;
        pstr *r = pi_new(I, PO_STR, sizeof *r + total + 1);
        if (!r)
            return -1;
        /* Doubling copies: 'x' * 10**6 is twenty memcpy calls, not a million. */
        size_t done = total ? s->len : 0;
        if (total)
            memcpy(r->s, s->s, s->len);
        while (done < total) {
            size_t chunk = done < total - done ? done : total - done;
            memcpy(r->s + done, r->s, chunk);
            done += chunk;
        }
        r->len = total;
        r->s[total] = 0;
        *out = pv_obj(r);
        return 0;
    }
    plist *l = pv_list(seq);
    if (l->len && (uint64_t)n > I->lim.max_bytes / sizeof(pv) / l->len)
        return pi_reserve(I, (size_t)-1);
    size_t total = l->len * (size_t)n;
    plist *r = pi_list(I, l->h.kind, total);
    if (!r)
        return -1;
    for (int64_t k = 0; k < n; k++)
        for (size_t j = 0; j < l->len; j++)
            r->items[r->len++] = pv_ref(l->items[j]);
    *out = pv_obj(r);
    return 0;
}

static int concat(interp *I, pv a, pv b, pv *out)
{
    if (pv_is(a, PO_STR)) {
        pstr *x = pv_str(a), *y = pv_str(b);
        if (pi_reserve(I, x->len + y->len) ||
            pi_step(I, (long)((x->len + y->len) / PI_COPY_BYTES_PER_STEP)))
            return -1;
        pstr *r = pi_new(I, PO_STR, sizeof *r + x->len + y->len + 1);
        if (!r)
            return -1;
        memcpy(r->s, x->s, x->len);
        memcpy(r->s + x->len, y->s, y->len);
        r->len = x->len + y->len;
        r->s[r->len] = 0;
        *out = pv_obj(r);
        return 0;
    }
    plist *x = pv_list(a), *y = pv_list(b);
    plist *r = pi_list(I, x->h.kind, x->len + y->len);
    if (!r)
        return -1;
    for (size_t k = 0; k < x->len; k++)
        r->items[r->len++] = pv_ref(x->items[k]);
    for (size_t k = 0; k < y->len; k++)
        r->items[r->len++] = pv_ref(y->items[k]);
    *out = pv_obj(r);
    return 0;
}

int pi_binop(interp *I, int op, pv a, pv b, pv *out)
{
    if (pv_is_num(a) && pv_is_num(b)) {
        int r;
        if (a.tag != PV_FLOAT && b.tag != PV_FLOAT) {
            r = int_arith(I, op, a.u.i, b.u.i, out);
            /* True & False stays a bool, as in Python. */
            if (r == 0 && a.tag == PV_BOOL && b.tag == PV_BOOL &&
                (op == OP_BITAND || op == OP_BITOR || op == OP_BITXOR))
                out->tag = PV_BOOL;
        } else {
            r = float_arith(I, op, as_double(a), as_double(b), out);
        }
        return r == -2 ? unsupported(I, op, a, b) : r;
    }
    if (op == OP_ADD && a.tag == PV_OBJ && b.tag == PV_OBJ && a.u.o->kind == b.u.o->kind &&
        (a.u.o->kind == PO_STR || a.u.o->kind == PO_LIST || a.u.o->kind == PO_TUPLE))
        return concat(I, a, b, out);
    if (op == OP_ADD && (pv_is(a, PO_STR) || pv_is(a, PO_LIST) || pv_is(a, PO_TUPLE)))
        return pi_raise(I, "TypeError", "can only concatenate %s (not \"%s\") to %s",
                        pi_type_name(a), pi_type_name(b), pi_type_name(a));
    if (op == OP_MUL) {
        int seq_a = pv_is(a, PO_STR) || pv_is(a, PO_LIST) || pv_is(a, PO_TUPLE);
        int seq_b = pv_is(b, PO_STR) || pv_is(b, PO_LIST) || pv_is(b, PO_TUPLE);
        if (seq_a && pv_is_intlike(b))
            return repeat(I, a, b.u.i, out);
        if (seq_b && pv_is_intlike(a))
            return repeat(I, b, a.u.i, out);
        if (seq_a || seq_b)
            return pi_raise(I, "TypeError", "can't multiply sequence by non-int of type '%s'",
                            pi_type_name(seq_a ? b : a));
    }
    if (op == OP_MOD && pv_is(a, PO_STR))
        return pi_percent_format(I, pv_str(a), b, out);
    if (pv_is(a, PO_SET) && pv_is(b, PO_SET) &&
        (op == OP_BITOR || op == OP_BITAND || op == OP_SUB || op == OP_BITXOR))
        return pi_set_op(I, op, pv_dict(a), pv_dict(b), out);
    return unsupported(I, op, a, b);
}

int pi_unary(interp *I, int op, pv a, pv *out)
{
    if (a.tag == PV_FLOAT) {
        if (op == OP_INVERT)
            return pi_raise(I, "TypeError", "bad operand type for unary ~: 'float'");
        *out = pv_float(op == OP_SUB ? -a.u.f : a.u.f);
        return 0;
    }
    if (pv_is_intlike(a)) {
        if (op == OP_SUB && a.u.i == INT64_MIN)
            return overflow(I);
        *out = pv_int(op == OP_SUB ? -a.u.i : op == OP_INVERT ? ~a.u.i : a.u.i);
        return 0;
    }
    return pi_raise(I, "TypeError", "bad operand type for unary %s: '%s'",
                    op == OP_SUB   ? "-"
                    : op == OP_ADD ? "+"
                                   : "~",
                    pi_type_name(a));
}

/* Set algebra: | union, & intersection, - difference, ^ symmetric difference. */
int pi_set_op(interp *I, int op, pdict *a, pdict *b, pv *out)
{
    pdict *r = pi_set(I);
    if (!r)
        return -1;
    *out = pv_obj(r);
    for (int side = 0; side < 2; side++) {
        pdict *src = side ? b : a, *other = side ? a : b;
        if (side && op != OP_BITOR && op != OP_BITXOR)
            break;
        for (size_t k = 0; k < src->used; k++) {
            if (!src->entries[k].live)
                continue;
            pv key = src->entries[k].key, dummy;
            int in_other = pi_dict_get(I, other, key, &dummy);
            if (in_other < 0)
                goto fail;
            int keep = op == OP_BITOR    ? (side == 0 || !in_other)
                       : op == OP_BITAND ? in_other
                                         : !in_other;
            if (keep && pi_dict_set(I, r, key, pv_none()))
                goto fail;
        }
    }
    return 0;
fail:
    pi_release(I, *out);
    return -1;
}

/* ---- indexing ---- */

static int64_t range_len(const prange *r)
{
    if (r->step > 0 && r->start < r->stop)
        return (int64_t)(((uint64_t)r->stop - (uint64_t)r->start - 1) / (uint64_t)r->step + 1);
    if (r->step < 0 && r->start > r->stop)
        return (int64_t)(((uint64_t)r->start - (uint64_t)r->stop - 1) /
                             (uint64_t)(-(r->step + 1) + 1) +
                         1);
    return 0;
}

static int seq_index(interp *I, pv obj, pv index, size_t len, size_t *out)
{
    if (!pv_is_intlike(index))
        return pi_raise(I, "TypeError", "%s indices must be integers or slices, not %s",
                        pi_type_name(obj), pi_type_name(index));
    int64_t i = index.u.i;
    if (i < 0)
        i += (int64_t)len;
    if (i < 0 || (uint64_t)i >= len)
        return pi_raise(I, "IndexError", "%s index out of range",
                        pv_is(obj, PO_STR)     ? "string"
                        : pv_is(obj, PO_RANGE) ? "range object"
                                               : pi_type_name(obj));
    *out = (size_t)i;
    return 0;
}

static int key_error(interp *I, pv key)
{
    pbuf b = {0};
    pi_repr(I, key, &b);
    pi_raise(I, "KeyError", "%s", b.s ? b.s : "?");
    free(b.s);
    return -1;
}

int pi_getitem(interp *I, pv obj, pv index, pv *out)
{
    size_t i;
    if (pv_is(obj, PO_LIST) || pv_is(obj, PO_TUPLE)) {
        if (seq_index(I, obj, index, pv_list(obj)->len, &i))
            return -1;
        *out = pv_ref(pv_list(obj)->items[i]);
        return 0;
    }
    if (pv_is(obj, PO_STR)) {
        if (seq_index(I, obj, index, pv_str(obj)->len, &i))
            return -1;
        *out = pi_str(I, pv_str(obj)->s + i, 1);
        return out->tag == PV_OBJ ? 0 : -1;
    }
    if (pv_is(obj, PO_DICT)) {
        pv v;
        int found = pi_dict_get(I, pv_dict(obj), index, &v);
        if (found < 0)
            return -1;
        if (!found)
            return key_error(I, index);
        *out = pv_ref(v);
        return 0;
    }
    if (pv_is(obj, PO_RANGE)) {
        prange *r = (prange *)obj.u.o;
        if (seq_index(I, obj, index, (size_t)range_len(r), &i))
            return -1;
        *out = pv_int(r->start + (int64_t)i * r->step);
        return 0;
    }
    if (pv_is(obj, PO_PIXELS))
        return pi_pixels_get(I, obj, index, out);
    return pi_raise(I, "TypeError", "'%s' object is not subscriptable", pi_type_name(obj));
}

int pi_setitem(interp *I, pv obj, pv index, pv val)
{
    if (pv_is(obj, PO_LIST)) {
        size_t i;
        if (seq_index(I, obj, index, pv_list(obj)->len, &i))
            return -1;
        pv old = pv_list(obj)->items[i];
        pv_list(obj)->items[i] = pv_ref(val);
        pi_release(I, old);
        return 0;
    }
    if (pv_is(obj, PO_DICT))
        return pi_dict_set(I, pv_dict(obj), index, val);
    if (pv_is(obj, PO_PIXELS))
        return pi_pixels_set(I, obj, index, val);
    return pi_raise(I, "TypeError", "'%s' object does not support item assignment",
                    pi_type_name(obj));
}

int pi_delitem(interp *I, pv obj, pv index)
{
    if (pv_is(obj, PO_LIST)) {
        plist *l = pv_list(obj);
        size_t i;
        if (seq_index(I, obj, index, l->len, &i))
            return -1;
        pv old = l->items[i];
        memmove(l->items + i, l->items + i + 1, (l->len - i - 1) * sizeof(pv));
        l->len--;
        pi_release(I, old);
        return 0;
    }
    if (pv_is(obj, PO_DICT))
        return pi_dict_del(I, pv_dict(obj), index);
    return pi_raise(I, "TypeError", "'%s' object does not support item deletion",
                    pi_type_name(obj));
}

/* Python's slice.indices(): clamps start/stop for a sequence of length len. */
static int slice_bounds(interp *I, pv lo, pv hi, pv step, int64_t len, int64_t *start,
                        int64_t *stop, int64_t *st)
{
    *st = 1;
    if (step.tag != PV_NONE) {
        if (!pv_is_intlike(step))
            return pi_raise(I, "TypeError", "slice indices must be integers or None");
        *st = step.u.i;
        if (*st == 0)
            return pi_raise(I, "ValueError", "slice step cannot be zero");
        if (*st == INT64_MIN)
            *st = -INT64_MAX;
    }
    int64_t lower = *st < 0 ? -1 : 0, upper = *st < 0 ? len - 1 : len;
    pv bounds[2] = {lo, hi};
    int64_t *outs[2] = {start, stop};
    for (int k = 0; k < 2; k++) {
        if (bounds[k].tag == PV_NONE) {
            *outs[k] = (k == 0) == (*st > 0) ? lower : upper;
            continue;
        }
        if (!pv_is_intlike(bounds[k]))
            return pi_raise(I, "TypeError", "slice indices must be integers or None");
        int64_t v = bounds[k].u.i;
        if (v < 0) {
            v = v < -len ? lower : v + len;
            if (v < lower)
                v = lower;
        } else if (v > upper) {
            v = upper;
        }
        *outs[k] = v;
    }
    return 0;
}

int pi_slice(interp *I, pv obj, pv lo, pv hi, pv step, pv *out)
{
    int64_t len, start = 0, stop = 0, st = 1;
    if (pv_is(obj, PO_LIST) || pv_is(obj, PO_TUPLE))
        len = (int64_t)pv_list(obj)->len;
    else if (pv_is(obj, PO_STR))
        len = (int64_t)pv_str(obj)->len;
    else
        return pi_raise(I, "TypeError", "'%s' object is not subscriptable", pi_type_name(obj));
    if (slice_bounds(I, lo, hi, step, len, &start, &stop, &st))
        return -1;
    int64_t n = 0;
    if (st > 0 && start < stop)
        n = (stop - start - 1) / st + 1;
    if (st < 0 && start > stop)
        n = (start - stop - 1) / (-st) + 1;
    if (pv_is(obj, PO_STR)) {
        pstr *s = pv_str(obj);
        if (pi_step(I, n / PI_COPY_BYTES_PER_STEP))
            return -1;
        pstr *r = pi_new(I, PO_STR, sizeof *r + (size_t)n + 1);
        if (!r)
            return -1;
        for (int64_t k = 0; k < n; k++)
            r->s[k] = s->s[start + k * st];
        r->len = (size_t)n;
        r->s[n] = 0;
        *out = pv_obj(r);
        return 0;
    }
    plist *l = pv_list(obj);
    plist *r = pi_list(I, l->h.kind, (size_t)n);
    if (!r)
        return -1;
    for (int64_t k = 0; k < n; k++)
        r->items[r->len++] = pv_ref(l->items[start + k * st]);
    *out = pv_obj(r);
    return 0;
}

int pi_set_slice(interp *I, pv obj, pv lo, pv hi, pv step, const pv *val)
{
    if (!pv_is(obj, PO_LIST))
        return pi_raise(I, "TypeError", "'%s' object does not support slice %s", pi_type_name(obj),
                        val ? "assignment" : "deletion");
    plist *l = pv_list(obj);
    int64_t start = 0, stop = 0, st = 1;
    if (slice_bounds(I, lo, hi, step, (int64_t)l->len, &start, &stop, &st))
        return -1;
    int64_t n = 0;
    if (st > 0 && start < stop)
        n = (stop - start - 1) / st + 1;
    if (st < 0 && start > stop)
        n = (start - stop - 1) / (-st) + 1;
    plist *items = NULL;
    if (val && pi_to_list(I, *val, &items)) /* a copy: a[:] = a works */
        return -1;
    size_t m = items ? items->len : 0;
    int r = 0;
    if (st != 1) {
        if (items && (size_t)n != m) {
            r = pi_raise(I, "ValueError",
                         "attempt to assign sequence of size %zu to extended slice of size %lld", m,
                         (long long)n);
        } else {
            /* Extended slices: replace in place, or delete from the back so indices stay valid. */
            for (int64_t k = 0; k < n && items; k++) {
                pv old = l->items[start + k * st];
                l->items[start + k * st] = pv_ref(items->items[k]);
                pi_release(I, old);
            }
            for (int64_t k = 0; k < n && !items && !r; k++) {
                int64_t at = st > 0 ? start + (n - 1 - k) * st : start + k * st;
                r = pi_delitem(I, obj, pv_int(at));
            }
        }
    } else {
        if (stop < start)
            stop = start;
        size_t old_n = (size_t)(stop - start), new_len = l->len - old_n + m;
        pv *removed = old_n ? malloc(old_n * sizeof *removed) : NULL;
        if (old_n && !removed) {
            r = pi_raise(I, "MemoryError", "out of host memory");
        } else {
            r = pi_list_reserve(I, l, new_len);
        }
        if (!r) {
            memcpy(removed, l->items + start, old_n * sizeof(pv));
            memmove(l->items + start + m, l->items + stop, (l->len - (size_t)stop) * sizeof(pv));
            for (size_t k = 0; k < m; k++)
                l->items[(size_t)start + k] = pv_ref(items->items[k]);
            l->len = new_len;
            for (size_t k = 0; k < old_n; k++)
                pi_release(I, removed[k]);
        }
        free(removed);
    }
    if (items)
        pi_release(I, pv_obj(items));
    return r;
}

int pi_contains(interp *I, pv container, pv item, int *out)
{
    *out = 0;
    if (pv_is(container, PO_STR)) {
        if (!pv_is(item, PO_STR))
            return pi_raise(I, "TypeError", "'in <string>' requires string as left operand, not %s",
                            pi_type_name(item));
        pstr *h = pv_str(container), *n = pv_str(item);
        if (n->len == 0) {
            *out = 1;
            return 0;
        }
        if (pi_search_cost(I, h->len, n->len))
            return -1;
        for (size_t k = 0; k + n->len <= h->len && !*out; k++)
            *out = memcmp(h->s + k, n->s, n->len) == 0;
        return 0;
    }
    if (pv_is(container, PO_LIST) || pv_is(container, PO_TUPLE)) {
        plist *l = pv_list(container);
        for (size_t k = 0; k < l->len && !*out; k++)
            if (pi_equal(I, l->items[k], item, out))
                return -1;
        return pi_step(I, (long)(l->len / 16));
    }
    if (pv_is_dictlike(container)) {
        pv v;
        int found = pi_dict_get(I, pv_dict(container), item, &v);
        if (found < 0)
            return -1;
        *out = found;
        return 0;
    }
    if (pv_is(container, PO_RANGE)) {
        prange *r = (prange *)container.u.o;
        if (!pv_is_intlike(item) &&
            !(item.tag == PV_FLOAT && item.u.f == floor(item.u.f) && fabs(item.u.f) < 9e18))
            return 0;
        int64_t x = item.tag == PV_FLOAT ? (int64_t)item.u.f : item.u.i;
        int64_t n = range_len(r);
        if (n == 0)
            return 0;
        if (r->step > 0 ? (x < r->start || x >= r->stop) : (x > r->start || x <= r->stop))
            return 0;
        *out =
            ((uint64_t)x - (uint64_t)r->start) % (uint64_t)(r->step > 0 ? r->step : -r->step) == 0;
        return 0;
    }
    return pi_raise(I, "TypeError", "argument of type '%s' is not iterable",
                    pi_type_name(container));
}

/* ---- iteration ---- */

int pi_iter_init(interp *I, pv src, piter *it)
{
    memset(it, 0, sizeof *it);
    it->src = src;
    if (src.tag == PV_OBJ) {
        switch (src.u.o->kind) {
        case PO_LIST:
        case PO_TUPLE:
        case PO_STR:
        case PO_DICT: it->kind = src.u.o->kind; return 0;
        case PO_SET: it->kind = PO_DICT; return 0;
        case PO_RANGE: {
            prange *r = (prange *)src.u.o;
            it->kind = PO_RANGE;
            it->n = range_len(r);
            it->cur = r->start;
            it->step = r->step;
            return 0;
        }
        default: break;
        }
    }
    return pi_raise(I, "TypeError", "'%s' object is not iterable", pi_type_name(src));
}

int pi_iter_next(interp *I, piter *it, pv *out)
{
    if (pi_step(I, 1))
        return -1;
    switch (it->kind) {
    case PO_LIST:
    case PO_TUPLE: {
        plist *l = pv_list(it->src);
        if ((size_t)it->i >= l->len)
            return 0;
        *out = pv_ref(l->items[it->i++]);
        return 1;
    }
    case PO_STR: {
        pstr *s = pv_str(it->src);
        if ((size_t)it->i >= s->len)
            return 0;
        *out = pi_str(I, s->s + it->i++, 1);
        return out->tag == PV_OBJ ? 1 : -1;
    }
    case PO_DICT: {
        pdict *d = pv_dict(it->src);
        while ((size_t)it->i < d->used && !d->entries[it->i].live)
            it->i++;
        if ((size_t)it->i >= d->used)
            return 0;
        *out = pv_ref(d->entries[it->i++].key);
        return 1;
    }
    case PO_RANGE:
        if (it->i >= it->n)
            return 0;
        *out = pv_int(it->cur);
        it->i++;
        it->cur += it->i < it->n ? it->step : 0;
        return 1;
    default: return 0;
    }
}

int pi_to_list(interp *I, pv src, plist **out)
{
    size_t hint = pv_is(src, PO_LIST) || pv_is(src, PO_TUPLE) ? pv_list(src)->len : 0;
    if (pv_is(src, PO_RANGE)) {
        int64_t n = range_len((prange *)src.u.o);
        if ((uint64_t)n > I->lim.max_bytes / sizeof(pv))
            return pi_reserve(I, (size_t)-1);
        hint = (size_t)n;
    }
    piter it;
    if (pi_iter_init(I, src, &it))
        return -1;
    plist *l = pi_list(I, PO_LIST, hint);
    if (!l)
        return -1;
    pv item;
    int got;
    while ((got = pi_iter_next(I, &it, &item)) > 0)
        if (pi_list_push(I, l, item)) {
            got = -1;
            break;
        }
    if (got < 0) {
        pi_release(I, pv_obj(l));
        return -1;
    }
    *out = l;
    return 0;
}
