# conformance: max=2 mean=0.1
from PIL import Image, ImageFilter


def edit_image(img, radius, percent, threshold, zoom):
    w, h = img.size
    z0, z1 = zoom
    crop = img.crop((z0 * w // 1000, z0 * h // 1000, z1 * w // 1000, z1 * h // 1000))
    return crop.filter(ImageFilter.UnsharpMask(radius=radius, percent=percent, threshold=threshold))


args_list = [
    {"radius": 2, "percent": 150, "threshold": 3, "zoom": [0, 1000]},
    {"radius": 5, "percent": 300, "threshold": 0, "zoom": [200, 800]},
    {"radius": 1, "percent": 500, "threshold": 2, "zoom": [500, 1000]},
    {"radius": 8, "percent": 200, "threshold": 10, "zoom": [0, 500]},
]
