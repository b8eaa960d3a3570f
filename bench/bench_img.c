/* bench_img.c - CPU speed of the PIL-shaped image operations (vision/img_geom, img_ops,
 * img_io) on a typical 448x448 image, as JSON lines:
 *
 *   {"bench":"img","op":"resize_bicubic_448_to_224","mode":"RGB","us":812.4,"per_s":1231}
 *
 *   bench_img [--reps R]
 *
 * us is the median wall time of one call over R runs (default 50). The input is noise with
 * gradients, so PNG sizes are realistic rather than best case. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/now.h"
#include "vision/img_geom.h"
#include "vision/img_io.h"
#include "vision/img_ops.h"

typedef enum bench_op {
    B_RESIZE_DOWN_BICUBIC,
    B_RESIZE_DOWN_BILINEAR,
    B_RESIZE_DOWN_LANCZOS,
    B_RESIZE_UP_BICUBIC,
    B_RESIZE_NEAREST,
    B_ROTATE_NEAREST,
    B_ROTATE_BILINEAR,
    B_ROTATE_BICUBIC_EXPAND,
    B_TRANSPOSE_90,
    B_CROP,
    B_PASTE_MASK,
    B_CONVERT_L,
    B_AUTOCONTRAST,
    B_EQUALIZE,
    B_PAD,
    B_ENCODE_PNG,
    B_DECODE_PNG,
    B_COUNT
} bench_op;

static const char *const op_names[B_COUNT] = {"resize_bicubic_448_to_224",
                                              "resize_bilinear_448_to_224",
                                              "resize_lanczos_448_to_224",
                                              "resize_bicubic_448_to_672",
                                              "resize_nearest_448_to_300",
                                              "rotate_30_nearest",
                                              "rotate_30_bilinear",
                                              "rotate_30_bicubic_expand",
                                              "transpose_rotate_90",
                                              "crop_200x200",
                                              "paste_224_with_L_mask",
                                              "convert_to_L",
                                              "autocontrast_cutoff_2",
                                              "equalize",
                                              "pad_to_448x300",
                                              "encode_png",
                                              "decode_png"};

typedef struct bench_inputs {
    img *im, *small, *mask;
    uint8_t *png;
    size_t png_n;
} bench_inputs;

static img *pattern(int w, int h, img_mode mode)
{
    errmsg e;
    img *im = img_new(w, h, mode, NULL, &e);
    unsigned s = 12345;
    for (size_t i = 0; im && i < img_bytes(im); i++) {
        s = s * 1103515245u + 12345u;
        size_t px = i / (size_t)mode;
        int x = (int)(px % (size_t)w), y = (int)(px / (size_t)w);
        im->px[i] = (uint8_t)(x < w / 4 ? (int)(s >> 16) : x + 2 * y + (int)(i % 3) * 40);
    }
    return im;
}

/* One call of op; returns 0 when it worked. */
static int run_op(bench_op op, const bench_inputs *in, errmsg *e)
{
    img *out = NULL;
    const img *im = in->im;
    switch (op) {
    case B_RESIZE_DOWN_BICUBIC: out = img_resize(im, 224, 224, IMG_BICUBIC, NULL, e); break;
    case B_RESIZE_DOWN_BILINEAR: out = img_resize(im, 224, 224, IMG_BILINEAR, NULL, e); break;
    case B_RESIZE_DOWN_LANCZOS: out = img_resize(im, 224, 224, IMG_LANCZOS, NULL, e); break;
    case B_RESIZE_UP_BICUBIC: out = img_resize(im, 672, 672, IMG_BICUBIC, NULL, e); break;
    case B_RESIZE_NEAREST: out = img_resize(im, 300, 300, IMG_NEAREST, NULL, e); break;
    case B_ROTATE_NEAREST: out = img_rotate(im, 30, IMG_NEAREST, 0, NULL, NULL, NULL, e); break;
    case B_ROTATE_BILINEAR: out = img_rotate(im, 30, IMG_BILINEAR, 0, NULL, NULL, NULL, e); break;
    case B_ROTATE_BICUBIC_EXPAND:
        out = img_rotate(im, 30, IMG_BICUBIC, 1, NULL, NULL, NULL, e);
        break;
    case B_TRANSPOSE_90: out = img_transpose(im, IMG_ROTATE_90, e); break;
    case B_CROP: out = img_crop(im, 100, 120, 300, 320, e); break;
    case B_PASTE_MASK:
        out = img_copy(im, e);
        if (out)
            img_paste(out, in->small, 50, 60, 274, 284, in->mask, e);
        break;
    case B_CONVERT_L: out = img_convert(im, IMG_L, e); break;
    case B_AUTOCONTRAST: out = img_ops_autocontrast(im, 2, 2, -1, 0, e); break;
    case B_EQUALIZE: out = img_ops_equalize(im, NULL, e); break;
    case B_PAD: out = img_ops_pad(im, 448, 300, IMG_BICUBIC, NULL, 0.5, 0.5, e); break;
    case B_ENCODE_PNG: {
        uint8_t *png = NULL;
        size_t n = 0;
        int rc = img_encode_png(im, &png, &n, e);
        free(png);
        return rc;
    }
    case B_DECODE_PNG: out = img_decode(in->png, in->png_n, "bench.png", 0, e); break;
    case B_COUNT: break;
    }
    int ok = out != NULL;
    img_free(out);
    return ok ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int reps = 50;
    if (argc == 3 && strcmp(argv[1], "--reps") == 0)
        reps = atoi(argv[2]);
    if (reps < 1 || (argc != 1 && argc != 3)) {
        fprintf(stderr, "usage: %s [--reps R]\n", argv[0]);
        return 2;
    }
    errmsg e;
    bench_inputs in = {pattern(448, 448, IMG_RGB), pattern(224, 224, IMG_RGB),
                       pattern(224, 224, IMG_L), NULL, 0};
    if (!in.im || !in.small || !in.mask || img_encode_png(in.im, &in.png, &in.png_n, &e)) {
        fprintf(stderr, "bench_img: cannot build the inputs\n");
        return 1;
    }
    double *t = malloc(sizeof(double) * (size_t)reps);
    for (int op = 0; op < B_COUNT; op++) {
        run_op((bench_op)op, &in, &e); /* warm-up */
        for (int r = 0; r < reps; r++) {
            double t0 = now_seconds() * 1e6;
            if (run_op((bench_op)op, &in, &e)) {
                fprintf(stderr, "bench_img: %s: %s\n", op_names[op], e.text);
                return 1;
            }
            t[r] = now_seconds() * 1e6 - t0;
        }
        qsort(t, (size_t)reps, sizeof(double), cmp_double);
        double us = t[reps / 2];
        printf("{\"bench\":\"img\",\"op\":\"%s\",\"mode\":\"RGB\",\"us\":%.1f,\"per_s\":%.0f}\n",
               op_names[op], us, 1e6 / us);
    }
    free(t);
    free(in.png);
    img_free(in.im);
    img_free(in.small);
    img_free(in.mask);
    return 0;
}
