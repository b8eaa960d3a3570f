# conformance: exact
from PIL import Image


def edit_image(img, gamma):
    table = [int(255 * (i / 255) ** gamma + 0.5) for i in range(256)]
    return img.point(table * len(img.getbands()))


args_list = [
    {"gamma": 0.4},
    {"gamma": 0.7},
    {"gamma": 1.8},
    {"gamma": 3.0},
]
