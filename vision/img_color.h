/* img_color.h - colour specifiers and ink values, with Pillow 9.4's semantics.
 *
 * Programs name colours the way Pillow accepts them; this module turns each form into the
 * 4 "ink" bytes that drawing (img_draw.h) and image creation use for a given mode:
 *   string  "red", "#f00", "#ff000080", "rgb(255,0,0)", "rgb(100%,0%,0%)", "rgba(...)",
 *           "hsl(0,100%,50%)", "hsv(...)"/"hsb(...)"   -> ImageColor.getcolor(s, mode)
 *   int     on L: clipped to 0..255; on RGB/RGBA: 0xAABBGGRR, i.e. low byte is red and
 *           bits 24..31 are alpha (so 0xff0000 is BLUE and plain ints have alpha 0)
 *   tuple   on L: exactly one element; on RGB/RGBA: 3 or 4 elements (alpha defaults to 255);
 *           each element is clipped to 0..255. A 1-tuple is treated as its only element.
 * Ink layout (always 4 bytes): L -> {v, 0, 0, 0}; RGB and RGBA -> {r, g, b, a}. An RGB image
 * uses the first 3 bytes, but the alpha byte still counts when two inks are compared (Pillow
 * compares packed inks: rectangle(fill=(255,0,0), outline=0x0000ff) draws the outline).
 *
 *     uint8_t ink[4];
 *     errmsg e;
 *     if (img_ink_from_str("hsl(120, 100%, 25%)", IMG_RGB, ink, &e)) ... e.text says why
 *
 * Floats are not colours: Pillow rejects them ("color must be int or tuple"); the program
 * interpreter reports that before calling here.
 */
#ifndef VKEVE_IMG_COLOR_H
#define VKEVE_IMG_COLOR_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* ImageColor.getrgb: parses spec (case-insensitive) into rgba[0..3]; *ncomp is 3 or 4 (4
 * only for "#rgba", "#rrggbbaa" and "rgba(...)"; rgba[3] is 255 when *ncomp is 3).
 * Like Pillow the components are NOT clipped: "rgb(300,0,0)" gives 300 and
 * "hsl(0,200%,50%)" gives (382,-127,-127); clipping happens when an ink is made. Absurd
 * magnitudes saturate at +-2^30 (Pillow keeps Python ints; the ink is the same).
 * Fails with "unknown color specifier: 'spec'" for anything Pillow rejects, and with
 * "color specifier is too long" past 100 characters. */
int img_color_getrgb(const char *spec, int rgba[4], int *ncomp, errmsg *e);

/* ImageColor.getcolor(spec, mode) followed by Pillow's ink conversion. For L the colour is
 * converted with Pillow's integer luma (r*19595 + g*38470 + b*7471 + 0x8000) >> 16 and its
 * alpha dropped; for RGB the alpha is dropped (ink alpha 255); for RGBA it is kept. */
int img_ink_from_str(const char *spec, img_mode mode, uint8_t ink[4], errmsg *e);

/* A program's int as an ink (see the header comment for the byte order). Cannot fail. */
void img_ink_from_int(long long v, img_mode mode, uint8_t ink[4]);

/* A program's tuple of n ints as an ink. Fails for a length Pillow rejects: L takes 1
 * element, RGB/RGBA take 1, 3 or 4. */
int img_ink_from_tuple(const long long *v, int n, img_mode mode, uint8_t ink[4], errmsg *e);

/* The ink ImageDraw uses when a call gives neither fill nor outline: Pillow's
 * draw_ink(-1), which is 0 (black) on L and white with alpha 255 on RGB/RGBA. */
void img_ink_default(img_mode mode, uint8_t ink[4]);

#endif
