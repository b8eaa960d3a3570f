# conformance: exact
from PIL import Image


def edit_image(img, order, vertical):
    w, h = img.size
    n = len(order)
    out = img.copy()
    for i, k in enumerate(order):
        if vertical:
            step = w // n
            strip = img.crop((k * step, 0, (k + 1) * step, h))
            out.paste(strip, (i * step, 0))
        else:
            step = h // n
            strip = img.crop((0, k * step, w, (k + 1) * step))
            out.paste(strip, (0, i * step))
    return out


args_list = [
    {"order": [3, 2, 1, 0], "vertical": False},
    {"order": [1, 3, 0, 2], "vertical": False},
    {"order": [4, 0, 3, 1, 2], "vertical": True},
    {"order": [2, 1, 0], "vertical": True},
]
