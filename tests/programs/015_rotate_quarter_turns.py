# conformance: exact
from PIL import Image


def edit_image(img, quarter_turns, mirror):
    out = img.rotate(90 * quarter_turns, expand=True)
    if mirror:
        out = out.transpose(Image.FLIP_LEFT_RIGHT)
    return out


args_list = [
    {"quarter_turns": 1, "mirror": False},
    {"quarter_turns": 2, "mirror": False},
    {"quarter_turns": -1, "mirror": False},
    {"quarter_turns": 3, "mirror": True},
]
