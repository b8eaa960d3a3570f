# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, resample):
    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC}
    return img.rotate(angle, resample=filters[resample], expand=True, fillcolor=(250, 250, 250))


args_list = [
    {"angle": 0.5, "resample": "bicubic"},
    {"angle": 89.9, "resample": "bilinear"},
    {"angle": 270.1, "resample": "nearest"},
    {"angle": -359.25, "resample": "bicubic"},
]
