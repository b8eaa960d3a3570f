# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, op, shade):
    w, h = img.size
    flat = Image.new("RGB", (w // 2, h), shade)
    img.paste(flat, (0, 0))
    if op == "equalize":
        return ImageOps.equalize(img)
    if op == "autocontrast":
        return ImageOps.autocontrast(img.crop((0, 0, w // 2, h)).convert("L")).convert("RGB")
    if op == "autocontrast_cut":
        return ImageOps.autocontrast(img, cutoff=(10, 40))
    return ImageOps.equalize(img.convert("L"))


args_list = [
    {"op": "equalize", "shade": (90, 90, 90)},
    {"op": "autocontrast", "shade": (40, 80, 120)},
    {"op": "autocontrast_cut", "shade": (255, 255, 255)},
    {"op": "equalize_gray", "shade": (0, 0, 0)},
]
