/* prog_pil.c - the PIL-shaped image API of the program language: the modules Image,
 * ImageDraw, ImageOps, ImageEnhance, ImageFilter and ImageColor, and the methods of Image,
 * ImageDraw.Draw and ImageEnhance objects, bound to vision/img_*.h.
 *
 * Argument rules follow Pillow 9.4 (the same types accepted and refused), so a program that
 * fails under Pillow fails here too. Every image a call would create is checked against the
 * side and memory budgets BEFORE it is made, and each operation costs steps in proportion to
 * the pixels it touches, so loops of image operations are bounded like loops of arithmetic.
 * Files do not exist: Image.open, save, show and friends are Forbidden.
 */
#include "evolve/prog/prog_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_color.h"
#include "vision/img_draw.h"
#include "vision/img_enhance.h"
#include "vision/img_filter.h"
#include "vision/img_geom.h"
#include "vision/img_ops.h"

/* Filter objects (pfilter.which). */
enum { PF_BUILTIN, PF_GAUSSIAN, PF_BOX, PF_UNSHARP, PF_KERNEL, PF_MEDIAN, PF_MIN, PF_MAX };

/* ---- helpers ---- */

int pi_image_check(interp *I, long w, long h, int channels)
{
    if (w < 1 || h < 1)
        return pi_raise(I, "ValueError", "image size %ldx%ld: width and height must be at least 1",
                        w, h);
    if (w > I->lim.max_side || h > I->lim.max_side)
        return pi_raise(I, "BudgetExceeded",
                        "image side budget exceeded: %ldx%ld (largest side %d)", w, h,
                        I->lim.max_side);
    return pi_reserve(I, (size_t)w * (size_t)h * (size_t)channels);
}

int pi_image_wrap(interp *I, img *im, pv *out)
{
    if (pi_image_check(I, im->w, im->h, img_channels(im->mode))) {
        img_free(im);
        return -1;
    }
    pimage *p = pi_new(I, PO_IMAGE, sizeof *p);
    if (!p) {
        img_free(im);
        return -1;
    }
    p->im = im;
    if (pi_resize_account(I, &p->h, sizeof *p + img_bytes(im))) {
        pi_release(I, pv_obj(p));
        return -1;
    }
    *out = pv_obj(p);
    return 0;
}

/* Wraps the result of a vision/ call, turning its failure into the exception Pillow raises:
 * OSError for a mode an operation refuses (Pillow's ImageOps LUT helper), else ValueError. */
static int result_image(interp *I, img *im, const errmsg *e, pv *out)
{
    if (!im)
        return pi_raise(
            I, strstr(e->text, "not supported for this image mode") ? "OSError" : "ValueError",
            "%s", e->text);
    return pi_image_wrap(I, im, out);
}

/* Operations cost steps per pixel touched (1 step per 16 pixels). */
static int charge(interp *I, double pixels)
{
    return pi_step(I, 1 + (long)(pixels / 16));
}

static int get_image(interp *I, pv v, const char *what, img **out)
{
    if (!pv_is(v, PO_IMAGE))
        return pi_raise(I, "TypeError", "%s: expected an Image, got %s", what, pi_type_name(v));
    *out = ((pimage *)v.u.o)->im;
    if (!*out)
        return pi_raise(I, "ValueError", "%s: the image is no longer available", what);
    return 0;
}

static img *self_image(pv self)
{
    return ((pimage *)self.u.o)->im;
}

static int seq_len(pv v)
{
    return pv_is(v, PO_TUPLE) || pv_is(v, PO_LIST) ? (int)pv_list(v)->len : -1;
}

/* A tuple/list of exactly n numbers. ints_only refuses floats as Pillow's C layer does. */
static int get_numbers(interp *I, pv v, int n, int ints_only, const char *what, double *out)
{
    if (seq_len(v) != n)
        return pi_raise(I, "TypeError", "%s must be a tuple of %d numbers, got %s", what, n,
                        pi_type_name(v));
    for (int k = 0; k < n; k++) {
        pv x = pv_list(v)->items[k];
        if (ints_only && !pv_is_intlike(x))
            return pi_raise(I, "TypeError", "%s: '%s' object cannot be interpreted as an integer",
                            what, pi_type_name(x));
        if (pi_to_double(I, x, what, &out[k]))
            return -1;
    }
    return 0;
}

static int get_size(interp *I, pv v, const char *what, int *w, int *h)
{
    double d[2];
    if (get_numbers(I, v, 2, 1, what, d))
        return -1;
    if (d[0] < 1 || d[1] < 1 || d[0] > 1e9 || d[1] > 1e9)
        return pi_raise(I, "ValueError", "%s: width and height must be >= 1, got (%.0f, %.0f)",
                        what, d[0], d[1]);
    *w = (int)d[0];
    *h = (int)d[1];
    return 0;
}

static int get_resample(interp *I, pv v, int deflt, const char *what, img_resample *out)
{
    if (v.tag == PV_UNSET || v.tag == PV_NONE) {
        *out = (img_resample)deflt;
        return 0;
    }
    if (!pv_is_intlike(v) || v.u.i < 0 || v.u.i > 5)
        return pi_raise(I, "ValueError", "%s: unknown resampling filter (use Image.Resampling.*)",
                        what);
    *out = (img_resample)v.u.i;
    return 0;
}

static int get_bool(interp *I, pv v, int *out)
{
    if (v.tag == PV_UNSET) {
        *out = 0;
        return 0;
    }
    return pi_truthy(I, v, out);
}

/* A colour value (str, int, tuple) as 4 ink bytes for mode. *has is 0 for None/unset. */
static int get_ink(interp *I, pv v, img_mode mode, const char *what, uint8_t ink[4], int *has)
{
    errmsg e;
    *has = 0;
    memset(ink, 0, 4);
    if (v.tag == PV_UNSET || v.tag == PV_NONE)
        return 0;
    *has = 1;
    if (pv_is(v, PO_STR)) {
        if (img_ink_from_str(pv_str(v)->s, mode, ink, &e))
            return pi_raise(I, "ValueError", "%s: %s", what, e.text);
        return 0;
    }
    if (pv_is_intlike(v)) {
        img_ink_from_int(v.u.i, mode, ink);
        return 0;
    }
    int n = seq_len(v);
    if (n >= 1 && n <= 4) {
        long long c[4];
        for (int k = 0; k < n; k++) {
            pv x = pv_list(v)->items[k];
            if (!pv_is_intlike(x))
                return pi_raise(I, "TypeError",
                                "%s: color must be int or tuple of ints, got %s in the tuple", what,
                                pi_type_name(x));
            c[k] = x.u.i;
        }
        if (img_ink_from_tuple(c, n, mode, ink, &e))
            return pi_raise(I, "TypeError", "%s: %s", what, e.text);
        return 0;
    }
    return pi_raise(I, "TypeError", "%s: color must be int, tuple or string, not %s", what,
                    pi_type_name(v));
}

/* Flattens [(x, y), ...] or [x, y, ...] into a malloc'd array of doubles; *n_points. */
static int get_points(interp *I, pv v, const char *what, double **xy, int *n_points)
{
    int n = seq_len(v);
    *xy = NULL;
    if (n < 0)
        return pi_raise(I, "TypeError", "%s: coordinates must be a list or tuple, not %s", what,
                        pi_type_name(v));
    if (n > 1000000 || pi_reserve(I, (size_t)n * 2 * sizeof(double)))
        return n > 1000000 ? pi_raise(I, "BudgetExceeded", "%s: too many points", what) : -1;
    double *d = malloc(((size_t)n * 2 + 1) * sizeof *d);
    if (!d)
        return pi_raise(I, "MemoryError", "out of host memory");
    int nd = 0;
    for (int k = 0; k < n; k++) {
        pv item = pv_list(v)->items[k];
        if (seq_len(item) == 2) {
            if (pi_to_double(I, pv_list(item)->items[0], what, &d[nd]) ||
                pi_to_double(I, pv_list(item)->items[1], what, &d[nd + 1])) {
                free(d);
                return -1;
            }
            nd += 2;
        } else if (pv_is_num(item)) {
            d[nd++] = item.tag == PV_FLOAT ? item.u.f : (double)item.u.i;
        } else {
            free(d);
            return pi_raise(I, "TypeError", "%s: coordinates must be numbers or (x, y) pairs",
                            what);
        }
    }
    if (nd % 2) {
        free(d);
        return pi_raise(I, "ValueError",
                        "%s: coordinate list must contain exactly 2 coordinates per point", what);
    }
    *xy = d;
    *n_points = nd / 2;
    return 0;
}

/* ---- Image methods ---- */

static int m_crop(interp *I, img *im, pv box, pv *out)
{
    errmsg e;
    if (box.tag == PV_UNSET || box.tag == PV_NONE)
        return charge(I, (double)im->w * im->h) || result_image(I, img_copy(im, &e), &e, out) ? -1
                                                                                              : 0;
    double b[4];
    if (get_numbers(I, box, 4, 0, "crop() box", b))
        return -1;
    double w = round(b[2]) - round(b[0]), h = round(b[3]) - round(b[1]);
    if (w >= 1 && h >= 1 &&
        (pi_image_check(I, (long)fmin(w, 1e9), (long)fmin(h, 1e9), img_channels(im->mode)) ||
         charge(I, w * h)))
        return -1;
    return result_image(I, img_crop(im, b[0], b[1], b[2], b[3], &e), &e, out);
}

static int m_resize(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"size", "resample", "box", "reducing_gap"};
    pv a[4];
    int w = 0, h = 0;
    img_resample f = IMG_NEAREST;
    double box[4];
    if (pi_call_args(I, c, 4, names, 1, a) || get_size(I, a[0], "resize() size", &w, &h) ||
        get_resample(I, a[1], IMG_BICUBIC, "resize()", &f))
        return -1;
    int has_box = a[2].tag != PV_UNSET && a[2].tag != PV_NONE;
    if (has_box && get_numbers(I, a[2], 4, 0, "resize() box", box))
        return -1;
    double gap = 0;
    if (a[3].tag != PV_UNSET && a[3].tag != PV_NONE) {
        if (pi_to_double(I, a[3], "resize() reducing_gap", &gap))
            return -1;
        if (!(gap >= 1.0))
            return pi_raise(I, "ValueError", "reducing_gap must be 1.0 or greater");
    }
    if (pi_image_check(I, w, h, img_channels(im->mode)) ||
        charge(I, (double)w * h + (double)im->w * im->h))
        return -1;
    errmsg e;
    return result_image(I, img_resize_reducing(im, w, h, f, has_box ? box : NULL, gap, &e), &e,
                        out);
}

static int m_rotate(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"angle",  "resample",  "expand",
                                        "center", "translate", "fillcolor"};
    pv a[6];
    double angle, center[2], translate[2];
    img_resample f = IMG_NEAREST;
    int expand, has_fill;
    uint8_t fill[4];
    if (pi_call_args(I, c, 6, names, 1, a) || pi_to_double(I, a[0], "rotate() angle", &angle) ||
        get_resample(I, a[1], IMG_NEAREST, "rotate()", &f) || get_bool(I, a[2], &expand) ||
        get_ink(I, a[5], im->mode, "rotate() fillcolor", fill, &has_fill))
        return -1;
    if (f != IMG_NEAREST && f != IMG_BILINEAR && f != IMG_BICUBIC)
        return pi_raise(I, "ValueError",
                        "Unknown resampling filter (%d). Use Image.Resampling.NEAREST (0), "
                        "Image.Resampling.BILINEAR (2) or Image.Resampling.BICUBIC (3)",
                        (int)f);
    if (!isfinite(angle))
        return pi_raise(I, "ValueError", "rotate() angle must be finite");
    int has_center = a[3].tag != PV_UNSET && a[3].tag != PV_NONE;
    int has_translate = a[4].tag != PV_UNSET && a[4].tag != PV_NONE;
    if ((has_center && get_numbers(I, a[3], 2, 0, "rotate() center", center)) ||
        (has_translate && get_numbers(I, a[4], 2, 0, "rotate() translate", translate)))
        return -1;
    long w = im->w, h = im->h;
    if (expand) { /* the bounding box of the turned image, plus a pixel of rounding */
        double r = angle * M_PI / 180.0, cs = fabs(cos(r)), sn = fabs(sin(r));
        w = (long)ceil(im->w * cs + im->h * sn) + 2;
        h = (long)ceil(im->w * sn + im->h * cs) + 2;
        if (w > I->lim.max_side && w - 2 <= I->lim.max_side)
            w = I->lim.max_side;
        if (h > I->lim.max_side && h - 2 <= I->lim.max_side)
            h = I->lim.max_side;
    }
    if (pi_image_check(I, w, h, img_channels(im->mode)) || charge(I, (double)w * h))
        return -1;
    errmsg e;
    return result_image(I,
                        img_rotate(im, angle, f, expand, has_center ? center : NULL,
                                   has_translate ? translate : NULL, has_fill ? fill : NULL, &e),
                        &e, out);
}

static int m_paste(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"im", "box", "mask"};
    pv a[3];
    if (pi_call_args(I, c, 3, names, 1, a))
        return -1;
    pv src = a[0], box = a[1], mask = a[2];
    if (pv_is(box, PO_IMAGE) &&
        (mask.tag == PV_UNSET || mask.tag == PV_NONE)) { /* paste(im, mask) */
        mask = box;
        box.tag = PV_UNSET;
    }
    img *mask_im = NULL, *src_im = NULL;
    if (mask.tag != PV_UNSET && mask.tag != PV_NONE && get_image(I, mask, "paste() mask", &mask_im))
        return -1;
    if (pv_is(src, PO_IMAGE) && get_image(I, src, "paste()", &src_im))
        return -1;
    double b[4] = {0, 0, 0, 0};
    int nb = seq_len(box);
    if (box.tag == PV_UNSET || box.tag == PV_NONE) {
        nb = 0;
    } else if (nb == 2 || nb == 4) {
        if (get_numbers(I, box, nb, 1, "paste() box", b))
            return -1;
    } else {
        return pi_raise(I, "ValueError", "paste() box must be a 2-tuple or a 4-tuple");
    }
    int left = (int)b[0], top = (int)b[1], right, bottom;
    if (nb == 4) {
        right = (int)b[2];
        bottom = (int)b[3];
    } else if (src_im) {
        right = left + src_im->w;
        bottom = top + src_im->h;
    } else if (mask_im) {
        right = left + mask_im->w;
        bottom = top + mask_im->h;
    } else {
        right = im->w;
        bottom = im->h;
    }
    if (charge(I, fabs((double)(right - left) * (bottom - top))))
        return -1;
    errmsg e;
    int r;
    if (src_im) {
        r = img_paste(im, src_im, left, top, right, bottom, mask_im, &e);
    } else {
        uint8_t ink[4];
        int has;
        if (get_ink(I, src, im->mode, "paste() color", ink, &has))
            return -1;
        r = img_paste_color(im, ink, left, top, right, bottom, mask_im, &e);
    }
    if (r)
        return pi_raise(I, "ValueError", "%s", e.text);
    *out = pv_none();
    return 0;
}

static int m_convert(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"mode", "matrix", "dither", "palette", "colors"};
    pv a[5];
    if (pi_call_args(I, c, 5, names, 0, a))
        return -1;
    for (int k = 1; k < 5; k++)
        if (a[k].tag != PV_UNSET && a[k].tag != PV_NONE)
            return pi_raise(I, "ValueError", "convert(): the '%s' argument is not supported",
                            names[k]);
    img_mode mode = im->mode;
    if (a[0].tag != PV_UNSET && a[0].tag != PV_NONE) {
        if (!pv_is(a[0], PO_STR))
            return pi_raise(I, "TypeError", "convert() mode must be a string");
        mode = img_mode_parse(pv_str(a[0])->s);
        if (!mode)
            return pi_raise(
                I, "ValueError",
                "conversion to mode '%s' is not supported (vkeve images are L, RGB or RGBA)",
                pv_str(a[0])->s);
    }
    if (pi_image_check(I, im->w, im->h, img_channels(mode)) || charge(I, (double)im->w * im->h))
        return -1;
    errmsg e;
    return result_image(I, img_convert(im, mode, &e), &e, out);
}

static int apply_filter(interp *I, img *im, pv f, pv *out)
{
    if (pv_is(f, PO_NATIVE)) { /* img.filter(ImageFilter.GaussianBlur): the class with defaults */
        pv inst;
        if (pi_call(I, f, 0, NULL, 0, NULL, NULL, &inst))
            return -1;
        int r = apply_filter(I, im, inst, out);
        pi_release(I, inst);
        return r;
    }
    if (!pv_is(f, PO_FILTER))
        return pi_raise(I, "TypeError",
                        "filter argument should be ImageFilter.Filter instance or class, not %s",
                        pi_type_name(f));
    pfilter *pf = (pfilter *)f.u.o;
    double px = (double)im->w * im->h;
    double cost = pf->which >= PF_MEDIAN ? px * pf->radius * pf->radius : px * 4;
    if (pi_image_check(I, im->w, im->h, img_channels(im->mode)) || charge(I, cost))
        return -1;
    errmsg e;
    img *r = NULL;
    switch (pf->which) {
    case PF_BUILTIN: r = img_filter_apply_builtin(im, (img_filter_builtin)pf->arg2, &e); break;
    case PF_GAUSSIAN: r = img_filter_gaussian_blur(im, pf->radius, &e); break;
    case PF_BOX: r = img_filter_box_blur(im, pf->radius, &e); break;
    case PF_UNSHARP:
        r = img_filter_unsharp_mask(im, pf->radius, (int)pf->arg2, (int)pf->arg3, &e);
        break;
    case PF_KERNEL:
        r = img_filter_kernel(im, pf->size, pf->weights, pf->has_scale ? &pf->scale : NULL,
                              pf->offset, &e);
        break;
    case PF_MEDIAN: r = img_filter_rank(im, IMG_RANK_MEDIAN, (int)pf->radius, &e); break;
    case PF_MIN: r = img_filter_rank(im, IMG_RANK_MIN, (int)pf->radius, &e); break;
    default: r = img_filter_rank(im, IMG_RANK_MAX, (int)pf->radius, &e); break;
    }
    return result_image(I, r, &e, out);
}

/* Python's round(): halves to even. */
static long round_half_even(double x)
{
    double r = round(x);
    if (fabs(x - trunc(x)) == 0.5)
        r = 2.0 * round(x / 2.0);
    return (long)r;
}

static int m_point(interp *I, img *im, pv fn_or_table, pv *out)
{
    int ch = img_channels(im->mode);
    int lut[1024];
    size_t n = (size_t)256 * (size_t)ch;
    if (pv_is(fn_or_table, PO_LIST) || pv_is(fn_or_table, PO_TUPLE)) {
        plist *l = pv_list(fn_or_table);
        if (l->len != n)
            return pi_raise(I, "ValueError",
                            "point(): wrong number of lut entries (%zu, expected %zu)", l->len, n);
        for (size_t k = 0; k < n; k++) {
            double d;
            if (pi_to_double(I, l->items[k], "point() table", &d))
                return -1;
            lut[k] = (int)fmax(-1, fmin(256, round_half_even(d)));
        }
    } else {
        /* Pillow calls the function once per value 0..255 and uses the table for every band,
         * rounding results: lut = [round(f(i)) for i in range(256)] * bands. */
        for (int v = 0; v < 256; v++) {
            pv arg = pv_int(v), r;
            if (pi_call(I, fn_or_table, 1, &arg, 0, NULL, NULL, &r))
                return -1;
            if (!pv_is_num(r)) {
                int bad =
                    pi_raise(I, "TypeError", "point(): the function must return numbers, got %s",
                             pi_type_name(r));
                pi_release(I, r);
                return bad;
            }
            double d = r.tag == PV_FLOAT ? r.u.f : (double)r.u.i;
            if (isnan(d) || isinf(d))
                return pi_raise(I, "ValueError", "point(): cannot convert float %s to integer",
                                isnan(d) ? "NaN" : "infinity");
            lut[v] = (int)fmax(-1, fmin(256, round_half_even(d)));
        }
        for (int c = 1; c < ch; c++)
            memcpy(lut + c * 256, lut, 256 * sizeof *lut);
    }
    if (pi_image_check(I, im->w, im->h, ch) || charge(I, (double)im->w * im->h))
        return -1;
    errmsg e;
    return result_image(I, img_point(im, lut, n, &e), &e, out);
}

static int get_xy(interp *I, pv v, const char *what, int *x, int *y)
{
    double d[2];
    if (get_numbers(I, v, 2, 0, what, d))
        return -1;
    *x = (int)fmax(-2e9, fmin(2e9, d[0]));
    *y = (int)fmax(-2e9, fmin(2e9, d[1]));
    return 0;
}

static int pixel_value(interp *I, img_mode mode, const uint8_t *px, pv *out)
{
    if (mode == IMG_L) {
        *out = pv_int(px[0]);
        return 0;
    }
    plist *t = pi_list(I, PO_TUPLE, (size_t)mode);
    if (!t)
        return -1;
    for (int c = 0; c < (int)mode; c++)
        t->items[t->len++] = pv_int(px[c]);
    *out = pv_obj(t);
    return 0;
}

static int m_split(interp *I, img *im, pv *out)
{
    img *bands[4];
    errmsg e;
    int ch = img_channels(im->mode);
    if (pi_image_check(I, im->w, im->h, ch) || charge(I, (double)im->w * im->h))
        return -1;
    int n = img_split(im, bands, &e);
    if (n < 0)
        return pi_raise(I, "ValueError", "%s", e.text);
    plist *t = pi_list(I, PO_TUPLE, (size_t)n);
    int r = t ? 0 : -1;
    for (int k = 0; k < n; k++) {
        pv v;
        if (r) {
            img_free(bands[k]);
            continue;
        }
        r = pi_image_wrap(I, bands[k], &v);
        if (!r)
            t->items[t->len++] = v;
    }
    if (r) {
        if (t)
            pi_release(I, pv_obj(t));
        return -1;
    }
    *out = pv_obj(t);
    return 0;
}

/* Replaces the pixels of an image value in place (thumbnail, putalpha), keeping the
 * accounting right. */
static int replace_pixels(interp *I, pv self, img *im)
{
    pimage *p = (pimage *)self.u.o;
    size_t old = img_bytes(p->im);
    if (img_bytes(im) > old && pi_reserve(I, img_bytes(im) - old)) {
        img_free(im);
        return -1;
    }
    img_free(p->im);
    p->im = im;
    pi_resize_account(I, &p->h, sizeof *p + img_bytes(im));
    return 0;
}

static int m_transform(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"size", "method", "data", "resample", "fill", "fillcolor"};
    pv a[6];
    int w = 0, h = 0, has_fill;
    img_resample f = IMG_NEAREST;
    uint8_t fill[4];
    if (pi_call_args(I, c, 6, names, 2, a) || get_size(I, a[0], "transform() size", &w, &h) ||
        get_resample(I, a[3], IMG_NEAREST, "transform()", &f) ||
        get_ink(I, a[5], im->mode, "transform() fillcolor", fill, &has_fill))
        return -1;
    if (!pv_is_intlike(a[1]) || a[1].u.i < 0 || a[1].u.i > 3)
        return pi_raise(I, "ValueError",
                        "transform(): method must be Image.AFFINE, EXTENT, PERSPECTIVE or QUAD "
                        "(MESH is not supported)");
    if (f != IMG_NEAREST && f != IMG_BILINEAR && f != IMG_BICUBIC)
        return pi_raise(I, "ValueError", "transform(): unknown resampling filter (%d)", (int)f);
    int n = seq_len(a[2]);
    if (n < 1 || n > 8)
        return pi_raise(I, "ValueError",
                        "transform(): data must be a tuple of numbers (4, 6 or 8 of them)");
    double data[8];
    if (get_numbers(I, a[2], n, 0, "transform() data", data))
        return -1;
    if (pi_image_check(I, w, h, img_channels(im->mode)) || charge(I, (double)w * h * 2))
        return -1;
    errmsg e;
    return result_image(I,
                        img_transform(im, w, h, (img_transform_method)a[1].u.i, data, n, f,
                                      has_fill ? fill : NULL, &e),
                        &e, out);
}

static int m_thumbnail(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"size", "resample", "reducing_gap"};
    pv a[3];
    img *im = self_image(c->self);
    double size[2], gap = 2.0;
    img_resample f = IMG_BICUBIC;
    if (pi_call_args(I, c, 3, names, 1, a) ||
        get_numbers(I, a[0], 2, 0, "thumbnail() size", size) ||
        get_resample(I, a[1], IMG_BICUBIC, "thumbnail()", &f))
        return -1;
    if (a[2].tag == PV_NONE)
        gap = 0;
    else if (a[2].tag != PV_UNSET && pi_to_double(I, a[2], "thumbnail() reducing_gap", &gap))
        return -1;
    int w = (int)fmax(1, fmin(1e9, floor(size[0]))), h = (int)fmax(1, fmin(1e9, floor(size[1])));
    if (charge(I, (double)im->w * im->h * 2))
        return -1;
    errmsg e;
    img *r = img_thumbnail(im, w, h, f, gap, &e);
    if (!r)
        return pi_raise(I, "ValueError", "%s", e.text);
    *out = pv_none();
    return replace_pixels(I, c->self, r);
}

static int m_reduce(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    static const char *const names[] = {"factor", "box"};
    pv a[2];
    double f[2], b[4];
    int box[4];
    if (pi_call_args(I, c, 2, names, 1, a))
        return -1;
    if (pv_is_intlike(a[0]))
        f[0] = f[1] = (double)a[0].u.i;
    else if (get_numbers(I, a[0], 2, 1, "reduce() factor", f))
        return -1;
    if (f[0] < 1 || f[1] < 1 || f[0] > 1e6 || f[1] > 1e6)
        return pi_raise(I, "ValueError", "reduce(): the factor must be at least 1");
    int has_box = a[1].tag != PV_UNSET && a[1].tag != PV_NONE;
    if (has_box) {
        if (get_numbers(I, a[1], 4, 1, "reduce() box", b))
            return -1;
        for (int k = 0; k < 4; k++)
            box[k] = (int)fmax(-1, fmin(1e9, b[k]));
    }
    if (charge(I, (double)im->w * im->h))
        return -1;
    errmsg e;
    return result_image(I, img_reduce(im, (int)f[0], (int)f[1], has_box ? box : NULL, &e), &e, out);
}

static int m_putalpha(interp *I, pv self, pv alpha)
{
    img *im = self_image(self);
    errmsg e;
    if (im->mode == IMG_L)
        return pi_raise(I, "ValueError",
                        "putalpha(): mode L would become LA, which vkeve does not support");
    img *a_im = NULL;
    if (pv_is(alpha, PO_IMAGE)) {
        if (get_image(I, alpha, "putalpha()", &a_im))
            return -1;
        if (a_im->mode != IMG_L)
            return pi_raise(I, "ValueError", "illegal image mode");
        if (a_im->w != im->w || a_im->h != im->h)
            return pi_raise(I, "ValueError", "images do not match");
    } else if (!pv_is_intlike(alpha)) {
        return pi_raise(I, "TypeError", "putalpha(): alpha must be an int or an L image, not %s",
                        pi_type_name(alpha));
    }
    if (charge(I, (double)im->w * im->h))
        return -1;
    if (im->mode == IMG_RGB) {
        if (pi_image_check(I, im->w, im->h, 4))
            return -1;
        img *rgba = img_convert(im, IMG_RGBA, &e);
        if (!rgba)
            return pi_raise(I, "ValueError", "%s", e.text);
        if (replace_pixels(I, self, rgba))
            return -1;
        im = rgba;
    }
    size_t n = (size_t)im->w * (size_t)im->h;
    uint8_t v = (uint8_t)(pv_is_intlike(alpha) ? (alpha.u.i < 0     ? 0
                                                  : alpha.u.i > 255 ? 255
                                                                    : alpha.u.i)
                                               : 0);
    for (size_t k = 0; k < n; k++)
        im->px[k * 4 + 3] = a_im ? a_im->px[k] : v;
    return 0;
}

static int m_measure(interp *I, img *im, const char *name, pv mask_v, pv *out)
{
    int ch = img_channels(im->mode);
    errmsg e;
    if (charge(I, (double)im->w * im->h))
        return -1;
    if (strcmp(name, "getbbox") == 0) {
        int box[4];
        if (!img_getbbox(im, box)) {
            *out = pv_none();
            return 0;
        }
        plist *t = pi_list(I, PO_TUPLE, 4);
        if (!t)
            return -1;
        for (int k = 0; k < 4; k++)
            t->items[t->len++] = pv_int(box[k]);
        *out = pv_obj(t);
        return 0;
    }
    if (strcmp(name, "getextrema") == 0) {
        uint8_t lo[4], hi[4];
        img_getextrema(im, lo, hi);
        plist *t = pi_list(I, PO_TUPLE, (size_t)(ch == 1 ? 2 : ch));
        if (!t)
            return -1;
        *out = pv_obj(t);
        if (ch == 1) {
            t->items[t->len++] = pv_int(lo[0]);
            t->items[t->len++] = pv_int(hi[0]);
            return 0;
        }
        for (int c = 0; c < ch; c++) {
            plist *pair = pi_list(I, PO_TUPLE, 2);
            if (!pair) {
                pi_release(I, *out);
                return -1;
            }
            pair->items[pair->len++] = pv_int(lo[c]);
            pair->items[pair->len++] = pv_int(hi[c]);
            t->items[t->len++] = pv_obj(pair);
        }
        return 0;
    }
    img *mask = NULL;
    if (mask_v.tag != PV_UNSET && mask_v.tag != PV_NONE &&
        get_image(I, mask_v, "histogram() mask", &mask))
        return -1;
    uint32_t counts[1024];
    if (img_histogram(im, mask, counts, &e))
        return pi_raise(I, "ValueError", "%s", e.text);
    plist *l = pi_list(I, PO_LIST, (size_t)ch * 256);
    if (!l)
        return -1;
    for (int k = 0; k < ch * 256; k++)
        l->items[l->len++] = pv_int(counts[k]);
    *out = pv_obj(l);
    return 0;
}

/* ---- pixel access: img.load(), getdata, putdata ---- */

int pi_pixels_get(interp *I, pv pixels, pv index, pv *out)
{
    img *im = ((ppixels *)pixels.u.o)->image->im;
    int x, y;
    uint8_t px[4];
    errmsg e;
    if (!im)
        return pi_raise(I, "ValueError", "the image is no longer available");
    if (get_xy(I, index, "pixel access", &x, &y))
        return -1;
    if (img_getpixel(im, x, y, px, &e))
        return pi_raise(I, "IndexError", "image index out of range");
    return pixel_value(I, im->mode, px, out);
}

int pi_pixels_set(interp *I, pv pixels, pv index, pv val)
{
    img *im = ((ppixels *)pixels.u.o)->image->im;
    int x, y, has;
    uint8_t ink[4];
    errmsg e;
    if (!im)
        return pi_raise(I, "ValueError", "the image is no longer available");
    if (get_xy(I, index, "pixel access", &x, &y))
        return -1;
    if (val.tag == PV_FLOAT && im->mode == IMG_L) /* Pillow truncates a float on L */
        val = pv_int((int64_t)fmax(-1, fmin(256, val.u.f)));
    if (get_ink(I, val, im->mode, "pixel value", ink, &has))
        return -1;
    if (img_putpixel(im, x, y, ink, &e))
        return pi_raise(I, "IndexError", "image index out of range");
    return 0;
}

static int m_load(interp *I, pv self, pv *out)
{
    ppixels *p = pi_new(I, PO_PIXELS, sizeof *p);
    if (!p)
        return -1;
    p->image = (pimage *)self.u.o;
    p->image->h.refs++;
    *out = pv_obj(p);
    return 0;
}

static int m_getdata(interp *I, img *im, pv *out)
{
    size_t n = (size_t)im->w * (size_t)im->h;
    int ch = img_channels(im->mode);
    /* Each pixel of an RGB image becomes a tuple: account for it up front. */
    if (pi_reserve(I, n * (sizeof(pv) + (ch > 1 ? sizeof(plist) + (size_t)ch * sizeof(pv) : 0))) ||
        charge(I, (double)n * 4))
        return -1;
    plist *l = pi_list(I, PO_LIST, n);
    if (!l)
        return -1;
    for (size_t k = 0; k < n; k++) {
        pv v;
        if (pixel_value(I, im->mode, im->px + k * (size_t)ch, &v)) {
            pi_release(I, pv_obj(l));
            return -1;
        }
        l->items[l->len++] = v;
    }
    *out = pv_obj(l);
    return 0;
}

static int m_putdata(interp *I, const pcall *c, pv *out)
{
    (void)out;
    static const char *const names[] = {"data", "scale", "offset"};
    img *im = self_image(c->self);
    pv a[3];
    double scale = 1, offset = 0;
    if (pi_call_args(I, c, 3, names, 1, a) ||
        (a[1].tag != PV_UNSET && pi_to_double(I, a[1], "putdata() scale", &scale)) ||
        (a[2].tag != PV_UNSET && pi_to_double(I, a[2], "putdata() offset", &offset)))
        return -1;
    if (scale != 1 || offset != 0)
        return pi_raise(I, "ValueError", "putdata(): scale and offset are not supported");
    plist *data;
    if (pi_to_list(I, a[0], &data))
        return -1;
    size_t n = (size_t)im->w * (size_t)im->h;
    int r = data->len > n ? pi_raise(I, "ValueError", "too many data entries")
                          : charge(I, (double)data->len * 4);
    for (size_t k = 0; k < data->len && !r; k++) {
        uint8_t ink[4];
        int has;
        pv v = data->items[k];
        if (v.tag == PV_FLOAT && im->mode == IMG_L)
            v = pv_int((int64_t)fmax(-1, fmin(256, v.u.f)));
        r = get_ink(I, v, im->mode, "putdata()", ink, &has);
        if (!r)
            memcpy(im->px + k * (size_t)img_channels(im->mode), ink,
                   (size_t)img_channels(im->mode));
    }
    pi_release(I, pv_obj(data));
    return r;
}

static int forbidden_method(interp *I, const char *name)
{
    return pi_raise(I, "Forbidden",
                    "Image.%s is not available: programs have no file or display access", name);
}

int pi_image_attr(interp *I, pv self, const char *name, pv *out, int *found)
{
    img *im = self_image(self);
    *found = 1;
    if (!im)
        return pi_raise(I, "ValueError", "the image is no longer available");
    if (strcmp(name, "size") == 0) {
        plist *t = pi_list(I, PO_TUPLE, 2);
        if (!t)
            return -1;
        t->items[0] = pv_int(im->w);
        t->items[1] = pv_int(im->h);
        t->len = 2;
        *out = pv_obj(t);
        return 0;
    }
    if (strcmp(name, "width") == 0) {
        *out = pv_int(im->w);
        return 0;
    }
    if (strcmp(name, "height") == 0) {
        *out = pv_int(im->h);
        return 0;
    }
    if (strcmp(name, "mode") == 0) {
        *out = pi_cstr(I, img_mode_name(im->mode));
        return out->tag == PV_OBJ ? 0 : -1;
    }
    if (strcmp(name, "save") == 0 || strcmp(name, "show") == 0 || strcmp(name, "filename") == 0 ||
        strcmp(name, "fp") == 0 || strcmp(name, "tobytes") == 0 || strcmp(name, "frombytes") == 0)
        return forbidden_method(I, name);
    *found = 0;
    return 0;
}

static int m_copy(interp *I, const pcall *c, pv *out)
{
    img *im = self_image(c->self);
    errmsg e;
    if (pi_call_args(I, c, 0, NULL, 0, NULL) ||
        pi_image_check(I, im->w, im->h, img_channels(im->mode)) || charge(I, (double)im->w * im->h))
        return -1;
    return result_image(I, img_copy(im, &e), &e, out);
}

static int m_crop_method(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"box"};
    pv a[1];
    if (pi_call_args(I, c, 1, names, 0, a))
        return -1;
    return m_crop(I, self_image(c->self), a[0], out);
}

static int m_transpose(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"method"};
    img *im = self_image(c->self);
    pv a[1];
    errmsg e;
    if (pi_call_args(I, c, 1, names, 1, a))
        return -1;
    if (!pv_is_intlike(a[0]) || a[0].u.i < 0 || a[0].u.i > 6)
        return pi_raise(I, "ValueError", "transpose(): unknown method (use Image.Transpose.*)");
    if (pi_image_check(I, im->w, im->h, img_channels(im->mode)) || charge(I, (double)im->w * im->h))
        return -1;
    return result_image(I, img_transpose(im, (img_transpose_op)a[0].u.i, &e), &e, out);
}

static int m_filter(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"filter"};
    pv a[1];
    if (pi_call_args(I, c, 1, names, 1, a))
        return -1;
    return apply_filter(I, self_image(c->self), a[0], out);
}

static int m_point_method(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"lut", "mode"};
    pv a[2];
    if (pi_call_args(I, c, 2, names, 1, a))
        return -1;
    if (a[1].tag != PV_UNSET && a[1].tag != PV_NONE)
        return pi_raise(I, "ValueError", "point(): the mode argument is not supported");
    return m_point(I, self_image(c->self), a[0], out);
}

static int m_getpixel(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"xy"};
    img *im = self_image(c->self);
    pv a[1];
    int x, y;
    uint8_t px[4];
    errmsg e;
    if (pi_call_args(I, c, 1, names, 1, a) || get_xy(I, a[0], "getpixel()", &x, &y))
        return -1;
    if (img_getpixel(im, x, y, px, &e))
        return pi_raise(I, "IndexError", "image index out of range");
    return pixel_value(I, im->mode, px, out);
}

static int m_putpixel(interp *I, const pcall *c, pv *out)
{
    (void)out;
    static const char *const names[] = {"xy", "value"};
    img *im = self_image(c->self);
    pv a[2];
    int x, y, has;
    uint8_t ink[4];
    errmsg e;
    if (pi_call_args(I, c, 2, names, 2, a) || get_xy(I, a[0], "putpixel()", &x, &y))
        return -1;
    if (a[1].tag == PV_FLOAT && im->mode == IMG_L) /* Pillow truncates a float on L */
        a[1] = pv_int((int64_t)fmax(-1, fmin(256, a[1].u.f)));
    if (get_ink(I, a[1], im->mode, "putpixel() value", ink, &has))
        return -1;
    if (img_putpixel(im, x, y, ink, &e))
        return pi_raise(I, "IndexError", "image index out of range");
    return 0;
}

static int m_split_method(interp *I, const pcall *c, pv *out)
{
    if (pi_call_args(I, c, 0, NULL, 0, NULL))
        return -1;
    return m_split(I, self_image(c->self), out);
}

static int m_load_method(interp *I, const pcall *c, pv *out)
{
    if (pi_call_args(I, c, 0, NULL, 0, NULL))
        return -1;
    return m_load(I, c->self, out);
}

static int m_getdata_method(interp *I, const pcall *c, pv *out)
{
    if (pi_call_args(I, c, 0, NULL, 0, NULL))
        return -1;
    return m_getdata(I, self_image(c->self), out);
}

static int m_putalpha_method(interp *I, const pcall *c, pv *out)
{
    (void)out;
    static const char *const names[] = {"alpha"};
    pv a[1];
    if (pi_call_args(I, c, 1, names, 1, a))
        return -1;
    return m_putalpha(I, c->self, a[0]);
}

/* getbbox(), getextrema(): no arguments; histogram(mask=None, extrema=None). */
static int m_measure_method(interp *I, const pcall *c, pv *out)
{
    static const char *const names[] = {"mask", "extrema"};
    int histogram = c->name[0] == 'h';
    pv a[2];
    if (pi_call_args(I, c, histogram ? 2 : 0, names, 0, a))
        return -1;
    if (histogram && a[1].tag != PV_UNSET && a[1].tag != PV_NONE)
        return pi_raise(I, "ValueError", "histogram(): extrema is not supported");
    return m_measure(I, self_image(c->self), c->name, histogram ? a[0] : pv_none(), out);
}

static int m_getbands(interp *I, const pcall *c, pv *out)
{
    static const char *const bands[] = {"L", "R", "G", "B", "A"};
    if (pi_call_args(I, c, 0, NULL, 0, NULL))
        return -1;
    int ch = img_channels(self_image(c->self)->mode);
    plist *t = pi_list(I, PO_TUPLE, (size_t)ch);
    if (!t)
        return -1;
    *out = pv_obj(t);
    for (int k = 0; k < ch; k++) {
        pv s = pi_cstr(I, ch == 1 ? bands[0] : bands[1 + k]);
        if (s.tag != PV_OBJ) {
            pi_release(I, *out);
            return -1;
        }
        t->items[t->len++] = s;
    }
    return 0;
}

/* save(), show() (how 1: Forbidden), tobytes(), frombytes() (AttributeError). */
static int m_unavailable(interp *I, const pcall *c, pv *out)
{
    (void)out;
    return pi_raise(I, c->how ? "Forbidden" : "AttributeError",
                    "Image.%s is not available in the sandbox", c->name);
}

static const pmethod image_methods[] = {
    {"copy", m_copy, 0, 0},
    {"crop", m_crop_method, 0, 0},
    {"resize", m_resize, 0, 0},
    {"rotate", m_rotate, 0, 0},
    {"paste", m_paste, 0, 0},
    {"convert", m_convert, 0, 0},
    {"transpose", m_transpose, 0, 0},
    {"filter", m_filter, 0, 0},
    {"point", m_point_method, 0, 0},
    {"getpixel", m_getpixel, 0, 0},
    {"putpixel", m_putpixel, 0, 0},
    {"split", m_split_method, 0, 0},
    {"load", m_load_method, 0, 0},
    {"getdata", m_getdata_method, 0, 0},
    {"putdata", m_putdata, 0, 0},
    {"transform", m_transform, 0, 0},
    {"thumbnail", m_thumbnail, 0, 0},
    {"reduce", m_reduce, 0, 0},
    {"putalpha", m_putalpha_method, 0, 0},
    {"getbbox", m_measure_method, 0, 0},
    {"getextrema", m_measure_method, 0, 0},
    {"histogram", m_measure_method, 0, 0},
    {"getbands", m_getbands, 0, 0},
    {"save", m_unavailable, 1, 0},
    {"show", m_unavailable, 1, 0},
    {"tobytes", m_unavailable, 0, 0},
    {"frombytes", m_unavailable, 0, 0},
    {NULL, NULL, 0, 0},
};

int pi_image_method(interp *I, pcall *c, pv *out, int *found)
{
    if (!self_image(c->self)) {
        *found = 1;
        return pi_raise(I, "ValueError", "the image is no longer available");
    }
    const pmethod *m = pi_find_method(image_methods, c->name);
    *found = m != NULL;
    *out = pv_none();
    if (!m)
        return 0;
    c->how = m->how;
    return m->fn(I, c, out);
}

/* ---- ImageDraw ---- */

static int draw_shape(interp *I, img *im, int blend, const char *name, int argc, const pv *argv,
                      int kwc, const int *kwn, const pv *kwv)
{
    img_mode ink_mode = blend ? IMG_RGBA : im->mode; /* blended inks keep their alpha */
    int is_line = strcmp(name, "line") == 0, is_point = strcmp(name, "point") == 0;
    int is_arc = strcmp(name, "arc") == 0, is_chord = strcmp(name, "chord") == 0;
    int is_pie = strcmp(name, "pieslice") == 0, is_rounded = strcmp(name, "rounded_rectangle") == 0;
    int angles = is_arc || is_chord || is_pie;
    /* Parameter lists as in Pillow 9.4's ImageDraw. */
    static const char *const p_shape[] = {"xy", "fill", "outline", "width"};
    static const char *const p_line[] = {"xy", "fill", "width", "joint"};
    static const char *const p_point[] = {"xy", "fill"};
    static const char *const p_angles[] = {"xy", "start", "end", "fill", "outline", "width"};
    static const char *const p_arc[] = {"xy", "start", "end", "fill", "width"};
    static const char *const p_rounded[] = {"xy", "radius", "fill", "outline", "width"};
    const char *const *names = is_line      ? p_line
                               : is_point   ? p_point
                               : is_arc     ? p_arc
                               : angles     ? p_angles
                               : is_rounded ? p_rounded
                                            : p_shape;
    int n = is_point ? 2 : is_arc ? 5 : angles ? 6 : is_rounded ? 5 : 4;
    pv a[6];
    if (pi_args(I, name, argc, argv, kwc, kwn, kwv, n, names, angles ? 3 : 1, a))
        return -1;
    int off = angles ? 2 : is_rounded ? 1 : 0; /* index shift of fill/outline/width */
    uint8_t fill[4], outline[4];
    int has_fill, has_outline = 0;
    int64_t width = is_line ? 0 : 1;
    pv fill_v = a[1 + off];
    pv outline_v = is_line || is_point || is_arc ? pv_none() : a[2 + off];
    pv width_v = is_point ? pv_none() : is_line ? a[2] : is_arc ? a[4] : a[3 + off];
    if (width_v.tag != PV_UNSET && width_v.tag != PV_NONE) {
        double wd;
        if (pi_to_double(I, width_v, "width", &wd))
            return -1;
        width = (int64_t)fmax(-1, fmin(1e6, wd));
    }
    if (get_ink(I, fill_v, ink_mode, "fill", fill, &has_fill))
        return -1;
    if (outline_v.tag != PV_UNSET &&
        get_ink(I, outline_v, ink_mode, "outline", outline, &has_outline))
        return -1;
    if ((is_line || is_point || is_arc) && !has_fill) { /* Pillow's default ink */
        img_ink_default(ink_mode, fill);
        has_fill = 1;
    } else if (!is_line && !is_point && !is_arc && !has_fill && !has_outline) {
        img_ink_default(ink_mode, outline);
        has_outline = 1;
    }
    double *xy;
    int np = 0;
    if (get_points(I, a[0], name, &xy, &np))
        return -1;
    double cost = (double)im->w * im->h;
    if (charge(I, cost / 4 + np)) {
        free(xy);
        return -1;
    }
    double start = 0, end = 0, radius = 0;
    if (angles && (pi_to_double(I, a[1], "start", &start) || pi_to_double(I, a[2], "end", &end))) {
        free(xy);
        return -1;
    }
    if (is_rounded && a[1].tag != PV_UNSET && pi_to_double(I, a[1], "radius", &radius)) {
        free(xy);
        return -1;
    }
    int box_shape = !is_line && !is_point && strcmp(name, "polygon") != 0;
    if (box_shape && np != 2) {
        free(xy);
        return pi_raise(I, "ValueError", "%s(): xy must be two points (x0, y0, x1, y1)", name);
    }
    errmsg e;
    img_draw_args args = {0};
    args.shape = strcmp(name, "rectangle") == 0 ? IMG_SHAPE_RECTANGLE
                 : is_rounded                   ? IMG_SHAPE_ROUNDED_RECTANGLE
                 : strcmp(name, "ellipse") == 0 ? IMG_SHAPE_ELLIPSE
                 : is_arc                       ? IMG_SHAPE_ARC
                 : is_chord                     ? IMG_SHAPE_CHORD
                 : is_pie                       ? IMG_SHAPE_PIESLICE
                 : is_line                      ? IMG_SHAPE_LINE
                 : is_point                     ? IMG_SHAPE_POINT
                                                : IMG_SHAPE_POLYGON;
    args.xy = xy;
    args.npoints = np;
    args.fill = has_fill ? fill : NULL;
    args.outline = has_outline ? outline : NULL;
    args.width = (int)width;
    args.start = start;
    args.end = end;
    args.radius = radius;
    args.blend = blend;
    int r = img_draw(im, &args, &e);
    free(xy);
    if (r)
        return pi_raise(I, "ValueError", "%s(): %s", name, e.text);
    return 0;
}

/* draw.regular_polygon(bounding_circle, n_sides, rotation, fill, outline): Pillow's vertices
 * (img_draw_regular_polygon_vertices), then draw.polygon(xy, fill, outline). */
static int draw_regular_polygon(interp *I, pdraw *d, int argc, const pv *argv, int kwc,
                                const int *kwn, const pv *kwv)
{
    static const char *const names[] = {"bounding_circle", "n_sides", "rotation", "fill",
                                        "outline"};
    pv a[5];
    double c[3], rotation = 0;
    if (pi_args(I, "regular_polygon", argc, argv, kwc, kwn, kwv, 5, names, 2, a))
        return -1;
    if (!pv_is_intlike(a[1]))
        return pi_raise(I, "TypeError", "n_sides should be an int");
    int64_t n = a[1].u.i;
    if (n < 3)
        return pi_raise(I, "ValueError", "n_sides should be an int > 2");
    if (n > IMG_DRAW_MAX_SIDES)
        return pi_raise(I, "BudgetExceeded", "regular_polygon: too many sides");
    int len = seq_len(a[0]);
    if (len < 0)
        return pi_raise(I, "TypeError", "bounding_circle should be a tuple");
    if (len == 3) {
        if (get_numbers(I, a[0], 3, 0, "bounding_circle", c))
            return -1;
    } else if (len == 2 && seq_len(pv_list(a[0])->items[0]) == 2) {
        if (get_numbers(I, pv_list(a[0])->items[0], 2, 0, "bounding_circle", c) ||
            pi_to_double(I, pv_list(a[0])->items[1], "bounding_circle", &c[2]))
            return -1;
    } else {
        return pi_raise(I, "ValueError",
                        "bounding_circle should contain 2D coordinates and a radius");
    }
    if (c[2] <= 0)
        return pi_raise(I, "ValueError", "bounding_circle radius should be > 0");
    if (a[2].tag != PV_UNSET && pi_to_double(I, a[2], "rotation", &rotation))
        return -1;
    errmsg e;
    double *coords = malloc((size_t)n * 2 * sizeof *coords);
    if (!coords)
        return pi_raise(I, "MemoryError", "out of host memory");
    if (img_draw_regular_polygon_vertices(c[0], c[1], c[2], (int)n, rotation, coords, &e)) {
        free(coords);
        return pi_raise(I, "ValueError", "%s", e.text);
    }
    plist *xy = pi_list(I, PO_LIST, (size_t)n * 2);
    for (int64_t k = 0; xy && k < n * 2; k++)
        xy->items[xy->len++] = pv_float(coords[k]);
    free(coords);
    if (!xy)
        return -1;
    pv poly_args[3] = {pv_obj(xy), a[3].tag == PV_UNSET ? pv_none() : a[3],
                       a[4].tag == PV_UNSET ? pv_none() : a[4]};
    int r = draw_shape(I, d->target->im, d->blend, "polygon", 3, poly_args, 0, NULL, NULL);
    pi_release(I, pv_obj(xy));
    return r;
}

int pi_draw_method(interp *I, const pcall *c, pv *out, int *found)
{
    static const char *const shapes[] = {
        "rectangle", "rounded_rectangle", "ellipse", "arc", "chord", "pieslice", "line",
        "point",     "polygon",           NULL};
    pdraw *d = (pdraw *)c->self.u.o;
    const char *name = c->name;
    *found = 1;
    *out = pv_none();
    for (int k = 0; shapes[k]; k++)
        if (strcmp(shapes[k], name) == 0) {
            if (!d->target->im)
                return pi_raise(I, "ValueError", "the image is no longer available");
            return draw_shape(I, d->target->im, d->blend, name, c->argc, c->argv, c->kwc, c->kwn,
                              c->kwv);
        }
    if (strcmp(name, "regular_polygon") == 0) {
        if (!d->target->im)
            return pi_raise(I, "ValueError", "the image is no longer available");
        return draw_regular_polygon(I, d, c->argc, c->argv, c->kwc, c->kwn, c->kwv);
    }
    if (strcmp(name, "text") == 0 || strcmp(name, "multiline_text") == 0 ||
        strcmp(name, "textbbox") == 0 || strcmp(name, "textsize") == 0 ||
        strcmp(name, "textlength") == 0)
        return pi_raise(I, "NotImplementedError",
                        "ImageDraw.%s is not supported (no fonts in the sandbox)", name);
    *found = 0;
    return 0;
}

/* ---- module functions ---- */

static int f_new(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"mode", "size", "color"};
    pv a[3];
    int w = 0, h = 0, has;
    uint8_t ink[4];
    if (pi_args(I, "new", argc, argv, kwc, kwn, kwv, 3, names, 2, a))
        return -1;
    if (!pv_is(a[0], PO_STR) || !img_mode_parse(pv_str(a[0])->s))
        return pi_raise(I, "ValueError", "Image.new(): mode must be 'L', 'RGB' or 'RGBA'");
    img_mode mode = img_mode_parse(pv_str(a[0])->s);
    if (get_size(I, a[1], "Image.new() size", &w, &h) ||
        pi_image_check(I, w, h, img_channels(mode)) || charge(I, (double)w * h))
        return -1;
    if (a[2].tag == PV_FLOAT && mode == IMG_L)
        a[2] = pv_int((int64_t)a[2].u.f);
    if (get_ink(I, a[2], mode, "Image.new() color", ink, &has))
        return -1;
    if (a[2].tag == PV_NONE)
        return pi_raise(I, "ValueError",
                        "Image.new(): color=None (uninitialised image) is not supported");
    errmsg e;
    return result_image(I, img_new(w, h, mode, ink, &e), &e, out);
}

static int f_merge(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"mode", "bands"};
    pv a[2];
    if (pi_args(I, "merge", argc, argv, kwc, kwn, kwv, 2, names, 2, a))
        return -1;
    img_mode mode = pv_is(a[0], PO_STR) ? img_mode_parse(pv_str(a[0])->s) : 0;
    if (!mode)
        return pi_raise(I, "ValueError", "Image.merge(): mode must be 'L', 'RGB' or 'RGBA'");
    int n = seq_len(a[1]);
    if (n < 1 || n > 4)
        return pi_raise(I, "ValueError", "Image.merge(): wrong number of bands");
    img *bands[4];
    for (int k = 0; k < n; k++)
        if (get_image(I, pv_list(a[1])->items[k], "Image.merge() band", &bands[k]))
            return -1;
    if (pi_image_check(I, bands[0]->w, bands[0]->h, img_channels(mode)) ||
        charge(I, (double)bands[0]->w * bands[0]->h))
        return -1;
    errmsg e;
    return result_image(I, img_merge(mode, bands, n, &e), &e, out);
}

static int f_blend(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                   const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"im1", "im2", "alpha"};
    pv a[3];
    img *x, *y;
    double alpha;
    if (pi_args(I, "blend", argc, argv, kwc, kwn, kwv, 3, names, 3, a) ||
        get_image(I, a[0], "blend()", &x) || get_image(I, a[1], "blend()", &y) ||
        pi_to_double(I, a[2], "blend() alpha", &alpha) ||
        pi_image_check(I, x->w, x->h, img_channels(x->mode)) || charge(I, (double)x->w * x->h))
        return -1;
    errmsg e;
    return result_image(I, img_blend(x, y, alpha, &e), &e, out);
}

static int f_composite(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                       const pv *kwv, pv *out)
{
    static const char *const names[] = {"image1", "image2", "mask"};
    pv a[3];
    img *x, *y, *m = NULL;
    int alpha = self.tag == PV_BOOL; /* alpha_composite is bound with self True */
    if (pi_args(I, alpha ? "alpha_composite" : "composite", argc, argv, kwc, kwn, kwv,
                alpha ? 2 : 3, names, alpha ? 2 : 3, a) ||
        get_image(I, a[0], "composite()", &x) || get_image(I, a[1], "composite()", &y) ||
        (!alpha && get_image(I, a[2], "composite() mask", &m)) ||
        pi_image_check(I, x->w, x->h, 4) || charge(I, (double)x->w * x->h))
        return -1;
    errmsg e;
    return result_image(I, alpha ? img_alpha_composite(x, y, &e) : img_composite(x, y, m, &e), &e,
                        out);
}

static int f_forbidden(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                       const pv *kwv, pv *out)
{
    (void)argc;
    (void)argv;
    (void)kwc;
    (void)kwn;
    (void)kwv;
    (void)out;
    return pi_raise(I, "Forbidden",
                    "%s is not available: programs get their image as an argument and have no "
                    "file access",
                    pv_str(self)->s);
}

static int f_image_class(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                         const pv *kwv, pv *out)
{
    (void)self;
    (void)argc;
    (void)argv;
    (void)kwc;
    (void)kwn;
    (void)kwv;
    (void)out;
    return pi_raise(I, "TypeError", "Image.Image cannot be created directly; use Image.new()");
}

static int f_eval(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    img *im;
    if (kwc || argc != 2)
        return pi_raise(I, "TypeError", "Image.eval() takes an image and a function");
    (void)kwn;
    (void)kwv;
    if (get_image(I, argv[0], "Image.eval()", &im))
        return -1;
    return m_point(I, im, argv[1], out);
}

/* ImageDraw.floodfill(image, xy, value, border=None, thresh=0) */
static int f_floodfill(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                       const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"image", "xy", "value", "border", "thresh"};
    pv a[5];
    img *im;
    double xy[2];
    uint8_t value[4], border[4];
    int has_value, has_border;
    int64_t thresh = 0;
    if (pi_args(I, "floodfill", argc, argv, kwc, kwn, kwv, 5, names, 3, a) ||
        get_image(I, a[0], "floodfill()", &im) ||
        get_numbers(I, a[1], 2, 0, "floodfill() xy", xy) ||
        get_ink(I, a[2], im->mode, "floodfill() value", value, &has_value) ||
        get_ink(I, a[3], im->mode, "floodfill() border", border, &has_border) ||
        (a[4].tag != PV_UNSET && pi_to_int(I, a[4], "floodfill() thresh", &thresh)))
        return -1;
    if (!has_value)
        return pi_raise(I, "TypeError", "floodfill(): value must be a colour");
    if (charge(I, (double)im->w * im->h * 2))
        return -1;
    errmsg e;
    if (img_floodfill(im, xy[0], xy[1], value, has_border ? border : NULL,
                      (int)fmax(-1, fmin(1e9, (double)thresh)), &e))
        return pi_raise(I, "ValueError", "%s", e.text);
    *out = pv_none();
    return 0;
}

static int f_draw(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                  const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"im", "mode"};
    pv a[2];
    img *im;
    if (pi_args(I, "Draw", argc, argv, kwc, kwn, kwv, 2, names, 1, a) ||
        get_image(I, a[0], "ImageDraw.Draw()", &im))
        return -1;
    int blend = 0;
    if (a[1].tag != PV_UNSET && a[1].tag != PV_NONE) {
        if (!pv_is(a[1], PO_STR))
            return pi_raise(I, "TypeError", "ImageDraw.Draw(): mode must be a string");
        /* As Pillow: "RGBA" on an RGB image blends; any other different mode is refused. */
        blend = strcmp(pv_str(a[1])->s, "RGBA") == 0 && im->mode == IMG_RGB;
        if (!blend && strcmp(pv_str(a[1])->s, img_mode_name(im->mode)) != 0)
            return pi_raise(I, "ValueError", "mode mismatch");
    }
    pdraw *d = pi_new(I, PO_DRAW, sizeof *d);
    if (!d)
        return -1;
    d->blend = blend;
    d->target = (pimage *)a[0].u.o;
    d->target->h.refs++;
    *out = pv_obj(d);
    return 0;
}

/* ---- ImageOps ---- */

/* One ImageOps call: a[0] the image (im), a[1..6] the function's other arguments by position,
 * PV_UNSET when not given. */
typedef struct ops_call {
    const char *name;
    int how;
    img *im;
    pv a[7];
} ops_call;
typedef int ops_fn(interp *I, const ops_call *o, pv *out);

/* The budget checks of a function whose result has the source's size. */
static int ops_charge_same(interp *I, const img *im)
{
    if (pi_image_check(I, im->w, im->h, img_channels(im->mode)))
        return -1;
    return charge(I, (double)im->w * im->h);
}

enum { OPS_MIRROR, OPS_FLIP, OPS_GRAYSCALE, OPS_INVERT };

/* mirror, flip, grayscale, invert: how is OPS_*. */
static int ops_plain(interp *I, const ops_call *o, pv *out)
{
    static img *(*const fns[])(const img *, errmsg *) = {img_ops_mirror, img_ops_flip,
                                                         img_ops_grayscale, img_ops_invert};
    errmsg e;
    if (ops_charge_same(I, o->im))
        return -1;
    return result_image(I, fns[o->how](o->im, &e), &e, out);
}

static int ops_posterize(interp *I, const ops_call *o, pv *out)
{
    int64_t bits;
    errmsg e;
    if (ops_charge_same(I, o->im))
        return -1;
    if (o->a[1].tag == PV_UNSET)
        return pi_raise(I, "TypeError", "posterize() missing required argument 'bits'");
    if (pi_to_int(I, o->a[1], o->name, &bits))
        return -1;
    if (bits < 0 || bits > 8)
        return pi_raise(I, "ValueError", "posterize(): bits must be 0..8");
    return result_image(I, img_ops_posterize(o->im, (int)bits, &e), &e, out);
}

static int ops_solarize(interp *I, const ops_call *o, pv *out)
{
    int64_t threshold = 128;
    errmsg e;
    if (ops_charge_same(I, o->im))
        return -1;
    if (o->a[1].tag != PV_UNSET && pi_to_int(I, o->a[1], o->name, &threshold))
        return -1;
    int t = (int)fmax(-1, fmin(256, (double)threshold));
    return result_image(I, img_ops_solarize(o->im, t, &e), &e, out);
}

/* autocontrast(image, cutoff=0, ignore=None, mask=None, preserve_tone=False) */
static int ops_autocontrast(interp *I, const ops_call *o, pv *out)
{
    const pv *a = o->a;
    double lo = 0, hi = 0;
    int64_t ignore = -1;
    int tone = 0;
    errmsg e;
    if (ops_charge_same(I, o->im))
        return -1;
    if (seq_len(a[1]) == 2) {
        double c[2];
        if (get_numbers(I, a[1], 2, 0, "autocontrast() cutoff", c))
            return -1;
        lo = c[0];
        hi = c[1];
    } else if (a[1].tag != PV_UNSET && pi_to_double(I, a[1], "autocontrast() cutoff", &lo)) {
        return -1;
    } else {
        hi = lo;
    }
    if (a[2].tag != PV_UNSET && a[2].tag != PV_NONE &&
        pi_to_int(I, a[2], "autocontrast() ignore", &ignore))
        return -1;
    if (a[3].tag != PV_UNSET && a[3].tag != PV_NONE)
        return pi_raise(I, "ValueError", "autocontrast(): mask is not supported");
    if (get_bool(I, a[4], &tone))
        return -1;
    return result_image(I, img_ops_autocontrast(o->im, lo, hi, (int)ignore, tone, &e), &e, out);
}

static int ops_equalize(interp *I, const ops_call *o, pv *out)
{
    img *mask = NULL;
    errmsg e;
    if (ops_charge_same(I, o->im))
        return -1;
    if (o->a[1].tag != PV_UNSET && o->a[1].tag != PV_NONE &&
        get_image(I, o->a[1], "equalize() mask", &mask))
        return -1;
    return result_image(I, img_ops_equalize(o->im, mask, &e), &e, out);
}

/* expand(image, border=0, fill=0): border is an int, (left/right, top/bottom) or 4 sides. */
static int ops_expand(interp *I, const ops_call *o, pv *out)
{
    const pv *a = o->a;
    img *im = o->im;
    double b[4] = {0, 0, 0, 0};
    uint8_t fill[4];
    int has;
    if (pv_is_intlike(a[1]))
        b[0] = b[1] = b[2] = b[3] = (double)a[1].u.i;
    else if (seq_len(a[1]) == 2 && get_numbers(I, a[1], 2, 1, "expand() border", b) == 0)
        b[2] = b[0], b[3] = b[1];
    else if (a[1].tag != PV_UNSET && get_numbers(I, a[1], 4, 1, "expand() border", b))
        return -1;
    if (I->failed)
        return -1;
    if (get_ink(I, a[2].tag == PV_UNSET ? pv_int(0) : a[2], im->mode, "expand() fill", fill, &has))
        return -1;
    if (b[0] < 0 || b[1] < 0 || b[2] < 0 || b[3] < 0 || b[0] + b[2] > 1e9 || b[1] + b[3] > 1e9)
        return pi_raise(I, "ValueError", "expand(): borders must be non-negative");
    long w = im->w + (long)(b[0] + b[2]), h = im->h + (long)(b[1] + b[3]);
    if (pi_image_check(I, w, h, img_channels(im->mode)) || charge(I, (double)im->w * im->h))
        return -1;
    errmsg e;
    img *r = img_ops_expand(im, (int)b[0], (int)b[1], (int)b[2], (int)b[3], has ? fill : NULL, &e);
    return result_image(I, r, &e, out);
}

/* crop(image, border=0) */
static int ops_crop(interp *I, const ops_call *o, pv *out)
{
    double b[4] = {0, 0, 0, 0};
    errmsg e;
    if (pv_is_intlike(o->a[1]))
        b[0] = b[1] = b[2] = b[3] = (double)o->a[1].u.i;
    else if (o->a[1].tag != PV_UNSET && get_numbers(I, o->a[1], 4, 1, "crop() border", b))
        return -1;
    if (charge(I, (double)o->im->w * o->im->h))
        return -1;
    img *r = img_ops_crop(o->im, (int)b[0], (int)b[1], (int)b[2], (int)b[3], &e);
    return result_image(I, r, &e, out);
}

enum { OPS_PAD, OPS_CONTAIN, OPS_FIT };

/* pad(image, size, method, color, centering), contain(image, size, method),
 * fit(image, size, method, bleed, centering): how is OPS_PAD, OPS_CONTAIN or OPS_FIT. */
static int ops_fit_in(interp *I, const ops_call *o, pv *out)
{
    const pv *a = o->a;
    img *im = o->im;
    int w = 0, h = 0, has = 0, pad = o->how == OPS_PAD, fit = o->how == OPS_FIT;
    img_resample f = IMG_NEAREST;
    double c[2] = {0.5, 0.5}, bleed = 0;
    uint8_t colour[4];
    if (a[1].tag == PV_UNSET)
        return pi_raise(I, "TypeError", "%s() missing required argument 'size'", o->name);
    if (get_size(I, a[1], o->name, &w, &h) || get_resample(I, a[2], IMG_BICUBIC, o->name, &f))
        return -1;
    if (pad && get_ink(I, a[3], im->mode, "pad() color", colour, &has))
        return -1;
    if (fit && a[3].tag != PV_UNSET && pi_to_double(I, a[3], "fit() bleed", &bleed))
        return -1;
    pv centering = pad || fit ? a[4] : pv_none();
    if (centering.tag != PV_UNSET && centering.tag != PV_NONE &&
        get_numbers(I, centering, 2, 0, "centering", c))
        return -1;
    if (pi_image_check(I, w, h, img_channels(im->mode)) ||
        charge(I, (double)im->w * im->h + (double)w * h))
        return -1;
    errmsg e;
    img *r = pad   ? img_ops_pad(im, w, h, f, has ? colour : NULL, c[0], c[1], &e)
             : fit ? img_ops_fit(im, w, h, f, bleed, c[0], c[1], &e)
                   : img_ops_contain(im, w, h, f, &e);
    return result_image(I, r, &e, out);
}

/* colorize(image, black, white, mid=None, blackpoint=0, whitepoint=255, midpoint=127) */
static int ops_colorize(interp *I, const ops_call *o, pv *out)
{
    const pv *a = o->a;
    img *im = o->im;
    uint8_t black[4], white[4], mid[4];
    int has_b, has_w, has_m;
    int64_t points[3] = {0, 255, 127};
    if (a[1].tag == PV_UNSET || a[2].tag == PV_UNSET)
        return pi_raise(I, "TypeError",
                        "colorize() missing required arguments 'black' and 'white'");
    if (get_ink(I, a[1], IMG_RGB, "colorize() black", black, &has_b) ||
        get_ink(I, a[2], IMG_RGB, "colorize() white", white, &has_w) ||
        get_ink(I, a[3], IMG_RGB, "colorize() mid", mid, &has_m))
        return -1;
    for (int k = 0; k < 3; k++)
        if (a[4 + k].tag != PV_UNSET && pi_to_int(I, a[4 + k], "colorize() point", &points[k]))
            return -1;
    if (im->mode != IMG_L)
        return pi_raise(I, "ValueError", "colorize(): the image must be mode L");
    if (!has_b || !has_w)
        return pi_raise(I, "TypeError", "colorize(): black and white must be colours");
    for (int k = 0; k < 3; k++)
        if (points[k] < 0 || points[k] > 255)
            return pi_raise(I, "ValueError", "colorize(): points must be within 0..255");
    if (pi_image_check(I, im->w, im->h, 3) || charge(I, (double)im->w * im->h))
        return -1;
    errmsg e;
    img *r = img_ops_colorize(im, black, white, has_m ? mid : NULL, (int)points[0], (int)points[1],
                              (int)points[2], &e);
    return result_image(I, r, &e, out);
}

/* scale(image, factor, resample=BICUBIC) */
static int ops_scale(interp *I, const ops_call *o, pv *out)
{
    img *im = o->im;
    double factor;
    img_resample f = IMG_NEAREST;
    if (o->a[1].tag == PV_UNSET)
        return pi_raise(I, "TypeError", "scale() missing required argument 'factor'");
    if (pi_to_double(I, o->a[1], "scale() factor", &factor) ||
        get_resample(I, o->a[2], IMG_BICUBIC, o->name, &f))
        return -1;
    if (!(factor > 0) || factor > 1e6)
        return pi_raise(I, "ValueError", "scale(): the factor must be greater than 0");
    long w = (long)round(im->w * factor), h = (long)round(im->h * factor);
    if (pi_image_check(I, w, h, img_channels(im->mode)) ||
        charge(I, (double)im->w * im->h * (1 + factor * factor)))
        return -1;
    errmsg e;
    return result_image(I, img_ops_scale(im, factor, f, &e), &e, out);
}

/* The ImageOps functions, with the keyword names of their arguments after the image. */
/* clang-format off */
static const struct ops_entry {
    const char *name;
    ops_fn *fn;
    int how;
    const char *kw[6];
} ops_table[] = {
    {"mirror", ops_plain, OPS_MIRROR, {NULL}},
    {"flip", ops_plain, OPS_FLIP, {NULL}},
    {"grayscale", ops_plain, OPS_GRAYSCALE, {NULL}},
    {"invert", ops_plain, OPS_INVERT, {NULL}},
    {"posterize", ops_posterize, 0, {"bits"}},
    {"solarize", ops_solarize, 0, {"threshold"}},
    {"autocontrast", ops_autocontrast, 0, {"cutoff", "ignore", "mask", "preserve_tone"}},
    {"equalize", ops_equalize, 0, {"mask"}},
    {"pad", ops_fit_in, OPS_PAD, {"size", "method", "color", "centering"}},
    {"expand", ops_expand, 0, {"border", "fill"}},
    {"crop", ops_crop, 0, {"border"}},
    {"scale", ops_scale, 0, {"factor", "resample"}},
    {"contain", ops_fit_in, OPS_CONTAIN, {"size", "method"}},
    {"fit", ops_fit_in, OPS_FIT, {"size", "method", "bleed", "centering"}},
    {"colorize", ops_colorize, 0,
     {"black", "white", "mid", "blackpoint", "whitepoint", "midpoint"}},
    {NULL, NULL, 0, {NULL}},
};
/* clang-format on */

/* Binds keyword arguments into o->a by the entry's names ("image" is a[0]). */
static int ops_bind_keywords(interp *I, const struct ops_entry *f, int kwc, const int *kwn,
                             const pv *kwv, ops_call *o)
{
    for (int j = 0; j < kwc; j++) {
        const char *kn = pi_sym_name(I, kwn[j]);
        int pos = strcmp(kn, "image") == 0 ? 0 : -1;
        for (int k = 0; k < 6 && f->kw[k] && pos < 0; k++)
            if (strcmp(f->kw[k], kn) == 0)
                pos = k + 1;
        if (pos < 0)
            return pi_raise(I, "TypeError", "%s() got an unexpected keyword argument '%s'", f->name,
                            kn);
        if (o->a[pos].tag != PV_UNSET)
            return pi_raise(I, "TypeError", "%s() got multiple values for argument '%s'", f->name,
                            kn);
        o->a[pos] = kwv[j];
    }
    return 0;
}

/* ImageOps.*: self carries the function's name. */
static int f_ops(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                 const pv *kwv, pv *out)
{
    static const char *const names[] = {"image", "a1", "a2", "a3", "a4", "a5", "a6"};
    const struct ops_entry *f = ops_table;
    while (strcmp(f->name, pv_str(self)->s) != 0)
        f++;
    ops_call o = {f->name, f->how, NULL, {{0}}};
    if (pi_args(I, f->name, argc, argv, 0, NULL, NULL, 7, names, 0, o.a) ||
        ops_bind_keywords(I, f, kwc, kwn, kwv, &o))
        return -1;
    if (o.a[0].tag == PV_UNSET)
        return pi_raise(I, "TypeError", "%s() missing required argument 'image'", f->name);
    if (get_image(I, o.a[0], f->name, &o.im))
        return -1;
    return f->fn(I, &o, out);
}

static int f_enhancer(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                      const pv *kwv, pv *out)
{
    static const char *const names[] = {"image"};
    pv a[1];
    img *im;
    if (pi_args(I, pv_str(self)->s, argc, argv, kwc, kwn, kwv, 1, names, 1, a) ||
        get_image(I, a[0], pv_str(self)->s, &im))
        return -1;
    penhancer *en = pi_new(I, PO_ENHANCER, sizeof *en);
    if (!en)
        return -1;
    en->which = img_enhance_parse(pv_str(self)->s);
    en->image = (pimage *)a[0].u.o;
    en->image->h.refs++;
    *out = pv_obj(en);
    return 0;
}

int pi_enhancer_method(interp *I, const pcall *c, pv *out, int *found)
{
    penhancer *en = (penhancer *)c->self.u.o;
    *found = strcmp(c->name, "enhance") == 0;
    if (!*found)
        return 0;
    static const char *const names[] = {"factor"};
    pv a[1];
    double factor;
    img *im = en->image->im;
    if (pi_call_args(I, c, 1, names, 1, a) || pi_to_double(I, a[0], "enhance() factor", &factor))
        return -1;
    if (!im)
        return pi_raise(I, "ValueError", "the image is no longer available");
    if (!isfinite(factor))
        return pi_raise(I, "ValueError", "enhance(): factor must be finite");
    if (pi_image_check(I, im->w, im->h, img_channels(im->mode) * 2) ||
        charge(I, (double)im->w * im->h * 2))
        return -1;
    errmsg e;
    return result_image(I, img_enhance(im, (img_enhance_kind)en->which, factor, &e), &e, out);
}

static pv new_filter(interp *I, int which, double radius, double arg2, double arg3)
{
    pfilter *f = pi_new(I, PO_FILTER, sizeof *f);
    if (!f)
        return pv_none();
    f->which = which;
    f->radius = radius;
    f->arg2 = arg2;
    f->arg3 = arg3;
    return pv_obj(f);
}

/* ImageFilter classes: self carries the class name. */
static int f_filter(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    const char *name = pv_str(self)->s;
    static const char *const blur_names[] = {"radius"};
    static const char *const unsharp_names[] = {"radius", "percent", "threshold"};
    static const char *const rank_names[] = {"size"};
    int unsharp = strcmp(name, "UnsharpMask") == 0;
    int rank = strstr(name, "Filter") != NULL;
    pv a[3];
    if (pi_args(I, name, argc, argv, kwc, kwn, kwv, unsharp ? 3 : 1,
                unsharp ? unsharp_names
                : rank  ? rank_names
                        : blur_names,
                strcmp(name, "BoxBlur") == 0 ? 1 : 0, a))
        return -1;
    double v[3] = {rank ? 3 : 2, 150, 3};
    for (int k = 0; k < (unsharp ? 3 : 1); k++)
        if (a[k].tag != PV_UNSET && pi_to_double(I, a[k], name, &v[k]))
            return -1;
    if (rank) {
        if (v[0] != floor(v[0]) || v[0] < 1 || v[0] > IMG_FILTER_MAX_RANK_SIZE ||
            ((int)v[0] % 2) == 0)
            return pi_raise(I, "ValueError", "%s: size must be an odd integer from 1 to %d", name,
                            IMG_FILTER_MAX_RANK_SIZE);
    } else if (!(v[0] >= 0) || v[0] > IMG_FILTER_MAX_RADIUS) {
        return pi_raise(I, "ValueError", "%s: radius must be from 0 to %g", name,
                        IMG_FILTER_MAX_RADIUS);
    }
    int which = strcmp(name, "GaussianBlur") == 0   ? PF_GAUSSIAN
                : strcmp(name, "BoxBlur") == 0      ? PF_BOX
                : unsharp                           ? PF_UNSHARP
                : strcmp(name, "MedianFilter") == 0 ? PF_MEDIAN
                : strcmp(name, "MinFilter") == 0    ? PF_MIN
                                                    : PF_MAX;
    *out = new_filter(I, which, v[0], v[1], v[2]);
    return out->tag == PV_OBJ ? 0 : -1;
}

/* ImageFilter.Kernel(size, kernel, scale=None, offset=0) */
static int f_kernel(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    (void)self;
    static const char *const names[] = {"size", "kernel", "scale", "offset"};
    pv a[4];
    double size[2];
    if (pi_args(I, "Kernel", argc, argv, kwc, kwn, kwv, 4, names, 2, a) ||
        get_numbers(I, a[0], 2, 1, "Kernel size", size))
        return -1;
    if (size[0] != size[1] || (size[0] != 3 && size[0] != 5))
        return pi_raise(I, "ValueError", "Kernel: size must be (3, 3) or (5, 5)");
    int n = (int)size[0];
    if (seq_len(a[1]) != n * n)
        return pi_raise(I, "ValueError", "not enough coefficients in kernel");
    pv v = new_filter(I, PF_KERNEL, 0, 0, 0);
    if (v.tag != PV_OBJ)
        return -1;
    pfilter *f = (pfilter *)v.u.o;
    f->size = n;
    int r = get_numbers(I, a[1], n * n, 0, "Kernel weights", f->weights);
    if (!r && a[2].tag != PV_UNSET && a[2].tag != PV_NONE) {
        f->has_scale = 1;
        r = pi_to_double(I, a[2], "Kernel scale", &f->scale);
    }
    if (!r && a[3].tag != PV_UNSET)
        r = pi_to_double(I, a[3], "Kernel offset", &f->offset);
    if (r) {
        pi_release(I, v);
        return -1;
    }
    *out = v;
    return 0;
}

static int f_getrgb(interp *I, pv self, int argc, const pv *argv, int kwc, const int *kwn,
                    const pv *kwv, pv *out)
{
    int is_getcolor = strcmp(pv_str(self)->s, "getcolor") == 0;
    static const char *const names[] = {"color", "mode"};
    pv a[2];
    if (pi_args(I, pv_str(self)->s, argc, argv, kwc, kwn, kwv, is_getcolor ? 2 : 1, names,
                is_getcolor ? 2 : 1, a))
        return -1;
    if (!pv_is(a[0], PO_STR))
        return pi_raise(I, "TypeError", "%s(): color must be a string", pv_str(self)->s);
    errmsg e;
    int rgba[4], n = 3;
    long long vals[4];
    if (is_getcolor) {
        img_mode mode = pv_is(a[1], PO_STR) ? img_mode_parse(pv_str(a[1])->s) : 0;
        uint8_t ink[4];
        if (!mode)
            return pi_raise(I, "ValueError", "getcolor(): mode must be 'L', 'RGB' or 'RGBA'");
        if (img_ink_from_str(pv_str(a[0])->s, mode, ink, &e))
            return pi_raise(I, "ValueError", "%s", e.text);
        if (mode == IMG_L) {
            *out = pv_int(ink[0]);
            return 0;
        }
        n = (int)mode;
        for (int k = 0; k < n; k++)
            vals[k] = ink[k];
    } else {
        if (img_color_getrgb(pv_str(a[0])->s, rgba, &n, &e))
            return pi_raise(I, "ValueError", "%s", e.text);
        for (int k = 0; k < n; k++)
            vals[k] = rgba[k];
    }
    plist *t = pi_list(I, PO_TUPLE, (size_t)n);
    if (!t)
        return -1;
    for (int k = 0; k < n; k++)
        t->items[t->len++] = pv_int(vals[k]);
    *out = pv_obj(t);
    return 0;
}

/* ---- module attributes ---- */

static const struct {
    const char *name;
    int value;
} resample_names[] = {{"NEAREST", 0},  {"NONE", 0},    {"LANCZOS", 1}, {"ANTIALIAS", 1},
                      {"BILINEAR", 2}, {"LINEAR", 2},  {"BICUBIC", 3}, {"CUBIC", 3},
                      {"BOX", 4},      {"HAMMING", 5}, {NULL, 0}},
  transpose_names[] = {{"FLIP_LEFT_RIGHT", 0}, {"FLIP_TOP_BOTTOM", 1},
                       {"ROTATE_90", 2},       {"ROTATE_180", 3},
                       {"ROTATE_270", 4},      {"TRANSPOSE", 5},
                       {"TRANSVERSE", 6},      {NULL, 0}},
  transform_names[] = {{"AFFINE", 0}, {"EXTENT", 1}, {"PERSPECTIVE", 2}, {"QUAD", 3}, {NULL, 0}};

/* Finds name among the constant tables selected by the flags. */
static int lookup_const(const char *name, int resample, int transpose, int transform, pv *out)
{
    for (int k = 0; resample && resample_names[k].name; k++)
        if (strcmp(resample_names[k].name, name) == 0) {
            *out = pv_int(resample_names[k].value);
            return 1;
        }
    for (int k = 0; transpose && transpose_names[k].name; k++)
        if (strcmp(transpose_names[k].name, name) == 0) {
            *out = pv_int(transpose_names[k].value);
            return 1;
        }
    for (int k = 0; transform && transform_names[k].name; k++)
        if (strcmp(transform_names[k].name, name) == 0) {
            *out = pv_int(transform_names[k].value);
            return 1;
        }
    return 0;
}

/* A native function that knows its own name (its self value). */
static int named_native(interp *I, const char *name, native_fn *fn, pv *out)
{
    pv self = pi_cstr(I, name);
    if (self.tag != PV_OBJ)
        return -1;
    *out = pi_native(I, pv_str(self)->s, fn, self);
    pi_release(I, self);
    return out->tag == PV_OBJ ? 0 : -1;
}

static int submodule(interp *I, int which, pv *out)
{
    pmodule *m = pi_new(I, PO_MODULE, sizeof *m);
    if (!m)
        return -1;
    m->which = which;
    *out = pv_obj(m);
    return 0;
}

static int image_module_attr(interp *I, const char *name, pv *out)
{
    if (lookup_const(name, 1, 1, 1, out))
        return 0;
    if (strcmp(name, "Resampling") == 0)
        return submodule(I, MOD_RESAMPLING, out);
    if (strcmp(name, "Transform") == 0)
        return submodule(I, MOD_TRANSFORM, out);
    if (strcmp(name, "Transpose") == 0)
        return submodule(I, MOD_TRANSPOSE, out);
    /* clang-format off */
    static const struct {
        const char *name;
        native_fn *fn;
    } fns[] = {
        {"new", f_new}, {"merge", f_merge}, {"blend", f_blend}, {"composite", f_composite},
        {"alpha_composite", f_composite}, {"eval", f_eval}, {"Image", f_image_class},
        {NULL, NULL}};
    /* clang-format on */
    for (int k = 0; fns[k].name; k++)
        if (strcmp(fns[k].name, name) == 0) {
            if (strcmp(name, "alpha_composite") == 0) {
                *out = pi_native(I, "alpha_composite", f_composite, pv_bool(1));
                return out->tag == PV_OBJ ? 0 : -1;
            }
            *out = pi_native(I, fns[k].name, fns[k].fn, pv_none());
            return out->tag == PV_OBJ ? 0 : -1;
        }
    static const char *const forbidden[] = {
        "open",          "frombytes",    "fromarray",       "frombuffer", "init",
        "register_open", "effect_noise", "linear_gradient", NULL};
    for (int k = 0; forbidden[k]; k++)
        if (strcmp(forbidden[k], name) == 0) {
            char label[64];
            snprintf(label, sizeof label, "Image.%s", name);
            return named_native(I, label, f_forbidden, out);
        }
    return pi_raise(I, "AttributeError", "module 'PIL.Image' has no attribute '%s'", name);
}

static int filter_module_attr(interp *I, const char *name, pv *out)
{
    img_filter_builtin b = img_filter_builtin_parse(name);
    if (b != IMG_FILTER_NONE) {
        *out = new_filter(I, PF_BUILTIN, 0, (double)b, 0);
        return out->tag == PV_OBJ ? 0 : -1;
    }
    static const char *const classes[] = {
        "GaussianBlur", "BoxBlur", "UnsharpMask", "MedianFilter", "MinFilter", "MaxFilter", NULL};
    for (int k = 0; classes[k]; k++)
        if (strcmp(classes[k], name) == 0)
            return named_native(I, classes[k], f_filter, out);
    if (strcmp(name, "Kernel") == 0) {
        *out = pi_native(I, "Kernel", f_kernel, pv_none());
        return out->tag == PV_OBJ ? 0 : -1;
    }
    return pi_raise(I, "AttributeError", "module 'PIL.ImageFilter' has no attribute '%s'%s", name,
                    strcmp(name, "ModeFilter") == 0 || strcmp(name, "RankFilter") == 0
                        ? " (not supported by vkeve)"
                        : "");
}

int pi_pil_getattr(interp *I, int which, const char *name, pv *out)
{
    static const char *const enhancers[] = {"Brightness", "Contrast", "Color", "Sharpness", NULL};
    switch (which) {
    case MOD_IMAGE: return image_module_attr(I, name, out);
    case MOD_RESAMPLING:
        /* Only the enum members; ANTIALIAS, LINEAR, CUBIC, NONE are legacy module constants. */
        if (strcmp(name, "ANTIALIAS") != 0 && strcmp(name, "NONE") != 0 &&
            strcmp(name, "LINEAR") != 0 && strcmp(name, "CUBIC") != 0 &&
            lookup_const(name, 1, 0, 0, out))
            return 0;
        return pi_raise(I, "AttributeError", "type object 'Resampling' has no attribute '%s'",
                        name);
    case MOD_TRANSPOSE:
        if (lookup_const(name, 0, 1, 0, out))
            return 0;
        return pi_raise(I, "AttributeError", "type object 'Transpose' has no attribute '%s'", name);
    case MOD_TRANSFORM:
        if (lookup_const(name, 0, 0, 1, out))
            return 0;
        return pi_raise(I, "AttributeError", "type object 'Transform' has no attribute '%s'", name);
    case MOD_IMAGEDRAW:
        if (strcmp(name, "Draw") == 0 || strcmp(name, "floodfill") == 0) {
            *out = name[0] == 'D' ? pi_native(I, "Draw", f_draw, pv_none())
                                  : pi_native(I, "floodfill", f_floodfill, pv_none());
            return out->tag == PV_OBJ ? 0 : -1;
        }
        return pi_raise(I, "AttributeError", "module 'PIL.ImageDraw' has no attribute '%s'", name);
    case MOD_IMAGEOPS:
        for (int k = 0; ops_table[k].name; k++)
            if (strcmp(ops_table[k].name, name) == 0)
                return named_native(I, ops_table[k].name, f_ops, out);
        return pi_raise(I, "AttributeError", "module 'PIL.ImageOps' has no attribute '%s'", name);
    case MOD_IMAGEENHANCE:
        for (int k = 0; enhancers[k]; k++)
            if (strcmp(enhancers[k], name) == 0)
                return named_native(I, enhancers[k], f_enhancer, out);
        return pi_raise(I, "AttributeError", "module 'PIL.ImageEnhance' has no attribute '%s'",
                        name);
    case MOD_IMAGEFILTER: return filter_module_attr(I, name, out);
    case MOD_IMAGECOLOR:
        if (strcmp(name, "getrgb") == 0 || strcmp(name, "getcolor") == 0)
            return named_native(I, name, f_getrgb, out);
        return pi_raise(I, "AttributeError", "module 'PIL.ImageColor' has no attribute '%s'", name);
    default: return pi_raise(I, "AttributeError", "module has no attribute '%s'", name);
    }
}
