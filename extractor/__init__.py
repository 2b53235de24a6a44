"""Plan assembly: from the layout model of a document to the canonical plan."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.options import Options
    from models import Plan


def extract(path: str | Path, options: Options | Mapping[str, Any] | None = None) -> Plan:
    """Read one plan file and return its canonical plan (raises ExtractionError; OptionsError
    for options that cannot be used). `options`: see extractor.options.Options."""
    from extractor.pipeline import extract as _extract

    return _extract(path, options)


__all__ = ["extract"]
