/* img_conformance_driver.c - runs image operation cases for the Pillow conformance test.
 *
 *   img_conformance_driver CASES INPUT_DIR OUTPUT_DIR
 *
 * CASES has one case per line: "NAME OP INPUT ARGS...", written by
 * tests/reference/img_conformance.py, which also writes the input images (INPUT_DIR/INPUT.png
 * and friends) and afterwards compares OUTPUT_DIR/NAME.png with Pillow's result for the same
 * case. A case that fails writes OUTPUT_DIR/NAME.err holding the message instead, so that
 * error behaviour is compared too (Pillow must raise for the same cases).
 *
 * Arguments: numbers; "-" for None; colours and tuples as comma-separated numbers ("255,0,0");
 * other images and masks by input name; filters by Pillow name ("BICUBIC").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_geom.h"
#include "vision/img_enhance.h"
#include "vision/img_io.h"
#include "vision/img_ops.h"

#define MAX_ARGS 16

typedef struct driver_case {
    const char *name, *op;
    const char *arg[MAX_ARGS];
    int nargs;
    const char *input_dir;
} driver_case;

static img *load_input(const driver_case *c, const char *name, errmsg *e)
{
    char path[4096];
    if (strchr(name, '.'))
        snprintf(path, sizeof path, "%s/%s", c->input_dir, name);
    else
        snprintf(path, sizeof path, "%s/%s.png", c->input_dir, name);
    return img_load(path, 0, e);
}

static double num(const driver_case *c, int i)
{
    return i < c->nargs ? atof(c->arg[i]) : 0.0;
}

static int is_none(const driver_case *c, int i)
{
    return i >= c->nargs || strcmp(c->arg[i], "-") == 0;
}

/* Comma-separated numbers into out; returns the count. */
static int tuple(const char *s, double *out, int max)
{
    int n = 0;
    while (n < max && *s) {
        char *end;
        out[n++] = strtod(s, &end);
        if (*end != ',')
            break;
        s = end + 1;
    }
    return n;
}

static int colour(const driver_case *c, int i, uint8_t out[4])
{
    double v[4] = {0};
    if (is_none(c, i))
        return 0;
    int n = tuple(c->arg[i], v, 4);
    for (int k = 0; k < 4; k++)
        out[k] = (uint8_t)(k < n ? v[k] : 255);
    return 1;
}

static img_resample filter(const driver_case *c, int i)
{
    int f = i < c->nargs ? img_resample_parse(c->arg[i]) : -1;
    return f < 0 ? (img_resample)99 : (img_resample)f;
}

static img *load_optional(const driver_case *c, int i, img **keep, errmsg *e)
{
    *keep = is_none(c, i) ? NULL : load_input(c, c->arg[i], e);
    return *keep;
}

/* The Pillow-shaped lookup table of the "point" cases (the Python side builds the same). */
static img *point_case(const img *src, int k, errmsg *e)
{
    int lut[4 * 256];
    for (int ch = 0; ch < 4; ch++)
        for (int v = 0; v < 256; v++)
            lut[ch * 256 + v] = (v * (ch + k)) % 320 - 30;
    return img_point(src, lut, (size_t)256 * (size_t)img_channels(src->mode), e);
}

static img *swap_bands(const img *src, errmsg *e)
{
    img *bands[4], *rev[4];
    int n = img_split(src, bands, e);
    if (n < 0)
        return NULL;
    for (int i = 0; i < n; i++)
        rev[i] = bands[n - 1 - i];
    img *out = img_merge(src->mode, rev, n, e);
    for (int i = 0; i < n; i++)
        img_free(bands[i]);
    return out;
}

static img *run_geometry(const driver_case *c, const img *in, errmsg *e, int *handled)
{
    const char *op = c->op;
    uint8_t col[4];
    double t[8];
    img *other = NULL, *mask = NULL, *out = NULL;
    *handled = 1;
    if (strcmp(op, "load") == 0 || strcmp(op, "load_jpeg") == 0) {
        out = img_copy(in, e);
    } else if (strcmp(op, "convert") == 0) {
        out = img_convert(in, img_mode_parse(c->arg[0]), e);
    } else if (strcmp(op, "crop") == 0) {
        out = img_crop(in, num(c, 0), num(c, 1), num(c, 2), num(c, 3), e);
    } else if (strcmp(op, "paste") == 0) {
        other = load_input(c, c->arg[0], e);
        out = other ? img_copy(in, e) : NULL;
        int x = (int)num(c, 1), y = (int)num(c, 2);
        if (out && (load_optional(c, 3, &mask, e) || is_none(c, 3)) &&
            img_paste(out, other, x, y, x + other->w, y + other->h, mask, e)) {
            img_free(out);
            out = NULL;
        }
    } else if (strcmp(op, "paste_color") == 0) {
        colour(c, 0, col);
        out = img_copy(in, e);
        if (out && (load_optional(c, 5, &mask, e) || is_none(c, 5)) &&
            img_paste_color(out, col, (int)num(c, 1), (int)num(c, 2), (int)num(c, 3),
                            (int)num(c, 4), mask, e)) {
            img_free(out);
            out = NULL;
        }
    } else if (strcmp(op, "transpose") == 0) {
        out = img_transpose(in, (img_transpose_op)(int)num(c, 0), e);
    } else if (strcmp(op, "resize") == 0) {
        double box[4] = {num(c, 3), num(c, 4), num(c, 5), num(c, 6)};
        out = img_resize(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2),
                         c->nargs > 3 ? box : NULL, e);
    } else if (strcmp(op, "rotate") == 0) {
        double centre[2], shift[2];
        int has_c = !is_none(c, 3) && tuple(c->arg[3], centre, 2) == 2;
        int has_t = !is_none(c, 4) && tuple(c->arg[4], shift, 2) == 2;
        int has_fill = colour(c, 5, col);
        out = img_rotate(in, num(c, 0), filter(c, 1), (int)num(c, 2), has_c ? centre : NULL,
                         has_t ? shift : NULL, has_fill ? col : NULL, e);
    } else if (strcmp(op, "transform") == 0) {
        tuple(c->arg[2], t, 6);
        int has_fill = colour(c, 4, col);
        out = img_transform_affine(in, (int)num(c, 0), (int)num(c, 1), t, filter(c, 3),
                                   has_fill ? col : NULL, e);
    } else if (strcmp(op, "transform_method") == 0) {
        int n = tuple(c->arg[3], t, 8);
        int has_fill = colour(c, 5, col);
        out =
            img_transform(in, (int)num(c, 0), (int)num(c, 1), (img_transform_method)(int)num(c, 2),
                          t, n, filter(c, 4), has_fill ? col : NULL, e);
    } else if (strcmp(op, "reduce") == 0) {
        int box[4] = {(int)num(c, 2), (int)num(c, 3), (int)num(c, 4), (int)num(c, 5)};
        out = img_reduce(in, (int)num(c, 0), (int)num(c, 1), c->nargs > 2 ? box : NULL, e);
    } else if (strcmp(op, "resize_gap") == 0) {
        out = img_resize_reducing(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2), NULL, num(c, 3),
                                  e);
    } else if (strcmp(op, "thumbnail") == 0) {
        out = img_thumbnail(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2), num(c, 3), e);
    } else if (strcmp(op, "putalpha") == 0) {
        if (is_none(c, 0) || strchr(c->arg[0], '_') == NULL) {
            out = img_putalpha(in, NULL, (int)num(c, 0), e);
        } else {
            other = load_input(c, c->arg[0], e);
            out = other ? img_putalpha(in, other, 0, e) : NULL;
        }
    } else if (strcmp(op, "gradient") == 0) {
        out = strcmp(c->arg[0], "linear") == 0 ? img_linear_gradient(e) : img_radial_gradient(e);
    } else if (strcmp(op, "point") == 0) {
        out = point_case(in, (int)num(c, 0), e);
    } else if (strcmp(op, "blend") == 0) {
        other = load_input(c, c->arg[0], e);
        out = other ? img_blend(in, other, num(c, 1), e) : NULL;
    } else if (strcmp(op, "composite") == 0) {
        other = load_input(c, c->arg[0], e);
        mask = other ? load_input(c, c->arg[1], e) : NULL;
        out = mask ? img_composite(in, other, mask, e) : NULL;
    } else if (strcmp(op, "alpha_composite") == 0) {
        other = load_input(c, c->arg[0], e);
        out = other ? img_alpha_composite(in, other, e) : NULL;
    } else if (strcmp(op, "paste_self") == 0) {
        /* An image pasted into itself: the source changes while it is read, as in Pillow. */
        out = img_copy(in, e);
        int x = (int)num(c, 0), y = (int)num(c, 1);
        if (out && img_paste(out, out, x, y, x + out->w, y + out->h, NULL, e)) {
            img_free(out);
            out = NULL;
        }
    } else if (strcmp(op, "swapbands") == 0) {
        out = swap_bands(in, e);
    } else {
        *handled = 0;
    }
    img_free(other);
    img_free(mask);
    return out;
}

static img *run_imageops(const driver_case *c, const img *in, errmsg *e)
{
    const char *op = c->op;
    uint8_t col[4];
    img *mask = NULL, *out = NULL;
    if (strcmp(op, "mirror") == 0) {
        out = img_ops_mirror(in, e);
    } else if (strcmp(op, "flip") == 0) {
        out = img_ops_flip(in, e);
    } else if (strcmp(op, "grayscale") == 0) {
        out = img_ops_grayscale(in, e);
    } else if (strcmp(op, "invert") == 0) {
        out = img_ops_invert(in, e);
    } else if (strcmp(op, "posterize") == 0) {
        out = img_ops_posterize(in, (int)num(c, 0), e);
    } else if (strcmp(op, "solarize") == 0) {
        out = img_ops_solarize(in, (int)num(c, 0), e);
    } else if (strcmp(op, "autocontrast") == 0) {
        out = img_ops_autocontrast(in, num(c, 0), num(c, 1), is_none(c, 2) ? -1 : (int)num(c, 2),
                                   (int)num(c, 3), e);
    } else if (strcmp(op, "equalize") == 0) {
        if (load_optional(c, 0, &mask, e) || is_none(c, 0))
            out = img_ops_equalize(in, mask, e);
    } else if (strcmp(op, "colorize") == 0) {
        uint8_t black[4], white[4], mid[4];
        colour(c, 0, black);
        colour(c, 1, white);
        int has_mid = colour(c, 2, mid);
        out = img_ops_colorize(in, black, white, has_mid ? mid : NULL, (int)num(c, 3),
                               (int)num(c, 4), (int)num(c, 5), e);
    } else if (strcmp(op, "expand") == 0) {
        int has_fill = colour(c, 4, col);
        out = img_ops_expand(in, (int)num(c, 0), (int)num(c, 1), (int)num(c, 2), (int)num(c, 3),
                             has_fill ? col : NULL, e);
    } else if (strcmp(op, "opcrop") == 0) {
        out = img_ops_crop(in, (int)num(c, 0), (int)num(c, 1), (int)num(c, 2), (int)num(c, 3), e);
    } else if (strcmp(op, "scale") == 0) {
        out = img_ops_scale(in, num(c, 0), filter(c, 1), e);
    } else if (strcmp(op, "contain") == 0) {
        out = img_ops_contain(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2), e);
    } else if (strcmp(op, "pad") == 0) {
        int has_fill = colour(c, 3, col);
        out = img_ops_pad(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2), has_fill ? col : NULL,
                          num(c, 4), num(c, 5), e);
    } else if (strcmp(op, "fit") == 0) {
        out = img_ops_fit(in, (int)num(c, 0), (int)num(c, 1), filter(c, 2), num(c, 3), num(c, 4),
                          num(c, 5), e);
    } else {
        err_set(e, ERR_FAIL, "unknown op '%s'", op);
    }
    img_free(mask);
    return out;
}

/* Measurements as text: "histogram" (counts), "getextrema" (lo hi per channel), "getbbox"
 * (the box or "None"). Returns 1 when op is one of them, with text filled or e set. */
static int run_measure(const driver_case *c, const img *in, char *text, size_t size, errmsg *e,
                       int *failed)
{
    size_t at = 0;
    text[0] = '\0';
    *failed = 0;
    if (strcmp(c->op, "histogram") == 0) {
        uint32_t counts[4 * 256];
        img *mask = NULL;
        if ((!load_optional(c, 0, &mask, e) && !is_none(c, 0)) ||
            img_histogram(in, mask, counts, e)) {
            *failed = 1;
        } else {
            for (int i = 0; i < 256 * img_channels(in->mode) && at + 16 < size; i++)
                at += (size_t)snprintf(text + at, size - at, "%u ", counts[i]);
        }
        img_free(mask);
        return 1;
    }
    if (strcmp(c->op, "getextrema") == 0) {
        uint8_t lo[4], hi[4];
        img_getextrema(in, lo, hi);
        for (int i = 0; i < img_channels(in->mode); i++)
            at += (size_t)snprintf(text + at, size - at, "%d %d ", lo[i], hi[i]);
        return 1;
    }
    if (strcmp(c->op, "getbbox") == 0) {
        int box[4];
        if (img_getbbox(in, box))
            snprintf(text, size, "%d %d %d %d", box[0], box[1], box[2], box[3]);
        else
            snprintf(text, size, "None");
        return 1;
    }
    return 0;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "%s\n", text);
    return fclose(f) != 0;
}

/* A plain write: img_save_png's fsync per file would dominate the test's run time, and the
 * atomic path has its own tests in test_img_io.c. */
static int write_png(const img *im, const char *path, errmsg *e)
{
    uint8_t *png = NULL;
    size_t n = 0;
    if (img_encode_png(im, &png, &n, e))
        return 1;
    FILE *f = fopen(path, "wb");
    int failed = !f || fwrite(png, 1, n, f) != n;
    if (f && fclose(f) != 0)
        failed = 1;
    free(png);
    if (failed)
        return err_set(e, ERR_FAIL, "%s: cannot write", path);
    return 0;
}

static int run_case(driver_case *c, const char *input, const char *out_dir)
{
    errmsg e = {0};
    char path[4096];
    img *in = load_input(c, input, &e);
    img *out = NULL;
    static char text[16384];
    int failed = 0;
    if (in && run_measure(c, in, text, sizeof text, &e, &failed)) {
        snprintf(path, sizeof path, "%s/%s.%s", out_dir, c->name, failed ? "err" : "txt");
        int rc = write_text(path, failed ? e.text : text);
        img_free(in);
        return rc;
    }
    if (in) {
        int handled;
        out = run_geometry(c, in, &e, &handled);
        if (!handled)
            out = run_imageops(c, in, &e);
    }
    int rc = 0;
    if (out) {
        snprintf(path, sizeof path, "%s/%s.png", out_dir, c->name);
        rc = write_png(out, path, &e);
        if (rc)
            fprintf(stderr, "%s: %s\n", c->name, e.text);
    } else {
        snprintf(path, sizeof path, "%s/%s.err", out_dir, c->name);
        rc = write_text(path, e.text);
    }
    img_free(in);
    img_free(out);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s CASES INPUT_DIR OUTPUT_DIR\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char line[4096];
    int failures = 0, count = 0;
    while (fgets(line, sizeof line, f)) {
        driver_case c = {.input_dir = argv[2]};
        char *save = NULL;
        c.name = strtok_r(line, " \n", &save);
        c.op = strtok_r(NULL, " \n", &save);
        const char *input = strtok_r(NULL, " \n", &save);
        if (!c.name || !c.op || !input)
            continue;
        const char *a;
        while (c.nargs < MAX_ARGS && (a = strtok_r(NULL, " \n", &save)))
            c.arg[c.nargs++] = a;
        failures += run_case(&c, input, argv[3]) != 0;
        count++;
    }
    fclose(f);
    fprintf(stderr, "img_conformance_driver: %d cases, %d could not write output\n", count,
            failures);
    return failures ? 1 : 0;
}
