# conformance: exact
from PIL import Image


def edit_image(img, margins):
    w, h = img.size
    left, top, right, bottom = [m / 1000 for m in margins]
    return img.crop((round(left * w), round(top * h), w - round(right * w), h - round(bottom * h)))


args_list = [
    {"margins": [100, 100, 100, 100]},
    {"margins": [0, 300, 0, 0]},
    {"margins": [450, 0, 0, 250]},
    {"margins": [50, 500, 400, 25]},
]
