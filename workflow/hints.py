"""Corrections a person writes for one plan: a hints file beside it (`plan.docx.hints.yaml`),
with the keys of extractor.options.Options (period, municipality, columns, ocr, …).

The layers, weakest first: an options file for the whole run (`--options`), the plan's own
hints file (written for that plan), then what was typed on the command line for this run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from extractor.options import Options, OptionsError
from extractor.output import write_atomic
from parsers.errors import ExtractionError

HINTS_SUFFIX = ".hints.yaml"


def hints_file(plan: Path) -> Path:
    return plan.with_name(plan.name + HINTS_SUFFIX)


def read_hints(plan: Path) -> dict[str, Any]:
    """The hints written beside `plan` ({} when there are none); OptionsError when the file
    cannot be used."""
    path = hints_file(plan)
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise OptionsError(f"файл поправок {path.name} не прочитан: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise OptionsError(f"файл поправок {path.name} должен содержать словарь (период, муниципалитет, …)")
    return data


def write_hints(plan: Path, hints: Mapping[str, Any]) -> Path:
    """Write (atomically) the hints file beside `plan`; validated first, so a bad one is never written."""
    Options.resolve(dict(hints))
    path = hints_file(plan)
    write_atomic(path, yaml.safe_dump(dict(hints), allow_unicode=True, sort_keys=True))
    return path


def typed_hints(period: str | None = None, academic: bool = False, municipality: str | None = None,
                columns: Mapping[str, str] | None = None, ocr: bool | None = None) -> dict[str, Any]:
    """The hints a person typed (command-line flags, the service's form fields) as Options keys;
    None is not given (an empty string is given, and Options refuses it)."""
    out: dict[str, Any] = {}
    if period is not None:
        out["period"] = f"{period} учебный" if academic else period
    if municipality is not None:
        out["municipality"] = municipality
    if columns:
        out["columns"] = dict(columns)
    if ocr is not None:
        out["ocr"] = ocr
    return out


def merged(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win; nested groups (columns, pdf, …) merged key by key."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            key = str(key)
            if isinstance(value, Mapping) and isinstance(out.get(key), dict):
                out[key] = merged(out[key], value)
            else:
                out[key] = dict(value) if isinstance(value, Mapping) else value
    return out


@dataclass(frozen=True)
class OptionLayers:
    """Options for the whole run; `for_file` adds a plan's hints file between them."""

    base: Mapping[str, Any] = field(default_factory=dict)  # an options file for the run
    explicit: Mapping[str, Any] = field(default_factory=dict)  # typed on the command line

    def resolve(self, hints: Mapping[str, Any] | None = None) -> Options:
        return Options.resolve(merged(self.base, hints or {}, self.explicit))

    def for_file(self, plan: Path) -> Options:
        """The options of one plan on disk; a hints file that cannot be used is that plan's
        error (ExtractionError bad_options), not the run's."""
        try:
            return self.resolve(read_hints(plan))
        except OptionsError as exc:
            raise ExtractionError("bad_options", f"{hints_file(plan).name}: {exc}") from exc


__all__ = ["HINTS_SUFFIX", "OptionLayers", "hints_file", "merged", "read_hints", "typed_hints", "write_hints"]
