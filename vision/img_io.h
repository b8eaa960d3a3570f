/* img_io.h - reading images (PNG, JPEG, BMP, GIF) and writing PNG files.
 *
 * Only PNG, JPEG, BMP and GIF (first frame) are accepted, recognised by their leading bytes.
 * JPEG goes through libjpeg-turbo with Pillow's settings, so its pixels equal Pillow's; the
 * others through stb_image. The decoded mode follows the file's channels:
 *   gray -> "L", gray+alpha -> "RGBA", RGB -> "RGB", RGBA -> "RGBA"
 * (palette files come out as RGB, or RGBA when they carry transparency; CMYK JPEGs as RGB,
 * as Pillow's .convert("RGB") gives them). A truncated file is an error, as in Pillow.
 * The decoded size is checked against a byte budget from the header alone, BEFORE any pixel
 * memory is allocated, so a small hostile file cannot make the decoder allocate gigabytes.
 *
 * Encoding writes 8-bit PNG deterministically: libdeflate level 1 with the Paeth filter on
 * every row (tuned for speed), no time or text chunks, so the same pixels always give the
 * same bytes with the same libdeflate.
 * img_save_png writes atomically (base/afile.h): on any failure (full disk, read-only folder)
 * PATH is left as it was and no temporary file remains.
 *
 *     errmsg e;
 *     img *im = img_load("seed.jpg", 0, &e);            // 0: the default budget
 *     if (!im) { fprintf(stderr, "%s\n", e.text); return 1; }
 *     if (img_save_png(im, "out/seed.png", &e)) ...     // e.text names the file and reason
 *     img_free(im);
 *
 * Every function is thread-safe (no global state is shared between calls).
 */
#ifndef VKEVE_IMG_IO_H
#define VKEVE_IMG_IO_H

#include <stddef.h>
#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* The decode budget used when a caller passes max_bytes = 0: 64 MiB of decoded pixels
 * (e.g. 4096 x 4096 RGBA). */
#define IMG_DECODE_DEFAULT_MAX_BYTES ((size_t)64 << 20)

/* Decodes an image held in memory. name labels error messages (a file name or "<input>").
 * max_bytes caps w * h * channels of the result (0 means IMG_DECODE_DEFAULT_MAX_BYTES; it is
 * never more than IMG_MAX_BYTES). Returns NULL and fills e when the bytes are not a supported
 * format, are corrupt or truncated, or decode to more than max_bytes. */
img *img_decode(const void *data, size_t n, const char *name, size_t max_bytes, errmsg *e);

/* Reads and decodes the file at path (see img_decode; errors start with the path). */
img *img_load(const char *path, size_t max_bytes, errmsg *e);

/* Encodes im as PNG into a new malloc'd buffer: *out (free it with free()) and *out_n. */
int img_encode_png(const img *im, uint8_t **out, size_t *out_n, errmsg *e);

/* Writes im as a PNG file at path, atomically (see above). */
int img_save_png(const img *im, const char *path, errmsg *e);

#endif
