#!/usr/bin/python3
"""test_llm_ref.py - the checks that make llm_ref.py (the PyTorch reference decoder) worth
trusting, on tiny models written by `vkeve make-model` (VKEVE_BIN):
  - a prompt fed token by token (or in chunks) through the KV cache gives the logits of one
    full-sequence forward; greedy generation equals repeated full forwards;
  - a left-padded batch of prompts of different lengths gives each prompt its own logits;
  - qwen2vl with text M-RoPE positions (t = h = w) equals qwen2 with the same weights, and
    other positions change the logits; the angle of every rotated pair, worked by hand;
  - llama's q/k row permutation: a hand-worked row order, the file's rows against qwen2's
    unpermuted rows of the same seed, adjacent-pair RoPE on the file rows against
    rotate_half on the Hugging Face rows, and llama logits against qwen2 without biases;
  - every weight type make-model writes is read, close to the f32 model's values;
  - the logits are not degenerate, and the command line agrees with the API.
Run by ctest with /usr/bin/python3."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llm_ref  # noqa: E402
from test_runner import run_tests  # noqa: E402
from gguf_read import read_gguf  # noqa: E402
from quant_ref import dequantize  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
TMP = tempfile.mkdtemp(prefix="llm_ref_")
PROMPT = [17, 250, 3, 99, 633, 400, 8, 8, 612]
failures = []


def make(name, *args):
    path = os.path.join(TMP, name + ".gguf")
    if not os.path.exists(path):
        subprocess.run([VKEVE, "make-model", path, *args], check=True, capture_output=True)
    return path


def check(cond, what):
    if not cond:
        failures.append(what)


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def text_positions(n, start=0):
    return torch.arange(start, start + n).expand(3, -1)


def incremental_logits(model, prompt, positions, chunks):
    """Logits of prompt fed through one cache in chunks of the given sizes."""
    cache, out, at = model.new_cache(), [], 0
    for size in chunks:
        tok = torch.tensor([prompt[at:at + size]])
        pos = positions[:, at:at + size][None]
        out.append(model.forward(tok, pos, torch.ones(1, size, dtype=torch.bool), cache)[0])
        at += size
    return torch.cat(out).numpy()


def image_positions():
    """Two text tokens, a 2 x 3 image, then text, as Qwen2-VL numbers them."""
    t = [0, 1] + [2] * 6 + [5, 6, 7]
    h = [0, 1] + [2, 2, 2, 3, 3, 3] + [5, 6, 7]
    w = [0, 1] + [2, 3, 4, 2, 3, 4] + [5, 6, 7]
    return torch.tensor([t, h, w])


def test_incremental():
    for arch in ("qwen2", "qwen2vl", "llama"):
        m = llm_ref.Model(make(arch, "--arch", arch))
        full = m.logits([PROMPT])[0]
        pos = text_positions(len(PROMPT))
        for chunks in ([1] * len(PROMPT), [4, 3, 2]):
            d = max_diff(incremental_logits(m, PROMPT, pos, chunks), full)
            check(d < 1e-5, "%s: cached chunks %s differ from the full forward by %g"
                  % (arch, chunks, d))
    m = llm_ref.Model(make("qwen2vl", "--arch", "qwen2vl"))
    prompt, pos = PROMPT + [5, 6], image_positions()
    full = m.logits([prompt], [pos])[0]
    d = max_diff(incremental_logits(m, prompt, pos, [1] * len(prompt)), full)
    check(d < 1e-5, "qwen2vl image positions: cached differs from full by %g" % d)


def test_generate_matches_full_forwards():
    for arch in ("qwen2", "qwen2vl"):
        m = llm_ref.Model(make(arch, "--arch", arch))
        got = m.generate([PROMPT[:5]], 6)[0]
        seq = list(PROMPT[:5])
        for _ in range(6):
            seq.append(int(np.argmax(m.logits([seq])[0][-1])))
        check(got == seq[5:], "%s: generate %s, full forwards %s" % (arch, got, seq[5:]))


def test_batch():
    prompts = [PROMPT, PROMPT[2:5], [1, 2, 3, 4, 5]]
    for arch in ("qwen2", "qwen2vl", "llama"):
        m = llm_ref.Model(make(arch, "--arch", arch))
        batch = m.logits(prompts)
        for p, got in zip(prompts, batch):
            d = max_diff(got, m.logits([p])[0])
            check(d < 1e-9, "%s: prompt of %d in a batch differs by %g" % (arch, len(p), d))
        gen = m.generate(prompts, 5)
        alone = [m.generate([p], 5)[0] for p in prompts]
        check(gen == alone, "%s: batched generation %s, alone %s" % (arch, gen, alone))


def test_mrope_text_equals_rope():
    vl = llm_ref.Model(make("qwen2vl", "--arch", "qwen2vl"))
    plain = llm_ref.Model(make("qwen2", "--arch", "qwen2"))
    d = max_diff(vl.logits([PROMPT])[0], plain.logits([PROMPT])[0])
    check(d < 1e-9, "qwen2vl text positions differ from qwen2 by %g" % d)
    prompt, pos = PROMPT + [5, 6], image_positions()
    d = max_diff(vl.logits([prompt], [pos])[0][2:], vl.logits([prompt])[0][2:])
    check(d > 1e-3, "qwen2vl image positions change nothing (%g)" % d)
    for row in range(3):  # each of t, h, w must matter on its own
        other = pos.clone()
        other[row] = torch.arange(len(prompt))
        d = max_diff(vl.logits([prompt], [other])[0], vl.logits([prompt], [pos])[0])
        check(d > 1e-4, "qwen2vl: M-RoPE row %d has no effect (%g)" % (row, d))


def test_mrope_sections_by_hand():
    """Rotated pair k of a head (dimensions k and k + head_dim/2) takes its angle from the
    t position when k < s0, from h when k < s0 + s1, else from w (sections [2, 3, 3]), with
    the frequency of the global k."""
    vl = llm_ref.Model(make("qwen2vl", "--arch", "qwen2vl"))
    check(vl.cfg.sections == [2, 3, 3], "sections %s" % vl.cfg.sections)
    t, h, w = 3, 11, 29
    cos, sin = vl.cos_sin(torch.tensor([[[t], [h], [w]]]))
    for k in range(8):
        p = t if k < 2 else h if k < 5 else w
        angle = p * 10000.0 ** (-2 * k / 16)
        for dim in (k, k + 8):
            ok = abs(cos[0, 0, 0, dim] - np.cos(angle)) < 1e-12
            ok = ok and abs(sin[0, 0, 0, dim] - np.sin(angle)) < 1e-12
            check(ok, "M-RoPE dimension %d: angle is not %d * base^(-%d/16)" % (dim, p, 2 * k))


def test_gqa_by_hand():
    """Query heads 2 and 3 read kv head 1 (head i reads i // 2): when only they reach
    attn_output, zeroing kv head 1's values zeroes the output and zeroing kv head 0's does
    not."""
    x = torch.randn(1, 5, 64, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    mask = torch.ones(5, 5, dtype=torch.bool).tril()[None]
    outs = []
    for kv_head in (1, 0):
        m = llm_ref.Model(make("qwen2", "--arch", "qwen2"))
        cos, sin = m.cos_sin(text_positions(5)[None])
        m.w["blk.0.attn_output.weight"][:, :32] = 0
        m.w["blk.0.attn_v.weight"][16 * kv_head:16 * kv_head + 16] = 0
        m.w["blk.0.attn_v.bias"][16 * kv_head:16 * kv_head + 16] = 0
        outs.append(float(m.attention(x, 0, cos, sin, mask, m.new_cache()).abs().max()))
    check(outs[0] < 1e-12 and outs[1] > 0.01, "query heads 2, 3 do not read kv head 1 "
          "(largest output %g with kv head 1 zeroed, %g with kv head 0 zeroed)" % tuple(outs))


def raw_tensor(path, name):
    for t in read_gguf(path)[3]:
        if t["name"] == name:
            return torch.from_numpy(dequantize(t["type"], t["data"]).astype(np.float64)
                                    .reshape(t["ne"][1], t["ne"][0]))
    raise KeyError(name)


def norm_rope(x, pos, theta):
    """Rotation of adjacent pairs (x[2i], x[2i+1]), the convention llama files are made for."""
    hd = x.shape[-1]
    ang = pos * theta ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    a, b = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = a * ang.cos() - b * ang.sin()
    out[..., 1::2] = a * ang.sin() + b * ang.cos()
    return out


def test_llama_permutation():
    one_head = torch.tensor([0, 4, 1, 5, 2, 6, 3, 7])
    check(llm_ref.unpermute_heads(one_head, 1).tolist() == list(range(8)),
          "unpermute of [0 4 1 5 2 6 3 7] is not 0..7")
    two = torch.cat([one_head, one_head + 8]).reshape(16, 1)
    check(llm_ref.unpermute_heads(two, 2).reshape(-1).tolist() == list(range(16)),
          "unpermute of two heads is wrong")
    for wtype in ("f32", "q8_0"):
        lp = make("llama_" + wtype, "--arch", "llama", "--type", wtype)
        qp = make("qwen2_" + wtype, "--arch", "qwen2", "--type", wtype)
        for name, heads in (("attn_q", 4), ("attn_k", 2)):
            key = "blk.1.%s.weight" % name
            file_rows, hf_rows = raw_tensor(lp, key), raw_tensor(qp, key)
            check(not torch.equal(file_rows, hf_rows), "%s %s: llama rows not permuted"
                  % (wtype, key))
            check(torch.equal(llm_ref.unpermute_heads(file_rows, heads), hf_rows),
                  "%s %s: unpermuted llama rows differ from the Hugging Face rows" % (wtype, key))
    # Adjacent-pair RoPE on the file's rows == rotate_half RoPE on the original rows.
    file_rows = raw_tensor(make("llama_f32", "--arch", "llama"), "blk.0.attn_q.weight")
    hf_rows = raw_tensor(make("qwen2_f32", "--arch", "qwen2"), "blk.0.attn_q.weight")
    x = torch.randn(64, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    pos = 5.0
    q_file = norm_rope((file_rows @ x).view(4, 16), pos, 10000.0)
    q_hf = (hf_rows @ x).view(4, 16)
    ang = pos * 10000.0 ** (-torch.arange(0, 16, 2, dtype=torch.float64) / 16)
    cos, sin = torch.cat([ang, ang]).cos(), torch.cat([ang, ang]).sin()
    q_hf = q_hf * cos + llm_ref.rotate_half(q_hf) * sin
    d = max_diff(llm_ref.unpermute_heads(q_file.reshape(64), 4), q_hf.reshape(64))
    check(d < 1e-12, "adjacent-pair RoPE on llama rows != rotate_half on HF rows (%g)" % d)
    # Whole model: llama == qwen2 with its q/k/v biases removed.
    llama = llm_ref.Model(make("llama_f32", "--arch", "llama"))
    qwen = llm_ref.Model(make("qwen2_f32", "--arch", "qwen2"))
    for key in [k for k in qwen.w if k.endswith(".bias")]:
        del qwen.w[key]
    d = max_diff(llama.logits([PROMPT])[0], qwen.logits([PROMPT])[0])
    check(d < 1e-9, "llama logits differ from bias-free qwen2 logits by %g" % d)


# Relative RMS error of each type's weights against the f32 model's (about twice what
# round-to-nearest gives), and the file type its matrices must have.
TYPES = {"f32": 1e-7, "f16": 1e-3, "bf16": 8e-3, "q8_0": 0.01, "q5_0": 0.06, "q5_1": 0.06,
         "q4_0": 0.12, "q4_1": 0.12, "q6_K": 0.03, "q5_K": 0.06, "q4_K": 0.12}
TYPE_IDS = {"f32": 0, "f16": 1, "bf16": 30, "q8_0": 8, "q5_0": 6, "q5_1": 7, "q4_0": 2,
            "q4_1": 3, "q6_K": 14, "q5_K": 13, "q4_K": 12}


def test_every_type():
    shape = ["--embd", "256", "--ff", "512", "--heads", "4", "--kv-heads", "2"]
    ref = llm_ref.Model(make("wide_f32", *shape))
    ref_logits = ref.logits([PROMPT])[0]
    for wtype, tol in TYPES.items():
        path = make("wide_" + wtype, *shape, "--type", wtype)
        types = {t["name"]: t["type"] for t in read_gguf(path)[3]}
        check(types["blk.0.ffn_down.weight"] == TYPE_IDS[wtype] == types["token_embd.weight"],
              "%s: matrices stored as %s" % (wtype, types["blk.0.ffn_down.weight"]))
        m = llm_ref.Model(path)
        for name, w in ref.w.items():
            if w.dim() == 2:
                err = float(torch.sqrt(((m.w[name] - w) ** 2).mean() / (w ** 2).mean()))
                check(err < tol, "%s %s: relative error %g > %g" % (wtype, name, err, tol))
        got = m.logits([PROMPT])[0]
        corr = np.corrcoef(got.reshape(-1), ref_logits.reshape(-1))[0, 1]
        check(np.all(np.isfinite(got)) and corr > 0.9,
              "%s: logits correlate %g with the f32 model's" % (wtype, corr))


def test_not_degenerate():
    m = llm_ref.Model(make("qwen2", "--arch", "qwen2"))
    prompts = [[i, i + 40, i + 80] for i in (3, 30, 200, 500)]
    last = [r[-1] for r in m.logits(prompts)]
    stds = [float(np.std(r)) for r in last]
    check(all(0.3 < s < 10 for s in stds), "logit std per prompt %s not O(1)" % stds)
    check(len({int(np.argmax(r)) for r in last}) >= 3, "prompts share their argmax")
    gen = m.generate(prompts[:1], 12)[0]
    check(len(set(gen)) >= 4, "greedy generation collapses: %s" % gen)


def run_cli(*args):
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "llm_ref.py"),
                        *args], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, "llm_ref.py %s: exit %d %s" % (args, p.returncode, p.stderr))
    return p.stdout


def test_cli():
    path = make("qwen2vl", "--arch", "qwen2vl")
    m = llm_ref.Model(path)
    prompts = [PROMPT, PROMPT[:4]]
    out = json.loads(run_cli(path, "--tokens", " ".join(map(str, PROMPT)), "--tokens",
                             ",".join(map(str, PROMPT[:4]))))
    want = [r[-1] for r in m.logits(prompts)]
    check(max_diff(out["logits"], want) < 1e-12, "CLI last logits differ from the API")
    npy = os.path.join(TMP, "all.npy")
    pos = image_positions()
    run_cli(path, "--tokens", " ".join(map(str, PROMPT + [5, 6])), "--positions",
            json.dumps(pos.tolist()), "--all", "--npy", npy)
    check(max_diff(np.load(npy), m.logits([PROMPT + [5, 6]], [pos])[0]) < 1e-12,
          "CLI --positions --all --npy differs from the API")
    out = json.loads(run_cli(path, "--tokens", "1 2 3", "--generate", "4"))
    check(out["tokens"] == m.generate([[1, 2, 3]], 4), "CLI --generate differs from the API")


TESTS = [test_incremental, test_generate_matches_full_forwards, test_batch,
         test_mrope_text_equals_rope, test_mrope_sections_by_hand, test_gqa_by_hand,
         test_llama_permutation, test_every_type,
         test_not_degenerate, test_cli]

if __name__ == "__main__":
    run_tests(TESTS, failures, TMP)
