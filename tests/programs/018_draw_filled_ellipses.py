# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, centers, radius, fill):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    r = radius * min(w, h) / 1000
    for cx, cy in centers:
        x, y = cx * w / 1000, cy * h / 1000
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline="black")
    return img


args_list = [
    {"centers": [(200, 200), (800, 800)], "radius": 150, "fill": "red"},
    {"centers": [(500, 500)], "radius": 350, "fill": (30, 200, 90)},
    {"centers": [(100, 900), (900, 100), (500, 500)], "radius": 100, "fill": "#3050f0"},
    {"centers": [(250, 750), (750, 250)], "radius": 220, "fill": "gold"},
]
