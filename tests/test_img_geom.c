/* test_img_geom.c - invariants and error paths of vision/img_geom.h and vision/img_ops.h.
 *
 * Pixel agreement with Pillow is the img_conformance test's job; this program checks the
 * algebra that must hold whatever Pillow does (round trips, identities, constant images
 * staying constant) and that every bad argument gives a clean error instead of a crash.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testutil.h"
#include "vision/img_geom.h"
#include "vision/img_ops.h"

static img *noise(int w, int h, img_mode mode, unsigned seed)
{
    errmsg e;
    img *im = img_new(w, h, mode, NULL, &e);
    unsigned s = seed * 747796405u + 2891336453u;
    for (size_t i = 0; im && i < img_bytes(im); i++) {
        s = s * 1103515245u + 12345u;
        im->px[i] = (uint8_t)(s >> 16);
    }
    return im;
}

static int same(const img *a, const img *b)
{
    return a && b && a->w == b->w && a->h == b->h && a->mode == b->mode &&
           memcmp(a->px, b->px, img_bytes(a)) == 0;
}

/* Consumes both images; checks they are identical. */
static void check_same(img *got, img *want, const char *what)
{
    T_CHECK(same(got, want), "%s: images differ", what);
    img_free(got);
    img_free(want);
}

static void test_transpose_algebra(void)
{
    errmsg e;
    img *a = noise(7, 5, IMG_RGB, 1);
    const img_transpose_op self_inverse[] = {IMG_FLIP_LEFT_RIGHT, IMG_FLIP_TOP_BOTTOM,
                                             IMG_ROTATE_180, IMG_TRANSPOSE, IMG_TRANSVERSE};
    for (int i = 0; i < 5; i++) {
        img *once = img_transpose(a, self_inverse[i], &e);
        check_same(img_transpose(once, self_inverse[i], &e), img_copy(a, &e),
                   "self-inverse transpose twice");
        img_free(once);
    }
    img *r90 = img_transpose(a, IMG_ROTATE_90, &e);
    T_CHECK(r90 && r90->w == 5 && r90->h == 7, "ROTATE_90 of 7x5 is not 5x7");
    check_same(img_transpose(r90, IMG_ROTATE_270, &e), img_copy(a, &e), "ROTATE_90 then 270");
    /* Four quarter turns make a whole one; rotate(90, expand) is the transpose. */
    img *r180 = img_transpose(r90, IMG_ROTATE_90, &e);
    check_same(img_transpose(r180, IMG_ROTATE_180, &e), img_copy(a, &e), "4 quarter turns");
    check_same(img_rotate(a, 90, IMG_BICUBIC, 1, NULL, NULL, NULL, &e), img_copy(r90, &e),
               "rotate 90 expand");
    check_same(img_rotate(a, -720, IMG_BILINEAR, 0, NULL, NULL, NULL, &e), img_copy(a, &e),
               "rotate -720");
    check_same(img_ops_mirror(a, &e), img_transpose(a, IMG_FLIP_LEFT_RIGHT, &e), "mirror");
    T_CHECK(!img_transpose(a, (img_transpose_op)7, &e), "transpose 7 accepted");
    img_free(r180);
    img_free(r90);
    img_free(a);
}

static void test_resize_invariants(void)
{
    errmsg e;
    /* Opaque: with partial alpha the premultiplied round trip (Pillow's too) is lossy. */
    const uint8_t grey[4] = {77, 140, 3, 255};
    img *flat = img_new(23, 17, IMG_RGBA, grey, &e);
    for (int f = IMG_NEAREST; f <= IMG_HAMMING; f++) {
        /* Normalised filters keep a constant image constant, up or down. */
        img *up = img_resize(flat, 50, 9, (img_resample)f, NULL, &e);
        img *want = img_new(50, 9, IMG_RGBA, grey, &e);
        check_same(up, want, img_resample_name((img_resample)f));
        img *same_size = img_resize(flat, 23, 17, (img_resample)f, NULL, &e);
        check_same(same_size, img_copy(flat, &e), "resize to the same size");
    }
    T_CHECK(!img_resize(flat, 0, 5, IMG_BICUBIC, NULL, &e), "width 0 accepted");
    T_CHECK(!img_resize(flat, 5, 5, (img_resample)9, NULL, &e), "filter 9 accepted");
    const double outside[4] = {-1, 0, 10, 10}, beyond[4] = {0, 0, 24, 10},
                 nan_box[4] = {0, NAN, 10, 10}, reversed[4] = {5, 0, 2, 10};
    T_CHECK(!img_resize(flat, 5, 5, IMG_BOX, outside, &e), "box with a negative offset");
    T_CHECK(!img_resize(flat, 5, 5, IMG_BOX, beyond, &e), "box past the right edge");
    T_CHECK(!img_resize(flat, 5, 5, IMG_BOX, nan_box, &e), "box with NaN");
    T_CHECK(!img_resize(flat, 5, 5, IMG_BOX, reversed, &e), "box with right < left");
    T_CHECK(!img_resize(flat, 100000, 100000, IMG_BILINEAR, NULL, &e) && e.text[0],
            "a 40 GB resize was not refused");
    /* Reducing a constant image keeps it constant, partial edge blocks included. */
    img *reduced = img_reduce(flat, 5, 4, NULL, &e);
    check_same(reduced, img_new(5, 5, IMG_RGBA, grey, &e), "reduce 23x17 by 5x4");
    const int empty_box[4] = {3, 3, 3, 9}, wide_box[4] = {0, 0, 24, 17};
    T_CHECK(!img_reduce(flat, 2, 2, empty_box, &e), "reduce of an empty box");
    T_CHECK(!img_reduce(flat, 2, 2, wide_box, &e), "reduce of a box past the edge");
    T_CHECK(!img_reduce(flat, 0, 2, NULL, &e), "reduce by 0");
    img *rgb = img_convert(flat, IMG_RGB, &e);
    T_CHECK(!img_resize_reducing(rgb, 3, 3, IMG_BICUBIC, NULL, 0.5, &e), "reducing_gap 0.5");
    img_free(rgb);
    int tw = 0, th = 0;
    img_thumbnail_size(flat, 100, 100, &tw, &th);
    T_CHECK(tw == 23 && th == 17, "thumbnail enlarged 23x17 to %dx%d", tw, th);
    img_thumbnail_size(flat, 10, 100, &tw, &th);
    T_CHECK(tw == 10 && th >= 7 && th <= 8, "thumbnail of 23x17 into 10 wide: %dx%d", tw, th);
    img_free(flat);
}

static void test_transform_errors(void)
{
    errmsg e;
    img *a = noise(9, 9, IMG_L, 4);
    const double ident[6] = {1, 0, 0, 0, 1, 0}, bad[6] = {1, 0, INFINITY, 0, 1, 0};
    check_same(img_transform_affine(a, 9, 9, ident, IMG_BILINEAR, NULL, &e), img_copy(a, &e),
               "identity bilinear transform");
    check_same(img_transform_affine(a, 9, 9, ident, IMG_BICUBIC, NULL, &e), img_copy(a, &e),
               "identity bicubic transform");
    T_CHECK(!img_transform_affine(a, 9, 9, ident, IMG_LANCZOS, NULL, &e), "LANCZOS transform");
    T_CHECK(!img_transform_affine(a, 9, 9, bad, IMG_NEAREST, NULL, &e), "infinite coefficient");
    T_CHECK(!img_rotate(a, NAN, IMG_NEAREST, 0, NULL, NULL, NULL, &e), "NaN angle");
    T_CHECK(!img_rotate(a, 10, IMG_BOX, 0, NULL, NULL, NULL, &e), "rotate with BOX");
    /* A fill colour shows where the source does not reach. */
    const uint8_t fill = 211;
    const double shift[6] = {1, 0, 100, 0, 1, 0};
    img *moved = img_transform_affine(a, 4, 4, shift, IMG_NEAREST, &fill, &e);
    int all_fill = moved != NULL;
    for (int i = 0; moved && i < 16; i++)
        all_fill &= moved->px[i] == fill;
    T_CHECK(all_fill, "pixels mapped from outside are not the fill colour");
    img_free(moved);
    /* A perspective whose denominator crosses zero maps some pixels to infinity or NaN:
     * they must come out as fill, without a crash (UBSan checks the casts). */
    const double persp[8] = {1, 0, 0, 0, 1, 0, -0.2, 0};
    for (int f = IMG_NEAREST; f <= IMG_BICUBIC; f++) {
        if (f == IMG_LANCZOS)
            continue;
        img *p =
            img_transform(a, 9, 9, IMG_TRANSFORM_PERSPECTIVE, persp, 8, (img_resample)f, &fill, &e);
        T_CHECK(p != NULL, "perspective through infinity: %s", e.text);
        img_free(p);
    }
    const double far[6] = {1, 0, 1e300, 0, 1, -1e300};
    img *gone = img_transform_affine(a, 4, 4, far, IMG_NEAREST, &fill, &e);
    T_CHECK(gone && gone->px[0] == fill, "a map to 1e300 is not all fill");
    img_free(gone);
    const double quad[8] = {0, 0, 0, 9, 9, 9, 9, 0};
    T_CHECK(!img_transform(a, 9, 9, IMG_TRANSFORM_QUAD, quad, 7, IMG_NEAREST, NULL, &e),
            "QUAD with 7 numbers accepted");
    T_CHECK(!img_transform(a, 9, 9, (img_transform_method)4, quad, 8, IMG_NEAREST, NULL, &e),
            "MESH accepted");
    /* The QUAD of the image's own corners and the EXTENT of the whole image are identities. */
    check_same(img_transform(a, 9, 9, IMG_TRANSFORM_QUAD, quad, 8, IMG_NEAREST, NULL, &e),
               img_copy(a, &e), "identity QUAD");
    const double extent[4] = {0, 0, 9, 9};
    check_same(img_transform(a, 9, 9, IMG_TRANSFORM_EXTENT, extent, 4, IMG_BILINEAR, NULL, &e),
               img_copy(a, &e), "identity EXTENT");
    img_free(a);
}

static void test_measures(void)
{
    errmsg e;
    img *a = noise(13, 7, IMG_RGB, 12);
    uint32_t counts[3 * 256];
    T_CHECK(img_histogram(a, NULL, counts, &e) == 0, "histogram: %s", e.text);
    for (int c = 0; c < 3; c++) {
        uint32_t total = 0;
        for (int v = 0; v < 256; v++)
            total += counts[c * 256 + v];
        T_CHECK(total == 13 * 7, "channel %d histogram counts %u pixels, not 91", c, total);
    }
    img *bad_mask = noise(13, 6, IMG_L, 1);
    T_CHECK(img_histogram(a, bad_mask, counts, &e) != 0, "mask of another size accepted");
    img_free(bad_mask);
    uint8_t lo[4], hi[4];
    img_getextrema(a, lo, hi);
    for (int c = 0; c < 3; c++)
        T_CHECK(counts[c * 256 + lo[c]] > 0 && counts[c * 256 + hi[c]] > 0 && lo[c] <= hi[c],
                "extrema of channel %d disagree with its histogram", c);
    int box[4] = {0};
    img *black = img_new(6, 5, IMG_RGBA, NULL, &e);
    T_CHECK(img_getbbox(black, box) == 0, "getbbox of an all-zero image found a box");
    const uint8_t dot[4] = {0, 0, 0, 1};
    img_putpixel(black, 2, 3, dot, &e);
    T_CHECK(img_getbbox(black, box) == 1 && box[0] == 2 && box[1] == 3 && box[2] == 3 &&
                box[3] == 4,
            "getbbox around one pixel at (2, 3): (%d, %d, %d, %d)", box[0], box[1], box[2], box[3]);
    img_free(black);
    img_free(a);
}

static void test_crop_paste(void)
{
    errmsg e;
    img *a = noise(10, 8, IMG_RGB, 2);
    check_same(img_crop(a, 0, 0, 10, 8, &e), img_copy(a, &e), "full crop");
    img *outside = img_crop(a, 20, 20, 23, 22, &e);
    int zeros = outside != NULL;
    for (size_t i = 0; outside && i < img_bytes(outside); i++)
        zeros &= outside->px[i] == 0;
    T_CHECK(zeros, "a crop outside the image is not all zero");
    img_free(outside);
    T_CHECK(!img_crop(a, 5, 0, 4, 3, &e) && strstr(e.text, "right"), "right < left: '%s'", e.text);
    T_CHECK(!img_crop(a, 0, 5, 4, 3, &e) && strstr(e.text, "bottom"), "bottom < top");
    T_CHECK(!img_crop(a, 2, 2, 2, 6, &e), "empty crop accepted");
    T_CHECK(!img_crop(a, 0, 0, INFINITY, 3, &e), "infinite crop accepted");

    /* Pasting a crop back where it came from changes nothing. */
    img *part = img_crop(a, 3, 2, 8, 7, &e);
    img *b = img_copy(a, &e);
    T_CHECK(img_paste(b, part, 3, 2, 8, 7, NULL, &e) == 0, "paste: %s", e.text);
    check_same(b, img_copy(a, &e), "paste of its own crop");
    img *c = img_copy(a, &e);
    T_CHECK(img_paste(c, part, 3, 2, 9, 7, NULL, &e) != 0, "paste into a box of another size");
    img *rgb_mask = noise(5, 5, IMG_RGB, 8);
    T_CHECK(img_paste(c, part, 3, 2, 8, 7, rgb_mask, &e) != 0 && strstr(e.text, "mask"),
            "RGB mask accepted");
    img *small_mask = noise(4, 5, IMG_L, 8);
    T_CHECK(img_paste(c, part, 3, 2, 8, 7, small_mask, &e) != 0, "mask of the wrong size");
    /* A zero mask leaves the destination alone; a full one copies. */
    const uint8_t zero = 0, full = 255;
    img *m0 = img_new(5, 5, IMG_L, &zero, &e), *m1 = img_new(5, 5, IMG_L, &full, &e);
    img *d = noise(10, 8, IMG_RGB, 99);
    img *d0 = img_copy(d, &e);
    img_paste(d0, part, 3, 2, 8, 7, m0, &e);
    check_same(d0, img_copy(d, &e), "paste with a zero mask");
    img *d1 = img_copy(d, &e), *d2 = img_copy(d, &e);
    img_paste(d1, part, 3, 2, 8, 7, m1, &e);
    img_paste(d2, part, 3, 2, 8, 7, NULL, &e);
    check_same(d1, d2, "paste with a full mask");
    const uint8_t red[3] = {255, 0, 0};
    T_CHECK(img_paste_color(c, red, -2147483647, 0, 2147483647, 3, NULL, &e) != 0,
            "a box wider than INT_MAX accepted");
    T_CHECK(img_paste(c, part, 2147483640, 0, 2147483645, 5, NULL, &e) != 0,
            "a box at INT_MAX accepted");
    img *huge = img_crop(a, -9e8, -9e8, 9e8, 9e8, &e);
    T_CHECK(!huge && strstr(e.text, "limit"), "a 1.8e9-wide crop: '%s'", e.text);
    img_free(huge);
    /* Far outside: nothing happens, no error. */
    img *far = img_copy(a, &e);
    T_CHECK(img_paste(far, part, -100, 50, -95, 55, NULL, &e) == 0, "paste far outside failed");
    check_same(far, img_copy(a, &e), "paste far outside");
    img_free(m0);
    img_free(m1);
    img_free(d);
    img_free(small_mask);
    img_free(rgb_mask);
    img_free(c);
    img_free(part);
    img_free(a);
}

static void test_modes_and_pixels(void)
{
    errmsg e;
    img *l = noise(6, 4, IMG_L, 3);
    img *rgb = img_convert(l, IMG_RGB, &e);
    check_same(img_convert(rgb, IMG_L, &e), img_copy(l, &e), "L -> RGB -> L");
    img *c = noise(6, 4, IMG_RGB, 5);
    img *rgba = img_convert(c, IMG_RGBA, &e);
    check_same(img_convert(rgba, IMG_RGB, &e), img_copy(c, &e), "RGB -> RGBA -> RGB");

    uint8_t px[4] = {0}, last[4] = {0};
    T_CHECK(img_getpixel(c, -1, -1, px, &e) == 0 && img_getpixel(c, 5, 3, last, &e) == 0 &&
                memcmp(px, last, 3) == 0,
            "getpixel(-1, -1) is not the last pixel");
    T_CHECK(img_getpixel(c, 6, 0, px, &e) != 0 && img_getpixel(c, 0, -5, px, &e) != 0,
            "getpixel outside accepted");
    const uint8_t v[3] = {1, 2, 3};
    T_CHECK(img_putpixel(c, -6, 0, v, &e) == 0 && img_getpixel(c, 0, 0, px, &e) == 0 &&
                memcmp(px, v, 3) == 0,
            "putpixel(-6, 0) did not set pixel (0, 0)");

    int lut[4 * 256];
    for (int i = 0; i < 4 * 256; i++)
        lut[i] = i % 256;
    check_same(img_point(c, lut, 768, &e), img_copy(c, &e), "identity point table");
    T_CHECK(!img_point(c, lut, 256, &e), "a 256-entry table for RGB accepted");

    img *bands[4];
    int n = img_split(rgba, bands, &e);
    T_CHECK(n == 4, "split of RGBA gave %d bands", n);
    check_same(img_merge(IMG_RGBA, bands, 4, &e), img_copy(rgba, &e), "split then merge");
    T_CHECK(!img_merge(IMG_RGB, bands, 4, &e), "merge of 4 bands into RGB accepted");
    img *odd = noise(5, 4, IMG_L, 1);
    img *mixed[3] = {bands[0], odd, bands[2]};
    T_CHECK(!img_merge(IMG_RGB, mixed, 3, &e), "merge of bands of different sizes accepted");
    for (int i = 0; i < n; i++)
        img_free(bands[i]);

    T_CHECK(!img_alpha_composite(c, c, &e), "alpha_composite of RGB accepted");
    img *with_alpha = img_putalpha(c, NULL, 300, &e);
    T_CHECK(with_alpha && with_alpha->mode == IMG_RGBA && with_alpha->px[3] == 255 &&
                memcmp(with_alpha->px, c->px, 3) == 0,
            "putalpha(300) on RGB: not RGB + alpha 255");
    img_free(with_alpha);
    T_CHECK(!img_putalpha(c, c, 0, &e), "putalpha with an RGB alpha accepted");
    const uint8_t clear[4] = {9, 9, 9, 0};
    img *transparent = img_new(6, 4, IMG_RGBA, clear, &e);
    check_same(img_alpha_composite(rgba, transparent, &e), img_copy(rgba, &e),
               "compositing a transparent image");
    img_free(transparent);
    img_free(odd);
    img_free(rgba);
    img_free(c);
    img_free(rgb);
    img_free(l);
}

static void test_imageops_errors(void)
{
    errmsg e;
    img *rgba = noise(8, 8, IMG_RGBA, 6);
    img *rgb = noise(8, 8, IMG_RGB, 6);
    T_CHECK(!img_ops_invert(rgba, &e) && strstr(e.text, "not supported"), "invert RGBA");
    T_CHECK(!img_ops_equalize(rgba, NULL, &e), "equalize RGBA");
    T_CHECK(!img_ops_posterize(rgb, 9, &e), "posterize 9 bits");
    T_CHECK(!img_ops_scale(rgb, 0, IMG_BICUBIC, &e), "scale by 0");
    T_CHECK(!img_ops_expand(rgb, -1, 0, 0, 0, NULL, &e), "negative border");
    T_CHECK(!img_ops_crop(rgb, 4, 0, 4, 0, &e), "crop removing everything");
    T_CHECK(!img_ops_contain(rgb, 0, 3, IMG_BICUBIC, &e), "contain in 0x3");
    const uint8_t k[3] = {0, 0, 0}, w[3] = {255, 255, 255};
    T_CHECK(!img_ops_colorize(rgb, k, w, NULL, 0, 255, 127, &e), "colorize of RGB accepted");
    img *l = img_convert(rgb, IMG_L, &e);
    T_CHECK(!img_ops_colorize(l, k, w, NULL, 200, 100, 127, &e), "colorize points reversed");
    /* A black-to-white wedge over 0..255 maps every grey level to itself. */
    img *wedge = img_ops_colorize(l, k, w, NULL, 0, 255, 127, &e);
    img *grey = img_convert(l, IMG_RGB, &e);
    int off = 0;
    for (size_t i = 0; wedge && i < img_bytes(wedge); i++)
        off += abs(wedge->px[i] - grey->px[i]) > 1;
    T_CHECK(wedge && off == 0, "black-to-white colorize moved %d values by more than 1", off);
    img_free(grey);
    img_free(wedge);
    img_free(l);
    img *inverted = img_ops_invert(rgb, &e);
    check_same(img_ops_invert(inverted, &e), img_copy(rgb, &e), "invert twice");
    img_free(inverted);
    check_same(img_ops_posterize(rgb, 8, &e), img_copy(rgb, &e), "posterize 8 bits");
    img *padded = img_ops_pad(rgb, 20, 10, IMG_BICUBIC, NULL, 0.5, 0.5, &e);
    T_CHECK(padded && padded->w == 20 && padded->h == 10, "pad to 20x10");
    img_free(padded);
    img_free(rgb);
    img_free(rgba);
}

int main(void)
{
    test_transpose_algebra();
    test_resize_invariants();
    test_transform_errors();
    test_crop_paste();
    test_modes_and_pixels();
    test_measures();
    test_imageops_errors();
    return t_finish();
}
