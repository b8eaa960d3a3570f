# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, op):
    ops = {
        "mirror": ImageOps.mirror,
        "flip": ImageOps.flip,
        "invert": ImageOps.invert,
        "gray": lambda im: ImageOps.grayscale(im).convert("RGB"),
    }
    return ops[op](img)


args_list = [
    {"op": "mirror"},
    {"op": "flip"},
    {"op": "invert"},
    {"op": "gray"},
]
