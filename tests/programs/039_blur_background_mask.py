# conformance: max=2 mean=0.1
from PIL import Image, ImageDraw, ImageFilter


def edit_image(img, center, radius, blur, ring):
    w, h = img.size
    background = img.filter(ImageFilter.BoxBlur(blur))
    mask = Image.new("L", img.size, 0)
    cx, cy = center[0] * w / 1000, center[1] * h / 1000
    r = radius * min(w, h) / 1000
    box = [cx - r, cy - r, cx + r, cy + r]
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    background.paste(img, (0, 0), mask)
    ImageDraw.Draw(background).ellipse(box, outline=ring, width=5)
    return background


args_list = [
    {"center": [650, 560], "radius": 200, "blur": 6, "ring": "yellow"},
    {"center": [820, 170], "radius": 150, "blur": 10, "ring": "white"},
    {"center": [500, 800], "radius": 300, "blur": 4, "ring": "red"},
    {"center": [200, 500], "radius": 120, "blur": 8, "ring": "black"},
]
