# conformance: exact
import math
from PIL import Image, ImageDraw


def values(seed):
    a = [seed, -seed, seed * 3 + 1, -7]
    out = []
    out.append(a[0] // 3)
    out.append(a[1] // 3)
    out.append(a[1] % 7)
    out.append(a[3] % seed)
    out.append(int(-3.7 * seed))
    out.append(round(seed + 0.5))
    out.append(round(seed * 1.25, 1) * 10)
    out.append(divmod(-seed * 5, 4)[0])
    out.append(divmod(-seed * 5, 4)[1])
    out.append(max(a, key=abs))
    out.append(min(a[1:3]))
    out.append(sum(x * x for x in a) % 97)
    out.append(len([x for x in a if x > 0 and x % 2 == 1]))
    out.append(2 ** seed % 50)
    out.append(math.floor(-seed / 4))
    out.append(math.ceil(seed / 4))
    out.append(int(math.sqrt(seed * 40)))
    out.append(int(math.hypot(seed, 12)))
    out.append(int(math.degrees(math.atan2(seed, 5))))
    out.append(sorted(a, reverse=True)[1])
    out.append(a[::-1][0])
    out.append(a[-2:][0])
    out.append((seed > 2) + (seed < 9) * 2)
    out.append(1 if 0 < seed <= 5 else 2)
    out.append(len("ab" * seed))
    out.append(len({k: v for k, v in zip("abcd", a) if v != -7}))
    out.append(list(map(abs, a))[3])
    out.append(any(x > 10 for x in a) + all(x != 0 for x in a))
    return out


def edit_image(img, seed, color):
    w, h = img.size
    vals = values(seed)
    draw = ImageDraw.Draw(img)
    bw = w // len(vals)
    for i, v in enumerate(vals):
        top = h // 2 - v * 4
        draw.rectangle([i * bw, min(top, h // 2), i * bw + bw - 2, max(top, h // 2)], fill=color)
    return img


args_list = [
    {"seed": 3, "color": "white"},
    {"seed": 7, "color": "red"},
    {"seed": 11, "color": "yellow"},
    {"seed": 5, "color": "black"},
]
