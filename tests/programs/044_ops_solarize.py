# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, threshold):
    return ImageOps.solarize(img, threshold=threshold)


args_list = [
    {"threshold": 32},
    {"threshold": 96},
    {"threshold": 160},
    {"threshold": 220},
]
