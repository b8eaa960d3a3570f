# conformance: max=2 mean=0.1
from PIL import Image, ImageOps


def edit_image(img, bbox, zoom, corner):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    part = img.crop(box)
    part = part.resize((int(part.width * zoom), int(part.height * zoom)), Image.LANCZOS)
    part = ImageOps.expand(part, border=3, fill="white")
    x = 0 if corner in ("tl", "bl") else w - part.width
    y = 0 if corner in ("tl", "tr") else h - part.height
    img.paste(part, (x, y))
    return img


args_list = [
    {"bbox": [560, 430, 740, 650], "zoom": 2.0, "corner": "tl"},
    {"bbox": [720, 80, 920, 260], "zoom": 1.5, "corner": "bl"},
    {"bbox": [380, 650, 620, 850], "zoom": 1.8, "corner": "tr"},
    {"bbox": [50, 420, 300, 680], "zoom": 1.25, "corner": "br"},
]
