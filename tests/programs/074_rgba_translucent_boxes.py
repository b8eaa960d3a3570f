# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, box, rgba, opaque_frame):
    w, h = img.size
    out = img.convert("RGBA")
    xy = [box[0] * w // 1000, box[1] * h // 1000, box[2] * w // 1000, box[3] * h // 1000]
    draw = ImageDraw.Draw(out)
    draw.rectangle(xy, fill=tuple(rgba))
    if opaque_frame:
        draw.rectangle(xy, outline=(255, 255, 255, 255), width=4)
    return out


args_list = [
    {"box": [100, 100, 600, 600], "rgba": [255, 0, 0, 128], "opaque_frame": True},
    {"box": [400, 300, 1000, 1000], "rgba": [0, 0, 255, 200], "opaque_frame": False},
    {"box": [0, 0, 1000, 400], "rgba": [0, 255, 0, 255], "opaque_frame": True},
    {"box": [200, 500, 800, 900], "rgba": [255, 255, 0, 60], "opaque_frame": False},
]
