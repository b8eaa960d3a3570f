import math
from PIL import Image, ImageDraw, ImageOps, ImageFilter, ImageEnhance


def helper(values, scale=1.5, *rest, **opts):
    total = sum(v * scale for v in values if v % 2 == 0)
    pairs = {k: v for k, v in zip("abc", range(3))}
    text = f"{total:08.3f}|{len(pairs):>4}|{'%5.1f' % math.pi}|{'{}-{}'.format(*rest[:2]) if rest else ''}"
    try:
        pairs["z"]
    except KeyError as e:
        text += str(e)
    finally:
        text += "!"
    return text, sorted(pairs.items(), key=lambda kv: -kv[1])


def edit_image(img, angle=10, colour="red", box=(0.1, 0.2, 0.8, 0.9), steps=3):
    w, h = img.size
    left, top, right, bottom = [int(v * (w if i % 2 == 0 else h)) for i, v in enumerate(box)]
    out = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=(1, 2, 3))
    out = out.resize((w, h), Image.Resampling.LANCZOS)
    d = ImageDraw.Draw(out)
    for k in range(steps):
        d.rectangle([left + k, top + k, right - k, bottom - k], outline=colour, width=1)
    d.line([(0, 0), (w - 1, h - 1)], fill="#00ff00", width=2)
    d.ellipse((1, 1, w // 2, h // 2), fill=None, outline=128)
    out = out.filter(ImageFilter.GaussianBlur(1.5)).point(lambda p: 255 - p if p > 128 else p)
    out = ImageEnhance.Contrast(ImageOps.mirror(out)).enhance(1.3)
    helper([1, 2, 3, 4], 2, "x", "y", key=1)
    while steps > 0:
        steps -= 1
        if steps == 1:
            break
    else:
        pass
    return out.convert("L").convert("RGB")


args_list = [
    {"angle": 15},
    {"angle": -30.5, "colour": (0, 0, 255)},
    {"box": (0, 0, 1, 1), "steps": 1},
    {"angle": 90, "colour": "hsl(120, 50%, 50%)"},
]
