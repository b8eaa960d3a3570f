# conformance: exact
from PIL import Image


def edit_image(img, gains):
    table = []
    for g in gains:
        table += [min(255, int(i * g)) for i in range(256)]
    return img.point(table)


args_list = [
    {"gains": [1.6, 1.0, 0.6]},
    {"gains": [0.5, 1.4, 0.8]},
    {"gains": [0.7, 0.7, 1.9]},
    {"gains": [2.0, 2.0, 0.2]},
]
