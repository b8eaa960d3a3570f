/* vlm_pre.c - Qwen2-VL / Qwen2.5-VL preprocessing (see vlm_pre.h for the definition followed).
 *
 * Every floating-point step repeats Hugging Face's in the same precision and order: the size
 * arithmetic in doubles as Python does it, rescaling in double then float32, normalising in
 * float32. Pixel values depend only on (channel, byte), so they come from a 3 x 256 table.
 */
#include "vision/vlm_pre.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_geom.h"

/* OpenAI CLIP's normalisation, which both model families use. */
static const double clip_mean[3] = {0.48145466, 0.4578275, 0.40821073};
static const double clip_std[3] = {0.26862954, 0.26130258, 0.27577711};

static vpre_params clip_params(int64_t min_pixels, int64_t max_pixels)
{
    vpre_params p = {
        .min_pixels = min_pixels, .max_pixels = max_pixels, .patch = 14, .merge = 2, .temporal = 2};
    memcpy(p.mean, clip_mean, sizeof p.mean);
    memcpy(p.std, clip_std, sizeof p.std);
    return p;
}

vpre_params vpre_params_hf(void)
{
    return clip_params(56 * 56, 28 * 28 * 1280);
}

vpre_params vpre_params_qwen(void)
{
    return clip_params(56 * 56, 28 * 28 * 16384);
}

vpre_params vpre_params_eve(void)
{
    return clip_params(4096, 1048576);
}

static int check_params(const vpre_params *p, errmsg *e)
{
    if (p->patch < 1 || p->merge < 1 || p->temporal < 1 || p->patch > 1024 || p->merge > 64 ||
        p->temporal > 64)
        return err_set(e, ERR_ENV, "patch %d, merge %d, temporal %d: need 1..1024, 1..64 and 1..64",
                       p->patch, p->merge, p->temporal);
    if (p->min_pixels < 1 || p->max_pixels < p->min_pixels)
        return err_set(e, ERR_ENV, "pixel bounds %lld .. %lld: need 1 <= min_pixels <= max_pixels",
                       (long long)p->min_pixels, (long long)p->max_pixels);
    for (int c = 0; c < 3; c++) {
        if (!isfinite(p->mean[c]) || !isfinite(p->std[c]) || (float)p->std[c] == 0.0f)
            return err_set(e, ERR_ENV, "channel %d: mean %g / std %g: need finite, std != 0", c,
                           p->mean[c], p->std[c]);
    }
    return 0;
}

/* Python's round(side / f) * f: the division in double, halves to even (nearbyint in the
 * default rounding mode). */
static int64_t round_by(int side, int f)
{
    return (int64_t)nearbyint((double)side / f) * f;
}

int vpre_size(int w, int h, const vpre_params *p, int *out_w, int *out_h, errmsg *e)
{
    int rc = check_params(p, e);
    if (rc)
        return rc;
    if (w < 1 || h < 1)
        return err_set(e, ERR_FAIL, "image size %dx%d: width and height must be >= 1", w, h);
    int lo = w < h ? w : h, hi = w < h ? h : w;
    if ((double)hi / lo > VPRE_MAX_RATIO)
        return err_set(e, ERR_FAIL,
                       "image size %dx%d: aspect ratio %.1f:1 is over Qwen2-VL's %d:1 limit", w, h,
                       (double)hi / lo, VPRE_MAX_RATIO);
    int f = p->patch * p->merge;
    int64_t rh = round_by(h, f), rw = round_by(w, f);
    double area = (double)((int64_t)w * h);
    if (rh * rw > p->max_pixels) {
        double beta = sqrt(area / (double)p->max_pixels);
        rh = (int64_t)floor((double)h / beta / f) * f;
        rw = (int64_t)floor((double)w / beta / f) * f;
        rh = rh < f ? f : rh;
        rw = rw < f ? f : rw;
    } else if (rh * rw < p->min_pixels) {
        double beta = sqrt((double)p->min_pixels / area);
        rh = (int64_t)ceil((double)h * beta / f) * f;
        rw = (int64_t)ceil((double)w * beta / f) * f;
    }
    if ((double)rh * (double)rw * 3 > (double)IMG_MAX_BYTES)
        return err_set(e, ERR_FAIL,
                       "image size %dx%d: resizes to %lldx%lld, over the %zu-byte "
                       "image limit (min_pixels %lld)",
                       w, h, (long long)rw, (long long)rh, (size_t)IMG_MAX_BYTES,
                       (long long)p->min_pixels);
    *out_w = (int)rw;
    *out_h = (int)rh;
    return 0;
}

/* HF's rescale then normalize for every byte value of every channel:
 * float32(double(u) * (1 / 255)), then (x - float32(mean)) / float32(std) in float32.
 * (Every usual spelling of u / 255 gives the same 256 floats; the normalisation's precision
 * matters: done in double it differs from HF by up to 2.4e-7.) */
static void value_table(const vpre_params *p, float table[3][256])
{
    for (int c = 0; c < 3; c++) {
        float mean = (float)p->mean[c], std = (float)p->std[c];
        for (int u = 0; u < 256; u++) {
            float x = (float)((double)u * (1.0 / 255.0));
            float d = x - mean;
            table[c][u] = d / std;
        }
    }
}

/* One patch x patch square at (x0, y0) of the RGB image: channel-major, then (for every frame
 * of the temporal pair, all the same) y, x. */
static float *write_patch(float *row, const img *rgb, int x0, int y0, const vpre_params *p,
                          const float table[3][256])
{
    size_t frame = (size_t)p->patch * p->patch;
    for (int c = 0; c < 3; c++) {
        float *first = row;
        for (int y = 0; y < p->patch; y++) {
            const uint8_t *src = rgb->px + ((size_t)(y0 + y) * rgb->w + x0) * 3 + c;
            for (int x = 0; x < p->patch; x++)
                *row++ = table[c][src[3 * x]];
        }
        for (int t = 1; t < p->temporal; t++, row += frame)
            memcpy(row, first, frame * sizeof *row);
    }
    return row;
}

/* HF's reshape (t, c, gh/m, m, p, gw/m, m, p) -> transpose to (gh/m, gw/m, m, m, c, t, p, p). */
static void patchify(const img *rgb, const vpre_params *p, const float table[3][256], float *out)
{
    int m = p->merge, bh_n = rgb->h / p->patch / m, bw_n = rgb->w / p->patch / m;
    for (int bh = 0; bh < bh_n; bh++)
        for (int bw = 0; bw < bw_n; bw++)
            for (int mh = 0; mh < m; mh++)
                for (int mw = 0; mw < m; mw++)
                    out = write_patch(out, rgb, (bw * m + mw) * p->patch, (bh * m + mh) * p->patch,
                                      p, table);
}

static img *resized_rgb(const img *im, int w, int h, errmsg *e)
{
    if (im->mode == IMG_RGB)
        return img_resize(im, w, h, IMG_BICUBIC, NULL, e);
    img *rgb = img_convert(im, IMG_RGB, e);
    if (!rgb)
        return NULL;
    img *out = img_resize(rgb, w, h, IMG_BICUBIC, NULL, e);
    img_free(rgb);
    return out;
}

static int fill_out(const img *rgb, const vpre_params *p, vpre_out *out, errmsg *e)
{
    out->width = rgb->w;
    out->height = rgb->h;
    out->grid_t = 1;
    out->grid_h = rgb->h / p->patch;
    out->grid_w = rgb->w / p->patch;
    out->n_patches = (int64_t)out->grid_h * out->grid_w;
    out->n_tokens = out->n_patches / ((int64_t)p->merge * p->merge);
    out->patch_dim = 3 * p->temporal * p->patch * p->patch;
    size_t n = (size_t)out->n_patches * (size_t)out->patch_dim;
    out->pixels = malloc(n * sizeof *out->pixels);
    if (!out->pixels)
        return err_set(e, ERR_FAIL, "out of memory for %zu pixel values", n);
    float table[3][256];
    value_table(p, table);
    patchify(rgb, p, table, out->pixels);
    return 0;
}

int vpre_image(const img *im, const vpre_params *p, vpre_out *out, errmsg *e)
{
    memset(out, 0, sizeof *out);
    int w, h;
    int rc = vpre_size(im->w, im->h, p, &w, &h, e);
    if (rc)
        return rc;
    img *rgb = resized_rgb(im, w, h, e);
    rc = rgb ? fill_out(rgb, p, out, e) : ERR_FAIL;
    img_free(rgb);
    if (rc) {
        err_prefix(e, "preprocessing a %dx%d %s image: ", im->w, im->h, img_mode_name(im->mode));
        vpre_free(out);
    }
    return rc;
}

void vpre_free(vpre_out *out)
{
    if (!out)
        return;
    free(out->pixels);
    memset(out, 0, sizeof *out);
}
