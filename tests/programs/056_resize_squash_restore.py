# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, squash, resample):
    w, h = img.size
    resample = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "lanczos": Image.LANCZOS,
                "hamming": Image.HAMMING}[resample]
    sw, sh = squash
    small = img.resize((max(8, w * sw // 1000), max(8, h * sh // 1000)), resample)
    return small.resize((w, h), resample)


args_list = [
    {"squash": [40, 40], "resample": "bilinear"},
    {"squash": [20, 1000], "resample": "bicubic"},
    {"squash": [1000, 25], "resample": "lanczos"},
    {"squash": [8, 300], "resample": "hamming"},
]
