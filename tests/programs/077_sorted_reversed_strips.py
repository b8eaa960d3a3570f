# conformance: exact
from PIL import Image


def edit_image(img, n, stride, backwards):
    w, h = img.size
    step = w // n
    strips = [img.crop((i * step, 0, i * step + step, h)) for i in range(n)]
    order = sorted(range(n), key=lambda i: (i * stride) % n)
    if backwards:
        order = list(reversed(order))
    for pos, src in enumerate(order):
        img.paste(strips[src], (pos * step, 0))
    return img


args_list = [
    {"n": 4, "stride": 1, "backwards": True},
    {"n": 5, "stride": 2, "backwards": False},
    {"n": 7, "stride": 3, "backwards": False},
    {"n": 6, "stride": 5, "backwards": True},
]
