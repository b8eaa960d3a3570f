# conformance: exact
from PIL import Image, ImageOps


def edit_image(img, scale, label, shift, options, flags):
    w, h = img.size
    dx = int(shift[0] * w) % w
    out = img.crop((dx, 0, w, h))
    if options.get("mirror"):
        out = ImageOps.mirror(out)
    if flags and flags[0]:
        out = ImageOps.invert(out)
    if len(label) > 5:
        out = ImageOps.flip(out)
    return out.resize((max(64, int(out.width * scale)), h), Image.NEAREST)


args_list = [
    {"scale": 0.1, "label": "it's", "shift": (0.5,), "options": {"mirror": None}, "flags": []},
    {"scale": 1e-05 * 100000, "label": 'say "hi"', "shift": (-0.0, 1e16), "options": {"mirror": True}, "flags": [True]},
    {"scale": 1 / 3, "label": "tab\there", "shift": (0.25, 2.5e-07), "options": {}, "flags": [False, None]},
    {"scale": 1.75, "label": "", "shift": (0.125, 123456789012.0), "options": {"mirror": False, "x": (1, [2])}, "flags": [1]},
]
