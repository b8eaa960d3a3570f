# conformance: exact
from PIL import Image, ImageDraw


def to_hex(rgb):
    r, g, b = rgb
    return f"#{r:02x}{g:02x}{b:02x}"


def edit_image(img, rgb, bands):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    color = to_hex(rgb)
    for i in range(bands):
        top = h * (2 * i + 1) // (2 * bands + 1)
        draw.rectangle([0, top, w, top + h // (2 * bands + 1)], fill=color)
    return img


args_list = [
    {"rgb": (255, 0, 0), "bands": 1},
    {"rgb": (16, 200, 32), "bands": 2},
    {"rgb": (250, 250, 250), "bands": 3},
    {"rgb": (10, 10, 80), "bands": 5},
]
