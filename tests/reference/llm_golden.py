#!/usr/bin/python3
"""llm_golden.py WORK - vkeve's decoder against the PyTorch reference (llm_ref.py).

For each architecture (qwen2, qwen2vl, llama) and weight type (f32, f16, q8_0, q4_K), a
random model from `vkeve make-model` runs prompts of 1, 17 and 600 tokens through
llm_driver (tests/llm_driver.c) three ways: each prompt alone, all in one batch, and half
prefilled once then finished in a fork (a shared prefix). Every way's last-token logits
must match the reference within the stated tolerance, measured relative to the spread of
the reference logits; the batched and the shared-prefix logits must also equal the
alone ones exactly (batch-invariant kernels). Greedy continuations of 32 tokens must equal
the reference's (with exact activations).

The reference rounds keys and values to float16 as vkeve's cache stores them, and is
otherwise float64. Tolerances (max |vkeve - ref| / std(ref) over the vocabulary):
  1e-3 with exact activations: every float type, and quantized types with the storage
  matmul shape (llm_driver --shape rows);
  0.15 for quantized types with the default shape on CPU devices, where activations are
  rounded to 8 bits per 32-element block before quantized matmuls (as llama.cpp does on
  CPUs, each value within 1/254 of its block's largest); the kernels' own bound is checked
  in test_matmul_quant. A wrong decoder is off by the whole spread (errors above 1).
"""
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import llm_ref  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
DRIVER = os.environ["LLM_DRIVER"]
WORK = os.path.abspath(sys.argv[1])
os.makedirs(WORK, exist_ok=True)
failures = []

EXACT, ROUNDED = 1e-3, 0.15
SHAPE = ["--embd", "256", "--ff", "512", "--heads", "4", "--kv-heads", "2", "--layers", "2"]


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def prompts(n_vocab):
    rng = np.random.default_rng(7)
    return [list(rng.integers(0, n_vocab, size=n)) for n in (1, 17, 600)]


def make_model(arch, wtype):
    path = os.path.join(WORK, f"{arch}-{wtype}.gguf")
    subprocess.run([VKEVE, "make-model", path, "--arch", arch, "--type", wtype, "--seed", "5",
                    *SHAPE], check=True, capture_output=True)
    return path


def run_driver(model, ps, shape, *mode):
    ids = os.path.join(WORK, "prompts.txt")
    with open(ids, "w") as f:
        for p in ps:
            f.write(" ".join(str(t) for t in p) + "\n")
    out = os.path.join(WORK, "out")
    subprocess.run([DRIVER, "--shape", shape, mode[0], model, ids, *mode[1:], out], check=True)
    return out


def compare_logits(model, arch, wtype, ref, shape, tolerance):
    ps = prompts(ref.cfg.n_vocab)
    out = run_driver(model, ps, shape, "logits")
    want = np.stack([ref.logits([p])[0][-1] for p in ps])
    got = {w: np.fromfile(f"{out}.{w}", dtype=np.float32).reshape(len(ps), -1)
           for w in ("alone", "batch", "prefix")}
    for i, p in enumerate(ps):
        spread = float(np.std(want[i]))
        err = float(np.max(np.abs(got["alone"][i] - want[i]))) / spread
        print(f"{arch} {wtype} {shape} prompt of {len(p)}: max error {err:.2e} of the spread")
        check(err <= tolerance, f"{arch} {wtype} {shape} {len(p)} tokens: error {err:.2e}")
        for way in ("batch", "prefix"):
            same = np.array_equal(got[way][i], got["alone"][i])
            check(same, f"{arch} {wtype} {len(p)} tokens: {way} logits differ from alone "
                  f"by {np.max(np.abs(got[way][i] - got['alone'][i])):.2e}")


def compare_greedy(model, arch, wtype, ref, shape):
    ps = [p[:9] for p in prompts(ref.cfg.n_vocab)[1:]]
    out = run_driver(model, ps, shape, "greedy", "32")
    with open(out) as f:
        got = [[int(t) for t in line.split()] for line in f]
    want = ref.generate(ps, 32)
    for g, w in zip(got, want):
        check(list(g) == [int(t) for t in w], f"{arch} {wtype} greedy: {g} vs {list(w)}")


for arch in ("qwen2", "qwen2vl", "llama"):
    for wtype in ("f32", "f16", "q8_0", "q4_K"):
        model = make_model(arch, wtype)
        ref = llm_ref.Model(model, kv_f16=True)
        exact = wtype in ("f32", "f16")
        compare_logits(model, arch, wtype, ref, "auto", EXACT if exact else ROUNDED)
        compare_greedy(model, arch, wtype, ref, "auto" if exact else "rows")
        if not exact:
            compare_logits(model, arch, wtype, ref, "rows", EXACT)

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
