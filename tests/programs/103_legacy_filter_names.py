# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, resample, blur, zoom):
    w, h = img.size
    filters = {"antialias": Image.ANTIALIAS, "cubic": Image.CUBIC, "linear": Image.LINEAR, "nearest": Image.NEAREST}
    small = img.resize((w * zoom // 1000, h * zoom // 1000), filters[resample])
    if blur:
        small = small.filter(ImageFilter.GaussianBlur)
    return small


args_list = [
    {"resample": "antialias", "blur": False, "zoom": 400},
    {"resample": "cubic", "blur": True, "zoom": 700},
    {"resample": "linear", "blur": False, "zoom": 1500},
    {"resample": "nearest", "blur": True, "zoom": 300},
]
