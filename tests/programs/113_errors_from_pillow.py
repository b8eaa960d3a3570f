# conformance: exact fails=1,2
from PIL import Image, ImageDraw


def edit_image(img, color, box):
    w, h = img.size
    region = img.crop((box[0] * w // 1000, box[1] * h // 1000, box[2] * w // 1000, box[3] * h // 1000))
    ImageDraw.Draw(region).ellipse([0, 0, region.width - 1, region.height - 1], fill=color)
    return region


args_list = [
    {"color": "red", "box": [0, 0, 500, 500]},
    {"color": "reddish", "box": [0, 0, 500, 500]},
    {"color": "blue", "box": [600, 0, 400, 500]},
    {"color": "#00ff00", "box": [300, 300, 1000, 1000]},
]
