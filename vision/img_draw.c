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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vision/img_color.h"

/* M_PI is POSIX, not C11; this is the same double. */
#define PI 3.14159265358979323846

typedef struct pen {
    img *im;
    int ch;
    int blend; /* Pillow's Draw(im, "RGBA") on RGB: mix the ink in by its alpha */
    uint8_t ink[4];
} pen;

/* One polygon edge, as Pillow keeps it: integer ends, float slope dx/dy. */
typedef struct edge {
    int x0, y0;
    int xmin, xmax, ymin, ymax;
    float dx;
} edge;

static pen make_pen(img *im, const uint8_t *ink, int blend)
{
    pen p = {im, img_channels(im->mode), blend, {0, 0, 0, 0}};
    memcpy(p.ink, ink, 4);
    return p;
}

/* Coordinates are range-checked by check_args; the clamp only keeps (int) defined for the
 * corners rounded_rectangle derives from them. */
static int coord(double v)
{
    if (!(v == v))
        return 0;
    if (v > 4 * IMG_DRAW_COORD_LIMIT)
        v = 4 * IMG_DRAW_COORD_LIMIT;
    if (v < -4 * IMG_DRAW_COORD_LIMIT)
        v = -4 * IMG_DRAW_COORD_LIMIT;
    return (int)v;
}

/* Pillow's BLEND: out*(255-a) + ink*a, divided by 255 with its rounding shortcut. */
static void blend_pixel(uint8_t *px, const uint8_t ink[4])
{
    for (int c = 0; c < 3; c++) {
        unsigned v = px[c] * (255u - ink[3]) + ink[c] * (unsigned)ink[3] + 128;
        px[c] = (uint8_t)(((v >> 8) + v) >> 8);
    }
}

static void pen_point(const pen *p, int x, int y)
{
    if (x < 0 || y < 0 || x >= p->im->w || y >= p->im->h)
        return;
    uint8_t *px = p->im->px + ((size_t)y * (size_t)p->im->w + (size_t)x) * (size_t)p->ch;
    if (p->blend)
        blend_pixel(px, p->ink);
    else
        memcpy(px, p->ink, (size_t)p->ch);
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
    uint8_t *dst = p->im->px + ((size_t)y * (size_t)p->im->w + (size_t)x0) * (size_t)p->ch;
    size_t total = (size_t)(x1 - x0 + 1) * (size_t)p->ch;
    if (p->blend) {
        for (size_t i = 0; i < total; i += (size_t)p->ch)
            blend_pixel(dst + i, p->ink);
        return;
    }
    if (p->ch == 1) {
        memset(dst, p->ink[0], total);
        return;
    }
    /* One pixel, then copies of what is already there, doubling each time. */
    memcpy(dst, p->ink, (size_t)p->ch);
    for (size_t done = (size_t)p->ch; done < total; done *= 2)
        memcpy(dst + done, dst, done < total - done ? done : total - done);
}

/* Bresenham from (x0,y0) towards (x1,y1), leaving out (x1,y1) itself. */
static void pen_line(const pen *p, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), dy = abs(y1 - y0);
    int xs = x1 < x0 ? -1 : 1, ys = y1 < y0 ? -1 : 1;
    if (dy == 0) {
        if (dx > 0)
            pen_hline(p, x0, y0, x1 - xs);
        return;
    }
    if (dx == 0) {
        int lo = ys > 0 ? y0 : y1 + 1, hi = ys > 0 ? y1 - 1 : y0;
        for (int y = lo < 0 ? 0 : lo; y <= hi && y < p->im->h; y++)
            pen_point(p, x0, y);
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

static int round_up_d(double f)
{
    return f >= 0 ? (int)floor(f + 0.5) : (int)-floor(fabs(f) + 0.5);
}

static int round_down_d(double f)
{
    return f >= 0 ? (int)ceil(f - 0.5) : (int)-ceil(fabs(f) - 0.5);
}

static edge make_edge(int x0, int y0, int x1, int y1)
{
    edge e = {x0,  y0, x0 < x1 ? x0 : x1, x0 < x1 ? x1 : x0, y0 < y1 ? y0 : y1, y0 < y1 ? y1 : y0,
              0.0f};
    if (y0 != y1)
        e.dx = (float)(x1 - x0) / (float)(y1 - y0);
    return e;
}

static float edge_x_at(const edge *e, int y)
{
    return (float)(y - e->y0) * e->dx + (float)e->x0;
}

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

/* Blending must not touch a pixel twice, so Pillow draws a scanline's spans and its
 * horizontal edges left to right, each starting no earlier than x_pos (the first pixel not
 * yet drawn; -1 before anything). Horizontal edges wholly right of x_pos wait. */
static void blend_horizontal_edges(const pen *p, const edge *edges, int n, int y, int *x_pos)
{
    for (int i = 0; i < n; i++) {
        if (edges[i].ymin != y || edges[i].ymax != y)
            continue;
        int xmin = edges[i].xmin, xmax = edges[i].xmax;
        if (*x_pos != -1 && *x_pos < xmin)
            continue;
        if (*x_pos > xmin) {
            xmin = *x_pos;
            if (xmax < xmin)
                continue;
        }
        pen_hline(p, xmin, y, xmax);
        *x_pos = xmax + 1;
    }
}

static void blend_scanline(const pen *p, const edge *edges, int n, int y, const float *xx, int j)
{
    int x_pos = j == 0 ? -1 : 0;
    for (int i = 1; i < j; i += 2) {
        int x_end = round_down_f(xx[i]);
        if (x_end < x_pos)
            continue;
        blend_horizontal_edges(p, edges, n, y, &x_pos);
        if (x_end < x_pos)
            continue;
        int x_start = round_up_f(xx[i - 1]);
        if (x_pos > x_start) {
            x_start = x_pos;
            if (x_end < x_start)
                continue;
        }
        pen_hline(p, x_start, y, x_end);
        x_pos = x_end + 1;
    }
    blend_horizontal_edges(p, edges, n, y, &x_pos);
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
        if (edges[i].ymin != edges[i].ymax)
            table[count++] = (edge *)&edges[i];
        else if (!p->blend)
            pen_hline(p, edges[i].xmin, edges[i].ymin, edges[i].xmax);
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
        if (p->blend)
            blend_scanline(p, edges, n, y, xx, j);
        else
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

/* Rejects what Pillow cannot draw sensibly either: NaN, coordinates or widths so large that
 * the walk along the shape would take seconds (Pillow's own ellipse arithmetic overflows far
 * sooner). Within the limits every call is bounded by a few million steps. */
static int check_args(const img *im, const char *what, const double *xy, int ncoords, int width,
                      errmsg *e)
{
    if (!im || (im->mode != IMG_L && im->mode != IMG_RGB && im->mode != IMG_RGBA))
        return err_set(e, ERR_FAIL, "%s: image must be L, RGB or RGBA", what);
    for (int i = 0; i < ncoords; i++)
        if (!(fabs(xy[i]) <= IMG_DRAW_COORD_LIMIT))
            return err_set(e, ERR_FAIL, "%s: coordinate %d (%g) is outside +-%g", what, i, xy[i],
                           IMG_DRAW_COORD_LIMIT);
    if (abs(width) > IMG_DRAW_COORD_LIMIT)
        return err_set(e, ERR_FAIL, "%s: width %d is outside +-%g", what, width,
                       IMG_DRAW_COORD_LIMIT);
    return 0;
}

static int same_ink(const uint8_t *a, const uint8_t *b)
{
    return a && b && memcmp(a, b, 4) == 0;
}

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
static int draw_wide_polygon_outline(img *im, const int *xy, int n, const uint8_t *ink, int width,
                                     errmsg *e)
{
    static const uint8_t one[4] = {1, 0, 0, 0};
    img *inside = img_new(im->w, im->h, IMG_L, NULL, e);
    img *band = inside ? img_new(im->w, im->h, IMG_L, NULL, e) : NULL;
    int rc = band ? 0 : ERR_FAIL;
    if (!rc) {
        pen pin = make_pen(inside, one, 0), pband = make_pen(band, one, 0);
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

static int draw_polygon(img *im, const double *xy, int npoints, const uint8_t *fill,
                        const uint8_t *outline, int width, int blend, errmsg *e)
{
    if (npoints >= 0 && check_args(im, "polygon", xy, 2 * npoints, width, e))
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
        pen p = make_pen(im, fill, blend);
        rc = pen_fill_polygon(&p, ixy, npoints, e);
    }
    if (!rc && want_outline) {
        pen p = make_pen(im, outline, blend);
        rc = width == 1 ? pen_outline_polygon(&p, ixy, npoints, 1, e)
                        : draw_wide_polygon_outline(im, ixy, npoints, outline, width, e);
    }
    free(ixy);
    return rc;
}

static int draw_pieslice(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                         const uint8_t *outline, int width, int blend, errmsg *e);
static int draw_curve_joints(img *im, const double *xy, int npoints, const uint8_t *ink, int width,
                             int blend, errmsg *e);

static int draw_line(img *im, const double *xy, int npoints, const uint8_t *ink, int width,
                     int joint_curve, int blend, errmsg *e)
{
    if (npoints < 0)
        return err_set(e, ERR_FAIL, "line: negative point count %d", npoints);
    if (check_args(im, "line", xy, 2 * npoints, width, e))
        return ERR_FAIL;
    uint8_t dflt[4];
    const uint8_t *given = ink;
    if (!ink) {
        img_ink_default(im->mode, dflt);
        ink = dflt;
    }
    pen p = make_pen(im, ink, blend);
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
    if (joint_curve && width > 4)
        return draw_curve_joints(im, xy, npoints, given, width, blend, e);
    return 0;
}

static int draw_point(img *im, const double *xy, int npoints, const uint8_t *ink, int blend,
                      errmsg *e)
{
    if (npoints < 0)
        return err_set(e, ERR_FAIL, "point: negative point count %d", npoints);
    if (check_args(im, "point", xy, 2 * npoints, 0, e))
        return ERR_FAIL;
    uint8_t dflt[4];
    if (!ink) {
        img_ink_default(im->mode, dflt);
        ink = dflt;
    }
    pen p = make_pen(im, ink, blend);
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
        if (y0 + i >= p->im->h && y1 - i < 0 && x1 - i < 0 && x0 + i >= p->im->w)
            break; /* every later line is off the image too */
        pen_hline(p, x0, y0 + i, x1);
        pen_hline(p, x0, y1 - i, x1);
        pen_line(p, x1 - i, y0 + width, x1 - i, y1 - width + 1);
        pen_line(p, x0 + i, y0 + width, x0 + i, y1 - width + 1);
    }
}

static int draw_rectangle(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                          int width, int blend, errmsg *e)
{
    if (check_args(im, "rectangle", xy, 4, width, e))
        return ERR_FAIL;
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int x0 = coord(xy[0]), y0 = coord(xy[1]), x1 = coord(xy[2]), y1 = coord(xy[3]);
    if (fill) {
        pen p = make_pen(im, fill, blend);
        pen_rectangle_fill(&p, x0, y0, x1, y1);
    }
    if (want_outline) {
        pen p = make_pen(im, outline, blend);
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
    if (q->finished)
        return;
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

/* The ellipse walk squares and multiplies the box sides in 64 bits; past IMG_DRAW_MAX_ELLIPSE
 * that would overflow (Pillow's 32-bit version already does past 46340). The outline of a
 * pie slice also draws a width x width dot, hence the width check. */
static int check_ellipse_box(const double xy[4], int width, const char *what, errmsg *e)
{
    int a = coord(xy[2]) - coord(xy[0]), b = coord(xy[3]) - coord(xy[1]);
    if (a > IMG_DRAW_MAX_ELLIPSE || b > IMG_DRAW_MAX_ELLIPSE || width > IMG_DRAW_MAX_ELLIPSE)
        return err_set(e, ERR_FAIL, "%s: box %dx%d or width %d is over the %d limit", what, a, b,
                       width, IMG_DRAW_MAX_ELLIPSE);
    return 0;
}

static int draw_ellipse(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                        int width, int blend, errmsg *e)
{
    if (check_args(im, "ellipse", xy, 4, width, e) || check_ellipse_box(xy, width, "ellipse", e))
        return ERR_FAIL;
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int x0 = coord(xy[0]), y0 = coord(xy[1]), x1 = coord(xy[2]), y1 = coord(xy[3]);
    if (fill) {
        pen p = make_pen(im, fill, blend);
        pen_ellipse(&p, x0, y0, x1, y1, 1, 0);
    }
    if (want_outline) {
        pen p = make_pen(im, outline, blend);
        pen_ellipse(&p, x0, y0, x1, y1, 0, width);
    }
    return 0;
}

/* ---- arcs, chords and pie slices ----
 * Pillow draws these as ellipse rings whose rows are clipped by a small tree of half-planes
 * (a*x + b*y + c >= 0, in the doubled, centred grid of the ring) joined by AND/OR. A row
 * clipped by the tree becomes a sorted list of open/close events, i.e. disjoint spans. */
typedef enum clip_kind { CLIP_AND, CLIP_OR, CLIP_PLANE } clip_kind;

typedef struct clip_node {
    clip_kind kind;
    double a, b, c;
    int l, r; /* children (indices into the tree's pool) for AND/OR */
} clip_node;

#define CLIP_MAX_NODES  8
#define CLIP_MAX_EVENTS 16

typedef struct clip_tree {
    clip_node node[CLIP_MAX_NODES];
    int count, root; /* root -1: no clipping */
} clip_tree;

typedef struct events {
    int32_t x[CLIP_MAX_EVENTS];
    int8_t open[CLIP_MAX_EVENTS]; /* 1 opens a span, 0 closes it */
    int n;
} events;

static int clip_plane(clip_tree *t, double a, double b, double c)
{
    t->node[t->count] = (clip_node){CLIP_PLANE, a, b, c, -1, -1};
    return t->count++;
}

static int clip_join(clip_tree *t, clip_kind kind, int l, int r)
{
    t->node[t->count] = (clip_node){kind, 0, 0, 0, l, r};
    return t->count++;
}

static void events_push(events *ev, int32_t x, int open)
{
    ev->x[ev->n] = x;
    ev->open[ev->n++] = (int8_t)open;
}

static void clip_span(const clip_tree *t, int id, int32_t x0, int32_t y, int32_t x1, events *out);

/* Pillow's event merge: walks both lists in x order (opens first on ties), counting how
 * deep inside each list it is, and keeps an event when it changes the union/intersection. */
static void clip_merge(clip_kind kind, const events *p, const events *q, events *out)
{
    int i = 0, j = 0, depth_p = 0, depth_q = 0;
    out->n = 0;
    while (i < p->n || j < q->n) {
        int from_p =
            j >= q->n ||
            (i < p->n && (p->x[i] < q->x[j] || (p->x[i] == q->x[j] && p->open[i] > q->open[j])));
        int32_t x = from_p ? p->x[i] : q->x[j];
        int open = from_p ? p->open[i++] : q->open[j++];
        if (from_p)
            depth_p += open ? 1 : -1;
        else
            depth_q += open ? 1 : -1;
        int tail_open = out->n > 0 && out->open[out->n - 1];
        int keep;
        if (kind == CLIP_OR)
            keep = open ? !tail_open : depth_p == 0 && depth_q == 0;
        else
            keep = open ? !tail_open && depth_p > 0 && depth_q > 0
                        : tail_open && (depth_p == 0 || depth_q == 0);
        if (keep)
            events_push(out, x, open);
    }
}

static void clip_span(const clip_tree *t, int id, int32_t x0, int32_t y, int32_t x1, events *out)
{
    out->n = 0;
    if (id < 0) {
        events_push(out, x0, 1);
        events_push(out, x1, 0);
        return;
    }
    const clip_node *n = &t->node[id];
    if (n->kind == CLIP_PLANE) {
        const double eps = 1e-9;
        if (fabs(n->a) < eps) {
            if (n->b * y + n->c < -eps)
                return;
        } else {
            double ix = -(n->b * y + n->c) / n->a;
            if (n->a * x0 + n->b * y + n->c < eps)
                x0 = (int32_t)lround(fmax(x0, ix));
            if (n->a * x1 + n->b * y + n->c < eps)
                x1 = (int32_t)lround(fmin(x1, ix));
        }
        if (x0 <= x1) {
            events_push(out, x0, 1);
            events_push(out, x1, 0);
        }
        return;
    }
    events l, r;
    clip_span(t, n->l, x0, y, x1, &l);
    clip_span(t, n->r, x0, y, x1, &r);
    clip_merge(n->kind, &l, &r, out);
}

/* Pillow's angle normalisation, in float: 0 <= start < 360, start <= end <= start + 360. */
static void normalize_angles(float *start, float *end)
{
    if (*end - *start >= 360) {
        *start = 0;
        *end = 360;
        return;
    }
    *start = (float)fmod(*start < 0 ? 360 - fmod(-*start, 360) : *start, 360);
    *end =
        (float)(*start + fmod(*end < *start ? 360 - fmod(*start - *end, 360) : *end - *start, 360));
}

static double rad(float degrees)
{
    return degrees * PI / 180.0;
}

/* An arc whose ends are cut square to the curve. Built for a >= b; a tall ellipse is done
 * as the transposed wide one. */
static void arc_tree(clip_tree *t, int32_t a, int32_t b, float al, float ar)
{
    if (a < b) {
        arc_tree(t, b, a, 90 - ar, 90 - al);
        for (int i = 0; i < t->count; i++) {
            double s = t->node[i].a;
            t->node[i].a = t->node[i].b, t->node[i].b = s;
        }
        return;
    }
    t->count = 0, t->root = -1;
    normalize_angles(&al, &ar);
    if (ar == al + 360)
        return;
    double a2_b2 = (double)a * a - (double)b * b;
    int lc = clip_plane(t, -a * sin(rad(al)), b * cos(rad(al)), a2_b2 * sin(al * PI / 90.0) / 2.0);
    int rc = clip_plane(t, a * sin(rad(ar)), -b * cos(rad(ar)), -a2_b2 * sin(ar * PI / 90.0) / 2.0);
    clip_kind join = ar - al < 180 ? CLIP_AND : CLIP_OR;
    if (fmod(al, 180) == 0 || fmod(ar, 180) == 0) {
        t->root = clip_join(t, join, lc, rc);
    } else if (((int)(al / 180) + (int)(ar / 180)) % 2 == 1) {
        int hl = clip_plane(t, 0, (int)(al / 180) % 2 == 0 ? 1 : -1, 0);
        int hr = clip_plane(t, 0, (int)(ar / 180) % 2 == 0 ? 1 : -1, 0);
        int left = clip_join(t, CLIP_AND, hl, lc), right = clip_join(t, CLIP_AND, hr, rc);
        t->root = clip_join(t, CLIP_OR, left, right);
    } else {
        int both = clip_join(t, join, lc, rc);
        int half = clip_plane(t, 0, ar < 180 || ar > 540 ? 1 : -1, 0);
        t->root = clip_join(t, join, both, half);
    }
}

typedef struct chord_ends {
    double xl, yl, xr, yr;
} chord_ends;

static chord_ends ends_of(int32_t a, int32_t b, float al, float ar)
{
    return (chord_ends){a * cos(rad(al)), b * sin(rad(al)), a * cos(rad(ar)), b * sin(rad(ar))};
}

/* The straight side of a chord: a band `w` wide inside the chord line. */
static void chord_line_tree(clip_tree *t, int32_t a, int32_t b, int32_t w, float al, float ar)
{
    chord_ends q = ends_of(a, b, al, ar);
    t->count = 0;
    double la = q.yr - q.yl, lb = q.xl - q.xr, lc = -(la * q.xl + lb * q.yl);
    int l = clip_plane(t, la, lb, lc);
    int r = clip_plane(t, -la, -lb, 2 * w * sqrt(pow(la, 2.0) + pow(lb, 2.0)) - lc);
    t->root = clip_join(t, CLIP_AND, l, r);
}

static void chord_tree(clip_tree *t, int32_t a, int32_t b, float al, float ar)
{
    chord_ends q = ends_of(a, b, al, ar);
    t->count = 0;
    double la = q.yr - q.yl, lb = q.xl - q.xr;
    t->root = clip_plane(t, la, lb, -(la * q.xl + lb * q.yl));
}

/* One straight side of a pie slice: a band `w` wide along the radius at angle al. */
static void pie_side_tree(clip_tree *t, int32_t a, int32_t b, int32_t w, float al)
{
    double xl = a * cos(rad(al)), yl = b * sin(rad(al));
    double a1 = -yl, b1 = xl, c1 = w * sqrt(a1 * a1 + b1 * b1);
    t->count = 0;
    int band = clip_join(t, CLIP_AND, clip_plane(t, a1, b1, c1), clip_plane(t, -a1, -b1, c1));
    t->root = clip_join(t, CLIP_AND, band, clip_plane(t, b1, -a1, 0));
}

static void pie_tree(clip_tree *t, int32_t a, int32_t b, float al, float ar)
{
    chord_ends q = ends_of(a, b, al, ar);
    t->count = 0;
    int lc = clip_plane(t, -q.yl, q.xl, 0), rc = clip_plane(t, q.yr, -q.xr, 0);
    t->root = clip_join(t, ar - al < 180 ? CLIP_AND : CLIP_OR, lc, rc);
    if (ar - al < 90) /* one more half-plane against spikes, as Pillow */
        t->root = clip_join(t, CLIP_AND, t->root,
                            clip_plane(t, (q.xl + q.xr) / 2.0, (q.yl + q.yr) / 2.0, 0));
}

/* The ring of the box (x0,y0)-(x1,y1) with the given width, clipped by the tree. */
static void pen_clipped_ring(const pen *p, int x0, int y0, int x1, int y1, int width,
                             const clip_tree *t)
{
    int a = x1 - x0, b = y1 - y0;
    if (a < 0 || b < 0)
        return;
    ring s;
    ring_init(&s, a, b, width);
    span row[4];
    int n;
    while ((n = ring_next_row(&s, row)) > 0)
        for (int i = 0; i < n; i++) {
            events ev;
            clip_span(t, t->root, row[i].x0, row[i].y, row[i].x1, &ev);
            for (int k = 0; k + 1 < ev.n; k += 2)
                pen_hline(p, x0 + (ev.x[k] + a) / 2, y0 + (row[i].y + b) / 2,
                          x0 + (ev.x[k + 1] + a) / 2);
        }
}

typedef enum arc_shape { SHAPE_ARC, SHAPE_CHORD, SHAPE_PIE } arc_shape;

/* Pillow's ImagingDrawArc / Chord / Pieslice for one ink, filled or as an outline. */
static void pen_arc_shape(const pen *p, arc_shape shape, const int box[4], float start, float end,
                          int fill, int width)
{
    int x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3], a = x1 - x0, b = y1 - y0;
    normalize_angles(&start, &end);
    /* A reversed box draws nothing, except the centre dot of a pie outline, as in Pillow. */
    if (start + 360 == end) {
        pen_ellipse(p, x0, y0, x1, y1, shape != SHAPE_ARC && fill, width);
        return;
    }
    if (start == end)
        return;
    clip_tree t;
    if (shape == SHAPE_ARC) {
        arc_tree(&t, a, b, start, end);
        pen_clipped_ring(p, x0, y0, x1, y1, width, &t);
    } else if (shape == SHAPE_CHORD) {
        if (!fill) {
            chord_line_tree(&t, a, b, width, start, end);
            pen_clipped_ring(p, x0, y0, x1, y1, a + b + 1, &t);
        }
        chord_tree(&t, a, b, start, end);
        pen_clipped_ring(p, x0, y0, x1, y1, fill ? a + b + 1 : width, &t);
    } else {
        if (!fill) {
            pie_side_tree(&t, a, b, width, start);
            pen_clipped_ring(p, x0, y0, x1, y1, a + b + 1, &t);
            pie_side_tree(&t, a, b, width, end);
            pen_clipped_ring(p, x0, y0, x1, y1, a + b + 1, &t);
            int xc = (int)lround((x0 + x1 - width) / 2.0);
            int yc = (int)lround((y0 + y1 - width) / 2.0);
            pen_ellipse(p, xc, yc, xc + width - 1, yc + width - 1, 1, 0);
        }
        pie_tree(&t, a, b, start, end);
        pen_clipped_ring(p, x0, y0, x1, y1, fill ? a + b : width, &t);
    }
}

/* Pillow takes the angles as floats; NaN or overflow there would reach (int) casts. */
static int check_angles(double start, double end, const char *what, errmsg *e)
{
    if (!isfinite((float)start) || !isfinite((float)end))
        return err_set(e, ERR_FAIL, "%s: angles %g, %g must be finite floats", what, start, end);
    return 0;
}

static void truncate_box(const double xy[4], int box[4])
{
    for (int i = 0; i < 4; i++)
        box[i] = coord(xy[i]);
}

static int draw_arc(img *im, const double xy[4], double start, double end, const uint8_t *ink,
                    int width, int blend, errmsg *e)
{
    if (check_args(im, "arc", xy, 4, width, e) || check_ellipse_box(xy, width, "arc", e) ||
        check_angles(start, end, "arc", e))
        return ERR_FAIL;
    uint8_t dflt[4];
    if (!ink) {
        img_ink_default(im->mode, dflt);
        ink = dflt;
    }
    int box[4];
    truncate_box(xy, box);
    pen p = make_pen(im, ink, blend);
    pen_arc_shape(&p, SHAPE_ARC, box, (float)start, (float)end, 0, width);
    return 0;
}

static int draw_closed_arc_shape(img *im, arc_shape shape, const double xy[4], double start,
                                 double end, const uint8_t *fill, const uint8_t *outline, int width,
                                 int blend, errmsg *e)
{
    const char *what = shape == SHAPE_CHORD ? "chord" : "pieslice";
    if (check_args(im, what, xy, 4, width, e) || check_ellipse_box(xy, width, what, e) ||
        check_angles(start, end, what, e))
        return ERR_FAIL;
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    int box[4];
    truncate_box(xy, box);
    if (fill) {
        pen p = make_pen(im, fill, blend);
        pen_arc_shape(&p, shape, box, (float)start, (float)end, 1, 1);
    }
    if (want_outline) {
        pen p = make_pen(im, outline, blend);
        pen_arc_shape(&p, shape, box, (float)start, (float)end, 0, width);
    }
    return 0;
}

static int draw_chord(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                      const uint8_t *outline, int width, int blend, errmsg *e)
{
    return draw_closed_arc_shape(im, SHAPE_CHORD, xy, start, end, fill, outline, width, blend, e);
}

static int draw_pieslice(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                         const uint8_t *outline, int width, int blend, errmsg *e)
{
    return draw_closed_arc_shape(im, SHAPE_PIE, xy, start, end, fill, outline, width, blend, e);
}

/* ---- rounded rectangles ----
 * Pillow 9.4 builds these in Python from pie slices, arcs and rectangles, computing the
 * pieces' corners from the caller's (possibly fractional) coordinates; so do we, in double,
 * and only the pieces truncate. */
typedef struct corner {
    double box[4];
    float start, end;
} corner;

static int corner_parts(const double q[4], double d, int full_x, int full_y, corner out[4])
{
    double x0 = q[0], y0 = q[1], x1 = q[2], y1 = q[3];
    if (full_x) {
        out[0] = (corner){{x0, y0, x0 + d, y0 + d}, 180, 360};
        out[1] = (corner){{x0, y1 - d, x0 + d, y1}, 0, 180};
        return 2;
    }
    if (full_y) {
        out[0] = (corner){{x0, y0, x0 + d, y0 + d}, 90, 270};
        out[1] = (corner){{x1 - d, y0, x1, y0 + d}, 270, 90};
        return 2;
    }
    out[0] = (corner){{x1 - d, y0, x1, y0 + d}, 270, 360};
    out[1] = (corner){{x1 - d, y1 - d, x1, y1}, 0, 90};
    out[2] = (corner){{x0, y1 - d, x0 + d, y1}, 90, 180};
    out[3] = (corner){{x0, y0, x0 + d, y0 + d}, 180, 270};
    return 4;
}

static void pen_box(const pen *p, double x0, double y0, double x1, double y1)
{
    pen_rectangle_fill(p, coord(x0), coord(y0), coord(x1), coord(y1));
}

static void rounded_fill(const pen *p, const double q[4], double d, int full_x, int full_y)
{
    double x0 = q[0], y0 = q[1], x1 = q[2], y1 = q[3], r = floor(d / 2);
    corner parts[4];
    int n = corner_parts(q, d, full_x, full_y, parts);
    for (int i = 0; i < n; i++) {
        int box[4];
        truncate_box(parts[i].box, box);
        pen_arc_shape(p, SHAPE_PIE, box, parts[i].start, parts[i].end, 1, 1);
    }
    if (full_x)
        pen_box(p, x0, y0 + r + 1, x1, y1 - r - 1);
    else
        pen_box(p, x0 + r + 1, y0, x1 - r - 1, y1);
    if (!full_x && !full_y) {
        pen_box(p, x0, y0 + r + 1, x0 + r, y1 - r - 1);
        pen_box(p, x1 - r, y0 + r + 1, x1, y1 - r - 1);
    }
}

static void rounded_outline(const pen *p, const double q[4], double d, int full_x, int full_y,
                            int width)
{
    double x0 = q[0], y0 = q[1], x1 = q[2], y1 = q[3], r = floor(d / 2);
    corner parts[4];
    int n = corner_parts(q, d, full_x, full_y, parts);
    for (int i = 0; i < n; i++) {
        int box[4];
        truncate_box(parts[i].box, box);
        pen_arc_shape(p, SHAPE_ARC, box, parts[i].start, parts[i].end, 0, width);
    }
    if (!full_x) {
        pen_box(p, x0 + r + 1, y0, x1 - r - 1, y0 + width - 1);
        pen_box(p, x0 + r + 1, y1 - width + 1, x1 - r - 1, y1);
    }
    if (!full_y) {
        pen_box(p, x0, y0 + r + 1, x0 + width - 1, y1 - r - 1);
        pen_box(p, x1 - width + 1, y0 + r + 1, x1, y1 - r - 1);
    }
}

static int draw_rounded_rectangle(img *im, const double xy[4], double radius, const uint8_t *fill,
                                  const uint8_t *outline, int width, int blend, errmsg *e)
{
    if (check_args(im, "rounded_rectangle", xy, 4, width, e) ||
        check_ellipse_box(xy, width, "rounded_rectangle", e))
        return ERR_FAIL;
    if (!(radius == radius))
        return err_set(e, ERR_FAIL, "rounded_rectangle: radius is not a number");
    double d = radius * 2;
    int full_x = d >= xy[2] - xy[0];
    if (full_x)
        d = xy[2] - xy[0];
    int full_y = d >= xy[3] - xy[1];
    if (full_y)
        d = xy[3] - xy[1];
    if (full_x && full_y)
        return draw_ellipse(im, xy, fill, outline, width, blend, e);
    if (d == 0)
        return draw_rectangle(im, xy, fill, outline, width, blend, e);
    uint8_t dflt[4];
    int want_outline = resolve_inks(im->mode, &fill, &outline, dflt, width);
    if (fill) {
        pen p = make_pen(im, fill, blend);
        rounded_fill(&p, xy, d, full_x, full_y);
    }
    if (want_outline) {
        pen p = make_pen(im, outline, blend);
        rounded_outline(&p, xy, d, full_x, full_y, width);
    }
    return 0;
}

/* ---- line(joint="curve") ----
 * Pillow 9.4 rounds the joints of a wide polyline in Python: at each inner point whose
 * heading changes, a pie slice (and past width 8 a 3-pixel line closing the gap) in the
 * line's ink. Same float arithmetic here: headings in degrees as math.degrees/atan2 give
 * them, Python's % 360, offsets truncated toward zero. With no ink given, Pillow's joints
 * get the default ink as an OUTLINE (pieslice(fill=None)), so `ink` is passed on as given. */
static double python_mod360(double v)
{
    double m = fmod(v, 360.0);
    return m < 0 ? m + 360.0 : m == 0 ? 0.0 : m;
}

static double heading(const double *from, const double *to)
{
    return python_mod360((180.0 / PI) * atan2(to[0] - from[0], from[1] - to[1]));
}

static double toward_zero(double v)
{
    return v > 0 ? floor(v) : ceil(v);
}

/* The point `width/2 - 1` away from p in direction angle - 90 (degrees). */
static void point_at_angle(const double p[2], double angle, int width, double out[2])
{
    double distance = width / 2.0 - 1, r = (PI / 180.0) * (angle - 90);
    out[0] = p[0] + toward_zero(distance * cos(r));
    out[1] = p[1] + toward_zero(distance * sin(r));
}

static int draw_curve_joints(img *im, const double *xy, int npoints, const uint8_t *ink, int width,
                             int blend, errmsg *e)
{
    for (int i = 1; i + 1 < npoints; i++) {
        const double *point = xy + 2 * i;
        double a0 = heading(point - 2, point), a1 = heading(point, point + 2);
        if (a0 == a1)
            continue;
        int flipped = (a1 > a0 && a1 - 180 > a0) || (a1 < a0 && a1 + 180 > a0);
        double box[4] = {point[0] - width / 2.0 + 1, point[1] - width / 2.0 + 1,
                         point[0] + width / 2.0 - 1, point[1] + width / 2.0 - 1};
        double start = flipped ? a1 + 90 : a0 - 90, end = flipped ? a0 + 90 : a1 - 90;
        if (draw_pieslice(im, box, start - 90, end - 90, ink, NULL, 1, blend, e))
            return ERR_FAIL;
        if (width <= 8)
            continue;
        double gap[6] = {0, 0, point[0], point[1], 0, 0};
        point_at_angle(point, flipped ? a0 + 90 : a0 - 90, width, gap);
        point_at_angle(point, flipped ? a1 + 90 : a1 - 90, width, gap + 4);
        if (draw_line(im, gap, 3, ink, 3, 0, blend, e))
            return ERR_FAIL;
    }
    return 0;
}

/* ---- regular polygons ----
 * ImageDraw.regular_polygon computes its vertices in Python, rounded with round(v, 2) before
 * the polygon truncates them; round() is correctly rounded, as glibc's "%.2f" is. */
static double python_round2(double v)
{
    char buf[400];
    snprintf(buf, sizeof buf, "%.2f", v);
    return strtod(buf, NULL);
}

int img_draw_regular_polygon_vertices(double cx, double cy, double radius, int n_sides,
                                      double rotation, double *xy, errmsg *e)
{
    if (n_sides < 3 || n_sides > IMG_DRAW_MAX_SIDES)
        return err_set(e, ERR_FAIL, "regular_polygon: n_sides %d must be 3 to %d", n_sides,
                       IMG_DRAW_MAX_SIDES);
    if (!(radius > 0))
        return err_set(e, ERR_FAIL, "regular_polygon: bounding_circle radius should be > 0");
    double step = 360.0 / n_sides, angle = (270 - 0.5 * step) + rotation;
    for (int i = 0; i < n_sides; i++) {
        double r = (360 - angle) * (PI / 180.0);
        xy[2 * i] = python_round2(radius * cos(r) - 0.0 * sin(r) + cx);
        xy[2 * i + 1] = python_round2(0.0 * cos(r) + radius * sin(r) + cy);
        angle += step;
        if (angle > 360)
            angle -= 360;
    }
    return 0;
}

int img_draw_regular_polygon(img *im, double cx, double cy, double radius, int n_sides,
                             double rotation, const uint8_t *fill, const uint8_t *outline,
                             int blend, errmsg *e)
{
    if (n_sides < 3 || n_sides > IMG_DRAW_MAX_SIDES)
        return err_set(e, ERR_FAIL, "regular_polygon: n_sides %d must be 3 to %d", n_sides,
                       IMG_DRAW_MAX_SIDES);
    if (blend && (!im || im->mode != IMG_RGB))
        return err_set(e, ERR_FAIL, "regular_polygon: blending needs an RGB image");
    double *xy = malloc((size_t)n_sides * 2 * sizeof *xy);
    if (!xy)
        return err_set(e, ERR_FAIL, "regular_polygon: out of memory for %d sides", n_sides);
    int rc = img_draw_regular_polygon_vertices(cx, cy, radius, n_sides, rotation, xy, e);
    if (!rc)
        rc = draw_polygon(im, xy, n_sides, fill, outline, 1, blend, e);
    free(xy);
    return rc;
}

/* ---- flood fill ----
 * Pillow grows the region breadth-first in Python; the filled set is the same whatever the
 * order (a filled pixel never qualifies again), so an explicit stack does it here. */
static int color_diff(const uint8_t *a, const uint8_t *b, int ch)
{
    int d = 0;
    for (int c = 0; c < ch; c++)
        d += abs(a[c] - b[c]);
    return d;
}

typedef struct fill_rule {
    uint8_t background[4];
    const uint8_t *value, *border;
    int thresh, ch;
} fill_rule;

static int qualifies(const fill_rule *r, const uint8_t *p)
{
    if (!r->border)
        return color_diff(p, r->background, r->ch) <= r->thresh;
    return memcmp(p, r->value, (size_t)r->ch) != 0 && memcmp(p, r->border, (size_t)r->ch) != 0;
}

static int grow_region(img *im, int x, int y, const fill_rule *r, errmsg *e)
{
    size_t cap = 1024, n = 0;
    int *stack = malloc(cap * 2 * sizeof *stack);
    if (!stack)
        return err_set(e, ERR_FAIL, "floodfill: out of memory");
    stack[n * 2] = x, stack[n * 2 + 1] = y, n++;
    while (n > 0) {
        n--;
        int cx = stack[n * 2], cy = stack[n * 2 + 1];
        const int next[4][2] = {{cx + 1, cy}, {cx - 1, cy}, {cx, cy + 1}, {cx, cy - 1}};
        for (int k = 0; k < 4; k++) {
            int s = next[k][0], t = next[k][1];
            if (s < 0 || t < 0 || s >= im->w || t >= im->h)
                continue;
            uint8_t *p = im->px + ((size_t)t * (size_t)im->w + (size_t)s) * (size_t)r->ch;
            if (!qualifies(r, p))
                continue;
            memcpy(p, r->value, (size_t)r->ch);
            if (n == cap) {
                int *bigger = realloc(stack, cap * 4 * sizeof *stack);
                if (!bigger) {
                    free(stack);
                    return err_set(e, ERR_FAIL, "floodfill: out of memory");
                }
                stack = bigger, cap *= 2;
            }
            stack[n * 2] = s, stack[n * 2 + 1] = t, n++;
        }
    }
    free(stack);
    return 0;
}

int img_floodfill(img *im, double x, double y, const uint8_t *value, const uint8_t *border,
                  int thresh, errmsg *e)
{
    double seed[2] = {x, y};
    if (check_args(im, "floodfill", seed, 2, 0, e))
        return ERR_FAIL;
    if (!value)
        return err_set(e, ERR_FAIL, "floodfill: no fill value");
    int ix = coord(x), iy = coord(y);
    int sx = ix < 0 ? ix + im->w : ix, sy = iy < 0 ? iy + im->h : iy;
    if (sx < 0 || sy < 0 || sx >= im->w || sy >= im->h)
        return 0;
    fill_rule r = {{0, 0, 0, 0}, value, border, thresh, img_channels(im->mode)};
    uint8_t *seed_px = im->px + ((size_t)sy * (size_t)im->w + (size_t)sx) * (size_t)r.ch;
    memcpy(r.background, seed_px, (size_t)r.ch);
    if (color_diff(value, r.background, r.ch) <= thresh)
        return 0;
    memcpy(seed_px, value, (size_t)r.ch);
    return grow_region(im, ix, iy, &r, e);
}

/* ---- the public entry points ---- */

int img_draw(img *im, const img_draw_args *a, errmsg *e)
{
    if (a->blend && (!im || im->mode != IMG_RGB))
        return err_set(e, ERR_FAIL,
                       "draw: blending (ImageDraw.Draw(im, \"RGBA\")) needs an RGB "
                       "image");
    const double *xy = a->xy;
    int n = a->npoints, w = a->width, b = a->blend;
    if (a->shape != IMG_SHAPE_LINE && a->shape != IMG_SHAPE_POLYGON &&
        a->shape != IMG_SHAPE_POINT && n != 2)
        return err_set(e, ERR_FAIL,
                       "draw: coordinate list must contain exactly 2 coordinates "
                       "(got %d)",
                       n);
    switch (a->shape) {
    case IMG_SHAPE_RECTANGLE: return draw_rectangle(im, xy, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_ROUNDED_RECTANGLE:
        return draw_rounded_rectangle(im, xy, a->radius, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_ELLIPSE: return draw_ellipse(im, xy, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_ARC: return draw_arc(im, xy, a->start, a->end, a->fill, w, b, e);
    case IMG_SHAPE_CHORD: return draw_chord(im, xy, a->start, a->end, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_PIESLICE:
        return draw_pieslice(im, xy, a->start, a->end, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_LINE: return draw_line(im, xy, n, a->fill, w, a->joint_curve, b, e);
    case IMG_SHAPE_POLYGON: return draw_polygon(im, xy, n, a->fill, a->outline, w, b, e);
    case IMG_SHAPE_POINT: return draw_point(im, xy, n, a->fill, b, e);
    }
    return err_set(e, ERR_FAIL, "draw: unknown shape %d", (int)a->shape);
}

int img_draw_rectangle(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                       int width, errmsg *e)
{
    return draw_rectangle(im, xy, fill, outline, width, 0, e);
}

int img_draw_rounded_rectangle(img *im, const double xy[4], double radius, const uint8_t *fill,
                               const uint8_t *outline, int width, errmsg *e)
{
    return draw_rounded_rectangle(im, xy, radius, fill, outline, width, 0, e);
}

int img_draw_ellipse(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                     int width, errmsg *e)
{
    return draw_ellipse(im, xy, fill, outline, width, 0, e);
}

int img_draw_arc(img *im, const double xy[4], double start, double end, const uint8_t *ink,
                 int width, errmsg *e)
{
    return draw_arc(im, xy, start, end, ink, width, 0, e);
}

int img_draw_chord(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                   const uint8_t *outline, int width, errmsg *e)
{
    return draw_chord(im, xy, start, end, fill, outline, width, 0, e);
}

int img_draw_pieslice(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                      const uint8_t *outline, int width, errmsg *e)
{
    return draw_pieslice(im, xy, start, end, fill, outline, width, 0, e);
}

int img_draw_line(img *im, const double *xy, int npoints, const uint8_t *ink, int width, errmsg *e)
{
    return draw_line(im, xy, npoints, ink, width, 0, 0, e);
}

int img_draw_polygon(img *im, const double *xy, int npoints, const uint8_t *fill,
                     const uint8_t *outline, int width, errmsg *e)
{
    return draw_polygon(im, xy, npoints, fill, outline, width, 0, e);
}

int img_draw_point(img *im, const double *xy, int npoints, const uint8_t *ink, errmsg *e)
{
    return draw_point(im, xy, npoints, ink, 0, e);
}
