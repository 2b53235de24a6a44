"""Extraction of the five samples equals their golden files, and the goldens hold every text
of the seed plans."""

from __future__ import annotations

import difflib
from typing import Any

import pytest

from tests.conftest import extracted, golden, pretty
from tests.seedtext import PARTY_SEPARATOR_WORDS, SAMPLES, contains_in_order, contains_run, fragments, tokens

NAMES = sorted(SAMPLES.values())


@pytest.mark.parametrize("name", NAMES)
def test_extraction_equals_golden(name: str) -> None:
    got, want = extracted(name), golden(name)
    if got != want:
        diff = "\n".join(difflib.unified_diff(pretty(want), pretty(got), "golden", "extracted", lineterm="", n=2))
        pytest.fail(f"{name} differs from golden/{name}.json:\n{diff[:6000]}")


def _golden_texts(plan: dict[str, Any]) -> tuple[list[str], list[str]]:
    """All text of a golden in document order, and the responsible texts alone."""
    meta = plan["plan"]
    texts = [meta["title"], (meta["approval"] or {}).get("text", ""), *meta["preamble"]]
    texts += [c["header"] for c in plan["columns"]]
    texts += [f"{s['number'] or ''} {s['title']} {s['note'] or ''}" for s in plan["sections"]]
    parties: list[str] = []
    for a in plan["activities"]:
        texts += [a["number"] or "", a["title"], a["schedule"]["text"]]
        texts += [p["text"] for p in a["responsible"]]
        texts += [a["result"] or "", *a["extra"].values()]
        parties += [p["text"] for p in a["responsible"]]
    return texts, parties


@pytest.mark.parametrize("seed", sorted(SAMPLES))
def test_golden_holds_every_seed_text(seed: str) -> None:
    """Every title, date and responsible text of the seed appears in the golden (a responsible
    cell split into several parties may appear with its shared words once)."""
    plan = golden(SAMPLES[seed])
    texts, parties = _golden_texts(plan)
    all_tokens = [t for text in texts for t in tokens(text)]
    party_tokens = [t for text in parties for t in tokens(text)]
    missing = [
        f for f in fragments(seed)
        if not contains_run(all_tokens, tokens(f))
        and not contains_in_order(party_tokens, [t for t in tokens(f) if t not in PARTY_SEPARATOR_WORDS])
    ]
    assert not missing, f"{len(missing)} seed texts missing from golden: {missing[:5]}"


@pytest.mark.parametrize("name", NAMES)
def test_golden_is_deterministic(name: str) -> None:
    from extractor import extract
    from extractor.output import to_json
    from tests.conftest import sample_path

    assert to_json(extract(sample_path(name))) == to_json(extract(sample_path(name)))


@pytest.mark.parametrize("name", NAMES)
def test_messages_for_people_are_russian(name: str) -> None:
    """Every warning message of a sample's JSON is Russian (codes stay English): no English prose
    (two English words in a row, the comparison report's own rule) reaches a person."""
    from workflow.compare_card import is_english

    english = [w["message"] for w in extracted(name)["warnings"] if is_english(w["message"])]
    assert not english, english
