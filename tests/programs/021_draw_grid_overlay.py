# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, cells, color, width):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for i in range(1, cells):
        x = i * w // cells
        y = i * h // cells
        draw.line([(x, 0), (x, h - 1)], fill=color, width=width)
        draw.line([(0, y), (w - 1, y)], fill=color, width=width)
    return img


args_list = [
    {"cells": 2, "color": "white", "width": 24},
    {"cells": 4, "color": "black", "width": 12},
    {"cells": 6, "color": "red", "width": 9},
    {"cells": 3, "color": "#00ffff", "width": 18},
]
