# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, recipe):
    steps = [s.strip().lower() for s in recipe.split(",") if s.strip()]
    for step in steps:
        if step.startswith("rot"):
            img = img.rotate(int(step[3:]), expand=True)
        elif step == "mirror":
            img = ImageOps.mirror(img)
        elif step.endswith("invert"):
            img = ImageOps.invert(img)
        elif "poster" in step:
            img = ImageOps.posterize(img, int(step.replace("poster", "")))
        elif step.isdigit():
            img = ImageOps.expand(img, border=int(step), fill="white")
    return img


args_list = [
    {"recipe": "rot90, mirror"},
    {"recipe": "INVERT,poster2"},
    {"recipe": " 20 , rot180 , poster1"},
    {"recipe": "mirror,rot270,invert,,"},
]
