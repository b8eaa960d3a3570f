# conformance: exact
from PIL import Image, ImageDraw


def normalise(color):
    if isinstance(color, str):
        return color
    if isinstance(color, (list, tuple)) and all(isinstance(c, int) for c in color):
        return tuple(color)
    if isinstance(color, float):
        v = int(color * 255)
        return (v, v, v)
    return "magenta"


def edit_image(img, color, bbox):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    if any(v > 1000 for v in bbox):
        box = [0, 0, w, h]
    ImageDraw.Draw(img).ellipse(box, fill=normalise(color))
    return img


args_list = [
    {"color": "orange", "bbox": [100, 100, 500, 500]},
    {"color": [20, 90, 200], "bbox": [400, 300, 950, 900]},
    {"color": 0.9, "bbox": [0, 500, 600, 1000]},
    {"color": None, "bbox": [200, 0, 800, 1200]},
]
