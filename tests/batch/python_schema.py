#!/usr/bin/python3
"""python_schema.py - the Python module committed in tools/python/vkeve/batch/ must be what
`flatc --python` generates from schemas/batch.fbs today, so the installable reader never
drifts from the schema. Run by ctest (tests/batch.cmake) with FLATC and BATCH_SCHEMA set.
"""
import filecmp
import os
import subprocess
import sys
import tempfile

committed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                         "python", "vkeve", "batch")
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([os.environ["FLATC"], "--python", "-o", tmp, os.environ["BATCH_SCHEMA"]],
                   check=True)
    fresh = os.path.join(tmp, "vkeve", "batch")
    names = sorted(set(os.listdir(fresh)) | set(os.listdir(committed)))
    names = [n for n in names if n.endswith(".py")]
    _, differ, missing = filecmp.cmpfiles(fresh, committed, names, shallow=False)
    for n in differ + missing:
        print(f"FAIL: tools/python/vkeve/batch/{n} differs from flatc's output; regenerate "
              f"it with: flatc --python -o tools/python schemas/batch.fbs", file=sys.stderr)
    print(f"{len(names)} generated files compared, {len(differ) + len(missing)} differ")
    sys.exit(1 if differ or missing else 0)
