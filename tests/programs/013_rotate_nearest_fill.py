# conformance: exact
from PIL import Image


def edit_image(img, angle, fill):
    return img.rotate(angle, resample=Image.NEAREST, expand=True, fillcolor=fill)


args_list = [
    {"angle": 30, "fill": "white"},
    {"angle": -60, "fill": (255, 0, 0)},
    {"angle": 135, "fill": "#00ff88"},
    {"angle": 10.5, "fill": "navy"},
]
