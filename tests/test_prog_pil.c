/* test_prog_pil.c - the PIL binding against real Pillow, for the parts of the API the program
 * corpus (tests/programs) does not exercise: pixel access (load, getdata, putdata), measuring
 * (histogram, getextrema, getbbox), thumbnail, reduce, putalpha, transform, argument forms
 * and failures that must fail the same way.
 *
 * Each program runs in-process through prog_run and, as the reference, through Debian's
 * Pillow with tests/reference/pil_exec.py ($PYTHON3). Results must match exactly: same
 * ok/fail status per case, same failure kind, same size, mode and pixels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evolve/prog/prog.h"
#include "tests/testutil.h"
#include "vision/img_io.h"

static const char *const programs[] = {
    "from PIL import Image\n"
    "def edit_image(img, step, mode):\n"
    "    img = img.convert(mode)\n"
    "    px = img.load()\n"
    "    w, h = img.size\n"
    "    for y in range(0, h, step):\n"
    "        for x in range(0, w, step):\n"
    "            v = px[x, y]\n"
    "            px[x, y] = 255 - v if mode == 'L' else (v[2], v[0], v[1]) + ((128,) if mode == "
    "'RGBA' else ())\n"
    "    data = list(img.getdata())\n"
    "    out = Image.new(mode, (w, h))\n"
    "    out.putdata(data[::-1] if step % 2 else data)\n"
    "    return out\n"
    "args_list = [{'step': 3, 'mode': 'RGB'}, {'step': 5, 'mode': 'L'}, {'step': 2, 'mode': "
    "'RGBA'}]\n",

    "from PIL import Image, ImageDraw\n"
    "def edit_image(img, k, thumb):\n"
    "    g = img.convert('L')\n"
    "    h = g.histogram()\n"
    "    lo, hi = g.getextrema()\n"
    "    peak = max(range(256), key=lambda i: h[i])\n"
    "    ImageDraw.Draw(img).rectangle([0, 0, k * 20, k * 10], fill=(peak, lo, hi))\n"
    "    box = Image.new('L', (50, 40)).getbbox()\n"
    "    img.thumbnail((thumb, thumb))\n"
    "    r = img.reduce(k)\n"
    "    a = r.convert('RGBA')\n"
    "    a.putalpha(100 + k)\n"
    "    return a if box is None else img\n"
    "args_list = [{'k': 1, 'thumb': 300}, {'k': 2, 'thumb': 440}, {'k': 3, 'thumb': 150}]\n",

    "from PIL import Image, ImageOps\n"
    "def edit_image(img, method, data, fill):\n"
    "    w, h = img.size\n"
    "    out = img.transform((w // 2, h // 2), method, data, Image.BILINEAR, fillcolor=fill)\n"
    "    mask = ImageOps.grayscale(out).point(lambda v: 255 if v > 100 else 0)\n"
    "    out = out.convert('RGBA')\n"
    "    out.putalpha(mask)\n"
    "    return out\n"
    "args_list = [{'method': Image.AFFINE, 'data': (1, 0.2, 0, 0.1, 1, 5), 'fill': 'red'},\n"
    "             {'method': Image.EXTENT, 'data': (10, 10, 200, 150), 'fill': None},\n"
    "             {'method': Image.Transform.PERSPECTIVE, 'data': (1, 0.1, 0, 0, 1, 0, 0.001, 0), "
    "'fill': 7},\n"
    "             {'method': Image.QUAD, 'data': (0, 0, 10, 200, 300, 220, 310, 5), 'fill': (0, 0, "
    "255)}]\n",

    /* argument forms models write: positional filters, float boxes, masks, legacy constants */
    "from PIL import Image, ImageDraw, ImageOps, ImageEnhance, ImageFilter\n"
    "def edit_image(img, k):\n"
    "    w, h = img.size\n"
    "    if k == 0:\n"
    "        out = img.resize((w // 2, h // 3), Image.ANTIALIAS)\n"
    "    elif k == 1:\n"
    "        out = img.rotate(45, Image.BICUBIC, True)\n"
    "    elif k == 2:\n"
    "        out = ImageOps.expand(ImageEnhance.Brightness(img).enhance(2), 10, 'red')\n"
    "    elif k == 3:\n"
    "        out = Image.new(\"RGB\", img.size, \"white\")\n"
    "        d = ImageDraw.Draw(out)\n"
    "        d.line([(0, 0), (w // 2, h // 2), (w, 0)], fill=(10, 200, 30), width=3)\n"
    "        d.rectangle((5.5, 5.2, 60.7, 40.1), outline=(255, 0, 0))\n"
    "        out.paste(img.crop((10.4, 10.6, 100.5, 80.5)), (20, 30))\n"
    "    elif k == 4:\n"
    "        out = "
    "img.filter(ImageFilter.GaussianBlur(radius=2.5)).convert(\"L\").convert(\"RGB\")\n"
    "    elif k == 5:\n"
    "        out = Image.blend(img.point(lambda x: x * 1.5), "
    "img.transpose(Image.Transpose.FLIP_TOP_BOTTOM), 0.3)\n"
    "    elif k == 6:\n"
    "        mask = Image.new(\"RGBA\", (50, 40), (0, 0, 0, 128))\n"
    "        out = img.copy()\n"
    "        out.paste(ImageOps.posterize(img.crop((0, 0, 50, 40)), 3), (7, 9), mask)\n"
    "    else:\n"
    "        out = "
    "ImageOps.pad(ImageOps.autocontrast(img.filter(ImageFilter.MedianFilter(size=5)), cutoff=(1, "
    "2)), (500, 300), color=\"blue\")\n"
    "        out = out.rotate(30, center=(10, 10), translate=(5, 5), fillcolor=\"gray\")\n"
    "    return out\n"
    "args_list = [{\"k\": k} for k in range(8)]\n",

    /* failures that must be failures of the same kind under Pillow */
    "from PIL import Image, ImageOps, ImageDraw\n"
    "def edit_image(img, what):\n"
    "    if what == 0:\n"
    "        return img.resize((10.5, 20))\n"
    "    if what == 1:\n"
    "        return ImageOps.invert(img.convert('RGBA'))\n"
    "    if what == 2:\n"
    "        return img.crop((10, 10, 5, 5))\n"
    "    if what == 3:\n"
    "        ImageDraw.Draw(img).line([(0, 0), (5, 5)], fill=(1.5, 2, 3))\n"
    "    if what == 4:\n"
    "        return img.getpixel((img.width, 0))\n"
    "    if what == 5:\n"
    "        img.paste(img.crop((0, 0, 10, 10)), (0, 0, 20, 20))\n"
    "    if what == 6:\n"
    "        return img.rotate(10, resample=Image.LANCZOS)\n"
    "    if what == 7:\n"
    "        return Image.new('XYZ', (5, 5))\n"
    "    return img.convert('L').filter(ImageOps)\n"
    "args_list = [{'what': k} for k in range(8)]\n",
};

#define N_PROGRAMS ((int)(sizeof programs / sizeof programs[0]))

typedef struct ref_case {
    int ok;
    char kind[64];
} ref_case;

/* Runs pil_exec.py; fills one entry per printed case line. Returns the case count or -1. */
static int run_pillow(const char *prog_path, const char *image, const char *outdir, ref_case *cases,
                      int max)
{
    const char *py = getenv("PYTHON3");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s %s %s %s", py && *py ? py : "/usr/bin/python3",
             t_data_path("reference/pil_exec.py"), prog_path, image, outdir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, p)) {
        int idx;
        char status[16], kind[64];
        if (sscanf(line, "case%d %15s %63s", &idx, status, kind) == 3 && idx == n && n < max) {
            cases[n].ok = strcmp(status, "ok") == 0;
            snprintf(cases[n].kind, sizeof cases[n].kind, "%s", kind);
            n++;
        }
    }
    pclose(p);
    return n;
}

static void compare_images(int prog, int k, const img *got, const char *ref_path)
{
    errmsg e;
    img *want = img_load(ref_path, 0, &e);
    T_CHECK(want != NULL, "program %d case %d: reference image: %s", prog, k, e.text);
    if (!want)
        return;
    int same_shape = want->w == got->w && want->h == got->h && want->mode == got->mode;
    T_CHECK(same_shape, "program %d case %d: %dx%d %s, Pillow %dx%d %s", prog, k, got->w, got->h,
            img_mode_name(got->mode), want->w, want->h, img_mode_name(want->mode));
    if (same_shape) {
        size_t n = img_bytes(got), diff = 0;
        for (size_t i = 0; i < n; i++)
            diff += got->px[i] != want->px[i];
        T_CHECK(diff == 0, "program %d case %d: %zu of %zu bytes differ from Pillow", prog, k, diff,
                n);
    }
    img_free(want);
}

static void check_program(int prog, const img *input, const char *image_path, const char *dir)
{
    char prog_path[512];
    snprintf(prog_path, sizeof prog_path, "%s/prog%d.py", dir, prog);
    FILE *f = fopen(prog_path, "w");
    fputs(programs[prog], f);
    fclose(f);
    ref_case ref[PROG_MAX_CASES];
    int n_ref = run_pillow(prog_path, image_path, dir, ref, PROG_MAX_CASES);
    T_CHECK(n_ref > 0, "program %d: Pillow reference printed no cases", prog);

    prog_result r;
    errmsg e;
    T_CHECK(prog_run(programs[prog], strlen(programs[prog]), input, NULL, &r, &e) == 0,
            "prog_run: %s", e.text);
    T_CHECK(r.fail.kind[0] == 0, "program %d failed: %s line %d: %s", prog, r.fail.kind,
            r.fail.line, r.fail.message);
    T_CHECK(r.n_cases == n_ref, "program %d: %d cases, Pillow %d", prog, r.n_cases, n_ref);
    for (int k = 0; k < r.n_cases && k < n_ref; k++) {
        prog_case *c = &r.cases[k];
        T_CHECK((c->out != NULL) == ref[k].ok,
                "program %d case %d: vkeve %s (%s: %s), Pillow %s %s", prog, k,
                c->out ? "ok" : "fail", c->fail.kind, c->fail.message, ref[k].ok ? "ok" : "fail",
                ref[k].kind);
        if (!c->out && !ref[k].ok)
            T_CHECK(strcmp(c->fail.kind, ref[k].kind) == 0,
                    "program %d case %d: kind %s (%s), Pillow %s", prog, k, c->fail.kind,
                    c->fail.message, ref[k].kind);
        if (c->out && ref[k].ok) {
            char ref_path[600];
            snprintf(ref_path, sizeof ref_path, "%s/case%d.png", dir, k);
            compare_images(prog, k, c->out, ref_path);
            unlink(ref_path);
        }
    }
    prog_result_free(&r);
    unlink(prog_path);
}

int main(void)
{
    char dir[] = "/tmp/prog_pil_XXXXXX";
    T_CHECK(mkdtemp(dir) != NULL, "mkdtemp failed");
    const char *image_path = t_data_path("../assets/test_333x250.png");
    char image_copy[600];
    snprintf(image_copy, sizeof image_copy, "%s", image_path);
    errmsg e;
    img *input = img_load(image_copy, 0, &e);
    T_CHECK(input != NULL, "test image: %s", e.text);
    if (input)
        for (int k = 0; k < N_PROGRAMS; k++)
            check_program(k, input, image_copy, dir);
    img_free(input);
    rmdir(dir);
    return t_finish();
}
