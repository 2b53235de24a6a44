"""The passes over a cell, declared as data in the order they run.

Each pass masks what it consumed, so later (looser) passes never see it:

1. weeks and halves of a month ("1 неделя сентября" is no "1 сентября");
2. the item passes (`ITEM_PASSES`): dates, numeric or written: ranges, deadlines ("до …"), open
   starts ("с …"), single dates; months (ranges, deadlines, open starts, single months) and
   numbered quarters / half-years / school quarters, each with the year or academic year after
   it; then year ranges and academic years; then, in what is left and still holds a year, single
   dates dateparser reads (ISO, English, "03.2024"); then single years;
3. modifiers (`SCAN_STAGES` after the items): "в течение месяца" under a month section row,
   frequencies, "до N числа", weekdays, "в течение года"-like phrases, lengths.

An item pass runs only when cheap feature searches (a digit-dot-digit, a month stem, a year …)
open one of its gates. Given a `RuleTrace`, every pass records the spans it consumed (in the
normalized text; schedule.py maps them back to the cell).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from extractor.normalize.rule_trace import RuleTrace
from extractor.normalize.schedule_rules.grammar import fragments, grammar, key_of, more_grammar
from extractor.normalize.schedule_rules.handlers import (
    counted_recurrence,
    h_date,
    h_date_range,
    h_day_range,
    h_deadline,
    h_month,
    h_month_deadline,
    h_month_open,
    h_month_range,
    h_month_year_deadline,
    h_numbered,
    h_open,
    h_year,
    h_year_deadline,
    h_year_open,
    h_year_range,
    leftover_dates,
    limit_day,
    read_duration,
    week_days,
    week_month,
    week_number,
    within_duration,
)
from extractor.normalize.schedule_rules.items import (
    Env,
    Handler,
    Item,
    Point,
    Reject,
    Scanned,
    describe,
    fix,
    point_order,
)
from models.roadmap import Duration

T = TypeVar("T")


@dataclass(frozen=True)
class ItemPass:
    """One item pass as declared: its name (the rule trace's), its regex template over the
    vocabulary's fragments (`grammar.fragments`, written `%(name)s`), the handler that reads a
    match, and its gates: sets of features, one of which the text must have for the pass to run."""

    name: str
    template: str | None  # None: the dateparser pass over the leftover pieces
    handler: Handler | None
    gates: tuple[str, ...]


ITEM_PASSES: tuple[ItemPass, ...] = (
    ItemPass("date_range", r"(?:%(start)s\s+)?(?P<a>%(date)s)%(dyw)s\.?\s*%(join)s\s*(?P<b>%(date)s)%(dyw)s",
             h_date_range, ("numdate join", "daymonth join")),
    ItemPass("day_range", r"(?:%(start)s\s+)?(?<![\d.])(?P<d1>\d{1,2})\s*%(join)s\s*(?P<d2>\d{1,2})\s*"
             r"(?P<m>%(mon)s)%(tail_y)s", h_day_range, ("daymonth join",)),
    ItemPass("deadline", r"%(deadline)s\s+(?P<d>%(date)s)%(dyw)s", h_deadline,
             ("numdate deadline", "daymonth deadline")),
    # "До 11.15": no day 11 of month 15, so month 11 of 2015 (a guess: confidence low)
    ItemPass("month_year_deadline", r"%(deadline)s\s+(?<![\d.])(?P<m>\d{1,2})[./](?P<y>\d{2})(?!\d|[./]\d)",
             h_month_year_deadline, ("numdate deadline",)),
    ItemPass("open_date", r"%(start)s\s+(?P<d>%(date)s)%(dyw)s", h_open, ("numdate start", "daymonth start")),
    ItemPass("date", r"(?P<d>%(date)s)%(dyw)s", h_date, ("numdate", "daymonth")),
    ItemPass("month_range", r"(?:(?:%(lead)s|%(start)s)\s+)?(?P<m1>%(mon)s)%(tail_s)s\s*%(join)s\s*"
             r"(?P<m2>%(mon)s)%(tail_e)s", h_month_range, ("month join",)),
    ItemPass("month_deadline", r"%(deadline)s\s+(?P<edge>%(edge)s\s+)?(?P<m>%(mon)s)%(tail_y)s", h_month_deadline,
             ("month deadline",)),
    ItemPass("month_open", r"%(start)s\s+(?P<m>%(mon)s)%(tail_y)s", h_month_open, ("month start",)),
    ItemPass("month", r"(?:%(lead)s\s+)?(?P<m>%(mon)s)%(tail_y)s", h_month, ("month",)),
    ItemPass("numbered_span", r"(?:%(lead)s\s+)?(?P<a>%(num)s)(?:\s*-\s*(?P<b>%(num)s))?\s*(?P<w>%(span)s)%(tail_y)s",
             h_numbered, ("span",)),
    ItemPass("year_range", r"(?:(?:%(lead)s|%(start)s)\s+)?(?<![\d.])(?P<y1>%(year4)s)\s*(?:/|%(join)s)\s*"
             r"(?P<y2>%(year4)s|\d{2}(?!\d))(?![-./]\d)(?:\s*(?P<acad>%(acad)s)|\s*(?P<cal>%(yw)s))?",
             h_year_range, ("year join",)),
    # what the grammar has not read and still holds a year: ISO or English dates, "03.2024"
    ItemPass("leftover_date", None, None, ("year",)),
    ItemPass("year_deadline", r"%(deadline)s\s+(?:%(edge)s\s+)?%(lone_year)s%(dyw)s", h_year_deadline,
             ("year deadline",)),
    ItemPass("year_open", r"%(start)s\s+%(lone_year)s%(dyw)s", h_year_open, ("year start",)),
    ItemPass("year", r"(?:%(lead)s\s+)?%(lone_year)s%(dyw)s", h_year, ("year",)),
)


@dataclass(frozen=True)
class Pass:
    """An item pass compiled against the vocabulary."""

    name: str
    pattern: re.Pattern[str] | None  # None: the dateparser pass over the leftover pieces
    handler: Handler | None
    gates: tuple[frozenset[str], ...]


@cache
def compiled_passes() -> tuple[Pass, ...]:
    f = fragments()
    return tuple(Pass(p.name, None if p.template is None else re.compile(p.template % f), p.handler,
                      tuple(frozenset(gate.split()) for gate in p.gates)) for p in ITEM_PASSES)


_MASK = "\x00"
_POS = operator.attrgetter("pos")
_LIST_GAP = re.compile(r"[\s,;]*(?:и\s*)?")
_DIGIT = re.compile(r"\d")
_UNIT_STEM = re.compile(r"дн|ден|час|недел|месяц|год|лет|сут")
_WEEKDAY_STEM = re.compile(r"понед|вторн|сред|четв|пятн|субб|воскр")
_UNMASKED = re.compile(r"[^\x00]+")


def _mask(work: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(work)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


def _scan(work: str, pattern: re.Pattern[str],
          read: Callable[[re.Match[str]], T | None]) -> tuple[str, list[tuple[T, tuple[int, int]]]]:
    """Every match ``read`` accepts, masked out of ``work``."""
    found: list[tuple[T, tuple[int, int]]] = []
    for m in pattern.finditer(work):
        try:
            value = read(m)
        except (ValueError, KeyError, Reject):  # a match that is no valid date ("31.02", "IV-II квартал")
            value = None
        if value is not None:
            found.append((value, m.span()))
    return (_mask(work, (span for _, span in found)) if found else work), found


def _cut(work: str, pattern: re.Pattern[str]) -> tuple[str, list[tuple[int, int]]]:
    """The spans of every match, masked out of ``work`` (``_scan`` where any match is taken)."""
    spans = [m.span() for m in pattern.finditer(work)]
    return (_mask(work, spans) if spans else work), spans


def _with_within(item: Item, span: tuple[int, int], work: str) -> Item:
    tail = grammar().within_tail.search(work, 0, span[0])
    if tail is None:  # built directly: dataclasses.replace costs a tenth of a cell
        return Item(item.kind, item.start, item.end, item.whole, item.within, span, item.guess)
    return Item(item.kind, item.start, item.end, item.whole, True, (tail.start(), span[1]), item.guess)


@cache
def _runnable(features: tuple[str, ...]) -> tuple[Pass, ...]:
    """The passes whose gates a text with these features opens (few feature sets occur)."""
    present = frozenset(features)
    return tuple(step for step in compiled_passes() if any(gate <= present for gate in step.gates))


class _Scan:
    """A cell as the stages leave it: the text with what they consumed masked, and what they found."""

    __slots__ = ("durations", "env", "items", "limits", "norm", "ongoing", "recurrence", "trace", "undated",
                 "weeks", "work")

    def __init__(self, norm: str, env: Env, trace: RuleTrace | None) -> None:
        self.norm = norm
        self.work = norm
        self.env = env
        self.trace = trace
        self.items: list[Item] = []
        # what most cells lack stays an empty tuple: no list made for every cell
        self.weeks: Sequence[Item] = ()
        self.undated = 0
        self.recurrence: str | None = None
        self.limits: Sequence[tuple[int, tuple[int, int]]] = ()
        self.ongoing: Sequence[tuple[int, int]] = ()
        self.durations: Sequence[tuple[Duration, tuple[int, int]]] = ()


def _weeks(s: _Scan) -> None:
    """Weeks and halves of a month as periods of days; those whose month is unknown (no month
    written, no month row) are counted apart."""
    norm = s.norm
    if "недел" not in norm and "нед." not in norm and "половин" not in norm:
        return
    more = more_grammar()
    env = s.env
    weeks: list[Item] = []
    spans: list[tuple[int, int]] = []
    rules: list[tuple[str, tuple[int, int], Item | None]] = []  # for the trace

    def add(first: str, last: str, m: re.Match[str], rule: str) -> None:
        month, year = week_month(m, env)
        spans.append(m.span())
        if month is None:
            s.undated += 1
            rules.append((rule, m.span(), None))
            return
        item = Item("period", week_days(first, month, year)[0], week_days(last, month, year)[1], pos=m.span())
        weeks.append(item)
        rules.append((rule, m.span(), item))

    for m in more.week_list.finditer(norm):
        for part in m.group("list").split(","):
            number = week_number(part)
            add(number, number, m, "week_list")
    work = _mask(norm, spans)
    spans_before = len(spans)
    for m in more.week.finditer(work):
        a, b = m.group("a"), m.group("b")
        arabic = a[:1].isdigit() and b is None and not re.search(r"-?(?:я|й|ая|ой|ую)$", a)
        if arabic and m.group("w") != "неделя" and m.group("m") is None:
            continue  # "2 недели", "в течение 3 недель": a length, not the second week
        add(week_number(a), week_number(b) if b else week_number(a), m, "week")
    work = _mask(work, spans[spans_before:])
    spans_before = len(spans)
    for m in more.half.finditer(work):
        month, year = week_month(m, env)
        spans.append(m.span())
        if month is None:
            s.undated += 1
            rules.append(("month_half", m.span(), None))
            continue
        half = more.half_num[key_of(m.group("h"))]
        first = Point(month, 1 if half == 1 else 16, year)
        item = Item("period", first, Point(month, 15 if half == 1 else None, year), pos=m.span())
        weeks.append(item)
        rules.append(("month_half", m.span(), item))
    s.work = _mask(work, spans[spans_before:])
    s.weeks = weeks
    if s.trace is not None:
        for rule, (a, b), found in rules:
            s.trace.add(rule, a, b, describe(found) if found is not None else "of a month not known")


def _items(s: _Scan) -> None:
    """The item passes, in their declared order, each where its gates let it run."""
    work, env, trace = s.work, s.env, s.trace
    items: list[Item] = []
    for step in _runnable(tuple([name for name, p in grammar().features if p.search(work)])):
        handler = step.handler
        if step.pattern is None or handler is None:
            found = leftover_dates(work)
        else:
            found = []
            for m in step.pattern.finditer(work):  # _scan without its mask: the spans grow below
                try:
                    item = handler(m, env)
                except (ValueError, KeyError, Reject):  # a match that is no valid date
                    continue
                if item is not None:
                    found.append((item, m.span()))
        if not found:
            continue
        placed = [_with_within(item, span, work) for item, span in found]
        work = _mask(work, [i.pos for i in placed])
        items.extend(placed)
        if trace is not None:
            for i in placed:
                trace.add(step.name, i.pos[0], i.pos[1], describe(i))
    if s.weeks:
        items += s.weeks
    if len(items) > 1:
        items.sort(key=_POS)
    s.work, s.items = work, items


def _within_month(s: _Scan) -> None:
    """"в течение месяца" under a month section row: that month."""
    env = s.env
    if env.month is None:
        return
    point = Point(env.month, None, env.year)
    s.work, months = _cut(s.work, grammar().within_month)
    found = [Item("period", point, point, within=True, pos=span) for span in months]
    s.items.extend(found)
    s.items.sort(key=_POS)
    if s.trace is not None:
        for item in found:
            s.trace.add("within_month", item.pos[0], item.pos[1], describe(item))


def _year_lists(s: _Scan) -> None:
    """"Ноябрь, декабрь 2022": a yearless item takes the year of the dated item after it
    when only separators stand between them."""
    items, text = s.items, s.norm
    out = list(items)
    for i in range(len(out) - 2, -1, -1):
        item, nxt = out[i], out[i + 1]
        gap = text[item.pos[1]:nxt.pos[0]]
        first = nxt.start or nxt.end
        if (not item.floating or nxt.floating or first is None or first.year is None
                or not _LIST_GAP.fullmatch(gap)):
            continue
        anchor = item.end or item.start
        if anchor is None:
            continue
        year = first.year if point_order(anchor, True) <= point_order(first, False) else first.year - 1
        out[i] = fix(item, dt.date(year, 1, 1))
        if s.trace is not None:
            s.trace.add("year_list", item.pos[0], item.pos[1], f"the year of the next item: {describe(out[i])}")
    s.items = out


def _frequency(s: _Scan) -> None:
    """Frequencies ("ежегодно", "2 раза в год"): the first written is the cell's."""
    g = grammar()
    if not g.any_frequency.search(s.work):
        return
    work, found = _scan(s.work, g.counted, counted_recurrence)
    counted = len(found)
    for rec, pattern in g.frequency:
        work, spans = _cut(work, pattern)
        found.extend((rec, span) for span in spans)
    s.work = work
    s.recurrence = min(found, key=lambda f: f[1])[0] if found else None
    if s.trace is not None:
        for index, (rec, (start, end)) in enumerate(found):
            s.trace.add("counted" if index < counted else "frequency", start, end, rec)


def _day_limit(s: _Scan) -> None:
    """"ежемесячно до 10 числа"; elsewhere the phrase stays in the note."""
    if s.recurrence != "monthly":
        return
    s.work, s.limits = _scan(s.work, grammar().day_limit, limit_day)
    if s.trace is not None:
        for day, (start, end) in s.limits:
            s.trace.add("day_limit", start, end, f"monthly until day {day}")


def _weekday(s: _Scan) -> None:
    """"Понедельник в 10.00": weekly, but only where no other frequency is written."""
    if s.recurrence is not None or not _WEEKDAY_STEM.search(s.work):
        return
    m = more_grammar().weekday.search(s.work)
    if m is not None:
        s.recurrence = "weekly"
        if s.trace is not None:
            s.trace.add("weekday", m.start(), m.end(), "weekly")


def _ongoing(s: _Scan) -> None:
    """"в течение года", "постоянно"."""
    s.work, s.ongoing = _cut(s.work, grammar().ongoing)
    if s.trace is not None:
        for start, end in s.ongoing:
            s.trace.add("ongoing", start, end, "ongoing")


def _lengths(s: _Scan) -> None:
    """Lengths ("3–4 дня"); "в течение месяца" with no month row."""
    work = s.work
    rule = "duration"
    if _DIGIT.search(work) and _UNIT_STEM.search(work):  # a cheap gate: most cells have no length
        work, s.durations = _scan(work, more_grammar().duration, read_duration)
    if s.env.month is None and not s.durations and "течени" in work:
        work, s.durations = _scan(work, more_grammar().within_unit, within_duration)
        rule = "within_duration"
    s.work = work
    if s.trace is not None:
        for duration, (start, end) in s.durations:
            s.trace.add(rule, start, end, f"duration {duration.value:g}{f'-{duration.max:g}' if duration.max else ''} "
                        f"{duration.unit}")


@dataclass(frozen=True)
class Stage:
    """One stage of the scan, as declared: its name and the function that runs it."""

    name: str
    run: Callable[[_Scan], None]


# The order is the grammar: each stage sees only what the stages before it left unmasked.
SCAN_STAGES: tuple[Stage, ...] = (
    Stage("weeks", _weeks),  # first: "1 неделя сентября" is no "1 сентября"
    Stage("items", _items),
    Stage("within_month", _within_month),
    Stage("year_lists", _year_lists),
    Stage("frequency", _frequency),
    Stage("day_limit", _day_limit),
    Stage("weekday", _weekday),
    Stage("ongoing", _ongoing),
    Stage("lengths", _lengths),
)


_RUNS = tuple(stage.run for stage in SCAN_STAGES)


def scan_all(norm: str, env: Env, trace: RuleTrace | None = None) -> Scanned:
    s = _Scan(norm, env, trace)
    for run in _RUNS:
        run(s)
    return Scanned(s.items, s.recurrence, s.limits[0][0] if s.limits else None, bool(s.ongoing), _runs(s.work),
                   s.undated, s.durations[0][0] if s.durations else None)


def _runs(work: str) -> list[tuple[int, int]]:
    return [m.span() for m in _UNMASKED.finditer(work)]
