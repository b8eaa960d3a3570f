# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, bits, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    img.paste(ImageOps.posterize(img.crop(box), bits), box)
    return img


args_list = [
    {"bits": 1, "bbox": [0, 0, 1000, 1000]},
    {"bits": 2, "bbox": [0, 0, 1000, 500]},
    {"bits": 1, "bbox": [500, 0, 1000, 1000]},
    {"bits": 3, "bbox": [0, 400, 700, 1000]},
]
