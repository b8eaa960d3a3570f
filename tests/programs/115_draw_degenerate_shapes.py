# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, kind, width):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    cx, cy = w // 2, h // 2
    if kind == "dots":
        for k in range(12):
            x, y = k * w // 12, k * h // 12
            draw.ellipse([x, y, x, y], fill="white", outline="red", width=width)
            draw.rectangle([x + 5, y, x + 5, y], fill="yellow")
            draw.line([(x, y + 10), (x, y + 10)], fill="cyan", width=width)
        draw.rectangle([0, 0, w // 2, h // 2], outline="black", width=width)
    elif kind == "thick":
        draw.rectangle([cx - 30, cy - 30, cx + 30, cy + 30], outline="red", width=width)
        draw.ellipse([10, 10, 70, 40], outline="blue", width=width)
    elif kind == "collinear":
        draw.polygon([(0, 0), (cx, cy), (w - 1, h - 1)], fill="magenta", outline="white")
        draw.polygon([(0, h - 1), (w - 1, 0), (cx, 0), (0, cy)], fill="green", outline="black")
        draw.line([(0, cy), (w - 1, cy), (0, cy)], fill="red", width=width)
    else:
        draw.polygon([(cx, 0), (w, h), (0, h // 3), (w, h // 3), (0, h)], fill="orange", outline="navy")
    return img


args_list = [
    {"kind": "dots", "width": 3},
    {"kind": "thick", "width": 45},
    {"kind": "collinear", "width": 7},
    {"kind": "selfcrossing", "width": 1},
]
