# conformance: max=2 mean=0.1
from PIL import Image, ImageEnhance, ImageFilter


def edit_image(img, factor, soften, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box)
    if soften:
        region = region.filter(ImageFilter.GaussianBlur(soften))
    return ImageEnhance.Sharpness(region).enhance(factor)


args_list = [
    {"factor": 0.0, "soften": 8, "bbox": [0, 0, 1000, 500]},
    {"factor": 4.0, "soften": 5, "bbox": [0, 0, 500, 1000]},
    {"factor": 3.0, "soften": 0, "bbox": [500, 0, 1000, 1000]},
    {"factor": -2.0, "soften": 3, "bbox": [0, 500, 1000, 1000]},
]
