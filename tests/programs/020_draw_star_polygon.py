# conformance: exact
import math
from PIL import Image, ImageDraw


def edit_image(img, points, rotation, fill):
    w, h = img.size
    cx, cy = w / 2, h / 2
    outer = min(w, h) * 0.4
    inner = outer * 0.45
    xy = []
    for i in range(2 * points):
        r = outer if i % 2 == 0 else inner
        a = math.radians(rotation) + math.pi * i / points
        xy.append((cx + r * math.sin(a), cy - r * math.cos(a)))
    ImageDraw.Draw(img).polygon(xy, fill=fill, outline="white")
    return img


args_list = [
    {"points": 5, "rotation": 0, "fill": "gold"},
    {"points": 6, "rotation": 15, "fill": "crimson"},
    {"points": 8, "rotation": 0, "fill": (20, 20, 160)},
    {"points": 3, "rotation": 60, "fill": "limegreen"},
]
