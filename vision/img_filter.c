/* img_filter.c - Pillow 9.4's image filters, reimplemented (see img_filter.h).
 *
 * Exactness with Pillow comes from doing the same arithmetic, not an equivalent one:
 *   - kernels: single-precision float sums in Pillow's order (the kernel's first row meets
 *     the image row BELOW the pixel), +0.5 then truncation; border rows/columns are copied;
 *   - box blur: 8.24 fixed point with weight ww for whole pixels and fw for the fractional
 *     pair at the window's ends, all horizontal passes first, then all vertical ones;
 *   - Gaussian blur: the box radius Pillow derives in float from sigma (3 passes).
 * Rank filters use a sliding histogram (Huang's method), which gives the same order
 * statistic as Pillow's selection on a border-replicated copy.
 */
#include "vision/img_filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct builtin_kernel {
    const char *name;
    int size;
    float scale, offset;
    float weights[25];
} builtin_kernel;

/* ImageFilter's built-in kernels (size, scale, offset, weights), indexed by the enum. */
static const builtin_kernel BUILTINS[] = {
    [IMG_FILTER_BLUR] = {"BLUR", 5, 16, 0, {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0,
                                            0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1}},
    [IMG_FILTER_CONTOUR] = {"CONTOUR", 3, 1, 255, {-1, -1, -1, -1, 8, -1, -1, -1, -1}},
    [IMG_FILTER_DETAIL] = {"DETAIL", 3, 6, 0, {0, -1, 0, -1, 10, -1, 0, -1, 0}},
    [IMG_FILTER_EDGE_ENHANCE] = {"EDGE_ENHANCE", 3, 2, 0, {-1, -1, -1, -1, 10, -1, -1, -1, -1}},
    [IMG_FILTER_EDGE_ENHANCE_MORE] =
        {"EDGE_ENHANCE_MORE", 3, 1, 0, {-1, -1, -1, -1, 9, -1, -1, -1, -1}},
    [IMG_FILTER_EMBOSS] = {"EMBOSS", 3, 1, 128, {-1, 0, 0, 0, 1, 0, 0, 0, 0}},
    [IMG_FILTER_FIND_EDGES] = {"FIND_EDGES", 3, 1, 0, {-1, -1, -1, -1, 8, -1, -1, -1, -1}},
    [IMG_FILTER_SHARPEN] = {"SHARPEN", 3, 16, 0, {-2, -2, -2, -2, 32, -2, -2, -2, -2}},
    [IMG_FILTER_SMOOTH] = {"SMOOTH", 3, 13, 0, {1, 1, 1, 1, 5, 1, 1, 1, 1}},
    [IMG_FILTER_SMOOTH_MORE] = {"SMOOTH_MORE", 5, 100, 0, {1, 1, 1, 1, 1, 1, 5, 5, 5, 1, 1, 5, 44,
                                                           5, 1, 1, 5, 5, 5, 1, 1, 1, 1, 1, 1}},
};
#define N_BUILTINS ((int)(sizeof BUILTINS / sizeof BUILTINS[0]))

img_filter_builtin img_filter_builtin_parse(const char *name)
{
    for (int i = 1; i < N_BUILTINS; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            return (img_filter_builtin)i;
    return IMG_FILTER_NONE;
}

static int check_filterable(const img *src, const char *what, errmsg *e)
{
    if (!src || (src->mode != IMG_L && src->mode != IMG_RGB && src->mode != IMG_RGBA))
        return err_set(e, ERR_FAIL, "%s: image must be L, RGB or RGBA", what);
    return 0;
}

/* Pillow's clip8 for float sums; a NaN ends as 0, as the x86 conversion Pillow relies on. */
static uint8_t clip_float(float v)
{
    if (v >= 255.0f)
        return 255;
    if (v > 0.0f)
        return (uint8_t)v;
    return 0;
}

/* Filters the inner pixels; the `margin` outermost rows and columns keep their values.
 * products[k][v] holds (float)v * weight k, the exact product Pillow computes, so the inner
 * loop only adds. Inlined into calls with a constant size so the kernel loops unroll. */
static inline void convolve(const img *src, img *out, int size, const float (*products)[256],
                            float offset)
{
    int ch = img_channels(src->mode), margin = size / 2;
    size_t stride = (size_t)src->w * (size_t)ch;
    for (int y = margin; y < src->h - margin; y++) {
        uint8_t *o = out->px + (size_t)y * stride;
        for (size_t i = (size_t)margin * ch; i < stride - (size_t)margin * ch; i++) {
            float sum = offset;
            for (int ky = 0; ky < size; ky++) {
                const uint8_t *row = src->px + (size_t)(y + margin - ky) * stride + i;
                const float(*k)[256] = products + ky * size;
                float part = k[0][row[-(ptrdiff_t)margin * ch]];
                for (int kx = 1; kx < size; kx++)
                    part += k[kx][row[(ptrdiff_t)(kx - margin) * ch]];
                sum += part;
            }
            o[i] = clip_float(sum);
        }
    }
}

static img *apply_kernel(const img *src, int size, const float *weights, float scale, float offset,
                         errmsg *e)
{
    img *out = img_copy(src, e);
    if (!out || src->w < size || src->h < size)
        return out;
    float(*products)[256] = malloc(sizeof(float[25][256]));
    if (!products) {
        img_free(out);
        err_set(e, ERR_FAIL, "filter: out of memory");
        return NULL;
    }
    for (int k = 0; k < size * size; k++) {
        float w = weights[k] / scale;
        for (int v = 0; v < 256; v++)
            products[k][v] = (float)v * w;
    }
    if (size == 3)
        convolve(src, out, 3, (const float(*)[256])products, offset + 0.5f);
    else
        convolve(src, out, 5, (const float(*)[256])products, offset + 0.5f);
    free(products);
    return out;
}

img *img_filter_apply_builtin(const img *src, img_filter_builtin f, errmsg *e)
{
    if (check_filterable(src, "filter", e))
        return NULL;
    if (f <= IMG_FILTER_NONE || (int)f >= N_BUILTINS) {
        err_set(e, ERR_FAIL, "filter: unknown built-in filter %d", (int)f);
        return NULL;
    }
    const builtin_kernel *k = &BUILTINS[f];
    return apply_kernel(src, k->size, k->weights, k->scale, k->offset, e);
}

img *img_filter_kernel(const img *src, int size, const double *kernel, const double *scale,
                       double offset, errmsg *e)
{
    if (check_filterable(src, "Kernel", e))
        return NULL;
    if (size != 3 && size != 5) {
        if (src->w < size || src->h < size)
            return img_copy(src, e);
        err_set(e, ERR_FAIL, "Kernel: bad kernel size %d (must be 3 or 5)", size);
        return NULL;
    }
    float w[25];
    double sum = 0;
    for (int i = 0; i < size * size; i++) {
        w[i] = (float)kernel[i];
        sum += kernel[i];
    }
    return apply_kernel(src, size, w, (float)(scale ? *scale : sum), (float)offset, e);
}

/* ---- box and Gaussian blur ---- */

static int clamp_index(int i, int last)
{
    return i < 0 ? 0 : i > last ? last : i;
}

typedef struct box_weights {
    int radius;
    uint32_t ww, fw; /* 8.24 weights of whole pixels and of the two fractional end pixels */
} box_weights;

static box_weights make_box_weights(float radius)
{
    box_weights b;
    b.radius = (int)radius;
    b.ww = (uint32_t)((float)(1 << 24) / (radius * 2 + 1));
    b.fw = ((uint32_t)(1 << 24) - (uint32_t)(b.radius * 2 + 1) * b.ww) / 2;
    return b;
}

static uint8_t box_round(uint32_t bulk)
{
    return (uint8_t)((bulk + (1u << 23)) >> 24);
}

/* The window sum at position 0 of a line of n values (stride apart), edges repeated. */
static uint32_t initial_window(const uint8_t *in, ptrdiff_t stride, int n, int r)
{
    int last = n - 1, direct = r < last ? r : last;
    uint32_t acc = (uint32_t)in[0] * (uint32_t)(r + 1);
    for (int i = 1; i <= direct; i++)
        acc += in[i * stride];
    if (r > last)
        acc += (uint32_t)in[last * stride] * (uint32_t)(r - last);
    return acc;
}

/* Output x of one channel of a row; `acc` holds the window sum for x - 1 (x > 0). */
static inline uint8_t box_step(const uint8_t *in, int ch, int x, int last, box_weights b,
                               uint32_t *acc)
{
    int left = clamp_index(x - b.radius - 1, last), right = clamp_index(x + b.radius + 1, last);
    if (x > 0)
        *acc += (uint32_t)in[clamp_index(x + b.radius, last) * ch] - in[left * ch];
    return box_round(*acc * b.ww + ((uint32_t)in[left * ch] + in[right * ch]) * b.fw);
}

/* One horizontal pass over every row, in place (each row goes through `line`). Positions
 * whose window lies inside the row skip the edge clamping. */
static void box_pass_rows(img *im, box_weights b, uint8_t *line)
{
    int ch = img_channels(im->mode), last = im->w - 1, r = b.radius;
    int inner_from = r + 1, inner_to = last - r - 1; /* window fully inside, x > 0 */
    size_t stride = (size_t)im->w * (size_t)ch;
    for (int y = 0; y < im->h; y++) {
        uint8_t *row = im->px + (size_t)y * stride;
        for (int c = 0; c < ch; c++) {
            const uint8_t *in = row + c;
            uint32_t acc = initial_window(in, ch, im->w, r);
            int x = 0;
            for (; x <= last && x < inner_from; x++)
                line[(size_t)x * ch + c] = box_step(in, ch, x, last, b, &acc);
            for (; x <= inner_to; x++) {
                const uint8_t *l = in + (x - r - 1) * ch;
                acc += (uint32_t)l[(2 * r + 1) * ch] - l[0];
                uint32_t ends = (uint32_t)l[0] + l[(2 * r + 2) * ch];
                line[(size_t)x * ch + c] = box_round(acc * b.ww + ends * b.fw);
            }
            for (; x <= last; x++)
                line[(size_t)x * ch + c] = box_step(in, ch, x, last, b, &acc);
        }
        memcpy(row, line, stride);
    }
}

/* One vertical pass from src into dst, all columns at once so rows are read in order. */
static void box_pass_columns(const img *src, img *dst, box_weights b, uint32_t *acc)
{
    int last = src->h - 1, r = b.radius;
    size_t stride = (size_t)src->w * (size_t)img_channels(src->mode);
    for (size_t i = 0; i < stride; i++)
        acc[i] = initial_window(src->px + i, (ptrdiff_t)stride, src->h, r);
    for (int y = 0; y <= last; y++) {
        const uint8_t *left = src->px + (size_t)clamp_index(y - r - 1, last) * stride;
        const uint8_t *right = src->px + (size_t)clamp_index(y + r + 1, last) * stride;
        const uint8_t *enter = src->px + (size_t)clamp_index(y + r, last) * stride;
        uint8_t *o = dst->px + (size_t)y * stride;
        for (size_t i = 0; i < stride; i++) {
            if (y > 0)
                acc[i] += (uint32_t)enter[i] - left[i];
            o[i] = box_round(acc[i] * b.ww + ((uint32_t)left[i] + right[i]) * b.fw);
        }
    }
}

static img *box_blur_passes(const img *src, float radius, int passes, errmsg *e)
{
    box_weights b = make_box_weights(radius);
    size_t stride = (size_t)src->w * (size_t)img_channels(src->mode);
    img *a = img_copy(src, e);
    img *tmp = a ? img_new(src->w, src->h, src->mode, NULL, e) : NULL;
    uint8_t *line = malloc(stride);
    uint32_t *acc = malloc(stride * sizeof *acc);
    if (!a || !tmp || !line || !acc) {
        if (a && tmp)
            err_set(e, ERR_FAIL, "blur: out of memory for a %dx%d image", src->w, src->h);
        img_free(a), img_free(tmp), free(line), free(acc);
        return NULL;
    }
    for (int i = 0; i < passes; i++)
        box_pass_rows(a, b, line);
    for (int i = 0; i < passes; i++) {
        box_pass_columns(a, tmp, b, acc);
        img *t = a;
        a = tmp, tmp = t;
    }
    img_free(tmp), free(line), free(acc);
    return a;
}

static int check_radius(double radius, const char *what, errmsg *e)
{
    if (!(radius >= 0 && radius <= IMG_FILTER_MAX_RADIUS))
        return err_set(e, ERR_FAIL, "%s: radius %g must be between 0 and %g", what, radius,
                       IMG_FILTER_MAX_RADIUS);
    return 0;
}

img *img_filter_box_blur(const img *src, double radius, errmsg *e)
{
    if (check_filterable(src, "BoxBlur", e) || check_radius(radius, "BoxBlur", e))
        return NULL;
    return box_blur_passes(src, (float)radius, 1, e);
}

/* Pillow's box radius for a Gaussian of standard deviation sigma over `passes` passes
 * (Gwosdek et al., "Theoretical foundations of Gaussian convolution by extended box
 * filtering"), in single precision as Pillow computes it. */
static float gaussian_box_radius(float sigma, int passes)
{
    float sigma2 = sigma * sigma / (float)passes;
    float length = (float)sqrt(12.0 * sigma2 + 1.0);
    float whole = (float)floor((length - 1.0) / 2.0);
    float frac = (2 * whole + 1) * (whole * (whole + 1) - 3 * sigma2);
    frac /= 6 * (sigma2 - (whole + 1) * (whole + 1));
    return whole + frac;
}

img *img_filter_gaussian_blur(const img *src, double radius, errmsg *e)
{
    if (check_filterable(src, "GaussianBlur", e) || check_radius(radius, "GaussianBlur", e))
        return NULL;
    return box_blur_passes(src, gaussian_box_radius((float)radius, 3), 3, e);
}

static uint8_t clip_int(int v)
{
    return v >= 255 ? 255 : v <= 0 ? 0 : (uint8_t)v;
}

img *img_filter_unsharp_mask(const img *src, double radius, int percent, int threshold, errmsg *e)
{
    if (check_filterable(src, "UnsharpMask", e) || check_radius(radius, "UnsharpMask", e))
        return NULL;
    img *out = box_blur_passes(src, gaussian_box_radius((float)radius, 3), 3, e);
    if (!out)
        return NULL;
    /* Pillow's diff * percent / 100 (C division), for each of the 511 possible diffs; in 64
     * bits, where Pillow's int would overflow for absurd percents. */
    long long boost[511];
    for (int d = -255; d <= 255; d++)
        boost[d + 255] = (long long)d * percent / 100;
    size_t n = img_bytes(src);
    for (size_t i = 0; i < n; i++) {
        int diff = src->px[i] - out->px[i];
        long long boosted = src->px[i] + boost[diff + 255];
        int clipped = boosted > 255 ? 255 : boosted < 0 ? 0 : (int)boosted;
        out->px[i] = abs(diff) > threshold ? clip_int(clipped) : src->px[i];
    }
    return out;
}

/* ---- rank filters ---- */

/* Running k-th smallest of a multiset of bytes: hist counts values, `below` counts those
 * under the current answer m; moving m a few steps after each change keeps it exact. */
typedef struct rank_state {
    uint32_t hist[256];
    uint32_t below;
    int m;
} rank_state;

static void rank_add(rank_state *s, uint8_t v, int sign)
{
    s->hist[v] += (uint32_t)sign;
    if (v < s->m)
        s->below += (uint32_t)sign;
}

static uint8_t rank_select(rank_state *s, uint32_t k)
{
    while (s->below > k) {
        s->m--;
        s->below -= s->hist[s->m];
    }
    while (s->below + s->hist[s->m] <= k) {
        s->below += s->hist[s->m];
        s->m++;
    }
    return (uint8_t)s->m;
}

/* The window's rows for output row y, edge rows repeated (Pillow's expand()). */
static void window_rows(const img *src, int y, int size, const uint8_t **rows)
{
    size_t stride = (size_t)src->w * (size_t)img_channels(src->mode);
    for (int i = 0; i < size; i++)
        rows[i] = src->px + (size_t)clamp_index(y - size / 2 + i, src->h - 1) * stride;
}

static void rank_row(const img *src, img *out, int y, int size, uint32_t k, rank_state *s)
{
    int ch = img_channels(src->mode), m = size / 2, lastx = src->w - 1;
    const uint8_t *rows[IMG_FILTER_MAX_RANK_SIZE];
    window_rows(src, y, size, rows);
    uint8_t *o = out->px + (size_t)y * (size_t)src->w * (size_t)ch;
    for (int c = 0; c < ch; c++) {
        memset(s, 0, sizeof *s);
        for (int i = 0; i < size; i++)
            for (int dx = -m; dx <= m; dx++)
                rank_add(s, rows[i][clamp_index(dx, lastx) * ch + c], 1);
        for (int x = 0; x <= lastx; x++) {
            if (x > 0) {
                int gone = clamp_index(x - m - 1, lastx) * ch + c;
                int come = clamp_index(x + m, lastx) * ch + c;
                for (int i = 0; i < size; i++) {
                    rank_add(s, rows[i][gone], -1);
                    rank_add(s, rows[i][come], 1);
                }
            }
            o[(size_t)x * ch + c] = rank_select(s, k);
        }
    }
}

img *img_filter_rank(const img *src, img_rank_kind kind, int size, errmsg *e)
{
    /* A bad size is reported by img_filter_rank_n; n is only used for good ones. */
    int n = size >= 1 && size <= IMG_FILTER_MAX_RANK_SIZE ? size * size : 1;
    int rank = kind == IMG_RANK_MIN ? 0 : kind == IMG_RANK_MAX ? n - 1 : n / 2;
    return img_filter_rank_n(src, size, rank, e);
}

img *img_filter_rank_n(const img *src, int size, int rank, errmsg *e)
{
    if (check_filterable(src, "RankFilter", e))
        return NULL;
    if (size < 1 || size % 2 == 0 || size > IMG_FILTER_MAX_RANK_SIZE) {
        err_set(e, ERR_FAIL, "RankFilter: bad filter size %d (must be odd, 1 to %d)", size,
                IMG_FILTER_MAX_RANK_SIZE);
        return NULL;
    }
    if (rank < 0 || rank >= size * size) {
        err_set(e, ERR_FAIL, "RankFilter: bad rank value %d (0 to %d for size %d)", rank,
                size * size - 1, size);
        return NULL;
    }
    uint32_t k = (uint32_t)rank;
    img *out = img_new(src->w, src->h, src->mode, NULL, e);
    rank_state *s = malloc(sizeof *s);
    if (!out || !s) {
        if (out)
            err_set(e, ERR_FAIL, "RankFilter: out of memory");
        img_free(out);
        free(s);
        return NULL;
    }
    for (int y = 0; y < src->h; y++)
        rank_row(src, out, y, size, k, s);
    free(s);
    return out;
}

/* ---- mode filter ---- */

static uint8_t most_frequent(const uint32_t hist[256], uint8_t original)
{
    int best = 0;
    for (int v = 1; v < 256; v++)
        if (hist[v] > hist[best])
            best = v;
    return hist[best] > 2 ? (uint8_t)best : original;
}

/* One row of one channel: a histogram of the clipped window, slid along x. */
static void mode_row(const img *src, img *out, int y, int c, int half, uint32_t hist[256])
{
    int ch = img_channels(src->mode);
    size_t stride = (size_t)src->w * (size_t)ch;
    int y0 = y - half < 0 ? 0 : y - half, y1 = y + half >= src->h ? src->h - 1 : y + half;
    memset(hist, 0, 256 * sizeof *hist);
    for (int yy = y0; yy <= y1; yy++)
        for (int xx = 0; xx <= half && xx < src->w; xx++)
            hist[src->px[(size_t)yy * stride + (size_t)xx * ch + c]]++;
    for (int x = 0; x < src->w; x++) {
        int gone = x - half - 1, come = x + half;
        for (int yy = y0; yy <= y1 && x > 0; yy++) {
            const uint8_t *row = src->px + (size_t)yy * stride + c;
            if (gone >= 0)
                hist[row[(size_t)gone * ch]]--;
            if (come < src->w)
                hist[row[(size_t)come * ch]]++;
        }
        size_t at = (size_t)y * stride + (size_t)x * ch + c;
        out->px[at] = most_frequent(hist, src->px[at]);
    }
}

img *img_filter_mode(const img *src, int size, errmsg *e)
{
    if (check_filterable(src, "ModeFilter", e))
        return NULL;
    if (size > IMG_FILTER_MAX_RANK_SIZE) {
        err_set(e, ERR_FAIL, "ModeFilter: size %d is over %d", size, IMG_FILTER_MAX_RANK_SIZE);
        return NULL;
    }
    img *out = img_copy(src, e);
    if (!out || size < 2)
        return out;
    uint32_t hist[256];
    for (int y = 0; y < src->h; y++)
        for (int c = 0; c < img_channels(src->mode); c++)
            mode_row(src, out, y, c, size / 2, hist);
    return out;
}
