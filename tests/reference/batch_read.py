#!/usr/bin/python3
"""batch_read.py - a batch file written by the C writer, read by two independent decoders.

1. `flatc --json` decodes the file against schemas/batch.fbs (flatc's own C++ parser, no
   vkeve code); its JSON must equal what the writer was given (batch_fixture's
   expected.json), field by field (flatc prints floats with 6 digits, hence a tolerance).
2. tools/python's vkeve_batch reader must return exactly those values (float32 exact),
   including empty strings and vectors, non-ASCII text and 100k-token vectors.
3. Damaged files: read_file raises BatchFileError naming the file; read_dir skips them.
4. SolverDataset/collate give trainers (prompt ids, completion ids, advantage).
5. The Python reader reads a file of the older schema tests/batch/batch_v0.fbs
   ($VKEVE_BATCH_V0, made by flatc from batch_v0.json): new fields read as defaults.

Run by ctest (tests/batch.cmake) with BATCH_FIXTURE, FLATC, BATCH_SCHEMA and PYTHONPATH set.
"""
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np

import vkeve_batch

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def same_number(got, want, rel):
    """Integers compare exactly (big ones pass through cJSON as doubles); other values
    exactly as float32 (rel == 0) or within rel (flatc prints 6 digits)."""
    if isinstance(want, bool) or isinstance(got, bool):
        return bool(got) == bool(want)
    if float(want).is_integer():
        return float(got) == float(want) if abs(want) >= 2**53 else got == want
    if rel == 0:
        return np.float32(got) == np.float32(want)
    return math.isclose(float(got), float(want), rel_tol=rel, abs_tol=1e-6)


def compare_json(got, want, path, rel):
    """Compares flatc's JSON with the expected JSON; flatc may add header.creator."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return check(False, f"{path}: not an object")
        extra = set(got) - set(want) - ({"creator"} if path.endswith(".header") else set())
        check(not extra, f"{path}: unexpected fields {sorted(extra)}")
        for k, v in want.items():
            check(k in got, f"{path}.{k}: missing")
            if k in got:
                compare_json(got[k], v, f"{path}.{k}", rel)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return check(False, f"{path}: length {len(got) if isinstance(got, list) else '?'}"
                                f", want {len(want)}")
        bad = [i for i, (g, w) in enumerate(zip(got, want))
               if not isinstance(w, (dict, list, str)) and not same_number(g, w, rel)]
        check(not bad, f"{path}: {len(bad)} elements differ, first at {bad[:1]}")
        for i, (g, w) in enumerate(zip(got, want)):
            if isinstance(w, (dict, list, str)):
                compare_json(g, w, f"{path}[{i}]", rel)
    elif isinstance(want, str):
        check(got == want, f"{path}: {got!r}, want {want!r}")
    else:
        check(same_number(got, want, rel), f"{path}: {got!r}, want {want!r}")


def as_plain(value):
    """A reader object as JSON-shaped data, so it compares with expected.json."""
    if isinstance(value, np.ndarray):
        if value.ndim == 2:  # image_grid_thw
            return [{"t": int(t), "h": int(h), "w": int(w)} for t, h, w in value]
        return value.tolist()
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, list):
        return [as_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: as_plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def check_python_reader(out_dir, expected):
    files = list(vkeve_batch.read_dir(out_dir, on_error="raise"))
    check(len(files) == 1, f"python reader: {len(files)} files")
    f = files[0]
    check(f.header.creator.startswith("vkeve "), f"creator {f.header.creator!r}")
    check(f.solver_rollouts[0].completion_ids.dtype == np.int32 and
          f.challenger_rollouts[0].logprobs.dtype == np.float32, "numpy dtypes")
    check(len(f.challenger_rollouts[0].prompt_ids) == 100000, "100k prompt ids")
    for im in f.images:
        check(hashlib.sha256(im.png).digest() == im.sha256, "image sha256 (hashlib)")
    got = as_plain(f)
    del got["path"]
    compare_json(got, expected, "python", 0)


def check_flatc(tmp, vkb, expected):
    subprocess.run([os.environ["FLATC"], "--json", "--strict-json", "--defaults-json",
                    "--raw-binary", "-o", tmp, os.environ["BATCH_SCHEMA"], "--", vkb],
                   check=True)
    with open(os.path.join(tmp, os.path.basename(vkb)[:-4] + ".json"), encoding="utf-8") as fh:
        compare_json(json.load(fh), expected, "flatc", 1e-5)


def check_damaged(tmp, vkb, expected):
    data = open(vkb, "rb").read()
    bad_dir = os.path.join(tmp, "damaged")
    os.mkdir(bad_dir)
    shutil.copy(vkb, os.path.join(bad_dir, "round-0003-batch-0000.vkb"))
    cut = os.path.join(bad_dir, "round-0003-batch-0001.vkb")
    with open(cut, "wb") as fh:
        fh.write(data[: len(data) // 2])
    flipped = bytearray(data)
    png_at = data.find(bytes(expected["images"][1]["png"][:64]))
    flipped[png_at + 100] ^= 0x10
    with open(os.path.join(bad_dir, "round-0003-batch-0002.vkb"), "wb") as fh:
        fh.write(flipped)
    with open(os.path.join(bad_dir, ".round-0003-batch-0003.vkb.tmp-1"), "wb") as fh:
        fh.write(data[:100])  # a writer's leftover temporary: never listed
    try:
        vkeve_batch.read_file(cut)
        check(False, "truncated file accepted")
    except vkeve_batch.BatchFileError as e:
        check(cut in str(e), f"error names the file: {e}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        good = list(vkeve_batch.read_dir(bad_dir))
    check(len(good) == 1, f"{len(good)} good files among damaged ones")
    check(len(caught) == 2 and "batch-0001" in str(caught[0].message) and
          "SHA-256" in str(caught[1].message), f"warnings {[str(w.message) for w in caught]}")


def check_dataset(out_dir, expected):
    ds = vkeve_batch.SolverDataset(out_dir)
    want = expected["solver_rollouts"]
    check(len(ds) == len(want), f"dataset length {len(ds)}")
    for i, w in enumerate(want):
        check(ds[i]["prompt_ids"].tolist() == w["prompt_ids"] and
              ds[i]["completion_ids"].tolist() == w["completion_ids"] and
              np.float32(ds[i]["advantage"]) == np.float32(w["advantage"]), f"dataset item {i}")
    batch = vkeve_batch.collate([ds[i] for i in range(len(ds))], pad_id=-7)
    n_prompt = [len(w["prompt_ids"]) for w in want]
    n_completion = [len(w["completion_ids"]) for w in want]
    check(batch["prompt_ids"].shape == (len(want), max(n_prompt)), "prompt batch shape")
    check(batch["prompt_mask"].sum(axis=1).tolist() == n_prompt, "prompt mask")
    row = batch["prompt_ids"][0]
    check(row[-n_prompt[0]:].tolist() == want[0]["prompt_ids"], "prompts left-padded")
    check(batch["completion_mask"].sum(axis=1).tolist() == n_completion, "completion mask")
    check(batch["completion_ids"][1].tolist() == [-7] * max(n_completion), "pad id")


def check_old_version():
    with open(os.path.join(os.environ["VKEVE_TEST_DATA"], "batch", "batch_v0.json"),
              encoding="utf-8") as fh:
        want = json.load(fh)
    f = vkeve_batch.read_file(os.environ["VKEVE_BATCH_V0"])
    check(f.header.schema_version == want["header"]["schema_version"] and
          f.header.run_id == want["header"]["run_id"], "v0 header")
    check(f.header.creator == "" and f.images[0].name == "", "v0: new strings read ''")
    check(f.tasks[0].args == want["tasks"][0]["args"] and f.tasks[0].challenger_rollout == -1,
          "v0 task: args, and challenger_rollout (new) reads -1")
    check(f.tasks[0].pass_rate == -1.0 and f.tasks[0].n_samples == 0 and
          f.tasks[0].for_solver is False, "v0 task: pass_rate, n_samples, for_solver (new) "
          "read -1, 0, False")
    c = f.challenger_rollouts[0]
    check(c.prompt_ids.tolist() == want["challenger_rollouts"][0]["prompt_ids"] and
          c.image_grid_thw.tolist() == [[1, 4, 4]] and c.advantage == 0.0,
          "v0 challenger rollout, advantage (new) reads 0")
    s = f.solver_rollouts[0]
    check(s.answer == "B" and s.correct and s.reward == 0.0 and s.advantage == 0.0,
          "v0 solver rollout")


def main():
    tmp = tempfile.mkdtemp(prefix="vkeve-batch-py-")
    try:
        out_dir = os.path.join(tmp, "out")
        expected_path = os.path.join(tmp, "expected.json")
        subprocess.run([os.environ["BATCH_FIXTURE"], out_dir, expected_path], check=True)
        with open(expected_path, encoding="utf-8") as fh:
            expected = json.load(fh)
        vkb = os.path.join(out_dir, "round-0003-batch-0000.vkb")
        check_flatc(tmp, vkb, expected)
        check_python_reader(out_dir, expected)
        check_damaged(tmp, vkb, expected)
        check_dataset(out_dir, expected)
        check_old_version()
    finally:
        shutil.rmtree(tmp)
    print(f"batch_read: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
