# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, bbox, gray):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box)
    if gray:
        region = region.convert("L")
    img.paste(ImageOps.equalize(region), box)
    return img


args_list = [
    {"bbox": [0, 0, 1000, 1000], "gray": False},
    {"bbox": [0, 0, 1000, 500], "gray": True},
    {"bbox": [400, 400, 1000, 1000], "gray": False},
    {"bbox": [0, 300, 600, 900], "gray": True},
]
