#!/usr/bin/python3
"""compare_programs.py - the program conformance test: runs every corpus program with
`vkeve exec` and with real Pillow (pil_exec.py, in-process) on each test image and compares
the results case by case.

usage: /usr/bin/python3 compare_programs.py [--vkeve PATH] [--programs DIR] [--image PNG]...
                                            [--lint] [-k SUBSTRING] [--keep DIR] [-j N]
       /usr/bin/python3 compare_programs.py --selftest

  --vkeve PATH    the vkeve binary (default: $VKEVE_BIN)
  --programs DIR  where the NNN_name.py programs are (default: tests/programs; pending/ inside
                  it is not read)
  --image PNG     an input image; repeatable (default: assets/test_448.png and
                  assets/test_333x250.png)
  --lint          check only the corpus itself with Pillow (no vkeve needed): every program
                  has a conformance header, keeps to the subset (no class, try, global,
                  yield, set literals, .save; `args_list = [...]` last, with no names in it),
                  runs under the
                  restricted namespace, gives 4
                  cases with distinct args and visually distinct images (EVE's pHash rule) of
                  an EVE-valid size (4096..1048576 pixels)
  -k SUBSTRING    only programs whose file name contains SUBSTRING
  --keep DIR      keep vkeve's outputs (caseN.png) in DIR/<program>/<image>/ instead of a
                  temp dir, with Pillow's beside them (pillowN.png)
  -j N            programs checked at once (default 2)
  --selftest      checks that this comparison can fail: runs it against a stand-in for vkeve
                  that is Pillow itself, once faithful (must pass) and once per kind of defect
                  (one pixel off by 3, a wrong size, a wrong mode, a wrong args repr, a failed
                  case, a crash, a wrong error line or kind: each must fail)

Each program declares how closely vkeve must match in a comment line near its top:
    # conformance: exact              every pixel equal
    # conformance: max=2 mean=0.1     max abs channel difference <= 2 and mean abs <= 0.1
    # conformance: exact fails=1,3    ... and cases 1 and 3 must fail, in Python and in vkeve,
                                      with the same exception kind on the same line
max/mean are over every channel value of every case of every image. In every class the
size, the mode, the ok/fail status and the args repr of each case must match exactly.

Prints one line per program (PASS/FAIL, tolerance, worst max and mean abs error, and the
reason of a failure) and a summary; the exit status is 1 if any program fails, 2 on bad usage.
"""
import argparse
import ast
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pil_exec  # noqa: E402  (the reference lives beside this script)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_IMAGES = [os.path.join(REPO, "assets", "test_448.png"),
                  os.path.join(REPO, "assets", "test_333x250.png")]
HEADER = re.compile(r"^#\s*conformance:\s*(.*?)\s*$")
SPEC = re.compile(r"^(?:exact|max=(\d+)\s+mean=(\d+(?:\.\d+)?))(?:\s+fails=(\d(?:,\d)*))?$")
CASE_LINE = re.compile(r"^case(\d+) (ok|fail) (.*)$")
OK_REST = re.compile(r"^(\d+)x(\d+) (\S+) (.*)$")
MIN_PIXELS, MAX_PIXELS = 4096, 1048576
VKEVE_TIMEOUT_S = 120


class Mismatch(Exception):
    """A difference between vkeve and Pillow (or a defect of the corpus) for one program."""


def parse_spec(source, name):
    """Returns (max_abs, mean_abs, failing case indices) from the `# conformance:` line among
    the leading comments."""
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if not m:
            continue
        t = SPEC.match(m.group(1))
        if not t:
            raise Mismatch(f"{name}: bad conformance header '{line}'")
        fails = {int(i) for i in t.group(3).split(",")} if t.group(3) else set()
        if t.group(1) is None:
            return 0, 0.0, fails
        return int(t.group(1)), float(t.group(2)), fails
    raise Mismatch(f"{name}: no '# conformance: ...' line in the leading comments")


FORBIDDEN_NODES = {"ClassDef": "class", "Try": "try/except", "Global": "global",
                   "Nonlocal": "nonlocal", "Yield": "yield", "YieldFrom": "yield from",
                   "Set": "a set literal", "SetComp": "a set comprehension",
                   "AsyncFunctionDef": "async def", "Await": "await"}


def lint_source(name, source):
    """Raises Mismatch if the program steps outside the language subset of the corpus (the
    restricted namespace of pil_exec catches imports and unknown builtins at run time; this
    catches what Python would run anyway)."""
    for node in ast.walk(ast.parse(source, name)):
        kind = type(node).__name__
        if kind in FORBIDDEN_NODES:
            raise Mismatch(f"{name}: line {node.lineno}: {FORBIDDEN_NODES[kind]} is outside the subset")
        if isinstance(node, ast.Attribute) and (node.attr == "save" or node.attr.startswith("__")):
            raise Mismatch(f"{name}: line {node.lineno}: .{node.attr} is outside the subset")
    body = ast.parse(source).body
    last = body[-1] if body else None
    if not (isinstance(last, ast.Assign) and [t.id for t in last.targets if isinstance(t, ast.Name)] == ["args_list"]
            and isinstance(last.value, ast.List)):
        raise Mismatch(f"{name}: the last statement must be `args_list = [...]` (EVE evaluates it as a literal)")
    for node in ast.walk(last.value):
        if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Lambda)):
            raise Mismatch(f"{name}: line {node.lineno}: args_list must be literals and arithmetic "
                           "(EVE evals it outside the program, where no names exist)")


def phash(im):
    """EVE's duplicate detector (imagehash.phash): 32x32 LANCZOS grey, 2-D DCT-II, top-left
    8x8 block compared with its median. Returns 64 booleans."""
    a = np.asarray(im.convert("L").resize((32, 32), Image.LANCZOS), dtype=np.float64)
    n = np.arange(32)
    dct = np.cos(np.pi * (2 * n[None, :] + 1) * n[:, None] / 64.0)
    low = (dct @ a @ dct.T)[:8, :8]
    return (low > np.median(low)).flatten()


def similar_size(a, b):
    return (min(a.width, b.width) / max(a.width, b.width) >= 0.95
            and min(a.height, b.height) / max(a.height, b.height) >= 0.95)


def lint_cases(name, failure, cases, fails):
    """Raises Mismatch unless Pillow ran the program into 4 EVE-valid, distinct results
    (except the cases in `fails`, which must fail)."""
    if failure:
        raise Mismatch(f"{name}: Pillow: program fail {failure}")
    if len(cases) != 4:
        raise Mismatch(f"{name}: args_list has {len(cases)} entries, not 4")
    for i, (_, result) in enumerate(cases):
        failed = isinstance(result, pil_exec.Failure)
        if failed != (i in fails):
            raise Mismatch(f"{name}: Pillow: case{i} " + (f"fail {result}" if failed else
                                                          "ran, but the header says it fails"))
        if failed:
            continue
        if result.mode not in ("L", "RGB", "RGBA"):
            raise Mismatch(f"{name}: case{i} gives mode {result.mode}, vkeve has L/RGB/RGBA only")
        if not MIN_PIXELS <= result.width * result.height <= MAX_PIXELS:
            raise Mismatch(f"{name}: case{i} size {result.size} is outside EVE's pixel limits")
    if len({args for args, _ in cases}) != 4:
        raise Mismatch(f"{name}: the 4 args dicts are not distinct")
    ok = [i for i in range(4) if i not in fails]
    for i in ok:
        for j in (j for j in ok if j > i):
            a, b = cases[i][1], cases[j][1]
            if similar_size(a, b) and (phash(a) == phash(b)).all():
                raise Mismatch(f"{name}: case{i} and case{j} look the same (equal pHash)")


def run_vkeve(vkeve, program, image, outdir):
    """Runs `vkeve exec` and returns its case lines as {index: (status, rest)}."""
    try:
        proc = subprocess.run([vkeve, "exec", program, image, "--out", outdir],
                              capture_output=True, text=True, timeout=VKEVE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Mismatch(f"vkeve exec did not finish in {VKEVE_TIMEOUT_S} s")
    if proc.returncode not in (0, 1):
        raise Mismatch(f"vkeve exec exited with {proc.returncode}: {diagnosis(proc)}")
    if "runtime error:" in proc.stderr or "Sanitizer" in proc.stderr:
        raise Mismatch(f"vkeve exec: sanitizer report: {diagnosis(proc)}")
    lines = {}
    for line in proc.stdout.splitlines():
        m = CASE_LINE.match(line)
        if m:
            lines[int(m.group(1))] = (m.group(2), m.group(3))
    if not lines:
        raise Mismatch(f"vkeve exec printed no case lines: {diagnosis(proc)}")
    return lines


def diagnosis(proc):
    """The most telling line of what a failed run printed: a sanitizer's report line if there
    is one (its stack trace ends with uninformative frames), else the last lines."""
    text = (proc.stderr or "") + (proc.stdout or "")
    for line in text.splitlines():
        if "runtime error:" in line or "ERROR: " in line:
            return line.strip()
    return " | ".join(text.strip().splitlines()[-2:])


def compare_case(i, args_repr, expected, got, outdir):
    """Returns (max_abs, mean_abs) of one case, or raises Mismatch."""
    if got is None:
        raise Mismatch(f"case{i}: vkeve printed no line for it")
    status, rest = got
    if isinstance(expected, pil_exec.Failure):
        prefix = f"{expected.kind} line {expected.line}:"
        if status != "fail" or not rest.startswith(prefix):
            raise Mismatch(f"case{i}: vkeve: {status} {rest}; Python: {expected}")
        return 0, 0.0
    if status != "ok":
        raise Mismatch(f"case{i}: vkeve: {rest}")
    m = OK_REST.match(rest)
    if not m:
        raise Mismatch(f"case{i}: cannot parse vkeve's line '{rest}'")
    if m.group(4) != args_repr:
        raise Mismatch(f"case{i}: args repr {m.group(4)} != Python's {args_repr}")
    with Image.open(os.path.join(outdir, f"case{i}.png")) as f:
        f.load()
        out = f.copy()
    if out.size != expected.size or out.mode != expected.mode:
        raise Mismatch(f"case{i}: vkeve gives {out.size[0]}x{out.size[1]} {out.mode}, "
                       f"Pillow {expected.size[0]}x{expected.size[1]} {expected.mode}")
    if (int(m.group(1)), int(m.group(2)), m.group(3)) != (out.width, out.height, out.mode):
        raise Mismatch(f"case{i}: vkeve's line says {rest.split(' ')[0]} {m.group(3)}, "
                       f"its PNG is {out.width}x{out.height} {out.mode}")
    diff = np.abs(np.asarray(out, dtype=np.int16) - np.asarray(expected, dtype=np.int16))
    return int(diff.max()), float(diff.mean())


def check_program(path, images, vkeve, keep):
    """Returns (tolerance text, worst max, worst mean); raises Mismatch on any failure."""
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        source = f.read()
    tol_max, tol_mean, fails = parse_spec(source, name)
    lint_source(name, source)
    worst_max, worst_mean = 0, 0.0
    for image_path in images:
        image = pil_exec.load_image(image_path)
        failure, cases = pil_exec.run_program(source, path, image)
        lint_cases(name, failure, cases, fails)
        if vkeve is None:
            continue
        label = os.path.splitext(os.path.basename(image_path))[0]
        if keep:
            outdir = os.path.join(keep, os.path.splitext(name)[0], label)
            os.makedirs(outdir, exist_ok=True)
            for i, (_, expected) in enumerate(cases):
                if not isinstance(expected, pil_exec.Failure):
                    expected.save(os.path.join(outdir, f"pillow{i}.png"))
        else:
            outdir = tempfile.mkdtemp(prefix="vkeve-prog-")
        try:
            got = run_vkeve(vkeve, path, image_path, outdir)
            for i, (args_repr, expected) in enumerate(cases):
                try:
                    mx, mean = compare_case(i, args_repr, expected, got.get(i), outdir)
                except Mismatch as exc:
                    raise Mismatch(f"{label}: {exc}")
                worst_max, worst_mean = max(worst_max, mx), max(worst_mean, mean)
            if len(got) != len(cases):
                raise Mismatch(f"{label}: vkeve ran {len(got)} cases, Pillow {len(cases)}")
        finally:
            if not keep:
                shutil.rmtree(outdir, ignore_errors=True)
        if worst_max > tol_max or worst_mean > tol_mean:
            raise Mismatch(f"{label}: error max={worst_max} mean={worst_mean:.4f} is over "
                           f"the tolerance max={tol_max} mean={tol_mean}")
    tol = "exact" if tol_max == 0 else f"max={tol_max} mean={tol_mean}"
    if fails:
        tol += " fails=" + ",".join(str(i) for i in sorted(fails))
    return tol, worst_max, worst_mean


FAKE_VKEVE = """#!/usr/bin/python3
# A stand-in for `vkeve exec PROGRAM IMAGE --out DIR` made of Pillow, with one injected defect.
import os, sys
sys.path.insert(0, {refdir!r})
import pil_exec
defect = {defect!r}
program, image_path, outdir = sys.argv[2], sys.argv[3], sys.argv[5]
if defect == "crash":
    os.abort()
failure, cases = pil_exec.run_program(open(program).read(), program, pil_exec.load_image(image_path))
for i, (args_repr, out) in enumerate(cases):
    hit = i == 0 and not isinstance(out, pil_exec.Failure)
    if hit and defect == "pixel":
        px = out.load()
        px[1, 1] = tuple((v + 3) % 256 for v in px[1, 1]) if out.mode != "L" else (px[1, 1] + 3) % 256
    if hit and defect == "size":
        out = out.crop((0, 0, out.width - 1, out.height))
    if hit and defect == "mode":
        out = out.convert("RGBA" if out.mode != "RGBA" else "RGB")
    if hit and defect == "args":
        args_repr = args_repr.replace("'", '"')
    if hit and defect == "fail":
        out = pil_exec.Failure("TypeError", 3, "injected")
    if defect == "errline" and isinstance(out, pil_exec.Failure):
        out = pil_exec.Failure(out.kind, out.line + 1, out.message)
    if defect == "errkind" and isinstance(out, pil_exec.Failure):
        out = pil_exec.Failure("RuntimeError", out.line, out.message)
    if not isinstance(out, pil_exec.Failure):
        out.save(os.path.join(outdir, "case%d.png" % i))
    print(pil_exec.case_line(i, args_repr, out))
"""


def selftest(programs_dir):
    """Returns 0 when the faithful stand-in passes and every defective one fails."""
    images = DEFAULT_IMAGES[1:]
    ok = True
    with tempfile.TemporaryDirectory(prefix="vkeve-selftest-") as tmp:
        for defect in ("none", "pixel", "size", "mode", "args", "fail", "crash", "errline", "errkind"):
            names = ["111_errors_language.py"] if defect.startswith("err") else \
                ["005_jigsaw_3x3.py", "036_point_gamma.py", "113_errors_from_pillow.py"]
            programs = [os.path.join(programs_dir, n) for n in names]
            fake = os.path.join(tmp, "vkeve-" + defect)
            with open(fake, "w") as f:
                f.write(FAKE_VKEVE.format(refdir=os.path.dirname(os.path.abspath(__file__)),
                                          defect=defect))
            os.chmod(fake, 0o755)
            for path in programs:
                try:
                    check_program(path, images, fake, None)
                    outcome = "passes"
                except Mismatch as exc:
                    outcome = f"fails ({exc})"
                expected = "passes" if defect == "none" else "fails"
                good = outcome.startswith(expected)
                ok = ok and good
                print(f"{'ok  ' if good else 'BAD '} defect={defect:6s} {os.path.basename(path)}: {outcome}")
    print("selftest: " + ("the comparison detects every injected defect" if ok else "FAILED"))
    return 0 if ok else 1


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vkeve", default=os.environ.get("VKEVE_BIN"))
    ap.add_argument("--programs", default=os.path.join(REPO, "tests", "programs"))
    ap.add_argument("--image", action="append", dest="images")
    ap.add_argument("--lint", action="store_true")
    ap.add_argument("-k", dest="pattern", default="")
    ap.add_argument("--keep")
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("-j", dest="jobs", type=int, default=2)
    opts = ap.parse_args(argv[1:])
    if opts.selftest:
        return selftest(opts.programs)
    vkeve = None if opts.lint else opts.vkeve
    if not opts.lint and not (vkeve and os.access(vkeve, os.X_OK)):
        sys.stderr.write("compare_programs: no vkeve binary: pass --vkeve PATH or set VKEVE_BIN\n")
        return 2
    programs = sorted(p for p in glob.glob(os.path.join(opts.programs, "*.py"))
                      if opts.pattern in os.path.basename(p))
    if not programs:
        sys.stderr.write(f"compare_programs: no programs in {opts.programs}\n")
        return 2
    images = opts.images or DEFAULT_IMAGES
    failed = []

    def verdict(path):
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            tol, mx, mean = check_program(path, images, vkeve, opts.keep)
            return name, f"PASS {name:34s} {tol:18s} max={mx:<3d} mean={mean:.4f}"
        except Mismatch as exc:
            return name, f"FAIL {name:34s} {exc}"

    # vkeve runs in child processes, so threads overlap them with Pillow's work here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        for name, line in pool.map(verdict, programs):
            if line.startswith("FAIL"):
                failed.append(name)
            print(line, flush=True)
    what = "lint" if opts.lint else "conformance"
    print(f"{what}: {len(programs) - len(failed)} of {len(programs)} programs pass on "
          f"{len(images)} images" + (f"; failing: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
