/* img_ops.h - PIL.ImageOps (Pillow 9.4) on L / RGB / RGBA images.
 *
 * Each function returns a NEW image (free it with img_free) or NULL with e filled; the input is
 * never modified. Where Pillow 9.4 refuses a mode (invert, posterize, solarize, autocontrast
 * and equalize raise "not supported for this image mode" on RGBA), these functions refuse it
 * too, with the same reason, so a program behaves the same under vkeve and under Pillow.
 *
 * Colours are one byte per channel of the image (NULL = black / zeros). Sizes are >= 1.
 * Resampling filters are img_resample values (vision/img_geom.h); Pillow's default for every
 * function here that resizes is IMG_BICUBIC.
 *
 *     img *sq = img_ops_pad(im, 448, 448, IMG_BICUBIC, NULL, 0.5, 0.5, &e);
 */
#ifndef VKEVE_IMG_OPS_H
#define VKEVE_IMG_OPS_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"
#include "vision/img_geom.h"

/* ImageOps.mirror: left-right flip. ImageOps.flip: top-bottom flip. */
img *img_ops_mirror(const img *src, errmsg *e);
img *img_ops_flip(const img *src, errmsg *e);

/* ImageOps.grayscale: convert to L. */
img *img_ops_grayscale(const img *src, errmsg *e);

/* ImageOps.invert: 255 - v per channel; L and RGB only. */
img *img_ops_invert(const img *src, errmsg *e);

/* ImageOps.posterize(bits): keeps the top bits (1..8) of every channel; L and RGB only. */
img *img_ops_posterize(const img *src, int bits, errmsg *e);

/* ImageOps.solarize(threshold): inverts values >= threshold; L and RGB only. */
img *img_ops_solarize(const img *src, int threshold, errmsg *e);

/* ImageOps.autocontrast(cutoff=(lo, hi), ignore, preserve_tone): per band (or on the luma
 * histogram when preserve_tone), drops lo% darkest and hi% lightest pixels and stretches the
 * rest to 0..255. A single-number cutoff c is lo = hi = c. ignore is a value 0..255 left out
 * of the histogram, or -1 for none. L and RGB only. */
img *img_ops_autocontrast(const img *src, double cutoff_lo, double cutoff_hi, int ignore,
                          int preserve_tone, errmsg *e);

/* ImageOps.equalize(mask): histogram equalisation per band; mask NULL or an L image of the
 * same size selecting the pixels whose histogram is used. L and RGB only. */
img *img_ops_equalize(const img *src, const img *mask, errmsg *e);

/* ImageOps.colorize(image, black, white, mid, blackpoint, whitepoint, midpoint): maps an L
 * image onto a colour wedge, giving RGB. mid is NULL for the two-colour wedge. Requires
 * 0 <= blackpoint <= whitepoint <= 255 (and blackpoint <= midpoint <= whitepoint with mid). */
img *img_ops_colorize(const img *src, const uint8_t black[3], const uint8_t white[3],
                      const uint8_t *mid, int blackpoint, int whitepoint, int midpoint, errmsg *e);

/* ImageOps.expand(border=(left, top, right, bottom), fill): a frame of colour fill around the
 * image. Borders are >= 0 (a single-number border b is b on all four sides). */
img *img_ops_expand(const img *src, int left, int top, int right, int bottom, const uint8_t *fill,
                    errmsg *e);

/* ImageOps.crop(border=(left, top, right, bottom)): removes borders from each side. */
img *img_ops_crop(const img *src, int left, int top, int right, int bottom, errmsg *e);

/* ImageOps.scale(factor, resample): resized by factor (> 0), each side round()ed. */
img *img_ops_scale(const img *src, double factor, img_resample filter, errmsg *e);

/* ImageOps.contain(size, method): the largest resize with the same aspect ratio that fits in
 * w x h. */
img *img_ops_contain(const img *src, int w, int h, img_resample filter, errmsg *e);

/* ImageOps.pad(size, method, color, centering): contain() and then placed on a w x h canvas of
 * colour at (cx, cy) in 0..1 (0.5, 0.5 centres it). */
img *img_ops_pad(const img *src, int w, int h, img_resample filter, const uint8_t *colour,
                 double cx, double cy, errmsg *e);

/* ImageOps.fit(size, method, bleed, centering): crops to the aspect ratio of w x h around
 * (cx, cy) in 0..1, after removing bleed (0 <= bleed < 0.5) from every side, then resizes. */
img *img_ops_fit(const img *src, int w, int h, img_resample filter, double bleed, double cx,
                 double cy, errmsg *e);

#endif
