# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, mode, keep_band, bbox):
    gray = ImageOps.grayscale(img)
    if mode == "L":
        return gray
    w, h = img.size
    bands = [gray, gray, gray]
    bands[keep_band] = img.split()[keep_band]
    toned = Image.merge("RGB", bands)
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    return toned.crop(box).convert(mode)


args_list = [
    {"mode": "L", "keep_band": 0, "bbox": [0, 0, 1000, 1000]},
    {"mode": "RGBA", "keep_band": 1, "bbox": [0, 0, 1000, 1000]},
    {"mode": "RGB", "keep_band": 0, "bbox": [0, 0, 500, 1000]},
    {"mode": "RGB", "keep_band": 2, "bbox": [0, 400, 1000, 1000]},
]
