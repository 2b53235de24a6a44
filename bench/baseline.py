"""A module as it was at an earlier git revision, loaded beside today's code, so a benchmark times
both in one process on the same inputs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
# Imports of code older than lang/ -> where that code lives now.
LANG_MOVES = (
    ("from extractor import morph", "from lang import morph"),
    ("from extractor import vocab", "from lang import vocab"),
    ("from extractor.words", "from lang.words"),
    ("from extractor.morph", "from lang.morph"),
    ("from extractor.vocab", "from lang.vocab"),
)


def show(rev: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def load_old(rev: str, module_path: str, data_path: str, data_line: tuple[str, str], folder: Path) -> ModuleType:
    """`module_path` of revision `rev` with its vocabulary `data_path` beside it: `data_line` is
    (the line that located the vocabulary, the line that reads it from beside the copy)."""
    stem = Path(module_path).stem + "_baseline"
    source = show(rev, module_path).replace(*data_line)
    for before, after in LANG_MOVES:
        source = source.replace(before, after)
    (folder / f"{stem}.py").write_text(source, encoding="utf-8")
    (folder / Path(data_path).name).write_text(show(rev, data_path), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(stem, folder / f"{stem}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module
