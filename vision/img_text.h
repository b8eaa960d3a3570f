/* img_text.h - text on images with a built-in 5x7 bitmap font, for pictures made for people.
 *
 * The sandbox has no fonts (programs cannot call draw.text), but vkeve's own pictures, such
 * as the contact sheets of a round (evolve/sheet.h), need labels. Each printable ASCII
 * character is a 5x7 glyph in a 6x9 cell (one column and two rows of spacing); `scale`
 * multiplies every pixel into a scale x scale block. '\n' starts a new line at x. Any other
 * byte outside printable ASCII draws '?' (a UTF-8 sequence draws one '?'). Pixels outside
 * the image are clipped. The ink is written as it is, as img_draw.h does: 4 bytes from
 * img_color.h ({v, 0, 0, 0} for L, {r, g, b, a} for RGB and RGBA).
 *
 *     uint8_t ink[4] = {20, 20, 20, 255};
 *     img_draw_text(im, 10, 10, "p=0.50 (3/6)", ink, 1);
 *     int w = img_text_width("p=0.50 (3/6)", 1);            // 72 pixels
 */
#ifndef VKEVE_IMG_TEXT_H
#define VKEVE_IMG_TEXT_H

#include <stdint.h>

#include "vision/img.h"

#define IMG_TEXT_CELL_W 6 /* pixels per character at scale 1, spacing included */
#define IMG_TEXT_CELL_H 9 /* pixels per line at scale 1, spacing included */

/* Draws s with its top-left corner at (x, y). scale < 1 draws nothing. */
void img_draw_text(img *im, int x, int y, const char *s, const uint8_t rgba[4], int scale);

/* Width in pixels of the longest line of s at scale (spacing after the last glyph included). */
int img_text_width(const char *s, int scale);

/* How many characters of s fit in width pixels at scale (each UTF-8 sequence is one). */
int img_text_fit(const char *s, int width, int scale);

#endif
