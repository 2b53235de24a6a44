from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from extractor import extract
from extractor.output import to_json
from tests.seedtext import ROOT

SAMPLE_DIR = ROOT / "samples"
GOLDEN_DIR = ROOT / "golden"


@cache
def _extracted_text(name: str) -> str:
    return to_json(extract(SAMPLE_DIR / f"{name}.docx"))


def extracted(name: str) -> dict[str, Any]:
    """The canonical JSON of a sample, as parsed JSON (extracted once per test run; each caller
    gets its own copy, so a test that changes it cannot change what later tests see)."""
    result: dict[str, Any] = json.loads(_extracted_text(name))
    return result


def golden(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return result


def pretty(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines()


def sample_path(name: str) -> Path:
    return SAMPLE_DIR / f"{name}.docx"
