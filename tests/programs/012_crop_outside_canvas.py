# conformance: exact
from PIL import Image


def edit_image(img, shift):
    w, h = img.size
    dx = shift[0] * w // 1000
    dy = shift[1] * h // 1000
    return img.crop((dx, dy, dx + w, dy + h))


args_list = [
    {"shift": [-150, 0]},
    {"shift": [200, 100]},
    {"shift": [0, -250]},
    {"shift": [-100, 300]},
]
