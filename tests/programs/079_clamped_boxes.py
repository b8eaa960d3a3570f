# conformance: exact
from PIL import Image, ImageDraw


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def to_pixels(box, w, h):
    x0, y0, x1, y1 = [clamp(v, 0, 1000) for v in box]
    return [x0 * (w - 1) // 1000, y0 * (h - 1) // 1000, x1 * (w - 1) // 1000, y1 * (h - 1) // 1000]


def edit_image(img, boxes, fill):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for box in boxes:
        draw.rectangle(to_pixels(box, w, h), fill=fill, outline="black", width=3)
    return img


args_list = [
    {"boxes": [[-200, -100, 300, 400]], "fill": "white"},
    {"boxes": [[700, 600, 1400, 1300], [-50, 700, 200, 1200]], "fill": "red"},
    {"boxes": [[300, -500, 700, 1500]], "fill": "blue"},
    {"boxes": [[0, 0, 1000, 250], [0, 750, 1000, 1000]], "fill": "black"},
]
