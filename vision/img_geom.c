/* img_geom.c - Pillow 9.4's Image methods on L / RGB / RGBA images (see img_geom.h).
 *
 * The arithmetic deliberately mirrors Pillow's libImaging (Convert.c, Paste.c, Geometry.c,
 * Resample.c, Blend.c, AlphaComposite.c) down to float-vs-double choices and the order of
 * additions, because the tests demand the same bytes as Pillow, not merely a similar image.
 * The comments say where a choice looks odd but is Pillow's.
 *
 * Floating-point results assume IEEE double arithmetic without fused multiply-add (the
 * x86-64 default), as Pillow's own builds do.
 */
#include "vision/img_geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEOM_PI 3.14159265358979323846

/* Pillow's 8-bit blend with rounding: (a * (255 - m) + b * m) / 255. */
static inline uint8_t blend255(unsigned m, unsigned a, unsigned b)
{
    unsigned t = a * (255 - m) + b * m + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

/* Pillow's MULDIV255: a * b / 255 rounded. */
static inline uint8_t muldiv255(unsigned a, unsigned b)
{
    unsigned t = a * b + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

static inline uint8_t clip8_int(int v)
{
    return (uint8_t)(v <= 0 ? 0 : v < 256 ? v : 255);
}

static int check_mode(const img *im, const char *what, errmsg *e)
{
    if (im->mode != IMG_L && im->mode != IMG_RGB && im->mode != IMG_RGBA)
        return err_set(e, ERR_FAIL, "%s: image mode %d is not L, RGB or RGBA", what, (int)im->mode);
    return 0;
}

const char *img_resample_name(img_resample filter)
{
    switch (filter) {
    case IMG_NEAREST: return "NEAREST";
    case IMG_LANCZOS: return "LANCZOS";
    case IMG_BILINEAR: return "BILINEAR";
    case IMG_BICUBIC: return "BICUBIC";
    case IMG_BOX: return "BOX";
    case IMG_HAMMING: return "HAMMING";
    }
    return "?";
}

int img_resample_parse(const char *name)
{
    static const char *const names[] = {"NEAREST", "LANCZOS", "BILINEAR",
                                        "BICUBIC", "BOX",     "HAMMING"};
    for (int i = 0; i < 6; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    if (strcmp(name, "ANTIALIAS") == 0)
        return IMG_LANCZOS;
    if (strcmp(name, "CUBIC") == 0)
        return IMG_BICUBIC;
    if (strcmp(name, "LINEAR") == 0)
        return IMG_BILINEAR;
    return -1;
}

/* ==== modes and pixels ================================================================= */

img *img_convert(const img *src, img_mode mode, errmsg *e)
{
    if (check_mode(src, "convert", e))
        return NULL;
    img *out = img_new(src->w, src->h, mode, NULL, e);
    if (!out)
        return NULL;
    size_t n = (size_t)src->w * (size_t)src->h;
    int si = img_channels(src->mode), di = img_channels(mode);
    const uint8_t *s = src->px;
    uint8_t *d = out->px;
    if (src->mode == mode) {
        memcpy(d, s, img_bytes(src));
    } else if (mode == IMG_L) {
        for (size_t i = 0; i < n; i++)
            d[i] = img_luma(s + i * si);
    } else if (src->mode == IMG_L) {
        for (size_t i = 0; i < n; i++) {
            memset(d + i * di, s[i], 3);
            if (di == 4)
                d[i * 4 + 3] = 255;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            memcpy(d + i * di, s + i * si, 3);
            if (di == 4)
                d[i * 4 + 3] = 255;
        }
    }
    return out;
}

/* Pillow indexes pixels from the far edge for negative coordinates. */
static int pixel_index(const img *im, int x, int y, size_t *at, errmsg *e)
{
    int ox = x, oy = y;
    if (x < 0)
        x += im->w;
    if (y < 0)
        y += im->h;
    if (x < 0 || x >= im->w || y < 0 || y >= im->h)
        return err_set(e, ERR_FAIL, "pixel (%d, %d) is outside the %dx%d image", ox, oy, im->w,
                       im->h);
    *at = ((size_t)y * (size_t)im->w + (size_t)x) * (size_t)img_channels(im->mode);
    return 0;
}

int img_getpixel(const img *im, int x, int y, uint8_t out[4], errmsg *e)
{
    size_t at = 0;
    if (pixel_index(im, x, y, &at, e))
        return ERR_FAIL;
    memcpy(out, im->px + at, (size_t)img_channels(im->mode));
    return 0;
}

int img_putpixel(img *im, int x, int y, const uint8_t *value, errmsg *e)
{
    size_t at = 0;
    if (pixel_index(im, x, y, &at, e))
        return ERR_FAIL;
    memcpy(im->px + at, value, (size_t)img_channels(im->mode));
    return 0;
}

img *img_putalpha(const img *im, const img *alpha_im, int alpha, errmsg *e)
{
    if (alpha_im && (alpha_im->mode != IMG_L || alpha_im->w != im->w || alpha_im->h != im->h)) {
        err_set(e, ERR_FAIL, "putalpha: the alpha must be an L image of %dx%d (got %s %dx%d)",
                im->w, im->h, img_mode_name(alpha_im->mode), alpha_im->w, alpha_im->h);
        return NULL;
    }
    img *out = img_convert(im, IMG_RGBA, e);
    if (!out)
        return NULL;
    size_t n = (size_t)im->w * (size_t)im->h;
    uint8_t constant = clip8_int(alpha);
    for (size_t i = 0; i < n; i++)
        out->px[i * 4 + 3] = alpha_im ? alpha_im->px[i] : constant;
    return out;
}

img *img_linear_gradient(errmsg *e)
{
    img *out = img_new(256, 256, IMG_L, NULL, e);
    for (int y = 0; out && y < 256; y++)
        memset(out->px + (size_t)y * 256, y, 256);
    return out;
}

img *img_radial_gradient(errmsg *e)
{
    img *out = img_new(256, 256, IMG_L, NULL, e);
    for (int y = 0; out && y < 256; y++) {
        for (int x = 0; x < 256; x++) {
            int d = (int)sqrt((double)((x - 128) * (x - 128) + (y - 128) * (y - 128)) * 2.0);
            out->px[y * 256 + x] = (uint8_t)(d >= 255 ? 255 : d);
        }
    }
    return out;
}

img *img_point(const img *src, const int *lut, size_t n, errmsg *e)
{
    int ch = img_channels(src->mode);
    if (n != (size_t)256 * (size_t)ch) {
        err_set(e, ERR_FAIL, "point: a %s image needs %d table entries, got %zu",
                img_mode_name(src->mode), 256 * ch, n);
        return NULL;
    }
    uint8_t table[4][256];
    for (int c = 0; c < ch; c++)
        for (int v = 0; v < 256; v++)
            table[c][v] = clip8_int(lut[c * 256 + v]);
    img *out = img_new(src->w, src->h, src->mode, NULL, e);
    if (!out)
        return NULL;
    size_t total = img_bytes(src);
    for (size_t i = 0; i < total; i += (size_t)ch)
        for (int c = 0; c < ch; c++)
            out->px[i + c] = table[c][src->px[i + c]];
    return out;
}

int img_split(const img *src, img *bands[4], errmsg *e)
{
    int ch = img_channels(src->mode);
    size_t n = (size_t)src->w * (size_t)src->h;
    for (int c = 0; c < ch; c++) {
        bands[c] = img_new(src->w, src->h, IMG_L, NULL, e);
        if (!bands[c]) {
            while (c-- > 0)
                img_free(bands[c]);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            bands[c]->px[i] = src->px[i * ch + c];
    }
    return ch;
}

img *img_merge(img_mode mode, img *const *bands, int n, errmsg *e)
{
    int ch = img_channels(mode);
    if (n != ch) {
        err_set(e, ERR_FAIL, "merge: mode %s needs %d bands, got %d", img_mode_name(mode), ch, n);
        return NULL;
    }
    for (int c = 0; c < ch; c++) {
        if (bands[c]->mode != IMG_L) {
            err_set(e, ERR_FAIL, "merge: band %d has mode %s, not L", c,
                    img_mode_name(bands[c]->mode));
            return NULL;
        }
        if (bands[c]->w != bands[0]->w || bands[c]->h != bands[0]->h) {
            err_set(e, ERR_FAIL, "merge: band %d is %dx%d, band 0 is %dx%d", c, bands[c]->w,
                    bands[c]->h, bands[0]->w, bands[0]->h);
            return NULL;
        }
    }
    img *out = img_new(bands[0]->w, bands[0]->h, mode, NULL, e);
    if (!out)
        return NULL;
    size_t pixels = (size_t)out->w * (size_t)out->h;
    for (int c = 0; c < ch; c++)
        for (size_t i = 0; i < pixels; i++)
            out->px[i * ch + c] = bands[c]->px[i];
    return out;
}

/* ==== crop and paste =================================================================== */

/* Python's round() then int(): halves go to the even neighbour (nearbyint in the default
 * rounding mode does the same). */
static int round_box_coord(double v, int *out, errmsg *e)
{
    if (!(fabs(v) < 1e9))
        return err_set(e, ERR_FAIL, "box coordinate %g is out of range", v);
    *out = (int)nearbyint(v);
    return 0;
}

/* Copies the part of src that overlaps the rectangle at (x0, y0) of out's size into out;
 * the rest of out is left alone. */
static void copy_overlap(img *out, const img *src, int x0, int y0)
{
    int ch = img_channels(src->mode);
    int sx0 = x0 < 0 ? 0 : x0, sy0 = y0 < 0 ? 0 : y0;
    int sx1 = x0 + out->w < src->w ? x0 + out->w : src->w;
    int sy1 = y0 + out->h < src->h ? y0 + out->h : src->h;
    if (sx1 <= sx0 || sy1 <= sy0)
        return;
    size_t row = (size_t)(sx1 - sx0) * (size_t)ch;
    for (int y = sy0; y < sy1; y++)
        memcpy(out->px + ((size_t)(y - y0) * (size_t)out->w + (size_t)(sx0 - x0)) * ch,
               src->px + ((size_t)y * (size_t)src->w + (size_t)sx0) * ch, row);
}

/* Crop with integer box; outside pixels zero. */
static img *crop_int(const img *src, int l, int t, int r, int b, errmsg *e)
{
    img *out = img_new(r - l, b - t, src->mode, NULL, e);
    if (out)
        copy_overlap(out, src, l, t);
    return out;
}

img *img_crop(const img *src, double left, double top, double right, double bottom, errmsg *e)
{
    if (right < left) {
        err_set(e, ERR_FAIL, "crop: right %g is less than left %g", right, left);
        return NULL;
    }
    if (bottom < top) {
        err_set(e, ERR_FAIL, "crop: bottom %g is less than top %g", bottom, top);
        return NULL;
    }
    int l = 0, t = 0, r = 0, b = 0;
    if (round_box_coord(left, &l, e) || round_box_coord(top, &t, e) ||
        round_box_coord(right, &r, e) || round_box_coord(bottom, &b, e)) {
        err_prefix(e, "crop: ");
        return NULL;
    }
    if (r <= l || b <= t) {
        err_set(e, ERR_FAIL, "crop: box (%d, %d, %d, %d) is empty", l, t, r, b);
        return NULL;
    }
    img *out = crop_int(src, l, t, r, b, e);
    if (!out)
        err_prefix(e, "crop: ");
    return out;
}

/* The rectangle (dx, dy, w, h) of the destination that a box covers after clipping, and the
 * matching offset (sx, sy) inside the source/mask; w or h <= 0 means nothing to do. */
typedef struct clip_rect {
    int dx, dy, sx, sy, w, h;
} clip_rect;

static clip_rect clip_box(const img *dst, int left, int top, int right, int bottom)
{
    clip_rect c = {left, top, 0, 0, right - left, bottom - top};
    if (c.dx < 0) {
        c.w += c.dx;
        c.sx = -c.dx;
        c.dx = 0;
    }
    if (c.dx + c.w > dst->w)
        c.w = dst->w - c.dx;
    if (c.dy < 0) {
        c.h += c.dy;
        c.sy = -c.dy;
        c.dy = 0;
    }
    if (c.dy + c.h > dst->h)
        c.h = dst->h - c.dy;
    return c;
}

/* Paste boxes come straight from programs: bound them so that widths cannot overflow. */
static int check_box(int left, int top, int right, int bottom, errmsg *e)
{
    const int lim = 1 << 30;
    if (left < -lim || left > lim || top < -lim || top > lim || right < -lim || right > lim ||
        bottom < -lim || bottom > lim)
        return err_set(e, ERR_FAIL, "box (%d, %d, %d, %d) is out of range", left, top, right,
                       bottom);
    return 0;
}

static int check_mask(const img *mask, int w, int h, errmsg *e)
{
    if (!mask)
        return 0;
    if (mask->mode != IMG_L && mask->mode != IMG_RGBA)
        return err_set(e, ERR_FAIL, "bad transparency mask: mode %s (use L or RGBA)",
                       img_mode_name(mask->mode));
    if (mask->w != w || mask->h != h)
        return err_set(e, ERR_FAIL, "mask of %dx%d does not match the %dx%d region", mask->w,
                       mask->h, w, h);
    return 0;
}

/* The weight of mask pixel (x, y): L value, or RGBA alpha. */
static inline unsigned mask_at(const img *mask, int x, int y)
{
    int mc = img_channels(mask->mode);
    return mask->px[((size_t)y * (size_t)mask->w + (size_t)x) * mc + (mc - 1)];
}

static void paste_rows(img *dst, const img *src, const img *mask, clip_rect c)
{
    int ch = img_channels(dst->mode);
    for (int y = 0; y < c.h; y++) {
        uint8_t *d = dst->px + ((size_t)(c.dy + y) * (size_t)dst->w + (size_t)c.dx) * ch;
        const uint8_t *s = src->px + ((size_t)(c.sy + y) * (size_t)src->w + (size_t)c.sx) * ch;
        if (!mask) {
            /* memmove: an image may be pasted into itself. Rows go top-down as in Pillow, so
             * such a paste reads rows it has already written, as Pillow's does. */
            memmove(d, s, (size_t)c.w * (size_t)ch);
            continue;
        }
        for (int x = 0; x < c.w; x++) {
            unsigned m = mask_at(mask, c.sx + x, c.sy + y);
            for (int k = 0; k < ch; k++)
                d[x * ch + k] = blend255(m, d[x * ch + k], s[x * ch + k]);
        }
    }
}

int img_paste(img *dst, const img *src, int left, int top, int right, int bottom, const img *mask,
              errmsg *e)
{
    if (check_box(left, top, right, bottom, e))
        return err_prefix(e, "paste: ");
    if (right - left != src->w || bottom - top != src->h)
        return err_set(e, ERR_FAIL,
                       "paste: images do not match: box (%d, %d, %d, %d) is %dx%d, the image "
                       "%dx%d",
                       left, top, right, bottom, right - left, bottom - top, src->w, src->h);
    if (check_mask(mask, src->w, src->h, e))
        return err_prefix(e, "paste: ");
    img *converted = NULL;
    if (src->mode != dst->mode) {
        converted = img_convert(src, dst->mode, e);
        if (!converted)
            return err_prefix(e, "paste: ");
        src = converted;
    }
    clip_rect c = clip_box(dst, left, top, right, bottom);
    if (c.w > 0 && c.h > 0)
        paste_rows(dst, src, mask, c);
    img_free(converted);
    return 0;
}

/* Pillow's fill through an L mask on an RGBA image keeps colour where the destination is
 * fully transparent (the colour channels take weight 255 there); we do the same. */
static void fill_rows(img *dst, const uint8_t *colour, const img *mask, clip_rect c)
{
    int ch = img_channels(dst->mode);
    int l_mask_on_rgba = mask && mask->mode == IMG_L && dst->mode == IMG_RGBA;
    for (int y = 0; y < c.h; y++) {
        uint8_t *d = dst->px + ((size_t)(c.dy + y) * (size_t)dst->w + (size_t)c.dx) * ch;
        for (int x = 0; x < c.w; x++, d += ch) {
            if (!mask) {
                memcpy(d, colour, (size_t)ch);
                continue;
            }
            unsigned m = mask_at(mask, c.sx + x, c.sy + y);
            unsigned colour_m = (l_mask_on_rgba && m != 0 && d[3] == 0) ? 255 : m;
            for (int k = 0; k < ch; k++)
                d[k] = blend255(k == 3 ? m : colour_m, d[k], colour[k]);
        }
    }
}

int img_paste_color(img *dst, const uint8_t *colour, int left, int top, int right, int bottom,
                    const img *mask, errmsg *e)
{
    if (check_box(left, top, right, bottom, e) || check_mask(mask, right - left, bottom - top, e))
        return err_prefix(e, "paste: ");
    clip_rect c = clip_box(dst, left, top, right, bottom);
    if (c.w > 0 && c.h > 0)
        fill_rows(dst, colour, mask, c);
    return 0;
}

/* ==== transpose ======================================================================== */

/* Fills out from src through the integer map (sx = m0*x + m1*y + m2, sy = m3*x + m4*y + m5).
 * Along an output row the source pointer moves by a constant step; tiles of 64 output
 * columns keep the source rows a quarter turn reads within the cache. Inlined per channel
 * count. */
static inline void transpose_tiles(img *out, const img *src, const int m[6], const int ch)
{
    ptrdiff_t step = ((ptrdiff_t)m[3] * src->w + m[0]) * ch;
    for (int x0 = 0; x0 < out->w; x0 += 64) {
        int x1 = x0 + 64 < out->w ? x0 + 64 : out->w;
        for (int y = 0; y < out->h; y++) {
            int sx = m[0] * x0 + m[1] * y + m[2], sy = m[3] * x0 + m[4] * y + m[5];
            /* An offset, not a pointer: the step after the last pixel may leave the image. */
            ptrdiff_t at = ((ptrdiff_t)sy * src->w + sx) * ch;
            uint8_t *d = out->px + ((size_t)y * (size_t)out->w + (size_t)x0) * ch;
            for (int x = x0; x < x1; x++, at += step, d += ch)
                for (int k = 0; k < ch; k++)
                    d[k] = src->px[at + k];
        }
    }
}

img *img_transpose(const img *src, img_transpose_op op, errmsg *e)
{
    if (op < IMG_FLIP_LEFT_RIGHT || op > IMG_TRANSVERSE) {
        err_set(e, ERR_FAIL, "transpose: unknown method %d (use 0..6)", (int)op);
        return NULL;
    }
    int w = src->w, h = src->h;
    int swap =
        op == IMG_ROTATE_90 || op == IMG_ROTATE_270 || op == IMG_TRANSPOSE || op == IMG_TRANSVERSE;
    img *out = img_new(swap ? h : w, swap ? w : h, src->mode, NULL, e);
    if (!out)
        return NULL;
    int ch = img_channels(src->mode);
    /* For each output pixel, the source pixel: sx = ax*x + bx*y + cx, sy = ay*x + by*y + cy. */
    int ax = 1, bx = 0, cx = 0, ay = 0, by = 1, cy = 0;
    switch (op) {
    case IMG_FLIP_LEFT_RIGHT: ax = -1, cx = w - 1; break;
    case IMG_FLIP_TOP_BOTTOM: by = -1, cy = h - 1; break;
    case IMG_ROTATE_90: ax = 0, bx = -1, cx = w - 1, ay = 1, by = 0; break;
    case IMG_ROTATE_180: ax = -1, cx = w - 1, by = -1, cy = h - 1; break;
    case IMG_ROTATE_270: ax = 0, bx = 1, ay = -1, by = 0, cy = h - 1; break;
    case IMG_TRANSPOSE: ax = 0, bx = 1, ay = 1, by = 0; break;
    case IMG_TRANSVERSE: ax = 0, bx = -1, cx = w - 1, ay = -1, by = 0, cy = h - 1; break;
    }
    const int map[6] = {ax, bx, cx, ay, by, cy};
    switch (ch) {
    case 1: transpose_tiles(out, src, map, 1); break;
    case 3: transpose_tiles(out, src, map, 3); break;
    default: transpose_tiles(out, src, map, 4); break;
    }
    return out;
}

/* ==== premultiplied alpha ============================================================== */

/* Pillow resizes and transforms RGBA through "RGBa" (colour premultiplied by alpha). */
static img *premultiply(const img *src, errmsg *e)
{
    img *out = img_new(src->w, src->h, IMG_RGBA, NULL, e);
    if (!out)
        return NULL;
    size_t n = (size_t)src->w * (size_t)src->h;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = src->px + i * 4;
        uint8_t *d = out->px + i * 4;
        d[0] = muldiv255(s[0], s[3]);
        d[1] = muldiv255(s[1], s[3]);
        d[2] = muldiv255(s[2], s[3]);
        d[3] = s[3];
    }
    return out;
}

static void unpremultiply_inplace(img *im)
{
    size_t n = (size_t)im->w * (size_t)im->h;
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = im->px + i * 4;
        unsigned a = p[3];
        if (a == 0 || a == 255)
            continue;
        for (int k = 0; k < 3; k++)
            p[k] = clip8_int((int)((255u * p[k]) / a));
    }
}

/* ==== nearest-neighbour affine (Geometry.c's three nearest paths) ====================== */

/* Geometry.c's COORD and FLOOR: truncation, with everything below zero outside. */
static inline int coord(double v)
{
    /* NaN and values past int's range are outside every image (Pillow's cast is undefined
     * there; this keeps them outside without undefined behaviour). */
    if (!(v >= 0.0))
        return -1;
    return v < 2147483647.0 ? (int)v : 2147483647;
}

static inline int floor_int(double v)
{
    return v < 0.0 ? (int)floor(v) : (int)v;
}

/* Pure scaling (a[1] == a[3] == 0): source positions accumulate by repeated addition, as in
 * Pillow, which matters for the last bit of the result. */
static int nearest_scale(img *out, const img *src, const double a[6], errmsg *e)
{
    int ch = img_channels(src->mode);
    int *xin = calloc((size_t)out->w, sizeof(int));
    int xmin = out->w, xmax = 0;
    double xo = a[2] + a[0] * 0.5, yo = a[5] + a[4] * 0.5;
    if (!xin)
        return err_set(e, ERR_FAIL, "out of memory for a %d-entry index table", out->w);
    for (int x = 0; x < out->w; x++) {
        int sx = coord(xo);
        if (sx >= 0 && sx < src->w) {
            xmax = x + 1;
            if (x < xmin)
                xmin = x;
            xin[x] = sx;
        }
        xo += a[0];
    }
    for (int y = 0; y < out->h; y++) {
        int sy = coord(yo);
        yo += a[4];
        if (sy < 0 || sy >= src->h)
            continue;
        uint8_t *d = out->px + (size_t)y * (size_t)out->w * ch;
        const uint8_t *s = src->px + (size_t)sy * (size_t)src->w * ch;
        for (int x = xmin; x < xmax; x++)
            memcpy(d + (size_t)x * ch, s + (size_t)xin[x] * ch, (size_t)ch);
    }
    free(xin);
    return 0;
}

static int fits_fixed(const double a[6], int x, int y)
{
    return fabs(x * a[0] + y * a[1] + a[2]) < 32768.0 && fabs(x * a[3] + y * a[4] + a[5]) < 32768.0;
}

static int fix16(double v)
{
    return floor_int(v * 65536.0 + 0.5);
}

/* General nearest affine in 16.16 fixed point, Pillow's usual path. */
static void nearest_fixed(img *out, const img *src, const double a[6])
{
    int ch = img_channels(src->mode);
    int a0 = fix16(a[0]), a1 = fix16(a[1]), a3 = fix16(a[3]), a4 = fix16(a[4]);
    int a2 = fix16(a[2] + a[0] * 0.5 + a[1] * 0.5);
    int a5 = fix16(a[5] + a[3] * 0.5 + a[4] * 0.5);
    for (int y = 0; y < out->h; y++) {
        int xx = a2, yy = a5;
        uint8_t *d = out->px + (size_t)y * (size_t)out->w * ch;
        for (int x = 0; x < out->w; x++, xx += a0, yy += a3) {
            int sx = xx >> 16, sy = yy >> 16;
            if (sx >= 0 && sx < src->w && sy >= 0 && sy < src->h)
                memcpy(d + (size_t)x * ch, src->px + ((size_t)sy * (size_t)src->w + sx) * ch,
                       (size_t)ch);
        }
        a2 += a1;
        a5 += a4;
    }
}

/* Nearest affine in doubles, for maps whose corners overflow 16.16 fixed point. */
static void nearest_float(img *out, const img *src, const double a[6])
{
    int ch = img_channels(src->mode);
    double xo = a[2] + a[1] * 0.5 + a[0] * 0.5, yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
    for (int y = 0; y < out->h; y++) {
        double xx = xo, yy = yo;
        uint8_t *d = out->px + (size_t)y * (size_t)out->w * ch;
        for (int x = 0; x < out->w; x++, xx += a[0], yy += a[3]) {
            int sx = coord(xx), sy = coord(yy);
            if (sx >= 0 && sx < src->w && sy >= 0 && sy < src->h)
                memcpy(d + (size_t)x * ch, src->px + ((size_t)sy * (size_t)src->w + sx) * ch,
                       (size_t)ch);
        }
        xo += a[1];
        yo += a[4];
    }
}

static int nearest_affine(img *out, const img *src, const double a[6], errmsg *e)
{
    if (a[1] == 0 && a[3] == 0)
        return nearest_scale(out, src, a, e);
    if (fits_fixed(a, 0, 0) && fits_fixed(a, out->w, out->h) && fits_fixed(a, 0, out->h) &&
        fits_fixed(a, out->w, 0))
        nearest_fixed(out, src, a);
    else
        nearest_float(out, src, a);
    return 0;
}

/* ==== bilinear / bicubic affine (Geometry.c's generic transform) ======================= */

static inline int clampi(int v, int hi)
{
    return v < 0 ? 0 : v < hi ? v : hi - 1;
}

/* One output pixel by bilinear interpolation at source position (xin, yin); 0 when the
 * position is outside the source. */
static inline int bilinear_at(uint8_t *d, const img *src, int ch, double xin, double yin)
{
    if (!(xin >= 0.0 && xin < src->w && yin >= 0.0 && yin < src->h)) /* NaN is outside too */
        return 0;
    xin -= 0.5;
    yin -= 0.5;
    int x = floor_int(xin), y = floor_int(yin);
    double dx = xin - x, dy = yin - y;
    size_t stride = (size_t)src->w * ch;
    const uint8_t *r0 = src->px + (size_t)clampi(y, src->h) * stride;
    const uint8_t *r1 = (y + 1 >= 0 && y + 1 < src->h) ? src->px + (size_t)(y + 1) * stride : NULL;
    int x0 = clampi(x, src->w) * ch, x1 = clampi(x + 1, src->w) * ch;
    for (int k = 0; k < ch; k++) {
        double v1 = r0[x0 + k] + (r0[x1 + k] - r0[x0 + k]) * dx;
        double v2 = r1 ? r1[x0 + k] + (r1[x1 + k] - r1[x0 + k]) * dx : v1;
        d[k] = (uint8_t)(v1 + (v2 - v1) * dy);
    }
    return 1;
}

/* Pillow's cubic through four samples (its transform uses a = -1, unlike its resize). */
static inline double cubic(double v1, double v2, double v3, double v4, double d)
{
    double p1 = v2;
    double p2 = -v1 + v3;
    double p3 = 2 * (v1 - v2) + v3 - v4;
    double p4 = -v1 + v2 - v3 + v4;
    return p1 + d * (p2 + d * (p3 + d * p4));
}

static inline int bicubic_at(uint8_t *d, const img *src, int ch, double xin, double yin)
{
    if (!(xin >= 0.0 && xin < src->w && yin >= 0.0 && yin < src->h))
        return 0;
    xin -= 0.5;
    yin -= 0.5;
    int x = floor_int(xin) - 1, y = floor_int(yin) - 1;
    double dx = xin - (x + 1), dy = yin - (y + 1);
    size_t stride = (size_t)src->w * ch;
    int xs[4];
    for (int i = 0; i < 4; i++)
        xs[i] = clampi(x + i, src->w) * ch;
    /* Rows past the bottom edge repeat the previous row's result, as Pillow does; the
     * first row is clamped instead. */
    const uint8_t *rows[4];
    rows[0] = src->px + (size_t)clampi(y, src->h) * stride;
    for (int i = 1; i < 4; i++)
        rows[i] = (y + i >= 0 && y + i < src->h) ? src->px + (size_t)(y + i) * stride : NULL;
    for (int k = 0; k < ch; k++) {
        double v[4];
        const uint8_t *r = rows[0];
        v[0] = cubic(r[xs[0] + k], r[xs[1] + k], r[xs[2] + k], r[xs[3] + k], dx);
        for (int i = 1; i < 4; i++) {
            r = rows[i];
            v[i] = r ? cubic(r[xs[0] + k], r[xs[1] + k], r[xs[2] + k], r[xs[3] + k], dx) : v[i - 1];
        }
        double out = cubic(v[0], v[1], v[2], v[3], dy);
        d[k] = out <= 0.0 ? 0 : out >= 255.0 ? 255 : (uint8_t)out;
    }
    return 1;
}

/* Source position of output pixel (x, y) under Geometry.c's maps, sampled at pixel centres. */
static inline void map_pixel(img_transform_method m, const double *a, int x, int y, double *xo,
                             double *yo)
{
    double xin = x + 0.5, yin = y + 0.5;
    switch (m) {
    case IMG_TRANSFORM_PERSPECTIVE:
        *xo = (a[0] * xin + a[1] * yin + a[2]) / (a[6] * xin + a[7] * yin + 1);
        *yo = (a[3] * xin + a[4] * yin + a[5]) / (a[6] * xin + a[7] * yin + 1);
        break;
    case IMG_TRANSFORM_QUAD:
        *xo = a[0] + a[1] * xin + a[2] * yin + a[3] * xin * yin;
        *yo = a[4] + a[5] * xin + a[6] * yin + a[7] * xin * yin;
        break;
    default:
        *xo = a[0] * xin + a[1] * yin + a[2];
        *yo = a[3] * xin + a[4] * yin + a[5];
        break;
    }
}

static inline void nearest_at(uint8_t *d, const img *src, int ch, double xin, double yin)
{
    int x = coord(xin), y = coord(yin);
    if (x >= 0 && x < src->w && y >= 0 && y < src->h)
        memcpy(d, src->px + ((size_t)y * (size_t)src->w + (size_t)x) * ch, (size_t)ch);
}

/* Geometry.c's generic transform: the per-pixel loop, inlined once per channel count so the
 * channel loops unroll. Pixels mapped from outside the source keep out's fill. */
static inline void generic_rows(img *out, const img *src, img_transform_method m, const double *a,
                                img_resample filter, const int ch)
{
    for (int y = 0; y < out->h; y++) {
        uint8_t *d = out->px + (size_t)y * (size_t)out->w * ch;
        for (int x = 0; x < out->w; x++, d += ch) {
            double xin, yin;
            map_pixel(m, a, x, y, &xin, &yin);
            if (filter == IMG_BILINEAR)
                bilinear_at(d, src, ch, xin, yin);
            else if (filter == IMG_BICUBIC)
                bicubic_at(d, src, ch, xin, yin);
            else
                nearest_at(d, src, ch, xin, yin);
        }
    }
}

static void generic_transform(img *out, const img *src, img_transform_method m, const double *a,
                              img_resample filter)
{
    switch (img_channels(src->mode)) {
    case 1: generic_rows(out, src, m, a, filter, 1); break;
    case 3: generic_rows(out, src, m, a, filter, 3); break;
    default: generic_rows(out, src, m, a, filter, 4); break;
    }
}

static int transform_data_count(img_transform_method m)
{
    switch (m) {
    case IMG_TRANSFORM_AFFINE: return 6;
    case IMG_TRANSFORM_EXTENT: return 4;
    case IMG_TRANSFORM_PERSPECTIVE: return 8;
    case IMG_TRANSFORM_QUAD: return 8;
    }
    return 0;
}

/* Image.__transformer's rewriting of EXTENT into AFFINE and of QUAD corners into the bilinear
 * map's coefficients, with Python's order of operations. */
static img_transform_method normalise_map(img_transform_method m, const double *d, int w, int h,
                                          double *a)
{
    if (m == IMG_TRANSFORM_EXTENT) {
        double xs = (d[2] - d[0]) / w, ys = (d[3] - d[1]) / h;
        const double aff[6] = {xs, 0, d[0], 0, ys, d[1]};
        memcpy(a, aff, sizeof aff);
        return IMG_TRANSFORM_AFFINE;
    }
    if (m == IMG_TRANSFORM_QUAD) {
        double x0 = d[0], y0 = d[1], As = 1.0 / w, At = 1.0 / h;
        const double *sw = d + 2, *se = d + 4, *ne = d + 6;
        const double q[8] = {
            x0, (ne[0] - x0) * As, (sw[0] - x0) * At, (se[0] - sw[0] - ne[0] + x0) * As * At,
            y0, (ne[1] - y0) * As, (sw[1] - y0) * At, (se[1] - sw[1] - ne[1] + y0) * As * At};
        memcpy(a, q, sizeof q);
        return m;
    }
    memcpy(a, d, sizeof(double) * (size_t)transform_data_count(m));
    return m;
}

img *img_transform(const img *src, int w, int h, img_transform_method method, const double *data,
                   int n, img_resample filter, const uint8_t *fill, errmsg *e)
{
    if (filter != IMG_NEAREST && filter != IMG_BILINEAR && filter != IMG_BICUBIC) {
        err_set(e, ERR_FAIL,
                "transform: filter %s cannot be used (use NEAREST, BILINEAR or "
                "BICUBIC)",
                img_resample_name(filter));
        return NULL;
    }
    int need = transform_data_count(method);
    if (need == 0 || n < need) {
        err_set(e, ERR_FAIL, "transform: method %d needs %d numbers, got %d", (int)method, need, n);
        return NULL;
    }
    for (int i = 0; i < need; i++) {
        if (!isfinite(data[i])) {
            err_set(e, ERR_FAIL, "transform: coefficient %d is not a finite number", i);
            return NULL;
        }
    }
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "transform: size %dx%d must be at least 1x1", w, h);
        return NULL;
    }
    double a[8];
    method = normalise_map(method, data, w, h, a);
    int premul = src->mode == IMG_RGBA && filter != IMG_NEAREST;
    img *work = premul ? premultiply(src, e) : NULL;
    if (premul && !work)
        return NULL;
    img *out = img_new(w, h, src->mode, fill, e);
    if (!out) {
        img_free(work);
        err_prefix(e, "transform: ");
        return NULL;
    }
    if (method == IMG_TRANSFORM_AFFINE && filter == IMG_NEAREST) {
        if (nearest_affine(out, src, a, e)) {
            img_free(out);
            err_prefix(e, "transform: ");
            return NULL;
        }
    } else {
        generic_transform(out, premul ? work : src, method, a, filter);
    }
    if (premul)
        unpremultiply_inplace(out);
    img_free(work);
    return out;
}

img *img_transform_affine(const img *src, int w, int h, const double coeffs[6], img_resample filter,
                          const uint8_t *fill, errmsg *e)
{
    return img_transform(src, w, h, IMG_TRANSFORM_AFFINE, coeffs, 6, filter, fill, e);
}

/* ==== rotate =========================================================================== */

/* Python's round(x, 15): the nearest double to x's correctly rounded 15-decimal form. */
static double round15(double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.15f", x);
    return strtod(buf, NULL);
}

static void apply(const double m[6], double x, double y, double *ox, double *oy)
{
    *ox = m[0] * x + m[1] * y + m[2];
    *oy = m[3] * x + m[4] * y + m[5];
}

img *img_rotate(const img *src, double angle, img_resample filter, int expand, const double *center,
                const double *translate, const uint8_t *fill, errmsg *e)
{
    if (!isfinite(angle)) {
        err_set(e, ERR_FAIL, "rotate: angle is not a finite number");
        return NULL;
    }
    /* Python's float modulo: the result takes the divisor's sign. */
    angle = fmod(angle, 360.0);
    if (angle != 0 && angle < 0)
        angle += 360.0;
    if (!center && !translate) {
        if (angle == 0)
            return img_copy(src, e);
        if (angle == 180)
            return img_transpose(src, IMG_ROTATE_180, e);
        if ((angle == 90 || angle == 270) && (expand || src->w == src->h))
            return img_transpose(src, angle == 90 ? IMG_ROTATE_90 : IMG_ROTATE_270, e);
    }
    int w = src->w, h = src->h;
    double tx = translate ? translate[0] : 0, ty = translate ? translate[1] : 0;
    double cx = center ? center[0] : w / 2.0, cy = center ? center[1] : h / 2.0;
    double rad = -(angle * (GEOM_PI / 180.0));
    double m[6] = {round15(cos(rad)),  round15(sin(rad)), 0.0,
                   round15(-sin(rad)), round15(cos(rad)), 0.0};
    double m2, m5;
    apply(m, -cx - tx, -cy - ty, &m2, &m5);
    m[2] = m2 + cx;
    m[5] = m5 + cy;
    if (expand) {
        double xs[4], ys[4];
        const double corners[4][2] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
        for (int i = 0; i < 4; i++)
            apply(m, corners[i][0], corners[i][1], &xs[i], &ys[i]);
        double xmin = xs[0], xmax = xs[0], ymin = ys[0], ymax = ys[0];
        for (int i = 1; i < 4; i++) {
            xmin = fmin(xmin, xs[i]), xmax = fmax(xmax, xs[i]);
            ymin = fmin(ymin, ys[i]), ymax = fmax(ymax, ys[i]);
        }
        double nw = ceil(xmax) - floor(xmin), nh = ceil(ymax) - floor(ymin);
        if (!(nw >= 1 && nh >= 1 && nw * nh < (double)IMG_MAX_BYTES)) {
            err_set(e, ERR_FAIL, "rotate: expanded size %gx%g is out of range", nw, nh);
            return NULL;
        }
        apply(m, -(nw - w) / 2.0, -(nh - h) / 2.0, &m2, &m5);
        m[2] = m2;
        m[5] = m5;
        w = (int)nw;
        h = (int)nh;
    }
    return img_transform_affine(src, w, h, m, filter, fill, e);
}

/* ==== resize (Resample.c's two-pass convolution) ======================================= */

/* 8-bit results keep 22 fractional bits: 32 bits minus 8 for the value and 2 for the sums
 * of negative lobes that overshoot. */
#define RS_PRECISION_BITS (32 - 8 - 2)

static double filter_support(img_resample f)
{
    switch (f) {
    case IMG_BOX: return 0.5;
    case IMG_BILINEAR: return 1.0;
    case IMG_HAMMING: return 1.0;
    case IMG_BICUBIC: return 2.0;
    case IMG_LANCZOS: return 3.0;
    default: return 0.0;
    }
}

static double sinc(double x)
{
    if (x == 0.0)
        return 1.0;
    x = x * GEOM_PI;
    return sin(x) / x;
}

/* The filter kernels, with Pillow's constants (including its float 0.54f / 0.46f). */
static double filter_eval(img_resample f, double x)
{
    switch (f) {
    case IMG_BOX: return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
    case IMG_BILINEAR: x = fabs(x); return x < 1.0 ? 1.0 - x : 0.0;
    case IMG_HAMMING:
        x = fabs(x);
        if (x == 0.0)
            return 1.0;
        if (x >= 1.0)
            return 0.0;
        x = x * GEOM_PI;
        return sin(x) / x * (0.54f + 0.46f * cos(x));
    case IMG_BICUBIC: {
        const double a = -0.5;
        x = fabs(x);
        if (x < 1.0)
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0)
            return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }
    case IMG_LANCZOS: return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
    default: return 0.0;
    }
}

/* Per output position: the first source index, the tap count, and ksize fixed-point taps. */
typedef struct rs_coeffs {
    int ksize;
    int *bounds; /* 2 per output: xmin, count */
    int32_t *k;  /* ksize per output */
} rs_coeffs;

static void rs_free(rs_coeffs *c)
{
    free(c->bounds);
    free(c->k);
}

/* The box edges are floats because Pillow passes them through a C float. */
static int rs_precompute(rs_coeffs *c, int in_size, float in0, float in1, int out_size,
                         img_resample f, errmsg *e)
{
    double scale = (double)(in1 - in0) / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = filter_support(f) * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    c->ksize = ksize;
    c->bounds = malloc(sizeof(int) * 2 * (size_t)out_size);
    c->k = calloc((size_t)out_size * (size_t)ksize, sizeof(int32_t));
    double *w = malloc(sizeof(double) * (size_t)ksize);
    if (!c->bounds || !c->k || !w) {
        free(w);
        rs_free(c);
        return err_set(e, ERR_FAIL, "resize: out of memory for %d x %d filter taps", out_size,
                       ksize);
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = in0 + (xx + 0.5) * scale;
        double ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5);
        int xmax = (int)(center + support + 0.5);
        if (xmin < 0)
            xmin = 0;
        if (xmax > in_size)
            xmax = in_size;
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
            w[x] = filter_eval(f, (x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        int32_t *k = c->k + (size_t)xx * ksize;
        for (int x = 0; x < xmax; x++) {
            double v = ww != 0.0 ? w[x] / ww : w[x];
            double fixed = v * (1 << RS_PRECISION_BITS);
            k[x] = (int32_t)(v < 0 ? -0.5 + fixed : 0.5 + fixed);
        }
        c->bounds[xx * 2] = xmin;
        c->bounds[xx * 2 + 1] = xmax;
    }
    free(w);
    return 0;
}

static inline uint8_t rs_clip(int32_t acc)
{
    int v = acc >> RS_PRECISION_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Horizontal pass over rows [row0, row0 + out->h) of src. Inlined with a constant ch so the
 * channel loop unrolls. */
static inline void rs_horizontal(img *out, const img *src, int row0, const rs_coeffs *c,
                                 const int ch)
{
    for (int y = 0; y < out->h; y++) {
        const uint8_t *s = src->px + (size_t)(y + row0) * (size_t)src->w * ch;
        uint8_t *d = out->px + (size_t)y * (size_t)out->w * ch;
        for (int xx = 0; xx < out->w; xx++) {
            int xmin = c->bounds[xx * 2], n = c->bounds[xx * 2 + 1];
            const int32_t *k = c->k + (size_t)xx * c->ksize;
            const uint8_t *p = s + (size_t)xmin * ch;
            int32_t acc[4];
            for (int b = 0; b < ch; b++)
                acc[b] = 1 << (RS_PRECISION_BITS - 1);
            for (int x = 0; x < n; x++)
                for (int b = 0; b < ch; b++)
                    acc[b] += p[x * ch + b] * k[x];
            for (int b = 0; b < ch; b++)
                d[xx * ch + b] = rs_clip(acc[b]);
        }
    }
}

/* Vertical pass, one output row at a time: whole source rows are accumulated into an int32
 * row, which vectorises (integer sums, so the order of the taps does not change results). */
static int rs_vertical(img *out, const img *src, const rs_coeffs *c, errmsg *e)
{
    size_t stride = (size_t)src->w * (size_t)img_channels(src->mode);
    int32_t *acc = malloc(sizeof(int32_t) * stride);
    if (!acc)
        return err_set(e, ERR_FAIL, "resize: out of memory for a %zu-byte row", stride);
    for (int yy = 0; yy < out->h; yy++) {
        int ymin = c->bounds[yy * 2], n = c->bounds[yy * 2 + 1];
        const int32_t *k = c->k + (size_t)yy * c->ksize;
        for (size_t i = 0; i < stride; i++)
            acc[i] = 1 << (RS_PRECISION_BITS - 1);
        for (int y = 0; y < n; y++) {
            const uint8_t *row = src->px + (size_t)(ymin + y) * stride;
            int32_t ky = k[y];
            for (size_t i = 0; i < stride; i++)
                acc[i] += row[i] * ky;
        }
        uint8_t *d = out->px + (size_t)yy * stride;
        for (size_t i = 0; i < stride; i++)
            d[i] = rs_clip(acc[i]);
    }
    free(acc);
    return 0;
}

static void rs_horizontal_any(img *out, const img *src, int row0, const rs_coeffs *c)
{
    switch (img_channels(src->mode)) {
    case 1: rs_horizontal(out, src, row0, c, 1); break;
    case 3: rs_horizontal(out, src, row0, c, 3); break;
    default: rs_horizontal(out, src, row0, c, 4); break;
    }
}

static img *resample(const img *src, int w, int h, img_resample f, const float box[4], errmsg *e)
{
    int need_h = w != src->w || box[0] != 0 || box[2] != w;
    int need_v = h != src->h || box[1] != 0 || box[3] != h;
    rs_coeffs ch = {0}, cv = {0};
    if (rs_precompute(&ch, src->w, box[0], box[2], w, f, e))
        return NULL;
    if (rs_precompute(&cv, src->h, box[1], box[3], h, f, e)) {
        rs_free(&ch);
        return NULL;
    }
    /* Only the source rows the vertical pass reads go through the horizontal pass. */
    int first = cv.bounds[0];
    int last = cv.bounds[h * 2 - 2] + cv.bounds[h * 2 - 1];
    img *tmp = NULL, *out = NULL;
    const img *in = src;
    if (need_h) {
        for (int i = 0; i < h; i++)
            cv.bounds[i * 2] -= first;
        tmp = img_new(w, last - first, src->mode, NULL, e);
        if (!tmp)
            goto done;
        rs_horizontal_any(tmp, src, first, &ch);
        in = tmp;
    }
    if (need_v) {
        out = img_new(in->w, h, src->mode, NULL, e);
        if (out && rs_vertical(out, in, &cv, e)) {
            img_free(out);
            out = NULL;
        }
        if (!out)
            goto done;
    } else if (tmp) {
        out = tmp;
        tmp = NULL;
    } else {
        out = img_copy(src, e);
    }
done:
    img_free(tmp);
    rs_free(&ch);
    rs_free(&cv);
    return out;
}

/* _imaging.c's resize: an integer box of the output's size is a crop, NEAREST is an affine
 * scale, everything else the convolution. */
static img *resize_core(const img *src, int w, int h, img_resample f, const float box[4], errmsg *e)
{
    if (box[0] - (int)box[0] == 0 && box[2] - box[0] == w && box[1] - (int)box[1] == 0 &&
        box[3] - box[1] == h)
        return crop_int(src, (int)box[0], (int)box[1], (int)box[2], (int)box[3], e);
    if (f == IMG_NEAREST) {
        double a[6] = {(double)(box[2] - box[0]) / w, 0,     box[0], 0,
                       (double)(box[3] - box[1]) / h, box[1]};
        img *out = img_new(w, h, src->mode, NULL, e);
        if (out && nearest_scale(out, src, a, e)) {
            img_free(out);
            return NULL;
        }
        return out;
    }
    return resample(src, w, h, f, box, e);
}

img *img_resize(const img *src, int w, int h, img_resample filter, const double *box, errmsg *e)
{
    if (filter < IMG_NEAREST || filter > IMG_HAMMING) {
        err_set(e, ERR_FAIL, "resize: unknown resampling filter %d", (int)filter);
        return NULL;
    }
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "resize: size %dx%d: height and width must be > 0", w, h);
        return NULL;
    }
    double full[4] = {0, 0, src->w, src->h};
    const double *b = box ? box : full;
    for (int i = 0; i < 4; i++) {
        if (!isfinite(b[i])) {
            err_set(e, ERR_FAIL, "resize: box coordinate %d is not a finite number", i);
            return NULL;
        }
    }
    if (b[0] < 0 || b[1] < 0 || b[2] > src->w || b[3] > src->h || b[2] < b[0] || b[3] < b[1]) {
        err_set(e, ERR_FAIL, "resize: box (%g, %g, %g, %g) is not inside the %dx%d image", b[0],
                b[1], b[2], b[3], src->w, src->h);
        return NULL;
    }
    if (w == src->w && h == src->h && b[0] == 0 && b[1] == 0 && b[2] == src->w && b[3] == src->h)
        return img_copy(src, e);
    float fbox[4] = {(float)b[0], (float)b[1], (float)b[2], (float)b[3]};
    if (src->mode != IMG_RGBA || filter == IMG_NEAREST) {
        img *out = resize_core(src, w, h, filter, fbox, e);
        if (!out)
            err_prefix(e, "resize: ");
        return out;
    }
    img *pre = premultiply(src, e);
    img *out = pre ? resize_core(pre, w, h, filter, fbox, e) : NULL;
    img_free(pre);
    if (!out) {
        err_prefix(e, "resize: ");
        return NULL;
    }
    unpremultiply_inplace(out);
    return out;
}

/* ==== measuring ======================================================================== */

int img_histogram(const img *im, const img *mask, uint32_t *counts, errmsg *e)
{
    int ch = img_channels(im->mode);
    if (mask && (mask->mode != IMG_L || mask->w != im->w || mask->h != im->h))
        return err_set(e, ERR_FAIL,
                       "histogram: the mask must be an L image of %dx%d (got %s "
                       "%dx%d)",
                       im->w, im->h, img_mode_name(mask->mode), mask->w, mask->h);
    memset(counts, 0, sizeof(uint32_t) * 256 * (size_t)ch);
    size_t n = (size_t)im->w * (size_t)im->h;
    for (size_t i = 0; i < n; i++) {
        if (mask && !mask->px[i])
            continue;
        for (int c = 0; c < ch; c++)
            counts[c * 256 + im->px[i * ch + c]]++;
    }
    return 0;
}

void img_getextrema(const img *im, uint8_t lo[4], uint8_t hi[4])
{
    int ch = img_channels(im->mode);
    memset(lo, 255, 4);
    memset(hi, 0, 4);
    size_t total = img_bytes(im);
    for (size_t i = 0; i < total; i += (size_t)ch) {
        for (int c = 0; c < ch; c++) {
            uint8_t v = im->px[i + c];
            if (v < lo[c])
                lo[c] = v;
            if (v > hi[c])
                hi[c] = v;
        }
    }
}

/* Whether a pixel counts for getbbox: any channel non-zero, or for RGBA its alpha. */
static inline int bbox_hit(const uint8_t *p, img_mode mode)
{
    switch (mode) {
    case IMG_L: return p[0] != 0;
    case IMG_RGB: return (p[0] | p[1] | p[2]) != 0;
    default: return p[3] != 0;
    }
}

int img_getbbox(const img *im, int box[4])
{
    int ch = img_channels(im->mode);
    int l = im->w, t = -1, r = 0, b = 0;
    for (int y = 0; y < im->h; y++) {
        const uint8_t *row = im->px + (size_t)y * (size_t)im->w * ch;
        int any = 0;
        for (int x = 0; x < im->w; x++) {
            if (!bbox_hit(row + (size_t)x * ch, im->mode))
                continue;
            any = 1;
            if (x < l)
                l = x;
            if (x >= r)
                r = x + 1;
        }
        if (any) {
            if (t < 0)
                t = y;
            b = y + 1;
        }
    }
    if (t < 0)
        return 0;
    box[0] = l, box[1] = t, box[2] = r, box[3] = b;
    return 1;
}

/* ==== reduce and thumbnail ============================================================= */

/* Reduce.c's reciprocal: 2^32 / (256 * n), computed in float as Pillow does, so that
 * ((sum + n / 2) * recip) >> 24 is the rounded mean of n bytes. */
static uint32_t reduce_recip(int n)
{
    uint32_t max_dividend = (uint32_t)(1 << 8) * (uint32_t)n;
    float max_int = (float)((1 << 30) * 4.0);
    return (uint32_t)(max_int / max_dividend);
}

/* The mean of the block [x0, x1) x [y0, y1) of channel c, rounded as Pillow's reducers. */
static uint8_t block_mean(const img *src, int ch, int c, int x0, int y0, int x1, int y1)
{
    int n = (x1 - x0) * (y1 - y0);
    uint32_t ss = (uint32_t)n / 2;
    for (int y = y0; y < y1; y++) {
        const uint8_t *row = src->px + (size_t)y * (size_t)src->w * ch;
        for (int x = x0; x < x1; x++)
            ss += row[(size_t)x * ch + c];
    }
    return (uint8_t)((ss * reduce_recip(n)) >> 24);
}

static img *reduce_core(const img *src, int xs, int ys, const int box[4], errmsg *e)
{
    int bw = box[2] - box[0], bh = box[3] - box[1];
    img *out = img_new((bw + xs - 1) / xs, (bh + ys - 1) / ys, src->mode, NULL, e);
    if (!out)
        return NULL;
    int ch = img_channels(src->mode);
    for (int y = 0; y < out->h; y++) {
        int y0 = box[1] + y * ys, y1 = y0 + ys < box[3] ? y0 + ys : box[3];
        for (int x = 0; x < out->w; x++) {
            int x0 = box[0] + x * xs, x1 = x0 + xs < box[2] ? x0 + xs : box[2];
            for (int c = 0; c < ch; c++)
                out->px[((size_t)y * (size_t)out->w + (size_t)x) * ch + c] =
                    block_mean(src, ch, c, x0, y0, x1, y1);
        }
    }
    return out;
}

img *img_reduce(const img *src, int xscale, int yscale, const int *box, errmsg *e)
{
    int full[4] = {0, 0, src->w, src->h};
    const int *b = box ? box : full;
    if (xscale < 1 || yscale < 1) {
        err_set(e, ERR_FAIL, "reduce: scale %dx%d must be > 0", xscale, yscale);
        return NULL;
    }
    if (b[0] < 0 || b[1] < 0 || b[2] > src->w || b[3] > src->h || b[2] <= b[0] || b[3] <= b[1]) {
        err_set(e, ERR_FAIL,
                "reduce: box (%d, %d, %d, %d) is empty or not inside the %dx%d "
                "image",
                b[0], b[1], b[2], b[3], src->w, src->h);
        return NULL;
    }
    int whole = b[0] == 0 && b[1] == 0 && b[2] == src->w && b[3] == src->h;
    if (xscale == 1 && yscale == 1 && whole)
        return img_copy(src, e);
    int premul = src->mode == IMG_RGBA;
    img *work = premul ? premultiply(src, e) : NULL;
    if (premul && !work)
        return NULL;
    const img *in = premul ? work : src;
    img *out = (xscale == 1 && yscale == 1) ? crop_int(in, b[0], b[1], b[2], b[3], e)
                                            : reduce_core(in, xscale, yscale, b, e);
    if (out && premul)
        unpremultiply_inplace(out);
    img_free(work);
    return out;
}

/* Image._get_safe_box: the box widened by the filter's reach, in whole pixels. */
static void safe_box(const img *src, int w, int h, img_resample f, const double *box, int *out)
{
    double support = filter_support(f) - 0.5;
    double sx = (box[2] - box[0]) / w * support, sy = (box[3] - box[1]) / h * support;
    double l = box[0] - sx, t = box[1] - sy, r = ceil(box[2] + sx), b = ceil(box[3] + sy);
    out[0] = l > 0 ? (int)l : 0;
    out[1] = t > 0 ? (int)t : 0;
    out[2] = r < src->w ? (int)r : src->w;
    out[3] = b < src->h ? (int)b : src->h;
}

img *img_resize_reducing(const img *src, int w, int h, img_resample filter, const double *box,
                         double gap, errmsg *e)
{
    if (gap <= 0 || filter == IMG_NEAREST || src->mode == IMG_RGBA || w < 1 || h < 1)
        return img_resize(src, w, h, filter, box, e);
    if (gap < 1.0) {
        err_set(e, ERR_FAIL, "resize: reducing_gap %g must be 1.0 or greater", gap);
        return NULL;
    }
    double full[4] = {0, 0, src->w, src->h};
    const double *b = box ? box : full;
    if (w == src->w && h == src->h && b[0] == 0 && b[1] == 0 && b[2] == src->w && b[3] == src->h)
        return img_copy(src, e);
    /* Python's int() truncates; "or 1" turns 0 into 1. */
    double fx = (b[2] - b[0]) / w / gap, fy = (b[3] - b[1]) / h / gap;
    int factor_x = fx >= 1 && fx < 1e9 ? (int)fx : 1;
    int factor_y = fy >= 1 && fy < 1e9 ? (int)fy : 1;
    if (factor_x <= 1 && factor_y <= 1)
        return img_resize(src, w, h, filter, box, e);
    int rbox[4];
    safe_box(src, w, h, filter, b, rbox);
    img *reduced = img_reduce(src, factor_x, factor_y, rbox, e);
    if (!reduced)
        return NULL;
    double nbox[4] = {(b[0] - rbox[0]) / factor_x, (b[1] - rbox[1]) / factor_y,
                      (b[2] - rbox[0]) / factor_x, (b[3] - rbox[1]) / factor_y};
    img *out = img_resize(reduced, w, h, filter, nbox, e);
    img_free(reduced);
    return out;
}

/* thumbnail's round_aspect: floor or ceil of v, whichever the key prefers (floor on ties),
 * at least 1. */
static int round_aspect(double v, double aspect, int fixed, int for_width)
{
    double lo = floor(v), hi = ceil(v);
    double key_lo, key_hi;
    if (for_width) {
        key_lo = fabs(aspect - lo / fixed);
        key_hi = fabs(aspect - hi / fixed);
    } else {
        key_lo = lo == 0 ? 0 : fabs(aspect - fixed / lo);
        key_hi = hi == 0 ? 0 : fabs(aspect - fixed / hi);
    }
    double pick = key_hi < key_lo ? hi : lo;
    return pick < 1 ? 1 : (int)pick;
}

void img_thumbnail_size(const img *src, int w, int h, int *out_w, int *out_h)
{
    *out_w = src->w;
    *out_h = src->h;
    if (w >= src->w && h >= src->h)
        return;
    double aspect = (double)src->w / src->h;
    if ((double)w / h >= aspect)
        w = round_aspect(h * aspect, aspect, h, 1);
    else
        h = round_aspect(w / aspect, aspect, w, 0);
    *out_w = w;
    *out_h = h;
}

img *img_thumbnail(const img *src, int w, int h, img_resample filter, double gap, errmsg *e)
{
    if (w < 1 || h < 1) {
        err_set(e, ERR_FAIL, "thumbnail: size %dx%d must be at least 1x1", w, h);
        return NULL;
    }
    int tw, th;
    img_thumbnail_size(src, w, h, &tw, &th);
    if (tw == src->w && th == src->h)
        return img_copy(src, e);
    return img_resize_reducing(src, tw, th, filter, NULL, gap, e);
}

/* ==== combining ======================================================================== */

static int same_shape(const img *a, const img *b, const char *what, errmsg *e)
{
    if (a->mode != b->mode || a->w != b->w || a->h != b->h)
        return err_set(e, ERR_FAIL, "%s: images do not match (%s %dx%d and %s %dx%d)", what,
                       img_mode_name(a->mode), a->w, a->h, img_mode_name(b->mode), b->w, b->h);
    return 0;
}

img *img_composite(const img *a, const img *b, const img *mask, errmsg *e)
{
    if (a->w != b->w || a->h != b->h) {
        err_set(e, ERR_FAIL, "composite: images do not match (%dx%d and %dx%d)", a->w, a->h, b->w,
                b->h);
        return NULL;
    }
    img *out = img_copy(b, e);
    if (!out)
        return NULL;
    if (img_paste(out, a, 0, 0, a->w, a->h, mask, e)) {
        img_free(out);
        err_prefix(e, "composite: ");
        return NULL;
    }
    return out;
}

img *img_alpha_composite(const img *dst, const img *src, errmsg *e)
{
    if (dst->mode != IMG_RGBA || src->mode != IMG_RGBA) {
        err_set(e, ERR_FAIL, "alpha_composite: both images must be RGBA (got %s and %s)",
                img_mode_name(dst->mode), img_mode_name(src->mode));
        return NULL;
    }
    if (same_shape(dst, src, "alpha_composite", e))
        return NULL;
    img *out = img_new(dst->w, dst->h, IMG_RGBA, NULL, e);
    if (!out)
        return NULL;
    /* AlphaComposite.c: 7 extra bits of precision, divisions by 255 rounded. */
    const unsigned pb = 7;
    size_t n = (size_t)dst->w * (size_t)dst->h;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *d = dst->px + i * 4, *s = src->px + i * 4;
        uint8_t *o = out->px + i * 4;
        if (s[3] == 0) {
            memcpy(o, d, 4);
            continue;
        }
        uint32_t blend = (uint32_t)d[3] * (255 - s[3]);
        uint32_t outa255 = (uint32_t)s[3] * 255 + blend;
        uint32_t coef1 = (uint32_t)s[3] * 255 * 255 * (1u << pb) / outa255;
        uint32_t coef2 = 255 * (1u << pb) - coef1;
        for (int k = 0; k < 3; k++) {
            uint32_t t = s[k] * coef1 + d[k] * coef2 + (0x80u << pb);
            o[k] = (uint8_t)((((t >> 8) + t) >> 8) >> pb);
        }
        uint32_t ta = outa255 + 0x80;
        o[3] = (uint8_t)(((ta >> 8) + ta) >> 8);
    }
    return out;
}
