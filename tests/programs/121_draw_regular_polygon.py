# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, sides, center, radius, rotation, fill):
    w, h = img.size
    circle = (center[0] * w / 1000, center[1] * h / 1000, radius * min(w, h) / 1000)
    ImageDraw.Draw(img).regular_polygon(circle, sides, rotation=rotation, fill=fill, outline="white")
    return img


args_list = [
    {"sides": 3, "center": [500, 500], "radius": 350, "rotation": 0, "fill": "red"},
    {"sides": 5, "center": [300, 300], "radius": 250, "rotation": 36, "fill": (0, 0, 120)},
    {"sides": 6, "center": [700, 650], "radius": 280, "rotation": 15.5, "fill": "#22aa22"},
    {"sides": 12, "center": [500, 800], "radius": 180, "rotation": 90, "fill": "black"},
]
