# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, shade, shapes):
    gray = img.convert("L")
    w, h = gray.size
    draw = ImageDraw.Draw(gray)
    for kind, (x0, y0, x1, y1) in shapes:
        box = [x0 * w // 1000, y0 * h // 1000, x1 * w // 1000, y1 * h // 1000]
        if kind == "box":
            draw.rectangle(box, fill=shade)
        elif kind == "ring":
            draw.ellipse(box, outline=shade, width=10)
        else:
            draw.line(box, fill=shade, width=12)
    return gray


args_list = [
    {"shade": 255, "shapes": [("box", (100, 100, 400, 400))]},
    {"shade": 0, "shapes": [("ring", (200, 200, 800, 800)), ("line", (0, 0, 1000, 1000))]},
    {"shade": 128, "shapes": [("box", (0, 600, 1000, 1000)), ("ring", (600, 50, 950, 400))]},
    {"shade": 200, "shapes": [("line", (0, 1000, 1000, 0)), ("line", (0, 500, 1000, 500))]},
]
