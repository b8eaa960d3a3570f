#!/usr/bin/python3
"""pil_exec.py - the Pillow reference for `vkeve exec`: runs an EVE-style program with real
Python and Pillow and writes what vkeve should write.

usage: /usr/bin/python3 pil_exec.py PROGRAM.py IMAGE OUTDIR

The program is executed in a namespace that only offers the language subset vkeve
implements: the builtins listed in ALLOWED_BUILTINS, imports of math and PIL's image modules
only, no classes (no __build_class__), no open/eval/exec/getattr. Then, for each dict in its
`args_list`, `edit_image(image, **args)` is called on a fresh copy of IMAGE (as EVE's
harness reopens the file for every case), the result is saved as OUTDIR/caseN.png, and one
line per case is printed, in the same format as `vkeve exec`:

    case0 ok 448x448 RGB {'angle': 15}
    case1 fail TypeError line 7: unsupported operand type(s) for +: 'int' and 'str'

Exit status: 0 when every case succeeded, 1 when the program or any case failed, 2 on bad
usage or an unreadable image. compare_programs.py imports this module and calls
run_program() in-process.
"""
import builtins
import importlib
import os
import sys
import traceback

from PIL import Image

ALLOWED_BUILTINS = ["int", "float", "str", "bool", "len", "range", "enumerate", "zip", "min", "max",
                    "abs", "round", "sum", "sorted", "reversed", "list", "tuple", "dict", "divmod",
                    "isinstance", "map", "any", "all", "True", "False", "None"]
ALLOWED_MODULES = {"math", "PIL", "PIL.Image", "PIL.ImageDraw", "PIL.ImageOps", "PIL.ImageEnhance",
                   "PIL.ImageFilter", "PIL.ImageColor"}
PIL_SUBMODULES = {"Image", "ImageDraw", "ImageOps", "ImageEnhance", "ImageFilter", "ImageColor"}


class Failure(Exception):
    """A program failure as vkeve reports it: Python's exception kind, a line, a message."""

    def __init__(self, kind, line, message):
        super().__init__(message)
        self.kind = kind
        self.line = line
        self.message = message

    def __str__(self):
        return f"{self.kind} line {self.line}: {self.message}"


def _restricted_import(name, globals=None, locals=None, fromlist=(), level=0):
    """__import__ that admits only math and PIL's image modules (vkeve's allow-list)."""
    if level != 0 or name not in ALLOWED_MODULES:
        raise ImportError(f"import of '{name}' is not allowed")
    module = importlib.import_module(name)
    if not fromlist:
        return sys.modules[name.split(".")[0]]
    for sub in fromlist:
        if name == "PIL" and sub not in PIL_SUBMODULES:
            raise ImportError(f"import of 'PIL.{sub}' is not allowed")
        if name == "PIL":
            importlib.import_module("PIL." + sub)
    return module


def _discard(*args, **kwargs):
    """print(): programs may print, the output goes nowhere (as in vkeve)."""


def make_namespace():
    allowed = {name: getattr(builtins, name) for name in ALLOWED_BUILTINS}
    allowed["__import__"] = _restricted_import
    allowed["print"] = _discard
    return {"__builtins__": allowed, "__name__": "program"}


def _failure_from(exc, filename):
    """Converts a Python exception into (kind, line, message), the line being the innermost
    frame that belongs to the program (0 when none does, e.g. a failure inside Pillow called
    at top level)."""
    line = 0
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno or 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return Failure(type(exc).__name__, line, message)


def load_image(path):
    """Opens IMAGE the way EVE's harness does (no conversion) and returns an in-memory copy."""
    with Image.open(path) as f:
        f.load()
        return f.copy()


def run_program(source, filename, image):
    """Runs the program on a copy of `image` once per args dict.

    Returns (failure, cases): failure is a Failure for the whole program (syntax error, no
    args_list...) or None; cases is a list of (args_repr, result) where result is an Image
    or a Failure.
    """
    namespace = make_namespace()
    try:
        exec(compile(source, filename, "exec"), namespace)
    except Exception as exc:  # any program error is a reported failure, not a crash
        return _failure_from(exc, filename), []
    args_list = namespace.get("args_list")
    edit_image = namespace.get("edit_image")
    if not isinstance(args_list, list) or not all(isinstance(a, dict) for a in args_list):
        return Failure("ValueError", 0, "args_list must be a list of dicts"), []
    if not callable(edit_image):
        return Failure("NameError", 0, "edit_image is not defined"), []
    cases = []
    for args in args_list:
        try:
            out = edit_image(image.copy(), **args)
            if not isinstance(out, Image.Image):
                raise TypeError(f"edit_image returned {type(out).__name__}, not an image")
            result = out
        except Exception as exc:  # a case that fails is reported, the others still run
            result = _failure_from(exc, filename)
        cases.append((repr(args), result))
    return None, cases


def case_line(index, args_repr, result):
    """The per-case line `vkeve exec` prints."""
    if isinstance(result, Failure):
        return f"case{index} fail {result}"
    return f"case{index} ok {result.width}x{result.height} {result.mode} {args_repr}"


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: pil_exec.py PROGRAM.py IMAGE OUTDIR\n")
        return 2
    program, image_path, outdir = argv[1:]
    try:
        with open(program, encoding="utf-8") as f:
            source = f.read()
        image = load_image(image_path)
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"pil_exec: {exc}\n")
        return 2
    failure, cases = run_program(source, program, image)
    if failure:
        print(f"program fail {failure}")
        return 1
    ok = True
    for i, (args_repr, result) in enumerate(cases):
        if isinstance(result, Image.Image):
            result.save(os.path.join(outdir, f"case{i}.png"))
        else:
            ok = False
        print(case_line(i, args_repr, result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
