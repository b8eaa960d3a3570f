/* prog_fmt.c - turning values into text exactly as CPython does: repr and str (the shortest
 * round-trip float repr, Python's choice of quotes), format specs (f-strings, format(),
 * str.format), and printf-style "%" formatting. EVE shows argument dicts to the solver as
 * str(dict), so these strings end up in training data and must match Python byte for byte.
 */
#include "evolve/prog/prog_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pi_float_repr(double d, char *buf)
{
    if (isnan(d)) {
        strcpy(buf, "nan");
        return;
    }
    if (isinf(d)) {
        strcpy(buf, d > 0 ? "inf" : "-inf");
        return;
    }
    if (d == 0) {
        strcpy(buf, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    /* Python's repr is the shortest decimal string that reads back as the same double. */
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    const char *p = tmp;
    int neg = *p == '-';
    p += neg;
    char digits[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    int x = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = 0;
    char *o = buf;
    if (neg)
        *o++ = '-';
    int decpt = x + 1;
    if (x >= -4 && x < 16) {
        if (decpt <= 0) {
            o += sprintf(o, "0.");
            for (int k = 0; k < -decpt; k++)
                *o++ = '0';
            o += sprintf(o, "%s", digits);
        } else if (decpt >= nd) {
            o += sprintf(o, "%s", digits);
            for (int k = nd; k < decpt; k++)
                *o++ = '0';
            o += sprintf(o, ".0");
        } else {
            memcpy(o, digits, (size_t)decpt);
            o += decpt;
            *o++ = '.';
            o += sprintf(o, "%s", digits + decpt);
        }
    } else {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            o += sprintf(o, "%s", digits + 1);
        }
        o += sprintf(o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    }
    *o = 0;
}

static void repr_str(const pstr *s, pbuf *b)
{
    int has_single = memchr(s->s, '\'', s->len) != NULL;
    int has_double = memchr(s->s, '"', s->len) != NULL;
    char q = has_single && !has_double ? '"' : '\'';
    pbuf_put(b, &q, 1);
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->s[i];
        if (c == '\\' || c == (unsigned char)q) {
            char e[2] = {'\\', (char)c};
            pbuf_put(b, e, 2);
        } else if (c == '\n') {
            pbuf_puts(b, "\\n");
        } else if (c == '\r') {
            pbuf_puts(b, "\\r");
        } else if (c == '\t') {
            pbuf_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            pbuf_printf(b, "\\x%02x", c);
        } else {
            pbuf_put(b, (const char *)&c, 1);
        }
    }
    pbuf_put(b, &q, 1);
}

static int repr_container(interp *I, pv v, pbuf *b)
{
    pobj *o = v.u.o;
    if (o->repr_busy) { /* a container inside itself: Python prints [...] / {...} */
        pbuf_puts(b, o->kind == PO_DICT || o->kind == PO_SET ? "{...}"
                     : o->kind == PO_LIST                    ? "[...]"
                                                             : "(...)");
        return 0;
    }
    if (++I->cdepth > PI_MAX_CDEPTH) {
        I->cdepth--;
        return pi_raise(I, "RecursionError",
                        "maximum recursion depth exceeded while getting the repr of an object");
    }
    /* Shared sublists make a small value with an enormous repr: each element costs a step,
     * and the text may not outgrow the memory budget. */
    size_t n_items =
        o->kind == PO_LIST || o->kind == PO_TUPLE ? ((plist *)o)->len : ((pdict *)o)->len;
    int r = pi_step(I, 1 + (long)n_items);
    if (!r && b->len > I->lim.max_bytes)
        r = pi_reserve(I, (size_t)-1);
    if (r) {
        I->cdepth--;
        return -1;
    }
    o->repr_busy = 1;
    if (o->kind == PO_SET) {
        pdict *d = (pdict *)o;
        pbuf_puts(b, d->len ? "{" : "set()");
        int first = 1;
        for (size_t i = 0; i < d->used && !r; i++) {
            if (!d->entries[i].live)
                continue;
            if (!first)
                pbuf_puts(b, ", ");
            first = 0;
            r = pi_repr(I, d->entries[i].key, b);
        }
        if (d->len)
            pbuf_puts(b, "}");
    } else if (o->kind == PO_DICT) {
        pdict *d = (pdict *)o;
        pbuf_puts(b, "{");
        int first = 1;
        for (size_t i = 0; i < d->used && !r; i++) {
            if (!d->entries[i].live)
                continue;
            if (!first)
                pbuf_puts(b, ", ");
            first = 0;
            r = pi_repr(I, d->entries[i].key, b);
            pbuf_puts(b, ": ");
            if (!r)
                r = pi_repr(I, d->entries[i].val, b);
        }
        pbuf_puts(b, "}");
    } else {
        plist *l = (plist *)o;
        pbuf_puts(b, o->kind == PO_LIST ? "[" : "(");
        for (size_t i = 0; i < l->len && !r; i++) {
            if (i)
                pbuf_puts(b, ", ");
            r = pi_repr(I, l->items[i], b);
        }
        pbuf_puts(b, o->kind == PO_LIST ? "]" : l->len == 1 ? ",)" : ")");
    }
    o->repr_busy = 0;
    I->cdepth--;
    return r;
}

static const char *func_name(interp *I, pfunc *f)
{
    return f->def->kind == N_LAMBDA ? "<lambda>" : pi_sym_name(I, f->def->sym);
}

int pi_repr(interp *I, pv v, pbuf *b)
{
    char num[40];
    switch (v.tag) {
    case PV_NONE: pbuf_puts(b, "None"); return 0;
    case PV_BOOL: pbuf_puts(b, v.u.i ? "True" : "False"); return 0;
    case PV_INT: pbuf_printf(b, "%lld", (long long)v.u.i); return 0;
    case PV_FLOAT:
        pi_float_repr(v.u.f, num);
        pbuf_puts(b, num);
        return 0;
    default: break;
    }
    pobj *o = v.u.o;
    switch (o->kind) {
    case PO_STR: repr_str((pstr *)o, b); return 0;
    case PO_LIST:
    case PO_TUPLE:
    case PO_DICT:
    case PO_SET: return repr_container(I, v, b);
    case PO_FUNC: pbuf_printf(b, "<function %s>", func_name(I, (pfunc *)o)); return 0;
    case PO_NATIVE: {
        static const char *const types[] = {"int",   "float", "str", "bool",  "list",
                                            "tuple", "dict",  "set", "range", NULL};
        pnative *nf = (pnative *)o;
        for (int k = 0; nf->fn && nf->self.tag == PV_NONE && types[k]; k++)
            if (strcmp(types[k], nf->name) == 0) {
                pbuf_printf(b, "<class '%s'>", nf->name);
                return 0;
            }
        pbuf_printf(b, "<built-in function %s>", nf->name);
        return 0;
    }
    case PO_RANGE: {
        prange *r = (prange *)o;
        if (r->step == 1)
            pbuf_printf(b, "range(%lld, %lld)", (long long)r->start, (long long)r->stop);
        else
            pbuf_printf(b, "range(%lld, %lld, %lld)", (long long)r->start, (long long)r->stop,
                        (long long)r->step);
        return 0;
    }
    case PO_IMAGE: {
        img *im = ((pimage *)o)->im;
        pbuf_printf(b, "<PIL.Image.Image image mode=%s size=%dx%d>", img_mode_name(im->mode), im->w,
                    im->h);
        return 0;
    }
    case PO_DRAW: pbuf_puts(b, "<PIL.ImageDraw.ImageDraw object>"); return 0;
    case PO_PIXELS: pbuf_puts(b, "<PixelAccess object>"); return 0;
    case PO_MODULE: pbuf_puts(b, "<module>"); return 0;
    case PO_FILTER: pbuf_puts(b, "<PIL.ImageFilter object>"); return 0;
    case PO_ENHANCER: pbuf_puts(b, "<PIL.ImageEnhance object>"); return 0;
    case PO_EXCTYPE: pbuf_printf(b, "<class '%s'>", ((pexctype *)o)->name); return 0;
    case PO_EXC: {
        pexc *e = (pexc *)o;
        pbuf_printf(b, "%s(", e->kind);
        if (e->message.tag != PV_NONE)
            repr_str(pv_str(e->message), b);
        pbuf_puts(b, ")");
        return 0;
    }
    default: pbuf_puts(b, "<object>"); return 0;
    }
}

int pi_tostr(interp *I, pv v, pbuf *b)
{
    if (pv_is(v, PO_STR)) {
        pbuf_put(b, pv_str(v)->s, pv_str(v)->len);
        return 0;
    }
    if (pv_is(v, PO_EXC)) {
        pexc *e = (pexc *)v.u.o;
        if (e->message.tag != PV_NONE)
            pbuf_put(b, pv_str(e->message)->s, pv_str(e->message)->len);
        return 0;
    }
    return pi_repr(I, v, b);
}

/* ---- format specs ---- */

typedef struct fspec {
    char fill, align, sign, type, grouping;
    int alt, zero, width, precision; /* precision -1 when absent */
} fspec;

static int parse_spec(interp *I, const char *s, size_t n, fspec *f)
{
    memset(f, 0, sizeof *f);
    f->fill = ' ';
    f->precision = -1;
    size_t i = 0;
    if (n >= 2 && strchr("<>=^", s[1])) {
        f->fill = s[0];
        f->align = s[1];
        i = 2;
    } else if (n >= 1 && strchr("<>=^", s[0])) {
        f->align = s[0];
        i = 1;
    }
    if (i < n && strchr("+- ", s[i]))
        f->sign = s[i++];
    if (i < n && s[i] == '#') {
        f->alt = 1;
        i++;
    }
    if (i < n && s[i] == '0') {
        f->zero = 1;
        i++;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        f->width = f->width * 10 + (s[i++] - '0');
        if (f->width > 10000)
            return pi_raise(I, "ValueError", "format width too large");
    }
    if (i < n && (s[i] == ',' || s[i] == '_'))
        f->grouping = s[i++];
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return pi_raise(I, "ValueError", "Format specifier missing precision");
        f->precision = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            f->precision = f->precision * 10 + (s[i++] - '0');
            if (f->precision > 1000)
                return pi_raise(I, "ValueError", "format precision too large");
        }
    }
    if (i < n)
        f->type = s[i++];
    if (i != n)
        return pi_raise(I, "ValueError", "Invalid format specifier '%.*s'", (int)n, s);
    return 0;
}

/* Inserts a separator every three digits of the integer part of body. */
static void group_digits(const char *body, char sep, pbuf *out)
{
    size_t int_len = 0;
    while (body[int_len] >= '0' && body[int_len] <= '9')
        int_len++;
    for (size_t i = 0; i < int_len; i++) {
        if (i && (int_len - i) % 3 == 0)
            pbuf_put(out, &sep, 1);
        pbuf_put(out, body + i, 1);
    }
    pbuf_puts(out, body + int_len);
}

/* Pads sign + body to the width with the spec's fill and alignment. */
static void emit_padded(const fspec *f, const char *sign, const char *body, size_t body_len,
                        char default_align, pbuf *b)
{
    size_t len = strlen(sign) + body_len;
    char align = f->align ? f->align : f->zero ? '=' : default_align;
    char fill = f->zero && !f->align ? '0' : f->fill;
    size_t pad = (size_t)f->width > len ? (size_t)f->width - len : 0;
    size_t left = align == '>' ? pad : align == '^' ? pad / 2 : 0;
    size_t right = align == '<' ? pad : align == '^' ? pad - pad / 2 : 0;
    for (size_t k = 0; k < left; k++)
        pbuf_put(b, &fill, 1);
    pbuf_puts(b, sign);
    if (align == '=')
        for (size_t k = 0; k < pad; k++)
            pbuf_put(b, &fill, 1);
    pbuf_put(b, body, body_len);
    for (size_t k = 0; k < right; k++)
        pbuf_put(b, &fill, 1);
}

static const char *sign_text(const fspec *f, int negative)
{
    return negative ? "-" : f->sign == '+' ? "+" : f->sign == ' ' ? " " : "";
}

static int format_int(interp *I, int64_t v, const fspec *f, pbuf *b)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[80];
    int base = f->type == 'x' || f->type == 'X' ? 16 : f->type == 'o' ? 8 : f->type == 'b' ? 2 : 10;
    const char *set = f->type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    char rev[80];
    int n = 0;
    do {
        rev[n++] = set[mag % (uint64_t)base];
        mag /= (uint64_t)base;
    } while (mag);
    int o = 0;
    if (f->alt && base != 10) {
        digits[o++] = '0';
        digits[o++] = f->type == 'b' ? 'b' : f->type == 'o' ? 'o' : f->type == 'X' ? 'X' : 'x';
    }
    while (n)
        digits[o++] = rev[--n];
    digits[o] = 0;
    if (f->type == 'c') {
        if (v < 0 || v > 0x10FFFF)
            return pi_raise(I, "OverflowError", "%%c arg not in range(0x110000)");
        char ch = (char)v;
        emit_padded(f, "", &ch, 1, '<', b);
        return 0;
    }
    pbuf body = {0};
    if (f->grouping && base == 10)
        group_digits(digits, f->grouping, &body);
    else
        pbuf_puts(&body, digits);
    emit_padded(f, sign_text(f, v < 0), body.s ? body.s : "", body.len, '>', b);
    free(body.s);
    return 0;
}

static int format_float(interp *I, double v, const fspec *f, pbuf *b)
{
    (void)I;
    char tmp[1100], type = f->type;
    int neg = signbit(v) && !isnan(v);
    double a = fabs(v);
    int prec = f->precision < 0 ? 6 : f->precision;
    if (type == 0 && f->precision < 0) {
        pi_float_repr(a, tmp);
    } else if (type == 0 || type == 'n') {
        snprintf(tmp, sizeof tmp, "%.*g", prec ? prec : 1, a);
        if (type == 0 && isfinite(a) && !strpbrk(tmp, ".e"))
            strcat(tmp, ".0");
    } else if (type == '%') {
        snprintf(tmp, sizeof tmp, "%.*f%%", prec, a * 100);
    } else {
        char fmt[8] = {'%', '.', '*', type, 0};
        if (f->alt) {
            fmt[1] = '#';
            fmt[2] = '.';
            fmt[3] = '*';
            fmt[4] = type;
        }
        snprintf(tmp, sizeof tmp, fmt, prec, a);
    }
    pbuf body = {0};
    if (f->grouping && isfinite(a))
        group_digits(tmp, f->grouping, &body);
    else
        pbuf_puts(&body, tmp);
    emit_padded(f, sign_text(f, neg), body.s ? body.s : "", body.len, '>', b);
    free(body.s);
    return 0;
}

int pi_format(interp *I, pv v, const char *spec, size_t spec_len, pbuf *b)
{
    if (spec_len == 0)
        return pi_tostr(I, v, b);
    fspec f;
    if (parse_spec(I, spec, spec_len, &f))
        return -1;
    if (pv_is(v, PO_STR)) {
        if (f.type && f.type != 's')
            return pi_raise(I, "ValueError", "Unknown format code '%c' for object of type 'str'",
                            f.type);
        size_t n = pv_str(v)->len;
        if (f.precision >= 0 && (size_t)f.precision < n)
            n = (size_t)f.precision;
        emit_padded(&f, "", pv_str(v)->s, n, '<', b);
        return 0;
    }
    if (pv_is_intlike(v)) {
        if (f.type == 0 || strchr("dxXobcn", f.type)) {
            if (f.precision >= 0)
                return pi_raise(I, "ValueError",
                                "Precision not allowed in integer format specifier");
            return format_int(I, v.u.i, &f, b);
        }
        if (strchr("eEfFgG%", f.type))
            return format_float(I, (double)v.u.i, &f, b);
        return pi_raise(I, "ValueError", "Unknown format code '%c' for object of type 'int'",
                        f.type);
    }
    if (v.tag == PV_FLOAT) {
        if (f.type == 0 || strchr("eEfFgGn%", f.type))
            return format_float(I, v.u.f, &f, b);
        return pi_raise(I, "ValueError", "Unknown format code '%c' for object of type 'float'",
                        f.type);
    }
    if (f.type == 0 || f.type == 's') { /* other objects format their str() */
        pbuf s = {0};
        int r = pi_tostr(I, v, &s);
        if (!r)
            emit_padded(&f, "", s.s ? s.s : "", s.len, '<', b);
        free(s.s);
        return r;
    }
    return pi_raise(I, "TypeError", "unsupported format string passed to %s.__format__",
                    pi_type_name(v));
}

/* ---- "%" formatting ---- */

static int percent_one(interp *I, char conv, const fspec *f, pv arg, pbuf *b)
{
    fspec g = *f;
    if (conv == 's' || conv == 'r' || conv == 'a') {
        pbuf s = {0};
        int r = conv == 's' ? pi_tostr(I, arg, &s) : pi_repr(I, arg, &s);
        if (!r) {
            size_t n = s.len;
            if (g.precision >= 0 && (size_t)g.precision < n)
                n = (size_t)g.precision;
            g.zero = 0;
            emit_padded(&g, "", s.s ? s.s : "", n, g.align ? g.align : '>', b);
        }
        free(s.s);
        return r;
    }
    if (!pv_is_num(arg))
        return pi_raise(I, "TypeError", "%%%c format: a real number is required, not %s", conv,
                        pi_type_name(arg));
    if (strchr("diuxXoc", conv)) {
        int64_t iv = arg.tag == PV_FLOAT ? (int64_t)arg.u.f : arg.u.i;
        if (arg.tag == PV_FLOAT && !(fabs(arg.u.f) < 9.2e18))
            return pi_raise(I, "OverflowError", "cannot convert float to integer");
        g.type = conv == 'i' || conv == 'u' ? 'd' : conv;
        if (g.precision >= 0 && conv != 'c') { /* %.3d pads with zeros to 3 digits */
            char digits[32];
            snprintf(digits, sizeof digits, "%0*llu", g.precision,
                     (unsigned long long)(iv < 0 ? -(uint64_t)iv : (uint64_t)iv));
            emit_padded(&g, sign_text(&g, iv < 0), digits, strlen(digits), '>', b);
            return 0;
        }
        return format_int(I, iv, &g, b);
    }
    g.type = conv;
    return format_float(I, arg.tag == PV_FLOAT ? arg.u.f : (double)arg.u.i, &g, b);
}

int pi_percent_format(interp *I, pstr *fmt, pv args, pv *out)
{
    pbuf b = {0};
    size_t next = 0;
    int is_tuple = pv_is(args, PO_TUPLE);
    size_t n_args = is_tuple ? pv_list(args)->len : 1;
    const char *s = fmt->s;
    size_t n = fmt->len, i = 0;
    while (i < n) {
        if (s[i] != '%') {
            pbuf_put(&b, s + i, 1);
            i++;
            continue;
        }
        i++;
        pv arg = pv_none();
        int have_arg = 0;
        if (i < n && s[i] == '(') { /* %(name)s from a dict */
            size_t close = i + 1;
            while (close < n && s[close] != ')')
                close++;
            if (close >= n || !pv_is(args, PO_DICT)) {
                free(b.s);
                return pi_raise(I, "TypeError", "format requires a mapping");
            }
            pv key = pi_str(I, s + i + 1, close - i - 1);
            if (key.tag != PV_OBJ) {
                free(b.s);
                return -1;
            }
            int found = pi_dict_get(I, pv_dict(args), key, &arg);
            if (found <= 0) {
                if (found == 0)
                    pi_raise(I, "KeyError", "'%s'", pv_str(key)->s);
                pi_release(I, key);
                free(b.s);
                return -1;
            }
            pi_release(I, key);
            have_arg = 1;
            i = close + 1;
        }
        fspec f;
        memset(&f, 0, sizeof f);
        f.fill = ' ';
        f.precision = -1;
        for (; i < n && strchr("-+ #0", s[i]); i++) {
            if (s[i] == '-')
                f.align = '<';
            else if (s[i] == '+' || s[i] == ' ')
                f.sign = s[i];
            else if (s[i] == '#')
                f.alt = 1;
            else
                f.zero = 1;
        }
        if (f.align == '<')
            f.zero = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            f.width = f.width < 10000 ? f.width * 10 + (s[i] - '0') : f.width;
        if (i < n && s[i] == '.') {
            f.precision = 0;
            for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
                f.precision = f.precision < 1000 ? f.precision * 10 + (s[i] - '0') : f.precision;
        }
        if (i >= n) {
            free(b.s);
            return pi_raise(I, "ValueError", "incomplete format");
        }
        char conv = s[i++];
        if (conv == '%') {
            pbuf_puts(&b, "%");
            continue;
        }
        if (!strchr("diuxXoceEfFgGsra", conv)) {
            free(b.s);
            return pi_raise(I, "ValueError", "unsupported format character '%c'", conv);
        }
        if (!have_arg) {
            if (next >= n_args) {
                free(b.s);
                return pi_raise(I, "TypeError", "not enough arguments for format string");
            }
            arg = is_tuple ? pv_list(args)->items[next] : args;
            next++;
        }
        if (percent_one(I, conv, &f, arg, &b)) {
            free(b.s);
            return -1;
        }
    }
    if (next < n_args && !pv_is(args, PO_DICT)) {
        free(b.s);
        return pi_raise(I, "TypeError", "not all arguments converted during string formatting");
    }
    return pi_buf_to_str(I, &b, out);
}

/* ---- str.format ---- */

/* The arguments of one str.format call; auto_idx numbers the {} fields. */
typedef struct fmt_args {
    int argc;
    const pv *argv;
    int kwc;
    const int *kwn;
    const pv *kwv;
    int auto_idx;
} fmt_args;

/* The argument a field names: s[0..n) is empty, a position or a keyword name. */
static int field_arg(interp *I, fmt_args *a, const char *s, size_t n, pv *out)
{
    if (n == 0 || isdigit((unsigned char)s[0])) {
        long idx = n == 0 ? a->auto_idx++ : strtol(s, NULL, 10);
        if (idx < 0 || idx >= a->argc)
            return pi_raise(I, "IndexError",
                            "Replacement index %ld out of range for positional args tuple", idx);
        *out = pv_ref(a->argv[idx]);
        return 0;
    }
    for (int k = 0; k < a->kwc; k++) {
        const char *kn = pi_sym_name(I, a->kwn[k]);
        if (strlen(kn) == n && memcmp(kn, s, n) == 0) {
            *out = pv_ref(a->kwv[k]);
            return 0;
        }
    }
    return pi_raise(I, "KeyError", "'%.*s'", (int)n, s);
}

/* Applies the field's [index] parts, an int or a bare key each, from s[*p] up to s[end] to *v.
 * On failure *v is released (and None). */
static int field_index(interp *I, const char *s, size_t *p, size_t end, pv *v)
{
    while (*p < end && s[*p] == '[') {
        const char *key_s = s + *p + 1;
        size_t close = *p + 1;
        while (close < end && s[close] != ']')
            close++;
        char *stop;
        long iv = strtol(key_s, &stop, 10);
        size_t key_len = (size_t)(s + close - key_s);
        pv key = stop == s + close && key_len ? pv_int(iv) : pi_str(I, key_s, key_len);
        pv item;
        int r = key.tag == PV_NONE ? -1 : pi_getitem(I, *v, key, &item);
        pi_release(I, key);
        pi_release(I, *v);
        *v = r ? pv_none() : item;
        if (r)
            return -1;
        *p = close + 1;
    }
    return 0;
}

/* A !r or !s conversion: *v becomes its repr or str. */
static int field_convert(interp *I, char conv, pv *v)
{
    pbuf t = {0};
    pv text;
    int r = conv == 'r' ? pi_repr(I, *v, &t) : pi_tostr(I, *v, &t);
    if (!r && !(r = pi_buf_to_str(I, &t, &text))) {
        pi_release(I, *v);
        *v = text;
    }
    free(t.s);
    return r;
}

/* Formats the replacement field s[i..j] ('{' to its '}') into b. */
static int format_field(interp *I, fmt_args *a, const char *s, size_t i, size_t j, pbuf *b)
{
    size_t p = i + 1;
    while (p < j && s[p] != ':' && s[p] != '!' && s[p] != '[' && s[p] != '.')
        p++;
    pv v;
    if (field_arg(I, a, s + i + 1, p - i - 1, &v))
        return -1;
    int r = field_index(I, s, &p, j, &v);
    char conv = 0;
    if (!r && p < j && s[p] == '!') {
        conv = p + 1 < j ? s[p + 1] : 0;
        p += 2;
    }
    if (!r && (conv == 'r' || conv == 's'))
        r = field_convert(I, conv, &v);
    const char *spec = p < j && s[p] == ':' ? s + p + 1 : s + j;
    if (!r)
        r = pi_format(I, v, spec, (size_t)(s + j - spec), b);
    pi_release(I, v);
    return r;
}

/* The index of the '}' closing the field that opens at s[i], counting nested braces (a spec
 * may hold some); n when there is none. */
static size_t field_end(const char *s, size_t n, size_t i)
{
    size_t j = i + 1;
    int depth = 0;
    while (j < n && (s[j] != '}' || depth)) {
        depth += s[j] == '{' ? 1 : s[j] == '}' ? -1 : 0;
        j++;
    }
    return j;
}

int pi_str_format(interp *I, pstr *fmt, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    fmt_args a = {argc, argv, kwc, kwn, kwv, 0};
    pbuf b = {0};
    const char *s = fmt->s;
    size_t n = fmt->len, i = 0;
    while (i < n) {
        char c = s[i];
        if ((c == '{' || c == '}') && i + 1 < n && s[i + 1] == c) { /* {{ and }} */
            pbuf_put(&b, &c, 1);
            i += 2;
            continue;
        }
        if (c != '{' && c != '}') {
            pbuf_put(&b, &c, 1);
            i++;
            continue;
        }
        size_t j = c == '{' ? field_end(s, n, i) : n;
        if (j >= n) {
            free(b.s);
            return pi_raise(I, "ValueError", "Single '%c' encountered in format string", c);
        }
        if (format_field(I, &a, s, i, j, &b)) {
            free(b.s);
            return -1;
        }
        i = j + 1;
    }
    return pi_buf_to_str(I, &b, out);
}
