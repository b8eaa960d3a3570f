# conformance: exact
from PIL import Image


def edit_image(img, levels):
    step = 256 // levels
    return img.point(lambda v: min(255, (v // step) * step + step // 2))


args_list = [
    {"levels": 2},
    {"levels": 3},
    {"levels": 6},
    {"levels": 12},
]
