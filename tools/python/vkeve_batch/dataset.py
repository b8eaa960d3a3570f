"""dataset.py - solver rollouts as a PyTorch-style dataset for GRPO/PPO training.

    ds = SolverDataset("out/batches")
    item = ds[0]   # {"prompt_ids", "completion_ids", "old_logprobs", "advantage", ...}
    batch = collate([ds[i] for i in range(4)], pad_id=0)

It is a plain class with __len__ and __getitem__, so torch.utils.data.DataLoader accepts it
as is (pass collate_fn=collate); torch itself is optional. Items hold numpy arrays; with
as_torch=True (needs torch) collate returns tensors.
"""
import numpy as np

from .reader import read_dir


class SolverDataset:
    """Every solver rollout under path, with the task fields a trainer needs."""

    def __init__(self, path, on_error="warn"):
        self.items = []
        for f in read_dir(path, on_error):
            for s in f.solver_rollouts:
                task = f.tasks[s.task]
                self.items.append({
                    "prompt_ids": s.prompt_ids.astype(np.int64),
                    "completion_ids": s.completion_ids.astype(np.int64),
                    "old_logprobs": s.logprobs.astype(np.float32),
                    "advantage": float(s.advantage),
                    "reward": float(s.reward),
                    "correct": bool(s.correct),
                    "question_type": int(task.question_type),
                    "image_grid_thw": s.image_grid_thw.astype(np.int64),
                    "images": [f.images[i].png for i in task.images],
                })

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def _pad(arrays, value, dtype):
    width = max((len(a) for a in arrays), default=0)
    out = np.full((len(arrays), width), value, dtype)
    mask = np.zeros((len(arrays), width), np.int64)
    for row, a in enumerate(arrays):
        out[row, :len(a)] = a
        mask[row, :len(a)] = 1
    return out, mask


def collate(items, pad_id=0, as_torch=False):
    """Pads a list of items into one batch: prompts are LEFT-padded (so every completion
    starts at the same column), completions and log-probs right-padded; masks mark real
    tokens. Images and grids stay lists (their sizes differ)."""
    prompts, prompt_mask = _pad([a[::-1] for a in (it["prompt_ids"] for it in items)],
                                pad_id, np.int64)
    prompts, prompt_mask = prompts[:, ::-1].copy(), prompt_mask[:, ::-1].copy()
    completions, completion_mask = _pad([it["completion_ids"] for it in items], pad_id, np.int64)
    logprobs, _ = _pad([it["old_logprobs"] for it in items], 0.0, np.float32)
    batch = {
        "prompt_ids": prompts, "prompt_mask": prompt_mask,
        "completion_ids": completions, "completion_mask": completion_mask,
        "old_logprobs": logprobs,
        "advantages": np.array([it["advantage"] for it in items], np.float32),
        "image_grid_thw": [it["image_grid_thw"] for it in items],
        "images": [it["images"] for it in items],
    }
    if as_torch:
        import torch  # optional dependency, only for this path
        for k in ("prompt_ids", "prompt_mask", "completion_ids", "completion_mask",
                  "old_logprobs", "advantages"):
            batch[k] = torch.from_numpy(batch[k])
    return batch
