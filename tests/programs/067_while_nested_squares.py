# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, step, colors):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    inset = 0
    k = 0
    while inset * 2 < min(w, h) - step:
        draw.rectangle([inset, inset, w - 1 - inset, h - 1 - inset], outline=colors[k % len(colors)], width=step // 3)
        inset += step
        k += 1
    return img


args_list = [
    {"step": 20, "colors": ["white"]},
    {"step": 35, "colors": ["red", "yellow"]},
    {"step": 12, "colors": ["black", "white", "blue"]},
    {"step": 60, "colors": ["#00ff00"]},
]
