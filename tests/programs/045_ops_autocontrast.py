# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, cutoff, preserve_tone, darken):
    if darken:
        img = img.point(lambda p: p // 3 + 40)
    return ImageOps.autocontrast(img, cutoff=cutoff, preserve_tone=preserve_tone)


args_list = [
    {"cutoff": 0, "preserve_tone": False, "darken": True},
    {"cutoff": 5, "preserve_tone": False, "darken": False},
    {"cutoff": 2, "preserve_tone": True, "darken": True},
    {"cutoff": 20, "preserve_tone": False, "darken": True},
]
