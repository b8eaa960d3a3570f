/* img_color.c - Pillow 9.4's ImageColor.getrgb/getcolor and ink conversion (see img_color.h).
 *
 * The string forms are matched by hand, one small matcher per regular expression Pillow
 * uses, so that the same strings are accepted: Python's `$` also matches before one final
 * newline, `\s` is any of " \t\n\r\f\v", and numbers are ASCII digits.
 */
#include "vision/img_color.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPONENT_LIMIT (1 << 30)
#define SPEC_MAX_CHARS  100

typedef struct named_color {
    const char *name;
    uint8_t r, g, b;
} named_color;

/* Pillow 9.4's ImageColor.colormap (the CSS colour names), sorted for bsearch. */
static const named_color NAMED_COLORS[] = {
    {"aliceblue", 240, 248, 255},
    {"antiquewhite", 250, 235, 215},
    {"aqua", 0, 255, 255},
    {"aquamarine", 127, 255, 212},
    {"azure", 240, 255, 255},
    {"beige", 245, 245, 220},
    {"bisque", 255, 228, 196},
    {"black", 0, 0, 0},
    {"blanchedalmond", 255, 235, 205},
    {"blue", 0, 0, 255},
    {"blueviolet", 138, 43, 226},
    {"brown", 165, 42, 42},
    {"burlywood", 222, 184, 135},
    {"cadetblue", 95, 158, 160},
    {"chartreuse", 127, 255, 0},
    {"chocolate", 210, 105, 30},
    {"coral", 255, 127, 80},
    {"cornflowerblue", 100, 149, 237},
    {"cornsilk", 255, 248, 220},
    {"crimson", 220, 20, 60},
    {"cyan", 0, 255, 255},
    {"darkblue", 0, 0, 139},
    {"darkcyan", 0, 139, 139},
    {"darkgoldenrod", 184, 134, 11},
    {"darkgray", 169, 169, 169},
    {"darkgreen", 0, 100, 0},
    {"darkgrey", 169, 169, 169},
    {"darkkhaki", 189, 183, 107},
    {"darkmagenta", 139, 0, 139},
    {"darkolivegreen", 85, 107, 47},
    {"darkorange", 255, 140, 0},
    {"darkorchid", 153, 50, 204},
    {"darkred", 139, 0, 0},
    {"darksalmon", 233, 150, 122},
    {"darkseagreen", 143, 188, 143},
    {"darkslateblue", 72, 61, 139},
    {"darkslategray", 47, 79, 79},
    {"darkslategrey", 47, 79, 79},
    {"darkturquoise", 0, 206, 209},
    {"darkviolet", 148, 0, 211},
    {"deeppink", 255, 20, 147},
    {"deepskyblue", 0, 191, 255},
    {"dimgray", 105, 105, 105},
    {"dimgrey", 105, 105, 105},
    {"dodgerblue", 30, 144, 255},
    {"firebrick", 178, 34, 34},
    {"floralwhite", 255, 250, 240},
    {"forestgreen", 34, 139, 34},
    {"fuchsia", 255, 0, 255},
    {"gainsboro", 220, 220, 220},
    {"ghostwhite", 248, 248, 255},
    {"gold", 255, 215, 0},
    {"goldenrod", 218, 165, 32},
    {"gray", 128, 128, 128},
    {"green", 0, 128, 0},
    {"greenyellow", 173, 255, 47},
    {"grey", 128, 128, 128},
    {"honeydew", 240, 255, 240},
    {"hotpink", 255, 105, 180},
    {"indianred", 205, 92, 92},
    {"indigo", 75, 0, 130},
    {"ivory", 255, 255, 240},
    {"khaki", 240, 230, 140},
    {"lavender", 230, 230, 250},
    {"lavenderblush", 255, 240, 245},
    {"lawngreen", 124, 252, 0},
    {"lemonchiffon", 255, 250, 205},
    {"lightblue", 173, 216, 230},
    {"lightcoral", 240, 128, 128},
    {"lightcyan", 224, 255, 255},
    {"lightgoldenrodyellow", 250, 250, 210},
    {"lightgray", 211, 211, 211},
    {"lightgreen", 144, 238, 144},
    {"lightgrey", 211, 211, 211},
    {"lightpink", 255, 182, 193},
    {"lightsalmon", 255, 160, 122},
    {"lightseagreen", 32, 178, 170},
    {"lightskyblue", 135, 206, 250},
    {"lightslategray", 119, 136, 153},
    {"lightslategrey", 119, 136, 153},
    {"lightsteelblue", 176, 196, 222},
    {"lightyellow", 255, 255, 224},
    {"lime", 0, 255, 0},
    {"limegreen", 50, 205, 50},
    {"linen", 250, 240, 230},
    {"magenta", 255, 0, 255},
    {"maroon", 128, 0, 0},
    {"mediumaquamarine", 102, 205, 170},
    {"mediumblue", 0, 0, 205},
    {"mediumorchid", 186, 85, 211},
    {"mediumpurple", 147, 112, 219},
    {"mediumseagreen", 60, 179, 113},
    {"mediumslateblue", 123, 104, 238},
    {"mediumspringgreen", 0, 250, 154},
    {"mediumturquoise", 72, 209, 204},
    {"mediumvioletred", 199, 21, 133},
    {"midnightblue", 25, 25, 112},
    {"mintcream", 245, 255, 250},
    {"mistyrose", 255, 228, 225},
    {"moccasin", 255, 228, 181},
    {"navajowhite", 255, 222, 173},
    {"navy", 0, 0, 128},
    {"oldlace", 253, 245, 230},
    {"olive", 128, 128, 0},
    {"olivedrab", 107, 142, 35},
    {"orange", 255, 165, 0},
    {"orangered", 255, 69, 0},
    {"orchid", 218, 112, 214},
    {"palegoldenrod", 238, 232, 170},
    {"palegreen", 152, 251, 152},
    {"paleturquoise", 175, 238, 238},
    {"palevioletred", 219, 112, 147},
    {"papayawhip", 255, 239, 213},
    {"peachpuff", 255, 218, 185},
    {"peru", 205, 133, 63},
    {"pink", 255, 192, 203},
    {"plum", 221, 160, 221},
    {"powderblue", 176, 224, 230},
    {"purple", 128, 0, 128},
    {"rebeccapurple", 102, 51, 153},
    {"red", 255, 0, 0},
    {"rosybrown", 188, 143, 143},
    {"royalblue", 65, 105, 225},
    {"saddlebrown", 139, 69, 19},
    {"salmon", 250, 128, 114},
    {"sandybrown", 244, 164, 96},
    {"seagreen", 46, 139, 87},
    {"seashell", 255, 245, 238},
    {"sienna", 160, 82, 45},
    {"silver", 192, 192, 192},
    {"skyblue", 135, 206, 235},
    {"slateblue", 106, 90, 205},
    {"slategray", 112, 128, 144},
    {"slategrey", 112, 128, 144},
    {"snow", 255, 250, 250},
    {"springgreen", 0, 255, 127},
    {"steelblue", 70, 130, 180},
    {"tan", 210, 180, 140},
    {"teal", 0, 128, 128},
    {"thistle", 216, 191, 216},
    {"tomato", 255, 99, 71},
    {"turquoise", 64, 224, 208},
    {"violet", 238, 130, 238},
    {"wheat", 245, 222, 179},
    {"white", 255, 255, 255},
    {"whitesmoke", 245, 245, 245},
    {"yellow", 255, 255, 0},
    {"yellowgreen", 154, 205, 50},
};

static int compare_named(const void *key, const void *entry)
{
    return strcmp((const char *)key, ((const named_color *)entry)->name);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* Python's `$`: the end of the string, or a newline that ends it. */
static int at_end(const char *p)
{
    return p[0] == 0 || (p[0] == '\n' && p[1] == 0);
}

static int clamp_component(double v)
{
    if (v > COMPONENT_LIMIT)
        return COMPONENT_LIMIT;
    if (v < -COMPONENT_LIMIT)
        return -COMPONENT_LIMIT;
    return (int)v;
}

/* `\d+`, saturating. Returns the position after the digits, or NULL. */
static const char *match_uint(const char *p, int *out)
{
    if (!is_digit(*p))
        return NULL;
    long long v = 0;
    for (; is_digit(*p); p++)
        v = v < COMPONENT_LIMIT ? v * 10 + (*p - '0') : v;
    *out = v > COMPONENT_LIMIT ? COMPONENT_LIMIT : (int)v;
    return p;
}

/* `\d+\.?\d*` as a Python float. */
static const char *match_real(const char *p, double *out)
{
    const char *start = p;
    if (!is_digit(*p))
        return NULL;
    while (is_digit(*p))
        p++;
    if (*p == '.')
        p++;
    while (is_digit(*p))
        p++;
    char buf[128];
    size_t n = (size_t)(p - start);
    if (n >= sizeof buf)
        return NULL;
    memcpy(buf, start, n);
    buf[n] = 0;
    *out = strtod(buf, NULL);
    return p;
}

/* "name(" then count comma-separated items, each an int (want_real 0) or a real (1), each
 * optionally followed by '%' when pct_mask has its bit, then ")" and the end. */
static int match_call(const char *s, const char *name, int count, int want_real, int pct_mask,
                      double out[4])
{
    size_t len = strlen(name);
    if (strncmp(s, name, len) != 0 || s[len] != '(')
        return 0;
    const char *p = s + len + 1;
    for (int i = 0; i < count; i++) {
        p = skip_space(p);
        if (want_real) {
            p = match_real(p, &out[i]);
        } else {
            int v = 0;
            p = match_uint(p, &v);
            out[i] = v;
        }
        if (!p)
            return 0;
        if (pct_mask & (1 << i)) {
            if (*p != '%')
                return 0;
            p++;
        }
        p = skip_space(p);
        if (*p != (i == count - 1 ? ')' : ','))
            return 0;
        p++;
    }
    return at_end(p);
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "#" followed by exactly ndigits hex digits (3, 4, 6 or 8). */
static int match_hex(const char *s, int rgba[4], int *ncomp)
{
    if (s[0] != '#')
        return 0;
    int nd = 0;
    while (hex_value(s[1 + nd]) >= 0)
        nd++;
    if (!at_end(s + 1 + nd) || (nd != 3 && nd != 4 && nd != 6 && nd != 8))
        return 0;
    int per = nd <= 4 ? 1 : 2;
    *ncomp = nd / per;
    for (int i = 0; i < *ncomp; i++) {
        const char *d = s + 1 + i * per;
        rgba[i] = per == 1 ? hex_value(d[0]) * 17 : hex_value(d[0]) * 16 + hex_value(d[1]);
    }
    return 1;
}

/* Python's `x % 1.0`: the result takes the sign of the divisor. */
static double py_mod1(double x)
{
    double m = fmod(x, 1.0);
    if (m != 0 && m < 0)
        m += 1.0;
    return m == 0 ? 0.0 : m;
}

/* colorsys.hls_to_rgb's helper, step for step so the doubles round identically. */
static double hls_value(double m1, double m2, double hue)
{
    hue = py_mod1(hue);
    if (hue < 1.0 / 6.0)
        return m1 + (m2 - m1) * hue * 6.0;
    if (hue < 0.5)
        return m2;
    if (hue < 2.0 / 3.0)
        return m1 + (m2 - m1) * (2.0 / 3.0 - hue) * 6.0;
    return m1;
}

static void hls_to_rgb(double h, double l, double s, double rgb[3])
{
    if (s == 0.0) {
        rgb[0] = rgb[1] = rgb[2] = l;
        return;
    }
    double m2 = l <= 0.5 ? l * (1.0 + s) : l + s - (l * s);
    double m1 = 2.0 * l - m2;
    rgb[0] = hls_value(m1, m2, h + 1.0 / 3.0);
    rgb[1] = hls_value(m1, m2, h);
    rgb[2] = hls_value(m1, m2, h - 1.0 / 3.0);
}

static void hsv_to_rgb(double h, double s, double v, double rgb[3])
{
    if (s == 0.0) {
        rgb[0] = rgb[1] = rgb[2] = v;
        return;
    }
    double i = trunc(h * 6.0);
    double f = (h * 6.0) - i;
    double p = v * (1.0 - s), q = v * (1.0 - s * f), t = v * (1.0 - s * (1.0 - f));
    int sector = (int)fmod(i, 6.0);
    const double table[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
    memcpy(rgb, table[sector], sizeof table[0]);
}

/* Python's repr() of a str, enough for an error message. */
static void quote_spec(const char *s, char *out, size_t cap)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    size_t n = 0;
    out[n++] = q;
    for (; *s && n + 6 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\' || c == (unsigned char)q)
            n += (size_t)snprintf(out + n, cap - n, "\\%c", c);
        else if (c == '\n')
            n += (size_t)snprintf(out + n, cap - n, "\\n");
        else if (c == '\t')
            n += (size_t)snprintf(out + n, cap - n, "\\t");
        else if (c == '\r')
            n += (size_t)snprintf(out + n, cap - n, "\\r");
        else if (c < 0x20 || c == 0x7f)
            n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n++] = q;
    out[n] = 0;
}

static size_t count_code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int parse_function_forms(const char *s, int rgba[4], int *ncomp)
{
    double v[4];
    *ncomp = 3;
    if (match_call(s, "rgb", 3, 0, 0, v)) {
        for (int i = 0; i < 3; i++)
            rgba[i] = (int)v[i];
        return 1;
    }
    if (match_call(s, "rgb", 3, 0, 7, v)) {
        for (int i = 0; i < 3; i++)
            rgba[i] = clamp_component(v[i] * 255 / 100.0 + 0.5);
        return 1;
    }
    double rgb[3];
    if (match_call(s, "hsl", 3, 1, 6, v))
        hls_to_rgb(v[0] / 360.0, v[2] / 100.0, v[1] / 100.0, rgb);
    else if (match_call(s, "hsv", 3, 1, 6, v) || match_call(s, "hsb", 3, 1, 6, v))
        hsv_to_rgb(v[0] / 360.0, v[1] / 100.0, v[2] / 100.0, rgb);
    else if (match_call(s, "rgba", 4, 0, 0, v)) {
        for (int i = 0; i < 4; i++)
            rgba[i] = (int)v[i];
        *ncomp = 4;
        return 1;
    } else
        return 0;
    for (int i = 0; i < 3; i++)
        rgba[i] = clamp_component(rgb[i] * 255 + 0.5);
    return 1;
}

int img_color_getrgb(const char *spec, int rgba[4], int *ncomp, errmsg *e)
{
    /* The byte bound also covers malformed UTF-8 (lone continuation bytes count as no
     * character but still take room). */
    char lower[4 * SPEC_MAX_CHARS + 1];
    size_t n = strlen(spec);
    if (count_code_points(spec) > SPEC_MAX_CHARS || n >= sizeof lower)
        return err_set(e, ERR_FAIL, "color specifier is too long");
    for (size_t i = 0; i <= n; i++)
        lower[i] = (spec[i] >= 'A' && spec[i] <= 'Z') ? (char)(spec[i] - 'A' + 'a') : spec[i];

    rgba[3] = 255;
    const named_color *named =
        bsearch(lower, NAMED_COLORS, sizeof NAMED_COLORS / sizeof NAMED_COLORS[0],
                sizeof NAMED_COLORS[0], compare_named);
    if (named) {
        rgba[0] = named->r, rgba[1] = named->g, rgba[2] = named->b;
        *ncomp = 3;
        return 0;
    }
    if (match_hex(lower, rgba, ncomp) || parse_function_forms(lower, rgba, ncomp)) {
        if (*ncomp == 3)
            rgba[3] = 255;
        return 0;
    }
    char quoted[sizeof lower * 4 + 3];
    quote_spec(lower, quoted, sizeof quoted);
    return err_set(e, ERR_FAIL, "unknown color specifier: %s", quoted);
}

static uint8_t clip8(long long v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* Python's floor division by 2^16, for negative sums too. */
static long long floor_shift16(long long v)
{
    return v >= 0 ? v >> 16 : -((-v + 65535) >> 16);
}

int img_ink_from_str(const char *spec, img_mode mode, uint8_t ink[4], errmsg *e)
{
    int c[4], ncomp;
    if (img_color_getrgb(spec, c, &ncomp, e))
        return e ? e->code : ERR_FAIL;
    if (mode == IMG_L) {
        long long luma =
            (long long)c[0] * 19595 + (long long)c[1] * 38470 + (long long)c[2] * 7471 + 0x8000;
        ink[0] = clip8(floor_shift16(luma));
        ink[1] = ink[2] = ink[3] = 0;
        return 0;
    }
    for (int i = 0; i < 3; i++)
        ink[i] = clip8(c[i]);
    ink[3] = mode == IMG_RGBA ? clip8(c[3]) : 255;
    return 0;
}

void img_ink_from_int(long long v, img_mode mode, uint8_t ink[4])
{
    if (mode == IMG_L) {
        ink[0] = clip8(v);
        ink[1] = ink[2] = ink[3] = 0;
        return;
    }
    /* Pillow's "compatibility: ABGR" packing: red in the low byte. */
    unsigned long long u = (unsigned long long)v;
    for (int i = 0; i < 4; i++)
        ink[i] = (uint8_t)(u >> (8 * i));
}

int img_ink_from_tuple(const long long *v, int n, img_mode mode, uint8_t ink[4], errmsg *e)
{
    if (n == 1) {
        img_ink_from_int(v[0], mode, ink);
        return 0;
    }
    if (mode == IMG_L)
        return err_set(e, ERR_FAIL, "color must be int or single-element tuple (got %d elements)",
                       n);
    if (n != 3 && n != 4)
        return err_set(e, ERR_FAIL,
                       "color must be int, or tuple of one, three or four elements (got %d)", n);
    for (int i = 0; i < 3; i++)
        ink[i] = clip8(v[i]);
    ink[3] = n == 4 ? clip8(v[3]) : 255;
    return 0;
}

void img_ink_default(img_mode mode, uint8_t ink[4])
{
    img_ink_from_int(-1, mode, ink);
}
