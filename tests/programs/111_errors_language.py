# conformance: exact fails=1,2,3
from PIL import Image, ImageOps


def pick(tiles, order, k):
    return tiles[order[k]]


def edit_image(img, n, order, names):
    w, h = img.size
    tw = w // n
    tiles = [img.crop((i * tw, 0, i * tw + tw, h)) for i in range(n)]
    effects = {"mirror": ImageOps.mirror, "flip": ImageOps.flip}
    for k in range(n):
        tile = pick(tiles, order, k)
        img.paste(effects[names[k % len(names)]](tile), (k * tw, 0))
    return img


args_list = [
    {"n": 3, "order": [2, 0, 1], "names": ["mirror", "flip"]},
    {"n": 0, "order": [], "names": ["mirror"]},
    {"n": 4, "order": [3, 2, 1], "names": ["flip"]},
    {"n": 2, "order": [1, 0], "names": ["mirror", "rotate"]},
]
