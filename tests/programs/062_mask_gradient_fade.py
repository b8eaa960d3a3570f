# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, color, direction, strength):
    w, h = img.size
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    n = w if direction == "horizontal" else h
    for i in range(n):
        value = int(strength * i / (n - 1))
        if direction == "horizontal":
            draw.line([(i, 0), (i, h)], fill=value)
        else:
            draw.line([(0, i), (w, i)], fill=value)
    img.paste(Image.new("RGB", (w, h), color), (0, 0), mask)
    return img


args_list = [
    {"color": "black", "direction": "horizontal", "strength": 255},
    {"color": "white", "direction": "vertical", "strength": 200},
    {"color": (255, 128, 0), "direction": "horizontal", "strength": 180},
    {"color": "#000080", "direction": "vertical", "strength": 255},
]
