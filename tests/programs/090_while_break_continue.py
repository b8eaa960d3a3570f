# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, skip_every, stop_after, color):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    i = 0
    drawn = 0
    while True:
        i += 1
        if i % skip_every == 0:
            continue
        x = i * w // 12
        if x >= w or drawn >= stop_after:
            break
        draw.rectangle([x - 6, 0, x + 6, h], fill=color)
        drawn += 1
    return img


args_list = [
    {"skip_every": 2, "stop_after": 10, "color": "white"},
    {"skip_every": 3, "stop_after": 4, "color": "black"},
    {"skip_every": 5, "stop_after": 20, "color": "red"},
    {"skip_every": 100, "stop_after": 3, "color": "blue"},
]
