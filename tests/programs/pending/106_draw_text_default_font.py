# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, text, position, color, box):
    w, h = img.size
    x, y = position[0] * w // 1000, position[1] * h // 1000
    draw = ImageDraw.Draw(img)
    bx0, by0, bx1, by1 = box
    draw.rectangle([bx0 * w // 1000, by0 * h // 1000, bx1 * w // 1000, by1 * h // 1000], fill="black")
    draw.text((x, y), text, fill=color)
    return img


args_list = [
    {"text": "HOUSE", "position": [560, 330], "color": "white", "box": [540, 300, 760, 400]},
    {"text": "boat 1", "position": [380, 880], "color": "yellow", "box": [0, 850, 1000, 1000]},
    {"text": "sun", "position": [760, 40], "color": (255, 0, 0), "box": [700, 0, 1000, 150]},
    {"text": "A-B-C", "position": [20, 20], "color": "cyan", "box": [0, 0, 400, 400]},
]
