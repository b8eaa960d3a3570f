# conformance: max=1 mean=0.05
from PIL import Image, ImageDraw, ImageEnhance


def edit_image(img, bbox, dim, ring):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    dark = ImageEnhance.Brightness(img).enhance(dim)
    mask = Image.new("L", img.size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    dark.paste(img, (0, 0), mask)
    ImageDraw.Draw(dark).ellipse(box, outline=ring, width=4)
    return dark


args_list = [
    {"bbox": [560, 420, 760, 660], "dim": 0.3, "ring": "yellow"},
    {"bbox": [700, 50, 950, 300], "dim": 0.5, "ring": "white"},
    {"bbox": [350, 620, 650, 860], "dim": 0.2, "ring": "red"},
    {"bbox": [0, 380, 350, 700], "dim": 0.4, "ring": "cyan"},
]
