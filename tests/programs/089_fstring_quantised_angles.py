# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, precision):
    label = f"{angle:.{precision}f}"
    snapped = float(label)
    w, h = img.size
    out = img.rotate(snapped, resample=Image.BILINEAR, expand=True, fillcolor=(255, 255, 255))
    return out.resize((w, h), Image.BILINEAR)


args_list = [
    {"angle": 12.345, "precision": 0},
    {"angle": 47.26, "precision": 1},
    {"angle": -30.04, "precision": 2},
    {"angle": 95.5, "precision": 0},
]
