# conformance: exact fails=1,2,3
from PIL import Image, ImageDraw


def scaled(v, size):
    return v * size // 1000


def edit_image(img, box, width, label):
    w, h = img.size
    x0, y0, x1, y1 = box
    xy = [scaled(x0, w), scaled(y0, h), scaled(x1, w), scaled(y1, h)]
    thickness = int(width)
    ImageDraw.Draw(img).rectangle(xy, outline="white", width=thickness)
    if label:
        tag = label.upper()
        xy.append(tag)
    return img


args_list = [
    {"box": [100, 100, 900, 900], "width": "12", "label": "ok"},
    {"box": [100, 100, 900], "width": 5, "label": ""},
    {"box": [100, 100, 900, 900], "width": "wide", "label": ""},
    {"box": [100, 100, 900, 900], "width": 3, "label": 7},
]
