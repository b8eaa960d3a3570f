#!/usr/bin/python3
"""sample_ref.py - an independent PyTorch reference for runtime/sample.c: the raw log-softmax
and Hugging Face's logits processors (repetition penalty, temperature, top-k, top-p, min-p),
written from their definitions in transformers' generation/logits_process.py.

    /usr/bin/python3 sample_ref.py IN OUT     computes every case of IN, writes OUT
    /usr/bin/python3 sample_ref.py --selftest checks the processors on cases worked by hand

IN (little-endian): int32 n_cases, then per case int32 n_vocab, top_k, n_history, n_top;
float32 temperature, top_p, min_p, repetition_penalty; float32 logits[n_vocab];
int32 history[n_history].
OUT, per case: int32 n_top, int32 ids[n_top], float64 logprobs[n_top] (the most likely tokens
of the raw log-softmax, ties by id); float64 logsoftmax[n_vocab]; int32 n_kept, int32
kept[n_kept], float64 probs[n_kept] (the tokens the processors leave finite, in descending
probability with ties by id, and their softmax).

Scores stay float32 through the penalty and the temperature, as in HF on float32 logits;
softmax and cumulative sums are float64 (HF uses float32 there). HF's top-p sorts with
torch.sort, whose order among equal scores is unspecified; here ties sort by id (a lower id
counts as more likely), the order runtime/sample.h defines.
"""
import struct
import sys

import numpy as np
import torch


def repetition_penalty(scores, history, penalty):
    """RepetitionPenaltyLogitsProcessor: every distinct id of the history, once."""
    if penalty == 1.0 or len(history) == 0:
        return scores
    ids = torch.tensor(history, dtype=torch.long)
    picked = torch.gather(scores, 0, ids)
    picked = torch.where(picked < 0, picked * penalty, picked / penalty)
    return scores.scatter(0, ids, picked)


def top_k(scores, k):
    """TopKLogitsWarper: removes what is below the k-th largest score (ties stay)."""
    k = min(max(k, 1), scores.numel())
    kth = torch.topk(scores, k).values[-1]
    return scores.masked_fill(scores < kth, -float("inf"))


def ascending_order(scores):
    """Indices sorting scores ascending, equal scores by descending id (the reverse of the
    sampling order: higher score first, then lower id)."""
    s = scores.numpy()
    return torch.from_numpy(np.lexsort((-np.arange(s.size), s)).copy())


def top_p(scores, p):
    """TopPLogitsWarper: removes the ascending tail whose cumulative probability <= 1 - p,
    keeping at least the most likely token."""
    order = ascending_order(scores)
    probs = torch.softmax(scores[order].double(), dim=-1)
    remove = torch.cumsum(probs, dim=-1) <= 1 - p
    remove[-1] = False
    out = scores.clone()
    out[order[remove]] = -float("inf")
    return out


def min_p(scores, p):
    """MinPLogitsWarper: removes tokens whose probability is below p times the largest one's,
    keeping at least the most likely token."""
    probs = torch.softmax(scores.double(), dim=-1)
    remove = probs < p * probs.max()
    remove[ascending_order(scores)[-1]] = False
    return scores.masked_fill(remove, -float("inf"))


def processed(logits, history, prm):
    """The scores HF samples from, or the greedy choice (as a one-token set)."""
    temperature, k, tp, mp, rp = prm
    s = repetition_penalty(torch.from_numpy(logits.copy()), history, rp)
    if temperature <= 0:
        best = int(np.argmax(s.numpy()))  # the first maximum: the lowest id
        return s.masked_fill(torch.arange(s.numel()) != best, -float("inf")), True
    if temperature != 1.0:
        s = s / torch.tensor(temperature, dtype=torch.float32)
    if k > 0:
        s = top_k(s, k)
    if tp < 1.0:
        s = top_p(s, tp)
    if mp > 0:
        s = min_p(s, mp)
    return s, False


def distribution(logits, history, prm):
    """Kept ids in sampling order and their probabilities."""
    s, greedy = processed(logits, history, prm)
    kept = torch.nonzero(s > -float("inf")).flatten()
    order = ascending_order(s[kept]).flip(0)
    ids = kept[order]
    if greedy:
        return ids.numpy(), np.ones(1)
    probs = torch.softmax(s[ids].double(), dim=-1)
    return ids.numpy(), probs.numpy()


def top_logprobs(logits, n):
    lsm = torch.log_softmax(torch.from_numpy(logits).double(), dim=-1).numpy()
    order = np.lexsort((np.arange(lsm.size), -lsm))[:n]
    return order, lsm[order], lsm


def read_cases(path):
    data = open(path, "rb").read()
    (n_cases,), at = struct.unpack_from("<i", data, 0), 4
    cases = []
    for _ in range(n_cases):
        n, k, nh, ntop = struct.unpack_from("<4i", data, at)
        t, tp, mp, rp = struct.unpack_from("<4f", data, at + 16)
        at += 32
        logits = np.frombuffer(data, "<f4", n, at).copy()
        at += 4 * n
        history = list(np.frombuffer(data, "<i4", nh, at))
        at += 4 * nh
        cases.append((logits, history, (t, k, tp, mp, rp), ntop))
    return cases


def run(inp, outp):
    with open(outp, "wb") as f:
        for logits, history, prm, ntop in read_cases(inp):
            ids, lps, lsm = top_logprobs(logits, ntop)
            f.write(struct.pack("<i", len(ids)) + ids.astype("<i4").tobytes())
            f.write(lps.astype("<f8").tobytes() + lsm.astype("<f8").tobytes())
            kept, probs = distribution(logits, history, prm)
            f.write(struct.pack("<i", len(kept)) + kept.astype("<i4").tobytes())
            f.write(probs.astype("<f8").tobytes())


def selftest():
    """Processors on cases worked out from their definitions."""
    f32 = lambda xs: np.array(xs, dtype=np.float32)  # noqa: E731
    fails = []

    def check(what, got, want):
        if list(got) != list(want):
            fails.append(f"{what}: got {list(got)}, want {list(want)}")

    lg = np.log(f32([0.5, 0.3, 0.2]))
    check("top_p 0.6", distribution(lg, [], (1.0, 0, 0.6, 0, 1.0))[0], [0, 1])
    check("top_p 0.3", distribution(lg, [], (1.0, 0, 0.3, 0, 1.0))[0], [0])
    check("top_p 0.9", distribution(lg, [], (1.0, 0, 0.9, 0, 1.0))[0], [0, 1, 2])
    check("top_p 0", distribution(lg, [], (1.0, 0, 0.0, 0, 1.0))[0], [0])
    check("min_p 0.5", distribution(lg, [], (1.0, 0, 1.0, 0.5, 1.0))[0], [0, 1])
    check("min_p 1", distribution(lg, [], (1.0, 0, 1.0, 1.0, 1.0))[0], [0])
    ties = f32([1, 3, 3, 2])
    check("top_k 2 ties", distribution(ties, [], (1.0, 2, 1.0, 0, 1.0))[0], [1, 2])
    check("top_k 1 ties", distribution(ties, [], (1.0, 1, 1.0, 0, 1.0))[0], [1, 2])
    check("top_k 3", distribution(ties, [], (1.0, 3, 1.0, 0, 1.0))[0], [1, 2, 3])
    check("greedy ties", distribution(ties, [], (0.0, 0, 1.0, 0, 1.0))[0], [1])
    pen = repetition_penalty(torch.from_numpy(f32([2, -2, 1, 0.5])), [0, 1, 0], 2.0)
    check("penalty", pen.numpy(), [1, -4, 1, 0.5])
    check("greedy penalty", distribution(f32([2, 1.5]), [0], (0.0, 0, 1.0, 0, 2.0))[0], [1])
    ids, probs = distribution(f32([0, np.log(3)]), [], (1.0, 0, 1.0, 0, 1.0))
    if list(ids) != [1, 0] or abs(probs[0] - 0.75) > 1e-7:
        fails.append(f"softmax: {list(ids)} {list(probs)}")
    t_ids, t_lp, _ = top_logprobs(f32([0, 1, 1, -1]), 3)
    check("top logprobs order", t_ids, [1, 2, 0])
    for f in fails:
        print("FAIL", f)
    print(f"sample_ref selftest: {'FAILED' if fails else 'ok'}")
    return 1 if fails else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        sys.exit(selftest())
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run(sys.argv[1], sys.argv[2])
