/* test_img_fx.c - error paths and invariants of vision/img_color, img_draw, img_filter and
 * img_enhance. Exactness against Pillow is checked by tests/imgfx_conformance.cmake; here:
 * bad input gets a clear error, hostile coordinates and sizes neither crash nor write out of
 * bounds, and the outputs keep properties that hold whatever the rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/testutil.h"
#include "vision/img.h"
#include "vision/img_color.h"
#include "vision/img_draw.h"
#include "vision/img_enhance.h"
#include "vision/img_filter.h"

/* A deterministic noisy image, different for each seed. */
static img *noise_image(int w, int h, img_mode mode, unsigned seed)
{
    errmsg e;
    img *im = img_new(w, h, mode, NULL, &e);
    unsigned s = seed * 2654435761u + 1;
    for (size_t i = 0; im && i < img_bytes(im); i++) {
        s = s * 1103515245u + 12345u;
        im->px[i] = (uint8_t)(s >> 16);
    }
    return im;
}

static int same_pixels(const img *a, const img *b)
{
    return a && b && a->w == b->w && a->h == b->h && a->mode == b->mode &&
           memcmp(a->px, b->px, img_bytes(a)) == 0;
}

static void test_colors(void)
{
    errmsg e;
    uint8_t ink[4];
    T_CHECK(img_ink_from_str("xyz", IMG_RGB, ink, &e) == ERR_FAIL, "unknown colour accepted");
    T_CHECK(strcmp(e.text, "unknown color specifier: 'xyz'") == 0, "message: %s", e.text);
    T_CHECK(img_ink_from_str("#12345", IMG_RGB, ink, &e) == ERR_FAIL, "5 hex digits accepted");
    char longspec[200];
    memset(longspec, 'a', sizeof longspec - 1);
    longspec[sizeof longspec - 1] = 0;
    T_CHECK(img_ink_from_str(longspec, IMG_L, ink, &e) == ERR_FAIL &&
                strstr(e.text, "too long") != NULL,
            "200-char spec: %s", e.text);

    char continuation[1000];
    memset(continuation, 0x80, sizeof continuation - 1);
    continuation[sizeof continuation - 1] = 0;
    T_CHECK(img_ink_from_str(continuation, IMG_RGB, ink, &e) == ERR_FAIL,
            "999 stray UTF-8 continuation bytes accepted");
    T_CHECK(img_ink_from_str("#12345\n", IMG_RGB, ink, &e) == ERR_FAIL, "#12345\\n accepted");
    T_CHECK(img_ink_from_str("#123456\n", IMG_RGB, ink, &e) == 0 && ink[2] == 0x56,
            "Python's $ allows one final newline");
    T_CHECK(img_ink_from_str("RED", IMG_RGBA, ink, &e) == 0 && ink[0] == 255 && ink[1] == 0 &&
                ink[3] == 255,
            "RED -> %u,%u,%u,%u", ink[0], ink[1], ink[2], ink[3]);
    int rgba[4], n;
    T_CHECK(img_color_getrgb("rgb(300,0,0)", rgba, &n, &e) == 0 && rgba[0] == 300 && n == 3,
            "getrgb keeps out-of-range components: %d", rgba[0]);
    T_CHECK(img_ink_from_str("rgb(300,0,0)", IMG_RGB, ink, &e) == 0 && ink[0] == 255,
            "ink clips: %u", ink[0]);

    img_ink_from_int(0x11223344, IMG_RGBA, ink);
    T_CHECK(ink[0] == 0x44 && ink[1] == 0x33 && ink[2] == 0x22 && ink[3] == 0x11,
            "int ink is ABGR: %02x%02x%02x%02x", ink[0], ink[1], ink[2], ink[3]);
    img_ink_from_int(-7, IMG_L, ink);
    T_CHECK(ink[0] == 0, "negative int clips to 0 on L: %u", ink[0]);
    long long two[2] = {1, 2};
    T_CHECK(img_ink_from_tuple(two, 2, IMG_RGB, ink, &e) == ERR_FAIL, "2-tuple on RGB accepted");
    T_CHECK(img_ink_from_tuple(two, 2, IMG_L, ink, &e) == ERR_FAIL, "2-tuple on L accepted");
    img_ink_default(IMG_L, ink);
    T_CHECK(ink[0] == 0, "default ink on L: %u", ink[0]);
    img_ink_default(IMG_RGB, ink);
    T_CHECK(ink[0] == 255 && ink[3] == 255, "default ink on RGB: %u", ink[0]);
}

static void test_draw_errors_and_clipping(void)
{
    errmsg e;
    img *im = noise_image(17, 9, IMG_RGBA, 1);
    img *before = img_copy(im, &e);
    const uint8_t red[4] = {255, 0, 0, 128};
    double one[2] = {3, 3};
    T_CHECK(img_draw_polygon(im, one, 1, red, NULL, 1, &e) == ERR_FAIL &&
                strstr(e.text, "at least 2") != NULL,
            "1-point polygon: %s", e.text);
    T_CHECK(same_pixels(im, before), "a rejected polygon changed the image");

    /* Hostile coordinates (huge, NaN) and widths are refused before anything is drawn. */
    double huge[8] = {-1e300, -1e300, 1e300, 5, NAN, NAN, 8, 1e18};
    T_CHECK(img_draw_polygon(im, huge, 4, red, red, 3, &e) == ERR_FAIL &&
                strstr(e.text, "coordinate 0") != NULL,
            "huge polygon: %s", e.text);
    T_CHECK(img_draw_line(im, huge + 4, 2, red, 9, &e) == ERR_FAIL, "NaN line accepted");
    double box[4] = {0, 0, 10, 10};
    T_CHECK(img_draw_rectangle(im, box, red, red, 1 << 30, &e) == ERR_FAIL, "huge width accepted");
    double wide[4] = {-20000, 0, 20000, 10};
    T_CHECK(img_draw_ellipse(im, wide, red, NULL, 2, &e) == ERR_FAIL &&
                strstr(e.text, "limit") != NULL,
            "40000-wide ellipse: %s", e.text);
    T_CHECK(img_draw_rounded_rectangle(im, box, NAN, red, red, 2, &e) == ERR_FAIL, "NaN radius");
    T_CHECK(img_draw_arc(im, box, NAN, 90, red, 2, &e) == ERR_FAIL && strstr(e.text, "finite"),
            "NaN angle: %s", e.text);
    T_CHECK(img_draw_pieslice(im, box, 0, 1e300, red, NULL, 1, &e) == ERR_FAIL,
            "angle beyond float accepted");
    T_CHECK(same_pixels(im, before), "a rejected call changed the image");

    /* Large but allowed shapes far outside the image clip silently (and quickly). */
    double far[8] = {-1e6, -1e6, 1e6, 5, 3, 1e6, -7, 2};
    T_CHECK(img_draw_polygon(im, far, 4, red, red, 3, &e) == 0, "far polygon: %s", e.text);
    T_CHECK(img_draw_line(im, far, 4, red, 1, &e) == 0, "far thin line: %s", e.text);
    T_CHECK(img_draw_line(im, far, 4, red, 9, &e) == 0, "far wide line: %s", e.text);
    double big[4] = {-16000, -16000, 16000, 16000};
    T_CHECK(img_draw_ellipse(im, big, red, red, 5, &e) == 0, "big ellipse: %s", e.text);
    T_CHECK(img_draw_pieslice(im, big, -1e9, 1e9, red, red, 4, &e) == 0, "big pieslice");
    T_CHECK(img_draw_chord(im, big, 10, 300, NULL, red, 4, &e) == 0, "big chord");
    T_CHECK(img_draw_rounded_rectangle(im, big, 1e12, red, red, 2, &e) == 0, "big rounded");
    double tall[4] = {2, -1e6, 4, 1e6};
    T_CHECK(img_draw_rectangle(im, tall, NULL, red, 100000, &e) == 0, "wide outline: %s", e.text);

    /* Everything outside: the image must not change. */
    img_free(before);
    before = img_copy(im, &e);
    double outside[4] = {-50, -50, -20, -10};
    img_draw_rectangle(im, outside, red, red, 3, &e);
    img_draw_ellipse(im, outside, red, red, 3, &e);
    img_draw_arc(im, outside, 0, 270, red, 5, &e);
    img_draw_point(im, outside, 2, red, &e);
    T_CHECK(same_pixels(im, before), "drawing outside the image changed it");

    /* Inks are written, not blended; an RGB image takes 3 bytes. */
    double px[2] = {4, 4};
    img_draw_point(im, px, 1, red, &e);
    const uint8_t *p = im->px + (4 * 17 + 4) * 4;
    T_CHECK(p[0] == 255 && p[1] == 0 && p[3] == 128, "RGBA point: %u,%u,%u,%u", p[0], p[1], p[2],
            p[3]);
    /* Blending (ImageDraw.Draw(im, "RGBA")) is for RGB images only, like Pillow. */
    double pts[4] = {1, 1, 9, 6};
    img_draw_args blended = {
        .shape = IMG_SHAPE_ELLIPSE, .xy = pts, .npoints = 2, .fill = red, .width = 1, .blend = 1};
    T_CHECK(img_draw(im, &blended, &e) == ERR_FAIL && strstr(e.text, "RGB"), "blending on RGBA: %s",
            e.text);
    blended.npoints = 3;
    img *rgb = img_new(12, 8, IMG_RGB, NULL, &e);
    T_CHECK(img_draw(rgb, &blended, &e) == ERR_FAIL && strstr(e.text, "exactly 2"),
            "ellipse with 3 points: %s", e.text);
    blended.npoints = 2;
    T_CHECK(img_draw(rgb, &blended, &e) == 0, "blended ellipse: %s", e.text);
    const uint8_t *centre = rgb->px + (4 * 12 + 5) * 3;
    T_CHECK(centre[0] == 128 && centre[1] == 0, "red at alpha 128 over black gives %u,%u",
            centre[0], centre[1]);
    T_CHECK(img_draw_regular_polygon(rgb, 5, 5, 3, 2, 0, red, NULL, 0, &e) == ERR_FAIL &&
                strstr(e.text, "n_sides"),
            "2-sided regular polygon: %s", e.text);
    T_CHECK(img_draw_regular_polygon(rgb, 5, 5, 0, 5, 0, red, NULL, 0, &e) == ERR_FAIL,
            "radius 0 accepted");
    double hexagon[12];
    T_CHECK(img_draw_regular_polygon_vertices(10, 10, 5, 6, 30, hexagon, &e) == 0, "hexagon");
    for (int i = 0; i < 6; i++) {
        double dx = hexagon[2 * i] - 10, dy = hexagon[2 * i + 1] - 10;
        double hundredths = hexagon[2 * i] * 100;
        T_CHECK(fabs(sqrt(dx * dx + dy * dy) - 5) < 0.01 &&
                    fabs(hundredths - round(hundredths)) < 1e-6,
                "vertex %d (%g, %g) is not on the circle, rounded to 2 decimals", i, hexagon[2 * i],
                hexagon[2 * i + 1]);
    }
    /* Flood fill: a uniform image fills completely; a value already there changes nothing. */
    uint8_t grey[4] = {90, 90, 90, 255}, dark[4] = {10, 20, 30, 255};
    img *flat = img_new(9, 7, IMG_RGB, grey, &e);
    T_CHECK(img_floodfill(flat, 4, 3, NULL, NULL, 0, &e) == ERR_FAIL, "floodfill without value");
    T_CHECK(img_floodfill(flat, NAN, 3, dark, NULL, 0, &e) == ERR_FAIL, "floodfill NaN seed");
    T_CHECK(img_floodfill(flat, 4, 3, dark, NULL, 0, &e) == 0, "floodfill: %s", e.text);
    int all_dark = 1;
    for (size_t i = 0; i < img_bytes(flat); i += 3)
        all_dark &= flat->px[i] == 10 && flat->px[i + 2] == 30;
    T_CHECK(all_dark, "a uniform image was not filled completely");
    T_CHECK(img_floodfill(flat, 100, 3, grey, NULL, 0, &e) == 0 && flat->px[0] == 10,
            "a seed outside the image must change nothing");
    img_free(flat);
    img_free(rgb);
    img_free(im);
    img_free(before);

    /* A filled rectangle covers exactly its inclusive box. */
    img *l = img_new(10, 10, IMG_L, NULL, &e);
    uint8_t white[4] = {255, 0, 0, 0};
    double inside[4] = {2.9, 3, 6, 7.5};
    img_draw_rectangle(l, inside, white, NULL, 1, &e);
    int count = 0;
    for (int i = 0; i < 100; i++)
        count += l->px[i] == 255;
    T_CHECK(count == 5 * 5, "rectangle (2.9,3)-(6,7.5) filled %d pixels, want 25", count);
    img_free(l);
}

static void test_filter_errors(void)
{
    errmsg e;
    img *im = noise_image(12, 7, IMG_RGB, 2);
    T_CHECK(!img_filter_gaussian_blur(im, -1, &e) && strstr(e.text, "radius"), "negative radius");
    T_CHECK(!img_filter_box_blur(im, NAN, &e), "NaN radius accepted");
    T_CHECK(!img_filter_box_blur(im, 1e9, &e), "absurd radius accepted");
    T_CHECK(!img_filter_rank(im, IMG_RANK_MEDIAN, 4, &e) && strstr(e.text, "size"),
            "even rank size: %s", e.text);
    T_CHECK(!img_filter_rank(im, IMG_RANK_MIN, 0, &e), "rank size 0 accepted");
    T_CHECK(!img_filter_mode(im, 1000, &e) && strstr(e.text, "size"), "mode size 1000: %s", e.text);
    img *same = img_filter_mode(im, -3, &e);
    T_CHECK(same && memcmp(same->px, im->px, img_bytes(im)) == 0, "ModeFilter(-3) changed pixels");
    img_free(same);
    double k[49] = {0};
    T_CHECK(!img_filter_kernel(im, 7, k, NULL, 0, &e) && strstr(e.text, "kernel size"),
            "7x7 kernel: %s", e.text);
    T_CHECK(!img_filter_apply_builtin(im, IMG_FILTER_NONE, &e), "IMG_FILTER_NONE accepted");
    T_CHECK(img_filter_builtin_parse("SHARPEN") == IMG_FILTER_SHARPEN, "parse SHARPEN");
    T_CHECK(img_filter_builtin_parse("sharpen") == IMG_FILTER_NONE, "names are exact");
    img_free(im);
}

static void test_filter_invariants(void)
{
    errmsg e;
    uint8_t grey[4] = {77, 200, 3, 255};
    img *flat = img_new(31, 17, IMG_RGBA, grey, &e);
    img *outs[5] = {img_filter_gaussian_blur(flat, 3.3, &e), img_filter_box_blur(flat, 2.5, &e),
                    img_filter_apply_builtin(flat, IMG_FILTER_SMOOTH_MORE, &e),
                    img_filter_rank(flat, IMG_RANK_MEDIAN, 5, &e),
                    img_filter_unsharp_mask(flat, 2, 150, 3, &e)};
    for (int i = 0; i < 5; i++) {
        T_CHECK(same_pixels(outs[i], flat), "filter %d changed a constant image", i);
        img_free(outs[i]);
    }
    img_free(flat);

    img *im = noise_image(23, 19, IMG_L, 3);
    img *lo = img_filter_rank(im, IMG_RANK_MIN, 3, &e);
    img *mid = img_filter_rank(im, IMG_RANK_MEDIAN, 3, &e);
    img *hi = img_filter_rank(im, IMG_RANK_MAX, 3, &e);
    int ordered = lo && mid && hi;
    for (size_t i = 0; ordered && i < img_bytes(im); i++)
        ordered = lo->px[i] <= mid->px[i] && mid->px[i] <= hi->px[i] && lo->px[i] <= im->px[i] &&
                  im->px[i] <= hi->px[i];
    T_CHECK(ordered, "min <= median <= max and min <= pixel <= max");
    img *same = img_filter_box_blur(im, 0, &e);
    T_CHECK(same_pixels(same, im), "BoxBlur(0) is the identity");
    img *one = img_filter_rank(im, IMG_RANK_MEDIAN, 1, &e);
    T_CHECK(same_pixels(one, im), "MedianFilter(1) is the identity");
    img *blur = img_filter_gaussian_blur(im, 2, &e);
    double sum_in = 0, sum_out = 0;
    for (size_t i = 0; blur && i < img_bytes(im); i++)
        sum_in += im->px[i], sum_out += blur->px[i];
    T_CHECK(blur && fabs(sum_in - sum_out) / (double)img_bytes(im) < 8,
            "Gaussian blur keeps the mean: %g vs %g", sum_in, sum_out);
    img_free(lo), img_free(mid), img_free(hi), img_free(same), img_free(one), img_free(blur);

    /* Tiny images: kernels leave them alone, blurs and ranks still work. */
    img *tiny = noise_image(1, 2, IMG_RGB, 4);
    img *k = img_filter_apply_builtin(tiny, IMG_FILTER_FIND_EDGES, &e);
    T_CHECK(same_pixels(k, tiny), "3x3 kernel on a 1x2 image must copy it");
    img *b = img_filter_gaussian_blur(tiny, 50, &e);
    img *r = img_filter_rank(tiny, IMG_RANK_MAX, 9, &e);
    T_CHECK(b && r && b->w == 1 && r->h == 2, "blur/rank on a 1x2 image");
    img_free(tiny), img_free(k), img_free(b), img_free(r);
    img_free(im);
}

static void test_enhance(void)
{
    errmsg e;
    img *im = noise_image(13, 11, IMG_RGBA, 5);
    for (int kind = IMG_ENHANCE_BRIGHTNESS; kind <= IMG_ENHANCE_SHARPNESS; kind++) {
        img *same = img_enhance(im, (img_enhance_kind)kind, 1.0, &e);
        T_CHECK(same_pixels(same, im), "enhance %d with factor 1 changed the image", kind);
        img_free(same);
        img *wild = img_enhance(im, (img_enhance_kind)kind, -37.5, &e);
        int alpha_kept = wild != NULL;
        for (size_t i = 3; alpha_kept && i < img_bytes(im); i += 4)
            alpha_kept = wild->px[i] == im->px[i];
        T_CHECK(alpha_kept, "enhance %d changed alpha", kind);
        img_free(wild);
    }
    img *black = img_enhance(im, IMG_ENHANCE_BRIGHTNESS, 0, &e);
    T_CHECK(black && black->px[0] == 0 && black->px[1] == 0 && black->px[2] == 0,
            "Brightness(0) is black");
    img *grey = img_enhance(im, IMG_ENHANCE_CONTRAST, 0, &e);
    int flat = grey != NULL;
    for (size_t i = 0; flat && i < img_bytes(im); i += 4)
        flat = grey->px[i] == grey->px[0] && grey->px[i + 2] == grey->px[0];
    T_CHECK(flat, "Contrast(0) is one grey level");
    T_CHECK(!img_enhance(im, IMG_ENHANCE_NONE, 1, &e), "IMG_ENHANCE_NONE accepted");
    T_CHECK(img_enhance_parse("Color") == IMG_ENHANCE_COLOR, "parse Color");
    img *other = noise_image(13, 12, IMG_RGBA, 6);
    T_CHECK(!img_blend(im, other, 0.5, &e) && strstr(e.text, "do not match"), "blend mismatch: %s",
            e.text);
    img_free(black), img_free(grey), img_free(other), img_free(im);
}

int main(void)
{
    test_colors();
    test_draw_errors_and_clipping();
    test_filter_errors();
    test_filter_invariants();
    test_enhance();
    return t_finish();
}
