# conformance: exact
from PIL import Image


def edit_image(img, bbox, block):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box)
    rw, rh = region.size
    small = region.resize((max(1, rw // block), max(1, rh // block)), resample=Image.NEAREST)
    img.paste(small.resize((rw, rh), Image.NEAREST), box[:2])
    return img


args_list = [
    {"bbox": [0, 0, 1000, 1000], "block": 40},
    {"bbox": [500, 300, 1000, 800], "block": 30},
    {"bbox": [0, 500, 600, 1000], "block": 60},
    {"bbox": [100, 100, 500, 500], "block": 45},
]
