# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, center):
    w, h = img.size
    c = (center[0] * w / 1000, center[1] * h / 1000)
    return img.rotate(angle, Image.BILINEAR, center=c)


args_list = [
    {"angle": 20, "center": [500, 500]},
    {"angle": -35, "center": [0, 0]},
    {"angle": 75, "center": [800, 300]},
    {"angle": 160, "center": [300, 700]},
]
