/* seedimg.h - synthetic "photos" for the built-in default job, so it needs no download.
 *
 * Each image is a small outdoor scene drawn with the vision library: a sky gradient, a sun or
 * moon, clouds, a mountain range, a ground gradient with a road, and a few objects of
 * distinct colours (houses, trees, balls, flags, fences, birds), placed at random. The scene
 * has no symmetry and detail at several scales, so crops, rotations, flips and jigsaws of it
 * look different from each other, and no part is near-black (EVE's darkness rule). Sizes
 * vary with the index between 320x240 and 640x480, some portrait; all are RGB.
 * Every pixel is a pure function of (index, seed): the same pair gives the same bytes on
 * every machine.
 *
 *     img *im;
 *     if (seedimg_render(3, run_seed, &im, &e)) return e.code;
 *     ...
 *     img_free(im);
 */
#ifndef VKEVE_SEEDIMG_H
#define VKEVE_SEEDIMG_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* Renders image `index` (>= 0) of the set made from seed into *out (the caller frees it).
 * Returns 0, or ERR_FAIL with e filled (a negative index, out of memory). */
int seedimg_render(int index, uint64_t seed, img **out, errmsg *e);

#endif
