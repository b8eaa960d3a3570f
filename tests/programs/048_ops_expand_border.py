# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, border, fill):
    return ImageOps.expand(img, border=border, fill=fill)


args_list = [
    {"border": 20, "fill": "white"},
    {"border": (40, 0, 40, 0), "fill": "black"},
    {"border": (0, 60, 10, 5), "fill": (200, 30, 30)},
    {"border": 80, "fill": "#1e90ff"},
]
