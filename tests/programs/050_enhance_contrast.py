# conformance: max=1 mean=0.05
from PIL import Image, ImageEnhance


def edit_image(img, factor, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    img.paste(ImageEnhance.Contrast(img.crop(box)).enhance(factor), box)
    return img


args_list = [
    {"factor": 0.2, "bbox": [0, 0, 1000, 1000]},
    {"factor": 2.5, "bbox": [0, 0, 500, 1000]},
    {"factor": 3.0, "bbox": [0, 450, 1000, 1000]},
    {"factor": 0.0, "bbox": [300, 0, 1000, 600]},
]
