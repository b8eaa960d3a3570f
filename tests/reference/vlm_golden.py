#!/usr/bin/python3
"""vlm_golden.py WORK - vkeve's vision encoder and multimodal prompts against the PyTorch
reference (vlm_ref.py, written from the Hugging Face model definitions).

For both families (qwen2vl_merger, qwen2.5vl_merger with windowed and global layers) and the
weight types f32, f16 and q8_0, random mmproj files from `vkeve make-model --mmproj` encode
images of odd sizes through vlm_driver (tests/vlm_driver.c); every image's embeddings must
match the reference's. Then a qwen2vl text model on the real Qwen2 vocabulary takes a prompt
with one image and one with five images of different sizes: vkeve's prompt ids must be what
the reference accepts (one <|image_pad|> per merged token after <|vision_start|>), its
positions must equal get_rope_index's exactly, the last token's logits must match and the
greedy continuations must be identical.

The reference rounds keys and values to float16 as vkeve's attention stores them (--kv-f16)
and is otherwise float64. Tolerances (max |vkeve - ref| / std(ref)):
  1e-3 with exact activations: float weights, and q8_0 with the storage matmul shape;
  0.15 for q8_0 with the default shape on CPU devices, where activations are rounded to 8 bits
  per 32-element block before quantized matmuls (see llm_golden.py).
"""
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vlm_ref  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
DRIVER = os.environ["VLM_DRIVER"]
VOCAB = os.path.join(os.environ["VKEVE_TOK_DIR"], "qwen2.gguf")
WORK = os.path.abspath(sys.argv[1])
os.makedirs(WORK, exist_ok=True)
EXACT, ROUNDED = 1e-3, 0.15
MIN_PIXELS, MAX_PIXELS = 3136, 12845056
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def make(name, *args):
    path = os.path.join(WORK, name)
    subprocess.run([VKEVE, "make-model", path, "--seed", "3", *args], check=True,
                   capture_output=True)
    return path


def images():
    """Test images of odd sizes, drawn with smooth fields and edges so they are not flat."""
    sizes = [(333, 250), (56, 84), (29, 1000), (448, 448), (120, 90)]
    paths = []
    for i, (w, h) in enumerate(sizes):
        y, x = np.mgrid[0:h, 0:w]
        rgb = np.stack([(x * 255 // max(w - 1, 1)), (y * 255 // max(h - 1, 1)),
                        ((x // 7 + y // 5 + 40 * i) % 256)], axis=-1).astype(np.uint8)
        path = os.path.join(WORK, f"image{i}_{w}x{h}.png")
        Image.fromarray(rgb, "RGB").save(path)
        paths.append(path)
    return paths


def relative_error(got, want):
    return float(np.max(np.abs(np.asarray(got) - want))) / float(np.std(want))


def compare_embeddings(mmproj, what, shape, tolerance, paths):
    vision = vlm_ref.Vision.from_gguf(mmproj, kv_f16=True)
    for path in paths:
        out = os.path.join(WORK, "rows.f32")
        r = subprocess.run([DRIVER, "--shape", shape, "embed", mmproj, path, str(MIN_PIXELS),
                            str(MAX_PIXELS), out], capture_output=True, text=True)
        check(r.returncode == 0, f"{what} {path}: driver failed: {r.stderr}")
        if r.returncode:
            continue
        pixels, grid = vlm_ref.preprocess(vision, path, MIN_PIXELS, MAX_PIXELS)
        check([int(v) for v in r.stdout.split()] == [int(v) for v in grid],
              f"{what} {path}: grid {r.stdout.strip()} vs {grid}")
        want = vision.embed(pixels, grid).numpy()
        got = np.fromfile(out, dtype=np.float32).reshape(want.shape)
        err = relative_error(got, want)
        print(f"{what} {shape} {os.path.basename(path)}: {want.shape[0]} tokens, "
              f"max error {err:.2e} of the spread")
        check(err <= tolerance, f"{what} {shape} {path}: error {err:.2e}")


def compare_prompt(model, mmproj, what, paths, greedy=8):
    out = os.path.join(WORK, "prompt.json")
    text = "Which of the images shows the result of the program? Answer with a letter."
    subprocess.run([DRIVER, "--shape", "rows", "prompt", model, mmproj, str(MIN_PIXELS),
                    str(200704), str(greedy), out, text, *paths], check=True)
    got = json.load(open(out))
    want = vlm_ref.Prompt(model, mmproj, kv_f16=True).run(
        got["ids"], paths, MIN_PIXELS, 200704, greedy)
    check(got["grids"] == want["grids"], f"{what}: grids {got['grids']} vs {want['grids']}")
    check(got["positions"] == want["positions"], f"{what}: positions differ")
    next_pos = max(max(p[:3]) for p in want["positions"]) + 1
    check(got["next_pos"] == next_pos, f"{what}: next position {got['next_pos']} vs {next_pos}")
    err = relative_error(got["logits"], np.asarray(want["logits"]))
    print(f"{what}: {len(got['ids'])} prompt tokens, logits max error {err:.2e} of the spread, "
          f"greedy {got['greedy']}")
    check(err <= EXACT, f"{what}: logits error {err:.2e}")
    check(got["greedy"] == [int(t) for t in want["greedy"]],
          f"{what}: greedy {got['greedy']} vs {want['greedy']}")


def main():
    paths = images()
    model = make("text.gguf", "--arch", "qwen2vl", "--vocab-from", VOCAB)
    for family in ("qwen2vl", "qwen2.5vl"):
        for wtype in ("f32", "f16", "q8_0"):
            mmproj = make(f"{family}-{wtype}.gguf", "--mmproj", family, "--type", wtype,
                          "--text-embd", "64")
            what = f"{family} {wtype}"
            if wtype == "q8_0":
                compare_embeddings(mmproj, what, "auto", ROUNDED, paths[:2])
            compare_embeddings(mmproj, what, "rows" if wtype == "q8_0" else "auto", EXACT, paths)
        compare_prompt(model, mmproj, f"{family} one image", paths[:1])
        compare_prompt(model, mmproj, f"{family} five images", paths)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
