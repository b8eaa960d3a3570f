# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, kernel, scale, offset):
    size = 3 if len(kernel) == 9 else 5
    return img.filter(ImageFilter.Kernel((size, size), kernel, scale=scale, offset=offset))


args_list = [
    {"kernel": [-1, -1, -1, -1, 8, -1, -1, -1, -1], "scale": 1, "offset": 128},
    {"kernel": [1, 2, 1, 2, 4, 2, 1, 2, 1], "scale": None, "offset": 0},
    {"kernel": [-2, -1, 0, -1, 1, 1, 0, 1, 2], "scale": 1, "offset": 0},
    {"kernel": [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, -8, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0], "scale": 1, "offset": 60},
]
