# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, scale, resample):
    w, h = img.size
    filters = [Image.Resampling.NEAREST, Image.Resampling.BOX, Image.Resampling.BILINEAR,
               Image.Resampling.HAMMING, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS]
    return img.resize((int(w * scale), int(h * scale)), resample=filters[resample])


args_list = [
    {"scale": 0.35, "resample": 1},
    {"scale": 1.7, "resample": 2},
    {"scale": 0.6, "resample": 3},
    {"scale": 1.25, "resample": 5},
]
