"""loop_valid.py - reference for the per-image validity rules (tests/test_loop_ref.c).

Usage: loop_valid.py IMAGE:ROTATES...   prints "ok" or the failed rule per image
("too_large", "too_small", "transparent", "too_dark").

Restates EVE's image check with numpy: pixel count in [4096, 1048576]; RGBA pixels with alpha
>= 10 are opaque and must be at least 10 % of all pixels; Rec.709 luma (float32, as numpy
computes it from a float32 array) <= 5 marks a near-black pixel, and near-black pixels may be
at most 10 % of the opaque ones, 75 % when the program rotates.
"""
import sys

import numpy as np
from PIL import Image


def verdict(path, rotates):
    with Image.open(path) as im:
        w, h = im.size
        if w * h > 1048576:
            return "too_large"
        if w * h < 4096:
            return "too_small"
        arr = np.asarray(im.convert("RGBA"), dtype=np.uint8)
    rgb = arr[..., :3].astype(np.float32)
    luma = 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]
    opaque = arr[..., 3] >= 10
    n_opaque = int(opaque.sum())
    if n_opaque < w * h * 0.1:
        return "transparent"
    black = float((opaque & (luma <= 5)).sum()) / float(n_opaque)
    return "ok" if black <= (0.75 if rotates else 0.1) else "too_dark"


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        path, rot = arg.rsplit(":", 1)
        print(verdict(path, rot == "1"))
