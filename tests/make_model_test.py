#!/usr/bin/python3
"""make_model_test.py - `vkeve make-model` (VKEVE_BIN) read back with the independent
tests/reference/gguf_read.py:
  - the same arguments give the same bytes, another seed other bytes;
  - metadata keys and tensor names, shapes and types as llama.cpp's converter writes them for
    qwen2, qwen2vl and llama, tied and untied, in explicit lists below;
  - presets and overrides; K-quant rows shorter than 256 fall back as llama.cpp's quantizer does;
  - the built-in byte-level BPE vocabulary is well formed;
  - --vocab-from copies every tokenizer.* key of any type, and sizes the embedding by it;
  - bad options exit 2 with a message, write failures and unreadable files exit 1;
  - --mmproj qwen2vl|qwen2.5vl: the keys and tensors llama.cpp's converter writes for
    qwen2vl_merger / qwen2.5vl_merger projectors, their types (patch kernels and rows that are
    not whole blocks fall back to f16), presets, overrides, weight scales and refusals.
Run by ctest with /usr/bin/python3."""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
from gguf_read import format_value, read_gguf  # noqa: E402
from test_runner import run_tests  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
TMP = tempfile.mkdtemp(prefix="make_model_")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(*args):
    return subprocess.run([VKEVE, "make-model", *args], capture_output=True, text=True,
                          timeout=300)


def make(name, *args):
    path = os.path.join(TMP, name + ".gguf")
    p = run(path, *args)
    if p.returncode != 0:
        raise RuntimeError("make-model %s: exit %d: %s" % (args, p.returncode, p.stderr))
    return path


def load(path):
    _, _, kvs, tensors = read_gguf(path)
    return kvs, {t["name"]: t for t in tensors}


def value(kvs, key):
    for k, v in kvs:
        if k == key:
            return v[2] if v[0] == 9 else v[1]
    raise KeyError(key)


def test_determinism():
    args = ["--arch", "qwen2vl", "--type", "q4_K", "--embd", "256", "--ff", "512"]
    a = open(make("a", *args, "--seed", "7"), "rb").read()
    b = open(make("b", *args, "--seed", "7"), "rb").read()
    c = open(make("c", *args, "--seed", "8"), "rb").read()
    check(a == b, "same arguments gave different bytes")
    check(a != c and len(a) == len(c), "another seed gave the same bytes (or another size)")


# Keys the converter writes, in order, with their GGUF types (u32 4, i32 5, f32 6, string 8,
# array 9, bool 7), before the tokenizer keys.
def expected_keys(arch):
    keys = [("general.architecture", 8), ("general.type", 8), ("general.name", 8)]
    keys += [(arch + "." + k, t) for k, t in (
        ("block_count", 4), ("context_length", 4), ("embedding_length", 4),
        ("feed_forward_length", 4), ("attention.head_count", 4),
        ("attention.head_count_kv", 4), ("rope.freq_base", 6),
        ("attention.layer_norm_rms_epsilon", 6))]
    keys.append(("general.file_type", 4))
    if arch == "llama":
        keys += [("llama.vocab_size", 4), ("llama.rope.dimension_count", 4)]
    if arch == "qwen2vl":
        keys.append(("qwen2vl.rope.dimension_sections", 9))
    keys.append(("general.quantization_version", 4))
    keys += [("tokenizer.ggml.model", 8), ("tokenizer.ggml.pre", 8),
             ("tokenizer.ggml.tokens", 9), ("tokenizer.ggml.token_type", 9),
             ("tokenizer.ggml.merges", 9), ("tokenizer.ggml.bos_token_id", 4),
             ("tokenizer.ggml.eos_token_id", 4), ("tokenizer.ggml.padding_token_id", 4),
             ("tokenizer.ggml.add_bos_token", 7), ("tokenizer.chat_template", 8)]
    return keys


def expected_tensors(arch, tied, n_layer, embd, ff, q_rows, kv_rows, vocab):
    """name -> ne, as llama.cpp names them (a Linear [out, in] is ne [in, out])."""
    t = {"token_embd.weight": [embd, vocab], "output_norm.weight": [embd]}
    if not tied:
        t["output.weight"] = [embd, vocab]
    for i in range(n_layer):
        b = "blk.%d." % i
        t.update({b + "attn_norm.weight": [embd], b + "attn_q.weight": [embd, q_rows],
                  b + "attn_k.weight": [embd, kv_rows], b + "attn_v.weight": [embd, kv_rows],
                  b + "attn_output.weight": [q_rows, embd], b + "ffn_norm.weight": [embd],
                  b + "ffn_gate.weight": [embd, ff], b + "ffn_up.weight": [embd, ff],
                  b + "ffn_down.weight": [ff, embd]})
        if arch != "llama":
            t.update({b + "attn_q.bias": [q_rows], b + "attn_k.bias": [kv_rows],
                      b + "attn_v.bias": [kv_rows]})
    return t


def check_layout(path, arch, tied, hp, wtype_id):
    kvs, tensors = load(path)
    got_keys = [(k, v[0]) for k, v in kvs]
    check(got_keys == expected_keys(arch), "%s: keys %s" % (path, got_keys))
    check(value(kvs, "general.architecture") == arch.encode(), "%s: architecture" % path)
    for key, want in hp.items():
        got = value(kvs, arch + "." + key)
        check(abs(got - want) <= 1e-6 * abs(want), "%s: %s = %s, expected %s"
              % (path, key, got, want))
    want = expected_tensors(arch, tied, hp["block_count"], hp["embedding_length"],
                            hp["feed_forward_length"], hp["embedding_length"],
                            hp["embedding_length"] // hp["attention.head_count"]
                            * hp["attention.head_count_kv"], 640)
    got = {n: t["ne"][:t["n_dims"]] for n, t in tensors.items()}
    check(got == want, "%s: tensors %s, expected %s" % (path, sorted(got), sorted(want)))
    for name, t in tensors.items():
        expect = wtype_id if t["n_dims"] == 2 else 0
        check(t["type"] == expect, "%s: %s has type %d, expected %d"
              % (path, name, t["type"], expect))
    return kvs


def test_layouts():
    tiny = {"block_count": 2, "context_length": 4096, "embedding_length": 64,
            "feed_forward_length": 128, "attention.head_count": 4,
            "attention.head_count_kv": 2, "rope.freq_base": 10000.0,
            "attention.layer_norm_rms_epsilon": 1e-6}
    for arch in ("qwen2", "qwen2vl", "llama"):
        check_layout(make(arch, "--arch", arch), arch, False, tiny, 0)
        check_layout(make(arch + "_tied", "--arch", arch, "--tied"), arch, True, tiny, 0)
    kvs = check_layout(make("vl", "--arch", "qwen2vl"), "qwen2vl", False, tiny, 0)
    check(value(kvs, "qwen2vl.rope.dimension_sections") == [(5, 2), (5, 3), (5, 3), (5, 0)],
          "qwen2vl sections for head_dim 16 are not [2, 3, 3, 0]")
    kvs, _ = load(make("ll", "--arch", "llama"))
    check(value(kvs, "llama.vocab_size") == 640 and value(kvs, "llama.rope.dimension_count")
          == 16, "llama vocab_size / rope.dimension_count")
    # The qwen2-0.5b preset (one layer, to stay small) and overrides of every option.
    big = {"block_count": 1, "context_length": 32768, "embedding_length": 896,
           "feed_forward_length": 4864, "attention.head_count": 14,
           "attention.head_count_kv": 2, "rope.freq_base": 1e6,
           "attention.layer_norm_rms_epsilon": 1e-6}
    kvs = check_layout(make("q05", "--layers", "1", "--preset", "qwen2-0.5b", "--type", "q8_0"),
                       "qwen2", True, big, 8)
    check(value(kvs, "general.file_type") == 7, "q8_0 file type is not 7")
    kvs, t = load(make("q05vl", "--preset", "qwen2-0.5b", "--layers", "1", "--arch", "qwen2vl"))
    check(value(kvs, "qwen2vl.rope.dimension_sections") == [(5, 8), (5, 12), (5, 12), (5, 0)],
          "qwen2vl sections for head_dim 64 are not [8, 12, 12, 0]")
    over = {"block_count": 3, "context_length": 512, "embedding_length": 96,
            "feed_forward_length": 160, "attention.head_count": 6,
            "attention.head_count_kv": 3, "rope.freq_base": 500000.0,
            "attention.layer_norm_rms_epsilon": 1e-5}
    check_layout(make("over", "--preset", "qwen2-0.5b", "--layers", "3", "--embd", "96",
                      "--heads", "6", "--kv-heads", "3", "--ff", "160", "--ctx", "512",
                      "--rope-theta", "500000", "--rms-eps", "1e-5", "--untied", "--type",
                      "f16"), "qwen2", False, over, 1)


def test_k_fallback():
    for wtype, short, full in (("q4_K", 6, 12), ("q5_K", 7, 13), ("q6_K", 8, 14)):
        _, t = load(make("fb_" + wtype, "--type", wtype))
        types = {x["type"] for x in t.values() if x["n_dims"] == 2}
        check(types == {short}, "%s on 64-wide rows: types %s, expected {%d}"
              % (wtype, types, short))
        _, t = load(make("k_" + wtype, "--type", wtype, "--embd", "256", "--ff", "512"))
        types = {x["type"] for x in t.values() if x["n_dims"] == 2}
        check(types == {full}, "%s on 256-wide rows: types %s" % (wtype, types))


def test_builtin_vocab():
    kvs, _ = load(make("vocab"))
    tokens = [s.decode() for _, s in value(kvs, "tokenizer.ggml.tokens")]
    types = [v for _, v in value(kvs, "tokenizer.ggml.token_type")]
    merges = [s.decode() for _, s in value(kvs, "tokenizer.ggml.merges")]
    check(len(tokens) == 640 and len(set(tokens)) == 640, "640 distinct tokens")
    # GPT-2's byte table: "!" first, then the other printable bytes, then U+0100 for byte 0;
    # space is U+0120 at id 220 (as in Qwen2's vocabulary).
    check(tokens[0] == "!" and tokens[93] == "~" and tokens[188] == "\u0100"
          and tokens[220] == "\u0120" and tokens[255] == "\u0143", "byte tokens")
    check(len(merges) == 377, "377 merges")
    for i, m in enumerate(merges):
        left, right = m.split(" ")
        ok = tokens.index(left) < 256 + i and tokens.index(right) < 256 + i
        check(ok and tokens[256 + i] == left + right, "merge %d %r" % (i, m))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>",
                "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
    check(tokens[633:] == specials and types[633:] == [3] * 7 and types[:633] == [1] * 633,
          "special tokens and token types")
    check(value(kvs, "tokenizer.ggml.pre") == b"qwen2" and
          value(kvs, "tokenizer.ggml.model") == b"gpt2", "model gpt2, pre qwen2")
    check(value(kvs, "tokenizer.ggml.bos_token_id") == 633 and
          value(kvs, "tokenizer.ggml.eos_token_id") == 635, "bos <|endoftext|>, eos <|im_end|>")


def gguf_bytes(kvs):
    """A GGUF v3 file with the given (key, type, packed value bytes) and no tensors."""
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs))
    for key, t, raw in kvs:
        out += struct.pack("<Q", len(key)) + key.encode() + struct.pack("<I", t) + raw
    return out


def gstr(s):
    return struct.pack("<Q", len(s.encode())) + s.encode()


def garr(elem, items):
    return struct.pack("<IQ", elem, len(items)) + b"".join(items)


def test_vocab_from():
    tokens = ["tok%d" % i for i in range(1000)]
    src = os.path.join(TMP, "src.gguf")
    with open(src, "wb") as f:
        f.write(gguf_bytes([
            ("general.architecture", 8, gstr("other")),
            ("tokenizer.ggml.model", 8, gstr("llama")),
            ("tokenizer.ggml.tokens", 9, garr(8, [gstr(t) for t in tokens])),
            ("tokenizer.ggml.scores", 9, garr(6, [struct.pack("<f", -i / 3) for i in range(1000)])),
            ("tokenizer.ggml.token_type", 9,
             garr(5, [struct.pack("<i", 1 + i % 6) for i in range(1000)])),
            ("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 1)),
            ("tokenizer.ggml.add_bos_token", 7, b"\x01"),
            ("tokenizer.x.u8", 0, b"\x07"), ("tokenizer.x.i16", 3, struct.pack("<h", -5)),
            ("tokenizer.x.i64", 11, struct.pack("<q", -2 ** 40)),
            ("tokenizer.x.u64", 10, struct.pack("<Q", 2 ** 63 + 5)),
            ("tokenizer.x.f64", 12, struct.pack("<d", 0.1)),
            ("tokenizer.x.bools", 9, garr(7, [b"\x00", b"\x01"])),
            ("tokenizer.x.nested", 9, garr(9, [garr(4, [struct.pack("<I", 3)]), garr(4, [])])),
            ("other.key", 4, struct.pack("<I", 9)),
        ]))
    src_kvs = [(k, format_value(v)) for k, v in read_gguf(src)[2] if k.startswith("tokenizer.")]
    kvs, t = load(make("from", "--arch", "llama", "--vocab-from", src))
    got = [(k, format_value(v)) for k, v in kvs if k.startswith("tokenizer.")]
    check(got == src_kvs, "tokenizer keys not copied exactly: %s" % got)
    check("other.key" not in dict(kvs) and value(kvs, "general.architecture") == b"llama",
          "non-tokenizer keys copied")
    check(t["token_embd.weight"]["ne"][1] == 1000 and t["output.weight"]["ne"][1] == 1000
          and value(kvs, "llama.vocab_size") == 1000, "embedding rows != vocabulary size")


def expect_fail(code, text, *args):
    p = run(*args)
    check(p.returncode == code and text in p.stderr,
          "make-model %s: exit %d, expected %d with %r: %s" % (args, p.returncode, code, text,
                                                               p.stderr))


def test_errors():
    out = os.path.join(TMP, "bad.gguf")
    expect_fail(2, "expected OUT.gguf")
    expect_fail(2, "unexpected argument 'x'", out, "x")
    expect_fail(2, "unknown option '--bogus'", out, "--bogus")
    expect_fail(2, "--arch: 'gpt'", out, "--arch", "gpt")
    expect_fail(2, "--type: 'q2_K' is not one of", out, "--type", "q2_K")
    expect_fail(2, "--preset: 'huge'", out, "--preset", "huge")
    expect_fail(2, "--seed: 'x'", out, "--seed", "x")
    expect_fail(2, "--layers: '0' is not an integer from 1", out, "--layers", "0")
    expect_fail(2, "--embd 64 is not a multiple of --heads 5", out, "--heads", "5")
    expect_fail(2, "--heads 4 is not a multiple of --kv-heads 3", out, "--kv-heads", "3")
    expect_fail(2, "head dimension 3", out, "--embd", "12", "--heads", "4")
    expect_fail(2, "--type q4_0 needs --embd and --ff multiples of 32", out, "--embd", "48",
                "--heads", "3", "--kv-heads", "1", "--type", "q4_0")
    expect_fail(2, "--rope-theta: '-1' is not a positive number", out, "--rope-theta", "-1")
    expect_fail(2, "--ff needs a value", out, "--ff")
    check(not os.path.exists(out), "a failed make-model left a file")
    expect_fail(1, "nonexistent", os.path.join(TMP, "nonexistent", "m.gguf"))
    expect_fail(1, "missing.gguf", out, "--vocab-from", os.path.join(TMP, "missing.gguf"))
    novocab = os.path.join(TMP, "novocab.gguf")
    with open(novocab, "wb") as f:
        f.write(gguf_bytes([("general.architecture", 8, gstr("qwen2"))]))
    expect_fail(1, "tokenizer.ggml.tokens", out, "--vocab-from", novocab)
    check(not os.path.exists(out), "a failed make-model left a file")
    p = subprocess.run([VKEVE, "help", "make-model"], capture_output=True, text=True)
    check(p.returncode == 0 and "usage: vkeve make-model" in p.stdout, "help make-model")


# ---- vision projectors ---------------------------------------------------------------------

def expected_mmproj_keys(proj):
    keys = [("general.architecture", 8), ("general.type", 8), ("general.name", 8),
            ("general.file_type", 4), ("clip.has_vision_encoder", 7)]
    keys += [("clip.vision." + k, 4) for k in (
        "projection_dim", "image_size", "patch_size", "embedding_length", "feed_forward_length",
        "block_count", "attention.head_count")]
    keys += [("clip.vision.image_mean", 9), ("clip.vision.image_std", 9),
             ("clip.projector_type", 8)]
    if proj == "qwen2.5vl":
        keys += [("clip.use_silu", 7), ("clip.vision.n_wa_pattern", 4)]
    return keys + [("clip.vision.attention.layer_norm_epsilon", 6),
                   ("clip.vision.spatial_merge_size", 4), ("general.quantization_version", 4)]


def expected_mmproj_tensors(proj, n_layer, embd, ff, text_embd):
    """name -> ne, as llama.cpp's converter names them for Qwen2-VL / Qwen2.5-VL."""
    t = {"v.patch_embd.weight": [14, 14, 3, embd], "v.patch_embd.weight.1": [14, 14, 3, embd],
         "v.post_ln.weight": [embd], "mm.0.weight": [4 * embd, 4 * embd], "mm.0.bias": [4 * embd],
         "mm.2.weight": [4 * embd, text_embd], "mm.2.bias": [text_embd]}
    ffn = ("ffn_gate", "ffn_up") if proj == "qwen2.5vl" else ("ffn_up",)
    for i in range(n_layer):
        b = "v.blk.%d." % i
        for name in ("attn_q", "attn_k", "attn_v", "attn_out"):
            t.update({b + name + ".weight": [embd, embd], b + name + ".bias": [embd]})
        for name in ffn:
            t.update({b + name + ".weight": [embd, ff], b + name + ".bias": [ff]})
        t.update({b + "ffn_down.weight": [ff, embd], b + "ffn_down.bias": [embd],
                  b + "ln1.weight": [embd], b + "ln2.weight": [embd]})
        if proj == "qwen2vl":
            t.update({b + "ln1.bias": [embd], b + "ln2.bias": [embd]})
    if proj == "qwen2vl":
        t["v.post_ln.bias"] = [embd]
    return t


def check_mmproj(path, proj, hp, wtype_id):
    """hp: block_count, embedding_length, feed_forward_length, attention.head_count,
    projection_dim, layer_norm_epsilon and (qwen2.5vl) n_wa_pattern."""
    kvs, tensors = load(path)
    check([(k, v[0]) for k, v in kvs] == expected_mmproj_keys(proj),
          "%s: keys %s" % (path, [(k, v[0]) for k, v in kvs]))
    merger = "qwen2.5vl_merger" if proj == "qwen2.5vl" else "qwen2vl_merger"
    fixed = {"general.architecture": b"clip", "general.type": b"mmproj",
             "clip.projector_type": merger.encode(), "clip.has_vision_encoder": 1,
             "clip.vision.image_size": 560, "clip.vision.patch_size": 14,
             "clip.vision.spatial_merge_size": 2}
    if proj == "qwen2.5vl":
        fixed["clip.use_silu"] = 1
    for key, want in fixed.items():
        check(value(kvs, key) == want, "%s: %s = %r" % (path, key, value(kvs, key)))
    for key, want in hp.items():
        got = value(kvs, "clip.vision." + key)
        check(abs(got - want) <= 1e-6 * abs(want), "%s: %s = %s, expected %s"
              % (path, key, got, want))
    for key, want in (("image_mean", [0.48145466, 0.4578275, 0.40821073]),
                      ("image_std", [0.26862954, 0.26130258, 0.27577711])):
        got = [v for _, v in value(kvs, "clip.vision." + key)]
        check(np.allclose(got, want, rtol=1e-7, atol=0), "%s: %s = %s" % (path, key, got))
    want = expected_mmproj_tensors(proj, hp["block_count"], hp["embedding_length"],
                                   hp["feed_forward_length"], hp["projection_dim"])
    got = {n: t["ne"][:t["n_dims"]] for n, t in tensors.items()}
    check(got == want, "%s: tensors %s, expected %s" % (path, sorted(got), sorted(want)))
    for name, t in tensors.items():
        block = 32 if wtype_id == 8 else 1
        expect = 0 if t["n_dims"] == 1 else wtype_id if t["ne"][0] % block == 0 else 1
        check(t["type"] == expect, "%s: %s has type %d, expected %d"
              % (path, name, t["type"], expect))
    return kvs, tensors


def tiny_vit(proj):
    hp = {"block_count": 2, "embedding_length": 64, "feed_forward_length": 128,
          "attention.head_count": 4, "projection_dim": 64,
          "attention.layer_norm_epsilon": 1e-6}
    if proj == "qwen2.5vl":
        hp["n_wa_pattern"] = 2
    return hp


def test_mmproj_layouts():
    for proj in ("qwen2vl", "qwen2.5vl"):
        kvs, _ = check_mmproj(make("vit" + proj, "--mmproj", proj), proj, tiny_vit(proj), 0)
        check(value(kvs, "general.file_type") == 0, "f32 mmproj file type")
        kvs, t = check_mmproj(make("vitq8" + proj, "--mmproj", proj, "--type", "q8_0"), proj,
                              tiny_vit(proj), 8)
        check(value(kvs, "general.file_type") == 7 and t["v.patch_embd.weight"]["type"] == 1,
              "q8_0 mmproj: file type 7, f16 patch kernels")
        check_mmproj(make("vitf16" + proj, "--mmproj", proj, "--type", "f16"), proj,
                     tiny_vit(proj), 1)
    # The 2B shape, one layer to stay small; Qwen2.5-VL's ffn_down rows of 3420 are not whole
    # q8_0 blocks and fall back to f16.
    for proj, ff, wa in (("qwen2vl", 5120, None), ("qwen2.5vl", 3420, 8)):
        hp = {"block_count": 1, "embedding_length": 1280, "feed_forward_length": ff,
              "attention.head_count": 16, "projection_dim": 1536,
              "attention.layer_norm_epsilon": 1e-6}
        if wa:
            hp["n_wa_pattern"] = wa
        _, t = check_mmproj(make("vit2b" + proj, "--mmproj", proj, "--preset", "qwen2vl-2b",
                                 "--layers", "1", "--type", "q8_0"), proj, hp, 8)
        check(t["v.blk.0.ffn_down.weight"]["type"] == (1 if wa else 8), "2b ffn_down type")
    over = {"block_count": 3, "embedding_length": 96, "feed_forward_length": 160,
            "attention.head_count": 3, "projection_dim": 80,
            "attention.layer_norm_epsilon": 1e-5, "n_wa_pattern": 3}
    check_mmproj(make("vitover", "--preset", "qwen2vl-2b", "--mmproj", "qwen2.5vl", "--layers",
                      "3", "--embd", "96", "--heads", "3", "--ff", "160", "--text-embd", "80",
                      "--wa-pattern", "3", "--rms-eps", "1e-5", "--type", "f16"),
                 "qwen2.5vl", over, 1)


def test_mmproj_values():
    a = make("va", "--mmproj", "qwen2vl", "--seed", "5")
    check(open(a, "rb").read() == open(make("vb", "--mmproj", "qwen2vl", "--seed", "5"),
                                           "rb").read(), "mmproj: same arguments, other bytes")
    _, ta = load(a)
    _, tc = load(make("vc", "--mmproj", "qwen2vl", "--seed", "6"))
    _, t25 = load(make("v25", "--mmproj", "qwen2.5vl", "--seed", "5"))
    check(ta["mm.0.weight"]["data"] != tc["mm.0.weight"]["data"], "mmproj: seed ignored")
    check(ta["v.blk.1.attn_q.weight"]["data"] == t25["v.blk.1.attn_q.weight"]["data"] and
          ta["v.blk.0.ffn_up.weight"]["data"] == t25["v.blk.0.ffn_up.weight"]["data"],
          "qwen2vl and qwen2.5vl of one seed do not share the tensors they have in common")

    def values(name):
        t = ta[name]
        return np.frombuffer(t["data"], dtype="<f4").reshape(list(reversed(t["ne"][:t["n_dims"]])))

    # Scales that keep activations O(1): matrices N(0, 1/fan_in), norms 1 + 0.1 N, biases 0.1 N.
    for name, mean, std in (("v.patch_embd.weight", 0, 588 ** -0.5), ("mm.0.weight", 0, 1 / 16),
                            ("v.blk.0.ffn_down.weight", 0, 128 ** -0.5),
                            ("v.blk.0.ln1.weight", 1, 0.1), ("v.blk.0.attn_q.bias", 0, 0.1)):
        v = values(name)
        check(abs(v.mean() - mean) < 3 * std / v.size ** 0.5 + 1e-3 and
              abs(v.std() / std - 1) < 0.25, "%s: mean %g std %g, expected %g, %g"
              % (name, v.mean(), v.std(), mean, std))


def test_mmproj_errors():
    out = os.path.join(TMP, "badvit.gguf")
    expect_fail(2, "--mmproj: 'qwen3vl' is not qwen2vl or qwen2.5vl", out, "--mmproj", "qwen3vl")
    expect_fail(2, "--arch does not apply to --mmproj", out, "--mmproj", "qwen2vl", "--arch",
                "qwen2")
    expect_fail(2, "--tied does not apply to --mmproj", out, "--tied", "--mmproj", "qwen2vl")
    expect_fail(2, "--text-embd needs --mmproj", out, "--text-embd", "64")
    expect_fail(2, "--wa-pattern needs --mmproj qwen2.5vl", out, "--mmproj", "qwen2vl",
                "--wa-pattern", "4")
    expect_fail(2, "--wa-pattern: '0' is not an integer from 1", out, "--mmproj", "qwen2.5vl",
                "--wa-pattern", "0")
    expect_fail(2, "--preset: 'qwen2-0.5b' is not tiny or qwen2vl-2b", out, "--mmproj",
                "qwen2vl", "--preset", "qwen2-0.5b")
    expect_fail(2, "--preset: 'qwen2vl-2b' is not tiny or qwen2-0.5b", out, "--preset",
                "qwen2vl-2b")
    expect_fail(2, "head dimension 12 (--embd / --heads) must be a multiple of 8", out,
                "--mmproj", "qwen2vl", "--embd", "48")
    expect_fail(2, "--embd 64 is not a multiple of --heads 5", out, "--mmproj", "qwen2.5vl",
                "--heads", "5")
    expect_fail(2, "--ff 64 must differ from --embd", out, "--mmproj", "qwen2vl", "--ff", "64")
    check(not os.path.exists(out), "a failed make-model --mmproj left a file")


TESTS = [test_determinism, test_layouts, test_k_fallback, test_builtin_vocab, test_vocab_from,
         test_errors, test_mmproj_layouts, test_mmproj_values, test_mmproj_errors]

if __name__ == "__main__":
    run_tests(TESTS, failures, TMP)
