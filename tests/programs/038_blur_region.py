# conformance: max=2 mean=0.1
from PIL import Image, ImageDraw, ImageFilter


def edit_image(img, bbox, radius, frame):
    w, h = img.size
    box = (bbox[0] * w // 1000, bbox[1] * h // 1000, bbox[2] * w // 1000, bbox[3] * h // 1000)
    region = img.crop(box).filter(ImageFilter.GaussianBlur(radius))
    img.paste(region, box)
    if frame:
        ImageDraw.Draw(img).rectangle(box, outline=frame, width=6)
    return img


args_list = [
    {"bbox": [0, 0, 1000, 500], "radius": 6, "frame": "white"},
    {"bbox": [500, 0, 1000, 1000], "radius": 3, "frame": None},
    {"bbox": [200, 400, 800, 1000], "radius": 12, "frame": "white"},
    {"bbox": [0, 0, 400, 1000], "radius": 20.5, "frame": "red"},
]
