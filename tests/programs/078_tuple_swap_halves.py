# conformance: exact
from PIL import Image


def edit_image(img, axis, swap_twice):
    w, h = img.size
    if axis == 0:
        a_box, b_box = (0, 0, w // 2, h), (w - w // 2, 0, w, h)
    else:
        a_box, b_box = (0, 0, w, h // 2), (0, h - h // 2, w, h)
    a, b = img.crop(a_box), img.crop(b_box)
    if swap_twice:
        a, b = b, a
        a, b = b.transpose(Image.FLIP_LEFT_RIGHT), a.transpose(Image.FLIP_TOP_BOTTOM)
    img.paste(b, a_box[:2])
    img.paste(a, b_box[:2])
    return img


args_list = [
    {"axis": 0, "swap_twice": False},
    {"axis": 1, "swap_twice": False},
    {"axis": 0, "swap_twice": True},
    {"axis": 1, "swap_twice": True},
]
