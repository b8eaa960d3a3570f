"""imgfx_conformance.py - checks vision/img_color, img_draw, img_filter and img_enhance
against Pillow (the oracle, Debian's python3-pil 9.4).

    /usr/bin/python3 imgfx_conformance.py DRIVER WORKDIR

Writes the case list, runs the C driver (tests/imgfx_driver.c) on it, redoes every case with
Pillow on the same input bytes and compares. Exact cases must match byte for byte; the
tolerance of the others is in TOLERANCE. Prints per-case and per-op max/mean abs error;
exits 1 on any mismatch beyond tolerance.
"""
import os
import random
import subprocess
import sys

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageEnhance, ImageFilter

# Max abs error allowed per op; everything not listed must be exact.
TOLERANCE = {}

SIZES = [(1, 1), (7, 5), (33, 21), (64, 48)]
MODES = ["L", "RGB", "RGBA"]
BUILTINS = ["BLUR", "CONTOUR", "DETAIL", "EDGE_ENHANCE", "EDGE_ENHANCE_MORE", "EMBOSS",
            "FIND_EDGES", "SHARPEN", "SMOOTH", "SMOOTH_MORE"]


def color_cases():
    specs = ["red", "Red", "LightGoldenRodYellow", "grey", "gray", "#f0a", "#F0A8", "#12ab3C",
             "#12ab3c80", "rgb(10,20,30)", "rgb(~10~,~20,30~)", "rgb(300,0,0)",
             "rgb(50%,100%,0%)", "rgba(1,2,3,4)", "hsl(120,100%,25%)", "hsl(0,200%,50%)",
             "hsl(359.5,37.5%,61.25%)", "hsv(200,50%,50%)", "hsb(45.,10%,90%)",
             "hsv(400,100%,100%)", "xyz", "#ff", "rgb(1,2)", "#12345", "rgb(1.5,2,3)",
             "hsl(1,2,3)", "notacolour"]
    cases = []
    for i, s in enumerate(specs):
        for mode in MODES:
            cases.append(f"color_{i}_{mode} {mode} 1 1 color ink=s:{s}")
    ints = [0, 1, 255, 256, -1, 0x102030, 0x7f102030, 300, -5]
    tuples = ["1,2,3", "1,2,3,4", "300,-4,5", "7", "1,2"]
    for i, v in enumerate(ints):
        for mode in MODES:
            cases.append(f"color_int{i}_{mode} {mode} 1 1 color ink=i:{v}")
    for i, t in enumerate(tuples):
        for mode in MODES:
            cases.append(f"color_tup{i}_{mode} {mode} 1 1 color ink=t:{t}")
    return cases


def ink_for(mode, rnd):
    if mode == "L":
        return rnd.choice(["s:red", "s:white", "i:77", "t:200"])
    return rnd.choice(["s:red", "s:#3366aa80", "t:10,200,30", "t:10,200,30,40", "s:navy"])


def coords(rnd, n, w, h, floats):
    out = []
    for _ in range(n):
        x = rnd.uniform(-0.3 * w, 1.3 * w)
        y = rnd.uniform(-0.3 * h, 1.3 * h)
        out += [round(x, 2), round(y, 2)] if floats else [int(x), int(y)]
    return out


def box(rnd, w, h):
    x0, y0 = rnd.randint(-w // 4, w), rnd.randint(-h // 4, h)
    b = [x0, y0, x0 + rnd.randint(0, w), y0 + rnd.randint(0, h)]
    if rnd.random() < 0.4:  # fractional corners, negative ones too (truncated toward zero)
        b = [round(v + rnd.uniform(-0.99, 0.99), 2) for v in b]
    return b


def draw_cases():
    rnd = random.Random(1234)
    cases = []
    for (w, h) in [(33, 21), (64, 48)]:
        for mode in MODES:
            for i in range(12):
                tag = f"{w}x{h}_{mode}_{i}"
                fill, outline = ink_for(mode, rnd), ink_for(mode, rnd)
                if i % 4 == 3:
                    fill = "-"
                if i % 5 == 4:
                    outline = "-"
                width = rnd.choice([0, 1, 1, 2, 3, 5])
                b = ",".join(map(str, box(rnd, w, h)))
                common = f"fill={fill} outline={outline} width={width}"
                cases.append(f"rect_{tag} {mode} {w} {h} rectangle xy={b} {common}")
                cases.append(f"ellipse_{tag} {mode} {w} {h} ellipse xy={b} {common}")
                pts = coords(rnd, rnd.randint(2, 7), w, h, i % 2 == 0)
                p = ",".join(map(str, pts))
                cases.append(f"polygon_{tag} {mode} {w} {h} polygon xy={p} {common}")
                lw = rnd.choice([0, 1, 2, 3, 4, 7, 10])
                pts = coords(rnd, rnd.randint(1, 5), w, h, i % 2 == 1)
                p = ",".join(map(str, pts))
                cases.append(f"line_{tag} {mode} {w} {h} line xy={p} fill={fill} width={lw}")
                cases.append(f"point_{tag} {mode} {w} {h} point xy={p} fill={fill}")
                start = rnd.choice([0, 30, -45, 90, 135.5, 200, 359, 400])
                end = start + rnd.choice([0, 10, 45, 89, 90, 120, 180, 270, 300, 360, -30])
                angles = f"start={start} end={end}"
                cases.append(f"arc_{tag} {mode} {w} {h} arc xy={b} {angles} fill={fill} "
                             f"width={width}")
                cases.append(f"chord_{tag} {mode} {w} {h} chord xy={b} {angles} {common}")
                cases.append(f"pieslice_{tag} {mode} {w} {h} pieslice xy={b} {angles} {common}")
                radius = rnd.choice([0, 1, 2.5, 4, 7, 30])
                cases.append(f"rounded_{tag} {mode} {w} {h} rounded_rectangle xy={b} "
                             f"radius={radius} {common}")
    # Shapes that exercise Pillow's special cases: corners, horizontal runs, thin ellipses.
    special = [
        "polygon xy=2,2,30,2,30,18,2,18 fill=s:red",
        "polygon xy=2,2,10,2,20,2,20,10,10,10,2,10 fill=s:red outline=s:blue",
        "polygon xy=16,1,31,10,16,19,1,10 fill=s:red outline=s:blue width=3",
        "polygon xy=5,5,25,15 fill=s:red",
        "polygon xy=3,3,28,5,15,19 outline=s:green width=4",
        "ellipse xy=3,3,3,15 fill=s:red",
        "ellipse xy=2,2,30,4 fill=s:red outline=s:blue width=2",
        "ellipse xy=0,0,32,20 outline=s:blue width=30",
        "rectangle xy=20,15,4,3 fill=s:red outline=s:blue width=2",
        "rectangle xy=4.9,3.9,20.2,15.99 fill=s:red",
        "line xy=2,2,30,19,2,19,30,2 fill=s:red width=5",
        "line xy=16,10,16,10 fill=s:red width=6",
        "rectangle xy=2,2,30,18",
        "ellipse xy=2,2,30,18 fill=s:red outline=s:red width=3",
        "arc xy=2,2,30,18 start=10 end=100 fill=s:red width=4",
        "arc xy=2,2,14,18 start=-30 end=250 fill=s:red width=2",
        "pieslice xy=2,2,30,18 start=45 end=60 fill=s:red outline=s:blue width=3",
        "pieslice xy=20,15,4,3 start=45 end=160 outline=s:blue width=3",
        "chord xy=2,2,30,18 start=200 end=520 fill=s:red outline=s:blue width=2",
        "rounded_rectangle xy=2.5,2,30,18.7 radius=5.5 fill=s:red outline=s:blue width=2",
        "rounded_rectangle xy=2,2,12,18 radius=9 fill=s:red outline=s:blue",
        "rounded_rectangle xy=2,2,30,6 radius=3 outline=s:blue width=2",
    ]
    for mode in MODES:
        for i, s in enumerate(special):
            cases.append(f"special{i}_{mode} {mode} 33 21 {s}")
    for mode in MODES:
        for i in range(12):
            fill, outline = ink_for(mode, rnd), ink_for(mode, rnd)
            fill = "-" if i % 4 == 3 else fill
            cx, cy = round(rnd.uniform(-5, 70), 1), round(rnd.uniform(-5, 50), 1)
            r = rnd.choice([0.5, 3, 10, 17.25, 40])
            sides, rot = rnd.randint(3, 12), rnd.choice([0, 15, 45, 90.5, -30, 400])
            cases.append(f"regular{i}_{mode} {mode} 64 48 regular_polygon xy={cx},{cy} r={r} "
                         f"sides={sides} rotation={rot} fill={fill} outline={outline}")
    # floodfill on the noisy input: thresholds decide the region; border mode; odd seeds.
    values = {"L": ("i:250", "i:7"), "RGB": ("t:250,0,10", "t:1,2,3"),
              "RGBA": ("t:250,0,10,255", "t:1,2,3,4")}
    for mode in MODES:
        value, border = values[mode]
        for i, (seed, thresh) in enumerate([("10,10", 0), ("20,30", 40), ("5,40", 120),
                                            ("60,2", 400), ("-3,5", 90), ("70,5", 50)]):
            cases.append(f"flood{i}_{mode} {mode} 64 48 floodfill xy={seed} fill={value} "
                         f"thresh={thresh}")
        cases.append(f"floodb_{mode} {mode} 64 48 floodfill xy=30,20 fill={value} "
                     f"outline={border}")
    for i, (seed, value) in enumerate([("12,40", "i:0"), ("40,10", "i:128"), ("-1,-1", "i:0")]):
        cases.append(f"floodl{i} L 64 48 floodfill xy={seed} fill={value} thresh=30")
    # line(joint="curve"): random polylines, widths around the 4 and 8 thresholds.
    for mode in MODES:
        for i in range(10):
            pts = ",".join(map(str, coords(rnd, rnd.randint(3, 6), 64, 48, i % 2 == 0)))
            fill = "-" if i == 9 else ink_for(mode, rnd)
            width = [5, 8, 9, 12, 17][i % 5]
            cases.append(f"joint{i}_{mode} {mode} 64 48 line xy={pts} fill={fill} "
                         f"width={width} joint=curve")
    # ImageDraw.Draw(im, "RGBA") on RGB: every shape blended, translucent and opaque inks.
    for i, s in enumerate(special):
        s = s.replace("s:red", "s:#ff000080").replace("s:blue", "t:0,0,255,200")
        cases.append(f"blend{i} RGB 33 21 {s} blend=1")
    for case in [c for c in cases if c.split()[1] == "RGB" and c.startswith(
            ("rect_", "ellipse_", "polygon_", "line_", "point_", "arc_", "chord_", "pieslice_",
             "rounded_"))]:
        cases.append("blend_" + case.replace("s:red", "s:#ff000060") + " blend=1")
    return cases


def image_cases():
    cases = []
    for (w, h) in SIZES:
        for mode in MODES:
            tag = f"{w}x{h}_{mode}"
            for name in BUILTINS:
                cases.append(f"filter_{name}_{tag} {mode} {w} {h} filter name={name}")
            for r in [0, 0.5, 1, 2.7, 9]:
                cases.append(f"boxblur_{r}_{tag} {mode} {w} {h} boxblur radius={r}")
                cases.append(f"gaussian_{r}_{tag} {mode} {w} {h} gaussian radius={r}")
            cases.append(f"unsharp_{tag} {mode} {w} {h} unsharp radius=2 percent=150 threshold=3")
            cases.append(f"unsharp2_{tag} {mode} {w} {h} unsharp radius=1.3 percent=300 "
                         "threshold=0")
            for kind in ["median", "min", "max"]:
                for size in [1, 3, 5]:
                    cases.append(f"rank_{kind}{size}_{tag} {mode} {w} {h} rank kind={kind} "
                                 f"size={size}")
            for size, rank in [(3, 2), (5, 20), (5, 25), (7, 0), (4, 1)]:
                cases.append(f"rankn{size}_{rank}_{tag} {mode} {w} {h} rankfilter "
                             f"size={size} rank={rank}")
            for size in [0, 2, 3, 4, 7]:
                cases.append(f"mode{size}_{tag} {mode} {w} {h} modefilter size={size}")
            for kind in ["Brightness", "Contrast", "Color", "Sharpness"]:
                for f in [0, 0.35, 1, 1.7, -0.5]:
                    cases.append(f"enhance_{kind}_{f}_{tag} {mode} {w} {h} enhance "
                                 f"kind={kind} factor={f}")
            for a in [0.25, 0.8, 1.6, -0.3, 1e30, float("inf"), float("nan")]:
                cases.append(f"blend_{a}_{tag} {mode} {w} {h} blend alpha={a}")
            cases.append(f"kernel_{tag} {mode} {w} {h} kernel size=3 k=1,-2,3,0,5,1,-1,2,1 "
                         "scale=0 offset=7")
            # weights summing to 0 with the default scale: Pillow divides by zero
            cases.append(f"kernel0_{tag} {mode} {w} {h} kernel size=3 "
                         "k=-1,-1,-1,-1,8,-1,-1,-1,-1 scale=0 offset=0")
            cases.append(f"kernel5_{tag} {mode} {w} {h} kernel size=5 "
                         "k=1,2,3,2,1,0,1,0,1,0,-1,-2,9,-2,-1,0,1,0,1,0,1,2,3,2,1 "
                         "scale=3.5 offset=-3")
    # One large image per mode: the table-driven blend and the unclamped blur interior only
    # run on images this big.
    for mode in MODES:
        tag = f"448x300_{mode}"
        for kind in ["Brightness", "Contrast", "Color", "Sharpness"]:
            cases.append(f"enhance_{kind}_big_{tag} {mode} 448 300 enhance kind={kind} factor=1.37")
        cases.append(f"blend_big_{tag} {mode} 448 300 blend alpha=-0.45")
        cases.append(f"gaussian_big_{tag} {mode} 448 300 gaussian radius=3.3")
        cases.append(f"filter_big_{tag} {mode} 448 300 filter name=SMOOTH_MORE")
        cases.append(f"rank_big_{tag} {mode} 448 300 rank kind=median size=5")
    return cases


def parse_case(line):
    parts = line.split()
    name, mode, w, h, op = parts[:5]
    args = dict(p.split("=", 1) for p in parts[5:])
    return name, mode, int(w), int(h), op, args


def pillow_ink(text):
    if text is None or text == "-":
        return None
    kind, value = text[:2], text[2:]
    if kind == "s:":
        return value.replace("~", " ")
    if kind == "i:":
        return int(value)
    return tuple(int(float(v)) for v in value.split(","))


def numbers(text):
    return [float(v) for v in text.split(",") if v]


def pillow_draw(im, op, args):
    d = ImageDraw.Draw(im, "RGBA" if args.get("blend") == "1" else None)
    xy = numbers(args.get("xy", ""))
    pts = [(xy[i], xy[i + 1]) for i in range(0, len(xy) - 1, 2)]
    fill, outline = pillow_ink(args.get("fill")), pillow_ink(args.get("outline"))
    width = int(float(args.get("width", 1)))
    if op in ("rectangle", "ellipse", "polygon"):
        getattr(d, op)(pts, fill=fill, outline=outline, width=width)
    elif op == "rounded_rectangle":
        d.rounded_rectangle(pts, float(args.get("radius", 0)), fill=fill, outline=outline,
                            width=width)
    elif op in ("chord", "pieslice"):
        getattr(d, op)(pts, float(args["start"]), float(args["end"]), fill=fill, outline=outline,
                       width=width)
    elif op == "arc":
        d.arc(pts, float(args["start"]), float(args["end"]), fill=fill, width=width)
    elif op == "line":
        d.line(pts, fill=fill, width=int(float(args.get("width", 0))), joint=args.get("joint"))
    elif op == "point":
        d.point(pts, fill=fill)
    elif op == "floodfill":
        ImageDraw.floodfill(im, (int(xy[0]), int(xy[1])), fill, border=outline,
                            thresh=int(args.get("thresh", 0)))
    elif op == "regular_polygon":
        r = float(args["r"])
        d.regular_polygon((xy[0], xy[1], int(r) if r.is_integer() else r), int(args["sides"]),
                          float(args.get("rotation", 0)), fill=fill, outline=outline)
    else:
        raise ValueError(f"unknown op {op}")
    return im


def pillow_image_op(im, op, args):
    if op == "filter":
        return im.filter(getattr(ImageFilter, args["name"]))
    if op == "kernel":
        size = int(args["size"])
        scale = float(args["scale"]) or None
        return im.filter(ImageFilter.Kernel((size, size), numbers(args["k"]), scale,
                                            float(args["offset"])))
    if op == "gaussian":
        return im.filter(ImageFilter.GaussianBlur(float(args["radius"])))
    if op == "boxblur":
        return im.filter(ImageFilter.BoxBlur(float(args["radius"])))
    if op == "unsharp":
        return im.filter(ImageFilter.UnsharpMask(float(args["radius"]), int(args["percent"]),
                                                 int(args["threshold"])))
    if op == "rank":
        cls = {"median": ImageFilter.MedianFilter, "min": ImageFilter.MinFilter,
               "max": ImageFilter.MaxFilter}[args["kind"]]
        return im.filter(cls(int(args["size"])))
    if op == "rankfilter":
        return im.filter(ImageFilter.RankFilter(int(args["size"]), int(args["rank"])))
    if op == "modefilter":
        return im.filter(ImageFilter.ModeFilter(int(args["size"])))
    if op == "enhance":
        return getattr(ImageEnhance, args["kind"])(im).enhance(float(args["factor"]))
    if op == "blend":
        flipped = Image.frombytes(im.mode, im.size, im.tobytes()[::-1])
        return Image.blend(im, flipped, float(args["alpha"]))
    return pillow_draw(im, op, args)


def pillow_color(mode, args):
    im = Image.new(mode, (1, 1))
    value = pillow_ink(args["ink"])
    if isinstance(value, str):
        value = ImageColor.getcolor(value, mode)
    ink = ImageDraw.Draw(im).draw.draw_ink(value)
    return (ink & 0xFFFFFFFF).to_bytes(4, "little")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def compare_case(line, work):
    name, mode, w, h, op, args = parse_case(line)
    base = os.path.join(work, name)
    got_err = read(base + ".err").decode() if os.path.exists(base + ".err") else None
    try:
        if op == "color":
            want = pillow_color(mode, args)
        else:
            im = Image.frombytes(mode, (w, h), read(base + ".in"))
            want = pillow_image_op(im, op, args).tobytes()
        want_err = None
    except (ValueError, TypeError) as ex:
        want, want_err = None, str(ex)
    if want_err is not None or got_err is not None:
        ok = want_err is not None and got_err is not None
        if ok and op == "color" and "color specifier" in want_err:
            ok = want_err == got_err
        return ok, None, f"error: pillow={want_err!r} ours={got_err!r}"
    got = read(base + ".out")
    a = np.frombuffer(got, np.uint8).astype(np.int32)
    b = np.frombuffer(want, np.uint8).astype(np.int32)
    if a.shape != b.shape:
        return False, None, f"size {a.shape} != {b.shape}"
    diff = np.abs(a - b)
    stats = (int(diff.max()), float(diff.mean()), int(np.count_nonzero(diff)))
    ok = stats[0] <= TOLERANCE.get(op, 0)
    return ok, stats, f"max {stats[0]} mean {stats[1]:.4f} differing {stats[2]}/{diff.size}"


def main():
    driver, work = sys.argv[1], sys.argv[2]
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    os.makedirs(work, exist_ok=True)
    for old in os.listdir(work):
        if old.endswith((".in", ".out", ".err")):
            os.remove(os.path.join(work, old))
    cases = [c for c in color_cases() + draw_cases() + image_cases() if only in c]
    case_file = os.path.join(work, "cases.txt")
    with open(case_file, "w") as f:
        f.write("\n".join(cases) + "\n")
    subprocess.run([driver, case_file, work], check=True)
    per_op, failures = {}, 0
    for line in cases:
        ok, stats, text = compare_case(line, work)
        name, op = line.split()[0], line.split()[4]
        if not ok:
            failures += 1
            print(f"FAIL {name}: {text}")
        agg = per_op.setdefault(op, [0, 0, 0.0, 0])
        agg[0] += 1
        if stats:
            agg[1] = max(agg[1], stats[0])
            agg[2] += stats[1]
            agg[3] += 1
    for op, (n, mx, mean_sum, nstats) in sorted(per_op.items()):
        mean = mean_sum / nstats if nstats else 0.0
        print(f"op {op:18s} cases {n:4d} max_abs_err {mx:3d} mean_abs_err {mean:.5f} "
              f"tolerance {TOLERANCE.get(op, 0)}")
    print(f"{len(cases) - failures}/{len(cases)} cases match")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
