# conformance: exact
from PIL import Image, ImageDraw, ImageOps


def frame(img, color="white", width=10):
    w, h = img.size
    ImageDraw.Draw(img).rectangle([0, 0, w - 1, h - 1], outline=color, width=width)
    return img


def edit_image(img, flip=False, color="white", width=10, invert=False):
    if flip:
        img = ImageOps.flip(img)
    if invert:
        img = ImageOps.invert(img)
    return frame(img, width=width, color=color)


args_list = [
    {"flip": True},
    {"color": "red", "width": 30},
    {"invert": True, "width": 4},
    {"flip": True, "invert": True, "color": "black"},
]
