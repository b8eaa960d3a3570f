# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, n, pattern):
    w, h = img.size
    tw, th = w // n, h // n

    def tile_box(r, c):
        return (c * tw, r * th, c * tw + tw, r * th + th)

    def transform(tile, r, c):
        if pattern == "diagonal" and r == c:
            return ImageOps.invert(tile)
        if pattern == "checker" and (r + c) % 2 == 1:
            return ImageOps.mirror(tile)
        if pattern == "border" and (r in (0, n - 1) or c in (0, n - 1)):
            return ImageOps.flip(tile)
        return tile

    for r in range(n):
        for c in range(n):
            box = tile_box(r, c)
            img.paste(transform(img.crop(box), r, c), box)
    return img


args_list = [
    {"n": 3, "pattern": "diagonal"},
    {"n": 4, "pattern": "checker"},
    {"n": 5, "pattern": "border"},
    {"n": 2, "pattern": "checker"},
]
