# conformance: exact
from PIL import Image


def edit_image(img, threshold, gray):
    if gray:
        img = img.convert("L")
    return img.point(lambda p: 255 if p > threshold else 0)


args_list = [
    {"threshold": 64, "gray": False},
    {"threshold": 128, "gray": False},
    {"threshold": 100, "gray": True},
    {"threshold": 180, "gray": True},
]
