# conformance: exact
from PIL import Image


def edit_image(img, bbox):
    w, h = img.size
    left = int(bbox[0] / 1000 * w)
    top = int(bbox[1] / 1000 * h)
    right = int(bbox[2] / 1000 * w)
    bottom = int(bbox[3] / 1000 * h)
    return img.crop((left, top, right, bottom))


args_list = [
    {"bbox": [0, 0, 500, 500]},
    {"bbox": [550, 400, 1000, 700]},
    {"bbox": [250, 650, 800, 1000]},
    {"bbox": [680, 50, 950, 300]},
]
