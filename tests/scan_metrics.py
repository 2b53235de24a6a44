"""Accuracy of an OCR'd plan against the Word golden: activity F1, title character error
rate, schedule start/end agreement, party agreement. Shared by tests/test_scan.py and
bench/bench_ocr.py.

Activities are paired in document order (a longest-common-subsequence alignment) where their
titles are similar enough; F1 counts the pairs. Over the pairs: the title CER is the edit
distance over the golden titles' length; schedule agreement the share of pairs with the same
start and end; party agreement the share of pairs with the same party names in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

PAIR_SIMILARITY = 0.75  # normalized title similarity that makes two activities one


@dataclass(frozen=True)
class Metrics:
    predicted: int
    expected: int
    matched: int
    f1: float
    title_cer: float
    schedule: float
    parties: float
    plan_title_cer: float

    def row(self) -> str:
        return (f"F1 {self.f1:.3f} ({self.matched}/{self.expected} found, {self.predicted} given)  "
                f"title CER {self.title_cer:.2%}  schedule {self.schedule:.1%}  parties {self.parties:.1%}  "
                f"plan title CER {self.plan_title_cer:.2%}")


def _norm(text: str) -> str:
    return " ".join(text.split())


def pair(predicted: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Index pairs (predicted, expected) of one-to-one, order-keeping matches."""
    n, m = len(predicted), len(expected)
    sim = [[Levenshtein.normalized_similarity(_norm(p["title"]), _norm(e["title"])) for e in expected]
           for p in predicted]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = best[i + 1][j + 1] + sim[i][j] if sim[i][j] >= PAIR_SIMILARITY else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= PAIR_SIMILARITY and best[i][j] == best[i + 1][j + 1] + sim[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _parties(activity: dict[str, Any]) -> list[str]:
    return [_norm(p["name"]).casefold() for p in activity["responsible"]]


def measure(plan: dict[str, Any], golden: dict[str, Any], expected_seqs: set[int] | None = None) -> Metrics:
    """Metrics of `plan` against `golden`; `expected_seqs` limits the golden activities to the
    ones the input shows (a photo of one page)."""
    predicted = plan["activities"]
    expected = [a for a in golden["activities"] if expected_seqs is None or a["seq"] in expected_seqs]
    pairs = pair(predicted, expected)
    matched = len(pairs)
    precision = matched / len(predicted) if predicted else 0.0
    recall = matched / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if matched else 0.0
    errors = sum(Levenshtein.distance(_norm(predicted[i]["title"]), _norm(expected[j]["title"])) for i, j in pairs)
    length = sum(len(_norm(expected[j]["title"])) for _, j in pairs)
    same_dates = sum(1 for i, j in pairs
                     if (predicted[i]["schedule"]["start"], predicted[i]["schedule"]["end"])
                     == (expected[j]["schedule"]["start"], expected[j]["schedule"]["end"]))
    same_parties = sum(1 for i, j in pairs if _parties(predicted[i]) == _parties(expected[j]))
    title = _norm(golden["plan"]["title"])
    plan_cer = Levenshtein.distance(_norm(plan["plan"]["title"]), title) / max(len(title), 1)
    return Metrics(
        predicted=len(predicted), expected=len(expected), matched=matched, f1=f1,
        title_cer=errors / length if length else 1.0,
        schedule=same_dates / matched if matched else 0.0,
        parties=same_parties / matched if matched else 0.0,
        plan_title_cer=plan_cer,
    )
