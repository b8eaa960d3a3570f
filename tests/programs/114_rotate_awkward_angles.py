# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, resample):
    return img.rotate(angle, resample=resample, expand=True, fillcolor=(250, 250, 250))


args_list = [
    {"angle": 0.5, "resample": Image.BICUBIC},
    {"angle": 89.9, "resample": Image.BILINEAR},
    {"angle": 270.1, "resample": Image.NEAREST},
    {"angle": -359.25, "resample": Image.BICUBIC},
]
