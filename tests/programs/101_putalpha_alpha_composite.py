# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, alpha, tint, flip):
    base = img.convert("RGBA")
    top = ImageOps.flip(img) if flip else ImageOps.mirror(img)
    top = top.convert("RGBA")
    top.putalpha(alpha)
    out = Image.alpha_composite(base, top)
    overlay = Image.new("RGBA", img.size, tuple(tint))
    return Image.alpha_composite(out, overlay).convert("RGB")


args_list = [
    {"alpha": 128, "tint": [0, 0, 0, 0], "flip": True},
    {"alpha": 60, "tint": [255, 0, 0, 70], "flip": False},
    {"alpha": 200, "tint": [0, 0, 80, 120], "flip": True},
    {"alpha": 255, "tint": [255, 255, 255, 40], "flip": False},
]
