# conformance: exact
from PIL import Image


def edit_image(img, first, second, size):
    w, h = img.size
    bw, bh = size[0] * w // 1000, size[1] * h // 1000
    ax, ay = first[0] * w // 1000, first[1] * h // 1000
    bx, by = second[0] * w // 1000, second[1] * h // 1000
    a = img.crop((ax, ay, ax + bw, ay + bh))
    b = img.crop((bx, by, bx + bw, by + bh))
    img.paste(b, (ax, ay))
    img.paste(a, (bx, by))
    return img


args_list = [
    {"first": [550, 450], "second": [50, 50], "size": [250, 250]},
    {"first": [700, 50], "second": [100, 700], "size": [250, 250]},
    {"first": [0, 0], "second": [500, 500], "size": [500, 500]},
    {"first": [300, 620], "second": [600, 100], "size": [350, 200]},
]
