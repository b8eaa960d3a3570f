# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, bbox, color, width):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    ImageDraw.Draw(img).ellipse(box, outline=color, width=width)
    return img


args_list = [
    {"bbox": [100, 100, 900, 900], "color": "yellow", "width": 6},
    {"bbox": [600, 50, 950, 350], "color": "#ff00ff", "width": 12},
    {"bbox": [50, 500, 700, 980], "color": (0, 255, 255), "width": 3},
    {"bbox": [300, 300, 500, 700], "color": "orange", "width": 20},
]
