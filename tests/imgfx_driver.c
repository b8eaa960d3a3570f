/* imgfx_driver.c - runs named imgfx cases for the Pillow conformance test.
 *
 *   imgfx_driver CASES OUTDIR
 *
 * Each line of CASES is `name mode w h op key=value ...` (see imgfx_conformance.py, which
 * writes the file and does the same cases with Pillow). For every case the driver writes
 * OUTDIR/name.in (the synthetic input, raw interleaved bytes) and OUTDIR/name.out (the result,
 * raw bytes), or OUTDIR/name.err (the error message) when the operation fails. Ink values are
 * written as  s:STRING (with '~' for a space), i:INT, t:INT,INT,..  or - for None.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img.h"
#include "vision/img_color.h"
#include "vision/img_draw.h"
#include "vision/img_enhance.h"
#include "vision/img_filter.h"

#define MAX_ARGS   32
#define MAX_COORDS 64

typedef struct kv {
    char *key, *value;
} kv;

typedef struct test_case {
    char name[128];
    img_mode mode;
    int w, h;
    char op[32];
    kv args[MAX_ARGS];
    int nargs;
} test_case;

static const char *arg(const test_case *c, const char *key, const char *dflt)
{
    for (int i = 0; i < c->nargs; i++)
        if (strcmp(c->args[i].key, key) == 0)
            return c->args[i].value;
    return dflt;
}

static double arg_num(const test_case *c, const char *key, double dflt)
{
    const char *v = arg(c, key, NULL);
    return v ? strtod(v, NULL) : dflt;
}

static int parse_numbers(const char *text, double *out, int cap)
{
    int n = 0;
    char *end;
    while (*text && n < cap) {
        out[n++] = strtod(text, &end);
        if (end == text)
            break;
        text = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* A deterministic input: gradients, a hard-edged block and hashed noise, so blurs, edge
 * kernels and rank filters all see structure. Alpha varies too. */
static img *synthetic_input(const test_case *c, errmsg *e)
{
    img *im = img_new(c->w, c->h, c->mode, NULL, e);
    if (!im)
        return NULL;
    int ch = img_channels(c->mode);
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            for (int k = 0; k < ch; k++) {
                unsigned hash = (unsigned)x * 73856093u ^ (unsigned)y * 19349663u ^
                                (unsigned)(k + 1) * 83492791u;
                hash = (hash ^ (hash >> 13)) * 0x5bd1e995u;
                int v = (x * 255) / c->w * (k % 2 ? 1 : -1) + (y * 200) / c->h + 40 * k;
                if (x > c->w / 3 && x < c->w / 2 && y > c->h / 4)
                    v += 120;
                v = (v & 511) > 255 ? 511 - (v & 511) : (v & 511);
                v += (int)(hash >> 27) - 16;
                im->px[((size_t)y * c->w + x) * ch + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    return im;
}

/* "-" -> NULL; otherwise ink bytes into buf. */
static int parse_ink(const char *text, img_mode mode, uint8_t buf[4], const uint8_t **ink,
                     errmsg *e)
{
    *ink = NULL;
    if (!text || strcmp(text, "-") == 0)
        return 0;
    *ink = buf;
    if (strncmp(text, "s:", 2) == 0) {
        char s[256];
        snprintf(s, sizeof s, "%s", text + 2);
        for (char *p = s; *p; p++)
            *p = *p == '~' ? ' ' : *p;
        return img_ink_from_str(s, mode, buf, e);
    }
    if (strncmp(text, "i:", 2) == 0) {
        img_ink_from_int(strtoll(text + 2, NULL, 10), mode, buf);
        return 0;
    }
    double v[8];
    long long iv[8];
    int n = parse_numbers(text + 2, v, 8);
    for (int i = 0; i < n; i++)
        iv[i] = (long long)v[i];
    return img_ink_from_tuple(iv, n, mode, buf, e);
}

static const char *const SHAPE_NAMES[] = {
    [IMG_SHAPE_RECTANGLE] = "rectangle", [IMG_SHAPE_ROUNDED_RECTANGLE] = "rounded_rectangle",
    [IMG_SHAPE_ELLIPSE] = "ellipse",     [IMG_SHAPE_ARC] = "arc",
    [IMG_SHAPE_CHORD] = "chord",         [IMG_SHAPE_PIESLICE] = "pieslice",
    [IMG_SHAPE_LINE] = "line",           [IMG_SHAPE_POLYGON] = "polygon",
    [IMG_SHAPE_POINT] = "point"};

/* blend=1 and joint=curve cases go through img_draw() (blend: Pillow's
 * ImageDraw.Draw(im, "RGBA") on an RGB image). */
static int run_shape(const test_case *c, img *im, const double *xy, int n, const uint8_t *fill,
                     const uint8_t *outline, int blend, int joint, errmsg *e)
{
    img_draw_args a = {.xy = xy,
                       .npoints = n,
                       .fill = fill,
                       .outline = outline,
                       .blend = blend,
                       .joint_curve = joint};
    a.width = (int)arg_num(c, "width", strcmp(c->op, "line") == 0 ? 0 : 1);
    a.start = arg_num(c, "start", 0), a.end = arg_num(c, "end", 0);
    a.radius = arg_num(c, "radius", 0);
    for (int i = 0; i <= IMG_SHAPE_POINT; i++)
        if (strcmp(SHAPE_NAMES[i], c->op) == 0) {
            a.shape = (img_shape)i;
            return img_draw(im, &a, e);
        }
    return err_set(e, ERR_FAIL, "unknown draw op '%s'", c->op);
}

static int run_draw(const test_case *c, img *im, errmsg *e)
{
    double xy[MAX_COORDS];
    int n = parse_numbers(arg(c, "xy", ""), xy, MAX_COORDS) / 2;
    int blend = arg_num(c, "blend", 0) != 0, joint = strcmp(arg(c, "joint", "-"), "curve") == 0;
    img_mode ink_mode = blend ? IMG_RGBA : im->mode;
    uint8_t fb[4], ob[4];
    const uint8_t *fill, *outline;
    if (parse_ink(arg(c, "fill", "-"), ink_mode, fb, &fill, e) ||
        parse_ink(arg(c, "outline", "-"), ink_mode, ob, &outline, e))
        return ERR_FAIL;
    if (blend || joint)
        return run_shape(c, im, xy, n, fill, outline, blend, joint, e);
    int width = (int)arg_num(c, "width", 1);
    double start = arg_num(c, "start", 0), end = arg_num(c, "end", 0);
    const char *op = c->op;
    if (strcmp(op, "rectangle") == 0)
        return img_draw_rectangle(im, xy, fill, outline, width, e);
    if (strcmp(op, "rounded_rectangle") == 0)
        return img_draw_rounded_rectangle(im, xy, arg_num(c, "radius", 0), fill, outline, width, e);
    if (strcmp(op, "ellipse") == 0)
        return img_draw_ellipse(im, xy, fill, outline, width, e);
    if (strcmp(op, "chord") == 0)
        return img_draw_chord(im, xy, start, end, fill, outline, width, e);
    if (strcmp(op, "pieslice") == 0)
        return img_draw_pieslice(im, xy, start, end, fill, outline, width, e);
    if (strcmp(op, "arc") == 0)
        return img_draw_arc(im, xy, start, end, fill, width, e);
    if (strcmp(op, "line") == 0)
        return img_draw_line(im, xy, n, fill, (int)arg_num(c, "width", 0), e);
    if (strcmp(op, "polygon") == 0)
        return img_draw_polygon(im, xy, n, fill, outline, width, e);
    if (strcmp(op, "point") == 0)
        return img_draw_point(im, xy, n, fill, e);
    if (strcmp(op, "floodfill") == 0)
        return img_floodfill(im, xy[0], xy[1], fill, outline, (int)arg_num(c, "thresh", 0), e);
    if (strcmp(op, "regular_polygon") == 0)
        return img_draw_regular_polygon(im, xy[0], xy[1], arg_num(c, "r", 1),
                                        (int)arg_num(c, "sides", 3), arg_num(c, "rotation", 0),
                                        fill, outline, 0, e);
    return err_set(e, ERR_FAIL, "unknown draw op '%s'", op);
}

static img *run_image_op(const test_case *c, const img *in, errmsg *e)
{
    const char *op = c->op;
    if (strcmp(op, "filter") == 0) {
        img_filter_builtin f = img_filter_builtin_parse(arg(c, "name", ""));
        return img_filter_apply_builtin(in, f, e);
    }
    if (strcmp(op, "kernel") == 0) {
        double k[25];
        int size = (int)arg_num(c, "size", 3);
        double scale = arg_num(c, "scale", 0);
        parse_numbers(arg(c, "k", ""), k, 25);
        /* scale=0 in a case stands for Pillow's scale=None */
        return img_filter_kernel(in, size, k, scale != 0 ? &scale : NULL, arg_num(c, "offset", 0),
                                 e);
    }
    if (strcmp(op, "gaussian") == 0)
        return img_filter_gaussian_blur(in, arg_num(c, "radius", 2), e);
    if (strcmp(op, "boxblur") == 0)
        return img_filter_box_blur(in, arg_num(c, "radius", 1), e);
    if (strcmp(op, "unsharp") == 0)
        return img_filter_unsharp_mask(in, arg_num(c, "radius", 2), (int)arg_num(c, "percent", 150),
                                       (int)arg_num(c, "threshold", 3), e);
    if (strcmp(op, "rank") == 0) {
        const char *kind = arg(c, "kind", "median");
        img_rank_kind k = strcmp(kind, "min") == 0   ? IMG_RANK_MIN
                          : strcmp(kind, "max") == 0 ? IMG_RANK_MAX
                                                     : IMG_RANK_MEDIAN;
        return img_filter_rank(in, k, (int)arg_num(c, "size", 3), e);
    }
    if (strcmp(op, "rankfilter") == 0)
        return img_filter_rank_n(in, (int)arg_num(c, "size", 3), (int)arg_num(c, "rank", 0), e);
    if (strcmp(op, "modefilter") == 0)
        return img_filter_mode(in, (int)arg_num(c, "size", 3), e);
    if (strcmp(op, "enhance") == 0)
        return img_enhance(in, img_enhance_parse(arg(c, "kind", "")), arg_num(c, "factor", 1), e);
    if (strcmp(op, "blend") == 0) {
        img *flipped = img_copy(in, e);
        if (!flipped)
            return NULL;
        size_t n = img_bytes(in);
        for (size_t i = 0; i < n; i++)
            flipped->px[i] = in->px[n - 1 - i];
        img *out = img_blend(in, flipped, arg_num(c, "alpha", 0.5), e);
        img_free(flipped);
        return out;
    }
    img *out = img_copy(in, e);
    if (out && run_draw(c, out, e)) {
        img_free(out);
        return NULL;
    }
    return out;
}

static int write_file(const char *dir, const char *name, const char *ext, const void *data,
                      size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "imgfx_driver: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int run_case(const test_case *c, const char *dir)
{
    errmsg e = {0, ""};
    if (strcmp(c->op, "color") == 0) {
        uint8_t ink[4] = {0, 0, 0, 0};
        const uint8_t *p;
        if (parse_ink(arg(c, "ink", "-"), c->mode, ink, &p, &e))
            return write_file(dir, c->name, "err", e.text, strlen(e.text));
        return write_file(dir, c->name, "out", ink, 4);
    }
    img *in = synthetic_input(c, &e);
    if (!in) {
        fprintf(stderr, "imgfx_driver: %s: %s\n", c->name, e.text);
        return 1;
    }
    int rc = write_file(dir, c->name, "in", in->px, img_bytes(in));
    img *out = run_image_op(c, in, &e);
    if (!out)
        rc |= write_file(dir, c->name, "err", e.text, strlen(e.text));
    else
        rc |= write_file(dir, c->name, "out", out->px, img_bytes(out));
    img_free(in);
    img_free(out);
    return rc;
}

static int parse_line(char *line, test_case *c)
{
    char mode[8];
    int used = 0;
    if (sscanf(line, "%127s %7s %d %d %31s%n", c->name, mode, &c->w, &c->h, c->op, &used) != 5)
        return 1;
    c->mode = img_mode_parse(mode);
    c->nargs = 0;
    for (char *tok = strtok(line + used, " \t\n"); tok && c->nargs < MAX_ARGS;
         tok = strtok(NULL, " \t\n")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            return 1;
        *eq = 0;
        c->args[c->nargs++] = (kv){tok, eq + 1};
    }
    return c->mode == 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: imgfx_driver CASES OUTDIR\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "imgfx_driver: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char line[4096];
    int rc = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        test_case c;
        if (parse_line(line, &c)) {
            fprintf(stderr, "imgfx_driver: %s:%d: malformed case\n", argv[1], lineno);
            rc = 2;
            continue;
        }
        rc |= run_case(&c, argv[2]);
    }
    fclose(f);
    return rc;
}
