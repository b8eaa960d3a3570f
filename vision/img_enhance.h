/* img_enhance.h - ImageEnhance.{Brightness,Contrast,Color,Sharpness}(img).enhance(factor) and
 * Image.blend, as Pillow 9.4 computes them, for L, RGB and RGBA images.
 *
 * Pillow builds each enhancement as Image.blend(degenerate, img, factor):
 *   Brightness  degenerate = black (alpha kept from img)
 *   Contrast    degenerate = grey of int(mean luma + 0.5) (alpha kept from img)
 *   Color       degenerate = img converted to L (LA) and back
 *   Sharpness   degenerate = img.filter(SMOOTH) (alpha kept from img)
 * and blend computes, per byte, in single-precision float, truncating:
 *   out = (uint8)(a + alpha * (b - a)), clipped to 0..255 when alpha is outside [0, 1].
 * Results are byte-exact with Pillow. Each call returns a NEW image (NULL and e on failure).
 *
 *     img *brighter = img_enhance(im, IMG_ENHANCE_BRIGHTNESS, 1.3, &e);
 */
#ifndef VKEVE_IMG_ENHANCE_H
#define VKEVE_IMG_ENHANCE_H

#include "base/errmsg.h"
#include "vision/img.h"

typedef enum img_enhance_kind {
    IMG_ENHANCE_NONE = 0,
    IMG_ENHANCE_BRIGHTNESS,
    IMG_ENHANCE_CONTRAST,
    IMG_ENHANCE_COLOR,
    IMG_ENHANCE_SHARPNESS
} img_enhance_kind;

/* "Brightness", "Contrast", "Color", "Sharpness" (the ImageEnhance class names);
 * IMG_ENHANCE_NONE if unknown. */
img_enhance_kind img_enhance_parse(const char *name);

/* ImageEnhance.<kind>(src).enhance(factor). Any finite factor is allowed, as in Pillow. */
img *img_enhance(const img *src, img_enhance_kind kind, double factor, errmsg *e);

/* Image.blend(a, b, alpha): a and b must have the same size and mode. alpha is rounded to
 * single precision first, as Pillow does. */
img *img_blend(const img *a, const img *b, double alpha, errmsg *e);

#endif
