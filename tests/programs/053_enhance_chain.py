# conformance: max=2 mean=0.1
from PIL import Image, ImageEnhance


def edit_image(img, settings, half):
    w, h = img.size
    boxes = {"left": (0, 0, w // 2, h), "right": (w // 2, 0, w, h), "top": (0, 0, w, h // 2),
             "bottom": (0, h // 2, w, h)}
    box = boxes[half]
    enhancers = {"brightness": ImageEnhance.Brightness, "contrast": ImageEnhance.Contrast,
                 "color": ImageEnhance.Color}
    region = img.crop(box)
    for name, factor in settings.items():
        region = enhancers[name](region).enhance(factor)
    img.paste(region, box)
    return img


args_list = [
    {"settings": {"brightness": 1.5, "contrast": 1.4}, "half": "left"},
    {"settings": {"color": 0.2, "contrast": 0.4}, "half": "right"},
    {"settings": {"brightness": 0.4, "color": 2.0}, "half": "top"},
    {"settings": {"contrast": 2.0, "brightness": 0.8, "color": 0.5}, "half": "bottom"},
]
