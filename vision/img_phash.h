/* img_phash.h - the 64-bit perceptual hash EVE uses to spot visually identical outputs.
 *
 * The definition is imagehash.phash with its defaults (hash_size 8, highfreq_factor 4):
 *   1. convert to "L" (Pillow's luma; alpha is ignored),
 *   2. resize to 32 x 32 with LANCZOS (Pillow's resampler, exactly),
 *   3. 2-D DCT-II (type 2 along both axes, as scipy's dct with default normalisation),
 *   4. keep the top-left 8 x 8 coefficients (DC included),
 *   5. bit = coefficient > median of those 64 values.
 * Bit (row r, column c) of the 8 x 8 block is bit 63 - (8 r + c) of the result, so
 * printf("%016llx") prints the same hex string as str(imagehash.phash(image)).
 *
 *     uint64_t h;
 *     if (img_phash(im, &h, &e)) return e.code;     // fails only on out of memory
 *     int same = h == other_hash;                    // EVE: identical hashes = duplicates
 *
 * Coefficients are computed in double precision; a bit can differ from scipy's only where a
 * coefficient lies within rounding error of the median (flat images).
 */
#ifndef VKEVE_IMG_PHASH_H
#define VKEVE_IMG_PHASH_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* Hashes im (any mode); returns 0 or ERR_FAIL with e filled (out of memory). */
int img_phash(const img *im, uint64_t *out, errmsg *e);

/* Number of differing bits between two hashes (imagehash's `a - b`). */
int img_phash_distance(uint64_t a, uint64_t b);

#endif
