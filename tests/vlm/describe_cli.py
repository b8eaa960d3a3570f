"""describe_cli.py - `vkeve describe` on tiny model pairs of both families (Qwen2-VL and
Qwen2.5-VL mmproj files in f32, f16 and q8_0 with a qwen2vl text model on the real Qwen2
vocabulary): the JSON output's prompt ids hold one <|image_pad|> per merged token between
<|vision_start|> and <|vision_end|>, with grids as Hugging Face's smart_resize gives them (checked
against tests/reference/vlm_pre_ref.py); and what must fail fails with a clear message naming
the file: empty, truncated, corrupt and absurd-size images, an aspect ratio past 200:1, an
mmproj made for another text width, an mmproj given a text model without M-RoPE.
Run by ctest with VKEVE_BIN and VKEVE_TOK_DIR set."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
from vlm_pre_ref import smart_resize  # noqa: E402

VKEVE = os.environ["VKEVE_BIN"]
VOCAB = os.path.join(os.environ["VKEVE_TOK_DIR"], "qwen2.gguf")
VISION_START, IMAGE_PAD, VISION_END = 151652, 151655, 151653
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args):
    return subprocess.run([VKEVE, *args], capture_output=True, text=True, timeout=600)


def make(work, name, *args):
    path = os.path.join(work, name)
    r = run("make-model", path, *args)
    check(r.returncode == 0, f"make-model {name}: {r.stderr}")
    return path


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bad_images(work):
    """name -> path of files that must be refused before any large allocation."""
    good = os.path.join(work, "good.png")
    Image.new("RGB", (64, 48), (200, 30, 30)).save(good)
    data = open(good, "rb").read()
    files = {"empty": b"", "truncated": data[: len(data) // 2], "corrupt": b"\x89PNG" + b"x" * 64,
             "huge": b"\x89PNG\r\n\x1a\n" + png_chunk(
                 b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0))
             + png_chunk(b"IEND", b"")}
    paths = {}
    for name, content in files.items():
        paths[name] = os.path.join(work, f"{name}.png")
        with open(paths[name], "wb") as f:
            f.write(content)
    return good, paths


def check_json(model, mmproj, images, what):
    r = run("describe", "--model", model, "--mmproj", mmproj, "--prompt", "Describe.",
            "-n", "4", "--json", *[a for im in images for a in ("--image", im)])
    check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr}")
    if r.returncode:
        return
    out = json.loads(r.stdout)
    ids, grids = out["prompt_ids"], out["image_grid_thw"]
    check(len(grids) == len(images), f"{what}: {len(grids)} grids for {len(images)} images")
    at = 0
    for im, grid in zip(images, grids):
        w, h = Image.open(im).size
        rh, rw = smart_resize(h, w, 28, 3136, 12845056)
        check(grid == [1, rh // 14, rw // 14], f"{what}: grid {grid} for {w}x{h}")
        at = ids.index(VISION_START, at) + 1
        n = (rh // 28) * (rw // 28)
        check(ids[at:at + n] == [IMAGE_PAD] * n and ids[at + n] == VISION_END,
              f"{what}: pads after vision_start at {at} are not {n} then vision_end")
    check(len(out["ids"]) == len(out["logprobs"]) and len(out["ids"]) <= 4,
          f"{what}: ids and logprobs")
    check(out["finish"] in ("stop", "length"), f"{what}: finish {out['finish']}")


def check_fails(args, words, what):
    r = run("describe", *args)
    check(r.returncode == 1, f"{what}: exit {r.returncode}, want 1 ({r.stderr.strip()})")
    for w in words:
        check(w in r.stderr, f"{what}: '{w}' not in the message: {r.stderr.strip()}")


def main():
    with tempfile.TemporaryDirectory() as work:
        model = make(work, "m.gguf", "--arch", "qwen2vl", "--vocab-from", VOCAB)
        text_only = make(work, "t.gguf", "--arch", "qwen2", "--vocab-from", VOCAB)
        good, bad = bad_images(work)
        wide = os.path.join(work, "wide.png")
        Image.new("RGB", (2010, 10), (0, 90, 0)).save(wide)
        tall = os.path.join(work, "tall.png")
        Image.new("L", (29, 1000), 128).save(tall)
        images = [good, tall, os.path.join(HERE, "..", "..", "assets", "test_333x250.png")]
        for family in ("qwen2vl", "qwen2.5vl"):
            for wtype in ("f32", "f16", "q8_0"):
                mmproj = make(work, f"{family}-{wtype}.gguf", "--mmproj", family, "--type", wtype,
                              "--text-embd", "64")
                check_json(model, mmproj, images[:1], f"{family} {wtype} one image")
                check_json(model, mmproj, images, f"{family} {wtype} three images")
        base = ["--model", model, "--mmproj", mmproj, "--prompt", "x", "-n", "2"]
        for name, path in bad.items():
            check_fails(base + ["--image", path], [path], f"{name} image")
        check_fails(base + ["--image", wide], ["200"], "aspect ratio 201:1")
        other = make(work, "p96.gguf", "--mmproj", "qwen2vl", "--text-embd", "96")
        check_fails(["--model", model, "--mmproj", other, "--image", good, "--prompt", "x"],
                    ["96", "64", other], "mmproj for another text width")
        check_fails(["--model", text_only, "--mmproj", mmproj, "--image", good, "--prompt", "x"],
                    ["qwen2vl"], "text model without M-RoPE")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
