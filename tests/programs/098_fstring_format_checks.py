# conformance: exact
from PIL import Image, ImageDraw


def checks(v):
    return [
        f"{v:.2f}" == "3.14" if v == 3.14159 else f"{v:.1f}" == str(round(v, 1)),
        f"{int(v):03d}" == "0" + str(int(v)).rjust(2, "0") if v < 100 else True,
        f"{v:>8.3f}".startswith(" "),
        f"{int(v):x}" == "%x" % int(v),
        f"{v:+.1e}"[0] in "+-",
        len(f"{v:08.2f}") == 8,
        f"{int(v) * 1000:,}".count(",") >= 1,
        f"{v!r}" == str(v),
        "{:5d}".format(int(v)).strip() == str(int(v)),
        "%.3f" % v == f"{v:.3f}",
        f"{'x':*^5}" == "**x**",
        f"{0.5:.0%}" == "50%",
        str(v / 3) == f"{v / 3!r}",
        str(float(int(v))) == f"{int(v)}.0",
        f"{v}" == str(v),
        f"{-v:g}" == "%g" % -v,
    ]


def edit_image(img, value, size):
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for i, ok in enumerate(checks(value)):
        x = (i % 4) * w // 4
        y = (i // 4) * h // 4
        draw.rectangle([x + 4, y + 4, x + size, y + size], fill="lime" if ok else "red")
    return img


args_list = [
    {"value": 3.14159, "size": 60},
    {"value": 42.0, "size": 90},
    {"value": 7.25, "size": 40},
    {"value": 1234.5678, "size": 100},
]
