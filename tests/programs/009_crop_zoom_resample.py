# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, bbox, resample):
    w, h = img.size
    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC, "lanczos": Image.Resampling.LANCZOS}
    box = tuple(int(v * s / 1000) for v, s in zip(bbox, (w, h, w, h)))
    return img.crop(box).resize((w, h), filters[resample])


args_list = [
    {"bbox": [0, 0, 500, 500], "resample": "nearest"},
    {"bbox": [500, 350, 900, 700], "resample": "bilinear"},
    {"bbox": [100, 600, 700, 1000], "resample": "bicubic"},
    {"bbox": [600, 0, 1000, 400], "resample": "lanczos"},
]
