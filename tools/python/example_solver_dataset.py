#!/usr/bin/env python3
"""example_solver_dataset.py - turn vkeve's solver rollouts into training batches.

    PYTHONPATH=BUILD/schemas/python:tools/python python3 tools/python/example_solver_dataset.py DIR

Loads every batch file in DIR, builds a SolverDataset of (prompt ids, completion ids,
advantage) and prints a few padded batches, as a GRPO trainer loop would consume them.
With torch installed the same dataset plugs into torch.utils.data.DataLoader:
    DataLoader(ds, batch_size=8, shuffle=True, collate_fn=lambda b: collate(b, as_torch=True))
"""
import sys

import vkeve_batch


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    ds = vkeve_batch.SolverDataset(argv[1])
    print(f"{len(ds)} solver rollouts")
    for start in range(0, min(len(ds), 24), 8):
        batch = vkeve_batch.collate([ds[i] for i in range(start, min(start + 8, len(ds)))])
        print(f"batch at {start}: prompts {batch['prompt_ids'].shape}, completions "
              f"{batch['completion_ids'].shape}, advantages {batch['advantages'].round(3)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
