# conformance: exact
from PIL import Image


def edit_image(img, grid, a, b):
    w, h = img.size
    tw, th = w // grid, h // grid
    ra, ca = divmod(a, grid)
    rb, cb = divmod(b, grid)
    box_a = (ca * tw, ra * th, ca * tw + tw, ra * th + th)
    box_b = (cb * tw, rb * th, cb * tw + tw, rb * th + th)
    tile_a, tile_b = img.crop(box_a), img.crop(box_b)
    img.paste(tile_b, box_a[:2])
    img.paste(tile_a, box_b[:2])
    return img


args_list = [
    {"grid": 2, "a": 0, "b": 3},
    {"grid": 3, "a": 1, "b": 7},
    {"grid": 4, "a": 5, "b": 14},
    {"grid": 3, "a": 0, "b": 4},
]
