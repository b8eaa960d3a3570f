# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, band, axis):
    w, h = img.size
    a, b = band
    if axis == "x":
        box = (a * w // 1000, 0, b * w // 1000, h)
        img.paste(ImageOps.mirror(img.crop(box)), box[:2])
    else:
        box = (0, a * h // 1000, w, b * h // 1000)
        img.paste(ImageOps.flip(img.crop(box)), box[:2])
    return img


args_list = [
    {"band": [0, 500], "axis": "x"},
    {"band": [300, 1000], "axis": "x"},
    {"band": [0, 700], "axis": "y"},
    {"band": [400, 1000], "axis": "y"},
]
