"""`roadmap diff` on two years of the same real plan (tests/data/diff_real_pairs.yaml): the
matches a person found by reading both extracted plans are made, nothing is matched that the
reader would not accept, and a plan for a later year keeps its unchanged schedules unchanged."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import pytest
import yaml

from models import Plan
from tests.real.corpus import corpus_dir, extract_json, is_error
from tests.seedtext import ROOT
from workflow.diff import Diff, diff

PAIRS = ROOT / "tests" / "data" / "diff_real_pairs.yaml"


@cache
def pairs() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]
    return data


def plan_of(name: str) -> Plan:
    if not (corpus_dir() / name).is_file():
        pytest.skip(f"{name} is not in the corpus folder {corpus_dir()}")
    result = extract_json(name)
    assert not is_error(result), result
    return Plan.model_validate(result)


def _allowed(value: int | list[int]) -> list[int]:
    return value if isinstance(value, list) else [value]


def expected_same(spec: dict[str, Any]) -> dict[int, list[int]]:
    same = {int(k): _allowed(v) for k, v in (spec.get("same") or {}).items()}
    if "same_range" in spec:
        first, last = spec["same_range"]
        same.update({k: [k] for k in range(first, last + 1)})
    return same


@cache
def result_of(name: str) -> tuple[Diff, float]:
    spec = next(p for p in pairs() if p["name"] == name)
    old, new = plan_of(spec["old"]), plan_of(spec["new"])
    diff(old, new)  # warm: imports and the morphology dictionary
    start = time.perf_counter()
    result = diff(old, new)
    return result, time.perf_counter() - start


def matched(result: Diff) -> dict[int, int]:
    return {e.old[0].seq: e.new[0].seq for e in result.entries if e.status in ("unchanged", "changed")}


@pytest.mark.parametrize("name", [p["name"] for p in pairs()])
def test_the_matches_a_reader_found_are_made(name: str) -> None:
    spec = next(p for p in pairs() if p["name"] == name)
    result, _ = result_of(name)
    found = matched(result)
    missing = {old: new for old, new in expected_same(spec).items() if found.get(old) not in new}
    assert not missing, {old: (want, found.get(old)) for old, want in missing.items()}
    for kind in ("merged", "split"):
        pieces = [(tuple(a.seq for a in e.old), tuple(a.seq for a in e.new)) for e in result.entries
                  if e.status == kind]
        for want in spec.get(kind, []):
            assert any(sorted(old) == sorted(want["old"]) and set(new) <= set(want["new"]) for old, new in pieces), \
                (want, pieces)


@pytest.mark.parametrize("name", [p["name"] for p in pairs() if p.get("only_listed", True)])
def test_nothing_else_is_matched(name: str) -> None:
    spec = next(p for p in pairs() if p["name"] == name)
    result, _ = result_of(name)
    accepted = expected_same(spec)
    for old, new in (spec.get("may") or {}).items():
        accepted.setdefault(int(old), []).extend(_allowed(new))
    extra = {old: new for old, new in matched(result).items() if new not in accepted.get(old, [])}
    assert not extra, extra
    wanted = {tuple(sorted(w["old"])) for kind in ("merged", "split") for w in spec.get(kind, [])}
    pieces = [e for e in result.entries if e.status in ("merged", "split")]
    unexpected = [(e.status, [a.seq for a in e.old], [a.seq for a in e.new]) for e in pieces
                  if tuple(sorted(a.seq for a in e.old)) not in wanted]
    assert not unexpected, unexpected


@pytest.mark.parametrize("name", [p["name"] for p in pairs() if "years_apart" in p])
def test_a_later_year_keeps_unchanged_schedules(name: str) -> None:
    spec = next(p for p in pairs() if p["name"] == name)
    result, _ = result_of(name)
    assert result.years == spec["years_apart"]
    if "schedule_changes" in spec:
        changed = {e.old[0].seq for e in result.entries if "schedule" in e.fields}
        assert changed <= set(spec["schedule_changes"]), changed


def test_a_long_real_pair_is_diffed_quickly() -> None:
    """628 against 335 activities (the school's two annual plans): the work grows with the
    product of the two lengths; 0.4–0.5 s measured on 2 shared cores at load average 10."""
    result, seconds = result_of("план работы школы № 11 2015-2016 (.doc) и 2016-2017 (PDF)")
    assert len(result.old.activities) * len(result.new.activities) > 200_000
    assert seconds < 3.0, seconds
