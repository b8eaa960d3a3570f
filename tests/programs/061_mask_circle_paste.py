# conformance: exact
from PIL import Image, ImageDraw, ImageOps


def edit_image(img, center, radius, effect):
    w, h = img.size
    effects = {"mirror": ImageOps.mirror, "flip": ImageOps.flip, "invert": ImageOps.invert,
               "solarize": ImageOps.solarize}
    other = effects[effect](img)
    mask = Image.new("L", (w, h), 0)
    cx, cy, r = center[0] * w // 1000, center[1] * h // 1000, radius * min(w, h) // 1000
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    img.paste(other, (0, 0), mask)
    return img


args_list = [
    {"center": [500, 500], "radius": 300, "effect": "mirror"},
    {"center": [250, 250], "radius": 220, "effect": "flip"},
    {"center": [700, 650], "radius": 250, "effect": "invert"},
    {"center": [800, 200], "radius": 180, "effect": "solarize"},
]
