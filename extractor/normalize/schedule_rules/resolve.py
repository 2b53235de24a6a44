"""Resolution: the items of a cell placed in the plan period, as kind, windows and note."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from extractor.normalize.rule_trace import RuleTrace
from extractor.normalize.schedule_rules.grammar import grammar, key_of, more_grammar
from extractor.normalize.schedule_rules.items import (
    MAX_UNITS,
    MAX_WINDOWS,
    Bounds,
    Item,
    Scanned,
    Window,
    fix,
    last_day,
    to_date,
)
from models.roadmap import Period, Recurrence, ScheduleKind

# Internal recurrence names -> the contract's ("school_quarterly": quarterly over school quarters).
RECURRENCE: dict[str, Recurrence] = {"yearly": "yearly", "semiannual": "semiannual", "quarterly": "quarterly",
                                      "school_quarterly": "quarterly", "monthly": "monthly", "weekly": "weekly"}


@dataclass(frozen=True)
class Plan:
    """The plan period as the resolution uses it."""

    start: dt.date
    end: dt.date
    academic: bool
    window: Bounds
    units: tuple[dt.date, ...]  # starts of the plan's (calendar or academic) years


def plan_of(period: Period | None) -> Plan | None:
    if period is None or period.start is None or period.end is None or period.start > period.end:
        return None
    return _plan(period.start, period.end)


@lru_cache(maxsize=256)
def _plan(start: dt.date, end: dt.date) -> Plan:
    """One plan's years, worked out once: a document's cells share its period."""
    return Plan(start, end, _is_academic(start), (start, end), tuple(_unit_starts((start, end))))


def _is_academic(start: dt.date) -> bool:
    return start.month == 9 and start.day == 1


def _unit_starts(bounds: Bounds) -> list[dt.date]:
    """Starts of the (calendar or academic) years that meet ``bounds``."""
    month = 9 if _is_academic(bounds[0]) else 1
    year = bounds[0].year if bounds[0].month >= month else bounds[0].year - 1
    last = bounds[1].year
    return [dt.date(y, month, 1) for y in range(max(year, 1), min(last, year + MAX_UNITS) + 1)
            if dt.date(y, month, 1) <= bounds[1]]


def _window(item: Item, bounds: Bounds | None) -> Window:
    """The item's dates; a deadline starts, an open start ends, with ``bounds`` (the plan,
    or the plan year a yearless item was placed in) where that keeps start <= end."""
    start = to_date(item.start, False) if item.start is not None else None
    end = to_date(item.end, True) if item.end is not None else None
    if item.kind == "deadline" and bounds is not None and end is not None and bounds[0] <= end:
        start = bounds[0]
    if item.kind == "open" and bounds is not None and start is not None and bounds[1] >= start:
        end = bounds[1]
    return start, end


def _unit_bounds(unit: dt.date, plan: Plan) -> Bounds:
    end = dt.date(unit.year + 1, unit.month, 1) - dt.timedelta(days=1)
    return max(unit, plan.start), min(end, plan.end)


def _windows_of(item: Item, plan: Plan | None) -> list[Window]:
    if not item.floating:
        return [_window(item, plan.window if plan else None)]
    if plan is None:
        return [(None, None)]
    units = plan.units
    if len(units) == 1:
        return [_window(fix(item, units[0]), plan.window)]
    return [_window(fix(item, unit), _unit_bounds(unit, plan)) for unit in units]


def _item_kind(item: Item) -> ScheduleKind:
    if item.kind == "open":
        return "period"
    if item.kind == "date" or (item.kind == "period" and item.start == item.end
                               and item.start is not None and item.start.day is not None):
        return "date"
    return item.kind


def _clip(window: Bounds, bounds: Bounds) -> Bounds | None:
    start, end = max(window[0], bounds[0]), min(window[1], bounds[1])
    return (start, end) if start <= end else None


def _month_tiles(bounds: Bounds, templates: Iterable[tuple[int, int]],
                 end_day: int | None = None) -> list[Window]:
    tiles: list[Window] = []
    for year in range(bounds[0].year, min(bounds[1].year, bounds[0].year + MAX_UNITS) + 1):
        for first, last in templates:
            day = last_day(year, last)
            tile = (dt.date(year, first, 1), dt.date(year, last, min(end_day or day, day)))
            clipped = _clip(tile, bounds)
            if clipped is not None:
                tiles.append(clipped)
    return tiles


def _week_tiles(bounds: Bounds) -> list[Window]:
    tiles: list[Window] = []
    monday = bounds[0] - dt.timedelta(days=bounds[0].weekday())
    while monday <= bounds[1] and len(tiles) < MAX_WINDOWS:
        clipped = _clip((monday, monday + dt.timedelta(days=6)), bounds)
        if clipped is not None:
            tiles.append(clipped)
        monday += dt.timedelta(days=7)
    return tiles


def _year_tiles(bounds: Bounds) -> list[Window]:
    tiles: list[Window] = []
    for unit in _unit_starts(bounds):
        clipped = _clip((unit, dt.date(unit.year + 1, unit.month, 1) - dt.timedelta(days=1)), bounds)
        if clipped is not None:
            tiles.append(clipped)
    return tiles


def _tiles(rec: str, bounds: Bounds, day_limit: int | None) -> list[Window]:
    g = grammar()
    if rec == "weekly":
        return _week_tiles(bounds)
    if rec == "monthly":
        return _month_tiles(bounds, [(m, m) for m in range(1, 13)], day_limit)
    if rec == "quarterly":
        return _month_tiles(bounds, g.tables["quarter"].values())
    if rec == "school_quarterly":
        return _month_tiles(bounds, g.tables["school_quarter"].values())
    if rec == "semiannual":
        table = "school_half" if _is_academic(bounds[0]) else "calendar_half"
        return _month_tiles(bounds, g.tables[table].values())
    return _year_tiles(bounds)


def hull(windows: list[Window]) -> Window:
    if not windows:
        return None, None
    starts = [w[0] for w in windows if w[0] is not None]
    ends = [w[1] for w in windows if w[1] is not None]
    return (min(starts) if len(starts) == len(windows) else None,  # one open end leaves the hull open
            max(ends) if len(ends) == len(windows) else None)


def _bounds(window: Window | None) -> Bounds | None:
    if window is None or window[0] is None or window[1] is None:
        return None
    return window[0], window[1]


def _recurring(s: Scanned, plan: Plan | None, whole: list[Item],
               parts: list[Item]) -> list[Window]:
    span: Window = hull([w for i in whole for w in _windows_of(i, plan)]) if whole else (
        plan.window if plan else (None, None))
    part_windows = [w for i in parts for w in _windows_of(i, plan)]
    rec = s.recurrence or "other"
    if rec == "other" or (rec == "yearly" and parts):
        return part_windows
    bases = [b for b in map(_bounds, part_windows or [span]) if b is not None]
    return [t for base in bases for t in _tiles(rec, base, s.day_limit)]


def resolve(s: Scanned, plan: Plan | None) -> tuple[ScheduleKind, str | None, list[Window]]:
    whole = [i for i in s.items if i.whole]
    parts = [i for i in s.items if not i.whole]
    ongoing = s.ongoing or any(i.within for i in whole)
    if s.recurrence is not None:
        return "recurring", s.recurrence, _recurring(s, plan, whole, parts)
    whole_windows = [w for i in whole for w in _windows_of(i, plan)]
    span: Window = hull(whole_windows) if whole else (plan.window if plan else (None, None))
    if ongoing and not parts and not s.undated:
        return "ongoing", None, [span]
    windows = [w for i in parts for w in _windows_of(i, plan)]
    windows += [span] if ongoing else whole_windows
    if plan is not None and len(plan.units) > 1 and any(i.floating for i in parts):
        return "recurring", "yearly", windows
    count = len(parts) + s.undated + (1 if ongoing else len(whole))
    if count == 1:
        return (_item_kind(s.items[0]) if s.items else "period"), None, windows
    return "multiple", None, windows


def event_kind(norm: str, trace: RuleTrace | None = None) -> ScheduleKind:
    """A cell without dates: on demand, per a schedule, or unknown (the first phrase written wins)."""
    g = grammar()
    candidates: list[tuple[ScheduleKind, re.Pattern[str]]] = [
        ("on_demand", g.on_demand), ("per_schedule", g.per_schedule)]
    hits = [(m.start(), kind, m.end()) for kind, p in candidates for m in [p.search(norm)] if m is not None]
    rule = "event_phrase"
    if not hits:  # the looser patterns only where the phrase lists found nothing
        more = more_grammar()
        loose: list[tuple[ScheduleKind, re.Pattern[str]]] = [
            ("on_demand", more.on_demand), ("per_schedule", more.per_schedule)]
        hits = [(m.start(), kind, m.end()) for kind, p in loose for m in [p.search(norm)] if m is not None]
        rule = "event_pattern"
    if not hits:
        return "unknown"
    start, kind, end = min(hits)  # (start, kind) is unique: one match of each kind
    if trace is not None:
        trace.add(rule, start, end, kind)
    return kind


def sort_key(w: Window) -> tuple[dt.date, dt.date]:
    first = w[0] or w[1] or dt.date.min
    return first, w[1] or first


def _clean(fragment: str) -> str:
    prev = None
    while prev != fragment:
        prev = fragment
        fragment = fragment.strip(" ,.;:-–—\u00a0")
        if fragment.startswith("(") and fragment.endswith(")") and _balanced(fragment[1:-1]):
            fragment = fragment[1:-1]
        if fragment.startswith("(") and fragment.count("(") > fragment.count(")"):
            fragment = fragment[1:]
        if fragment.endswith(")") and fragment.count(")") > fragment.count("("):
            fragment = fragment[:-1]
    return fragment


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


_NOTE_WORD = re.compile(r"[0-9a-zа-я]+")


def note_of(folded: str, scanned: Scanned, starts: Sequence[int], ends: Sequence[int],
            trace: RuleTrace | None = None) -> str | None:
    """The leftover fragments that say something: "; " between the ones a date separates,
    a space where only a word such as "ежегодно" was taken out. A trace gets the spans of
    `folded` that went to the note and those dropped as filler."""
    filler = grammar().filler
    note = ""
    last_end = -1
    for a, b in scanned.leftover:
        fragment = _clean(folded[starts[a]:ends[b - 1]])
        words = _NOTE_WORD.findall(key_of(fragment))
        if trace is not None and fragment:
            at = folded.find(fragment, starts[a])
            filled = not words or all(w in filler for w in words)
            trace.add("filler" if filled else "note", at, at + len(fragment), "dropped" if filled else "note")
        if not words or all(w in filler for w in words):
            continue
        if note:
            dated = any(last_end <= i.pos[0] and i.pos[1] <= a for i in scanned.items)
            note += "; " if dated else " "
        note += fragment
        last_end = b
    return note or None
