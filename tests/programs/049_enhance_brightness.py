# conformance: max=1 mean=0.05
from PIL import Image, ImageEnhance


def edit_image(img, factor, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = ImageEnhance.Brightness(img.crop(box)).enhance(factor)
    img.paste(region, box)
    return img


args_list = [
    {"factor": 0.4, "bbox": [0, 0, 1000, 500]},
    {"factor": 1.6, "bbox": [0, 500, 1000, 1000]},
    {"factor": 0.2, "bbox": [500, 0, 1000, 1000]},
    {"factor": 1.9, "bbox": [200, 200, 800, 800]},
]
