# conformance: max=1 mean=0.05
from PIL import Image


def edit_image(img, bbox, color, strength):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box)
    tint = Image.new("RGB", region.size, color)
    img.paste(Image.blend(region, tint, strength), box)
    return img


args_list = [
    {"bbox": [0, 0, 1000, 500], "color": "orange", "strength": 0.4},
    {"bbox": [0, 500, 1000, 1000], "color": (0, 60, 255), "strength": 0.6},
    {"bbox": [0, 0, 500, 1000], "color": "purple", "strength": 0.5},
    {"bbox": [250, 250, 750, 750], "color": "#00ff80", "strength": 0.7},
]
