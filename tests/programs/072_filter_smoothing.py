# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, name, repeat, zoom):
    w, h = img.size
    filters = {"blur": ImageFilter.BLUR, "smooth": ImageFilter.SMOOTH, "smooth_more": ImageFilter.SMOOTH_MORE,
               "sharpen": ImageFilter.SHARPEN, "detail": ImageFilter.DETAIL, "enhance": ImageFilter.EDGE_ENHANCE}
    x0, y0, x1, y1 = zoom
    img = img.crop((x0 * w // 1000, y0 * h // 1000, x1 * w // 1000, y1 * h // 1000))
    for _ in range(repeat):
        img = img.filter(filters[name])
    return img


args_list = [
    {"name": "blur", "repeat": 3, "zoom": [0, 0, 1000, 1000]},
    {"name": "smooth_more", "repeat": 2, "zoom": [0, 0, 600, 600]},
    {"name": "sharpen", "repeat": 2, "zoom": [400, 400, 1000, 1000]},
    {"name": "detail", "repeat": 1, "zoom": [0, 300, 1000, 800]},
]
