# conformance: exact
from PIL import Image, ImageDraw, ImageOps


def edit_image(img, shape, inverse):
    w, h = img.size
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    if shape == "circle":
        draw.ellipse([w // 4, h // 4, 3 * w // 4, 3 * h // 4], fill=255)
    elif shape == "diamond":
        draw.polygon([(w // 2, 0), (w, h // 2), (w // 2, h), (0, h // 2)], fill=255)
    else:
        draw.rectangle([0, 0, w // 2, h], fill=255)
    if inverse:
        mask = ImageOps.invert(mask)
    return Image.composite(ImageOps.invert(ImageOps.grayscale(img)).convert("RGB"), img, mask)


args_list = [
    {"shape": "circle", "inverse": False},
    {"shape": "diamond", "inverse": True},
    {"shape": "half", "inverse": False},
    {"shape": "circle", "inverse": True},
]
