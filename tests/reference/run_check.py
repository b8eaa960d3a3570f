#!/usr/bin/python3
"""run_check.py - `vkeve run` end to end on the built-in tiny model (tests/run.cmake).

usage: run_check.py e2e|resume|hostile WORKDIR
  (VKEVE_BIN, VKEVE_DEFAULT_VOCAB, PYTHONPATH with tools/python, from ctest)

e2e      One round of the built-in default (bootstrap challenger, all three question types).
         Every batch is read with the Python reader and re-derived independently:
         - each program is re-executed with real Python and Pillow (pil_exec.py) on the stored
           input image; its validity is re-judged with the numpy/SciPy references
           (loop_valid.py, loop_phash.py) and must match the stored verdict and reason;
         - every task's images must be Pillow's outputs of its argument sets, and its answer
           must follow from the question text and the execution;
         - solver answers, scores, rewards and group advantages, the pass rates, the
           challenger's format, validity, difficulty, diversity penalty (NLTK BLEU +
           scikit-learn clustering, loop_bleu.py), reward and advantages are recomputed from
           the batch and must match;
         - the summary line, the contact sheet, the queue file and `vkeve inspect` agree.
resume   A run of two rounds killed with SIGKILL (and another stopped with SIGINT, which must
         exit 130) at random moments, then re-run with the same command, must end with the
         same set of records, the same queue files and the same summary counts as an
         uninterrupted run.
hostile  Programs that loop forever, exhaust memory or recurse endlessly (from --queue), a
         model whose output is garbage, near-empty or never ends (--challenger model on the
         random model), and prompts longer than the context give recorded failures and a
         finished round, not a stall.
"""
import glob
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loop_bleu  # noqa: E402
import loop_phash  # noqa: E402
import loop_valid  # noqa: E402
import pil_exec  # noqa: E402
import vkeve_batch  # noqa: E402

failures = []
VKEVE = os.environ.get("VKEVE_BIN", "vkeve")
W = {"format": 0.2, "valid": 0.4, "difficulty": 0.4, "s_format": 0.2, "s_accuracy": 0.8}


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)
    return ok


def close(a, b, tol=1e-5):
    return abs(a - b) <= tol * max(1.0, abs(b))


def run(args, timeout=600, expect=0):
    t0 = time.time()
    p = subprocess.run([VKEVE, "run"] + args, capture_output=True, text=True, timeout=timeout)
    check(p.returncode == expect,
          f"vkeve run {' '.join(args)}: exit {p.returncode}, want {expect}\n{p.stderr[-3000:]}")
    return p, time.time() - t0


# ---- independent restatements of the method's definitions ----

def extract_code(text):
    """EVE: after the last </think>, the text after the last ```python up to the next ```."""
    if "</think>" in text:
        text = text[text.rfind("</think>") + len("</think>"):]
    at = text.rfind("```python")
    if at < 0:
        return None
    rest = text[at + len("```python"):]
    end = rest.find("```")
    code = (rest if end < 0 else rest[:end]).strip()
    return code or None


def func_part(code):
    at = code.find("args_list =")
    if at < 0:
        at = code.find("args_list=")
    return (code if at < 0 else code[:at]).strip()


def comment_marks(func):
    return func.count("#") + func.count('"""') + func.count("'''")


def last_box(text):
    """The content of the last \\boxed{...} with braces matched, stripped; None if none."""
    at = text.rfind("\\boxed{")
    if at < 0:
        return None
    depth, i = 1, at + len("\\boxed{")
    start = i
    while i < len(text):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i].strip()
        i += 1
    return None


def solver_format(text):
    if text.startswith("\\boxed{"):
        return 0.5
    return 1.0 if last_box(text) is not None else 0.0


def advantages(rewards):
    r = np.array(rewards, dtype=np.float64)
    if len(r) == 1:
        return list(r / (1 + 1e-6))
    return list((r - r.mean()) / (r.std(ddof=1) + 1e-6))


def png_image(b):
    im = Image.open(io.BytesIO(b))
    im.load()
    return im


def same_pixels(a, b):
    return a.size == b.size and a.mode == b.mode and np.array_equal(np.asarray(a), np.asarray(b))


def phash_of(im):
    buf = io.BytesIO()
    im.save(buf, "PNG")
    buf.seek(0)
    h, mask = loop_phash.phash(buf).split()
    return int(h, 16), int(mask, 16)


def same_images_verdict(outs):
    """True / False, or None when pHash ties make the answer depend on DCT rounding."""
    hashes = [phash_of(im) for im in outs]
    unsure = False
    for i in range(1, len(outs)):
        for j in range(i):
            a, b = outs[i].size, outs[j].size
            if min(a[0], b[0]) / max(a[0], b[0]) < 0.95 or min(a[1], b[1]) / max(a[1], b[1]) < 0.95:
                continue
            (hi, mi), (hj, mj) = hashes[i], hashes[j]
            sure = mi & mj
            if (hi ^ hj) & sure:
                continue
            if hi == hj and sure == (1 << 64) - 1:
                return True
            unsure = True
    return None if unsure else False


def image_verdict(im, rotates):
    buf = io.BytesIO()
    im.save(buf, "PNG")
    buf.seek(0)
    return loop_valid.verdict(buf, rotates)


def judge(code, image):
    """(reason, outputs): EVE's validity rules in their order, on Pillow's execution."""
    if not code:
        return "no_code", None
    failure, cases = pil_exec.run_program(code, "<program>", image.copy())
    if failure:
        return "program_failed", None
    if any(isinstance(r, pil_exec.Failure) for _, r in cases):
        return "case_failed", None
    if len(cases) != 4:
        return "args_count", None
    reprs = [a for a, _ in cases]
    if len(set(reprs)) != 4:
        return "args_duplicate", None
    outs = [r for _, r in cases]
    for im in outs:
        v = image_verdict(im, ".rotate(" in code)
        if v != "ok":
            return v, outs
    same = same_images_verdict(outs)
    if same is None:
        return "unsure", outs
    if same:
        return "same_images", outs
    if len(func_part(code)) > 2000:
        return "code_too_long", outs
    return "ok", (outs, reprs)


# ---- the e2e checks ----

def check_solver(f, ti, t, what):
    sol = [s for s in f.solver_rollouts if s.task == ti]
    check(len(sol) == t.n_samples, f"{what}: {len(sol)} solver rollouts, n_samples {t.n_samples}")
    scores, rewards = [], []
    for s in sol:
        box = last_box(s.completion)
        check(s.answer == (box if box is not None else ""), f"{what}: answer {s.answer!r}")
        if box is None:
            check(s.score == 0 and not s.correct, f"{what}: score {s.score} without a box")
        check(s.correct == (s.score == 1), f"{what}: correct {s.correct} score {s.score}")
        scores.append(s.score)
        r = W["s_format"] * solver_format(s.completion) + W["s_accuracy"] * s.score
        check(close(s.reward, r), f"{what}: solver reward {s.reward}, want {r}")
        rewards.append(s.reward)
    for s, a in zip(sol, advantages(rewards)):
        check(close(s.advantage, a, 1e-4), f"{what}: solver advantage {s.advantage}, want {a}")
    p = float(np.mean(scores)) if scores else -1  # no samples: not measured
    check(close(t.pass_rate, p), f"{what}: pass rate {t.pass_rate}, solver mean {p}")
    return p


def check_answer(t, outs, reprs, images, what):
    """The ground truth must follow from the question and the execution."""
    check(t.args == reprs, f"{what}: args {t.args} != Pillow's {reprs}")
    shown = [images[i] for i in t.images]
    check(same_pixels(shown[0], images[t.source_image]), f"{what}: first image is not the input")
    if t.question_type in (0, 2):
        check(len(shown) == 5, f"{what}: {len(shown)} images")
        for k in range(4):
            check(same_pixels(shown[k + 1], outs[k]), f"{what}: image_{k + 1} != Pillow's output")
    if t.question_type == 0:
        named = [k for k in range(4) if f"`{reprs[k]}`" in t.question]
        check(len(named) == 1 and t.answer == "ABCD"[named[0]],
              f"{what}: answer {t.answer} for arguments {named}")
    elif t.question_type == 1:
        k = "ABCD".find(t.answer)
        check(len(shown) == 2 and k >= 0 and same_pixels(shown[1], outs[k]),
              f"{what}: image_1 is not the output of option {t.answer}")
        for i in range(4):
            check(f"{'ABCD'[i]}. {reprs[i]}" in t.question, f"{what}: option {i} not listed")
    else:
        for k in range(4):
            letter = t.answer[k] if len(t.answer) == 4 else "?"
            check(f"{letter}. {reprs[k]}" in t.question,
                  f"{what}: image_{k + 1} answer {letter} does not show {reprs[k]}")


def check_file(f, rollouts):
    named = [im for im in f.images if im.name]
    if not check(len(named) == 1, f"{f.path}: {len(named)} named images"):
        return None
    images = [png_image(im.png) for im in f.images]
    src = images[f.images.index(named[0])]
    for ci, c in enumerate(f.challenger_rollouts):
        what = f"{f.path} rollout {ci}"
        code = extract_code(c.completion)
        reason, got = judge(code, src)
        stored = c.failure.split(":")[0] if c.failure else "ok"
        if reason != "unsure":
            check(stored == reason, f"{what}: stored verdict {stored}, reference {reason}")
        check(c.valid == (stored == "ok"), f"{what}: valid {c.valid} with failure {c.failure!r}")
        func = func_part(code) if c.valid else ""
        fmt = 1.0 if (code and c.completion.count("<thinking>") == 1 and
                      c.completion.count("</thinking>") == 1 and
                      comment_marks(func_part(code)) <= 2) else 0.0
        check(c.reward_format == fmt, f"{what}: format {c.reward_format}, want {fmt}")
        check(c.reward_validity == float(c.valid), f"{what}: validity {c.reward_validity}")
        tasks = [(ti, t) for ti, t in enumerate(f.tasks) if t.challenger_rollout == ci]
        diffs = []
        for ti, t in tasks:
            tw = f"{what} task {ti} (type {t.question_type})"
            check(t.program == code, f"{tw}: program is not the rollout's code")
            if reason == "ok":
                check_answer(t, got[0], got[1], images, tw)
            p = check_solver(f, ti, t, tw)
            if p >= 0:
                diffs.append(1 - 2 * abs(p - 0.5))
        want_d = float(np.mean(diffs)) if (c.valid and diffs) else 0.0
        check(close(c.reward_difficulty, want_d), f"{what}: difficulty {c.reward_difficulty}")
        check(c.valid or not tasks, f"{what}: tasks for an invalid program")
        rollouts.append((f, ci, c, func))
    return named[0].name


def check_challenger_rewards(rollouts):
    """The diversity penalty over the round's programs (one step), rewards, advantages."""
    pen = loop_bleu.penalty([func for _, _, _, func in rollouts])
    by_file = {}
    for (f, ci, c, _), p in zip(rollouts, pen):
        what = f"{f.path} rollout {ci}"
        check(close(-c.reward_diversity, p, 1e-4), f"{what}: penalty {-c.reward_diversity}, "
              f"reference {p}")
        r = (W["format"] * c.reward_format + W["valid"] * c.reward_validity +
             W["difficulty"] * c.reward_difficulty + c.reward_diversity)
        check(close(c.reward, r), f"{what}: reward {c.reward}, want {r}")
        by_file.setdefault(f.path, []).append(c)
    for path, cs in by_file.items():
        for c, a in zip(cs, advantages([c.reward for c in cs])):
            check(close(c.advantage, a, 1e-4), f"{path}: challenger advantage {c.advantage}, {a}")


def e2e(work):
    out = os.path.join(work, "e2e")
    args = ["--out", out, "--round-images", "3", "--step-images", "8", "--samples", "3",
            "--solver-max-new-tokens", "6", "--question-types", "0,1,2", "--seed", "11"]
    p, secs = run(args)
    print(f"e2e: run took {secs:.1f} s")
    files = list(vkeve_batch.read_dir(os.path.join(out, "batches"), on_error="raise"))
    check(len(files) == 3, f"{len(files)} batch files, want 3 (one per image)")
    rollouts, names = [], []
    for f in files:
        names.append(check_file(f, rollouts))
        check(f.header.round == 0 and f.header.seed == 11, f"{f.path}: header {f.header}")
        keys = {s.key: s.value for s in f.header.settings}
        check(keys.get("challenger") == "queue", f"{f.path}: settings {keys}")
    check_challenger_rewards(rollouts)
    n_valid = sum(c.valid for _, _, c, _ in rollouts)
    check(n_valid > 0, "no valid program: the bootstrap challenger made nothing usable")
    with open(os.path.join(out, "summary.jsonl")) as fh:
        lines = [json.loads(x) for x in fh if x.strip()]
    check(len(lines) == 1 and lines[0]["round"] == 0, f"summary: {lines}")
    s = lines[0]
    check(s["images"] == 3 and s["challenger_rollouts"] == len(rollouts) and
          s["valid"] == n_valid, f"summary counts {s}")
    n_tasks = sum(len(f.tasks) for f in files)
    check(sum(s["tasks"].values()) == n_tasks, f"summary tasks {s['tasks']} != {n_tasks}")
    rej = Counter(c.failure.split(":")[0] for _, _, c, _ in rollouts if not c.valid)
    check(s["rejections"] == dict(rej), f"summary rejections {s['rejections']} != {dict(rej)}")
    check(os.path.exists(os.path.join(out, "sheets", "round-0000.png")), "no contact sheet")
    with open(os.path.join(out, "queue.jsonl")) as fh:
        queue = [json.loads(x) for x in fh if x.strip()]
    check(len(queue) >= 4 and all("code_str" in q and "diff_reward" in q for q in queue),
          "queue.jsonl is not EVE's format")
    p = subprocess.run([VKEVE, "inspect", os.path.join(out, "batches")], capture_output=True,
                       text=True)
    check(p.returncode == 0, f"vkeve inspect: exit {p.returncode} {p.stderr}")
    print(f"e2e: {len(files)} files, {len(rollouts)} rollouts, {n_valid} valid, {n_tasks} tasks")


# ---- resume ----

# Settings that name files on this machine: they differ between the compared output folders.
PATHS = {"model", "mmproj", "solver-model", "solver-mmproj", "images", "queue", "checkpoints"}


def canonical(out):
    """Every file's records (header minus its time and file number) as a multiset."""
    recs = Counter()
    for f in vkeve_batch.read_dir(os.path.join(out, "batches"), on_error="raise"):
        h = f.header
        d = {"round": h.round, "seed": h.seed, "run_id": h.run_id,
             "settings": [(s.key, s.value) for s in h.settings if s.key not in PATHS],
             "images": [(im.sha256.hex(), im.name) for im in f.images],
             "tasks": [repr(t) for t in f.tasks],
             "challenger": [repr(c) for c in f.challenger_rollouts],
             "solver": [repr(s) for s in f.solver_rollouts]}
        recs[json.dumps(d, sort_keys=True)] += 1
    return recs


def summary_counts(out):
    with open(os.path.join(out, "summary.jsonl")) as fh:
        lines = [json.loads(x) for x in fh if x.strip()]
    timing = {"seconds", "tokens_per_s", "generated_tokens", "prompt_tokens", "units_written"}
    return [{k: v for k, v in d.items() if k not in timing} for d in lines]


def queues(out):
    got = {}
    for path in sorted(glob.glob(os.path.join(out, "queue", "*.jsonl"))):
        with open(path) as fh:
            got[os.path.basename(path)] = fh.read()
    return got


def interrupted(args, out, sig, delay):
    proc = subprocess.Popen([VKEVE, "run"] + args + ["--out", out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=600)
    return proc.returncode, err


def resume(work):
    args = ["--rounds", "2", "--round-images", "3", "--step-images", "2", "--samples", "2",
            "--solver-max-new-tokens", "4", "--question-types", "0,1", "--seed", "7"]
    full = os.path.join(work, "full")
    _, secs = run(args + ["--out", full])
    want = canonical(full)
    check(len(want) == 6, f"uninterrupted run: {len(want)} files, want 6")
    seed = int(os.environ.get("RUN_CHECK_SEED", time.time_ns() % 100000))
    rnd = random.Random(seed)
    print(f"resume: uninterrupted run {secs:.1f} s; random seed {seed} (RUN_CHECK_SEED)")
    for name, sig in (("kill", signal.SIGKILL), ("sigint", signal.SIGINT)):
        out = os.path.join(work, name)
        delay = rnd.uniform(0.1, 0.9) * secs
        code, err = interrupted(args, out, sig, delay)
        stopped = code == (-9 if sig == signal.SIGKILL else 130)
        check(stopped or code == 0, f"{name} after {delay:.1f} s: exit {code}\n{err[-2000:]}")
        print(f"resume: {name} after {delay:.1f} s: exit {code}, "
              f"{len(glob.glob(os.path.join(out, 'batches', '*.vkb')))} files written")
        run(args + ["--out", out])
        got = canonical(out)
        check(got == want, f"{name}: records differ from the uninterrupted run "
              f"({sum(got.values())} vs {sum(want.values())} files, "
              f"{sum((got - want).values())} extra, {sum((want - got).values())} missing)")
        check(queues(out) == queues(full), f"{name}: queue files differ")
        check(summary_counts(out) == summary_counts(full), f"{name}: summary counts differ")
        p, _ = run(args + ["--out", out])
        check("finished" in p.stderr, f"{name}: a third run did not see the run finished")
        check(canonical(out) == want, f"{name}: a third run changed the records")


# ---- hostile programs and models ----

HOSTILE = {
    "loop": "from PIL import Image\n\ndef edit_image(img, n):\n    while True:\n        n += 1\n"
            "    return img\n\nargs_list = [{'n': 1}, {'n': 2}, {'n': 3}, {'n': 4}]\n",
    "memory": "from PIL import Image\n\ndef edit_image(img, n):\n    keep = []\n"
              "    while True:\n        keep.append(Image.new('RGB', (2048, 2048)))\n"
              "    return img\n\nargs_list = [{'n': 1}, {'n': 2}, {'n': 3}, {'n': 4}]\n",
    "recursion": "def edit_image(img, n):\n    return edit_image(img, n + 1)\n\n"
                 "args_list = [{'n': 1}, {'n': 2}, {'n': 3}, {'n': 4}]\n",
}


def all_rollouts(out):
    return [c for f in vkeve_batch.read_dir(os.path.join(out, "batches"), on_error="raise")
            for c in f.challenger_rollouts]


def hostile(work):
    qfile = os.path.join(work, "hostile.jsonl")
    with open(qfile, "w") as fh:
        for code in HOSTILE.values():
            fh.write(json.dumps({"code_str": code, "diff_reward": 100.0}) + "\n")
    out = os.path.join(work, "programs")
    _, secs = run(["--out", out, "--queue", qfile, "--round-images", "2", "--steps", "300000",
                   "--memory", "64", "--solver-max-new-tokens", "2"], timeout=300)
    cs = all_rollouts(out)
    check(len(cs) == 8 and not any(c.valid for c in cs), f"hostile programs: {len(cs)} rollouts")
    kinds = Counter(c.failure.split(":")[0] for c in cs)
    check(set(kinds) <= {"case_failed", "program_failed"}, f"hostile failures: {kinds}")
    check(all("BudgetExceeded" in c.failure or "RecursionError" in c.failure for c in cs),
          f"hostile failures: {[c.failure for c in cs]}")
    print(f"hostile programs: {secs:.1f} s, {dict(kinds)}")
    for tokens in ("24", "1"):
        out = os.path.join(work, f"model-{tokens}")
        _, secs = run(["--out", out, "--challenger", "model", "--max-new-tokens", tokens,
                       "--round-images", "2", "--group", "2"], timeout=300)
        cs = all_rollouts(out)
        check(len(cs) == 4, f"model challenger ({tokens} tokens): {len(cs)} rollouts")
        for c in cs:
            n = len(c.completion_ids)
            check(1 <= n <= int(tokens) and len(c.logprobs) == n and np.all(c.logprobs <= 0),
                  f"model rollout: {n} ids, {len(c.logprobs)} logprobs")
            check(not c.valid and c.failure.startswith("no_code"), f"model rollout: {c.failure}")
            check(len(c.prompt_ids) > 0 and len(c.image_grid_thw) == 1, "model rollout prompt")
            t, h, w = c.image_grid_thw[0]
            pads = int(np.sum(c.prompt_ids == 151655))  # <|image_pad|>
            check(pads == t * h * w // 4, f"prompt has {pads} image pads for grid {t}x{h}x{w}")
        path = os.path.join(out, "summary.jsonl")
        s = json.loads(open(path).readline()) if os.path.exists(path) else {}
        check(s.get("valid") == 0 and s.get("rejections") == {"no_code": 4}, f"summary {s}")
        print(f"model challenger, {tokens} new tokens: {secs:.1f} s")
    # A context too small for the prompts: refusals are recorded, the round still ends.
    out = os.path.join(work, "refused-challenger")
    run(["--out", out, "--challenger", "model", "--ctx", "300", "--round-images", "1"])
    cs = all_rollouts(out)
    check(len(cs) == 4 and all(c.failure.startswith("refused: ") for c in cs),
          f"refused challenger prompts: {[c.failure for c in cs]}")
    out = os.path.join(work, "refused-solver")
    run(["--out", out, "--ctx", "300", "--round-images", "1"])
    files = list(vkeve_batch.read_dir(os.path.join(out, "batches"), on_error="raise"))
    tasks = [t for f in files for t in f.tasks]
    check(tasks and all(t.pass_rate == -1 and t.n_samples == 0 for t in tasks) and
          not any(f.solver_rollouts for f in files), "refused solver prompts: tasks unmeasured")


def main():
    mode, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    for old in glob.glob(os.path.join(work, "*")):
        subprocess.run(["rm", "-rf", old], check=True)
    {"e2e": e2e, "resume": resume, "hostile": hostile}[mode](work)
    if failures:
        print(f"run_check {mode}: {len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print(f"run_check {mode}: ok")


if __name__ == "__main__":
    main()
