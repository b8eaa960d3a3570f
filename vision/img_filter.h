/* img_filter.h - img.filter(ImageFilter.X) for L, RGB and RGBA images, as Pillow 9.4 does it.
 *
 * Every filter returns a NEW image of the same size and mode (NULL and e filled on failure)
 * and treats each channel alike, alpha included, as Pillow does. Three families:
 *   - built-in 3x3/5x5 kernels (BLUR, CONTOUR, ..., SMOOTH_MORE) and custom ImageFilter.Kernel:
 *     pixel-exact with Pillow (same kernel sums, rounding and untouched 1-pixel border for
 *     3x3, 2-pixel border for 5x5).
 *   - box and Gaussian blur (BoxBlur, GaussianBlur, and UnsharpMask built on the latter):
 *     Pillow's extended box passes, integer arithmetic with the same rounding.
 *   - rank filters (MedianFilter, MinFilter, MaxFilter): exact.
 *
 *     img_filter_builtin f = img_filter_builtin_parse("SHARPEN");   // IMG_FILTER_NONE if unknown
 *     img *out = img_filter_apply_builtin(im, f, &e);
 *     img *soft = img_filter_gaussian_blur(im, 2.5, &e);
 */
#ifndef VKEVE_IMG_FILTER_H
#define VKEVE_IMG_FILTER_H

#include "base/errmsg.h"
#include "vision/img.h"

typedef enum img_filter_builtin {
    IMG_FILTER_NONE = 0,
    IMG_FILTER_BLUR,
    IMG_FILTER_CONTOUR,
    IMG_FILTER_DETAIL,
    IMG_FILTER_EDGE_ENHANCE,
    IMG_FILTER_EDGE_ENHANCE_MORE,
    IMG_FILTER_EMBOSS,
    IMG_FILTER_FIND_EDGES,
    IMG_FILTER_SHARPEN,
    IMG_FILTER_SMOOTH,
    IMG_FILTER_SMOOTH_MORE
} img_filter_builtin;

/* "BLUR", "SHARPEN", ... (the ImageFilter attribute names); IMG_FILTER_NONE if unknown. */
img_filter_builtin img_filter_builtin_parse(const char *name);

img *img_filter_apply_builtin(const img *src, img_filter_builtin f, errmsg *e);

/* ImageFilter.Kernel(size, kernel, scale, offset): size is 3 or 5, kernel holds size*size
 * weights in row-major order. scale NULL means Pillow's default, the sum of the weights. As
 * in Pillow, a zero scale divides by zero (infinite weights; NaN sums give 0), and an image
 * smaller than the kernel is returned unchanged. */
img *img_filter_kernel(const img *src, int size, const double *kernel, const double *scale,
                       double offset, errmsg *e);

/* ImageFilter.BoxBlur(radius): 0 <= radius <= IMG_FILTER_MAX_RADIUS (fractional radii weight
 * the two outermost pixels). Pixels beyond the border repeat the edge pixel. */
#define IMG_FILTER_MAX_RADIUS 100000.0
img *img_filter_box_blur(const img *src, double radius, errmsg *e);

/* ImageFilter.GaussianBlur(radius): 0 <= radius <= IMG_FILTER_MAX_RADIUS is the standard
 * deviation, approximated by 3 extended box blurs as Pillow does. */
img *img_filter_gaussian_blur(const img *src, double radius, errmsg *e);

/* ImageFilter.UnsharpMask(radius, percent, threshold). */
img *img_filter_unsharp_mask(const img *src, double radius, int percent, int threshold, errmsg *e);

/* MedianFilter / MinFilter / MaxFilter(size): size odd, 1 <= size <= IMG_FILTER_MAX_RANK_SIZE.
 * Pixels beyond the border repeat the edge pixel, as Pillow's expand() does. */
#define IMG_FILTER_MAX_RANK_SIZE 255
typedef enum img_rank_kind { IMG_RANK_MEDIAN, IMG_RANK_MIN, IMG_RANK_MAX } img_rank_kind;
img *img_filter_rank(const img *src, img_rank_kind kind, int size, errmsg *e);

/* RankFilter(size, rank): the rank-th smallest (0-based) of the size*size box; MinFilter is
 * rank 0, MaxFilter size*size-1, MedianFilter size*size/2. Fails for a rank outside that. */
img *img_filter_rank_n(const img *src, int size, int rank, errmsg *e);

/* ModeFilter(size): the most frequent value in the size x size box (size/2 each way, even
 * sizes included, clipped at the borders), smallest value on ties; kept only if it occurs
 * more than twice, else the pixel stays. size <= IMG_FILTER_MAX_RANK_SIZE; sizes below 2
 * change nothing, as in Pillow. */
img *img_filter_mode(const img *src, int size, errmsg *e);

#endif
