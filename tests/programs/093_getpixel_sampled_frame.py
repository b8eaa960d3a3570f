# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, point, width, swatches):
    w, h = img.size
    x, y = point[0] * (w - 1) // 1000, point[1] * (h - 1) // 1000
    color = img.getpixel((x, y))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, w - 1, h - 1], outline=color, width=width)
    for i in range(swatches):
        img.putpixel((i, h // 2), (255, 255, 255))
        draw.rectangle([width + i * 30, width, width + i * 30 + 20, width + 20], fill=img.getpixel((w - 1 - i * 7, y)))
    return img


args_list = [
    {"point": [800, 150], "width": 40, "swatches": 3},
    {"point": [640, 560], "width": 25, "swatches": 5},
    {"point": [100, 100], "width": 60, "swatches": 0},
    {"point": [500, 950], "width": 15, "swatches": 8},
]
