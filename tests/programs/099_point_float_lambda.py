# conformance: exact
from PIL import Image


def edit_image(img, gain, bias):
    return img.point(lambda p: p * gain + bias)


args_list = [
    {"gain": 1.5, "bias": 0},
    {"gain": 0.5, "bias": 64.5},
    {"gain": -1.0, "bias": 255},
    {"gain": 3.5, "bias": -300.5},
]
