# conformance: exact
from PIL import Image


def edit_image(img, method):
    methods = {
        "flip_lr": Image.Transpose.FLIP_LEFT_RIGHT,
        "flip_tb": Image.Transpose.FLIP_TOP_BOTTOM,
        "transpose": Image.Transpose.TRANSPOSE,
        "transverse": Image.Transpose.TRANSVERSE,
    }
    return img.transpose(methods[method])


args_list = [
    {"method": "flip_lr"},
    {"method": "flip_tb"},
    {"method": "transpose"},
    {"method": "transverse"},
]
