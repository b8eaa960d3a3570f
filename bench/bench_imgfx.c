/* bench_imgfx.c - CPU speed of drawing, filters and enhancement (vision/img_draw, img_filter,
 * img_enhance) on a typical 448x448 image, as JSON lines:
 *
 *   {"bench":"imgfx","op":"gaussian_blur_r2","mode":"RGB","us":2140.3,"per_s":467}
 *
 *   bench_imgfx [--reps R]
 *
 * us is the median wall time of one call over R runs (default 30); drawing calls draw on a
 * copy made outside the timed region. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "vision/img_color.h"
#include "vision/img_draw.h"
#include "vision/img_enhance.h"
#include "vision/img_filter.h"

#define SIDE 448

typedef enum bench_op {
    B_RECTANGLE,
    B_ELLIPSE_OUTLINE,
    B_POLYGON,
    B_LINE_WIDE,
    B_PIESLICE,
    B_ROUNDED_RECTANGLE,
    B_SHARPEN,
    B_SMOOTH_MORE,
    B_BOX_BLUR_3,
    B_GAUSSIAN_2,
    B_GAUSSIAN_10,
    B_UNSHARP,
    B_MEDIAN_3,
    B_MAX_5,
    B_BRIGHTNESS,
    B_CONTRAST,
    B_COLOR,
    B_SHARPNESS,
    B_COUNT
} bench_op;

static const char *const OP_NAMES[B_COUNT] = {"draw_rectangle_fill_outline",
                                              "draw_ellipse_outline_w3",
                                              "draw_polygon_6pt_fill",
                                              "draw_line_5pt_w8",
                                              "draw_pieslice_fill_outline",
                                              "draw_rounded_rectangle",
                                              "filter_SHARPEN",
                                              "filter_SMOOTH_MORE",
                                              "box_blur_r3",
                                              "gaussian_blur_r2",
                                              "gaussian_blur_r10",
                                              "unsharp_mask_r2",
                                              "median_filter_3",
                                              "max_filter_5",
                                              "enhance_brightness",
                                              "enhance_contrast",
                                              "enhance_color",
                                              "enhance_sharpness"};

static int compare_double(const void *a, const void *b)
{
    double d = *(const double *)a - *(const double *)b;
    return d < 0 ? -1 : d > 0;
}

static int draw_op(bench_op op, img *im, errmsg *e)
{
    static const uint8_t red[4] = {255, 0, 0, 255}, blue[4] = {0, 0, 255, 255};
    double box[4] = {40, 60, 400, 380};
    double poly[12] = {20, 30, 400, 10, 430, 200, 300, 420, 100, 380, 60, 200};
    switch (op) {
    case B_RECTANGLE: return img_draw_rectangle(im, box, red, blue, 4, e);
    case B_ELLIPSE_OUTLINE: return img_draw_ellipse(im, box, NULL, blue, 3, e);
    case B_POLYGON: return img_draw_polygon(im, poly, 6, red, NULL, 1, e);
    case B_LINE_WIDE: return img_draw_line(im, poly, 5, red, 8, e);
    case B_PIESLICE: return img_draw_pieslice(im, box, 30, 250, red, blue, 2, e);
    case B_ROUNDED_RECTANGLE: return img_draw_rounded_rectangle(im, box, 40, red, blue, 3, e);
    default: return ERR_FAIL;
    }
}

static img *image_op(bench_op op, const img *in, errmsg *e)
{
    switch (op) {
    case B_SHARPEN: return img_filter_apply_builtin(in, IMG_FILTER_SHARPEN, e);
    case B_SMOOTH_MORE: return img_filter_apply_builtin(in, IMG_FILTER_SMOOTH_MORE, e);
    case B_BOX_BLUR_3: return img_filter_box_blur(in, 3, e);
    case B_GAUSSIAN_2: return img_filter_gaussian_blur(in, 2, e);
    case B_GAUSSIAN_10: return img_filter_gaussian_blur(in, 10, e);
    case B_UNSHARP: return img_filter_unsharp_mask(in, 2, 150, 3, e);
    case B_MEDIAN_3: return img_filter_rank(in, IMG_RANK_MEDIAN, 3, e);
    case B_MAX_5: return img_filter_rank(in, IMG_RANK_MAX, 5, e);
    case B_BRIGHTNESS: return img_enhance(in, IMG_ENHANCE_BRIGHTNESS, 1.4, e);
    case B_CONTRAST: return img_enhance(in, IMG_ENHANCE_CONTRAST, 0.6, e);
    case B_COLOR: return img_enhance(in, IMG_ENHANCE_COLOR, 1.8, e);
    case B_SHARPNESS: return img_enhance(in, IMG_ENHANCE_SHARPNESS, 2.0, e);
    default: return NULL;
    }
}

/* One timed call; returns its wall time in microseconds, or -1 on failure. */
static double time_once(bench_op op, const img *in, errmsg *e)
{
    if (op <= B_ROUNDED_RECTANGLE) {
        img *canvas = img_copy(in, e);
        if (!canvas)
            return -1;
        double t0 = now_seconds() * 1e6;
        int rc = draw_op(op, canvas, e);
        double t = now_seconds() * 1e6 - t0;
        img_free(canvas);
        return rc ? -1 : t;
    }
    double t0 = now_seconds() * 1e6;
    img *out = image_op(op, in, e);
    double t = now_seconds() * 1e6 - t0;
    img_free(out);
    return out ? t : -1;
}

static img *test_image(errmsg *e)
{
    img *im = img_new(SIDE, SIDE, IMG_RGB, NULL, e);
    unsigned s = 12345;
    for (size_t i = 0; im && i < img_bytes(im); i++) {
        s = s * 1103515245u + 12345u;
        size_t px = i / 3;
        im->px[i] = (uint8_t)((px % SIDE) / 2 + (px / SIDE) / 4 + (s >> 27));
    }
    return im;
}

int main(int argc, char **argv)
{
    int reps = 30;
    if (argc == 3 && strcmp(argv[1], "--reps") == 0)
        reps = atoi(argv[2]);
    if (reps < 1 || (argc != 1 && argc != 3)) {
        fprintf(stderr, "usage: bench_imgfx [--reps R]\n");
        return 2;
    }
    errmsg e;
    img *in = test_image(&e);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!in || !t) {
        fprintf(stderr, "bench_imgfx: out of memory\n");
        return 1;
    }
    for (int op = 0; op < B_COUNT; op++) {
        for (int r = 0; r < reps; r++) {
            t[r] = time_once((bench_op)op, in, &e);
            if (t[r] < 0) {
                fprintf(stderr, "bench_imgfx: %s: %s\n", OP_NAMES[op], e.text);
                return 1;
            }
        }
        qsort(t, (size_t)reps, sizeof *t, compare_double);
        double us = t[reps / 2];
        printf("{\"bench\":\"imgfx\",\"op\":\"%s\",\"mode\":\"RGB\",\"w\":%d,\"h\":%d,"
               "\"us\":%.1f,\"per_s\":%.0f}\n",
               OP_NAMES[op], SIDE, SIDE, us, 1e6 / us);
    }
    free(t);
    img_free(in);
    return 0;
}
