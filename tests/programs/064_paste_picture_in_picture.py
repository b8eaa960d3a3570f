# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, scale, corner, border):
    w, h = img.size
    small = img.resize((w * scale // 1000, h * scale // 1000), Image.NEAREST)
    small = ImageOps.expand(small, border=border, fill="white")
    sw, sh = small.size
    positions = {"tl": (0, 0), "tr": (w - sw, 0), "bl": (0, h - sh), "br": (w - sw, h - sh)}
    img.paste(small, positions[corner])
    return img


args_list = [
    {"scale": 400, "corner": "tl", "border": 4},
    {"scale": 300, "corner": "tr", "border": 8},
    {"scale": 500, "corner": "bl", "border": 2},
    {"scale": 350, "corner": "br", "border": 6},
]
