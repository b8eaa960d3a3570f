/* test_vlm_pre.c - Qwen2-VL preprocessing (vision/vlm_pre.h) against Hugging Face's definition.
 *
 * 1. smart_resize cases worked out by hand, where Python's half-to-even rounding, the bounds and
 *    the 200:1 limit matter (H = 70 gives 56, not 84).
 * 2. A sweep of ~20,000 sizes and bounds: vpre_size against tests/reference/vlm_pre_ref.py.
 * 3. Whole images (generated here, saved as PNG, plus the JPEG fixture): pixel_values, sizes
 *    and grids against the reference (Pillow + numpy), which must agree bit for bit (TOL 0:
 *    every step is exact integer or IEEE arithmetic on both sides); images past 200:1 must be
 *    refused on both sides.
 * 4. Bad parameters and the comparison itself (a perturbed value must be caught).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "tests/testutil.h"
#include "vision/img_io.h"
#include "vision/vlm_pre.h"

#define TOL 0.0f /* max |C - reference| allowed in pixel_values */

static char *dir;

static const char *in_dir(const char *name)
{
    static char paths[4][1024];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 1024, "%s/%s", dir, name);
    return p;
}

static int run_reference(const char *mode, const char *in, const char *out)
{
    const char *python = getenv("PYTHON3") ? getenv("PYTHON3") : "/usr/bin/python3";
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s %s %s %s", python, t_data_path("reference/vlm_pre_ref.py"),
             mode, in, out);
    int rc = system(cmd);
    T_CHECK(rc == 0, "%s exited with %d", cmd, rc);
    return rc;
}

static vpre_params bounds(int64_t lo, int64_t hi)
{
    vpre_params p = vpre_params_hf();
    p.min_pixels = lo;
    p.max_pixels = hi;
    return p;
}

/* --- 1. hand-worked sizes ------------------------------------------------------------------ */

static void test_hand_sizes(void)
{
    static const struct {
        int w, h, preset, want_w, want_h;
        const char *why;
    } cases[] = {
        {70, 70, 0, 56, 56, "70/28 = 2.5 rounds to 2 (half-up would give 84)"},
        {126, 126, 0, 112, 112, "4.5 rounds to 4 (half-up: 140)"},
        {42, 42, 0, 56, 56, "1.5 rounds to 2"},
        {98, 98, 0, 112, 112, "3.5 rounds to 4"},
        {84, 56, 0, 84, 56, "in bounds: 6 tokens (llama.cpp gives 12)"},
        {126, 70, 0, 112, 56, "both halves to even"},
        {42, 14, 0, 112, 56, "0.5 -> 0, 1.5 -> 2, then grown to min_pixels"},
        {1, 1, 0, 56, 56, "1x1 grows to 56x56"},
        {27, 27, 0, 56, 56, "27x27 grows to 56x56"},
        {28, 28, 0, 56, 56, "784 < 3136 grows by exactly 2"},
        {200, 1, 0, 812, 28, "exactly 200:1 is allowed"},
        {29, 1000, 0, 28, 1008, "narrow"},
        {333, 250, 0, 336, 252, "plain rounding"},
        {1022, 1022, 0, 980, 980, "36.5 -> 36, 1008^2 > 1003520: shrunk by floor"},
        {1022, 1022, 1, 1008, 1008, "same image under the released config's 12845056"},
        {1920, 1080, 0, 1316, 728, "shrunk to 958048 pixels"},
        {1920, 1080, 2, 1344, 756, "EVE's bounds"},
        {27, 27, 2, 84, 84, "EVE's 4096 minimum"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vpre_params p = cases[i].preset == 0   ? vpre_params_hf()
                        : cases[i].preset == 1 ? vpre_params_qwen()
                                               : vpre_params_eve();
        int w = 0, h = 0;
        errmsg e = {0};
        int rc = vpre_size(cases[i].w, cases[i].h, &p, &w, &h, &e);
        T_CHECK(rc == 0 && w == cases[i].want_w && h == cases[i].want_h,
                "%dx%d (%s): got %dx%d rc %d %s, want %dx%d", cases[i].w, cases[i].h, cases[i].why,
                w, h, rc, e.text, cases[i].want_w, cases[i].want_h);
    }
    static const int refused[][2] = {{201, 1}, {1, 201}, {401, 2}, {1000, 4}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        vpre_params p = vpre_params_hf();
        int w, h;
        errmsg e = {0};
        char sizes[64];
        snprintf(sizes, sizeof sizes, "%dx%d", refused[i][0], refused[i][1]);
        int rc = vpre_size(refused[i][0], refused[i][1], &p, &w, &h, &e);
        T_CHECK(rc != 0 && strstr(e.text, sizes) && strstr(e.text, "200:1"),
                "%s must be refused naming its size and the limit: rc %d '%s'", sizes, rc, e.text);
    }
}

/* --- 2. the size sweep --------------------------------------------------------------------- */

static void write_sweep(FILE *f)
{
    /* The released bounds, and small ones where max(f, floor(...)) matters. */
    static const int64_t presets[][2] = {
        {3136, 1003520}, {3136, 12845056}, {4096, 1048576}, {784, 20000}, {1, 1000}};
    for (int h = 1; h <= 120; h++)
        for (int w = 1; w <= 120; w++)
            fprintf(f, "%d %d 3136 1003520\n", h, w);
    rng r = rng_make(7, 1);
    for (int i = 0; i < 6000; i++) {
        int h = 1 + (int)(rng_below(&r, 8000)), w = 1 + (int)(rng_below(&r, 8000));
        if (i % 5 == 0)
            w = h * 200 + (int)rng_below(&r, 3) - 1; /* around the 200:1 limit */
        const int64_t *b = presets[i % 5];
        fprintf(f, "%d %d %lld %lld\n", h, w, (long long)b[0], (long long)b[1]);
    }
}

static void test_size_sweep(void)
{
    FILE *f = fopen(in_dir("sizes.txt"), "w");
    write_sweep(f);
    fclose(f);
    if (run_reference("--sizes", in_dir("sizes.txt"), in_dir("sizes_ref.txt")))
        return;
    FILE *in = fopen(in_dir("sizes.txt"), "r"), *ref = fopen(in_dir("sizes_ref.txt"), "r");
    int h, w, n = 0, bad = 0;
    long long lo, hi;
    char line[128];
    while (fscanf(in, "%d %d %lld %lld", &h, &w, &lo, &hi) == 4 && fgets(line, sizeof line, ref)) {
        vpre_params p = bounds(lo, hi);
        int rw = 0, rh = 0;
        errmsg e;
        char got[64];
        if (vpre_size(w, h, &p, &rw, &rh, &e))
            snprintf(got, sizeof got, "error\n");
        else
            snprintf(got, sizeof got, "%d %d\n", rh, rw);
        if (strcmp(got, line) != 0 && bad++ < 10)
            T_CHECK(0, "smart_resize(%d, %d, %lld..%lld): C %s reference %s", h, w, lo, hi, got,
                    line);
        n++;
    }
    fclose(in);
    fclose(ref);
    T_CHECK(n == 120 * 120 + 6000 && bad == 0, "size sweep: %d sizes compared, %d differ", n, bad);
    printf("size sweep: %d sizes, %d differ\n", n, bad);
}

/* --- 3. whole images ----------------------------------------------------------------------- */

/* A photograph stand-in: smooth shading, hard-edged discs (bicubic overshoot, clipping) and a
 * band of noise. */
static img *synthetic(int w, int h, img_mode mode, unsigned seed)
{
    errmsg e;
    img *im = img_new(w, h, mode, NULL, &e);
    rng r = rng_make(seed, 3);
    int ch = img_channels(mode);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int dx = x - w / 3, dy = y - h / 2, disc = dx * dx + dy * dy < (w * w + h * h) / 25;
            for (int c = 0; c < ch; c++) {
                int v = (x * (c + 2) * 255 / (w + 1) + y * (4 - c) * 255 / (h + 1)) / 3;
                if (disc)
                    v = c == 1 ? 250 : 5;
                if (y % 37 < 5)
                    v = (int)rng_below(&r, 256);
                if (c == 3)
                    v = (x * 7 + y * 3) % 256;
                im->px[((size_t)y * w + x) * ch + c] = (uint8_t)v;
            }
        }
    }
    return im;
}

typedef struct img_case {
    const char *name;
    int w, h;
    img_mode mode;
    int preset; /* 0 HF class, 1 released config, 2 EVE, 3 HF bounds with mean/std 0.5 */
    const char *fixture;
} img_case;

static vpre_params case_params(const img_case *c)
{
    vpre_params p = c->preset == 1   ? vpre_params_qwen()
                    : c->preset == 2 ? vpre_params_eve()
                                     : vpre_params_hf();
    for (int k = 0; k < 3 && c->preset == 3; k++)
        p.mean[k] = p.std[k] = 0.5;
    return p;
}

static float *read_floats(const char *path, size_t n)
{
    float *v = malloc(n * sizeof *v + 1);
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(v, sizeof *v, n + 1, f) : 0;
    if (f)
        fclose(f);
    if (got != n) {
        T_CHECK(0, "%s: %zu floats, want %zu", path, got, n);
        free(v);
        return NULL;
    }
    return v;
}

static float max_diff(const float *a, const float *b, size_t n)
{
    float worst = 0;
    for (size_t i = 0; i < n; i++) {
        float d = fabsf(a[i] - b[i]);
        worst = d > worst || d != d ? d : worst;
    }
    return worst;
}

/* The reference's one-line verdict for a case ("ok ..." or "error ..."), or "" when missing. */
static void reference_line(const img_case *c, char *line, size_t size)
{
    char name[256];
    snprintf(name, sizeof name, "%s.txt", c->name);
    FILE *f = fopen(in_dir(name), "r");
    line[0] = 0;
    if (!f || !fgets(line, (int)size, f))
        T_CHECK(0, "%s: the reference wrote no result", c->name);
    if (f)
        fclose(f);
}

/* Compares C's pixel_values with the reference's NAME.f32, bit for bit, and checks that the
 * comparison notices a one-ulp change. */
static void compare_values(const img_case *c, vpre_out *o)
{
    char name[256];
    snprintf(name, sizeof name, "%s.f32", c->name);
    size_t n = (size_t)o->n_patches * (size_t)o->patch_dim;
    float *want = read_floats(in_dir(name), n);
    if (!want)
        return;
    float d = max_diff(o->pixels, want, n);
    T_CHECK(d <= TOL, "%s: pixel_values differ by up to %g", c->name, d);
    printf("%-14s %5dx%-5d -> %4dx%-4d %5lld tokens, max |C - reference| = %g\n", c->name, c->w,
           c->h, o->width, o->height, (long long)o->n_tokens, d);
    o->pixels[n / 2] = nextafterf(o->pixels[n / 2] + TOL, INFINITY);
    T_CHECK(max_diff(o->pixels, want, n) > TOL, "%s: a perturbed value went unnoticed", c->name);
    free(want);
}

static void compare_case(const img_case *c, const img *im)
{
    vpre_params p = case_params(c);
    vpre_out o;
    errmsg e = {0};
    int rc = vpre_image(im, &p, &o, &e);
    char line[512];
    reference_line(c, line, sizeof line);
    int refused = strncmp(line, "error", 5) == 0, rh = 0, rw = 0, t = 0, gh = 0, gw = 0;
    if (refused || rc) {
        T_CHECK(rc && refused, "%s: C rc %d '%s', reference '%s'", c->name, rc, e.text, line);
        if (rc && refused)
            printf("%-14s %5dx%-5d refused on both sides: %s\n", c->name, c->w, c->h, e.text);
        vpre_free(&o);
        return;
    }
    sscanf(line, "ok %d %d %d %d %d", &rh, &rw, &t, &gh, &gw);
    int same = o.height == rh && o.width == rw && o.grid_t == t && o.grid_h == gh &&
               o.grid_w == gw && o.patch_dim == 1176 && o.n_patches == (int64_t)gh * gw &&
               o.n_tokens * 4 == (int64_t)gh * gw;
    T_CHECK(same, "%s: C %dx%d grid %d,%d,%d dim %d tokens %lld; reference %dx%d grid %d,%d,%d",
            c->name, o.width, o.height, o.grid_t, o.grid_h, o.grid_w, o.patch_dim,
            (long long)o.n_tokens, rw, rh, t, gh, gw);
    if (same)
        compare_values(c, &o);
    vpre_free(&o);
}

static const img_case cases[] = {
    {"rgb_1x1", 1, 1, IMG_RGB, 0, NULL},
    {"rgb_27x27", 27, 27, IMG_RGB, 0, NULL},
    {"rgb_28x28", 28, 28, IMG_RGB, 0, NULL},
    {"rgb_29x1000", 29, 1000, IMG_RGB, 0, NULL},
    {"rgb_1000x29", 1000, 29, IMG_RGB, 0, NULL},
    {"rgb_333x250", 333, 250, IMG_RGB, 0, NULL},
    {"rgb_1920x1080", 1920, 1080, IMG_RGB, 0, NULL},
    {"rgba_97x61", 97, 61, IMG_RGBA, 0, NULL},
    {"l_61x97", 61, 97, IMG_L, 0, NULL},
    {"rgb_70x70", 70, 70, IMG_RGB, 0, NULL},
    {"rgb_200x1", 200, 1, IMG_RGB, 0, NULL},
    {"rgb_201x1", 201, 1, IMG_RGB, 0, NULL},
    {"l_4x1000", 4, 1000, IMG_L, 0, NULL},
    {"qwen_640x480", 640, 480, IMG_RGB, 1, NULL},
    {"eve_1920x1080", 1920, 1080, IMG_RGB, 2, NULL},
    {"eve_27x27", 27, 27, IMG_RGBA, 2, NULL},
    {"half_333x250", 333, 250, IMG_RGB, 3, NULL},
    {"jpeg_32x24", 32, 24, IMG_RGB, 0, "img/rgb_32x24.jpg"},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static img *case_image(const img_case *c, unsigned seed, const char **path)
{
    errmsg e;
    if (c->fixture) {
        *path = t_data_path(c->fixture);
        return img_load(*path, IMG_MAX_BYTES, &e);
    }
    img *im = synthetic(c->w, c->h, c->mode, seed);
    char name[128];
    snprintf(name, sizeof name, "%s.png", c->name);
    *path = in_dir(name);
    T_CHECK(img_save_png(im, *path, &e) == 0, "%s", e.text);
    return im;
}

static void test_images(void)
{
    img *images[N_CASES];
    FILE *f = fopen(in_dir("cases.txt"), "w");
    for (size_t i = 0; i < N_CASES; i++) {
        const char *path;
        images[i] = case_image(&cases[i], 100 + (unsigned)i, &path);
        vpre_params p = case_params(&cases[i]);
        fprintf(f, "%s %s %lld %lld", cases[i].name, path, (long long)p.min_pixels,
                (long long)p.max_pixels);
        for (int k = 0; k < 6; k++)
            fprintf(f, " %.17g", k < 3 ? p.mean[k] : p.std[k - 3]);
        fprintf(f, "\n");
    }
    fclose(f);
    int rc = run_reference("--cases", in_dir("cases.txt"), dir);
    for (size_t i = 0; i < N_CASES; i++) {
        T_CHECK(images[i] != NULL, "%s: no input image", cases[i].name);
        if (rc == 0 && images[i])
            compare_case(&cases[i], images[i]);
        img_free(images[i]);
    }
}

/* --- 4. parameters --------------------------------------------------------------------------- */

static void test_bad_params(void)
{
    vpre_params p[4] = {bounds(0, 100), bounds(5000, 4000), vpre_params_hf(), vpre_params_hf()};
    p[2].std[1] = 0;
    p[3].patch = 0;
    for (int i = 0; i < 4; i++) {
        int w, h;
        errmsg e = {0};
        T_CHECK(vpre_size(64, 64, &p[i], &w, &h, &e) != 0 && e.text[0], "bad params %d accepted",
                i);
    }
    vpre_params huge = bounds((int64_t)1 << 40, (int64_t)1 << 41);
    errmsg e = {0};
    int w, h;
    T_CHECK(vpre_size(64, 64, &huge, &w, &h, &e) != 0 && strstr(e.text, "limit"),
            "a resize past the image limit: '%s'", e.text);
    vpre_out o;
    img *im = synthetic(8, 8, IMG_RGB, 1);
    T_CHECK(vpre_image(im, &huge, &o, &e) != 0 && o.pixels == NULL && strstr(e.text, "8x8"),
            "vpre_image must fail cleanly: '%s'", e.text);
    img_free(im);
    vpre_free(NULL);
}

int main(void)
{
    dir = t_temp_dir("vlm_pre");
    test_hand_sizes();
    test_size_sweep();
    test_images();
    test_bad_params();
    t_remove_dir(dir);
    return t_finish();
}
