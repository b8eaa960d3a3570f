"""test_cli.py - the vkeve command line's contract: help texts, exit statuses (0 ok,
1 runtime failure, 2 bad usage or environment) and clear messages when Vulkan is missing.
Run by ctest with VKEVE_BIN set; uses /usr/bin/python3 only."""
import os
import subprocess
import sys
import tempfile

VKEVE = os.environ["VKEVE_BIN"]
failures = []


def run(args, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    p = subprocess.run([VKEVE] + args, capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def expect(args, code, *texts, env=None, where="stdout+stderr"):
    rc, out, err = run(args, env)
    both = out + err
    if rc != code:
        failures.append(f"vkeve {' '.join(args)} {env or ''}: exit {rc}, expected {code}\n{both}")
    for t in texts:
        if t not in both:
            failures.append(f"vkeve {' '.join(args)} {env or ''}: no '{t}' in output:\n{both}")


expect([], 2, "usage: vkeve COMMAND")
expect(["--help"], 0, "commands:", "info", "help")
expect(["help", "info"], 0, "usage: vkeve info")
expect(["help", "nonsense"], 2, "unknown command 'nonsense'")
expect(["nonsense"], 2, "unknown command 'nonsense'")
expect(["info", "--help"], 0, "usage: vkeve info")
expect(["info", "--bogus"], 2, "unexpected argument '--bogus'")
expect(["info"], 0, "(selected)", "subgroup size", "fp16 arithmetic", "cooperative matrix",
       "timestamps")
expect(["info", "--device", "99"], 2, "device 99 does not exist")
expect(["info"], 2, "VKEVE_DEVICE='x'", env={"VKEVE_DEVICE": "x"})
# No driver: the loader finds none.
expect(["info"], 2, "no Vulkan 1.2 driver found",
       env={"VK_ICD_FILENAMES": "/nonexistent/icd.json", "VK_DRIVER_FILES": "/nonexistent/icd.json"})
# No loader at all.
expect(["info"], 2, "no Vulkan loader (/nonexistent/libvulkan.so.1)",
       env={"VKEVE_VULKAN_LOADER": "/nonexistent/libvulkan.so.1"})

# exec creates its output folder, nested, when it is missing.
with tempfile.TemporaryDirectory() as tmp:
    prog = os.path.join(tmp, "p.py")
    with open(prog, "w") as f:
        f.write("def edit_image(img, angle):\n    return img.rotate(angle)\n\n"
                "args_list = [{'angle': 0}, {'angle': 90}]\n")
    out = os.path.join(tmp, "new", "sub")
    image = os.path.join(os.environ["VKEVE_TEST_DATA"], "img", "rgb_32x24.gif")
    expect(["exec", prog, image, "--out", out], 0, "case0 ok 32x24", "case1 ok 32x24")
    for k in range(2):
        if not os.path.isfile(os.path.join(out, f"case{k}.png")):
            failures.append(f"exec --out {out}: case{k}.png missing")
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    expect(["exec", prog, image, "--out", os.path.join(blocker, "sub")], 1,
           "exists and is not a folder")

for f in failures:
    print("FAIL", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
