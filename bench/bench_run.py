#!/usr/bin/python3
"""bench_run.py - the main job's speed, as one JSON line per round: verified tasks per second
(tasks whose questions the Solver answered, their ground truth from execution), the time per
stage (challenger generation, program execution, solver generation, rewards and writing), and
the overlap of program execution with generation.

    bench_run.py OUT_DIR [vkeve run options...]      (VKEVE_BIN or build/tools/vkeve)

OUT_DIR is emptied first. execution_cpu is the programs' own time on the worker threads and
execution_wait the time the main thread waited for them after generation had nothing left to
do: overlap = 1 - wait / cpu is the share of program execution that ran while the device was
busy generating."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VKEVE = os.environ.get("VKEVE_BIN", os.path.join(HERE, "..", "build", "tools", "vkeve"))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([VKEVE, "run", "--out", out, "--quiet", *argv[2:]], check=True)
    with open(os.path.join(out, "summary.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            sec = r["seconds"]
            tasks = sum(r["tasks"].values())
            cpu = sec["execution_cpu"]
            print(json.dumps({
                "bench": "run", "round": r["round"], "images": r["images"],
                "programs": r["challenger_rollouts"], "valid": r["valid"],
                "verified_tasks": tasks, "solver_rollouts": r["solver_rollouts"],
                "tasks_per_s": tasks / sec["total"] if sec["total"] else 0,
                "tokens_per_s": r["tokens_per_s"], "seconds": sec,
                "overlap": 1 - sec["execution_wait"] / cpu if cpu > 0.01 else None,
                "args": argv[2:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
