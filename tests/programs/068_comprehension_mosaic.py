# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, n, keep):
    w, h = img.size
    cells = [(c * w // n, r * h // n, (c + 1) * w // n, (r + 1) * h // n) for r in range(n) for c in range(n)]
    hidden = [box for i, box in enumerate(cells) if i % keep != 0]
    draw = ImageDraw.Draw(img)
    for box in hidden:
        draw.rectangle(box, fill="gray")
    return img


args_list = [
    {"n": 2, "keep": 2},
    {"n": 3, "keep": 4},
    {"n": 4, "keep": 3},
    {"n": 6, "keep": 5},
]
