/* img_enhance.c - ImageEnhance and Image.blend as Pillow 9.4 computes them (see
 * img_enhance.h). Each enhancement builds Pillow's "degenerate" image, then blends. */
#include "vision/img_enhance.h"

#include <stdlib.h>
#include <string.h>

#include "vision/img_filter.h"

static const char *const KIND_NAMES[] = {
    [IMG_ENHANCE_BRIGHTNESS] = "Brightness",
    [IMG_ENHANCE_CONTRAST] = "Contrast",
    [IMG_ENHANCE_COLOR] = "Color",
    [IMG_ENHANCE_SHARPNESS] = "Sharpness",
};

img_enhance_kind img_enhance_parse(const char *name)
{
    for (int i = IMG_ENHANCE_BRIGHTNESS; i <= IMG_ENHANCE_SHARPNESS; i++)
        if (strcmp(KIND_NAMES[i], name) == 0)
            return (img_enhance_kind)i;
    return IMG_ENHANCE_NONE;
}

static int check_mode(const img *im, const char *what, errmsg *e)
{
    if (!im || (im->mode != IMG_L && im->mode != IMG_RGB && im->mode != IMG_RGBA))
        return err_set(e, ERR_FAIL, "%s: image must be L, RGB or RGBA", what);
    return 0;
}

#define BLEND_TABLE_MIN_BYTES ((size_t)1 << 17)

/* Pillow's ImagingBlend for one byte: single-precision float, truncated; clipped only when
 * alpha is outside [0, 1] (inside, the value cannot leave 0..255). A NaN (alpha NaN or
 * infinite) gives 0, as the x86 conversion under Pillow does. */
static inline uint8_t blend_byte(uint8_t p, uint8_t q, float f)
{
    float v = (float)p + f * (float)(q - p);
    if (f >= 0 && f <= 1)
        return (uint8_t)v;
    return !(v > 0.0f) ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
}

img *img_blend(const img *a, const img *b, double alpha, errmsg *e)
{
    if (check_mode(a, "blend", e) || check_mode(b, "blend", e))
        return NULL;
    if (a->w != b->w || a->h != b->h || a->mode != b->mode) {
        err_set(e, ERR_FAIL, "blend: images do not match (%dx%d %s vs %dx%d %s)", a->w, a->h,
                img_mode_name(a->mode), b->w, b->h, img_mode_name(b->mode));
        return NULL;
    }
    float f = (float)alpha;
    if (f == 0.0f)
        return img_copy(a, e);
    if (f == 1.0f)
        return img_copy(b, e);
    img *out = img_new(a->w, a->h, a->mode, NULL, e);
    if (!out)
        return NULL;
    /* The result depends only on the byte pair, so a 64K table computed once (with exactly
     * Pillow's float expression) replaces the per-byte float work on large images. */
    size_t n = img_bytes(a);
    const uint8_t *p = a->px, *q = b->px;
    if (n >= BLEND_TABLE_MIN_BYTES) {
        uint8_t *table = malloc(256 * 256);
        if (table) {
            for (int i = 0; i < 256; i++)
                for (int j = 0; j < 256; j++)
                    table[i << 8 | j] = blend_byte((uint8_t)i, (uint8_t)j, f);
            for (size_t i = 0; i < n; i++)
                out->px[i] = table[p[i] << 8 | q[i]];
            free(table);
            return out;
        }
    }
    for (size_t i = 0; i < n; i++)
        out->px[i] = blend_byte(p[i], q[i], f);
    return out;
}

/* Copies the alpha channel of src into dst (both RGBA), as Pillow's putalpha does. */
static void keep_alpha(img *dst, const img *src)
{
    if (src->mode != IMG_RGBA)
        return;
    size_t n = (size_t)src->w * (size_t)src->h;
    for (size_t i = 0; i < n; i++)
        dst->px[i * 4 + 3] = src->px[i * 4 + 3];
}

/* Every pixel set to one grey level v (alpha 255 where there is alpha). */
static void fill_grey(img *im, uint8_t v)
{
    int ch = img_channels(im->mode);
    size_t n = (size_t)im->w * (size_t)im->h;
    for (size_t i = 0; i < n; i++) {
        memset(im->px + i * ch, v, ch > 3 ? 3 : (size_t)ch);
        if (ch == 4)
            im->px[i * 4 + 3] = 255;
    }
}

/* ImageStat's mean of the image converted to L, rounded as int(mean + 0.5). */
static uint8_t mean_grey(const img *im)
{
    int ch = img_channels(im->mode);
    size_t n = (size_t)im->w * (size_t)im->h;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += ch == 1 ? im->px[i] : img_luma(im->px + i * ch);
    return (uint8_t)(sum / (double)n + 0.5);
}

static img *degenerate(const img *src, img_enhance_kind kind, errmsg *e)
{
    if (kind == IMG_ENHANCE_SHARPNESS) {
        img *d = img_filter_apply_builtin(src, IMG_FILTER_SMOOTH, e);
        if (d)
            keep_alpha(d, src);
        return d;
    }
    img *d = img_new(src->w, src->h, src->mode, NULL, e);
    if (!d)
        return NULL;
    int ch = img_channels(src->mode);
    size_t n = (size_t)src->w * (size_t)src->h;
    if (kind == IMG_ENHANCE_CONTRAST)
        fill_grey(d, mean_grey(src));
    if (kind == IMG_ENHANCE_COLOR && ch == 1)
        memcpy(d->px, src->px, n);
    if (kind == IMG_ENHANCE_COLOR && ch > 1)
        for (size_t i = 0; i < n; i++)
            memset(d->px + i * ch, img_luma(src->px + i * ch), 3);
    keep_alpha(d, src);
    return d;
}

img *img_enhance(const img *src, img_enhance_kind kind, double factor, errmsg *e)
{
    if (check_mode(src, "enhance", e))
        return NULL;
    if (kind < IMG_ENHANCE_BRIGHTNESS || kind > IMG_ENHANCE_SHARPNESS) {
        err_set(e, ERR_FAIL, "enhance: unknown enhancement %d", (int)kind);
        return NULL;
    }
    img *d = degenerate(src, kind, e);
    if (!d)
        return NULL;
    img *out = img_blend(d, src, factor, e);
    img_free(d);
    return out;
}
