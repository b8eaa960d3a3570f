# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, n, color, phase):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for r in range(n):
        for c in range(n):
            if (r + c + phase) % 2 == 0:
                draw.rectangle([c * w // n, r * h // n, (c + 1) * w // n - 1, (r + 1) * h // n - 1], fill=color)
    return img


args_list = [
    {"n": 2, "color": "black", "phase": 0},
    {"n": 4, "color": "white", "phase": 1},
    {"n": 8, "color": (255, 0, 0), "phase": 0},
    {"n": 3, "color": "#808080", "phase": 1},
]
