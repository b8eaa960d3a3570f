# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, spacing, thickness, horizontal, color):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    pos = 0
    limit = h if horizontal else w
    while pos < limit:
        if horizontal:
            draw.rectangle([0, pos, w, pos + thickness - 1], fill=color)
        else:
            draw.rectangle([pos, 0, pos + thickness - 1, h], fill=color)
        pos += spacing
    return img


args_list = [
    {"spacing": 40, "thickness": 10, "horizontal": True, "color": "white"},
    {"spacing": 25, "thickness": 5, "horizontal": False, "color": "black"},
    {"spacing": 90, "thickness": 30, "horizontal": False, "color": "yellow"},
    {"spacing": 60, "thickness": 20, "horizontal": True, "color": "purple"},
]
