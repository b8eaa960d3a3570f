# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, source_mode, bbox, target_mode):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    patch = ImageOps.mirror(img.crop(box)).convert(source_mode)
    base = img.convert(target_mode)
    base.paste(patch, box[:2])
    return base


args_list = [
    {"source_mode": "L", "bbox": [0, 0, 500, 1000], "target_mode": "RGB"},
    {"source_mode": "RGB", "bbox": [200, 200, 800, 800], "target_mode": "L"},
    {"source_mode": "RGBA", "bbox": [0, 500, 1000, 1000], "target_mode": "RGB"},
    {"source_mode": "L", "bbox": [500, 0, 1000, 600], "target_mode": "RGBA"},
]
