/* seedimg.c - synthetic outdoor scenes for the default job (evolve/seedimg.h). */
#include "evolve/seedimg.h"

#include <math.h>
#include <string.h>

#include "base/rng.h"
#include "vision/img_draw.h"

/* Sizes cycle with the index: landscape, square and portrait, 76,800 to 307,200 pixels. */
static const int SIZES[][2] = {{640, 480}, {480, 360}, {320, 240}, {384, 512}, {560, 420},
                               {512, 384}, {360, 480}, {448, 448}, {600, 400}, {480, 640}};
enum { N_SIZES = sizeof SIZES / sizeof SIZES[0] };

/* Sky top and horizon colours: day, sunset, overcast, dawn. */
static const uint8_t SKIES[][2][3] = {{{60, 120, 220}, {170, 210, 250}},
                                      {{80, 70, 160}, {250, 170, 90}},
                                      {{120, 140, 170}, {210, 215, 225}},
                                      {{110, 150, 230}, {250, 200, 200}}};
/* Ground near the horizon and at the bottom: meadow, sand, olive, snow. */
static const uint8_t GROUNDS[][2][3] = {{{120, 190, 90}, {60, 130, 50}},
                                        {{235, 210, 150}, {190, 160, 100}},
                                        {{160, 170, 90}, {110, 120, 60}},
                                        {{235, 240, 245}, {190, 200, 215}}};
/* Object colours, far apart from each other and from the backgrounds; none near black. */
static const uint8_t PALETTE[][3] = {{220, 40, 40},  {40, 90, 220},   {250, 200, 40},
                                     {150, 60, 200}, {30, 160, 70},   {250, 130, 30},
                                     {30, 190, 200}, {230, 80, 170},  {245, 245, 240},
                                     {150, 95, 55},  {120, 200, 120}, {90, 90, 110}};
enum { N_PALETTE = sizeof PALETTE / sizeof PALETTE[0], MAX_OBJECTS = 6 };

typedef struct scene {
    img *im;
    rng r;
    int w, h, horizon;
    int next_colour;
    uint8_t order[N_PALETTE]; /* palette shuffled: each object gets its own colour */
    errmsg *e;
} scene;

typedef struct object {
    int kind;
    double x, base, size;
} object;

static double uni(scene *s, double lo, double hi)
{
    return lo + (hi - lo) * (double)rng_float(&s->r);
}

static uint8_t clamp8(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)lround(v);
}

/* base moved by up to +-amount per channel, as an RGB ink. */
static void jitter(scene *s, const uint8_t base[3], int amount, uint8_t ink[4])
{
    for (int k = 0; k < 3; k++)
        ink[k] = clamp8(base[k] + uni(s, -amount, amount));
    ink[3] = 255;
}

static void shade(const uint8_t ink[4], double factor, uint8_t out[4])
{
    for (int k = 0; k < 3; k++)
        out[k] = clamp8(ink[k] * factor);
    out[3] = 255;
}

static void object_colour(scene *s, uint8_t ink[4])
{
    jitter(s, PALETTE[s->order[s->next_colour++ % N_PALETTE]], 12, ink);
}

/* Rows y0..y1-1 in a vertical gradient from top to bottom. */
static void fill_rows(img *im, int y0, int y1, const uint8_t top[4], const uint8_t bottom[4])
{
    for (int y = y0; y < y1; y++) {
        double t = y1 - y0 > 1 ? (double)(y - y0) / (y1 - y0 - 1) : 0;
        uint8_t c[3];
        for (int k = 0; k < 3; k++)
            c[k] = clamp8(top[k] + t * (bottom[k] - top[k]));
        uint8_t *row = im->px + (size_t)y * im->w * 3;
        for (int x = 0; x < im->w; x++)
            memcpy(row + 3 * x, c, 3);
    }
}

static int ellipse(scene *s, double cx, double cy, double rx, double ry, const uint8_t *fill,
                   const uint8_t *outline, int width)
{
    double box[4] = {cx - rx, cy - ry, cx + rx, cy + ry};
    return img_draw_ellipse(s->im, box, fill, outline, width, s->e);
}

static int rect(scene *s, double x0, double y0, double x1, double y1, const uint8_t *fill)
{
    double box[4] = {x0, y0, x1, y1};
    return img_draw_rectangle(s->im, box, fill, NULL, 1, s->e);
}

static int sky(scene *s)
{
    const uint8_t(*theme)[3] = SKIES[rng_below(&s->r, 4)];
    uint8_t top[4], low[4], sun[4];
    jitter(s, theme[0], 15, top);
    jitter(s, theme[1], 15, low);
    fill_rows(s->im, 0, s->horizon, top, low);
    static const uint8_t SUN[3] = {255, 235, 150};
    jitter(s, SUN, 10, sun);
    double m = s->w < s->h ? s->w : s->h;
    return ellipse(s, uni(s, 0.1, 0.9) * s->w, uni(s, 0.08, 0.3) * s->horizon + 0.05 * m,
                   uni(s, 0.04, 0.08) * m, uni(s, 0.04, 0.08) * m, sun, NULL, 1);
}

/* A cloud: a few overlapping white ellipses. */
static int cloud(scene *s)
{
    static const uint8_t WHITE[3] = {245, 245, 250};
    uint8_t ink[4];
    jitter(s, WHITE, 8, ink);
    double cx = uni(s, 0, s->w), cy = uni(s, 0.1, 0.6) * s->horizon;
    double size = uni(s, 0.05, 0.1) * s->w;
    int rc = 0, parts = 3 + (int)rng_below(&s->r, 3);
    for (int i = 0; i < parts && !rc; i++)
        rc = ellipse(s, cx + uni(s, -1.2, 1.2) * size, cy + uni(s, -0.3, 0.3) * size,
                     uni(s, 0.5, 1.0) * size, uni(s, 0.25, 0.45) * size, ink, NULL, 1);
    return rc;
}

static int mountains(scene *s)
{
    static const uint8_t ROCK[3] = {120, 125, 150};
    uint8_t ink[4];
    jitter(s, ROCK, 25, ink);
    int peaks = 3 + (int)rng_below(&s->r, 4);
    double xy[2 * (2 * 6 + 3)];
    int n = 0;
    xy[n++] = 0, xy[n++] = s->horizon;
    for (int i = 0; i < peaks; i++) {
        double x = (i + uni(s, 0.3, 0.7)) * s->w / peaks;
        xy[n++] = x, xy[n++] = s->horizon - uni(s, 0.08, 0.3) * s->h;
        xy[n++] = x + uni(s, 0.3, 0.5) * s->w / peaks;
        xy[n++] = s->horizon - uni(s, 0.02, 0.08) * s->h;
    }
    xy[n++] = s->w, xy[n++] = s->horizon;
    return img_draw_polygon(s->im, xy, n / 2, ink, NULL, 1, s->e);
}

/* The ground gradient and a road running to a point on the horizon. */
static int ground(scene *s)
{
    const uint8_t(*theme)[3] = GROUNDS[rng_below(&s->r, 4)];
    uint8_t near[4], far[4], road[4], stripe[4];
    jitter(s, theme[0], 15, far);
    jitter(s, theme[1], 15, near);
    fill_rows(s->im, s->horizon, s->h, far, near);
    static const uint8_t ASPHALT[3] = {150, 150, 155}, PAINT[3] = {250, 250, 240};
    jitter(s, ASPHALT, 20, road);
    jitter(s, PAINT, 5, stripe);
    double vx = uni(s, 0.2, 0.8) * s->w, bx = uni(s, 0.1, 0.9) * s->w;
    double half = uni(s, 0.08, 0.18) * s->w;
    double xy[8] = {bx - half, s->h, bx + half, s->h, vx + 2, s->horizon, vx - 2, s->horizon};
    int rc = img_draw_polygon(s->im, xy, 4, road, NULL, 1, s->e);
    for (double t = 0.05; t < 0.95 && !rc; t += 0.2) {
        double a[4] = {bx + (vx - bx) * t, s->h + (s->horizon - s->h) * t,
                       bx + (vx - bx) * (t + 0.1), s->h + (s->horizon - s->h) * (t + 0.1)};
        rc = img_draw_line(s->im, a, 2, stripe, 1 + (int)(3 * (1 - t)), s->e);
    }
    return rc;
}

static int house(scene *s, const object *o)
{
    uint8_t wall[4], roof[4], door[4];
    object_colour(s, wall);
    object_colour(s, roof);
    shade(wall, 0.55, door);
    double x = o->x, b = o->base, z = o->size;
    int rc = rect(s, x, b - 0.7 * z, x + z, b, wall);
    double tri[6] = {x - 0.12 * z, b - 0.7 * z,  x + 0.5 * z,
                     b - 1.15 * z, x + 1.12 * z, b - 0.7 * z};
    if (!rc)
        rc = img_draw_polygon(s->im, tri, 3, roof, NULL, 1, s->e);
    if (!rc)
        rc = rect(s, x + 0.15 * z, b - 0.35 * z, x + 0.35 * z, b, door);
    static const uint8_t GLASS[3] = {250, 240, 170};
    uint8_t glass[4];
    jitter(s, GLASS, 5, glass);
    if (!rc)
        rc = rect(s, x + 0.55 * z, b - 0.55 * z, x + 0.85 * z, b - 0.3 * z, glass);
    return rc;
}

static int tree(scene *s, const object *o)
{
    static const uint8_t BARK[3] = {130, 85, 50};
    uint8_t bark[4], crown[4];
    jitter(s, BARK, 10, bark);
    object_colour(s, crown);
    double x = o->x, b = o->base, z = o->size;
    int rc = rect(s, x - 0.07 * z, b - 0.55 * z, x + 0.07 * z, b, bark);
    return rc ? rc : ellipse(s, x, b - 0.85 * z, 0.35 * z, 0.45 * z, crown, NULL, 1);
}

static int ball(scene *s, const object *o)
{
    uint8_t fill[4], edge[4];
    object_colour(s, fill);
    shade(fill, 0.7, edge);
    double r = 0.3 * o->size;
    return ellipse(s, o->x, o->base - r, r, r, fill, edge, 1 + (int)(r / 12));
}

static int flag(scene *s, const object *o)
{
    static const uint8_t POLE[3] = {190, 190, 195};
    uint8_t pole[4], cloth[4];
    jitter(s, POLE, 10, pole);
    object_colour(s, cloth);
    double x = o->x, b = o->base, z = o->size;
    double line[4] = {x, b, x, b - 1.3 * z};
    int rc = img_draw_line(s->im, line, 2, pole, 2 + (int)(z / 60), s->e);
    double tri[6] = {x, b - 1.3 * z, x + 0.6 * z, b - 1.12 * z, x, b - 0.95 * z};
    return rc ? rc : img_draw_polygon(s->im, tri, 3, cloth, NULL, 1, s->e);
}

static int fence(scene *s, const object *o)
{
    uint8_t wood[4];
    object_colour(s, wood);
    double x = o->x, b = o->base, z = o->size;
    int width = 1 + (int)(z / 40), rc = 0;
    for (int i = 0; i <= 5 && !rc; i++) {
        double post[4] = {x + i * 0.3 * z, b, x + i * 0.3 * z, b - 0.5 * z};
        rc = img_draw_line(s->im, post, 2, wood, width, s->e);
    }
    double rail[4] = {x, b - 0.35 * z, x + 1.5 * z, b - 0.35 * z};
    return rc ? rc : img_draw_line(s->im, rail, 2, wood, width, s->e);
}

static int birds(scene *s)
{
    static const uint8_t INK[3] = {70, 70, 85};
    uint8_t ink[4];
    jitter(s, INK, 10, ink);
    int n = (int)rng_below(&s->r, 5), rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        double x = uni(s, 0.05, 0.95) * s->w, y = uni(s, 0.1, 0.7) * s->horizon;
        double z = uni(s, 0.01, 0.025) * s->w;
        double v[6] = {x - z, y - 0.5 * z, x, y, x + z, y - 0.6 * z};
        rc = img_draw_line(s->im, v, 3, ink, 2, s->e);
    }
    return rc;
}

typedef int (*draw_fn)(scene *, const object *);
static const draw_fn OBJECTS[] = {house, tree, ball, flag, fence};
enum { N_KINDS = sizeof OBJECTS / sizeof OBJECTS[0] };

/* Places 3 to 6 objects on the ground, larger when nearer, drawn far to near. */
static int objects(scene *s)
{
    object obj[MAX_OBJECTS];
    int n = 3 + (int)rng_below(&s->r, MAX_OBJECTS - 2);
    double m = s->w < s->h ? s->w : s->h;
    for (int i = 0; i < n; i++) {
        double t = uni(s, 0.1, 0.95);
        obj[i].kind = (int)rng_below(&s->r, N_KINDS);
        obj[i].base = s->horizon + t * (s->h - s->horizon);
        obj[i].size = (0.1 + 0.25 * t) * m;
        obj[i].x = uni(s, 0.03, 0.97) * s->w - 0.5 * obj[i].size;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && obj[j].base < obj[j - 1].base; j--) {
            object tmp = obj[j];
            obj[j] = obj[j - 1];
            obj[j - 1] = tmp;
        }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = OBJECTS[obj[i].kind](s, &obj[i]);
    return rc;
}

static void shuffle_palette(scene *s)
{
    for (int i = 0; i < N_PALETTE; i++)
        s->order[i] = (uint8_t)i;
    for (int i = N_PALETTE - 1; i > 0; i--) {
        int j = (int)rng_below(&s->r, (uint32_t)i + 1);
        uint8_t tmp = s->order[i];
        s->order[i] = s->order[j];
        s->order[j] = tmp;
    }
}

static int draw_scene(scene *s)
{
    int rc = sky(s);
    int clouds = (int)rng_below(&s->r, 4);
    for (int i = 0; i < clouds && !rc; i++)
        rc = cloud(s);
    if (!rc)
        rc = mountains(s);
    if (!rc)
        rc = ground(s);
    if (!rc)
        rc = objects(s);
    return rc ? rc : birds(s);
}

int seedimg_render(int index, uint64_t seed, img **out, errmsg *e)
{
    *out = NULL;
    if (index < 0)
        return err_set(e, ERR_FAIL, "seedimg_render: negative image index %d", index);
    scene s = {0};
    s.r = rng_make(seed, 0x5eed1a6e00000000ull + (uint64_t)index);
    s.w = SIZES[index % N_SIZES][0];
    s.h = SIZES[index % N_SIZES][1];
    s.horizon = (int)(s.h * uni(&s, 0.45, 0.65));
    s.e = e;
    shuffle_palette(&s);
    s.im = img_new(s.w, s.h, IMG_RGB, NULL, e);
    if (!s.im)
        return err_prefix(e, "seed image %d: ", index);
    if (draw_scene(&s)) {
        img_free(s.im);
        return err_prefix(e, "seed image %d: ", index);
    }
    *out = s.im;
    return 0;
}
