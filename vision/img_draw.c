/* img_draw.c - Pillow 9.4's ImageDraw rasterisation rules, reimplemented (see img_draw.h).
 *
 * Pixel-exactness with Pillow needs its exact rules, quirks included:
 *   - thin lines are Bresenham lines that leave out their last pixel;
 *   - filled polygons are scanline-filled from float edge crossings rounded inward, with
 *     horizontal edges drawn whole and Pillow's "discontiguous corner" adjustment;
 *   - wide lines are 4-sided polygons; wide polygon outlines are wide lines (2w-1) kept only
 *     inside the filled polygon (Pillow does that with two masks and paste);
 *   - ellipses walk a quarter ellipse on a doubled integer grid and mirror it.
 * All drawing goes through a `pen`: the target image and the bytes to write.
 */
#include "vision/img_draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_color.h"

/* Coordinates beyond this are clamped before truncation, so that (int) never overflows. */
#define COORD_LIMIT 1.0e9

typedef struct pen {
    img *im;
    int ch;
    uint8_t ink[4];
} pen;

/* One polygon edge, as Pillow keeps it: integer ends, float slope dx/dy. */
typedef struct edge {
    int x0, y0;
    int xmin, xmax, ymin, ymax;
    float dx;
} edge;

static pen make_pen(img *im, const uint8_t *ink)
{
    pen p = {im, img_channels(im->mode), {0, 0, 0, 0}};
    memcpy(p.ink, ink, 4);
    return p;
}

static int coord(double v)
{
    if (!(v == v))
        return 0;
    if (v > COORD_LIMIT)
        v = COORD_LIMIT;
    if (v < -COORD_LIMIT)
        v = -COORD_LIMIT;
    return (int)v;
}

static void pen_point(const pen *p, int x, int y)
{
    if (x < 0 || y < 0 || x >= p->im->w || y >= p->im->h)
        return;
    memcpy(p->im->px + ((size_t)y * (size_t)p->im->w + (size_t)x) * (size_t)p->ch, p->ink,
           (size_t)p->ch);
}

static void pen_hline(const pen *p, int x0, int y, int x1)
{
    if (y < 0 || y >= p->im->h)
        return;
    if (x0 > x1) {
        int t = x0;
        x0 = x1, x1 = t;
    }
    if (x0 < 0)
        x0 = 0;
    if (x1 >= p->im->w)
        x1 = p->im->w - 1;
    if (x0 > x1)
        return;
    uint8_t *row = p->im->px + (size_t)y * (size_t)p->im->w * (size_t)p->ch;
    if (p->ch == 1) {
        memset(row + x0, p->ink[0], (size_t)(x1 - x0 + 1));
        return;
    }
    for (int x = x0; x <= x1; x++)
        memcpy(row + (size_t)x * (size_t)p->ch, p->ink, (size_t)p->ch);
}

/* Bresenham from (x0,y0) towards (x1,y1), leaving out (x1,y1) itself. */
static void pen_line(const pen *p, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), dy = abs(y1 - y0);
    int xs = x1 < x0 ? -1 : 1, ys = y1 < y0 ? -1 : 1;
    if (dx == 0 || dy == 0) {
        for (int i = 0; i < dx + dy; i++, x0 += dx ? xs : 0, y0 += dy ? ys : 0)
            pen_point(p, x0, y0);
        return;
    }
    int major = dx > dy ? dx : dy, minor = dx > dy ? dy : dx;
    int err = 2 * minor - major;
    for (int i = 0; i < major; i++) {
        pen_point(p, x0, y0);
        if (err >= 0) {
            if (dx > dy)
                y0 += ys;
            else
                x0 += xs;
            err -= 2 * major;
        }
        err += 2 * minor;
        if (dx > dy)
            x0 += xs;
        else
            y0 += ys;
    }
}

/* Pillow's ROUND_UP / ROUND_DOWN on a float: half-way cases go outward / inward. The
 * positive branch adds 0.5 in float precision, the negative one in double, as Pillow's
 * macros do. */
static int round_up_f(float f)
{
    return f >= 0 ? (int)floor((float)(f + 0.5f)) : (int)-floor(fabs((double)f) + 0.5);
}

static int round_down_f(float f)
{
    return f >= 0 ? (int)ceil((float)(f - 0.5f)) : (int)-ceil(fabs((double)f) - 0.5);
}

static int round_up_d(double f) { return f >= 0 ? (int)floor(f + 0.5) : (int)-floor(fabs(f) + 0.5); }

static int round_down_d(double f)
{
    return f >= 0 ? (int)ceil(f - 0.5) : (int)-ceil(fabs(f) - 0.5);
}

static edge make_edge(int x0, int y0, int x1, int y1)
{
    edge e = {x0, y0, x0 < x1 ? x0 : x1, x0 < x1 ? x1 : x0, y0 < y1 ? y0 : y1,
              y0 < y1 ? y1 : y0, 0.0f};
    if (y0 != y1)
        e.dx = (float)(x1 - x0) / (float)(y1 - y0);
    return e;
}

static float edge_x_at(const edge *e, int y) { return (float)(y - e->y0) * e->dx + (float)e->x0; }

static int compare_float(const void *a, const void *b)
{
    float d = *(const float *)a - *(const float *)b;
    return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/* Pillow moves a crossing where two edges with slopes of the same sign meet at a whole
 * pixel on the scanline, so that thin corners stay connected. Quirk kept on purpose: the
 * adjusted value goes to crossing slot k (the other edge's index), not to the pair's slot. */
static void connect_corner(edge **table, int i, int y, int ymax, float *xx, int last)
{
    const edge *cur = table[i];
    for (int k = 0; k < i; k++) {
        const edge *other = table[k];
        if ((cur->dx > 0 && other->dx <= 0) || (cur->dx < 0 && other->dx >= 0))
            continue;
        int both_start = y == cur->ymin && y == other->ymin;
        int both_end = y == cur->ymax && y == other->ymax;
        if (!(both_start || both_end) || xx[last] != edge_x_at(other, y))
            continue;
        int next = y == ymax ? y - 1 : y + 1;
        float a = edge_x_at(cur, next), b = edge_x_at(other, next);
        if (y == cur->ymax)
            xx[k] = cur->dx > 0 ? (float)(fmax(a, b) + 1) : (float)(fmin(a, b) - 1);
        else
            xx[k] = cur->dx > 0 ? (float)fmin(a, b) : (float)(fmax(a, b) + 1);
        return;
    }
}

static int pen_polygon(const pen *p, const edge *edges, int n, errmsg *e)
{
    if (n <= 0)
        return 0;
    edge **table = malloc((size_t)n * sizeof *table);
    float *xx = malloc((size_t)n * 2 * sizeof *xx);
    if (!table || !xx) {
        free(table);
        free(xx);
        return err_set(e, ERR_FAIL, "draw: out of memory for a %d-edge polygon", n);
    }
    int count = 0, ymin = p->im->h - 1, ymax = 0;
    for (int i = 0; i < n; i++) {
        ymin = edges[i].ymin < ymin ? edges[i].ymin : ymin;
        ymax = edges[i].ymax > ymax ? edges[i].ymax : ymax;
        if (edges[i].ymin == edges[i].ymax)
            pen_hline(p, edges[i].xmin, edges[i].ymin, edges[i].xmax);
        else
            table[count++] = (edge *)&edges[i];
    }
    ymin = ymin < 0 ? 0 : ymin;
    ymax = ymax > p->im->h ? p->im->h : ymax;
    for (int y = ymin; y <= ymax; y++) {
        int j = 0;
        for (int i = 0; i < count; i++) {
            const edge *cur = table[i];
            if (y < cur->ymin || y > cur->ymax)
                continue;
            xx[j++] = edge_x_at(cur, y);
            if (y == cur->ymax && y < ymax) {
                xx[j] = xx[j - 1];
                j++;
            } else if (cur->dx != 0 && roundf(xx[j - 1]) == xx[j - 1]) {
                connect_corner(table, i, y, ymax, xx, j - 1);
            }
        }
        qsort(xx, (size_t)j, sizeof *xx, compare_float);
        for (int i = 1; i < j; i += 2)
            pen_hline(p, round_up_f(xx[i - 1]), y, round_down_f(xx[i]));
    }
    free(table);
    free(xx);
    return 0;
}

/* A line `width` pixels wide as Pillow draws it: a 4-sided polygon around the segment. */
static int pen_wide_line(const pen *p, int x0, int y0, int x1, int y1, int width, errmsg *e)
{
    int dx = x1 - x0, dy = y1 - y0;
    if (dx == 0 && dy == 0) {
        pen_point(p, x0, y0);
        return 0;
    }
    double length = hypot(dx, dy), half = (width - 1) / 2.0;
    double ratio_max = round_up_d(half) / length, ratio_min = round_down_d(half) / length;
    int dxmin = round_down_d(ratio_min * dy), dxmax = round_down_d(ratio_max * dy);
    int dymin = round_down_d(ratio_min * dx), dymax = round_down_d(ratio_max * dx);
    int v[4][2] = {{x0 - dxmin, y0 + dymax},
                   {x1 - dxmin, y1 + dymax},
                   {x1 + dxmax, y1 - dymin},
                   {x0 + dxmax, y0 - dymin}};
    edge edges[4];
    for (int i = 0; i < 4; i++)
        edges[i] = make_edge(v[i][0], v[i][1], v[(i + 1) % 4][0], v[(i + 1) % 4][1]);
    return pen_polygon(p, edges, 4, e);
}

/* Pillow joins a run of collinear horizontal edges going the same way into one edge. */
static int pen_fill_polygon(const pen *p, const int *xy, int count, errmsg *e)
{
    edge *edges = malloc((size_t)count * sizeof *edges);
    if (!edges)
        return err_set(e, ERR_FAIL, "draw: out of memory for a %d-point polygon", count);
    int n = 0, i;
    for (i = 0; i < count - 1; i++) {
        int x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
        if (y0 == y1 && i != 0 && y0 == xy[2 * i - 1]) {
            int xprev = xy[2 * i - 2];
            if (x1 > x0 && x0 > xprev) {
                edges[n - 1].xmax = x1;
                continue;
            }
            if (x1 < x0 && x0 < xprev) {
                edges[n - 1].xmin = x1;
                continue;
            }
        }
        edges[n++] = make_edge(x0, y0, x1, y1);
    }
    if (xy[2 * i] != xy[0] || xy[2 * i + 1] != xy[1])
        edges[n++] = make_edge(xy[2 * i], xy[2 * i + 1], xy[0], xy[1]);
    int rc = pen_polygon(p, edges, n, e);
    free(edges);
    return rc;
}

/* The closed outline: thin lines for width 1, wide lines otherwise. */
static int pen_outline_polygon(const pen *p, const int *xy, int count, int width, errmsg *e)
{
    for (int i = 0; i < count; i++) {
        int j = i + 1 < count ? i + 1 : 0;
        if (width == 1)
            pen_line(p, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]);
        else if (pen_wide_line(p, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1], width, e))
            return e ? e->code : ERR_FAIL;
    }
    return 0;
}

static int *truncate_coords(const double *xy, int npoints, errmsg *e)
{
    int *ixy = malloc((size_t)npoints * 2 * sizeof *ixy);
    if (!ixy) {
        err_set(e, ERR_FAIL, "draw: out of memory for %d points", npoints);
        return NULL;
    }
    for (int i = 0; i < 2 * npoints; i++)
        ixy[i] = coord(xy[i]);
    return ixy;
}

static int check_drawable(const img *im, const char *what, errmsg *e)
{
    if (!im || (im->mode != IMG_L && im->mode != IMG_RGB && im->mode != IMG_RGBA))
        return err_set(e, ERR_FAIL, "%s: image must be L, RGB or RGBA", what);
    return 0;
}

static int same_ink(const uint8_t *a, const uint8_t *b) { return a && b && memcmp(a, b, 4) == 0; }

/* Pillow's _getink(outline, fill): with neither given, the outline gets the default ink.
 * Returns whether the outline is to be drawn. */
static int resolve_inks(img_mode mode, const uint8_t **fill, const uint8_t **outline,
                        uint8_t default_ink[4], int width)
{
    if (!*fill && !*outline) {
        img_ink_default(mode, default_ink);
        *outline = default_ink;
    }
    return *outline && !same_ink(*outline, *fill) && width != 0;
}

/* Polygon outline wider than 1: wide lines of 2*width-1, kept only inside the polygon. */
static int draw_wide_polygon_outline(img *im, const int *xy, int n, const uint8_t *ink,
                                     int width, errmsg *e)
{
    static const uint8_t one[4] = {1, 0, 0, 0};
    img *inside = img_new(im->w, im->h, IMG_L, NULL, e);
    img *band = inside ? img_new(im->w, im->h, IMG_L, NULL, e) : NULL;
    int rc = band ? 0 : ERR_FAIL;
    if (!rc) {
        pen pin = make_pen(inside, one), pband = make_pen(band, one);
        rc = pen_fill_polygon(&pin, xy, n, e);
        if (!rc)
            rc = pen_outline_polygon(&pband, xy, n, width * 2 - 1, e);
    }
    if (!rc) {
        int ch = img_channels(im->mode);
        size_t npx = (size_t)im->w * (size_t)im->h;
        for (size_t i = 0; i < npx; i++)
            if (inside->px[i] && band->px[i])
                memcpy(im->px + i * (size_t)ch, ink, (size_t)ch);
    }
    img_free(inside);
    img_free(band);
    return rc;
}

int img_draw_polygon(img *im, const double *xy, int npoints, const uint8_t *fill,
                     const uint8_t *outline, int width, errmsg *e)
{
    if (check_drawable(im, "polygon", e))
        return ERR_FAIL;
    if (npoints < 2)
        return err_set(e, ERR_FAIL,
                       "polygon: coordinate list must contain at least 2 coordinates (got %d)",
                       npoints);
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int *ixy = truncate_coords(xy, npoints, e);
    if (!ixy)
        return ERR_FAIL;
    int rc = 0;
    if (fill) {
        pen p = make_pen(im, fill);
        rc = pen_fill_polygon(&p, ixy, npoints, e);
    }
    if (!rc && want_outline) {
        pen p = make_pen(im, outline);
        rc = width == 1 ? pen_outline_polygon(&p, ixy, npoints, 1, e)
                        : draw_wide_polygon_outline(im, ixy, npoints, outline, width, e);
    }
    free(ixy);
    return rc;
}

int img_draw_line(img *im, const double *xy, int npoints, const uint8_t *ink, int width,
                  errmsg *e)
{
    if (check_drawable(im, "line", e))
        return ERR_FAIL;
    if (npoints < 0)
        return err_set(e, ERR_FAIL, "line: negative point count %d", npoints);
    uint8_t dflt[4];
    if (!ink) {
        img_ink_default(im->mode, dflt);
        ink = dflt;
    }
    pen p = make_pen(im, ink);
    for (int i = 0; i + 1 < npoints; i++) {
        int x0 = coord(xy[2 * i]), y0 = coord(xy[2 * i + 1]);
        int x1 = coord(xy[2 * i + 2]), y1 = coord(xy[2 * i + 3]);
        if (width <= 1)
            pen_line(&p, x0, y0, x1, y1);
        else if (pen_wide_line(&p, x0, y0, x1, y1, width, e))
            return ERR_FAIL;
    }
    if (width <= 1 && npoints >= 2)
        pen_point(&p, coord(xy[2 * npoints - 2]), coord(xy[2 * npoints - 1]));
    return 0;
}

int img_draw_point(img *im, const double *xy, int npoints, const uint8_t *ink, errmsg *e)
{
    if (check_drawable(im, "point", e))
        return ERR_FAIL;
    uint8_t dflt[4];
    if (!ink) {
        img_ink_default(im->mode, dflt);
        ink = dflt;
    }
    pen p = make_pen(im, ink);
    for (int i = 0; i < npoints; i++)
        pen_point(&p, coord(xy[2 * i]), coord(xy[2 * i + 1]));
    return 0;
}

static void pen_rectangle_fill(const pen *p, int x0, int y0, int x1, int y1)
{
    if (y0 > y1) {
        int t = y0;
        y0 = y1, y1 = t;
    }
    for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < p->im->h; y++)
        pen_hline(p, x0, y, x1);
}

static void pen_rectangle_outline(const pen *p, int x0, int y0, int x1, int y1, int width)
{
    if (y0 > y1) {
        int t = y0;
        y0 = y1, y1 = t;
    }
    for (int i = 0; i < width; i++) {
        pen_hline(p, x0, y0 + i, x1);
        pen_hline(p, x0, y1 - i, x1);
        pen_line(p, x1 - i, y0 + width, x1 - i, y1 - width + 1);
        pen_line(p, x0 + i, y0 + width, x0 + i, y1 - width + 1);
    }
}

int img_draw_rectangle(img *im, const double xy[4], const uint8_t *fill,
                       const uint8_t *outline, int width, errmsg *e)
{
    if (check_drawable(im, "rectangle", e))
        return ERR_FAIL;
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int x0 = coord(xy[0]), y0 = coord(xy[1]), x1 = coord(xy[2]), y1 = coord(xy[3]);
    if (fill) {
        pen p = make_pen(im, fill);
        pen_rectangle_fill(&p, x0, y0, x1, y1);
    }
    if (want_outline) {
        pen p = make_pen(im, outline);
        pen_rectangle_outline(&p, x0, y0, x1, y1, width);
    }
    return 0;
}

/* ---- ellipses ----
 * A quarter of the ellipse with semi-axes a/2, b/2 is walked on the integer grid of step 2
 * (so both even and odd box sizes land on grid points), from (a, b%2) up to (a%2, b), each
 * step choosing among up, diagonal and left the point closest to the curve. */
typedef struct quarter {
    int64_t a2, b2, a2b2;
    int32_t cx, cy, ex, ey;
    int finished;
} quarter;

static void quarter_init(quarter *q, int32_t a, int32_t b)
{
    q->finished = a < 0 || b < 0;
    q->cx = a, q->cy = b % 2, q->ex = a % 2, q->ey = b;
    q->a2 = (int64_t)a * a, q->b2 = (int64_t)b * b, q->a2b2 = q->a2 * q->b2;
}

static int64_t quarter_error(const quarter *q, int64_t x, int64_t y)
{
    int64_t d = q->a2 * y * y + q->b2 * x * x - q->a2b2;
    return d < 0 ? -d : d;
}

/* The next grid point; returns 0 when the quarter is done. */
static int quarter_next(quarter *q, int32_t *x, int32_t *y)
{
    if (q->finished)
        return 0;
    *x = q->cx, *y = q->cy;
    if (q->cx == q->ex && q->cy == q->ey) {
        q->finished = 1;
        return 1;
    }
    int32_t nx = q->cx, ny = q->cy + 2;
    int64_t best = quarter_error(q, nx, ny);
    if (q->cx > 1) {
        int64_t diag = quarter_error(q, q->cx - 2, q->cy + 2);
        if (best > diag)
            nx = q->cx - 2, best = diag;
        if (best > quarter_error(q, q->cx - 2, q->cy))
            nx = q->cx - 2, ny = q->cy;
    }
    q->cx = nx, q->cy = ny;
    return 1;
}

/* Rows of a ring between the outer quarter and an inner one `width` grid steps inside,
 * mirrored into all four quarters. Each row yields up to 4 spans [l, r] at heights +-y. */
typedef struct ring {
    quarter outer, inner;
    int32_t y, l, r, leftmost;
    int finished;
} ring;

static void ring_init(ring *s, int32_t a, int32_t b, int32_t width)
{
    s->leftmost = a % 2;
    quarter_init(&s->outer, a, b);
    s->finished = width < 1 || !quarter_next(&s->outer, &s->r, &s->y);
    if (!s->finished) {
        quarter_init(&s->inner, a - 2 * (width - 1), b - 2 * (width - 1));
        s->l = s->leftmost;
    }
}

typedef struct span {
    int32_t x0, y, x1;
} span;

/* Fills out[] with the spans of the next row; returns how many (0 when done). */
static int ring_next_row(ring *s, span out[4])
{
    if (s->finished)
        return 0;
    int32_t y = s->y, l = s->l, r = s->r, cx = 0, cy = 0;
    int more;
    while ((more = quarter_next(&s->outer, &cx, &cy)) && cy <= y) {
    }
    if (!more)
        s->finished = 1;
    else
        s->r = cx, s->y = cy;
    while ((more = quarter_next(&s->inner, &cx, &cy)) && cy <= y)
        l = cx;
    s->l = more ? cx : s->leftmost;

    int n = 0, right_half = l > 0 || l < r;
    int32_t lx = l == 0 ? 2 : l;
    if (right_half && y > 0)
        out[n++] = (span){lx, y, r};
    if (y > 0)
        out[n++] = (span){-r, y, -l};
    if (right_half)
        out[n++] = (span){lx, -y, r};
    out[n++] = (span){-r, -y, -l};
    return n;
}

static void pen_ellipse(const pen *p, int x0, int y0, int x1, int y1, int fill, int width)
{
    int a = x1 - x0, b = y1 - y0;
    if (a < 0 || b < 0)
        return;
    ring s;
    ring_init(&s, a, b, fill ? a + b : width);
    span row[4];
    int n;
    while ((n = ring_next_row(&s, row)) > 0)
        for (int i = 0; i < n; i++)
            pen_hline(p, x0 + (row[i].x0 + a) / 2, y0 + (row[i].y + b) / 2,
                      x0 + (row[i].x1 + a) / 2);
}

int img_draw_ellipse(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                     int width, errmsg *e)
{
    if (check_drawable(im, "ellipse", e))
        return ERR_FAIL;
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int x0 = coord(xy[0]), y0 = coord(xy[1]), x1 = coord(xy[2]), y1 = coord(xy[3]);
    if (fill) {
        pen p = make_pen(im, fill);
        pen_ellipse(&p, x0, y0, x1, y1, 1, 0);
    }
    if (want_outline) {
        pen p = make_pen(im, outline);
        pen_ellipse(&p, x0, y0, x1, y1, 0, width);
    }
    return 0;
}
