"""Vocabularies loaded from extractor/data/*.yaml (or a folder given in the options): header
words, metadata phrases.

`load` is the one reader of those files (parsers, extractor and workflow all ask it); the files
are package data of `extractor` and are read as such.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from models import ColumnRole

_data_dir: Path | None = None  # Options.language_data: a folder whose files replace the packaged ones
_OUR_PACKAGES = ("lang", "parsers", "extractor", "workflow")


def use_data(folder: Path | None) -> None:
    """Read the vocabularies from `folder` from now on in this process (its <name>.yaml files
    replace the packaged ones; None: the packaged ones). Every cache of our packages is
    cleared on a change, since any of them may hold what was derived from the old words."""
    global _data_dir
    if folder == _data_dir:
        return
    _data_dir = folder
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in _OUR_PACKAGES:
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@cache
def load(name: str) -> Any:
    """Parsed content of extractor/data/<name>.yaml, or of the language data folder's file of
    that name (read once)."""
    if _data_dir is not None and (_data_dir / f"{name}.yaml").is_file():
        text = (_data_dir / f"{name}.yaml").read_text(encoding="utf-8")
    else:
        text = resources.files("extractor").joinpath("data", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class HeaderVocabulary:
    roles: tuple[tuple[ColumnRole, tuple[re.Pattern[str], ...]], ...]  # patterns in priority order
    repeatable: frozenset[str]
    plan_roles: frozenset[str]
    min_plan_roles: int
    summary_rows: re.Pattern[str]
    example_rows: re.Pattern[str]


@cache
def headers() -> HeaderVocabulary:
    data = load("headers")
    roles = tuple(
        (role, tuple(re.compile(p) for p in patterns))
        for role, patterns in data["roles"].items()
    )
    return HeaderVocabulary(
        roles=roles,
        repeatable=frozenset(data["repeatable"]),
        plan_roles=frozenset(data["plan_roles"]),
        min_plan_roles=int(data["min_plan_roles"]),
        summary_rows=re.compile("|".join(f"(?:{p})" for p in data["summary_rows"]), re.IGNORECASE),
        example_rows=re.compile("|".join(f"(?:{p})" for p in data["example_rows"]), re.IGNORECASE),
    )


@cache
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = load("metadata")
    return data
