# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, fill, resample, expand):
    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC}
    return img.rotate(angle, resample=filters[resample], expand=expand, fillcolor=fill)


args_list = [
    {"angle": 33.3, "fill": "gray", "resample": "bilinear", "expand": True},
    {"angle": -72, "fill": (255, 255, 255), "resample": "bicubic", "expand": True},
    {"angle": 200, "fill": "#ff8800", "resample": "bicubic", "expand": False},
    {"angle": 7, "fill": "black", "resample": "bilinear", "expand": False},
]
