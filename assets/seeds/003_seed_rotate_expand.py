from PIL import Image


def edit_image(img: Image.Image, angle: float = 0.0) -> Image.Image:
    return img.rotate(angle, expand=True, resample=Image.BICUBIC)


args_list = [
    {"angle": 15},
    {"angle": 45},
    {"angle": 90},
    {"angle": 180},
]
