# conformance: max=2 mean=0.1
from PIL import Image, ImageOps


def edit_image(img, op, size):
    w, h = img.size
    target = (size[0] * w // 1000, size[1] * h // 1000)
    if op == "fit":
        return ImageOps.fit(img, target, centering=(0.3, 0.7))
    if op == "contain":
        return ImageOps.contain(img, target)
    if op == "scale":
        return ImageOps.scale(img, size[0] / 1000)
    return ImageOps.crop(img, border=size[0] * min(w, h) // 4000)


args_list = [
    {"op": "fit", "size": [500, 900]},
    {"op": "contain", "size": [700, 400]},
    {"op": "scale", "size": [1500, 0]},
    {"op": "crop", "size": [600, 0]},
]
