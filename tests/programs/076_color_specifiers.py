# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, colors):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    n = len(colors)
    for i, color in enumerate(colors):
        draw.rectangle([i * w // n, h // 4, (i + 1) * w // n - 1, 3 * h // 4], fill=color)
    return img


args_list = [
    {"colors": ["rgb(255,0,0)", "rgb(0%,50%,100%)"]},
    {"colors": ["hsl(120,100%,50%)", "hsl(300, 60%, 40%)", "#abc"]},
    {"colors": ["DarkOrange", "slategray", "#FFEEDD", "hsv(200,80%,90%)"]},
    {"colors": ["#102030", "rgb(250, 250, 10)", "MediumSeaGreen", "hsl(0,0%,90%)", "#f0f"]},
]
