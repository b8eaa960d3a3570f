from PIL import Image


def edit_image(img: Image.Image, bbox: list) -> Image.Image:
    w, h = img.size
    box = [int(v / 1000 * (w if k % 2 == 0 else h)) for k, v in enumerate(bbox)]
    return img.crop(box)


args_list = [
    {"bbox": [0, 0, 500, 500]},
    {"bbox": [550, 400, 1000, 700]},
    {"bbox": [250, 650, 800, 1000]},
    {"bbox": [680, 50, 950, 300]},
]
