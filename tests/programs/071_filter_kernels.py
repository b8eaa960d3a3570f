# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, name, bbox):
    w, h = img.size
    filters = {"edges": ImageFilter.FIND_EDGES, "contour": ImageFilter.CONTOUR, "emboss": ImageFilter.EMBOSS,
               "enhance_more": ImageFilter.EDGE_ENHANCE_MORE}
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    img.paste(img.crop(box).filter(filters[name]), box)
    return img


args_list = [
    {"name": "edges", "bbox": [0, 0, 1000, 1000]},
    {"name": "contour", "bbox": [0, 0, 1000, 600]},
    {"name": "emboss", "bbox": [300, 0, 1000, 1000]},
    {"name": "enhance_more", "bbox": [0, 0, 500, 500]},
]
