# conformance: max=2 mean=0.1
from PIL import Image, ImageOps


def edit_image(img, size, color, centering):
    w, h = img.size
    target = (size[0] * w // 1000, size[1] * h // 1000)
    return ImageOps.pad(img, target, color=color, centering=centering)


args_list = [
    {"size": [1000, 500], "color": "black", "centering": (0.5, 0.5)},
    {"size": [500, 1000], "color": "white", "centering": (0.5, 0.0)},
    {"size": [1200, 800], "color": (255, 0, 0), "centering": (1.0, 1.0)},
    {"size": [700, 700], "color": "#33aa33", "centering": (0.0, 0.5)},
]
