# conformance: exact
from PIL import Image


def edit_image(img, order):
    w, h = img.size
    n = 3
    bw, bh = w // n, h // n
    img = img.resize((bw * n, bh * n), Image.NEAREST)
    tiles = [img.crop((c * bw, r * bh, c * bw + bw, r * bh + bh)) for r in range(n) for c in range(n)]
    out = img.copy()
    for pos, src in enumerate(order):
        row, col = divmod(pos, n)
        out.paste(tiles[src], (col * bw, row * bh))
    return out


args_list = [
    {"order": [8, 7, 6, 5, 4, 3, 2, 1, 0]},
    {"order": [2, 0, 1, 5, 3, 4, 8, 6, 7]},
    {"order": [6, 3, 0, 7, 4, 1, 8, 5, 2]},
    {"order": [4, 8, 2, 0, 6, 1, 7, 3, 5]},
]
