# conformance: exact
from PIL import Image


def edit_image(img, colors, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box).quantize(colors=colors).convert("RGB")
    img.paste(region, box)
    return img


args_list = [
    {"colors": 2, "bbox": [0, 0, 1000, 1000]},
    {"colors": 4, "bbox": [0, 0, 1000, 500]},
    {"colors": 8, "bbox": [500, 0, 1000, 1000]},
    {"colors": 3, "bbox": [0, 500, 700, 1000]},
]
