# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, rgba, bbox, shape):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    draw = ImageDraw.Draw(img, "RGBA")
    if shape == "box":
        draw.rectangle(box, fill=tuple(rgba))
    else:
        draw.ellipse(box, fill=tuple(rgba), outline=(255, 255, 255, 200), width=6)
    return img


args_list = [
    {"rgba": [255, 0, 0, 128], "bbox": [0, 0, 600, 600], "shape": "box"},
    {"rgba": [0, 0, 0, 200], "bbox": [300, 300, 1000, 1000], "shape": "ellipse"},
    {"rgba": [255, 255, 255, 90], "bbox": [0, 500, 1000, 1000], "shape": "box"},
    {"rgba": [0, 255, 0, 160], "bbox": [100, 50, 700, 650], "shape": "ellipse"},
]
