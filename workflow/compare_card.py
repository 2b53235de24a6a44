"""What a reviewer reads first about each plan, shared by `roadmap compare` and `roadmap export`
(no scikit-learn here): the plan's label (municipality and period, the file name as a fallback)
and its completeness card (activities, shares with dates and with parties, text coverage,
warnings by kind, and the reasons to give the submission a second look).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from lang.vocab import load
from models import Plan
from workflow.compare_charts import month_index, outside, spans_of

ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")  # two English words in a row: not for people here

# warnings that mean part of the document was lost or misread: worth a look whatever the shares
SERIOUS = frozenset({"row_lost", "internal_error", "ocr_unavailable", "row_without_activity"})


@dataclass(frozen=True)
class CardSettings:
    """Below these a plan is marked for a second look."""

    min_activities: int = 5
    min_dated_share: float = 0.5
    min_parties_share: float = 0.5
    min_word_share: float = 0.98


@dataclass(frozen=True)
class CodeNames:
    """Russian words for the extractor's codes (extractor/data/batch_export.yaml, `codes`)."""

    warnings: dict[str, str]
    doubtful: dict[str, str]
    errors: dict[str, str]
    kinds: dict[str, str]


@cache
def code_names() -> CodeNames:
    data: dict[str, Any] = load("batch_export")["codes"]
    return CodeNames(*(dict(data[k]) for k in ("warnings", "doubtful", "errors", "kinds")))


@dataclass
class Card:
    activities: int
    sections: int
    with_dates: int
    with_parties: int
    with_result: int
    word_share: float | None  # quality.word_share; None for JSON made before contract 1.1
    warnings: list[tuple[str, str, int]]  # code, its Russian name, count; most frequent first
    concerns: list[str] = field(default_factory=list)  # why to look again, in Russian
    ocr: bool = False

    def share(self, n: int) -> float:
        return n / self.activities if self.activities else 0.0

    @property
    def dated_share(self) -> float:
        return self.share(self.with_dates)

    @property
    def parties_share(self) -> float:
        return self.share(self.with_parties)

    @property
    def needs_review(self) -> bool:
        return bool(self.concerns)

    @property
    def warning_text(self) -> str:
        """"срок не прочитан: 3; не исполнитель: 2"."""
        return "; ".join(f"{name}: {n}" for _, name, n in self.warnings)


def percent(share: float) -> str:
    return f"{round(100 * share)} %"


def card_of(plan: Plan, settings: CardSettings | None = None) -> Card:
    settings = settings or CardSettings()
    names = code_names()
    acts = plan.activities
    counted = Counter(w.code for w in plan.warnings)
    card = Card(
        activities=len(acts),
        sections=len(plan.sections),
        with_dates=sum(1 for a in acts if spans_of(a)),
        with_parties=sum(1 for a in acts if a.responsible),
        with_result=sum(1 for a in acts if a.result),
        word_share=plan.quality.word_share if plan.quality is not None else None,
        warnings=[(code, names.warnings.get(code, code), n)
                  for code, n in sorted(counted.items(), key=lambda x: (-x[1], x[0]))],
        ocr=plan.source.ocr,
    )
    concerns = card.concerns
    if card.activities < settings.min_activities:
        concerns.append(f"мало мероприятий: {card.activities}")
    if card.activities and card.dated_share < settings.min_dated_share:
        concerns.append(f"даты есть у {percent(card.dated_share)} мероприятий")
    if card.activities and card.parties_share < settings.min_parties_share:
        concerns.append(f"исполнители названы у {percent(card.parties_share)} мероприятий")
    if card.word_share is not None and card.word_share < settings.min_word_share:
        concerns.append(f"в JSON попало {percent(card.word_share)} текста таблиц")
    if plan.status == "partial":
        concerns.append("документ прочитан не полностью")
    for code in sorted(SERIOUS & counted.keys()):
        concerns.append(f"{names.warnings.get(code, code)}: {counted[code]}")
    if plan.quality is not None:
        concerns += [f"похоже, не план: {names.doubtful.get(c, c)}" for c in plan.quality.doubtful]
    period = plan.plan.period
    if period is None:
        concerns.append("период не указан")
    elif period.start is not None and period.end is not None:
        bounds = (month_index(period.start), month_index(period.end))
        strays = sum(1 for a in acts if any(outside(s, bounds) for s in spans_of(a)))
        if strays:
            concerns.append(f"даты вне периода плана: {strays}")
    if plan.plan.municipality is None:
        concerns.append("муниципалитет не указан")
    return card


def years_of(plan: Plan) -> str:
    """"2020–2021", "2024", or "" where the plan has no period with both ends."""
    period = plan.plan.period
    if period is None or period.start is None or period.end is None:
        return ""
    first, last = period.start.year, period.end.year
    return str(first) if first == last else f"{first}–{last}"


def plan_label(plan: Plan) -> str:
    """"Тула 2020–2021": the municipality and the plan's years; the file's base name where the
    plan names no municipality."""
    if not plan.plan.municipality:
        return Path(plan.source.filename).stem
    return " ".join(x for x in (plan.plan.municipality, years_of(plan)) if x)


def is_batch_report(data: Any) -> bool:
    """`roadmap batch`'s _report.json: a summary and a list of files, no plan."""
    return isinstance(data, dict) and {"summary", "files"} <= set(data) and "activities" not in data


def party_text(name: str, position: str | None = None, role: str | None = None) -> str:
    """A party as people read it: "Иванова И.И., зам. директора по ВР", with the sub-column it
    was listed under in brackets ("МБОУ СОШ № 1 (школа-куратор)")."""
    text = f"{name}, {position}" if position and position not in name else name
    return f"{text} ({role})" if role else text


def is_english(text: str) -> bool:
    """Whether a message (of a JSON made before the extractor spoke Russian) is English prose."""
    return bool(ENGLISH.search(text))
