# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, layout, gap, background):
    w, h = img.size
    cols, rows = layout
    tw, th = (w - gap * (cols + 1)) // cols, (h - gap * (rows + 1)) // rows
    tile = img.resize((tw, th), Image.NEAREST)
    variants = [tile, ImageOps.mirror(tile), ImageOps.flip(tile), ImageOps.invert(tile)]
    canvas = Image.new("RGB", (w, h), background)
    k = 0
    for r in range(rows):
        for c in range(cols):
            canvas.paste(variants[k % 4], (gap + c * (tw + gap), gap + r * (th + gap)))
            k += 1
    return canvas


args_list = [
    {"layout": (2, 2), "gap": 8, "background": "white"},
    {"layout": (3, 1), "gap": 4, "background": "black"},
    {"layout": (1, 3), "gap": 12, "background": (40, 40, 40)},
    {"layout": (3, 3), "gap": 6, "background": "#ffcc00"},
]
