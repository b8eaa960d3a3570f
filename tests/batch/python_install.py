#!/usr/bin/python3
"""python_install.py WORK - what a trainer does: make a fresh virtual environment (with the
system's numpy, flatbuffers and setuptools, as on a cluster without a package index),
`pip install --no-build-isolation --no-index` the reader from a copy of tools/python, then,
from a folder outside the repository with no PYTHONPATH, `import vkeve_batch` and read the
sample batch written by batch_fixture. Run by ctest (tests/batch.cmake).
"""
import os
import shutil
import subprocess
import sys

work = os.path.abspath(sys.argv[1])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python")
# A copy, so the build's egg-info and build/ folders never land in the source tree.
package = os.path.join(work, "src")
shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__", "build",
                                                                "*.egg-info"))
venv = os.path.join(work, "venv")
subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv], check=True)
python = os.path.join(venv, "bin", "python")
env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-build-isolation",
                "--no-index", package], check=True, env=env)

batches = os.path.join(work, "batches")
subprocess.run([os.environ["BATCH_FIXTURE"], batches, os.path.join(work, "expected.json")],
               check=True)
probe = ("import sys, vkeve_batch\n"
         "assert 'site-packages' in vkeve_batch.__file__, vkeve_batch.__file__\n"
         "files = list(vkeve_batch.read_dir(sys.argv[1]))\n"
         "n = sum(len(f.solver_rollouts) for f in files)\n"
         "assert files and n > 0, (len(files), n)\n"
         "print(len(files), 'files,', n, 'solver rollouts, from', vkeve_batch.__file__)\n")
p = subprocess.run([python, "-c", probe, batches], cwd=work, env=env, capture_output=True,
                   text=True)
print(p.stdout + p.stderr)
sys.exit(p.returncode)
