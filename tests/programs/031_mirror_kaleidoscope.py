# conformance: exact
from PIL import Image


def edit_image(img, quadrant):
    w, h = img.size
    qw, qh = w // 2, h // 2
    x, y = quadrant
    q = img.crop((x * qw, y * qh, x * qw + qw, y * qh + qh))
    if x == 1:
        q = q.transpose(Image.FLIP_LEFT_RIGHT)
    if y == 1:
        q = q.transpose(Image.FLIP_TOP_BOTTOM)
    out = Image.new("RGB", (2 * qw, 2 * qh))
    out.paste(q, (0, 0))
    out.paste(q.transpose(Image.FLIP_LEFT_RIGHT), (qw, 0))
    bottom = out.crop((0, 0, 2 * qw, qh)).transpose(Image.FLIP_TOP_BOTTOM)
    out.paste(bottom, (0, qh))
    return out


args_list = [
    {"quadrant": (0, 0)},
    {"quadrant": (1, 0)},
    {"quadrant": (0, 1)},
    {"quadrant": (1, 1)},
]
