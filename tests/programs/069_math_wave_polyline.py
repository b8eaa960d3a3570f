# conformance: exact
import math
from PIL import Image, ImageDraw


def edit_image(img, amplitude, periods, color, width):
    w, h = img.size
    amp = amplitude * h / 1000
    pts = [(x, h / 2 + amp * math.sin(2 * math.pi * periods * x / w)) for x in range(0, w, 4)]
    ImageDraw.Draw(img).line(pts, fill=color, width=width)
    return img


args_list = [
    {"amplitude": 300, "periods": 1, "color": "white", "width": 8},
    {"amplitude": 150, "periods": 3, "color": "red", "width": 12},
    {"amplitude": 400, "periods": 0.5, "color": "black", "width": 16},
    {"amplitude": 80, "periods": 6, "color": "yellow", "width": 6},
]
