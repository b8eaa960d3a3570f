#!/usr/bin/python3
"""inspect_cli.py - `vkeve inspect` on the sample batch (tests/batch/batch_fixture.c).

The summary's numbers are recomputed here from the fixture's expected.json (what the writer
was given), the --json records are compared with it field by field, and damaged files and
bad usage must give the documented exit codes and messages. Run by ctest (tests/batch.cmake).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def inspect(*args):
    p = subprocess.run([os.environ["VKEVE_BIN"], "inspect", *args], capture_output=True,
                       text=True)
    return p.returncode, p.stdout, p.stderr


def stat_line(name, values):
    v = np.array(values, np.float64)
    return (f"  {name:<18} mean {v.mean():8.4f}  std {v.std():8.4f}  min {v.min():8.4f}  "
            f"max {v.max():8.4f}")


def check_summary(out_dir, want):
    rc, out, err = inspect(out_dir)
    check(rc == 0 and err == "", f"summary: rc {rc}, stderr {err!r}")
    lines = out.splitlines()
    chal, solv, tasks = want["challenger_rollouts"], want["solver_rollouts"], want["tasks"]
    n_valid = sum(c["valid"] for c in chal)
    measured = [t["pass_rate"] for t in tasks if t["pass_rate"] >= 0]
    expected_lines = [
        "files: 1 read, 0 skipped",
        f"rounds: {want['header']['round']} to {want['header']['round']}",
        f"images: {len(want['images'])} ",
        f"  measured {len(measured)}, selected for solver training "
        f"{sum(t['for_solver'] for t in tasks)}",
        stat_line("task pass rate", measured),
        f"challenger rollouts: {len(chal)}, valid {n_valid} ({100 * n_valid / len(chal):.1f}%)",
        stat_line("reward", [c["reward"] for c in chal]),
        stat_line("reward diversity", [c["reward_diversity"] for c in chal]),
        stat_line("advantage", [s["advantage"] for s in solv]),
        f"solver rollouts: {len(solv)}",
    ]
    for qtype in range(3):
        tried = [s for s in solv if tasks[s["task"]]["question_type"] == qtype]
        if tried:
            ok = sum(s["correct"] for s in tried)
            expected_lines.append(f"  pass rate type {qtype:<2}  {ok}/{len(tried)} "
                                  f"({100 * ok / len(tried):.1f}%)")
    for text in expected_lines:
        check(any(line.startswith(text) for line in lines), f"summary lacks {text!r}:\n{out}")


def check_json(out_dir, want):
    rc, out, err = inspect("--json", out_dir)
    check(rc == 0, f"--json: rc {rc} {err}")
    records = [json.loads(line) for line in out.splitlines()]
    kinds = [r["kind"] for r in records]
    for kind, key in (("image", "images"), ("task", "tasks"),
                      ("challenger", "challenger_rollouts"), ("solver", "solver_rollouts")):
        check(kinds.count(kind) == len(want[key]), f"{kinds.count(kind)} {kind} records")
    header = records[0]
    check(header["kind"] == "header" and header["seed"] == str(int(want["header"]["seed"])),
          f"header seed {header.get('seed')}")
    check(header["run_id"] == want["header"]["run_id"], "header run id")
    by_kind = {k: [r for r in records if r["kind"] == k] for k in set(kinds)}
    for got, exp in zip(by_kind["solver"], want["solver_rollouts"]):
        for field in ("task", "prompt_ids", "completion_ids", "completion", "answer", "correct"):
            check(got[field] == exp[field], f"solver {got['index']} {field}")
        check(np.array_equal(np.float32(got["logprobs"]), np.float32(exp["logprobs"])),
              f"solver {got['index']} logprobs")
    for got, exp in zip(by_kind["task"], want["tasks"]):
        for field in ("question_type", "question", "images", "answer", "program", "args",
                      "source_image", "challenger_rollout", "n_samples", "for_solver"):
            check(got[field] == exp[field], f"task {got['index']} {field}")
        check(np.float32(got["pass_rate"]) == np.float32(exp["pass_rate"]),
              f"task {got['index']} pass_rate")
    for got, exp in zip(by_kind["image"], want["images"]):
        check(got["png_size"] == len(exp["png"]) and
              got["sha256"] == bytes(exp["sha256"]).hex(), f"image {got['index']}")


def check_failures(tmp, out_dir):
    vkb = os.path.join(out_dir, "round-0003-batch-0000.vkb")
    bad = os.path.join(out_dir, "round-0003-batch-0001.vkb")
    with open(vkb, "rb") as src, open(bad, "wb") as dst:
        dst.write(src.read()[:5000])
    rc, out, err = inspect(out_dir)
    check(rc == 1 and bad in err and "files: 1 read, 1 skipped" in out,
          f"damaged file: rc {rc}, stderr {err!r}")
    rc, _, err = inspect(os.path.join(tmp, "missing"))
    check(rc == 1 and "missing" in err, f"missing path: rc {rc} {err!r}")
    rc, _, err = inspect()
    check(rc == 2 and "vkeve help inspect" in err, f"no path: rc {rc}")
    rc, _, err = inspect("--frobnicate", out_dir)
    check(rc == 2 and "--frobnicate" in err, f"unknown option: rc {rc}")


def main():
    tmp = tempfile.mkdtemp(prefix="vkeve-inspect-")
    try:
        out_dir = os.path.join(tmp, "out")
        expected = os.path.join(tmp, "expected.json")
        subprocess.run([os.environ["BATCH_FIXTURE"], out_dir, expected], check=True)
        with open(expected, encoding="utf-8") as fh:
            want = json.load(fh)
        check_summary(out_dir, want)
        check_json(out_dir, want)
        check_failures(tmp, out_dir)
    finally:
        shutil.rmtree(tmp)
    print(f"inspect_cli: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
