# conformance: exact
from PIL import Image


def edit_image(img, band, offset, bbox):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box)
    channels = list(region.split())
    channels[band] = channels[band].point(lambda v: max(0, min(255, v + offset)))
    img.paste(Image.merge(region.mode, channels), box)
    return img


args_list = [
    {"band": 0, "offset": 120, "bbox": [0, 0, 1000, 1000]},
    {"band": 1, "offset": -90, "bbox": [0, 0, 600, 1000]},
    {"band": 2, "offset": 150, "bbox": [300, 300, 1000, 1000]},
    {"band": 0, "offset": -200, "bbox": [0, 500, 1000, 1000]},
]
