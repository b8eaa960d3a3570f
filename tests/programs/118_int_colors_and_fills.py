# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, fill, canvas, angle):
    w, h = img.size
    base = Image.new("RGB", (w, h), canvas)
    base.paste(img.crop((w // 4, h // 4, 3 * w // 4, 3 * h // 4)), (w // 4, h // 4))
    ImageDraw.Draw(base).rectangle([0, 0, w // 5, h - 1], fill=fill)
    return base.rotate(angle, fillcolor=fill, expand=True)


args_list = [
    {"fill": 255, "canvas": 0x123456, "angle": 90},
    {"fill": 0x00FF00, "canvas": 200, "angle": 30},
    {"fill": (1, 2, 3), "canvas": 16777215, "angle": 180},
    {"fill": "white", "canvas": 0, "angle": -45},
]
