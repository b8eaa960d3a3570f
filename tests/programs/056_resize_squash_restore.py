# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, squash, resample):
    w, h = img.size
    sw, sh = squash
    small = img.resize((max(8, w * sw // 1000), max(8, h * sh // 1000)), resample)
    return small.resize((w, h), resample)


args_list = [
    {"squash": [40, 40], "resample": Image.BILINEAR},
    {"squash": [20, 1000], "resample": Image.BICUBIC},
    {"squash": [1000, 25], "resample": Image.LANCZOS},
    {"squash": [8, 300], "resample": Image.HAMMING},
]
