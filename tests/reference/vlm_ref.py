#!/usr/bin/python3
"""vlm_ref.py - an independent PyTorch reference of the Qwen2-VL and Qwen2.5-VL vision towers
and of multimodal prompts, written from the Hugging Face model definitions
(modeling_qwen2_vl.py: PatchEmbed, VisionRotaryEmbedding, VisionAttention, Qwen2VLVisionBlock,
PatchMerger, Qwen2VisionTransformerPretrainedModel, Qwen2VLModel.get_rope_index;
modeling_qwen2_5_vl.py: Qwen2RMSNorm, Qwen2_5_VLMLP, get_window_index and the windowed
forward), not from llama.cpp or vkeve's C code. Everything is computed in float64.

What is taken from the mmproj file (read with gguf_read.py, dequantized with quant_ref.py) and
how it maps to Hugging Face:
  - v.patch_embd.weight and .weight.1 (ne [14, 14, 3, E]) are the Conv3d kernel's temporal
    slices 0 and 1 ([E, 3, 2, 14, 14]); a GGUF Linear ne [in, out] is the weight [out, in];
    q/k/v are the rows of the fused qkv; ffn_up/ffn_down are Qwen2-VL's fc1/fc2, ffn_gate/
    ffn_up/ffn_down Qwen2.5-VL's gate/up/down; v.post_ln is the merger's ln_q, mm.0 and mm.2
    its two Linear layers;
  - clip.projector_type picks the family: qwen2vl_merger (LayerNorm, quick-GELU) or
    qwen2.5vl_merger (RMSNorm, SwiGLU, windows of 112 px; layers l with
    (l + 1) % clip.vision.n_wa_pattern == 0 attend globally, as fullatt_block_indexes);
  - the merger's GELU is the exact (erf) one, as in Hugging Face.
Pixels come from vlm_pre_ref.py (Hugging Face's processor); the text decoder is llm_ref.py.

    vlm_ref.py embed MMPROJ IMAGE [--min-pixels N] [--max-pixels N] [--kv-f16] OUT.npy
        writes the image's embeddings [merged tokens, text n_embd] (float64, raster order over
        the merged grid); prints {"grid": [1, h, w], "rows": n}
    vlm_ref.py prompt MODEL MMPROJ SPEC.json OUT.json [--kv-f16]
        SPEC: {"ids": [...], "images": ["a.png", ...] (relative to SPEC's folder),
               "min_pixels": N, "max_pixels": N, "greedy": n, "expand_pads": false}
        ids hold one <|image_pad|> per merged token of each image, after <|vision_start|>;
        with "expand_pads": true each image has a single <|image_pad|> that is expanded.
        OUT: {"ids": the ids run, "grids": [[1, h, w], ...], "positions": [[t, h, w, 0], ...],
              "logits": the last token's, "greedy": n greedy tokens}
    vlm_ref.py selftest [--vkeve BIN]
        the checks that make this reference worth trusting; with BIN, also on the files
        `BIN make-model --mmproj` writes

--kv-f16 rounds keys (after RoPE) and values to float16 before attention uses them, in the
vision tower and the decoder, as vkeve's attention stores them.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import llm_ref  # noqa: E402
import vlm_pre_ref  # noqa: E402
from gguf_read import GGUFError, read_gguf  # noqa: E402
from quant_ref import dequantize  # noqa: E402

F64 = torch.float64
PATCH, MERGE = 14, 2
WINDOW = 112  # Qwen2.5-VL's window_size in pixels; the converter writes no key for it
ROPE_THETA = 10000.0
HF_MIN_PIXELS, HF_MAX_PIXELS = 3136, 12845056  # Qwen2-VL's preprocessor_config defaults
PROJECTORS = ("qwen2vl_merger", "qwen2.5vl_merger")


class VisionConfig:
    """Hyperparameters from the mmproj metadata; widths from the tensors."""

    def __init__(self, kv, w):
        self.projector = kv.get("clip.vision.projector_type", kv.get("clip.projector_type"))
        if self.projector not in PROJECTORS:
            raise ValueError("unsupported projector %r" % self.projector)
        self.qwen25 = self.projector == "qwen2.5vl_merger"
        if kv.get("clip.use_gelu") or bool(kv.get("clip.use_silu")) != self.qwen25:
            raise ValueError("%s with use_gelu/use_silu keys Hugging Face's model does not have"
                             % self.projector)
        self.n_embd = kv["clip.vision.embedding_length"]
        self.n_head = kv["clip.vision.attention.head_count"]
        self.head_dim = self.n_embd // self.n_head
        self.n_layer = kv["clip.vision.block_count"]
        self.eps = kv["clip.vision.attention.layer_norm_epsilon"]
        self.n_wa_pattern = kv["clip.vision.n_wa_pattern"] if self.qwen25 else 0
        if self.qwen25 and self.n_wa_pattern < 1:
            raise ValueError("clip.vision.n_wa_pattern %d is not positive" % self.n_wa_pattern)
        self.window = kv.get("clip.vision.window_size", WINDOW)
        self.mean = kv["clip.vision.image_mean"]
        self.std = kv["clip.vision.image_std"]
        self.n_out = w["mm.2.bias"].shape[0]
        if self.head_dim % 4 or self.head_dim * self.n_head != self.n_embd:
            raise ValueError("width %d over %d heads is not a head dimension that divides by 4"
                             % (self.n_embd, self.n_head))

    def full_attention(self, layer):
        """Qwen2-VL: every layer; Qwen2.5-VL: fullatt_block_indexes."""
        return not self.qwen25 or (layer + 1) % self.n_wa_pattern == 0


def read_mmproj(path):
    """(metadata dict, weights dict of float64 tensors in Hugging Face's shapes)."""
    _, _, kvs, tensors = read_gguf(path)
    kv = {k: llm_ref.plain_value(v) for k, v in kvs}
    w = {}
    for t in tensors:
        values = dequantize(t["type"], t["data"]).astype(np.float64)
        w[t["name"]] = torch.from_numpy(values.reshape(list(reversed(t["ne"][:t["n_dims"]]))))
    return kv, w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def block_mask(cu_seqlens, n):
    """The attention mask of cu_seqlens: token i sees j when both lie in one segment."""
    segment = torch.zeros(n, dtype=torch.long)
    for s in cu_seqlens[1:-1]:
        segment[s:] += 1
    return segment[:, None] == segment[None, :]


class Vision:
    """Qwen2VisionTransformerPretrainedModel / Qwen2_5_VisionTransformerPretrainedModel."""

    def __init__(self, kv, w, kv_f16=False):
        self.cfg = VisionConfig(kv, w)
        self.w = w
        self.kv_f16 = kv_f16
        # The Conv3d weight [E, 3, 2, 14, 14]; its stride is its size.
        self.conv3d = torch.stack([w["v.patch_embd.weight"], w["v.patch_embd.weight.1"]], dim=2)

    @classmethod
    def from_gguf(cls, path, kv_f16=False):
        kv, w = read_mmproj(path)
        return cls(kv, w, kv_f16)

    # ---- the modules -----------------------------------------------------------------------

    def patch_embed(self, pixels):
        """PatchEmbed: rows of 3 x 2 x 14 x 14 pixels through Conv3d (no bias) -> [N, E]."""
        x = pixels.view(-1, 3, 2, PATCH, PATCH)
        return torch.nn.functional.conv3d(x, self.conv3d, stride=(2, PATCH, PATCH)).view(
            -1, self.cfg.n_embd)

    def rotary(self, seqlen):
        """VisionRotaryEmbedding(head_dim / 2): angle of position p, frequency j < head_dim/4."""
        dim = self.cfg.head_dim // 2
        inv_freq = 1.0 / ROPE_THETA ** (torch.arange(0, dim, 2, dtype=F64) / dim)
        return torch.outer(torch.arange(seqlen, dtype=F64), inv_freq)

    def rot_pos_emb(self, gh, gw):
        """Each patch's angles [N, head_dim/2]: row frequencies, then column frequencies, the
        patches in 2x2 merge order."""
        hpos = torch.arange(gh)[:, None].expand(-1, gw)
        wpos = torch.arange(gw)[None, :].expand(gh, -1)
        merge_order = [p.reshape(gh // MERGE, MERGE, gw // MERGE, MERGE).permute(0, 2, 1, 3)
                       .flatten() for p in (hpos, wpos)]
        pos_ids = torch.stack(merge_order, dim=-1)
        return self.rotary(max(gh, gw))[pos_ids].flatten(1)

    def get_window_index(self, gh, gw):
        """Qwen2.5-VL: merged tokens regrouped window by window (window_index) and the
        windows' boundaries in patches (cu_window_seqlens)."""
        side = self.cfg.window // MERGE // PATCH
        lh, lw = gh // MERGE, gw // MERGE
        index = torch.arange(lh * lw).reshape(1, lh, lw)
        pad_h, pad_w = side - lh % side, side - lw % side
        nh, nw = (lh + pad_h) // side, (lw + pad_w) // side
        padded = torch.nn.functional.pad(index, (0, pad_w, 0, pad_h), "constant", -100)
        padded = padded.reshape(1, nh, side, nw, side).permute(0, 1, 3, 2, 4)
        padded = padded.reshape(1, nh * nw, side, side)
        seqlens = (padded != -100).sum([2, 3]).reshape(-1)
        padded = padded.reshape(-1)
        window_index = padded[padded != -100]
        cu = [0] + (seqlens.cumsum(0) * MERGE * MERGE).tolist()
        return window_index, torch.unique_consecutive(torch.tensor(cu)).tolist()

    def norm(self, x, name):
        """LayerNorm (Qwen2-VL) or Qwen2RMSNorm (Qwen2.5-VL)."""
        w = self.w[name + ".weight"]
        if self.cfg.qwen25:
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.cfg.eps) * w
        mean = x.mean(-1, keepdim=True)
        var = (x - mean).pow(2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.cfg.eps) * w + self.w[name + ".bias"]

    def linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def attention(self, x, layer, cos, sin, mask):
        """VisionAttention: q, k, v [N, heads, head_dim], 2-D RoPE on q and k, softmax over the
        keys the boolean mask [N, N] allows, scaled by 1/sqrt(head_dim). One head at a time,
        so that a large image's scores fit in memory."""
        c, p = self.cfg, "v.blk.%d." % layer
        n = x.shape[0]
        q, k, v = (self.linear(x, p + name).view(n, c.n_head, c.head_dim)
                   for name in ("attn_q", "attn_k", "attn_v"))
        q = q * cos[:, None] + rotate_half(q) * sin[:, None]
        k = k * cos[:, None] + rotate_half(k) * sin[:, None]
        if self.kv_f16:
            k, v = k.half().to(F64), v.half().to(F64)
        heads = []
        for h in range(c.n_head):
            scores = (q[:, h] @ k[:, h].T / c.head_dim ** 0.5).masked_fill(~mask, float("-inf"))
            heads.append(torch.softmax(scores, dim=-1) @ v[:, h])
        return self.linear(torch.cat(heads, dim=-1), p + "attn_out")

    def mlp(self, x, layer):
        """VisionMlp: fc2(quick_gelu(fc1 x)); Qwen2_5_VLMLP: down(silu(gate x) * up x)."""
        p = "v.blk.%d." % layer
        if self.cfg.qwen25:
            gate = torch.nn.functional.silu(self.linear(x, p + "ffn_gate"))
            return self.linear(gate * self.linear(x, p + "ffn_up"), p + "ffn_down")
        up = self.linear(x, p + "ffn_up")
        return self.linear(up * torch.sigmoid(1.702 * up), p + "ffn_down")

    def block(self, x, layer, cos, sin, mask):
        """Qwen2VLVisionBlock / Qwen2_5_VLVisionBlock (pre-norm residual)."""
        p = "v.blk.%d." % layer
        x = x + self.attention(self.norm(x, p + "ln1"), layer, cos, sin, mask)
        return x + self.mlp(self.norm(x, p + "ln2"), layer)

    def merger(self, x):
        """PatchMerger: ln_q, 2x2 neighbours concatenated, Linear, exact GELU, Linear."""
        x = self.norm(x, "v.post_ln").view(-1, self.cfg.n_embd * MERGE * MERGE)
        return self.linear(torch.nn.functional.gelu(self.linear(x, "mm.0")), "mm.2")

    # ---- the whole tower -------------------------------------------------------------------

    def embed(self, pixel_values, grid_thw):
        """pixel_values [gh * gw, 3 * 2 * 14 * 14] in merge order, grid_thw (1, gh, gw) ->
        [gh/2 * gw/2, n_out] float64, raster order over the merged grid."""
        t, gh, gw = (int(v) for v in grid_thw)
        if t != 1 or gh % MERGE or gw % MERGE:
            raise ValueError("grid %s: still images with even sides only" % (grid_thw,))
        x = self.patch_embed(torch.as_tensor(pixel_values).to(F64))
        angles = self.rot_pos_emb(gh, gw)
        n, unit = gh * gw, MERGE * MERGE
        full = torch.ones(n, n, dtype=torch.bool)
        window_index = torch.arange(n // unit)
        windowed = full
        if self.cfg.qwen25:
            window_index, cu_window_seqlens = self.get_window_index(gh, gw)
            x = x.view(n // unit, unit, -1)[window_index].reshape(n, -1)
            angles = angles.view(n // unit, unit, -1)[window_index].reshape(n, -1)
            windowed = block_mask(cu_window_seqlens, n)
        emb = torch.cat([angles, angles], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        for layer in range(self.cfg.n_layer):
            mask = full if self.cfg.full_attention(layer) else windowed
            x = self.block(x, layer, cos, sin, mask)
        return self.merger(x)[torch.argsort(window_index)]


def embed(mmproj_path, pixel_values, grid_thw, kv_f16=False):
    """The image's embeddings [merged tokens, text n_embd] as a float64 array."""
    return Vision.from_gguf(mmproj_path, kv_f16).embed(pixel_values, grid_thw).numpy()


def preprocess(vision, path, min_pixels, max_pixels):
    """pixel_values and grid of an image file, normalised with the mmproj's mean and std."""
    return vlm_pre_ref.preprocess(Image.open(path), min_pixels, max_pixels, vision.cfg.mean,
                                  vision.cfg.std)


# ---- multimodal prompts --------------------------------------------------------------------

def rope_index(ids, grids, image_pad):
    """Qwen2VLModel.get_rope_index for text and still images: a [4, len] array of (t, h, w)
    positions and a 4th row of zeros. Text continues one past the largest position so far;
    image token (r, c) of a merged grid starting at p0 is (p0, p0 + r, p0 + c)."""
    rows, start, at = [], 0, 0
    for _, gh, gw in grids:
        pad = ids.index(image_pad, at)
        lh, lw = gh // MERGE, gw // MERGE
        rows.append(torch.arange(pad - at).expand(3, -1) + start)
        start += pad - at
        grid = torch.stack([torch.zeros(lh, lw, dtype=torch.long),
                            torch.arange(lh)[:, None].expand(-1, lw),
                            torch.arange(lw)[None, :].expand(lh, -1)]).reshape(3, -1)
        rows.append(grid + start)
        start += max(lh, lw)
        at = pad + lh * lw
    rows.append(torch.arange(len(ids) - at).expand(3, -1) + start)
    pos = torch.cat(rows, dim=1)
    return torch.cat([pos, torch.zeros(1, len(ids), dtype=torch.long)])


def special_ids(model_path):
    """The ids of <|image_pad|>, <|vision_start|> and <|vision_end|> in the model's vocab."""
    _, _, kvs, _ = read_gguf(model_path)
    tokens = [s.decode("utf-8", "replace") for _, s in dict(kvs)["tokenizer.ggml.tokens"][2]]
    return [tokens.index(t) for t in ("<|image_pad|>", "<|vision_start|>", "<|vision_end|>")]


class Prompt:
    """A text decoder (llm_ref.Model, qwen2vl) and a vision tower (Vision) run together: the
    image rows replace the <|image_pad|> rows of the token embeddings, in order, and every
    token gets get_rope_index's position."""

    def __init__(self, model_path, mmproj_path, kv_f16=False):
        self.model = llm_ref.Model(model_path, kv_f16)
        self.vision = Vision.from_gguf(mmproj_path, kv_f16)
        if self.model.cfg.sections is None:
            raise ValueError("%s: image prompts need a qwen2vl text model" % model_path)
        if self.vision.cfg.n_out != self.model.cfg.n_embd:
            raise ValueError("projector output %d != text n_embd %d"
                             % (self.vision.cfg.n_out, self.model.cfg.n_embd))
        self.image_pad, self.vision_start, self.vision_end = special_ids(model_path)

    def expand_pads(self, ids, grids):
        """ids with each image's single <|image_pad|> repeated once per merged token."""
        out, sizes = [], [gh * gw // (MERGE * MERGE) for _, gh, gw in grids]
        for token in ids:
            out += [token] * (sizes.pop(0) if token == self.image_pad and sizes else 1)
        return out

    def check_ids(self, ids, grids):
        """Each image is <|vision_start|> then one <|image_pad|> per merged token, in order."""
        runs, at = [], 0
        while self.image_pad in ids[at:]:
            start = at = ids.index(self.image_pad, at)
            while at < len(ids) and ids[at] == self.image_pad:
                at += 1
            runs.append((start, at - start))
        want = [gh * gw // (MERGE * MERGE) for _, gh, gw in grids]
        if [n for _, n in runs] != want:
            raise ValueError("runs of %s <|image_pad|>, the images need %s"
                             % ([n for _, n in runs], want))
        for start, _ in runs:
            if start == 0 or ids[start - 1] != self.vision_start:
                raise ValueError("the <|image_pad|> at %d does not follow <|vision_start|>" % start)

    def run(self, ids, images, min_pixels=HF_MIN_PIXELS, max_pixels=HF_MAX_PIXELS, greedy=0,
            expand_pads=False):
        """images: file paths. Returns the dict the prompt command writes."""
        pre = [preprocess(self.vision, p, min_pixels, max_pixels) for p in images]
        grids = [list(g) for _, g in pre]
        ids = self.expand_pads(ids, grids) if expand_pads else list(ids)
        self.check_ids(ids, grids)
        rows = [self.vision.embed(pixels, grid) for pixels, grid in pre]
        positions = rope_index(ids, grids, self.image_pad)
        logits, tokens = self.decode(ids, rows, positions[:3], greedy)
        return {"ids": ids, "grids": grids, "positions": positions.T.tolist(),
                "logits": logits.tolist(), "greedy": tokens}

    def decode(self, ids, image_rows, positions, greedy):
        """The last token's logits and `greedy` tokens after the prompt. llm_ref's decoder
        gathers rows of token_embd, so the image rows are appended to a copy of that table
        under ids past the vocabulary and each <|image_pad|> is given the next such id."""
        table = self.model.w["token_embd.weight"]
        vocab, spliced, extra = table.shape[0], list(ids), 0
        for i, token in enumerate(ids):
            if token == self.image_pad:
                spliced[i], extra = vocab + extra, extra + 1
        self.model.w["token_embd.weight"] = torch.cat([table, *image_rows]) if image_rows else table
        try:
            logits = self.model.logits([spliced], [positions])[0][-1]
            tokens = self.model.generate([spliced], greedy, [positions])[0] if greedy else []
        finally:
            self.model.w["token_embd.weight"] = table
        return logits, tokens


# ---- self-test -----------------------------------------------------------------------------

def random_vision(projector, n_layer=2, n_embd=32, n_head=2, n_ff=48, n_out=24, seed=0,
                  n_wa_pattern=2):
    """A Vision with random weights of make-model's scales, without any file."""
    g = torch.Generator().manual_seed(seed)
    qwen25 = projector == "qwen2.5vl_merger"

    def normal(*shape, scale=1.0, mean=0.0):
        return mean + scale * torch.randn(*shape, generator=g, dtype=F64)

    w = {"v.patch_embd.weight": normal(n_embd, 3, PATCH, PATCH, scale=588 ** -0.5),
         "v.patch_embd.weight.1": normal(n_embd, 3, PATCH, PATCH, scale=588 ** -0.5)}

    def linear(name, n_in, n_outputs):
        w[name + ".weight"] = normal(n_outputs, n_in, scale=n_in ** -0.5)
        w[name + ".bias"] = normal(n_outputs, scale=0.1)

    def norm(name):
        w[name + ".weight"] = normal(n_embd, scale=0.1, mean=1.0)
        if not qwen25:
            w[name + ".bias"] = normal(n_embd, scale=0.1)

    for layer in range(n_layer):
        p = "v.blk.%d." % layer
        norm(p + "ln1")
        norm(p + "ln2")
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            linear(p + name, n_embd, n_embd)
        for name in ("ffn_gate", "ffn_up") if qwen25 else ("ffn_up",):
            linear(p + name, n_embd, n_ff)
        linear(p + "ffn_down", n_ff, n_embd)
    norm("v.post_ln")
    linear("mm.0", 4 * n_embd, 4 * n_embd)
    linear("mm.2", 4 * n_embd, n_out)
    kv = {"clip.projector_type": projector, "clip.use_silu": qwen25,
          "clip.vision.embedding_length": n_embd, "clip.vision.attention.head_count": n_head,
          "clip.vision.block_count": n_layer, "clip.vision.attention.layer_norm_epsilon": 1e-6,
          "clip.vision.n_wa_pattern": n_wa_pattern, "clip.vision.image_mean": vlm_pre_ref.CLIP_MEAN,
          "clip.vision.image_std": vlm_pre_ref.CLIP_STD}
    return Vision(kv, w)


def patch_rows_cols(gh, gw):
    """(row, col) of each patch in 2x2 merge order, from the order's definition: index
    ((by * gw/2 + bx) * 2 + dy) * 2 + dx is the patch at (2 by + dy, 2 bx + dx)."""
    out = []
    for i in range(gh * gw):
        block, inner = divmod(i, MERGE * MERGE)
        by, bx = divmod(block, gw // MERGE)
        out.append((MERGE * by + inner // MERGE, MERGE * bx + inner % MERGE))
    return out


def brute_window_mask(gh, gw):
    """Patches attend within 8 x 8-patch (112 px) windows: the same (row // 8, col // 8)."""
    ids = [(r // 8, c // 8) for r, c in patch_rows_cols(gh, gw)]
    return torch.tensor([[a == b for b in ids] for a in ids])


class SelfTest:
    def __init__(self):
        self.failures = []

    def check(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL", what)

    def window_partition(self):
        """get_window_index's permutation and segments give the brute-force window mask."""
        v = random_vision("qwen2.5vl_merger")
        for gh, gw in ((2, 2), (8, 8), (16, 16), (18, 26), (10, 4), (34, 20), (6, 40)):
            index, cu = v.get_window_index(gh, gw)
            n, unit = gh * gw, MERGE * MERGE
            self.check(sorted(index.tolist()) == list(range(n // unit)),
                       "window index %dx%d is not a permutation" % (gh, gw))
            order = (index[:, None] * unit + torch.arange(unit)).reshape(-1)
            permuted = block_mask(cu, n)
            raster = torch.zeros(n, n, dtype=torch.bool)
            raster[order[:, None], order[None, :]] = permuted
            self.check(torch.equal(raster, brute_window_mask(gh, gw)),
                       "windows of a %dx%d grid differ from the 8x8-patch partition" % (gh, gw))

    def windowed_equals_masked(self):
        """The Hugging Face forward (regroup by window, segments, un-permute after the merger)
        equals attention masked by window in merge order; global layers differ from windowed."""
        v = random_vision("qwen2.5vl_merger", n_layer=3)
        gh, gw = 12, 20
        pixels = torch.randn(gh * gw, 3 * 2 * PATCH * PATCH, dtype=F64,
                             generator=torch.Generator().manual_seed(1))
        got = v.embed(pixels, (1, gh, gw))
        x = v.patch_embed(pixels)
        angles = v.rot_pos_emb(gh, gw)
        emb = torch.cat([angles, angles], dim=-1)
        windows = brute_window_mask(gh, gw)
        full = torch.ones_like(windows)
        for layer in range(3):
            x = v.block(x, layer, emb.cos(), emb.sin(), full if layer == 1 else windows)
        want = v.merger(x)
        self.check(float((got - want).abs().max()) < 1e-10,
                   "windowed forward differs from the masked one by %g"
                   % float((got - want).abs().max()))
        v.cfg.n_wa_pattern = 1
        self.check(float((v.embed(pixels, (1, gh, gw)) - got).abs().max()) > 1e-3,
                   "windows change nothing on a 12x20 grid")

    def rope(self):
        """2-D RoPE keeps norms, and rotates pair (k, k + d/2) by row * inv[k] for k < d/4 and
        col * inv[k - d/4] after, inv[j] = 10000^(-4j/d), the patch's (row, col) worked out
        from the merge order."""
        v = random_vision("qwen2vl_merger", n_embd=64, n_head=4)
        d, gh, gw = 16, 6, 10
        angles = v.rot_pos_emb(gh, gw)
        emb = torch.cat([angles, angles], dim=-1)
        x = torch.randn(gh * gw, d, dtype=F64, generator=torch.Generator().manual_seed(2))
        y = x * emb.cos() + rotate_half(x) * emb.sin()
        self.check(torch.allclose(y.norm(dim=-1), x.norm(dim=-1), rtol=1e-12, atol=0),
                   "2-D RoPE changes vector norms")
        for i, (row, col) in enumerate(patch_rows_cols(gh, gw)):
            for k in range(d // 2):
                j = k if k < d // 4 else k - d // 4
                theta = (row if k < d // 4 else col) * 10000.0 ** (-4.0 * j / d)
                a, b = x[i, k], x[i, k + d // 2]
                cos, sin = np.cos(theta), np.sin(theta)
                want = (a * cos - b * sin, a * sin + b * cos)
                if abs(y[i, k] - want[0]) + abs(y[i, k + d // 2] - want[1]) > 1e-12:
                    self.check(False, "patch %d pair %d rotated by the wrong angle" % (i, k))
                    return

    def positions(self):
        """get_rope_index on a two-image prompt, and with the images swapped, worked by hand:
        text (P, P, P), image (p0, p0 + r, p0 + c), then P = p0 + max(rows, cols)."""
        T, S, E, I = 10, 20, 21, 30  # text, <|vision_start|>, <|vision_end|>, <|image_pad|>
        ids = [T, T, S] + [I] * 6 + [E, T, S] + [I] * 8 + [E, T]
        got = rope_index(ids, [(1, 4, 6), (1, 8, 4)], I)
        want = [[0, 1, 2] + [3] * 6 + [6, 7, 8] + [9] * 8 + [13, 14],
                [0, 1, 2] + [3, 3, 3, 4, 4, 4] + [6, 7, 8] + [9, 9, 10, 10, 11, 11, 12, 12]
                + [13, 14],
                [0, 1, 2] + [3, 4, 5, 3, 4, 5] + [6, 7, 8] + [9, 10, 9, 10, 9, 10, 9, 10]
                + [13, 14],
                [0] * 22]
        self.check(got.tolist() == want, "positions of the 2-image prompt: %s" % got.tolist())
        ids = [T, T, S] + [I] * 8 + [E, T, S] + [I] * 6 + [E, T]
        got = rope_index(ids, [(1, 8, 4), (1, 4, 6)], I)
        want = [[0, 1, 2] + [3] * 8 + [7, 8, 9] + [10] * 6 + [13, 14],
                [0, 1, 2] + [3, 3, 4, 4, 5, 5, 6, 6] + [7, 8, 9] + [10, 10, 10, 11, 11, 11]
                + [13, 14],
                [0, 1, 2] + [3, 4, 3, 4, 3, 4, 3, 4] + [7, 8, 9] + [10, 11, 12, 10, 11, 12]
                + [13, 14],
                [0] * 22]
        self.check(got.tolist() == want, "positions with the images swapped: %s" % got.tolist())
        self.check(rope_index([T, T, T], [], I)[:3].tolist() == [[0, 1, 2]] * 3,
                   "text-only positions are not 0, 1, 2")

    def families(self):
        """Each family's norm and MLP against their formulas, on a hand-sized input."""
        x = torch.tensor([[1.0, -2.0, 3.0, 0.5]], dtype=F64)
        v = random_vision("qwen2vl_merger", n_embd=4, n_head=1, n_ff=6, n_out=3)
        v.w["n.weight"], v.w["n.bias"] = torch.ones(4, dtype=F64) * 2, torch.ones(4, dtype=F64)
        mean, var = 0.625, ((x - 0.625) ** 2).mean()
        want = (x - mean) / torch.sqrt(var + 1e-6) * 2 + 1
        self.check(torch.allclose(v.norm(x, "n"), want), "LayerNorm")
        v25 = random_vision("qwen2.5vl_merger", n_embd=4, n_head=1, n_ff=6, n_out=3)
        v25.w["n.weight"] = torch.ones(4, dtype=F64) * 2
        want = x / torch.sqrt((x ** 2).mean() + 1e-6) * 2
        self.check(torch.allclose(v25.norm(x, "n"), want), "RMSNorm")
        up = v.linear(x, "v.blk.0.ffn_up")
        want = v.linear(up / (1 + torch.exp(-1.702 * up)), "v.blk.0.ffn_down")
        self.check(torch.allclose(v.mlp(x, 0), want), "quick-GELU MLP")
        gate, up = v25.linear(x, "v.blk.0.ffn_gate"), v25.linear(x, "v.blk.0.ffn_up")
        want = v25.linear(gate / (1 + torch.exp(-gate)) * up, "v.blk.0.ffn_down")
        self.check(torch.allclose(v25.mlp(x, 0), want), "SwiGLU MLP")

    def attention_is_per_image(self):
        """Without windows every patch attends to every other: moving one patch of the image
        changes the embeddings of merged tokens far from it."""
        v = random_vision("qwen2vl_merger")
        pixels = torch.randn(64, 3 * 2 * PATCH * PATCH, dtype=F64,
                             generator=torch.Generator().manual_seed(3))
        a = v.embed(pixels, (1, 8, 8))
        pixels[0] += 1.0
        b = v.embed(pixels, (1, 8, 8))
        self.check(bool(((a - b).abs().max(dim=1).values > 1e-6).all()),
                   "changing one patch left some merged tokens untouched")

    def files(self, vkeve):
        """make-model's mmproj files: every type is read and close to f32, the embeddings are
        well conditioned, and a prompt with two images runs through the CLI as through the API."""
        tmp = tempfile.mkdtemp(prefix="vlm_ref_")
        image = os.path.join(tmp, "img.png")
        rng = np.random.default_rng(4)
        base = np.linspace(0, 255, 150 * 190 * 3).reshape(150, 190, 3)
        Image.fromarray((base * 0.7 + rng.integers(0, 76, (150, 190, 3))).astype(np.uint8)).save(
            image)

        def make(name, *args):
            path = os.path.join(tmp, name + ".gguf")
            subprocess.run([vkeve, "make-model", path, *args], check=True, capture_output=True)
            return path

        for proj in ("qwen2vl", "qwen2.5vl"):
            ref = None
            for wtype, tol in (("f32", 0), ("f16", 1e-2), ("q8_0", 0.15)):
                v = Vision.from_gguf(make(proj + wtype, "--mmproj", proj, "--type", wtype))
                pixels, grid = preprocess(v, image, 3136, 200000)
                out = v.embed(pixels, grid).numpy()
                ref = out if ref is None else ref
                err = float(np.abs(out - ref).max() / ref.std())
                self.check(np.isfinite(out).all() and err <= tol,
                           "%s %s: %g from f32 (tolerance %g)" % (proj, wtype, err, tol))
            self.check(0.2 < ref.std() < 5 and list(grid) == [1, 10, 14] and ref.shape == (35, 64),
                       "%s: embeddings %s with std %g" % (proj, ref.shape, ref.std()))
            v.kv_f16 = True
            err = float(np.abs(v.embed(pixels, grid).numpy() - out).max() / ref.std())
            self.check(0 < err < 1e-2, "%s: keys and values in f16 change by %g" % (proj, err))
        # A 2-image prompt on the tiny qwen2vl text model, through the command line.
        model = make("text", "--arch", "qwen2vl")
        mmproj = make("qwen25", "--mmproj", "qwen2.5vl")
        p = Prompt(model, mmproj, kv_f16=True)
        ids = [17, 250, p.vision_start, p.image_pad, p.vision_end, 99, p.vision_start,
               p.image_pad, p.vision_end, 8]
        spec = {"ids": ids, "images": ["img.png", "img.png"], "min_pixels": 3136,
                "max_pixels": 30000, "greedy": 5, "expand_pads": True}
        with open(os.path.join(tmp, "spec.json"), "w") as f:
            json.dump(spec, f)
        out = os.path.join(tmp, "out.json")
        subprocess.run([sys.executable, __file__, "prompt", model, mmproj,
                        os.path.join(tmp, "spec.json"), out, "--kv-f16"], check=True)
        with open(out) as f:
            got = json.load(f)
        want = p.run(ids, [image, image], 3136, 30000, 5, expand_pads=True)
        self.check(got == json.loads(json.dumps(want)), "prompt CLI differs from the API")
        n = got["grids"][0][1] * got["grids"][0][2] // 4
        self.check(len(got["ids"]) == 8 + 2 * n and len(got["greedy"]) == 5
                   and got["positions"][-1] == [got["positions"][-2][0] + 1] * 3 + [0],
                   "prompt output: %d ids, grids %s" % (len(got["ids"]), got["grids"]))
        for bad in (ids, ids[:2] + ids[3:]):
            try:
                p.run(bad, [image, image], 3136, 30000)
                self.check(False, "a prompt with %d <|image_pad|> was run" % bad.count(p.image_pad))
            except ValueError:
                pass
        flipped = os.path.join(tmp, "flipped.png")
        Image.open(image).transpose(Image.FLIP_LEFT_RIGHT).save(flipped)
        other = p.run(ids, [image, flipped], 3136, 30000, 0, expand_pads=True)
        self.check(float(np.abs(np.array(got["logits"]) - other["logits"]).max()) > 1e-3,
                   "the second image's rows do not change the logits")
        subprocess.run([sys.executable, __file__, "embed", mmproj, image, "--max-pixels",
                        "30000", os.path.join(tmp, "e.npy")], check=True, capture_output=True)
        pixels, grid = preprocess(p.vision, image, HF_MIN_PIXELS, 30000)
        self.check(np.array_equal(np.load(os.path.join(tmp, "e.npy")),
                                  Vision.from_gguf(mmproj).embed(pixels, grid).numpy()),
                   "embed CLI differs from the API")

    def run(self, vkeve):
        tests = [self.window_partition, self.windowed_equals_masked, self.rope, self.positions,
                 self.families, self.attention_is_per_image]
        for test in tests:
            test()
        if vkeve:
            self.files(vkeve)
        print("vlm_ref selftest: %s" % ("%d failures" % len(self.failures) if self.failures
                                         else "ok"))
        return 1 if self.failures else 0


# ---- command line --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="PyTorch reference of Qwen2-VL vision towers")
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("embed", help="one image's embeddings as .npy")
    e.add_argument("mmproj")
    e.add_argument("image")
    e.add_argument("out")
    e.add_argument("--min-pixels", type=int, default=HF_MIN_PIXELS)
    e.add_argument("--max-pixels", type=int, default=HF_MAX_PIXELS)
    e.add_argument("--kv-f16", action="store_true")
    p = sub.add_parser("prompt", help="a multimodal prompt's logits and greedy tokens")
    p.add_argument("model")
    p.add_argument("mmproj")
    p.add_argument("spec")
    p.add_argument("out")
    p.add_argument("--kv-f16", action="store_true")
    s = sub.add_parser("selftest", help="check this reference")
    s.add_argument("--vkeve", help="the vkeve binary, to check make-model's mmproj files too")
    args = ap.parse_args()
    if args.cmd == "selftest":
        return SelfTest().run(args.vkeve)
    try:
        return run_command(args)
    except (OSError, ValueError, KeyError, GGUFError) as err:
        print("vlm_ref.py %s: %s" % (args.cmd, err), file=sys.stderr)
        return 1


def run_command(args):
    """embed or prompt, as the usage above says."""
    if args.cmd == "embed":
        vision = Vision.from_gguf(args.mmproj, args.kv_f16)
        pixels, grid = preprocess(vision, args.image, args.min_pixels, args.max_pixels)
        rows = vision.embed(pixels, grid).numpy()
        np.save(args.out, rows)
        print(json.dumps({"grid": list(grid), "rows": rows.shape[0]}))
        return 0
    with open(args.spec) as f:
        spec = json.load(f)
    folder = os.path.dirname(os.path.abspath(args.spec))
    images = [os.path.join(folder, path) for path in spec.get("images", [])]
    result = Prompt(args.model, args.mmproj, args.kv_f16).run(
        spec["ids"], images, spec.get("min_pixels", HF_MIN_PIXELS),
        spec.get("max_pixels", HF_MAX_PIXELS), spec.get("greedy", 0),
        spec.get("expand_pads", False))
    with open(args.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
