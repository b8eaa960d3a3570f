/* img_ops.c - PIL.ImageOps (Pillow 9.4) over the img_geom primitives (see img_ops.h).
 *
 * Most operations are a lookup table built exactly as ImageOps.py builds it and applied with
 * img_point, or a short composition of resize / crop / paste, so their results inherit the
 * Pillow exactness of those primitives.
 */
#include "vision/img_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

img *img_ops_mirror(const img *src, errmsg *e)
{
    return img_transpose(src, IMG_FLIP_LEFT_RIGHT, e);
}

img *img_ops_flip(const img *src, errmsg *e)
{
    return img_transpose(src, IMG_FLIP_TOP_BOTTOM, e);
}

img *img_ops_grayscale(const img *src, errmsg *e)
{
    return img_convert(src, IMG_L, e);
}

/* ImageOps._lut: tables only for L and RGB (RGBA raises in Pillow 9.4). lut holds 256 entries
 * per channel. */
static img *apply_lut(const img *src, const int *lut, const char *what, errmsg *e)
{
    if (src->mode != IMG_L && src->mode != IMG_RGB) {
        err_set(e, ERR_FAIL, "%s: not supported for this image mode (%s; use L or RGB)", what,
                img_mode_name(src->mode));
        return NULL;
    }
    img *out = img_point(src, lut, (size_t)256 * (size_t)img_channels(src->mode), e);
    if (!out)
        err_prefix(e, "%s: ", what);
    return out;
}

/* One 256-entry table repeated for every band, as ImageOps does for RGB. */
static img *apply_shared_lut(const img *src, const int table[256], const char *what, errmsg *e)
{
    int lut[3 * 256];
    for (int c = 0; c < 3; c++)
        memcpy(lut + c * 256, table, sizeof(int) * 256);
    return apply_lut(src, lut, what, e);
}

img *img_ops_invert(const img *src, errmsg *e)
{
    int t[256];
    for (int i = 0; i < 256; i++)
        t[i] = 255 - i;
    return apply_shared_lut(src, t, "invert", e);
}

img *img_ops_posterize(const img *src, int bits, errmsg *e)
{
    if (bits < 0 || bits > 8) {
        err_set(e, ERR_FAIL, "posterize: bits must be 0..8, got %d", bits);
        return NULL;
    }
    int mask = ~((1 << (8 - bits)) - 1);
    int t[256];
    for (int i = 0; i < 256; i++)
        t[i] = i & mask;
    return apply_shared_lut(src, t, "posterize", e);
}

img *img_ops_solarize(const img *src, int threshold, errmsg *e)
{
    int t[256];
    for (int i = 0; i < 256; i++)
        t[i] = i < threshold ? i : 255 - i;
    return apply_shared_lut(src, t, "solarize", e);
}

/* Python's float floor division a // b, which autocontrast uses for its cut counts. */
static double py_floordiv(double a, double b)
{
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0)))
        div -= 1.0;
    if (div == 0)
        return copysign(0.0, a / b);
    double f = floor(div);
    return div - f > 0.5 ? f + 1.0 : f;
}

/* Removes `cut` samples from one end of the histogram, walking from `from` by `dir`. */
static void cut_end(double *h, double cut, int from, int dir)
{
    for (int i = from; i >= 0 && i < 256; i += dir) {
        if (cut > h[i]) {
            cut -= h[i];
            h[i] = 0;
        } else {
            h[i] -= cut;
            cut = 0;
        }
        if (cut <= 0)
            break;
    }
}

/* One band's autocontrast table from its histogram. */
static void autocontrast_table(const uint32_t *hist, double lo_cut, double hi_cut, int ignore,
                               int *lut)
{
    double h[256];
    for (int i = 0; i < 256; i++)
        h[i] = (double)hist[i];
    if (ignore >= 0 && ignore < 256)
        h[ignore] = 0;
    if (lo_cut != 0 || hi_cut != 0) {
        double n = 0;
        for (int i = 0; i < 256; i++)
            n += h[i];
        cut_end(h, py_floordiv(n * lo_cut, 100), 0, 1);
        cut_end(h, py_floordiv(n * hi_cut, 100), 255, -1);
    }
    int lo = 0, hi = 255;
    while (lo < 255 && !h[lo])
        lo++;
    while (hi > 0 && !h[hi])
        hi--;
    for (int i = 0; i < 256; i++)
        lut[i] = i;
    if (hi <= lo)
        return;
    double scale = 255.0 / (hi - lo);
    double offset = -lo * scale;
    for (int i = 0; i < 256; i++) {
        int v = (int)(i * scale + offset);
        lut[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
}

img *img_ops_autocontrast(const img *src, double cutoff_lo, double cutoff_hi, int ignore,
                          int preserve_tone, errmsg *e)
{
    if (src->mode != IMG_L && src->mode != IMG_RGB) {
        err_set(e, ERR_FAIL, "autocontrast: not supported for this image mode (%s; use L or RGB)",
                img_mode_name(src->mode));
        return NULL;
    }
    const img *measured = src;
    img *gray = NULL;
    if (preserve_tone) {
        gray = img_convert(src, IMG_L, e);
        if (!gray)
            return NULL;
        measured = gray;
    }
    uint32_t hist[3 * 256];
    int lut[3 * 256];
    img_histogram(measured, NULL, hist, e);
    int bands = img_channels(measured->mode);
    for (int b = 0; b < bands; b++)
        autocontrast_table(hist + b * 256, cutoff_lo, cutoff_hi, ignore, lut + b * 256);
    img_free(gray);
    /* preserve_tone measures one (luma) band and applies its table to every band. */
    for (int b = bands; b < 3; b++)
        memcpy(lut + b * 256, lut, sizeof(int) * 256);
    return apply_lut(src, lut, "autocontrast", e);
}

img *img_ops_equalize(const img *src, const img *mask, errmsg *e)
{
    if (src->mode != IMG_L && src->mode != IMG_RGB) {
        err_set(e, ERR_FAIL, "equalize: not supported for this image mode (%s; use L or RGB)",
                img_mode_name(src->mode));
        return NULL;
    }
    uint32_t hist[3 * 256];
    int lut[3 * 256];
    if (img_histogram(src, mask, hist, e)) {
        err_prefix(e, "equalize: ");
        return NULL;
    }
    for (int b = 0; b < img_channels(src->mode); b++) {
        const uint32_t *h = hist + b * 256;
        int *t = lut + b * 256;
        long long total = 0, last = 0;
        int used = 0;
        for (int i = 0; i < 256; i++) {
            if (h[i]) {
                total += h[i];
                last = h[i];
                used++;
            }
        }
        long long step = used <= 1 ? 0 : (total - last) / 255;
        if (!step) {
            for (int i = 0; i < 256; i++)
                t[i] = i;
            continue;
        }
        long long n = step / 2;
        for (int i = 0; i < 256; i++) {
            long long v = n / step;
            t[i] = v > 255 ? 255 : (int)v;
            n += h[i];
        }
    }
    return apply_lut(src, lut, "equalize", e);
}

/* Python's floor division for the wedge's possibly negative steps. */
static int floordiv(int a, int b)
{
    int q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Appends count entries running from colour channel a towards b, as colorize's wedge does. */
static int wedge(int *t, int at, int a, int b, int count)
{
    for (int i = 0; i < count; i++)
        t[at++] = a + floordiv(i * (b - a), count);
    return at;
}

img *img_ops_colorize(const img *src, const uint8_t black[3], const uint8_t white[3],
                      const uint8_t *mid, int blackpoint, int whitepoint, int midpoint, errmsg *e)
{
    if (src->mode != IMG_L) {
        err_set(e, ERR_FAIL, "colorize: the image must be L, not %s", img_mode_name(src->mode));
        return NULL;
    }
    int ordered = mid ? (0 <= blackpoint && blackpoint <= midpoint && midpoint <= whitepoint &&
                         whitepoint <= 255)
                      : (0 <= blackpoint && blackpoint <= whitepoint && whitepoint <= 255);
    if (!ordered) {
        err_set(e, ERR_FAIL, "colorize: points %d, %d, %d are not in order within 0..255",
                blackpoint, midpoint, whitepoint);
        return NULL;
    }
    int lut[3 * 256];
    for (int c = 0; c < 3; c++) {
        int *t = lut + c * 256, at = 0;
        for (int i = 0; i < blackpoint; i++)
            t[at++] = black[c];
        if (!mid) {
            at = wedge(t, at, black[c], white[c], whitepoint - blackpoint);
        } else {
            at = wedge(t, at, black[c], mid[c], midpoint - blackpoint);
            at = wedge(t, at, mid[c], white[c], whitepoint - midpoint);
        }
        while (at < 256)
            t[at++] = white[c];
    }
    img *rgb = img_convert(src, IMG_RGB, e);
    img *out = rgb ? apply_lut(rgb, lut, "colorize", e) : NULL;
    img_free(rgb);
    return out;
}

img *img_ops_expand(const img *src, int left, int top, int right, int bottom, const uint8_t *fill,
                    errmsg *e)
{
    if (left < 0 || top < 0 || right < 0 || bottom < 0) {
        err_set(e, ERR_FAIL, "expand: borders must be >= 0 (got %d, %d, %d, %d)", left, top, right,
                bottom);
        return NULL;
    }
    long long w = (long long)left + src->w + right, h = (long long)top + src->h + bottom;
    if (w > 1 << 20 || h > 1 << 20) {
        err_set(e, ERR_FAIL, "expand: result of %lldx%lld is too large", w, h);
        return NULL;
    }
    img *out = img_new((int)w, (int)h, src->mode, fill, e);
    if (!out)
        return NULL;
    img_paste(out, src, left, top, left + src->w, top + src->h, NULL, e);
    return out;
}

img *img_ops_crop(const img *src, int left, int top, int right, int bottom, errmsg *e)
{
    img *out = img_crop(src, left, top, (double)src->w - right, (double)src->h - bottom, e);
    if (!out)
        err_prefix(e, "ImageOps.crop: ");
    return out;
}

/* Python's round() of a non-negative size, halves to even. */
static int round_size(double v)
{
    return (int)nearbyint(v);
}

img *img_ops_scale(const img *src, double factor, img_resample filter, errmsg *e)
{
    if (factor == 1)
        return img_copy(src, e);
    if (!(factor > 0) || !isfinite(factor)) {
        err_set(e, ERR_FAIL, "scale: the factor must be greater than 0 (got %g)", factor);
        return NULL;
    }
    double w = nearbyint(factor * src->w), h = nearbyint(factor * src->h);
    if (w < 1 || h < 1 || w > 1 << 20 || h > 1 << 20) {
        err_set(e, ERR_FAIL, "scale: factor %g gives a %gx%g image", factor, w, h);
        return NULL;
    }
    return img_resize(src, (int)w, (int)h, filter, NULL, e);
}

/* contain()'s target size, computed with Python's float arithmetic and round(). */
static void contain_size(const img *src, int *w, int *h)
{
    double im_ratio = (double)src->w / src->h;
    double dest_ratio = (double)*w / *h;
    if (im_ratio == dest_ratio)
        return;
    if (im_ratio > dest_ratio)
        *h = round_size((double)src->h / src->w * *w);
    else
        *w = round_size((double)src->w / src->h * *h);
}

img *img_ops_contain(const img *src, int w, int h, img_resample filter, errmsg *e)
{
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "contain: size %dx%d must be at least 1x1", w, h);
        return NULL;
    }
    contain_size(src, &w, &h);
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "contain: the image's aspect ratio leaves a %dx%d result", w, h);
        return NULL;
    }
    return img_resize(src, w, h, filter, NULL, e);
}

static double clamp01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

img *img_ops_pad(const img *src, int w, int h, img_resample filter, const uint8_t *colour,
                 double cx, double cy, errmsg *e)
{
    img *resized = img_ops_contain(src, w, h, filter, e);
    if (!resized)
        return NULL;
    if (resized->w == w && resized->h == h)
        return resized;
    img *out = img_new(w, h, src->mode, colour, e);
    if (out) {
        int x = 0, y = 0;
        if (resized->w != w)
            x = (int)nearbyint((w - resized->w) * clamp01(cx));
        else
            y = (int)nearbyint((h - resized->h) * clamp01(cy));
        img_paste(out, resized, x, y, x + resized->w, y + resized->h, NULL, e);
    }
    img_free(resized);
    return out;
}

img *img_ops_fit(const img *src, int w, int h, img_resample filter, double bleed, double cx,
                 double cy, errmsg *e)
{
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "fit: size %dx%d must be at least 1x1", w, h);
        return NULL;
    }
    /* Out-of-range settings fall back to the defaults, as in Pillow. */
    if (!(cx >= 0.0 && cx <= 1.0))
        cx = 0.5;
    if (!(cy >= 0.0 && cy <= 1.0))
        cy = 0.5;
    if (!(bleed >= 0.0 && bleed < 0.5))
        bleed = 0.0;
    double bleed_x = bleed * src->w, bleed_y = bleed * src->h;
    double live_w = src->w - bleed_x * 2, live_h = src->h - bleed_y * 2;
    double live_ratio = live_w / live_h;
    double out_ratio = (double)w / h;
    double crop_w = live_w, crop_h = live_h;
    if (live_ratio == out_ratio) {
        /* already the needed ratio */
    } else if (live_ratio >= out_ratio) {
        crop_w = out_ratio * live_h;
    } else {
        crop_h = live_w / out_ratio;
    }
    double left = bleed_x + (live_w - crop_w) * cx;
    double top = bleed_y + (live_h - crop_h) * cy;
    double box[4] = {left, top, left + crop_w, top + crop_h};
    return img_resize(src, w, h, filter, box, e);
}
