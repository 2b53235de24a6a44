"""Vocabularies loaded from extractor/data/*.yaml: header words, metadata phrases."""

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
    roles: tuple[tuple[ColumnRole, re.Pattern[str]], ...]
    repeatable: frozenset[str]
    plan_roles: frozenset[str]
    min_plan_roles: int


@cache
def headers() -> HeaderVocabulary:
    data = load("headers")
    roles = tuple(
        (role, re.compile("|".join(f"(?:{p})" for p in patterns)))
        for role, patterns in data["roles"].items()
    )
    return HeaderVocabulary(
        roles=roles,
        repeatable=frozenset(data["repeatable"]),
        plan_roles=frozenset(data["plan_roles"]),
        min_plan_roles=int(data["min_plan_roles"]),
    )


@cache
def metadata() -> dict[str, Any]:
    data: dict[str, Any] = load("metadata")
    return data
