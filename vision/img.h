/* img.h - the image type shared by everything in vision/ and evolve/.
 *
 * An image is 8-bit, interleaved, row-major, without padding: pixel (x, y) channel c is
 * px[(y * w + x) * channels + c]. Modes follow Pillow's names and channel orders:
 *   IMG_L    "L"    1 channel  (luma)
 *   IMG_RGB  "RGB"  3 channels
 *   IMG_RGBA "RGBA" 4 channels (straight, not premultiplied, alpha)
 * The enum value is the channel count.
 *
 *     errmsg e;
 *     uint8_t red[3] = {255, 0, 0};
 *     img *a = img_new(64, 32, IMG_RGB, red, &e);   // NULL and e filled on failure
 *     ...
 *     img_free(a);
 */
#ifndef VKEVE_IMG_H
#define VKEVE_IMG_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"

typedef enum img_mode { IMG_L = 1, IMG_RGB = 3, IMG_RGBA = 4 } img_mode;

typedef struct img {
    int w, h;
    img_mode mode;
    uint8_t *px;
} img;

/* The largest image img_new creates, in bytes: a hard ceiling under any sandbox budget. */
#define IMG_MAX_BYTES ((size_t)1 << 30)

/* A new w x h image filled with fill (one value per channel) or zeros when fill is NULL.
 * Fails for w or h < 1 or an image over IMG_MAX_BYTES. */
img *img_new(int w, int h, img_mode mode, const uint8_t *fill, errmsg *e);
img *img_copy(const img *src, errmsg *e);
void img_free(img *im);

static inline int img_channels(img_mode mode)
{
    return (int)mode;
}
size_t img_bytes(const img *im);
/* "L", "RGB", "RGBA"; img_mode_parse returns 0 for an unknown name. */
const char *img_mode_name(img_mode mode);

/* Pillow's RGB -> L conversion of one pixel (ITU-R 601-2 luma in 16.16 fixed point). */
static inline uint8_t img_luma(const uint8_t *rgb)
{
    return (uint8_t)(((unsigned)rgb[0] * 19595 + (unsigned)rgb[1] * 38470 +
                      (unsigned)rgb[2] * 7471 + 0x8000) >>
                     16);
}
img_mode img_mode_parse(const char *name);

#endif
