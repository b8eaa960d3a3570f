/* img_phash.c - imagehash.phash in C (see img_phash.h for the exact definition). */
#include "vision/img_phash.h"

#include <math.h>
#include <stdlib.h>

#include "vision/img_geom.h"

#define PHASH_SIDE 32 /* hash_size 8 x highfreq_factor 4 */
#define PHASH_KEEP 8
#define PHASH_PI   3.14159265358979323846

/* Unnormalised DCT-II of n samples, first `keep` outputs only:
 * y[k] = 2 sum_n x[n] cos(pi k (2n + 1) / (2N)), scipy's type-2 definition. */
static void dct2_keep(const double *x, int stride, int n, int keep, double *y, int ystride)
{
    for (int k = 0; k < keep; k++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += x[i * stride] * cos(PHASH_PI * k * (2 * i + 1) / (2.0 * n));
        y[k * ystride] = 2.0 * s;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.median of an even count: the mean of the two middle values. */
static double median64(const double *v)
{
    double s[PHASH_KEEP * PHASH_KEEP];
    for (int i = 0; i < PHASH_KEEP * PHASH_KEEP; i++)
        s[i] = v[i];
    qsort(s, PHASH_KEEP * PHASH_KEEP, sizeof s[0], cmp_double);
    int mid = PHASH_KEEP * PHASH_KEEP / 2;
    return (s[mid - 1] + s[mid]) / 2.0;
}

int img_phash(const img *im, uint64_t *out, errmsg *e)
{
    img *gray = im->mode == IMG_L ? NULL : img_convert(im, IMG_L, e);
    if (im->mode != IMG_L && !gray)
        return e->code;
    img *small = img_resize(gray ? gray : im, PHASH_SIDE, PHASH_SIDE, IMG_LANCZOS, NULL, e);
    img_free(gray);
    if (!small)
        return e->code;
    double px[PHASH_SIDE * PHASH_SIDE], cols[PHASH_KEEP * PHASH_SIDE];
    double coef[PHASH_KEEP * PHASH_KEEP];
    for (int i = 0; i < PHASH_SIDE * PHASH_SIDE; i++)
        px[i] = small->px[i];
    img_free(small);
    /* axis 0 (down each column) first, then axis 1 (along each row), as imagehash does */
    for (int x = 0; x < PHASH_SIDE; x++)
        dct2_keep(px + x, PHASH_SIDE, PHASH_SIDE, PHASH_KEEP, cols + x, PHASH_SIDE);
    for (int r = 0; r < PHASH_KEEP; r++)
        dct2_keep(cols + r * PHASH_SIDE, 1, PHASH_SIDE, PHASH_KEEP, coef + r * PHASH_KEEP, 1);
    double med = median64(coef);
    uint64_t h = 0;
    for (int i = 0; i < PHASH_KEEP * PHASH_KEEP; i++)
        h = (h << 1) | (coef[i] > med);
    *out = h;
    return 0;
}

int img_phash_distance(uint64_t a, uint64_t b)
{
    return __builtin_popcountll(a ^ b);
}
