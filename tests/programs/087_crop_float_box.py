# conformance: exact
from PIL import Image


def edit_image(img, bbox):
    w, h = img.size
    box = (bbox[0] / 1000 * w, bbox[1] / 1000 * h, bbox[2] / 1000 * w, bbox[3] / 1000 * h)
    return img.crop(box)


args_list = [
    {"bbox": [111, 222, 777, 888]},
    {"bbox": [5, 5, 505, 405]},
    {"bbox": [333, 0, 999, 666]},
    {"bbox": [250.5, 500.5, 1000, 1000]},
]
