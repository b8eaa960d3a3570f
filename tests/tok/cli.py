"""cli.py - `vkeve tokenize` and `vkeve vocab-gguf`: a small byte-level tokenizer.json (the
256 GPT-2 byte characters, three merges, added tokens) is converted and checked key by key
with tests/reference/gguf_read.py, then tokenized: piece escapes, --ids, --no-special, --file,
usage errors (exit 2) and runtime failures (exit 1). Run by ctest with VKEVE_BIN set."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from gguf_read import read_gguf  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
failures = []


def byte_chars():
    """GPT-2's byte-to-unicode table, from its definition."""
    keep = [b for b in range(256) if 33 <= b <= 126 or 161 <= b <= 172 or b >= 174]
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def write_tokenizer(folder):
    vocab = {c: b for b, c in byte_chars().items()}
    vocab.update({"he": 256, "ll": 257, "hell": 258, "hello": 259})
    added = [{"id": 260, "content": "<|im_start|>", "special": True},
             {"id": 261, "content": "<|im_end|>", "special": True},
             {"id": 262, "content": "<think>", "special": False},
             {"id": 263, "content": "<|fim_x|>", "special": False}]
    tokenizer = {"model": {"type": "BPE", "vocab": vocab,
                           "merges": ["h e", ["l", "l"], "he ll", "hell o"]},
                 "added_tokens": added}
    with open(os.path.join(folder, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"eos_token": "<|im_end|>", "pad_token": {"content": "<|im_start|>"},
                   "bos_token": None, "add_bos_token": False, "chat_template": "T"}, f)


def run(args, data=None):
    p = subprocess.run([VKEVE] + args, capture_output=True, timeout=120, input=data)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def expect(args, code, stdout=None, err_text=None):
    rc, out, err = run(args)
    where = "vkeve " + " ".join(args)
    if rc != code:
        failures.append(f"{where}: exit {rc}, expected {code}\n{out}{err}")
    if stdout is not None and out != stdout:
        failures.append(f"{where}: stdout {out!r}, expected {stdout!r}")
    if err_text is not None and err_text not in err:
        failures.append(f"{where}: no {err_text!r} in stderr {err!r}")


def check_gguf(path):
    _, _, kvs, _ = read_gguf(path)
    kv = {k: v for k, v in kvs}
    want = {"tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "qwen2",
            "tokenizer.ggml.eos_token_id": 261, "tokenizer.ggml.padding_token_id": 260,
            "tokenizer.ggml.add_bos_token": 0, "tokenizer.chat_template": "T"}
    for key, value in want.items():
        got = kv.get(key)
        got = got[1] if isinstance(got, tuple) else got
        got = got.decode() if isinstance(got, bytes) else got
        if got != value:
            failures.append(f"{path}: {key} = {got!r}, expected {value!r}")
    types = [v for _, v in kv["tokenizer.ggml.token_type"][2]]
    tokens = [v.decode() for _, v in kv["tokenizer.ggml.tokens"][2]]
    merges = [v.decode() for _, v in kv["tokenizer.ggml.merges"][2]]
    want_types = [1] * 260 + [3, 3, 4, 3, 5, 5]
    if types != want_types:
        failures.append(f"token types {types[256:]}, expected {want_types[256:]}")
    if tokens[32] != "\u0120" or tokens[262] != "<think>" or tokens[265] != "[PAD265]":
        failures.append(f"tokens 32, 262, 265: {tokens[32]!r} {tokens[262]!r} {tokens[265]!r}")
    if merges != ["h e", "l l", "he ll", "hell o"]:
        failures.append(f"merges {merges}")


def check_tokenize(d, gguf):
    m = ["tokenize", "--model", gguf]
    expect(m + ["hello<|im_start|>"], 0, "259\thello\n260\t<|im_start|>\n")
    expect(m + ["--ids", "hello <think>\n"], 0, "[259, 32, 262, 10]\n")
    expect(m + ["--ids", "--no-special", "<|im_end|>"], 0,
           "[60, 124, 105, 109, 95, 101, 110, 100, 124, 62]\n")
    expect(m + ["--ids", ""], 0, "[]\n")
    expect(m + ["a\tb\\"], 0, "97\ta\n9\t\\t\n98\tb\n92\t\\\\\n")
    with open(os.path.join(d, "bytes.txt"), "wb") as f:
        f.write(b"\xe4\xbd\xa0\xff")
    expect(m + ["--file", os.path.join(d, "bytes.txt")], 0,
           "228\t\\xe4\n189\t\\xbd\n160\t\\xa0\n255\t\\xff\n")
    expect(["tokenize", "hello"], 2, err_text="--model M.gguf is required")
    expect(m, 2, err_text="give either --file F or TEXT")
    expect(m + ["--file", gguf, "x"], 2, err_text="give either --file F or TEXT")
    expect(m + ["--bogus", "x"], 2, err_text="unexpected argument '--bogus'")
    expect(m + ["--file", os.path.join(d, "missing.txt")], 1, err_text="cannot read")
    expect(["tokenize", "--model", os.path.join(d, "tokenizer.json"), "x"], 1,
           err_text="tokenizer.json")


def check_vocab_errors(d):
    tj = os.path.join(d, "tokenizer.json")
    out = os.path.join(d, "o.gguf")
    expect(["vocab-gguf", tj], 2, err_text="expected TOKENIZER.json and OUT.gguf")
    expect(["vocab-gguf", tj, out, "--pad-to", "x"], 2, err_text="bad --pad-to 'x'")
    expect(["vocab-gguf", tj, out, "--pad-to", "100"], 1, err_text="--pad-to 100 is too small")
    expect(["vocab-gguf", os.path.join(d, "none.json"), out], 1, err_text="cannot open")
    expect(["vocab-gguf", os.path.join(d, "bytes.txt"), out], 1,
           err_text="is not readable JSON")
    if os.path.exists(out):
        failures.append("a failed vocab-gguf left its output file behind")


def main():
    with tempfile.TemporaryDirectory() as d:
        write_tokenizer(d)
        gguf = os.path.join(d, "t.gguf")
        expect(["vocab-gguf", os.path.join(d, "tokenizer.json"), gguf, "--pad-to", "266"], 0)
        check_gguf(gguf)
        check_tokenize(d, gguf)
        check_vocab_errors(d)


main()
for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
