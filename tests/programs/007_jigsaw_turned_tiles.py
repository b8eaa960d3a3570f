# conformance: exact
from PIL import Image


def edit_image(img, turns):
    w, h = img.size
    s = min(w, h) // 2
    img = img.crop((0, 0, 2 * s, 2 * s))
    ops = [None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270]
    for idx, t in enumerate(turns):
        x, y = (idx % 2) * s, (idx // 2) * s
        tile = img.crop((x, y, x + s, y + s))
        if ops[t % 4] is not None:
            tile = tile.transpose(ops[t % 4])
        img.paste(tile, (x, y))
    return img


args_list = [
    {"turns": [1, 0, 0, 1]},
    {"turns": [2, 2, 2, 2]},
    {"turns": [0, 3, 1, 2]},
    {"turns": [3, 1, 3, 1]},
]
