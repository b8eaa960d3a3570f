/* test_img_fx_fuzz.c - hostile arguments for every imgfx entry point.
 *
 * Thousands of seeded random calls with coordinates near and past the limits, NaN and
 * infinite values, odd widths, angles, sizes and radii, on small images of every mode.
 * Every call must either succeed or fail with a message; none may crash, hang or write
 * outside the image (the sanitizer build checks the last two). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/rng.h"
#include "tests/testutil.h"
#include "vision/img.h"
#include "vision/img_color.h"
#include "vision/img_draw.h"
#include "vision/img_enhance.h"
#include "vision/img_filter.h"

#define CALLS 20000

/* A coordinate-like number: mostly on or near the image, sometimes far out or not finite. */
static double wild(rng *r)
{
    switch (rng_below(r, 10)) {
    case 0: return NAN;
    case 1: return rng_below(r, 2) ? INFINITY : -INFINITY;
    case 2: return rng_uniform(r, -2e6f, 2e6f);
    case 3: return rng_uniform(r, -40000, 40000);
    default: return rng_uniform(r, -20, 60);
    }
}

static int wild_int(rng *r)
{
    switch (rng_below(r, 6)) {
    case 0: return (int)rng_u64(r);
    case 1: return -(int)rng_below(r, 50);
    default: return (int)rng_below(r, 12);
    }
}

static int draw_call(rng *r, img *im, errmsg *e)
{
    double xy[16];
    for (int i = 0; i < 16; i++)
        xy[i] = wild(r);
    uint8_t fill[4], outline[4];
    img_ink_from_int((long long)rng_u64(r), im->mode, fill);
    img_ink_from_int((long long)rng_u64(r), im->mode, outline);
    img_draw_args a = {.shape = (img_shape)rng_below(r, IMG_SHAPE_POINT + 1),
                       .xy = xy,
                       .npoints = (int)rng_below(r, 9) - 1,
                       .fill = rng_below(r, 3) ? fill : NULL,
                       .outline = rng_below(r, 3) ? outline : NULL,
                       .width = wild_int(r),
                       .start = wild(r),
                       .end = wild(r),
                       .radius = wild(r),
                       .joint_curve = (int)rng_below(r, 2),
                       .blend = im->mode == IMG_RGB && rng_below(r, 2)};
    switch (rng_below(r, 3)) {
    case 0: return img_floodfill(im, wild(r), wild(r), fill, a.outline, wild_int(r), e);
    case 1:
        return img_draw_regular_polygon(im, wild(r), wild(r), wild(r), wild_int(r), wild(r), a.fill,
                                        a.outline, a.blend, e);
    default: return img_draw(im, &a, e);
    }
}

static img *image_call(rng *r, const img *im, errmsg *e)
{
    double kernel[25];
    for (int i = 0; i < 25; i++)
        kernel[i] = rng_below(r, 8) ? rng_uniform(r, -3, 3) : wild(r);
    double scale = wild(r);
    switch (rng_below(r, 9)) {
    case 0: return img_filter_apply_builtin(im, (img_filter_builtin)rng_below(r, 12), e);
    case 1:
        return img_filter_kernel(im, wild_int(r), kernel, rng_below(r, 2) ? &scale : NULL, wild(r),
                                 e);
    case 2: return img_filter_box_blur(im, wild(r), e);
    case 3: return img_filter_gaussian_blur(im, wild(r), e);
    case 4: return img_filter_unsharp_mask(im, wild(r), wild_int(r), wild_int(r), e);
    case 5: return img_filter_rank_n(im, wild_int(r), wild_int(r), e);
    case 6: return img_filter_mode(im, wild_int(r), e);
    case 7: return img_enhance(im, (img_enhance_kind)rng_below(r, 6), wild(r), e);
    default: return img_blend(im, im, wild(r), e);
    }
}

int main(void)
{
    rng r = rng_make(20241125, 6);
    const img_mode modes[3] = {IMG_L, IMG_RGB, IMG_RGBA};
    int failures_without_message = 0, resized = 0, ok = 0;
    for (int i = 0; i < CALLS; i++) {
        errmsg e = {0, ""};
        img *im = img_new(1 + (int)rng_below(&r, 40), 1 + (int)rng_below(&r, 30),
                          modes[rng_below(&r, 3)], NULL, &e);
        T_CHECK(im != NULL, "img_new: %s", e.text);
        if (!im)
            break;
        for (size_t k = 0; k < img_bytes(im); k++)
            im->px[k] = (uint8_t)rng_below(&r, 256);
        int w = im->w, h = im->h;
        if (i % 2 == 0) {
            int rc = draw_call(&r, im, &e);
            failures_without_message += rc != 0 && e.text[0] == 0;
            ok += rc == 0;
            resized += im->w != w || im->h != h;
        } else {
            img *out = image_call(&r, im, &e);
            failures_without_message += !out && e.text[0] == 0;
            ok += out != NULL;
            resized += out && (out->w != w || out->h != h || out->mode != im->mode);
            img_free(out);
        }
        img_free(im);
    }
    printf("%d of %d hostile calls succeeded, the rest failed with a message\n", ok, CALLS);
    T_CHECK(failures_without_message == 0, "%d failures without a message",
            failures_without_message);
    T_CHECK(resized == 0, "%d results changed size or mode", resized);
    T_CHECK(ok > CALLS / 4 && ok < CALLS, "%d of %d calls succeeded: the mix is off", ok, CALLS);
    return t_finish();
}
