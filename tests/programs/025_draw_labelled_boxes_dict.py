# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, boxes, width):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for color, (x0, y0, x1, y1) in boxes.items():
        draw.rectangle([x0 * w // 1000, y0 * h // 1000, x1 * w // 1000, y1 * h // 1000],
                       outline=color, width=width)
    return img


args_list = [
    {"boxes": {"red": (50, 50, 450, 450), "blue": (550, 550, 950, 950)}, "width": 6},
    {"boxes": {"lime": (100, 400, 900, 600)}, "width": 15},
    {"boxes": {"yellow": (560, 420, 740, 660), "cyan": (350, 650, 600, 850), "white": (700, 50, 920, 280)}, "width": 4},
    {"boxes": {"magenta": (0, 0, 1000, 1000), "orange": (250, 250, 750, 750)}, "width": 10},
]
