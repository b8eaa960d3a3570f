# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, steps):
    g = img.convert("L")
    for s in steps:
        if s == "equalize":
            g = ImageOps.equalize(g)
        elif s == "autocontrast":
            g = ImageOps.autocontrast(g, cutoff=3)
        elif s == "posterize":
            g = ImageOps.posterize(g, 2)
        elif s == "invert":
            g = ImageOps.invert(g)
        elif s == "solarize":
            g = ImageOps.solarize(g, 100)
    return g


args_list = [
    {"steps": ["equalize"]},
    {"steps": ["autocontrast", "posterize"]},
    {"steps": ["invert", "solarize"]},
    {"steps": ["equalize", "posterize", "invert"]},
]
