# conformance: exact
from PIL import Image


def edit_image(img, order):
    r, g, b = img.convert("RGB").split()
    bands = {"R": r, "G": g, "B": b}
    return Image.merge("RGB", [bands[c] for c in order])


args_list = [
    {"order": "BGR"},
    {"order": "GBR"},
    {"order": "RRB"},
    {"order": "BBG"},
]
