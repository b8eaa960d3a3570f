# conformance: exact
from PIL import Image


def edit_image(img, fx, fy):
    w, h = img.size
    return img.resize((max(1, int(w * fx)), max(1, int(h * fy))), Image.NEAREST)


args_list = [
    {"fx": 0.5, "fy": 0.5},
    {"fx": 2.0, "fy": 1.0},
    {"fx": 0.3, "fy": 1.5},
    {"fx": 1.33, "fy": 0.77},
]
