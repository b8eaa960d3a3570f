# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, start, end, kind):
    w, h = img.size
    box = [w // 8, h // 8, w * 7 // 8, h * 7 // 8]
    draw = ImageDraw.Draw(img)
    if kind == "arc":
        draw.arc(box, start, end, fill="white", width=10)
    elif kind == "pieslice":
        draw.pieslice(box, start, end, fill="orange", outline="black")
    else:
        draw.chord(box, start, end, fill="teal", outline="white", width=3)
    return img


args_list = [
    {"start": 0, "end": 270, "kind": "arc"},
    {"start": 30, "end": 120, "kind": "pieslice"},
    {"start": 200, "end": 340, "kind": "chord"},
    {"start": -90, "end": 90, "kind": "pieslice"},
]
