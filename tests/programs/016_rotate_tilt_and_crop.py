# conformance: max=2 mean=0.1
import math
from PIL import Image


def edit_image(img, angle):
    w, h = img.size
    rotated = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    a = math.radians(abs(angle))
    cw = int(w * math.cos(a) - h * math.sin(a) * 0.5)
    ch = int(h * math.cos(a) - w * math.sin(a) * 0.5)
    rw, rh = rotated.size
    left, top = (rw - cw) // 2, (rh - ch) // 2
    return rotated.crop((left, top, left + cw, top + ch))


args_list = [
    {"angle": 8},
    {"angle": -15},
    {"angle": 25},
    {"angle": -4},
]
