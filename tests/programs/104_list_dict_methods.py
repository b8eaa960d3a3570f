# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, names, extra, drop):
    w, h = img.size
    palette = {"sun": (255, 220, 0), "sea": (0, 90, 200), "leaf": (40, 160, 60)}
    palette.update(extra)
    chosen = []
    for name in names:
        chosen.append(palette.get(name, (128, 128, 128)))
    chosen.extend([palette[k] for k in sorted(palette.keys()) if k not in names][:2])
    chosen.insert(0, (255, 255, 255))
    if drop < len(chosen):
        chosen.pop(drop)
    chosen.reverse()
    draw = ImageDraw.Draw(img)
    n = len(chosen)
    for i, color in enumerate(chosen):
        draw.rectangle([i * w // n, 0, (i + 1) * w // n - 1, h // 3], fill=color)
    draw.rectangle([0, h - h // 4, w * (chosen.index((255, 255, 255)) + 1) // n, h - 1], fill="black")
    return img


args_list = [
    {"names": ["sun", "sea"], "extra": {}, "drop": 10},
    {"names": ["leaf"], "extra": {"rose": (220, 20, 60)}, "drop": 1},
    {"names": ["mud", "sun", "sea", "leaf"], "extra": {"ink": (10, 10, 10)}, "drop": 3},
    {"names": [], "extra": {"sky": (135, 206, 235), "sun": (255, 100, 0)}, "drop": 2},
]
