# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, bbox):
    w, h = img.size
    box = tuple(int(v / 1000 * s) for v, s in zip(bbox, [w, h, w, h]))
    img.paste(ImageOps.invert(img.crop(box)), box)
    return img


args_list = [
    {"bbox": [0, 0, 500, 1000]},
    {"bbox": [250, 250, 750, 750]},
    {"bbox": [0, 600, 1000, 1000]},
    {"bbox": [600, 0, 1000, 400]},
]
