# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, offset, scale, use_mask):
    w, h = img.size
    piece = img.resize((w * scale // 1000, h * scale // 1000), Image.NEAREST)
    piece = ImageOps.invert(piece)
    x, y = offset[0] * w // 1000, offset[1] * h // 1000
    if use_mask:
        mask = piece.convert("L").point(lambda v: 255 if v > 120 else 0)
        img.paste(piece, (x, y), mask)
    else:
        img.paste(piece, (x, y))
    return img


args_list = [
    {"offset": [-300, -200], "scale": 800, "use_mask": False},
    {"offset": [600, 700], "scale": 700, "use_mask": True},
    {"offset": [-500, 400], "scale": 1500, "use_mask": False},
    {"offset": [200, -600], "scale": 900, "use_mask": True},
]
