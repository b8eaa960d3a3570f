#!/usr/bin/python3
"""generate_cli.py WORK - `vkeve generate` as a user runs it, on a tiny model that `vkeve
make-model` writes: streamed text, K samples as JSON lines (ids, log-probs, text), the same
seed giving the same output, greedy samples agreeing, stop strings, and clear errors with
exit status 1 (a bad or missing file) or 2 (bad usage). Run by ctest (tests/llm.cmake)."""
import json
import os
import subprocess
import sys

VKEVE = os.environ["VKEVE_BIN"]
WORK = os.path.abspath(sys.argv[1])
os.makedirs(WORK, exist_ok=True)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def vkeve(*args):
    p = subprocess.run([VKEVE, *args], capture_output=True, text=True, errors="replace",
                       timeout=600)
    return p.returncode, p.stdout, p.stderr


model = os.path.join(WORK, "tiny.gguf")
subprocess.run([VKEVE, "make-model", model, "--seed", "2"], check=True, capture_output=True)
base = ["generate", "--model", model, "--prompt", "<|im_start|>user\nHello<|im_end|>\n"]

rc, out, err = vkeve(*base, "-n", "12", "--seed", "1")
check(rc == 0 and "tokens/s" in err, f"streamed run: exit {rc}, {err}")

rc, out, err = vkeve("tokenize", "--model", model, "--ids", base[-1])
prompt_ids = json.loads(out) if rc == 0 else None
rc, out, err = vkeve(*base, "-n", "10", "--samples", "3", "--seed", "4", "--json",
                     "--top-logprobs", "2")
lines = [json.loads(line) for line in out.splitlines()] if rc == 0 else []
check(len(lines) == 3, f"3 JSON samples: exit {rc}, {out[:200]} {err}")
for s in lines:
    check(len(s["ids"]) == len(s["logprobs"]) == len(s["top_logprobs"]) and 0 < len(s["ids"]) <= 10,
          f"sample {s['sample']}: ids, log-probs and alternatives per token")
    check(all(lp <= 0 for lp in s["logprobs"]) and s["prompt_ids"] == prompt_ids,
          f"sample {s['sample']}: log-probs <= 0, prompt ids as `vkeve tokenize` gives them")
    check(s["finish"] in ("stop", "length", "stop_string"), f"finish {s['finish']}")
rc2, out2, _ = vkeve(*base, "-n", "10", "--samples", "3", "--seed", "4", "--json",
                     "--top-logprobs", "2")
check(rc2 == 0 and out2 == out, "the same seed gives the same samples")

rc, out, err = vkeve(*base, "-n", "8", "--samples", "2", "--temp", "0", "--json")
greedy = [json.loads(line)["ids"] for line in out.splitlines()] if rc == 0 else []
check(len(greedy) == 2 and greedy[0] == greedy[1], f"greedy samples agree: {greedy} {err}")

rc, out, err = vkeve(*base, "-n", "30", "--temp", "0", "--json")
full = json.loads(out)["text"] if rc == 0 else ""
if len(full) > 6:
    stop = full[3:6]
    rc, out, err = vkeve(*base, "-n", "30", "--temp", "0", "--json", "--stop", stop)
    cut = json.loads(out) if rc == 0 else {}
    check(cut.get("finish") == "stop_string" and stop not in cut.get("text", stop),
          f"stop string {stop!r}: {cut}")

rc, out, err = vkeve("generate", "--model", os.path.join(WORK, "absent.gguf"), "--prompt", "x")
check(rc == 1 and "absent.gguf" in err, f"missing file: exit {rc}, {err}")
rc, out, err = vkeve("generate", "--prompt", "x")
check(rc == 2 and "--model" in err, f"no model: exit {rc}, {err}")
rc, out, err = vkeve(*base, "--temp", "warm")
check(rc == 2 and "warm" in err, f"bad value: exit {rc}, {err}")
vocab_only = os.path.join(WORK, "vocab.gguf")
with open(vocab_only, "wb") as f:
    f.write(b"GGUF" + (3).to_bytes(4, "little") + bytes(16))
rc, out, err = vkeve("generate", "--model", vocab_only, "--prompt", "x")
check(rc == 1 and "vocab.gguf" in err, f"a file without a model: exit {rc}, {err}")
rc, out, err = vkeve(*base, "--ctx", "8")
check(rc == 1 and "context" in err, f"a prompt longer than the context: exit {rc}, {err}")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
