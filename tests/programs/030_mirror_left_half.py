# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, side):
    w, h = img.size
    half = w // 2
    if side == "left":
        part = img.crop((0, 0, half, h))
        img.paste(ImageOps.mirror(part), (w - half, 0))
    elif side == "right":
        part = img.crop((w - half, 0, w, h))
        img.paste(ImageOps.mirror(part), (0, 0))
    elif side == "top":
        part = img.crop((0, 0, w, h // 2))
        img.paste(ImageOps.flip(part), (0, h - h // 2))
    else:
        part = img.crop((0, h - h // 2, w, h))
        img.paste(ImageOps.flip(part), (0, 0))
    return img


args_list = [
    {"side": "left"},
    {"side": "right"},
    {"side": "top"},
    {"side": "bottom"},
]
