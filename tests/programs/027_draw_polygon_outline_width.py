# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, shape, width, color):
    w, h = img.size
    xy = [(x * w / 1000, y * h / 1000) for x, y in shape]
    ImageDraw.Draw(img).polygon(xy, outline=color, width=width)
    return img


args_list = [
    {"shape": [(100, 100), (900, 150), (500, 900)], "width": 8, "color": "red"},
    {"shape": [(200, 200), (800, 200), (800, 800), (200, 800)], "width": 4, "color": "white"},
    {"shape": [(500, 50), (950, 500), (500, 950), (50, 500)], "width": 14, "color": "#ffa500"},
    {"shape": [(100, 800), (300, 300), (500, 700), (700, 200), (900, 800)], "width": 6, "color": "cyan"},
]
