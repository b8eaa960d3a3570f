# conformance: exact
from PIL import Image, ImageDraw


def split(draw, box, depth, color):
    x0, y0, x1, y1 = box
    draw.rectangle(box, outline=color, width=depth + 2)
    if depth == 0:
        return
    mx, my = (x0 + x1) // 2, (y0 + y1) // 2
    split(draw, (x0, y0, mx, my), depth - 1, color)
    split(draw, (mx, my, x1, y1), depth - 1, color)


def edit_image(img, depth, color):
    w, h = img.size
    split(ImageDraw.Draw(img), (0, 0, w - 1, h - 1), depth, color)
    return img


args_list = [
    {"depth": 1, "color": "white"},
    {"depth": 3, "color": "red"},
    {"depth": 5, "color": "yellow"},
    {"depth": 7, "color": "black"},
]
