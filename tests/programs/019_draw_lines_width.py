# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, points, color, width):
    w, h = img.size
    xy = [(int(px * w / 1000), int(py * h / 1000)) for px, py in points]
    draw = ImageDraw.Draw(img)
    draw.line(xy, fill=color, width=width)
    return img


args_list = [
    {"points": [(0, 0), (1000, 1000)], "color": "#ffffff", "width": 8},
    {"points": [(0, 1000), (500, 0), (1000, 1000)], "color": "#ff2020", "width": 4},
    {"points": [(100, 500), (900, 500)], "color": "#20ff20", "width": 30},
    {"points": [(200, 100), (800, 300), (300, 900), (900, 800)], "color": "#000000", "width": 1},
]
