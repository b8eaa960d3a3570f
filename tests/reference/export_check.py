#!/usr/bin/python3
"""export_check.py - `vkeve export DIR --format eve-jsonl OUT` against EVE's solver-data format.

export_fixture writes batch files; this script reads them with the Python reader
(tools/python/vkeve_batch, not the C reader the exporter uses), works out what EVE's
gen_S_data_from_C.py would write for the tasks marked for solver training, and checks OUT:
valid JSON per line; data_source "C"; one user turn "<image>" x n, a newline, the question;
images that exist, decode with Pillow and are the batch's bytes (by SHA-256), each written
once; ground truths; only the selected tasks, nearest pass rate 0.5 first with ties in batch
order; the same output when run again; and the documented exit statuses for bad input.
Run by ctest (tests/export.cmake) with EXPORT_FIXTURE, VKEVE_BIN and PYTHONPATH set.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

import vkeve_batch

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def vkeve(*args):
    p = subprocess.run([os.environ["VKEVE_BIN"], *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expected_records(batch_dir):
    """(distance, order, task, image sha256s) of every selected task, in EVE's ranking."""
    recs = []
    for f in vkeve_batch.read_dir(batch_dir, on_error="raise"):
        for i, t in enumerate(f.tasks):
            if t.for_solver:
                shas = [f.images[k].sha256.hex() for k in t.images]
                recs.append((abs(t.pass_rate - 0.5), len(recs), t, shas, f))
    recs.sort(key=lambda r: (r[0], r[1]))
    return recs


def check_line(i, got, want):
    _, _, t, shas, f = want
    check(got["data_source"] == "C", f"line {i}: data_source {got['data_source']!r}")
    content = "<image>" * len(shas) + "\n" + t.question
    check(got["prompt"] == [{"role": "user", "content": content}], f"line {i}: prompt")
    check(got["reward_model"] == {"style": "model", "ground_truth": t.answer},
          f"line {i}: reward_model {got['reward_model']}")
    extra = got["extra_info"]
    check(extra["question"] == t.question and extra["answer"] == t.answer and
          extra["question_type"] == t.question_type and extra["n_samples"] == t.n_samples,
          f"line {i}: extra_info {extra}")
    check(abs(extra["pass_rate"] - t.pass_rate) < 1e-6 and
          abs(extra["difficulty"] - (1 - 2 * abs(t.pass_rate - 0.5))) < 1e-6 and
          extra["run_id"] == f.header.run_id and extra["round"] == f.header.round,
          f"line {i}: pass rate, difficulty, run")
    check(len(got["images"]) == len(shas), f"line {i}: {len(got['images'])} images")
    for path, sha in zip(got["images"], shas):
        check(os.path.isabs(path) and os.path.basename(path) == sha + ".png",
              f"line {i}: image path {path}")
        if not os.path.isfile(path):
            check(False, f"line {i}: {path} missing")
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        check(hashlib.sha256(data).hexdigest() == sha, f"line {i}: {path} bytes")
        with Image.open(path) as im:
            im.load()
            check(im.format == "PNG" and im.size[0] * im.size[1] > 0, f"{path} decodes")


def check_export(tmp, batch_dir):
    out = os.path.join(tmp, "eve", "solver.jsonl")
    rc, stdout, err = vkeve("export", batch_dir, "--format", "eve-jsonl", out)
    check(rc == 0 and "exported" in stdout, f"export: rc {rc} {stdout} {err}")
    want = expected_records(batch_dir)
    with open(out, "rb") as fh:
        raw = fh.read()
    lines = raw.decode("utf-8").splitlines()
    check(raw.endswith(b"\n") and len(lines) == len(want) and len(want) == 6,
          f"{len(lines)} lines for {len(want)} selected tasks")
    for i, (line, w) in enumerate(zip(lines, want)):
        check_line(i, json.loads(line), w)
    images = os.listdir(os.path.join(tmp, "eve", "images"))
    distinct = {sha for w in want for sha in w[3]}
    check(sorted(images) == sorted(s + ".png" for s in distinct),
          f"images folder: {len(images)} files for {len(distinct)} distinct images")
    rc, stdout, _ = vkeve("export", batch_dir, out)
    with open(out, "rb") as fh:
        check(rc == 0 and fh.read() == raw and "0 new images" in stdout,
              "a second export gives the same bytes and writes no image again")


def check_errors(tmp, batch_dir):
    out = os.path.join(tmp, "err.jsonl")
    rc, _, err = vkeve("export", batch_dir, "--format", "parquet", out)
    check(rc == 2 and "parquet" in err, f"unknown format: rc {rc} {err}")
    rc, _, err = vkeve("export", batch_dir)
    check(rc == 2 and "vkeve help export" in err, f"no output: rc {rc} {err}")
    rc, _, err = vkeve("export", os.path.join(tmp, "missing"), out)
    check(rc == 1 and "missing" in err, f"missing folder: rc {rc} {err}")
    damaged = os.path.join(batch_dir, "round-0001-batch-0009.vkb")
    with open(damaged, "wb") as fh:
        fh.write(b"VKB1 is not enough")
    rc, stdout, err = vkeve("export", batch_dir, out)
    check(rc == 1 and damaged in err and "exported 6 tasks" in stdout,
          f"damaged file: rc {rc} {stdout} {err}")
    os.remove(damaged)


def main():
    tmp = tempfile.mkdtemp(prefix="vkeve-export-")
    try:
        batch_dir = os.path.join(tmp, "batches")
        subprocess.run([os.environ["EXPORT_FIXTURE"], batch_dir], check=True)
        check(len(os.listdir(batch_dir)) == 2, "the fixture writes two files")
        check_export(tmp, batch_dir)
        check_errors(tmp, batch_dir)
    finally:
        shutil.rmtree(tmp)
    print(f"export_check: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
