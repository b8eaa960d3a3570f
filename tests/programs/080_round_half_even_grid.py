# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, n, color):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    xs = [round(k * w / n) for k in range(n + 1)]
    ys = [round(k * h / n + 0.5) for k in range(n + 1)]
    for k in range(n):
        if k % 2 == 0:
            draw.rectangle([xs[k], ys[k], xs[k + 1], ys[k + 1]], fill=color)
            draw.rectangle([xs[n - k - 1], ys[k], xs[n - k], ys[k + 1]], fill=color)
    return img


args_list = [
    {"n": 4, "color": "white"},
    {"n": 5, "color": "red"},
    {"n": 8, "color": "black"},
    {"n": 3, "color": "cyan"},
]
