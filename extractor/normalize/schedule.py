"""Schedule cells ("Сроки") -> the canonical `Schedule` (docs/canonical-json.md, "schedule").

A small grammar of regular expressions, built from the vocabulary in
``extractor/data/schedule.yaml``, reads the cell in passes. The stages live in
``schedule_rules/``:

- ``text``: the cell as the grammar reads it (glued words apart, lower case, typos repaired
  word by word: a table of seen typos, then rapidfuzz against the short vocabulary);
- ``grammar``: the vocabulary compiled to patterns (lists as tries, so the longest phrase wins
  without trying every branch);
- ``passes``: the passes, declared as data in the order they run (weeks, the item passes,
  then modifiers such as frequencies and "в течение года"); each masks what it consumed, so
  later (looser) patterns never see it, and runs only when cheap feature searches say it can
  match;
- ``handlers``: what each pattern's match means, as dated items;
- ``resolve``: yearless items placed in the plan period (in a one-year, or one academic
  year, plan they fall in that year; in a plan of several years they repeat every year), the
  kind and windows, and the note: what is left over and is not filler.

Given a `RuleTrace`, `normalize_schedule` records which pass consumed which span of the cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from extractor.normalize.rule_trace import RuleTrace, Step
from extractor.normalize.schedule_rules.grammar import grammar
from extractor.normalize.schedule_rules.handlers import context_items, header_duration, month_number
from extractor.normalize.schedule_rules.items import MAX_WINDOWS, Env, Item, Scanned, ScheduleContext, describe
from extractor.normalize.schedule_rules.passes import scan_all
from extractor.normalize.schedule_rules.resolve import (
    RECURRENCE,
    Plan,
    event_kind,
    hull,
    note_of,
    resolve,
    sort_key,
)
from extractor.normalize.schedule_rules.resolve import plan_of as _plan_of
from extractor.normalize.schedule_rules.text import normalize_text, repairs
from extractor.normalize.schedule_rules.text import unglue as _unglue
from models.roadmap import Occurrence, Period, Schedule

__all__ = ["ScheduleContext", "month_heading", "normalize_schedule"]


def normalize_schedule(text: str, period: Period | None, context: ScheduleContext | None = None,
                       trace: RuleTrace | None = None) -> Schedule:
    """Read one schedule cell (paragraphs joined by "\\n") against the plan period: what the
    rules cannot read is kind "unknown" with the text kept. `trace`, when given, is filled with
    the rules that read the cell (extractor/normalize/rule_trace.py)."""
    folded = " ".join(str(text or "").split())
    inferred = bool(period is not None and getattr(period, "inferred", False))
    return _build(folded, _plan_of(period), context or ScheduleContext(), inferred, trace)


def month_heading(text: str) -> tuple[int, int | None] | None:
    """(month, year or None) of a month section row ("МАРТ", "Сентябрь 2023 г."), else None."""
    m = grammar().heading.fullmatch(normalize_text(" ".join(str(text or "").split()))[0])
    if m is None:
        return None
    return month_number(m.group("m")), int(m.group("y")) if m.group("y") else None


def _build(folded: str, plan: Plan | None, context: ScheduleContext, inferred: bool = False,
           trace: RuleTrace | None = None) -> Schedule:
    read, guessed = _unglue(folded)
    norm, starts, ends = normalize_text(read)
    repaired = not isinstance(starts, range)  # normalize_text maps offsets one to one unless it repaired a word
    first = _begin(trace, folded, read) if trace is not None else 0
    month = context.month if context.month is not None and 1 <= context.month <= 12 else None
    env = Env(plan.academic if plan else False, month, context.year if month is not None else None)
    bare = header_duration(norm, context.column_header)
    if bare is not None:  # "5" under "Срок, рабочих дней": a length, no date
        if trace is not None:
            trace.add("header_duration", 0, len(read), f"a length under «{context.column_header}»")
        return Schedule(text=folded, kind="unknown", duration=bare)
    day_items = context_items(norm, context) if norm.strip() else None
    if day_items is not None:
        scanned = Scanned(day_items, None, None, False, [])
        if trace is not None:
            _trace_days(trace, norm, day_items)
    else:
        scanned = scan_all(norm, env, trace)
    if not scanned.items and scanned.recurrence is None and not scanned.ongoing and not scanned.undated:
        kind = event_kind(norm, trace)
        low = guessed or repaired or (kind == "unknown" and bool(norm.strip()) and scanned.duration is None)
        if trace is not None:
            if kind == "unknown":
                _trace_unread(trace, norm, scanned.leftover)
            _to_read(trace, first, starts, ends, repaired)
            trace.note(f"no dates: {kind}" + (", confidence low" if low else ""))
        return Schedule(text=folded, kind=kind, duration=scanned.duration, confidence="low" if low else "high")
    kind, rec, windows = resolve(scanned, plan)
    known = sorted((w for w in windows if w != (None, None)), key=sort_key)[:MAX_WINDOWS]
    start, end = hull(known)
    recurrence = RECURRENCE.get(rec or "") if kind == "recurring" else None
    if trace is not None:
        _to_read(trace, first, starts, ends, repaired)
    note = note_of(read, scanned, starts, ends, trace)
    # low where the rules guessed: a misspelling repaired, glued text split, a month.year read,
    # text left over, or dates placed by a period the document does not state
    low = (guessed or repaired or note is not None or any(i.guess for i in scanned.items)
           or (inferred and any(i.floating or i.kind == "deadline" for i in scanned.items)))
    extra: dict[str, Any] = {}  # only what differs from the defaults: pydantic validates less
    if scanned.duration is not None:
        extra["duration"] = scanned.duration
    if low:
        extra["confidence"] = "low"
    if trace is not None:
        plan_text = f"plan {plan.start} – {plan.end}" if plan is not None else "no plan period"
        trace.note(f"resolved ({plan_text}): {kind}{f' {recurrence}' if recurrence else ''}, {start} – {end}, "
                   f"{len(known)} occurrence(s)" + (", confidence low" if low else ""))
    return Schedule(text=folded, kind=kind, start=start, end=end, recurrence=recurrence,
                    occurrences=[Occurrence(start=a, end=b) for a, b in known], note=note, **extra)


# --- the rule trace (only where one is asked for) ---------------------------------------------

_PART = re.compile(r"[^,;]+")


def _begin(trace: RuleTrace, folded: str, read: str) -> int:
    """The trace reads `read`; its repaired words are steps. Returns where the passes' steps start."""
    trace.text = read
    if read != folded:
        trace.note(f"glued text split: «{folded}» read as «{read}»")
    for start, end, word in repairs(read):
        trace.add("repair", start, end, f"read as «{word}»")
    return len(trace.steps)


def _to_read(trace: RuleTrace, first: int, starts: Sequence[int], ends: Sequence[int], repaired: bool) -> None:
    """The passes' spans, recorded in the normalized text, as spans of the text read (a repaired
    word may be longer or shorter than written)."""
    if repaired:
        trace.steps[first:] = [Step(s.rule, starts[s.start], ends[s.end - 1] if s.end > s.start else starts[s.start],
                                    s.value) for s in trace.steps[first:]]


def _trace_days(trace: RuleTrace, norm: str, items: list[Item]) -> None:
    """Day-only parts under a month row: one step each (the parts are those `context_items` split)."""
    for m, item in zip(_PART.finditer(norm), items, strict=False):
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        trace.add("month_row_days", start, start + len(m.group().strip()), describe(item))


def _trace_unread(trace: RuleTrace, norm: str, leftover: list[tuple[int, int]]) -> None:
    """What no pass took, in a cell nothing was read from."""
    for a, b in leftover:
        fragment = norm[a:b]
        if fragment.strip():
            start = a + len(fragment) - len(fragment.lstrip())
            trace.add("unread", start, start + len(fragment.strip()), "no rule read this")
