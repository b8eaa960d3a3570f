# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, bbox, radius, fill):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    ImageDraw.Draw(img).rounded_rectangle(box, radius=radius, fill=fill, outline="white", width=4)
    return img


args_list = [
    {"bbox": [100, 100, 900, 500], "radius": 40, "fill": "navy"},
    {"bbox": [300, 300, 700, 950], "radius": 80, "fill": "darkred"},
    {"bbox": [50, 600, 500, 950], "radius": 10, "fill": "olive"},
    {"bbox": [550, 50, 950, 450], "radius": 120, "fill": "indigo"},
]
