# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, black, white, mid):
    gray = ImageOps.grayscale(img)
    if mid is None:
        return ImageOps.colorize(gray, black=black, white=white)
    return ImageOps.colorize(gray, black=black, white=white, mid=mid)


args_list = [
    {"black": "navy", "white": "yellow", "mid": None},
    {"black": (255, 230, 200), "white": (40, 0, 0), "mid": None},
    {"black": "black", "white": "white", "mid": "red"},
    {"black": "pink", "white": "darkgreen", "mid": (0, 120, 255)},
]
