# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, point, size, color):
    w, h = img.size
    x, y = point[0] * w // 1000, point[1] * h // 1000
    r = size * min(w, h) // 1000
    draw = ImageDraw.Draw(img)
    draw.line([(x - r, y), (x + r, y)], fill=color, width=9)
    draw.line([(x, y - r), (x, y + r)], fill=color, width=9)
    draw.ellipse([x - r // 2, y - r // 2, x + r // 2, y + r // 2], outline=color, width=7)
    return img


args_list = [
    {"point": [640, 580], "size": 200, "color": "red"},
    {"point": [810, 160], "size": 150, "color": "white"},
    {"point": [220, 420], "size": 350, "color": "yellow"},
    {"point": [500, 850], "size": 250, "color": "#00ff00"},
]
