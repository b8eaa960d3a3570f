# conformance: exact
from PIL import Image, ImageDraw


def edit_image(img, seeds, color, thresh):
    w, h = img.size
    for sx, sy in seeds:
        ImageDraw.floodfill(img, (sx * (w - 1) // 1000, sy * (h - 1) // 1000), color, thresh=thresh)
    return img


args_list = [
    {"seeds": [(500, 50)], "color": (255, 0, 0), "thresh": 40},
    {"seeds": [(650, 520)], "color": (0, 0, 0), "thresh": 60},
    {"seeds": [(820, 150), (100, 950)], "color": (255, 255, 255), "thresh": 80},
    {"seeds": [(300, 700)], "color": (255, 0, 255), "thresh": 100},
]
