"""reader.py - batch files as Python objects, checked before they are trusted.

The FlatBuffers Python runtime has no verifier, so read_file checks what it can: the file
identifier, that every access stays inside the file (any failure is caught), the indices
between tables, log-prob lengths and the SHA-256 of every image. A file that fails raises
BatchFileError naming the file; read_dir warns and skips it (as the C reader does).
Field names are the schema's (schemas/batch.fbs).
"""
import dataclasses
import hashlib
import os
import re
import warnings
from typing import Iterator, List

import numpy as np

try:
    from vkeve.batch.Batch import Batch
except ImportError as e:  # the generated module is a build product, not in this folder
    raise ImportError("vkeve_batch needs the Python module flatc generates from "
                      "schemas/batch.fbs: add BUILD/schemas/python to PYTHONPATH "
                      "(BUILD is vkeve's build folder)") from e

NUMBERED = re.compile(r"^round-(\d{4,})-batch-(\d{4,})\.vkb$")
N_ARGS = 4


class BatchFileError(Exception):
    """A batch file that cannot be read or fails a check; str() names the file."""


@dataclasses.dataclass
class Model:
    file_name: str
    file_size: int
    sha256: bytes


@dataclasses.dataclass
class Setting:
    key: str
    value: str


@dataclasses.dataclass
class Header:
    schema_version: int
    run_id: str
    round: int
    batch_index: int
    created_unix_ms: int
    seed: int
    challenger: Model
    solver: Model
    settings: List[Setting]
    creator: str


@dataclasses.dataclass
class Image:
    png: bytes
    width: int
    height: int
    sha256: bytes
    name: str


@dataclasses.dataclass
class Task:
    question_type: int
    question: str
    images: np.ndarray          # uint32 indices into BatchFile.images
    answer: str
    program: str
    args: List[str]
    source_image: int
    challenger_rollout: int


@dataclasses.dataclass
class ChallengerRollout:
    group_id: int
    prompt_ids: np.ndarray      # int32
    prompt_images: np.ndarray   # uint32 indices into BatchFile.images
    image_grid_thw: np.ndarray  # uint32, shape (n, 3): t, h, w per prompt image
    completion_ids: np.ndarray  # int32
    logprobs: np.ndarray        # float32, one per completion token (or empty)
    completion: str
    valid: bool
    failure: str
    reward_format: float
    reward_validity: float
    reward_difficulty: float
    reward_diversity: float
    reward: float
    advantage: float


@dataclasses.dataclass
class SolverRollout:
    task: int
    group_id: int
    prompt_ids: np.ndarray
    image_grid_thw: np.ndarray
    completion_ids: np.ndarray
    logprobs: np.ndarray
    completion: str
    answer: str
    score: float
    correct: bool
    reward: float
    advantage: float


@dataclasses.dataclass
class BatchFile:
    path: str
    header: Header
    images: List[Image]
    tasks: List[Task]
    challenger_rollouts: List[ChallengerRollout]
    solver_rollouts: List[SolverRollout]


def _text(b):
    return b.decode("utf-8") if b is not None else ""


def _array(obj, name, dtype):
    """A numeric vector field as a numpy array (empty when absent)."""
    if getattr(obj, name + "IsNone")():
        return np.zeros(0, dtype)
    return getattr(obj, name + "AsNumpy")().view(dtype)


def _bytes(obj, name):
    return _array(obj, name, np.uint8).tobytes()


def _grids(obj):
    n = obj.ImageGridThwLength()
    out = np.zeros((n, 3), np.uint32)
    for i in range(n):
        g = obj.ImageGridThw(i)
        out[i] = (g.T(), g.H(), g.W())
    return out


def _model(m):
    if m is None:
        return Model("", 0, b"")
    return Model(_text(m.FileName()), m.FileSize(), _bytes(m, "Sha256"))


def _header(h):
    settings = [Setting(_text(h.Settings(i).Key()), _text(h.Settings(i).Value()))
                for i in range(h.SettingsLength())]
    return Header(h.SchemaVersion(), _text(h.RunId()), h.Round(), h.BatchIndex(),
                  h.CreatedUnixMs(), h.Seed(), _model(h.Challenger()), _model(h.Solver()),
                  settings, _text(h.Creator()))


def _image(im):
    return Image(_bytes(im, "Png"), im.Width(), im.Height(), _bytes(im, "Sha256"),
                 _text(im.Name()))


def _task(t):
    args = [_text(t.Args(i)) for i in range(t.ArgsLength())] or [""] * N_ARGS
    return Task(t.QuestionType(), _text(t.Question()), _array(t, "Images", np.uint32),
                _text(t.Answer()), _text(t.Program()), args, t.SourceImage(),
                t.ChallengerRollout())


def _challenger(c):
    return ChallengerRollout(
        c.GroupId(), _array(c, "PromptIds", np.int32), _array(c, "PromptImages", np.uint32),
        _grids(c), _array(c, "CompletionIds", np.int32), _array(c, "Logprobs", np.float32),
        _text(c.Completion()), c.Valid(), _text(c.Failure()), c.RewardFormat(),
        c.RewardValidity(), c.RewardDifficulty(), c.RewardDiversity(), c.Reward(),
        c.Advantage())


def _solver(s):
    return SolverRollout(
        s.Task(), s.GroupId(), _array(s, "PromptIds", np.int32), _grids(s),
        _array(s, "CompletionIds", np.int32), _array(s, "Logprobs", np.float32),
        _text(s.Completion()), _text(s.Answer()), s.Score(), s.Correct(), s.Reward(),
        s.Advantage())


def _check(f: BatchFile):
    """Raises ValueError when the tables do not fit together."""
    n_images, n_tasks = len(f.images), len(f.tasks)
    n_chal = len(f.challenger_rollouts)
    for i, im in enumerate(f.images):
        if hashlib.sha256(im.png).digest() != im.sha256:
            raise ValueError(f"image {i}: PNG bytes do not match their SHA-256")
    for i, t in enumerate(f.tasks):
        if np.any(t.images >= n_images) or not -1 <= t.source_image < n_images:
            raise ValueError(f"task {i}: image index out of range")
        if not -1 <= t.challenger_rollout < n_chal or len(t.args) != N_ARGS:
            raise ValueError(f"task {i}: bad challenger rollout or argument sets")
    for kind, rollouts in (("challenger", f.challenger_rollouts), ("solver", f.solver_rollouts)):
        for i, r in enumerate(rollouts):
            if len(r.logprobs) not in (0, len(r.completion_ids)):
                raise ValueError(f"{kind} rollout {i}: log-probs do not match tokens")
    for i, c in enumerate(f.challenger_rollouts):
        if np.any(c.prompt_images >= n_images):
            raise ValueError(f"challenger rollout {i}: image index out of range")
    for i, s in enumerate(f.solver_rollouts):
        if s.task >= n_tasks:
            raise ValueError(f"solver rollout {i}: task out of range")


def read_file(path: str) -> BatchFile:
    """Reads and checks one batch file; raises BatchFileError (naming path) if it is bad."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise BatchFileError(f"{path}: cannot read: {e.strerror}") from e
    if len(data) < 8 or not Batch.BatchBufferHasIdentifier(data, 0):
        raise BatchFileError(f"{path}: not a vkeve batch (no VKB1 identifier)")
    try:
        b = Batch.GetRootAs(data, 0)
        if b.Header() is None:
            raise ValueError("no header")
        f = BatchFile(path, _header(b.Header()),
                      [_image(b.Images(i)) for i in range(b.ImagesLength())],
                      [_task(b.Tasks(i)) for i in range(b.TasksLength())],
                      [_challenger(b.ChallengerRollouts(i))
                       for i in range(b.ChallengerRolloutsLength())],
                      [_solver(b.SolverRollouts(i)) for i in range(b.SolverRolloutsLength())])
        _check(f)
    except Exception as e:  # any failure inside the buffer means it cannot be trusted
        raise BatchFileError(f"{path}: corrupt batch file: {type(e).__name__}: {e}") from e
    return f


def _order(path):
    name = os.path.basename(path)
    m = NUMBERED.match(name)
    return (0, int(m.group(1)), int(m.group(2)), name) if m else (1, 0, 0, name)


def list_files(path: str) -> List[str]:
    """The batch files under path (a folder, or one file), in (round, batch) order."""
    if not os.path.isdir(path):
        return [path]
    names = [n for n in os.listdir(path) if n.endswith(".vkb") and not n.startswith(".")]
    files = [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n))]
    return sorted(files, key=_order)


def read_dir(path: str, on_error: str = "warn") -> Iterator[BatchFile]:
    """Yields every good batch file under path in order. A bad file is skipped with a
    warning (on_error="warn"), silently ("skip"), or raises BatchFileError ("raise")."""
    if on_error not in ("warn", "skip", "raise"):
        raise ValueError(f"on_error must be warn, skip or raise, not {on_error!r}")
    for p in list_files(path):
        try:
            yield read_file(p)
        except BatchFileError as e:
            if on_error == "raise":
                raise
            if on_error == "warn":
                warnings.warn(str(e), RuntimeWarning, stacklevel=2)


def iter_records(path: str, kind: str = "solver", on_error: str = "warn"):
    """Yields (BatchFile, record) for every record of one kind: "solver", "challenger" or
    "task"."""
    field = {"solver": "solver_rollouts", "challenger": "challenger_rollouts",
             "task": "tasks"}.get(kind)
    if field is None:
        raise ValueError(f"kind must be solver, challenger or task, not {kind!r}")
    for f in read_dir(path, on_error):
        for r in getattr(f, field):
            yield f, r
