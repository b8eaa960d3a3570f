# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, region, step, color, block):
    w, h = img.size
    x0, y0, x1, y1 = region[0] * w // 1000, region[1] * h // 1000, region[2] * w // 1000, region[3] * h // 1000
    draw = ImageDraw.Draw(img)
    pts = [(x + dx, y + dy) for y in range(y0, y1, step) for x in range(x0, x1, step)
           for dy in range(block) for dx in range(block)]
    draw.point(pts, fill=color)
    return img


args_list = [
    {"region": [0, 0, 500, 500], "step": 8, "color": "white", "block": 5},
    {"region": [500, 0, 1000, 600], "step": 16, "color": "red", "block": 10},
    {"region": [0, 500, 1000, 1000], "step": 5, "color": "black", "block": 3},
    {"region": [250, 250, 750, 750], "step": 40, "color": (0, 255, 0), "block": 22},
]
