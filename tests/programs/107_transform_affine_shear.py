# conformance: max=2 mean=0.1
from PIL import Image


def edit_image(img, shear, axis, resample):
    w, h = img.size
    filters = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
    if axis == "x":
        extra = int(abs(shear) * h)
        data = (1, shear, -extra if shear > 0 else 0, 0, 1, 0)
        size = (w + extra, h)
    else:
        extra = int(abs(shear) * w)
        data = (1, 0, 0, shear, 1, -extra if shear > 0 else 0)
        size = (w, h + extra)
    return img.transform(size, Image.AFFINE, data, resample=filters[resample], fillcolor="white")


args_list = [
    {"shear": 0.3, "axis": "x", "resample": "bilinear"},
    {"shear": -0.5, "axis": "x", "resample": "nearest"},
    {"shear": 0.4, "axis": "y", "resample": "bicubic"},
    {"shear": -0.2, "axis": "y", "resample": "bilinear"},
]
