# conformance: max=1 mean=0.05
from PIL import Image, ImageDraw, ImageEnhance


def edit_image(img, factor, bbox):
    w, h = img.size
    box = [bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000]
    img.paste(ImageEnhance.Color(img.crop(box)).enhance(factor), box[:2])
    ImageDraw.Draw(img).rectangle(box, outline="white", width=8)
    return img


args_list = [
    {"factor": 0.0, "bbox": [100, 100, 900, 900]},
    {"factor": 3.5, "bbox": [0, 0, 1000, 600]},
    {"factor": 0.0, "bbox": [0, 0, 500, 1000]},
    {"factor": 2.5, "bbox": [400, 300, 1000, 1000]},
]
