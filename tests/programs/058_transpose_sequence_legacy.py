# conformance: exact
from PIL import Image


def edit_image(img, steps):
    table = [Image.FLIP_LEFT_RIGHT, Image.FLIP_TOP_BOTTOM, Image.ROTATE_90, Image.ROTATE_180,
             Image.ROTATE_270, Image.TRANSPOSE, Image.TRANSVERSE]
    for s in steps:
        img = img.transpose(table[s])
    return img


args_list = [
    {"steps": [2]},
    {"steps": [0, 4]},
    {"steps": [3, 2]},
    {"steps": [6, 6, 1]},
]
