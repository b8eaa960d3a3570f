# conformance: exact
from PIL import Image


def edit_image(img, boxes, color):
    w, h = img.size
    for x0, y0, x1, y1 in boxes:
        img.paste(color, (x0 * w // 1000, y0 * h // 1000, x1 * w // 1000, y1 * h // 1000))
    return img


args_list = [
    {"boxes": [(0, 0, 300, 300), (700, 700, 1000, 1000)], "color": (255, 255, 255)},
    {"boxes": [(400, 0, 600, 1000)], "color": (0, 0, 0)},
    {"boxes": [(0, 450, 1000, 550), (450, 0, 550, 1000)], "color": (255, 0, 0)},
    {"boxes": [(100, 100, 400, 400), (600, 100, 900, 400), (350, 600, 650, 900)], "color": (0, 200, 255)},
]
