#!/usr/bin/python3
"""pillow_programs.py - how fast real Python + Pillow runs the program corpus, the baseline
for vkeve's interpreter (bench/bench_prog.c measures the C side on the same programs).

usage: /usr/bin/python3 bench/pillow_programs.py [--programs DIR] [--image PNG] [--repeat N]

Every program in tests/programs/*.py runs edit_image for its 4 args dicts on the 448x448
test image, in three ways, one JSON line each:
  warm        one warm process, programs exec'd in-process, results kept in memory
  warm_png    the same, and every result encoded as PNG in memory (EVE saves each case)
  spawn       one fresh `/usr/bin/python3 pil_exec.py` process per program that writes the
              four PNGs, as EVE's sandbox does (a new process per program)
Fields: bench, mode, programs, cases (cases that gave an image), seconds, programs_per_s, image.
"""
import argparse
import glob
import io
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
import pil_exec  # noqa: E402

PYTHON3 = "/usr/bin/python3"


def load_programs(directory):
    programs = []
    for path in sorted(glob.glob(os.path.join(directory, "*.py"))):
        with open(path, encoding="utf-8") as f:
            programs.append((path, f.read()))
    return programs


def run_warm(programs, image, encode):
    """Runs every program once in this process; returns the number of cases that gave an
    image (the corpus's error-conformance programs fail some cases on purpose)."""
    cases = 0
    for path, source in programs:
        failure, results = pil_exec.run_program(source, path, image)
        if failure:
            raise RuntimeError(f"{path}: {failure}")
        for _, out in results:
            if isinstance(out, pil_exec.Failure):
                continue
            if encode:
                out.save(io.BytesIO(), format="PNG")
            cases += 1
    return cases


def run_spawn(programs, image_path):
    cases = 0
    script = os.path.join(REPO, "tests", "reference", "pil_exec.py")
    with tempfile.TemporaryDirectory(prefix="vkeve-bench-") as outdir:
        for path, _ in programs:
            proc = subprocess.run([PYTHON3, script, path, image_path, outdir],
                                  capture_output=True, text=True)
            if proc.returncode not in (0, 1) or " ok " not in proc.stdout:
                raise RuntimeError(f"{path}: {proc.stdout.strip()} {proc.stderr.strip()}")
            cases += proc.stdout.count(" ok ")
    return cases


def report(mode, n_programs, cases, seconds, image):
    print(json.dumps({"bench": "pillow_programs", "mode": mode, "programs": n_programs,
                      "cases": cases, "seconds": round(seconds, 3),
                      "programs_per_s": round(n_programs / seconds, 1),
                      "image": f"{image.width}x{image.height}"}), flush=True)


def main():
    ap = argparse.ArgumentParser(description="Pillow baseline for the program corpus")
    ap.add_argument("--programs", default=os.path.join(REPO, "tests", "programs"))
    ap.add_argument("--image", default=os.path.join(REPO, "assets", "test_448.png"))
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus in the warm mode")
    opts = ap.parse_args()
    programs = load_programs(opts.programs)
    if not programs:
        sys.stderr.write(f"pillow_programs: no programs in {opts.programs}\n")
        return 2
    image = pil_exec.load_image(opts.image)
    run_warm(programs, image, False)  # warm-up: imports, caches
    for mode, encode, passes in (("warm", False, opts.repeat), ("warm_png", True, 1)):
        start = time.perf_counter()
        cases = sum(run_warm(programs, image, encode) for _ in range(passes))
        report(mode, len(programs) * passes, cases, time.perf_counter() - start, image)
    start = time.perf_counter()
    cases = run_spawn(programs, opts.image)
    report("spawn", len(programs), cases, time.perf_counter() - start, image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
