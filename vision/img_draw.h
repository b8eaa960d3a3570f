/* img_draw.h - ImageDraw.Draw(img) drawing primitives, pixel-exact with Pillow 9.4.
 *
 * Each function draws in place on an L, RGB or RGBA image and mirrors the ImageDraw method
 * of the same name, including its argument rules:
 *   - Coordinates come as a flat array of doubles, xy[2*i] = x, xy[2*i+1] = y, whatever form
 *     the program used ([(x0,y0),(x1,y1)] or [x0,y0,x1,y1]); the caller flattens. Like
 *     Pillow, every primitive truncates them toward zero to ints before rasterising.
 *   - Inks are 4 bytes made by img_color.h (img_ink_from_*), or NULL for "None".
 *     When a call gives neither fill nor outline (or no ink for line/point/arc), Pillow's
 *     default ink is used (img_ink_default). An outline equal to the fill (all 4 bytes) is
 *     skipped, as in Pillow. width 0 means "no outline".
 *   - Pixels outside the image are clipped silently. Inks are written as they are, not
 *     blended: drawing (10,20,30,128) on RGBA stores alpha 128 (Pillow's Draw(im); for
 *     Draw(rgb_im, "RGBA"), which blends, use img_draw() at the end of this file).
 *
 *     uint8_t red[4];
 *     img_ink_from_str("red", im->mode, red, &e);
 *     double box[4] = {10, 10, 40.7, 30};
 *     if (img_draw_rectangle(im, box, red, NULL, 1, &e)) ... e.text says why
 *
 * All functions return 0, or ERR_FAIL with a message (wrong coordinate count, a coordinate
 * or width that is NaN or beyond +-IMG_DRAW_COORD_LIMIT, out of memory). Argument errors
 * leave the image unchanged. Within the limits one call costs at most a few million steps
 * (the walk along a thin line or an ellipse is proportional to its length).
 */
#ifndef VKEVE_IMG_DRAW_H
#define VKEVE_IMG_DRAW_H

#include <stdint.h>

#include "base/errmsg.h"
#include "vision/img.h"

/* Coordinates and widths are limited to +-2^20 (Pillow's own ellipse arithmetic overflows
 * past 46340, so nothing beyond that could match it anyway). */
#define IMG_DRAW_COORD_LIMIT 1048576.0
/* Ellipses, arcs, chords, pie slices and rounded rectangles: box sides and width at most this. */
#define IMG_DRAW_MAX_ELLIPSE 32767

/* draw.rectangle(xy, fill, outline, width): xy holds 2 points (x0,y0,x1,y1), both corners
 * inclusive. A wide outline grows inward. Reversed corners are accepted as Pillow 9.4 does
 * (it swaps y0/y1 but not x0/x1, whose hlines then run either way). */
int img_draw_rectangle(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                       int width, errmsg *e);

/* draw.rounded_rectangle(xy, radius, fill, outline, width). */
int img_draw_rounded_rectangle(img *im, const double xy[4], double radius, const uint8_t *fill,
                               const uint8_t *outline, int width, errmsg *e);

/* draw.ellipse(xy, fill, outline, width): the ellipse inscribed in the bounding box xy. */
int img_draw_ellipse(img *im, const double xy[4], const uint8_t *fill, const uint8_t *outline,
                     int width, errmsg *e);

/* draw.arc / draw.chord / draw.pieslice (xy, start, end, ...): angles in degrees, measured
 * clockwise from 3 o'clock, as in Pillow. */
int img_draw_arc(img *im, const double xy[4], double start, double end, const uint8_t *ink,
                 int width, errmsg *e);
int img_draw_chord(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                   const uint8_t *outline, int width, errmsg *e);
int img_draw_pieslice(img *im, const double xy[4], double start, double end, const uint8_t *fill,
                      const uint8_t *outline, int width, errmsg *e);

/* draw.line(xy, fill, width) for npoints >= 1 points (joint=None). width <= 1 draws
 * 1-pixel lines; wider lines are drawn as polygons, segment by segment, as Pillow does. */
int img_draw_line(img *im, const double *xy, int npoints, const uint8_t *ink, int width, errmsg *e);

/* draw.polygon(xy, fill, outline, width) for npoints >= 2 points (the last joins the first). */
int img_draw_polygon(img *im, const double *xy, int npoints, const uint8_t *fill,
                     const uint8_t *outline, int width, errmsg *e);

/* draw.point(xy, fill): one pixel per point. */
int img_draw_point(img *im, const double *xy, int npoints, const uint8_t *ink, errmsg *e);

/* draw.regular_polygon((cx, cy, radius), n_sides, rotation, fill, outline): Pillow's vertices
 * (rounded to 2 decimals, as it does) drawn with polygon(). 3 <= n_sides <=
 * IMG_DRAW_MAX_SIDES, radius > 0. blend as in img_draw_args below. The vertices alone, for
 * programs that ask for them: xy receives 2 * n_sides doubles. */
#define IMG_DRAW_MAX_SIDES 100000
int img_draw_regular_polygon(img *im, double cx, double cy, double radius, int n_sides,
                             double rotation, const uint8_t *fill, const uint8_t *outline,
                             int blend, errmsg *e);
int img_draw_regular_polygon_vertices(double cx, double cy, double radius, int n_sides,
                                      double rotation, double *xy, errmsg *e);

/* ImageDraw.floodfill(im, (x, y), value, border, thresh): fills the 4-connected region around
 * the seed whose pixels are within thresh (sum of channel differences) of the seed's colour,
 * or, with a border, every connected pixel that is neither the border colour nor value.
 * value and border are inks (img_color.h; only the image's channels count), border NULL
 * for None. As in Pillow: nothing happens when the seed is outside the image or already
 * within thresh of value; negative seed coordinates index from the far side for the seed
 * itself (Python indexing) but the region is grown from the unwrapped position. Seed
 * coordinates are truncated to ints first. */
int img_floodfill(img *im, double x, double y, const uint8_t *value, const uint8_t *border,
                  int thresh, errmsg *e);

/* ---- one entry point for every shape, with blending ----
 * ImageDraw.Draw(im, "RGBA") on an RGB image makes Pillow BLEND each ink into the pixels by
 * the ink's alpha (out = (out*(255-a) + ink*a) / 255, Pillow's rounding) instead of writing
 * it. img_draw() does every shape above, either way; with blend set the image must be RGB
 * and the inks made for IMG_RGBA (so that they keep their alpha). The fields a shape does
 * not use are ignored; box shapes need npoints == 2. Pillow quirks kept: a blended polygon
 * never paints a pixel twice, but a polygon outline wider than 1 is copied, not blended. */
typedef enum img_shape {
    IMG_SHAPE_RECTANGLE,
    IMG_SHAPE_ROUNDED_RECTANGLE,
    IMG_SHAPE_ELLIPSE,
    IMG_SHAPE_ARC,
    IMG_SHAPE_CHORD,
    IMG_SHAPE_PIESLICE,
    IMG_SHAPE_LINE,
    IMG_SHAPE_POLYGON,
    IMG_SHAPE_POINT
} img_shape;

typedef struct img_draw_args {
    img_shape shape;
    const double *xy; /* npoints (x, y) pairs, flattened */
    int npoints;
    const uint8_t *fill;    /* the ink of line, point and arc too */
    const uint8_t *outline; /* rectangle, rounded rectangle, ellipse, chord, pieslice, polygon */
    int width;
    double start, end; /* arc, chord, pieslice */
    double radius;     /* rounded rectangle */
    int joint_curve;   /* line: joint="curve" (rounds the joints of lines wider than 4) */
    int blend;
} img_draw_args;

int img_draw(img *im, const img_draw_args *a, errmsg *e);

#endif
