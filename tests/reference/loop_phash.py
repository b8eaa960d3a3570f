"""loop_phash.py - reference 64-bit pHash for tests/test_loop_ref.c, from Pillow and SciPy.

Usage: loop_phash.py IMAGE...   prints per image, in order, "HASH MASK": the 16-digit hex
hash and a mask of its reliable bits. A bit is unreliable when its coefficient lies within
1e-9 of the median (relative to the largest coefficient): there the outcome depends on the
rounding of the DCT (exact ties, as in images made of flat blocks), not on the definition.

The definition is imagehash.phash's (hash_size 8, highfreq_factor 4), written out here
independently: grayscale ("L"), resize to 32x32 with LANCZOS, scipy.fft.dct type 2 along
axis 0 then axis 1, top-left 8x8, bit = value > median, first bit most significant.
"""
import sys

import numpy as np
from PIL import Image
from scipy.fft import dct


def phash(path):
    with Image.open(path) as im:
        small = im.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    coef = dct(dct(pixels, type=2, axis=0), type=2, axis=1)[:8, :8]
    med = np.median(coef)
    bits = (coef > med).flatten()
    sure = (np.abs(coef - med) > 1e-9 * np.abs(coef).max()).flatten()
    return hex64(bits) + " " + hex64(sure)


def hex64(bits):
    return "%016x" % int("".join("1" if b else "0" for b in bits), 2)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(phash(p))
