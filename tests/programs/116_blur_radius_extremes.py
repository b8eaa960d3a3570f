# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, kind, radius, zoom):
    w, h = img.size
    img = img.crop((0, 0, w * zoom // 1000, h * zoom // 1000))
    if kind == "gauss":
        return img.filter(ImageFilter.GaussianBlur(radius))
    return img.filter(ImageFilter.BoxBlur(radius))


args_list = [
    {"kind": "gauss", "radius": 0.3, "zoom": 1000},
    {"kind": "box", "radius": 0.5, "zoom": 600},
    {"kind": "gauss", "radius": 60, "zoom": 400},
    {"kind": "box", "radius": 25.5, "zoom": 800},
]
