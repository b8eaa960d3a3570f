# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, angle, backdrop):
    rgba = img.convert("RGBA")
    turned = rgba.rotate(angle, resample=Image.BICUBIC, expand=True)
    if backdrop is None:
        return turned
    canvas = Image.new("RGBA", turned.size, backdrop)
    canvas.paste(turned, (0, 0), turned)
    return canvas.convert("RGB")


args_list = [
    {"angle": 30, "backdrop": None},
    {"angle": -50, "backdrop": (255, 255, 255, 255)},
    {"angle": 120, "backdrop": (0, 120, 0, 255)},
    {"angle": 12, "backdrop": None},
]
