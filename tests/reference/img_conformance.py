#!/usr/bin/python3
"""img_conformance.py - compares vkeve's image operations with Pillow 9.4, the oracle.

    /usr/bin/python3 img_conformance.py --driver PATH/img_conformance_driver --work DIR

1. Writes deterministic synthetic input images (numpy, fixed seed; PNG plus JPEG/BMP/GIF
   copies) into DIR/in, for several sizes (1x1, 7x5, odd and square ones) and modes L/RGB/RGBA.
2. Writes the case list DIR/cases.txt ("NAME OP INPUT ARGS...") and runs the C driver on it,
   which writes DIR/out/NAME.png (or NAME.err when the operation refused).
3. Performs every case with Pillow and compares: the mode, the size and every pixel. Cases
   must match exactly unless TOLERANCE names the op; where Pillow raises, vkeve must refuse.

Prints one line per failing case and a per-op summary of max / mean absolute error; exits
1 on any failure.
"""
import argparse
import os
import subprocess
import sys
from collections import defaultdict

import numpy as np
from PIL import Image, ImageOps

# Ops whose results may differ from Pillow by at most this much per channel (none today: every
# op is meant to be exact; a tolerance here is a documented exception).
TOLERANCE = {}

# Ops whose result is numbers (written as text by the driver), not an image.
MEASURES = {"histogram", "getextrema", "getbbox"}

SIZES = [(1, 1), (7, 5), (97, 61), (64, 64), (160, 120)]
MODES = ["L", "RGB", "RGBA"]
FILTERS = ["NEAREST", "BOX", "BILINEAR", "HAMMING", "BICUBIC", "LANCZOS"]
TRANSFORM_FILTERS = ["NEAREST", "BILINEAR", "BICUBIC"]


def synthetic(w, h, mode, seed):
    """Noise on the left third, gradients elsewhere, blocky alpha with 0 and 255 runs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    bands = []
    for c in range(3 if mode != "L" else 1):
        grad = (xx * (c + 1) * 37 + yy * (3 - c) * 23 + c * 50) % 256
        noise = rng.integers(0, 256, size=(h, w))
        bands.append(np.where(xx < w / 3, noise, grad))
    if mode == "RGBA":
        alpha = rng.integers(0, 256, size=(h, w))
        alpha = np.where(xx >= 3 * w / 4, 255, np.where(yy < h / 3, 0, alpha))
        bands.append(alpha)
    arr = np.stack(bands, axis=-1).astype(np.uint8)
    if mode == "L":
        arr = arr[:, :, 0]
    return Image.fromarray(arr, mode)


def make_inputs(in_dir):
    names = []
    for (w, h) in SIZES:
        for k, mode in enumerate(MODES):
            name = f"{mode}_{w}x{h}"
            synthetic(w, h, mode, 100 + w * 7 + h + k).save(f"{in_dir}/{name}.png")
            synthetic(w, h, mode, 900 + w + h * 3 + k).save(f"{in_dir}/B_{name}.png")
            names.append((name, w, h, mode))
        synthetic(w, h, "L", 5000 + w + h).save(f"{in_dir}/mask_{w}x{h}.png")
    # The other decoders, on one odd size.
    rgb = Image.open(f"{in_dir}/RGB_97x61.png")
    rgb.save(f"{in_dir}/RGB_97x61.jpg", quality=90)
    rgb.save(f"{in_dir}/RGB_97x61.bmp")
    rgb.quantize(64).save(f"{in_dir}/RGB_97x61.gif")
    Image.open(f"{in_dir}/L_97x61.png").save(f"{in_dir}/L_97x61.jpg", quality=90)
    rgb.save(f"{in_dir}/RGB_97x61_progressive.jpg", quality=75, progressive=True)
    rgb.save(f"{in_dir}/RGB_97x61_420.jpg", quality=60, subsampling=2, optimize=True)
    rgb.convert("CMYK").save(f"{in_dir}/CMYK_97x61.jpg", quality=90)
    rgba = Image.open(f"{in_dir}/RGBA_97x61.png")
    rgba.convert("LA").save(f"{in_dir}/LA_97x61.png")
    rgba.quantize(32).save(f"{in_dir}/P_97x61.png", transparency=3)
    return names


def geometry_cases(name, w, h, mode):
    cases = [("load", name, [])]
    cases += [("convert", name, [m]) for m in MODES if m != mode]
    cases += [
        ("crop", name, [1, 1, max(w - 1, 1), max(h - 1, 1)]),
        ("crop", name, [-3, -2, w + 4, h + 1]),
        ("crop", name, [0.5, 1.5, 2.5, 2.5]),
        ("crop", name, [2.5, 0.4999, 7.5, 5.5]),
        ("crop", name, [w + 2, h + 2, w + 10, h + 7]),
        ("crop", name, [3, 3, 1, 5]),
    ]
    cases += [("transpose", name, [t]) for t in range(7)]
    targets = [(max(1, w // 3), max(1, h // 2)), (w * 2 + 1, h + 3), (w + 1, max(1, h // 3)),
               (max(1, w // 7), max(1, h // 5))]
    for f in FILTERS:
        cases += [("resize", name, [tw, th, f]) for (tw, th) in targets]
        if w >= 7:
            cases.append(("resize", name, [w // 2 + 1, h // 2 + 1, f,
                                            1.3, 0.7, w - 1.2, h - 0.4]))
            cases.append(("resize", name, [w - 2, h - 2, f, 1, 1, w - 1, h - 1]))
    cases.append(("resize", name, [0, 5, "BICUBIC"]))
    for (fx, fy) in [(2, 2), (3, 1), (1, 4), (5, 3), (7, 7), (1, 1)]:
        cases.append(("reduce", name, [fx, fy]))
    if w >= 7:
        cases.append(("reduce", name, [3, 2, 1, 2, w - 1, h]))
        cases.append(("reduce", name, [1, 1, 1, 2, w - 1, h]))
    cases.append(("reduce", name, [0, 2]))
    for f in ("BICUBIC", "LANCZOS", "BILINEAR", "BOX"):
        cases.append(("resize_gap", name, [max(1, w // 5), max(1, h // 3), f, 2.0]))
        cases.append(("resize_gap", name, [max(1, w // 9), max(1, h // 9), f, 1.5]))
    for (tw, th) in [(50, 50), (31, 90), (w, max(1, h // 2)), (w * 2, h * 2), (1, 1)]:
        cases.append(("thumbnail", name, [tw, th, "BICUBIC", 2.0]))
    cases.append(("thumbnail", name, [40, 30, "LANCZOS", 0]))
    angles = [90, 180, 270, 30, -45.5, 123.4, 375, 1e-7]
    for f in TRANSFORM_FILTERS:
        for a in angles:
            for expand in (0, 1):
                cases.append(("rotate", name, [a, f, expand, "-", "-", "-"]))
        fill = {"L": "77", "RGB": "200,30,90", "RGBA": "200,30,90,128"}[mode]
        cases.append(("rotate", name, [33.3, f, 0, "2.5,1", "-", fill]))
        cases.append(("rotate", name, [-71, f, 1, "-", "3,-4", fill]))
        cases.append(("rotate", name, [90, f, 0, "-", "1,2", "-"]))
        cases.append(("transform", name, [w + 5, h, "0.9,0.35,-2,-0.2,1.1,1.5", f, "-"]))
        cases.append(("transform", name, [w, h + 3, "-1.25,0,{},0,0.8,0".format(w), f, fill]))
        cases.append(("transform", name, [w, h, "1,0,-60000,0,1,0", f, "-"]))
    cases.append(("rotate", name, [20, "LANCZOS", 0, "-", "-", "-"]))
    for f in TRANSFORM_FILTERS:
        cases.append(("transform_method", name, [w + 3, h + 1, 1, f"1.5,-2,{w - 0.5},{h * 0.8}",
                                                 f, "-"]))
        cases.append(("transform_method", name, [w, h, 2,
                                                 "1.1,0.2,-3,0.1,0.9,2,0.002,-0.003", f, fill]))
        cases.append(("transform_method", name, [w + 2, h, 3,
                                                 f"1,2,-2,{h},{w},{h + 3},{w - 1},-1", f, "-"]))
    cases.append(("transform_method", name, [5, 5, 2, "1,0,0,0,1", "NEAREST", "-"]))
    cases += [("histogram", name, ["-"]), ("histogram", name, [f"mask_{w}x{h}"]),
              ("getextrema", name, []), ("getbbox", name, []),
              ("getbbox", f"B_{name}", [])]
    cases += [("point", name, [3]), ("point", name, [7])]
    cases += [("putalpha", name, [100]), ("putalpha", name, [f"mask_{w}x{h}"]),
              ("putalpha", name, ["mask_7x5" if (w, h) != (7, 5) else "mask_1x1"])]
    cases += [("blend", name, [f"B_{name}", a]) for a in (0.3, 0.75, 1.6, -0.4, 0, 1)]
    cases.append(("composite", name, [f"B_{name}", f"mask_{w}x{h}"]))
    cases.append(("composite", name, [f"B_{name}", f"RGBA_{w}x{h}"]))
    cases.append(("alpha_composite", name, [f"B_{name}"]))
    for other in MODES:
        cases.append(("paste", name, [f"B_{other}_{w}x{h}", 3, 2, "-"]))
        cases.append(("paste", name, [f"B_{other}_{w}x{h}", -2, -3, f"mask_{w}x{h}"]))
        cases.append(("paste", name, [f"B_{other}_{w}x{h}", 1, 0, f"RGBA_{w}x{h}"]))
    cases.append(("paste", name, [f"B_{name}", 0, 0, f"RGB_{w}x{h}"]))
    colour = {"L": "180", "RGB": "10,250,60", "RGBA": "10,250,60,90"}[mode]
    cases.append(("paste_color", name, [colour, 2, 1, w - 1, h, "-"]))
    cases.append(("paste_color", name, [colour, 0, 0, w, h, f"mask_{w}x{h}"]))
    cases.append(("paste_color", name, [colour, 0, 0, w, h, f"B_RGBA_{w}x{h}"]))
    cases.append(("swapbands", name, []))
    cases.append(("paste_self", name, [2, 3]))
    cases.append(("paste_self", name, [-1, -2]))
    return cases


def imageops_cases(name, w, h, mode):
    fill = {"L": "40", "RGB": "40,80,120", "RGBA": "40,80,120,200"}[mode]
    cases = [("mirror", name, []), ("flip", name, []), ("grayscale", name, []),
             ("invert", name, [])]
    cases += [("posterize", name, [b]) for b in (1, 3, 8)]
    cases += [("solarize", name, [t]) for t in (0, 128, 200)]
    cases += [("autocontrast", name, [0, 0, "-", 0]), ("autocontrast", name, [2, 2, "-", 0]),
              ("autocontrast", name, [1.5, 7, 128, 0]), ("autocontrast", name, [5, 0, "-", 1])]
    cases += [("equalize", name, ["-"]), ("equalize", name, [f"mask_{w}x{h}"])]
    cases += [("expand", name, [3, 3, 3, 3, fill]), ("expand", name, [0, 5, 2, 1, "-"])]
    cases += [("colorize", name, ["255,0,0", "0,0,255", "-", 0, 255, 127]),
              ("colorize", name, ["10,200,30", "250,20,90", "90,90,250", 20, 230, 100]),
              ("colorize", name, ["0,0,0", "255,255,255", "-", 100, 100, 127])]
    cases += [("opcrop", name, [1, 1, 1, 1]), ("opcrop", name, [2, 0, 1, 3])]
    cases += [("scale", name, [0.5, "BICUBIC"]), ("scale", name, [1.7, "BILINEAR"]),
              ("scale", name, [1, "BICUBIC"]), ("scale", name, [-1, "BICUBIC"])]
    cases += [("contain", name, [50, 50, "BICUBIC"]), ("contain", name, [31, 90, "LANCZOS"])]
    cases += [("pad", name, [50, 40, "BICUBIC", fill, 0.5, 0.5]),
              ("pad", name, [40, 90, "BILINEAR", "-", 0.2, 0.9])]
    cases += [("fit", name, [40, 40, "BICUBIC", 0, 0.5, 0.5]),
              ("fit", name, [33, 21, "LANCZOS", 0.1, 0.2, 0.8]),
              ("fit", name, [21, 33, "HAMMING", 0.3, 2, -1])]
    return cases


def decode_cases():
    return [("gradient", "L_7x5", ["linear"]), ("gradient", "L_7x5", ["radial"]),
            ("load_jpeg", "RGB_97x61.jpg", []), ("load_jpeg", "L_97x61.jpg", []),
            ("load_jpeg", "RGB_97x61_progressive.jpg", []), ("load_jpeg", "RGB_97x61_420.jpg", []),
            ("load_jpeg", "CMYK_97x61.jpg", []),
            ("load", "RGB_97x61.bmp", []), ("load", "RGB_97x61.gif", []),
            ("load", "LA_97x61.png", []), ("load", "P_97x61.png", [])]


def opened(in_dir, name):
    path = f"{in_dir}/{name}" if "." in name else f"{in_dir}/{name}.png"
    im = Image.open(path)
    im.load()
    if im.mode == "P":  # palette files decode to RGB, or RGBA when they have transparency
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode == "LA":  # no LA mode in vkeve: gray + alpha decodes to RGBA
        im = im.convert("RGBA")
    if im.mode == "CMYK":  # CMYK JPEGs decode to RGB
        im = im.convert("RGB")
    return im


def colour(arg):
    if arg == "-":
        return None
    vals = tuple(int(float(v)) for v in str(arg).split(","))
    return vals[0] if len(vals) == 1 else vals


def pair(arg):
    return None if arg == "-" else tuple(float(v) for v in arg.split(","))


def pillow_geometry(op, im, a, get):
    if op in ("load", "load_jpeg"):
        return im
    if op == "convert":
        return im.convert(a[0])
    if op == "crop":
        return im.crop(tuple(a))
    if op == "transpose":
        return im.transpose(a[0])
    if op == "resize":
        box = tuple(a[3:7]) if len(a) > 3 else None
        return im.resize((a[0], a[1]), getattr(Image.Resampling, a[2]), box)
    if op == "rotate":
        return im.rotate(a[0], getattr(Image.Resampling, a[1]), expand=a[2],
                         center=pair(a[3]), translate=pair(a[4]), fillcolor=colour(a[5]))
    if op == "transform":
        data = tuple(float(v) for v in a[2].split(","))
        return im.transform((a[0], a[1]), Image.Transform.AFFINE, data,
                            getattr(Image.Resampling, a[3]), fillcolor=colour(a[4]))
    if op == "transform_method":
        data = tuple(float(v) for v in a[3].split(","))
        return im.transform((a[0], a[1]), a[2], data, getattr(Image.Resampling, a[4]),
                            fillcolor=colour(a[5]))
    if op == "histogram":
        return im.histogram(None if a[0] == "-" else get(a[0]))
    if op == "getextrema":
        ext = im.getextrema()
        return list(ext) if im.mode == "L" else [v for pair in ext for v in pair]
    if op == "getbbox":
        return im.getbbox()
    if op == "reduce":
        return im.reduce((a[0], a[1]), tuple(a[2:6]) if len(a) > 2 else None)
    if op == "resize_gap":
        return im.resize((a[0], a[1]), getattr(Image.Resampling, a[2]), reducing_gap=a[3])
    if op == "thumbnail":
        out = im.copy()
        out.thumbnail((a[0], a[1]), getattr(Image.Resampling, a[2]), a[3] or None)
        return out
    if op == "putalpha":
        out = im.copy()
        out.putalpha(get(a[0]) if isinstance(a[0], str) else a[0])
        return out.convert("RGBA")  # L becomes LA in Pillow; vkeve has no LA
    if op == "gradient":
        return Image.linear_gradient("L") if a[0] == "linear" else Image.radial_gradient("L")
    if op == "point":
        lut = [(v * (ch + a[0])) % 320 - 30 for ch in range(len(im.getbands()))
               for v in range(256)]
        return im.point(lut)
    if op == "blend":
        return Image.blend(im, get(a[0]), a[1])
    if op == "composite":
        return Image.composite(im, get(a[0]), get(a[1]))
    if op == "alpha_composite":
        return Image.alpha_composite(im, get(a[0]))
    if op == "paste":
        out = im.copy()
        out.paste(get(a[0]), (a[1], a[2]), None if a[3] == "-" else get(a[3]))
        return out
    if op == "paste_color":
        out = im.copy()
        out.paste(colour(a[0]), tuple(a[1:5]), None if a[5] == "-" else get(a[5]))
        return out
    if op == "paste_self":
        out = im.copy()
        out.paste(out, (a[0], a[1]))
        return out
    if op == "swapbands":
        return Image.merge(im.mode, im.split()[::-1])
    return None


def pillow_imageops(op, im, a, get):
    f = (lambda i: getattr(Image.Resampling, a[i]))
    if op == "mirror":
        return ImageOps.mirror(im)
    if op == "flip":
        return ImageOps.flip(im)
    if op == "grayscale":
        return ImageOps.grayscale(im)
    if op == "invert":
        return ImageOps.invert(im)
    if op == "posterize":
        return ImageOps.posterize(im, a[0])
    if op == "solarize":
        return ImageOps.solarize(im, a[0])
    if op == "autocontrast":
        return ImageOps.autocontrast(im, (a[0], a[1]), None if a[2] == "-" else a[2],
                                     preserve_tone=bool(a[3]))
    if op == "equalize":
        return ImageOps.equalize(im, None if a[0] == "-" else get(a[0]))
    if op == "colorize":
        mid = None if a[2] == "-" else colour(a[2])
        return ImageOps.colorize(im, colour(a[0]), colour(a[1]), mid, a[3], a[4], a[5])
    if op == "expand":
        return ImageOps.expand(im, tuple(a[0:4]), colour(a[4]) or 0)
    if op == "opcrop":
        return ImageOps.crop(im, tuple(a[0:4]))
    if op == "scale":
        return ImageOps.scale(im, a[0], f(1))
    if op == "contain":
        return ImageOps.contain(im, (a[0], a[1]), f(2))
    if op == "pad":
        return ImageOps.pad(im, (a[0], a[1]), f(2), colour(a[3]), (a[4], a[5]))
    if op == "fit":
        return ImageOps.fit(im, (a[0], a[1]), f(2), a[3], (a[4], a[5]))
    raise ValueError(f"unknown op {op}")


def pillow_result(in_dir, op, input_name, args):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = opened(in_dir, name)
        return cache[name]

    im = get(input_name)
    out = pillow_geometry(op, im, args, get)
    if out is not None or op in MEASURES:
        return out
    return pillow_imageops(op, im, args, get)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--work", required=True)
    opts = ap.parse_args()
    in_dir, out_dir = f"{opts.work}/in", f"{opts.work}/out"
    os.makedirs(in_dir, exist_ok=True)
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        os.remove(f"{out_dir}/{old}")

    cases = []
    for (name, w, h, mode) in make_inputs(in_dir):
        cases += geometry_cases(name, w, h, mode) + imageops_cases(name, w, h, mode)
    cases += decode_cases()
    named = [(f"c{i:04d}_{op}", op, inp, args) for i, (op, inp, args) in enumerate(cases)]
    with open(f"{opts.work}/cases.txt", "w") as fh:
        for (cname, op, inp, args) in named:
            fh.write(" ".join([cname, op, inp] + [str(v) for v in args]) + "\n")
    subprocess.run([opts.driver, f"{opts.work}/cases.txt", in_dir, out_dir], check=True)

    failures = 0
    stats = defaultdict(lambda: [0, 0, 0.0, 0])  # cases, max err, sum of mean errs, errors
    for (cname, op, inp, args) in named:
        what = f"{cname} {op} {inp} {args}"
        try:
            want = pillow_result(in_dir, op, inp, args)
            want_err = None
        except Exception as ex:  # Pillow refusing is a result to compare with
            want, want_err = None, f"{type(ex).__name__}: {ex}"
        if isinstance(want, Image.Image) and 0 in want.size:
            # vkeve images are at least 1x1, so an empty result is an error there.
            want, want_err = None, f"empty {want.size} result"
        if want_err is None and op in MEASURES:
            # a measurement: compare the numbers as text
            got_txt = f"{out_dir}/{cname}.txt"
            got_text = open(got_txt).read().split() if os.path.exists(got_txt) else ["missing"]
            want_text = ["None"] if want is None else [str(v) for v in want]
            if got_text != want_text:
                print(f"FAIL {what}: vkeve {' '.join(got_text)[:200]}, "
                      f"Pillow {' '.join(want_text)[:200]}")
                failures += 1
            continue
        got_png = f"{out_dir}/{cname}.png"
        got_err = f"{out_dir}/{cname}.err"
        st = stats[op]
        st[0] += 1
        if want_err is not None or os.path.exists(got_err):
            if want_err is None or not os.path.exists(got_err):
                err_text = open(got_err).read().strip() if os.path.exists(got_err) else "none"
                print(f"FAIL {what}: Pillow: {want_err or 'ok'}; vkeve error: {err_text}")
                failures += 1
            else:
                st[3] += 1
            continue
        got = Image.open(got_png)
        got.load()
        if got.mode != want.mode or got.size != want.size:
            print(f"FAIL {what}: vkeve {got.mode} {got.size}, Pillow {want.mode} {want.size}")
            failures += 1
            continue
        diff = np.abs(np.asarray(got, dtype=np.int32) - np.asarray(want, dtype=np.int32))
        worst = int(diff.max()) if diff.size else 0
        st[1] = max(st[1], worst)
        st[2] += float(diff.mean()) if diff.size else 0.0
        if worst > TOLERANCE.get(op, 0):
            bad = np.argwhere(diff > TOLERANCE.get(op, 0))
            print(f"FAIL {what}: max abs error {worst} at {bad[0].tolist()} "
                  f"({len(bad)} values over tolerance)")
            failures += 1

    print(f"{'op':<16} {'cases':>5} {'refused':>7} {'max_err':>7} {'mean_err':>9}")
    for op in sorted(stats):
        n, worst, mean_sum, refused = stats[op]
        compared = n - refused
        mean = mean_sum / compared if compared else 0.0
        print(f"{op:<16} {n:>5} {refused:>7} {worst:>7} {mean:>9.5f}")
    print(f"img_conformance: {len(named)} cases, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
