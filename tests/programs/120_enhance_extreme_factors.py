# conformance: max=1 mean=0.05
from PIL import Image, ImageEnhance


def edit_image(img, kind, factor, mode):
    img = img.convert(mode)
    enhancers = {"brightness": ImageEnhance.Brightness, "contrast": ImageEnhance.Contrast,
                 "color": ImageEnhance.Color}
    return enhancers[kind](img).enhance(factor)


args_list = [
    {"kind": "brightness", "factor": 7.5, "mode": "RGB"},
    {"kind": "contrast", "factor": -1.5, "mode": "L"},
    {"kind": "color", "factor": -2.0, "mode": "RGBA"},
    {"kind": "contrast", "factor": 12.0, "mode": "RGB"},
]
