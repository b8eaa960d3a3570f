# conformance: exact
from PIL import Image, ImageFilter


def edit_image(img, kind, size, bbox):
    w, h = img.size
    filters = {"median": ImageFilter.MedianFilter, "min": ImageFilter.MinFilter, "max": ImageFilter.MaxFilter}
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    img.paste(img.crop(box).filter(filters[kind](size)), box)
    return img


args_list = [
    {"kind": "median", "size": 9, "bbox": [0, 0, 1000, 1000]},
    {"kind": "min", "size": 7, "bbox": [0, 0, 1000, 500]},
    {"kind": "max", "size": 11, "bbox": [500, 0, 1000, 1000]},
    {"kind": "min", "size": 15, "bbox": [0, 500, 1000, 1000]},
]
