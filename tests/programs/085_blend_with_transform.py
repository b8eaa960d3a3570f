# conformance: max=1 mean=0.05
from PIL import Image, ImageOps


def edit_image(img, alpha, other):
    if other == "mirror":
        second = ImageOps.mirror(img)
    elif other == "flip":
        second = ImageOps.flip(img)
    else:
        second = Image.new(img.mode, img.size, other)
    return Image.blend(img, second, alpha)


args_list = [
    {"alpha": 0.5, "other": "mirror"},
    {"alpha": 0.3, "other": "flip"},
    {"alpha": 0.6, "other": "white"},
    {"alpha": 0.8, "other": "mirror"},
]
