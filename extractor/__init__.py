"""Plan assembly: from the layout model of a document to the canonical plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models import Plan


def extract(path: str | Path) -> Plan:
    """Read one plan file and return its canonical plan (raises ExtractionError)."""
    from extractor.pipeline import extract as _extract

    return _extract(path)


__all__ = ["extract"]
