/* vlm_pre.h - Qwen2-VL / Qwen2.5-VL image preprocessing, exactly as Hugging Face does it.
 *
 * The models were trained on pixels from Hugging Face's Qwen2VLImageProcessor, and trainers
 * rebuild pixel_values with it, so vkeve must produce the same floats and the same token count.
 * Followed: huggingface/transformers commit 9feaf6f1d95e9976003f0a7f049e44f92b781c51 (v5
 * development line), models/qwen2_vl/image_processing_qwen2_vl.py (smart_resize) and
 * image_processing_pil_qwen2_vl.py (Qwen2VLImageProcessorPil), with image_transforms.py
 * (convert_to_rgb, resize, rescale, normalize) and image_processing_backends.py (PilBackend).
 * That is the PIL backend, the definition v4's (slow) Qwen2VLImageProcessor also has; v5's
 * default torchvision backend resizes with torchvision's bicubic, which is not Pillow's and
 * gives other bytes. The steps:
 *
 * 1. smart_resize(H, W), factor f = patch * merge (28):
 *      max(H, W) / min(H, W) > 200           -> error (HF raises ValueError)
 *      h = round(H / f) * f, w likewise       (Python round: halves to even; H = 70 gives 56)
 *      if h * w > max_pixels: b = sqrt(H * W / max_pixels),
 *                             h = max(f, floor(H / b / f) * f), w likewise
 *      elif h * w < min_pixels: b = sqrt(min_pixels / (H * W)), h = ceil(H * b / f) * f, ...
 *    Tiny images are not refused: 1x1 and 27x27 become 56x56 (round gives 0 or 28, then the
 *    min_pixels branch). Older transformers (e.g. the v4 commit cb0fc56f) refused sides under
 *    28 ("height:.. or width:.. must be larger than factor") and had no max(f, ...) guard.
 * 2. Image.convert("RGB") (L is replicated, RGBA's alpha dropped, not composited), then
 *    Image.resize((w, h), BICUBIC) - img_resize, which is Pillow's resize byte for byte.
 *    (v4's processor, given a PIL image 1 or 3 pixels tall, guesses its array is channels-first
 *    and goes wrong unless input_data_format is passed; the PIL backend followed here knows PIL
 *    arrays are channels-last, and so does vkeve.)
 * 3. x = float32(double(u8) * (1 / 255)) (HF rescales in float64, then casts), then
 *    (x - mean[c]) / std[c] in float32, mean and std rounded to float32 first.
 * 4. The still image is repeated for the temporal pair and cut into patch x patch squares in
 *    merge order: row ((bh * (gw / m) + bw) * m + mh) * m + mw holds the patch at grid row
 *    bh * m + mh, column bw * m + mw; inside a row the values go channel, frame, y, x.
 *    grid_thw = (1, h / patch, w / patch); merged tokens = grid_h * grid_w / merge^2.
 *
 * Defaults. The processor class defaults (vpre_params_hf) are min 56*56 = 3136 and max
 * 28*28*1280 = 1003520 pixels. The released Qwen2-VL-*-Instruct and Qwen2.5-VL-*-Instruct
 * preprocessor_config.json files override them with min 3136 and max 12845056 (16384 tokens of
 * 28x28; vpre_params_qwen), and those are what HF applies when a model is loaded. EVE bounds
 * images to 4096 .. 1048576 pixels (vpre_params_eve). All use OpenAI CLIP's mean and std.
 *
 * Differences from HF, all refusals of settings HF would accept: min_pixels > max_pixels, a
 * std of 0, patch / merge / temporal outside 1 .. 1024 / 64 / 64, and a resized image over
 * IMG_MAX_BYTES are errors here.
 *
 *     errmsg e;
 *     vpre_params p = vpre_params_qwen();
 *     int w, h;
 *     if (vpre_size(im->w, im->h, &p, &w, &h, &e)) ...     // token count before any pixels
 *     vpre_out o;
 *     if (vpre_image(im, &p, &o, &e)) ...                   // e.text says what failed
 *     // o.pixels: o.n_patches rows of o.patch_dim floats; o.n_tokens image pad tokens
 *     vpre_free(&o);
 */
#ifndef VKEVE_VLM_PRE_H
#define VKEVE_VLM_PRE_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* HF refuses images whose long side is more than this many times the short side. */
#define VPRE_MAX_RATIO 200

typedef struct vpre_params {
    int64_t min_pixels, max_pixels; /* bounds on the resized h * w */
    double mean[3], std[3];         /* per channel, as the config's decimals (rounded to f32) */
    int patch;                      /* spatial patch side, 14 */
    int merge;                      /* merge side, 2: 2x2 patches become one token */
    int temporal;                   /* frames per patch, 2 (a still image is repeated) */
} vpre_params;

/* Qwen2VLImageProcessor's own defaults: 3136 .. 1003520 pixels. */
vpre_params vpre_params_hf(void);
/* The released Qwen2-VL / Qwen2.5-VL preprocessor_config.json: 3136 .. 12845056 pixels. */
vpre_params vpre_params_qwen(void);
/* EVE's bounds: 4096 .. 1048576 pixels. */
vpre_params vpre_params_eve(void);

typedef struct vpre_out {
    float *pixels;     /* n_patches x patch_dim, row-major (HF's pixel_values) */
    int64_t n_patches; /* grid_t * grid_h * grid_w */
    int patch_dim;     /* 3 * temporal * patch * patch, 1176 */
    int grid_t, grid_h, grid_w;
    int64_t n_tokens;  /* grid_t * grid_h * grid_w / merge^2: the <|image_pad|> count */
    int width, height; /* the resized image */
} vpre_out;

/* smart_resize alone: the size a w x h image is resized to. Errors: a side under 1, an aspect
 * ratio over VPRE_MAX_RATIO, bad params. */
int vpre_size(int w, int h, const vpre_params *p, int *out_w, int *out_h, errmsg *e);

/* The whole pipeline; fills *out (free it with vpre_free). On failure *out is zeroed. */
int vpre_image(const img *im, const vpre_params *p, vpre_out *out, errmsg *e);

/* Frees out->pixels and zeroes *out; out may be NULL. */
void vpre_free(vpre_out *out);

#endif
