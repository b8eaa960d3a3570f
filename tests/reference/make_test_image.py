#!/usr/bin/python3
"""make_test_image.py - draws the deterministic, photo-like RGB test images that the
program conformance corpus runs on (assets/test_448.png and assets/test_333x250.png).

Run with Debian's /usr/bin/python3 (Pillow 9.4):  make_test_image.py OUTDIR
The pictures are text-free: a sky gradient, a sun, hills, a lake with reflections, trees
and a few saturated objects, then a mild blur so that edges look like a photo's rather than
a drawing's. Every shade range is present (dark shadows to near-white highlights) so that
equalize/autocontrast/solarize/posterize have work to do. Nothing here is random: the same
Pillow gives the same bytes.
"""
import math
import os
import sys

from PIL import Image, ImageDraw, ImageFilter


def sky(w, h):
    """A vertical blue-to-orange gradient with a horizontal tint, computed per pixel."""
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        t = y / (h - 1)
        for x in range(w):
            s = x / (w - 1)
            r = int(40 + 200 * t + 15 * s)
            g = int(90 + 110 * t - 20 * s)
            b = int(210 - 120 * t + 10 * s)
            px[x, y] = (min(r, 255), max(g, 0), max(b, 0))
    return im


def hills(draw, w, h):
    """Two layers of hills described by sums of sines, filled as polygons."""
    for layer, (base, amp, colour) in enumerate([(0.55, 0.08, (70, 110, 60)),
                                                 (0.65, 0.06, (40, 80, 35))]):
        pts = [(0, h)]
        for i in range(33):
            x = w * i / 32
            y = h * (base - amp * math.sin(i * 0.45 + layer) - amp / 2 * math.sin(i * 1.3))
            pts.append((x, y))
        pts.append((w, h))
        draw.polygon(pts, fill=colour)


def lake(im, w, h):
    """A lake in the lower third: a darker, vertically mirrored copy of the scene above it."""
    top = int(h * 0.72)
    above = im.crop((0, top - (h - top), w, top)).transpose(Image.FLIP_TOP_BOTTOM)
    water = Image.blend(above, Image.new("RGB", above.size, (20, 50, 90)), 0.45)
    im.paste(water, (0, top))
    draw = ImageDraw.Draw(im)
    for i in range(6):
        y = top + 6 + i * (h - top) // 7
        draw.line([(w * 0.1 + 9 * i, y), (w * 0.5 + 13 * i, y)], fill=(150, 170, 200), width=1)


def objects(draw, w, h):
    """A sun, trees, a red boat, a yellow house and a near-black shadow."""
    u = w / 448.0
    v = h / 448.0
    draw.ellipse([330 * u, 40 * v, 400 * u, 110 * v], fill=(255, 236, 160), outline=(255, 250, 230))
    for i, x in enumerate([40, 75, 115, 380]):
        draw.rectangle([(x - 3) * u, 250 * v, (x + 3) * u, 300 * v], fill=(70, 45, 25))
        draw.ellipse([(x - 22 - i) * u, (195 + 3 * i) * v, (x + 22 + i) * u, (265 + i) * v],
                     fill=(30 + 10 * i, 100 + 12 * i, 40))
    draw.rectangle([260 * u, 235 * v, 320 * u, 285 * v], fill=(235, 200, 60))
    draw.polygon([(255 * u, 235 * v), (290 * u, 205 * v), (325 * u, 235 * v)], fill=(120, 40, 30))
    draw.rectangle([282 * u, 258 * v, 296 * u, 285 * v], fill=(8, 6, 10))


def boat(draw, w, h):
    """A red boat with a white sail and its near-black shadow, drawn on the lake."""
    u = w / 448.0
    v = h / 448.0
    draw.polygon([(170 * u, 350 * v), (270 * u, 350 * v), (250 * u, 372 * v), (190 * u, 372 * v)],
                 fill=(200, 30, 35))
    draw.line([(220 * u, 350 * v), (220 * u, 300 * v)], fill=(60, 40, 30), width=max(1, int(3 * u)))
    draw.polygon([(222 * u, 302 * v), (222 * u, 345 * v), (255 * u, 345 * v)], fill=(245, 245, 240))
    draw.ellipse([150 * u, 400 * v, 190 * u, 430 * v], fill=(5, 5, 5))


def grain(im):
    """Adds a small fixed texture (a hash of the 4x4 block position, -2..2) like sensor noise."""
    px = im.load()
    w, h = im.size
    for y in range(h):
        for x in range(w):
            d = (((x // 4) * 7919 + (y // 4) * 104729) ^ (x // 4 * y // 4)) % 5 - 2
            r, g, b = px[x, y]
            px[x, y] = (min(max(r + d, 0), 255), min(max(g + d, 0), 255), min(max(b + d, 0), 255))


def make(w, h):
    im = sky(w, h)
    draw = ImageDraw.Draw(im)
    hills(draw, w, h)
    objects(draw, w, h)
    lake(im, w, h)
    boat(ImageDraw.Draw(im), w, h)
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    grain(im)
    return im


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make_test_image.py OUTDIR\n")
        return 2
    out = sys.argv[1]
    for (w, h), name in [((448, 448), "test_448.png"), ((333, 250), "test_333x250.png")]:
        make(w, h).save(os.path.join(out, name), optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
