#!/usr/bin/python3
"""vlm_pre_ref.py - Qwen2-VL image preprocessing written from Hugging Face's definition.

The independent side of tests/test_vlm_pre.c: Pillow + numpy, following Qwen2VLImageProcessorPil
of huggingface/transformers commit 9feaf6f1d95e9976003f0a7f049e44f92b781c51 step by step
(convert("RGB"), channels-first uint8, smart_resize, Pillow resize BICUBIC, rescale in float64
then float32, normalize in float32, the temporal pair, HF's reshape/transpose into merge order).
transformers itself is not installed here; this is the processor's definition, not vkeve's C.

    vlm_pre_ref.py --sizes IN OUT    IN: lines "H W MIN MAX"; OUT: lines "RH RW" or "error"
    vlm_pre_ref.py --cases IN DIR    IN: lines "NAME PATH MIN MAX [MEAN*3 STD*3]"; writes
                                     DIR/NAME.txt ("ok RH RW T GH GW" or "error MESSAGE") and
                                     DIR/NAME.f32 (pixel_values, float32, row-major)
    vlm_pre_ref.py --selftest        hand-worked sizes and the patch order, checked another way
"""
import math
import sys

import numpy as np
from PIL import Image

PATCH, MERGE, TEMPORAL = 14, 2, 2
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def smart_resize(height, width, factor, min_pixels, max_pixels):
    """HF's smart_resize: Python round (halves to even), then floor / ceil rescaling."""
    ratio = max(height, width) / min(height, width)
    if ratio > 200:
        raise ValueError(f"absolute aspect ratio must be smaller than 200, got {ratio}")
    rounded_h = factor * round(height / factor)
    rounded_w = factor * round(width / factor)
    if rounded_h * rounded_w > max_pixels:
        shrink = math.sqrt(height * width / max_pixels)
        return (max(factor, factor * math.floor(height / shrink / factor)),
                max(factor, factor * math.floor(width / shrink / factor)))
    if rounded_h * rounded_w < min_pixels:
        grow = math.sqrt(min_pixels / (height * width))
        return (factor * math.ceil(height * grow / factor),
                factor * math.ceil(width * grow / factor))
    return rounded_h, rounded_w


def to_merge_order(frames, grid_h, grid_w):
    """(T, C, H, W) float32 -> (grid_h * grid_w, C * T * PATCH * PATCH), HF's layout."""
    t, c = frames.shape[:2]
    blocks = frames.reshape(1, t, c, grid_h // MERGE, MERGE, PATCH, grid_w // MERGE, MERGE, PATCH)
    blocks = blocks.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    return blocks.reshape(grid_h * grid_w, c * t * PATCH * PATCH)


def preprocess(image, min_pixels, max_pixels, mean, std):
    """pixel_values and (grid_t, grid_h, grid_w) for one PIL image."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    chw = np.array(image).transpose(2, 0, 1)
    height, width = chw.shape[1:]
    rh, rw = smart_resize(height, width, PATCH * MERGE, min_pixels, max_pixels)
    pil = Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)))
    resized = np.array(pil.resize((rw, rh), Image.BICUBIC, reducing_gap=None)).transpose(2, 0, 1)
    scaled = (resized.astype(np.float64) * (1 / 255)).astype(np.float32)
    mean32 = np.array(mean, dtype=np.float32)
    std32 = np.array(std, dtype=np.float32)
    normed = ((scaled.T - mean32) / std32).T
    frames = np.repeat(normed[np.newaxis], TEMPORAL, axis=0)
    grid_h, grid_w = rh // PATCH, rw // PATCH
    return to_merge_order(frames, grid_h, grid_w), (1, grid_h, grid_w)


def run_sizes(src, dst):
    with open(src) as f, open(dst, "w") as out:
        for line in f:
            h, w, lo, hi = (int(v) for v in line.split())
            try:
                rh, rw = smart_resize(h, w, PATCH * MERGE, lo, hi)
                out.write(f"{rh} {rw}\n")
            except ValueError:
                out.write("error\n")


def run_cases(src, out_dir):
    with open(src) as f:
        for line in f:
            fields = line.split()
            name, path, lo, hi = fields[0], fields[1], int(fields[2]), int(fields[3])
            stats = [float(v) for v in fields[4:10]] or CLIP_MEAN + CLIP_STD
            try:
                values, (t, gh, gw) = preprocess(Image.open(path), lo, hi, stats[:3], stats[3:])
            except ValueError as err:
                with open(f"{out_dir}/{name}.txt", "w") as out:
                    out.write(f"error {err}\n")
                continue
            values.astype("<f4").tofile(f"{out_dir}/{name}.f32")
            with open(f"{out_dir}/{name}.txt", "w") as out:
                out.write(f"ok {gh * PATCH} {gw * PATCH} {t} {gh} {gw}\n")


def selftest():
    """Sizes worked out by hand, and the merge order by explicit indexing; returns failures."""
    bad = 0
    hand = [((70, 70), (56, 56)), ((126, 126), (112, 112)), ((98, 98), (112, 112)),
            ((1, 1), (56, 56)), ((28, 28), (56, 56)), ((1, 200), (28, 812)),
            ((1022, 1022), (980, 980)), ((1080, 1920), (728, 1316))]
    for (h, w), want in hand:
        got = smart_resize(h, w, 28, 3136, 1003520)
        if got != want:
            print(f"smart_resize({h}, {w}) = {got}, want {want}")
            bad += 1
    try:
        smart_resize(1, 201, 28, 3136, 1003520)
        print("smart_resize(1, 201) did not refuse a 201:1 image")
        bad += 1
    except ValueError:
        pass
    gh, gw = 4, 6
    frames = np.arange(TEMPORAL * 3 * gh * PATCH * gw * PATCH, dtype=np.float32)
    frames = frames.reshape(TEMPORAL, 3, gh * PATCH, gw * PATCH)
    got = to_merge_order(frames, gh, gw)
    for row in range(gh * gw):
        block, inner = divmod(row, MERGE * MERGE)
        y0 = (block // (gw // MERGE) * MERGE + inner // MERGE) * PATCH
        x0 = (block % (gw // MERGE) * MERGE + inner % MERGE) * PATCH
        want = frames[:, :, y0:y0 + PATCH, x0:x0 + PATCH].transpose(1, 0, 2, 3).reshape(-1)
        if not np.array_equal(got[row], want):
            print(f"merge order: row {row} holds the wrong patch")
            bad += 1
    print("selftest:", "ok" if bad == 0 else f"{bad} failures")
    return bad


def main(argv):
    if argv[1:] == ["--selftest"]:
        return 1 if selftest() else 0
    if len(argv) == 4 and argv[1] == "--sizes":
        run_sizes(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "--cases":
        run_cases(argv[2], argv[3])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
