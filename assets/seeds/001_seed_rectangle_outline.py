from PIL import Image, ImageDraw


def edit_image(img: Image.Image, bbox: list) -> Image.Image:
    w, h = img.size
    x0, y0, x1, y1 = bbox
    box = [x0 * w / 1000, y0 * h / 1000, x1 * w / 1000, y1 * h / 1000]
    draw = ImageDraw.Draw(img)
    draw.rectangle(box, outline="red", width=5)
    return img


args_list = [
    {"bbox": [40, 60, 960, 520]},
    {"bbox": [520, 200, 980, 820]},
    {"bbox": [20, 560, 480, 990]},
    {"bbox": [300, 30, 980, 280]},
]
