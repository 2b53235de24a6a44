"""Vocabularies loaded from extractor/data/*.yaml: header words, metadata phrases.

`load` is the one reader of those files (parsers, extractor and workflow all ask it); the files
are package data of `extractor` and are read as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from models import ColumnRole


@cache
def load(name: str) -> Any:
    """Parsed content of extractor/data/<name>.yaml (read once)."""
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
