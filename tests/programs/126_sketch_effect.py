# conformance: exact
from PIL import Image, ImageFilter, ImageOps


def edit_image(img, threshold, invert, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    edges = ImageOps.grayscale(img.crop(box)).filter(ImageFilter.FIND_EDGES)
    edges = ImageOps.autocontrast(edges).point(lambda v: 255 if v > threshold else 0)
    if invert:
        edges = ImageOps.invert(edges)
    img.paste(edges.convert("RGB"), box)
    return img


args_list = [
    {"threshold": 40, "invert": True, "bbox": [0, 0, 1000, 1000]},
    {"threshold": 80, "invert": False, "bbox": [0, 0, 1000, 500]},
    {"threshold": 20, "invert": True, "bbox": [0, 400, 1000, 1000]},
    {"threshold": 60, "invert": False, "bbox": [300, 0, 1000, 700]},
]
