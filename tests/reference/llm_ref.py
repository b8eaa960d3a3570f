#!/usr/bin/python3
"""llm_ref.py - an independent PyTorch reference of the text decoders vkeve runs, written
from the Hugging Face model definitions (Qwen2ForCausalLM; the text model of
Qwen2VLForConditionalGeneration, whose rotary embedding takes 3 x N positions split by
mrope_section; LlamaForCausalLM), not from llama.cpp or vkeve's C code. The GGUF file is read
with gguf_read.py and dequantized with quant_ref.py. Everything is computed in float64.

What is taken from the file and how it maps to Hugging Face:
  - a GGUF tensor ne = [in, out] is the Linear weight [out, in]; token_embd ne = [embd, vocab]
    is the embedding table [vocab, embd]; without output.weight the head is token_embd (tied);
  - llama files store attn_q/attn_k rows permuted per head so that rotating adjacent pairs
    (x[2i], x[2i+1]) equals Hugging Face's rotate_half on the original rows: file row 2i + j
    of a head holds original row j * head_dim/2 + i. unpermute_heads() undoes it;
  - qwen2vl's {arch}.rope.dimension_sections are mrope_section (in rotated pairs; the 4th
    entry is 0 and unused).

    /usr/bin/python3 llm_ref.py MODEL.gguf --tokens "1 2 3" [--tokens "4 5" ...]
        [--positions '[[t...], [h...], [w...]]'] [--all] [--generate N] [--npy OUT.npy]
prints JSON: {"logits": one list per prompt (last position, or every position with --all)},
or with --generate N {"tokens": the N greedy tokens of each prompt}; --npy writes the logits
as an array instead ([prompts, vocab], or [positions, vocab] with --all and one prompt).
--positions (qwen2vl, one prompt) gives the M-RoPE position of every prompt token.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_read import read_gguf  # noqa: E402
from quant_ref import dequantize  # noqa: E402

F64 = torch.float64


class Config:
    """Hyperparameters from the GGUF metadata."""

    def __init__(self, kv, n_vocab):
        self.arch = kv["general.architecture"]
        if self.arch not in ("qwen2", "qwen2vl", "llama"):
            raise ValueError("unsupported architecture %r" % self.arch)
        a = self.arch + "."
        self.n_layer = kv[a + "block_count"]
        self.n_embd = kv[a + "embedding_length"]
        self.n_ff = kv[a + "feed_forward_length"]
        self.n_head = kv[a + "attention.head_count"]
        self.n_kv = kv[a + "attention.head_count_kv"]
        self.eps = kv[a + "attention.layer_norm_rms_epsilon"]
        self.theta = kv.get(a + "rope.freq_base", 10000.0)
        self.head_dim = kv.get(a + "attention.key_length", self.n_embd // self.n_head)
        self.n_vocab = n_vocab
        self.sections = None
        if self.arch == "qwen2vl":
            self.sections = list(kv[a + "rope.dimension_sections"][:3])
            if sum(self.sections) != self.head_dim // 2:
                raise ValueError("rope.dimension_sections %s do not sum to head_dim/2"
                                 % self.sections)


def plain_value(value):
    """A gguf_read value as a Python number, str or list."""
    if value[0] == 9:
        return [plain_value(v) for v in value[2]]
    if value[0] == 8:
        return value[1].decode("utf-8", "replace")
    return value[1]


def unpermute_heads(w, n_heads):
    """Rows of a llama attn_q/attn_k from the file's order back to Hugging Face's."""
    rows = w.shape[0]
    half = rows // n_heads // 2
    return w.reshape(n_heads, half, 2, *w.shape[1:]).transpose(1, 2).reshape(w.shape)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Cache:
    """Keys and values seen so far, per layer [batch, kv heads, length, head_dim], and which
    of those positions are real tokens (not padding)."""

    def __init__(self, n_layer):
        self.k = [None] * n_layer
        self.v = [None] * n_layer
        self.valid = None

    def length(self):
        return 0 if self.valid is None else self.valid.shape[1]


class Model:
    def __init__(self, path, kv_f16=False):
        """kv_f16 rounds keys (after RoPE) and values to float16 before attention uses them,
        as a cache that stores them in float16 does; everything else stays float64."""
        self.kv_f16 = kv_f16
        _, _, kvs, tensors = read_gguf(path)
        kv = {k: plain_value(v) for k, v in kvs}
        self.w = {}
        for t in tensors:
            values = dequantize(t["type"], t["data"]).astype(np.float64)
            shape = [n for n in reversed(t["ne"][:t["n_dims"]])]
            self.w[t["name"]] = torch.from_numpy(values.reshape(shape))
        self.cfg = Config(kv, self.w["token_embd.weight"].shape[0])
        if "output.weight" not in self.w:
            self.w["output.weight"] = self.w["token_embd.weight"]
        if self.cfg.arch == "llama":
            for i in range(self.cfg.n_layer):
                for name, heads in (("attn_q", self.cfg.n_head), ("attn_k", self.cfg.n_kv)):
                    key = "blk.%d.%s.weight" % (i, name)
                    self.w[key] = unpermute_heads(self.w[key], heads)

    # ---- the blocks, as in the Hugging Face modules ----------------------------------------

    def rms_norm(self, x, weight):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.cfg.eps) * weight

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        bias = self.w.get(name + ".bias")
        return y if bias is None else y + bias

    def cos_sin(self, positions):
        """positions [B, 3, T] -> cos, sin [B, 1, T, head_dim]. Plain RoPE uses row 0; M-RoPE
        takes each chunk of mrope_section * 2 from the t, h or w row in turn."""
        hd = self.cfg.head_dim
        inv_freq = 1.0 / self.cfg.theta ** (torch.arange(0, hd, 2, dtype=F64) / hd)
        freqs = positions.to(F64)[..., None] * inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        if self.cfg.sections is None:
            return cos[:, 0, None], sin[:, 0, None]
        split = self.cfg.sections * 2
        cos = torch.cat([c[:, i % 3] for i, c in enumerate(cos.split(split, dim=-1))], dim=-1)
        sin = torch.cat([s[:, i % 3] for i, s in enumerate(sin.split(split, dim=-1))], dim=-1)
        return cos[:, None], sin[:, None]

    def attention(self, x, layer, cos, sin, mask, cache):
        c = self.cfg
        b, t, _ = x.shape
        p = "blk.%d." % layer
        q = self.linear(x, p + "attn_q").view(b, t, c.n_head, c.head_dim).transpose(1, 2)
        k = self.linear(x, p + "attn_k").view(b, t, c.n_kv, c.head_dim).transpose(1, 2)
        v = self.linear(x, p + "attn_v").view(b, t, c.n_kv, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.kv_f16:
            k, v = k.half().to(F64), v.half().to(F64)
        if cache.k[layer] is not None:
            k = torch.cat([cache.k[layer], k], dim=2)
            v = torch.cat([cache.v[layer], v], dim=2)
        cache.k[layer], cache.v[layer] = k, v
        rep = c.n_head // c.n_kv  # repeat_kv: query head i reads kv head i // rep
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = q @ k.transpose(2, 3) / c.head_dim ** 0.5
        scores = scores.masked_fill(~mask[:, None], float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.linear(out.transpose(1, 2).reshape(b, t, c.n_head * c.head_dim),
                           p + "attn_output")

    def mlp(self, x, layer):
        p = "blk.%d." % layer
        gate = self.linear(x, p + "ffn_gate")
        return self.linear(torch.nn.functional.silu(gate) * self.linear(x, p + "ffn_up"),
                           p + "ffn_down")

    def forward(self, tokens, positions, valid, cache):
        """tokens [B, T] after the cache's tokens; positions [B, 3, T]; valid [B, T] False for
        padding. Returns logits [B, T, vocab] and extends the cache."""
        start = cache.length()
        cache.valid = valid if cache.valid is None else torch.cat([cache.valid, valid], dim=1)
        total = cache.valid.shape[1]
        query = torch.arange(start, total)[:, None]
        key = torch.arange(total)[None, :]
        # Causal over real keys; a padding query sees itself so its softmax stays finite.
        mask = (key <= query)[None] & (cache.valid[:, None, :] | (key == query)[None])
        cos, sin = self.cos_sin(positions)
        x = self.w["token_embd.weight"][tokens]
        for i in range(self.cfg.n_layer):
            p = "blk.%d." % i
            x = x + self.attention(self.rms_norm(x, self.w[p + "attn_norm.weight"]), i, cos,
                                   sin, mask, cache)
            x = x + self.mlp(self.rms_norm(x, self.w[p + "ffn_norm.weight"]), i)
        return self.rms_norm(x, self.w["output_norm.weight"]) @ self.w["output.weight"].T

    # ---- prompts ---------------------------------------------------------------------------

    def new_cache(self):
        return Cache(self.cfg.n_layer)

    def prefill(self, prompts, positions=None):
        """Left-pads a batch of prompts (lists of ids) and runs them. positions: per prompt
        None (text: 0, 1, 2 ... in all three rows) or a 3 x len array. Returns the cache,
        logits [B, T, vocab] and each prompt's next position (1 + its largest)."""
        n = max(len(p) for p in prompts)
        tokens = torch.zeros(len(prompts), n, dtype=torch.long)
        pos = torch.zeros(len(prompts), 3, n, dtype=torch.long)
        valid = torch.zeros(len(prompts), n, dtype=torch.bool)
        for b, prompt in enumerate(prompts):
            given = positions[b] if positions else None
            p = torch.arange(len(prompt)).expand(3, -1) if given is None else torch.as_tensor(given)
            tokens[b, n - len(prompt):] = torch.as_tensor(prompt, dtype=torch.long)
            pos[b, :, n - len(prompt):] = p
            valid[b, n - len(prompt):] = True
        cache = self.new_cache()
        logits = self.forward(tokens, pos, valid, cache)
        return cache, logits, pos.amax(dim=(1, 2)) + 1

    def logits(self, prompts, positions=None):
        """Each prompt's logits at every position, as [len, vocab] float64 arrays."""
        _, logits, _ = self.prefill(prompts, positions)
        n = logits.shape[1]
        return [logits[b, n - len(p):].numpy() for b, p in enumerate(prompts)]

    def step(self, cache, tokens, next_pos):
        """One token per prompt after the cache; returns logits [B, vocab]."""
        b = len(tokens)
        pos = next_pos[:, None, None].expand(b, 3, 1)
        tok = torch.as_tensor(tokens, dtype=torch.long)[:, None]
        return self.forward(tok, pos, torch.ones(b, 1, dtype=torch.bool), cache)[:, 0]

    def generate(self, prompts, n, positions=None):
        """n greedy tokens after each prompt, decoded with the KV cache."""
        cache, logits, next_pos = self.prefill(prompts, positions)
        out = []
        last = logits[:, -1]
        for _ in range(n):
            tokens = last.argmax(dim=-1)
            out.append(tokens.tolist())
            last = self.step(cache, tokens, next_pos)
            next_pos = next_pos + 1
        return [list(col) for col in zip(*out)] if out else [[] for _ in prompts]


def main():
    ap = argparse.ArgumentParser(description="PyTorch reference decoder for GGUF models")
    ap.add_argument("model")
    ap.add_argument("--tokens", action="append", required=True,
                    help="one prompt's token ids, space- or comma-separated (repeatable)")
    ap.add_argument("--positions", help="JSON 3 x N M-RoPE positions of a single prompt")
    ap.add_argument("--all", action="store_true", help="logits of every position")
    ap.add_argument("--generate", type=int, metavar="N", help="N greedy tokens per prompt")
    ap.add_argument("--npy", metavar="OUT", help="write logits as a .npy array")
    args = ap.parse_args()
    prompts = [[int(t) for t in s.replace(",", " ").split()] for s in args.tokens]
    positions = None
    if args.positions:
        if len(prompts) != 1:
            ap.error("--positions needs exactly one prompt")
        positions = [json.loads(args.positions)]
    model = Model(args.model)
    if args.generate is not None:
        print(json.dumps({"tokens": model.generate(prompts, args.generate, positions)}))
        return
    rows = model.logits(prompts, positions)
    rows = rows if args.all else [r[-1] for r in rows]
    if args.npy:
        if args.all and len(rows) != 1:
            ap.error("--npy with --all needs exactly one prompt")
        np.save(args.npy, rows[0] if args.all else np.stack(rows))
        return
    print(json.dumps({"logits": [r.tolist() for r in rows]}))


if __name__ == "__main__":
    main()
