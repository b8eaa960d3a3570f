# conformance: exact
from PIL import Image


def edit_image(img, fraction, dx=0, dy=0):
    w, h = img.size
    side = int(min(w, h) * fraction)
    cx = w // 2 + dx * w // 1000
    cy = h // 2 + dy * h // 1000
    left = max(0, min(w - side, cx - side // 2))
    top = max(0, min(h - side, cy - side // 2))
    return img.crop((left, top, left + side, top + side))


args_list = [
    {"fraction": 0.5},
    {"fraction": 0.8, "dx": -200},
    {"fraction": 0.3, "dx": 300, "dy": -350},
    {"fraction": 0.6, "dy": 250},
]
