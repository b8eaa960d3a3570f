/* img_geom.h - the Image methods programs use: conversion, pixel access, point tables,
 * split/merge, putalpha, crop, paste, transpose, resize (+ reduce, reducing_gap, thumbnail),
 * transform (AFFINE, EXTENT, PERSPECTIVE, QUAD), rotate, histogram / extrema / bbox,
 * compositing and the gradient constructors.
 *
 * Semantics follow Pillow 9.4 (the conformance oracle; see tests/reference/img_conformance.py).
 * Every function gives Pillow's bytes: the resamplers and transforms repeat Pillow's own
 * fixed-point and floating-point arithmetic step by step (all ~3300 conformance cases match
 * exactly). Differences, all documented below: no zero-sized images (Pillow allows them),
 * no "1"/"P"/"LA" modes.
 *
 * Conventions:
 * - Functions returning img * return a NEW image (free it with img_free) or NULL with e
 *   filled. Functions returning int change an image in place and return 0 or an error code.
 * - Inputs are never modified unless the function's doc says so.
 * - A colour is an array of bytes, one per channel of the image it applies to (the caller
 *   parses "red" / (255, 0, 0) / 128 into the right number of bands).
 * - Boxes are (left, top, right, bottom), right and bottom exclusive, as in Pillow.
 * - Images of mode RGBA are resized and transformed (filters other than NEAREST) through
 *   premultiplied alpha, as Pillow does ("RGBa"), so colour does not bleed out of transparent
 *   pixels.
 *
 *     img *small = img_resize(im, 224, 224, IMG_BICUBIC, NULL, &e);
 *     img *turned = img_rotate(im, 30.0, IMG_BILINEAR, 1, NULL, NULL, NULL, &e);
 */
#ifndef VKEVE_IMG_GEOM_H
#define VKEVE_IMG_GEOM_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* Resampling filters; the values are Pillow's Image.Resampling numbers. */
typedef enum img_resample {
    IMG_NEAREST = 0,
    IMG_LANCZOS = 1,
    IMG_BILINEAR = 2,
    IMG_BICUBIC = 3,
    IMG_BOX = 4,
    IMG_HAMMING = 5
} img_resample;

/* Transpose methods; the values are Pillow's Image.Transpose numbers. */
typedef enum img_transpose_op {
    IMG_FLIP_LEFT_RIGHT = 0,
    IMG_FLIP_TOP_BOTTOM = 1,
    IMG_ROTATE_90 = 2,
    IMG_ROTATE_180 = 3,
    IMG_ROTATE_270 = 4,
    IMG_TRANSPOSE = 5,
    IMG_TRANSVERSE = 6
} img_transpose_op;

/* Pillow's name of a filter ("BICUBIC") or "?"; img_resample_parse also knows Pillow 9.4's
 * aliases ANTIALIAS, CUBIC and LINEAR, and returns -1 for an unknown name. */
const char *img_resample_name(img_resample filter);
int img_resample_parse(const char *name);

/* --- modes and pixels ------------------------------------------------------------------ */

/* Image.convert(mode) between L, RGB and RGBA:
 *   RGB/RGBA -> L: L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16 (ITU-R 601-2)
 *   L -> RGB/RGBA: the value in every colour band; alpha 255
 *   RGBA -> RGB:   alpha dropped (not composited onto anything, as in Pillow)
 *   RGB -> RGBA:   alpha 255
 * Converting to the same mode returns a copy. */
img *img_convert(const img *src, img_mode mode, errmsg *e);

/* Image.getpixel((x, y)): the pixel's channels into out (1, 3 or 4 bytes). Negative x or y
 * count from the right / bottom edge, as in Pillow; a pixel outside the image is an error. */
int img_getpixel(const img *im, int x, int y, uint8_t out[4], errmsg *e);

/* Image.putpixel((x, y), value): value holds one byte per channel; indices as img_getpixel. */
int img_putpixel(img *im, int x, int y, const uint8_t *value, errmsg *e);

/* Image.putalpha(alpha): an RGBA copy of im whose alpha is the L image alpha_im (same size)
 * or, when alpha_im is NULL, the constant alpha. (Pillow turns an L image into LA; vkeve has no
 * LA, so L images come back RGBA, the same pixels as Pillow's result converted to RGBA.) */
img *img_putalpha(const img *im, const img *alpha_im, int alpha, errmsg *e);

/* Image.linear_gradient("L") and Image.radial_gradient("L"): 256x256 L images, value y, and
 * value min(255, (int)sqrt(2 * squared distance from (128, 128))). */
img *img_linear_gradient(errmsg *e);
img *img_radial_gradient(errmsg *e);

/* Image.point(table): each channel c maps v to lut[c * 256 + v], the entry clipped to 0..255.
 * n must be 256 * channels (a caller applying one 256-entry function to every band repeats
 * it, as Pillow does for a callable). */
img *img_point(const img *src, const int *lut, size_t n, errmsg *e);

/* Image.split(): one L image per channel into bands[0..channels-1]; returns the count
 * (1, 3 or 4) or -1 with e filled (nothing is left allocated then). */
int img_split(const img *src, img *bands[4], errmsg *e);

/* Image.merge(mode, bands): n must equal the mode's channel count; every band must be an L
 * image of the same size. */
img *img_merge(img_mode mode, img *const *bands, int n, errmsg *e);

/* --- geometry -------------------------------------------------------------------------- */

/* Image.crop(box): the box is rounded as Pillow does (Python round(): halves to even), and
 * may extend beyond the image; pixels outside are zero. right < left or bottom < top is an
 * error, as is an empty box (our images are at least 1x1) or one over IMG_MAX_BYTES. */
img *img_crop(const img *src, double left, double top, double right, double bottom, errmsg *e);

/* Image.paste(src, (left, top, right, bottom), mask) into dst, in place.
 * The box must be exactly src's size (Pillow: "images do not match"); parts outside dst are
 * clipped. src is converted to dst's mode first when they differ. mask is NULL, or an image of
 * the box's size with mode L (its value is the weight) or RGBA (its alpha is the weight):
 * dst = (dst * (255 - m) + src * m) / 255 with Pillow's rounding. */
int img_paste(img *dst, const img *src, int left, int top, int right, int bottom, const img *mask,
              errmsg *e);

/* Image.paste(colour, (left, top, right, bottom), mask): fills the box (clipped to dst) with
 * colour (one byte per channel of dst), weighted by mask as img_paste does. */
int img_paste_color(img *dst, const uint8_t *colour, int left, int top, int right, int bottom,
                    const img *mask, errmsg *e);

/* Image.transpose(method). */
img *img_transpose(const img *src, img_transpose_op op, errmsg *e);

/* Image.resize((w, h), filter, box): Pillow's separable two-pass convolution (antialiased when
 * shrinking), or, for IMG_NEAREST, Pillow's pixel-centre nearest mapping. box is NULL (the
 * whole image) or 4 doubles (left, top, right, bottom) inside the image, with right > left and
 * bottom > top, selecting the source region. w and h must be at least 1.
 * Pillow's default filter for resize is IMG_BICUBIC. */
img *img_resize(const img *src, int w, int h, img_resample filter, const double *box, errmsg *e);

/* Image.reduce((xscale, yscale), box): each output pixel is the rounded mean of an
 * xscale x yscale block (blocks at the right and bottom edges may be partial; the output size
 * rounds up). box is NULL or 4 ints (left, top, right, bottom) inside the image, not empty.
 * Scales must be >= 1. */
img *img_reduce(const img *src, int xscale, int yscale, const int *box, errmsg *e);

/* Image.resize(..., reducing_gap=gap): as img_resize, but when shrinking by gap times or
 * more, first img_reduce by an integer factor, as Pillow does. gap <= 0 means None (plain
 * img_resize); otherwise gap must be >= 1. As in Pillow, RGBA images ignore the gap. */
img *img_resize_reducing(const img *src, int w, int h, img_resample filter, const double *box,
                         double gap, errmsg *e);

/* Image.thumbnail((w, h), filter, reducing_gap): the size that keeps the aspect ratio within
 * w x h (never enlarging), computed as Pillow does, into *out_w, *out_h. */
void img_thumbnail_size(const img *src, int w, int h, int *out_w, int *out_h);

/* Image.thumbnail as a function: a NEW image of img_thumbnail_size's size (a copy when that
 * is src's size). Pillow's defaults are IMG_BICUBIC and gap 2.0. */
img *img_thumbnail(const img *src, int w, int h, img_resample filter, double gap, errmsg *e);

/* Image.transform((w, h), Image.AFFINE, coeffs, filter, fillcolor=fill): the output pixel
 * (x, y) samples the source at (a*x + b*y + c, d*x + e*y + f) for coeffs (a, b, c, d, e, f),
 * taken at pixel centres (x + 0.5, y + 0.5) as Pillow does. filter is IMG_NEAREST,
 * IMG_BILINEAR or IMG_BICUBIC. fill (one byte per channel, NULL = zeros) colours the area
 * mapped from outside the source. */
img *img_transform_affine(const img *src, int w, int h, const double coeffs[6], img_resample filter,
                          const uint8_t *fill, errmsg *e);

/* Image.transform methods; the values are Pillow's Image.Transform numbers (MESH is not
 * supported). */
typedef enum img_transform_method {
    IMG_TRANSFORM_AFFINE = 0,
    IMG_TRANSFORM_EXTENT = 1,
    IMG_TRANSFORM_PERSPECTIVE = 2,
    IMG_TRANSFORM_QUAD = 3
} img_transform_method;

/* Image.transform((w, h), method, data, filter, fillcolor=fill), n = the number of doubles in
 * data, which must be at least:
 *   AFFINE      6  (a, b, c, d, e, f) as img_transform_affine
 *   EXTENT      4  (x0, y0, x1, y1): the source rectangle stretched over the output
 *   PERSPECTIVE 8  (a .. h): source = ((a*x + b*y + c) / (g*x + h*y + 1), (d*x + e*y + f) / ...)
 *   QUAD        8  the source corners upper-left, lower-left, lower-right, upper-right
 * Filters and fill as img_transform_affine. */
img *img_transform(const img *src, int w, int h, img_transform_method method, const double *data,
                   int n, img_resample filter, const uint8_t *fill, errmsg *e);

/* Image.rotate(angle, filter, expand, center, translate, fillcolor): angle in degrees,
 * counter-clockwise. center (2 doubles, NULL = the image centre), translate (2 doubles, NULL
 * = none), fill (NULL = zeros). With expand the output grows to hold the whole rotated image.
 * Multiples of 90 degrees without center/translate are exact transposes, as in Pillow.
 * filter is IMG_NEAREST (Pillow's default for rotate), IMG_BILINEAR or IMG_BICUBIC. */
img *img_rotate(const img *src, double angle, img_resample filter, int expand, const double *center,
                const double *translate, const uint8_t *fill, errmsg *e);

/* --- measuring ------------------------------------------------------------------------ */

/* Image.histogram(mask): 256 counts per channel (channel c's at counts[c * 256]), over the
 * pixels where mask is non-zero (mask NULL: all pixels; else an L image of the same size). */
int img_histogram(const img *im, const img *mask, uint32_t *counts, errmsg *e);

/* Image.getextrema(): the smallest and largest value of each channel. */
void img_getextrema(const img *im, uint8_t lo[4], uint8_t hi[4]);

/* Image.getbbox(): the box (left, top, right, bottom) around the non-zero pixels (RGBA: pixels
 * with non-zero alpha, as Pillow). Returns 0 when there are none (Pillow returns None), else 1. */
int img_getbbox(const img *im, int box[4]);

/* --- combining images ------------------------------------------------------------------ */

/* Image.blend(a, b, alpha) is img_blend in vision/img_enhance.h (ImageEnhance is built on it). */

/* Image.composite(a, b, mask): a where mask is 255, b where it is 0, weighted between.
 * a and b: same size (a is converted to b's mode when they differ, as Pillow's paste does);
 * mask: L or RGBA (alpha used) of the same size. */
img *img_composite(const img *a, const img *b, const img *mask, errmsg *e);

/* Image.alpha_composite(dst, src): src over dst, both RGBA of the same size, with Pillow's
 * fixed-point formula. */
img *img_alpha_composite(const img *dst, const img *src, errmsg *e);

#endif
