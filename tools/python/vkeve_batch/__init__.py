"""vkeve_batch - read vkeve training batches (*.vkb files) from Python.

    import vkeve_batch
    for f in vkeve_batch.read_dir("out/batches"):      # damaged files: warned about, skipped
        for s in f.solver_rollouts:
            task = f.tasks[s.task]
            print(task.question_type, s.correct, s.advantage, s.completion_ids.shape)

    ds = vkeve_batch.SolverDataset("out/batches")       # (prompt ids, completion ids, advantage)
    batch = vkeve_batch.collate([ds[i] for i in range(8)], pad_id=151643)

Token ids and log-probs are numpy arrays (int32, float32) that view the file's bytes
(read-only; copy them to modify). Needs the `flatbuffers` and `numpy` packages; the module
flatc generates from schemas/batch.fbs (`vkeve.batch`) is installed with this one.
"""
from .reader import (BatchFile, BatchFileError, ChallengerRollout, Header, Image, Model,
                     Setting, SolverRollout, Task, iter_records, list_files, read_dir,
                     read_file)
from .dataset import SolverDataset, collate

__all__ = ["BatchFile", "BatchFileError", "ChallengerRollout", "Header", "Image", "Model",
           "Setting", "SolverRollout", "Task", "iter_records", "list_files", "read_dir",
           "read_file", "SolverDataset", "collate"]
