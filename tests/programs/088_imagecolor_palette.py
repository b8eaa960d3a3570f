# conformance: exact
from PIL import Image, ImageColor, ImageDraw


def edit_image(img, names, darken):
    w, h = img.size
    palette = {name: ImageColor.getrgb(name) for name in names}
    draw = ImageDraw.Draw(img)
    k = 0
    for name, (r, g, b) in palette.items():
        color = (r // darken, g // darken, b // darken)
        draw.rectangle([0, k * h // len(names), w // 3, (k + 1) * h // len(names) - 1], fill=color)
        k += 1
    return img


args_list = [
    {"names": ["red", "green", "blue"], "darken": 1},
    {"names": ["#ffd700", "teal"], "darken": 2},
    {"names": ["white", "black", "hsl(30,100%,50%)", "rgb(128,0,255)"], "darken": 1},
    {"names": ["coral"], "darken": 3},
]
