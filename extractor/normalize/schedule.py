"""Schedule cells ("Сроки") -> the canonical `Schedule` (docs/canonical-json.md, "schedule").

A small grammar of regular expressions, built from the vocabulary in
``extractor/data/schedule.yaml``, reads the cell in passes; each pass masks what it consumed,
so later (looser) patterns never see it:

1. dates, numeric or written: ranges, deadlines ("до …"), open starts ("с …"), single dates;
2. months (ranges, deadlines, open starts, single months) and numbered quarters / half-years /
   school quarters, each with the year or academic year after it; then year ranges and
   academic years; then, in what is left and still holds a year, single dates dateparser
   reads (ISO, English, "03.2024"); then single years;
3. modifiers: "в течение месяца" under a month section row, "до N числа", frequencies,
   "в течение года"-like phrases.

Yearless items are resolved against the plan period: in a one-year (or one academic year)
plan they fall in that year, in a plan of several years they repeat every year. What is left
over and is not filler goes to ``note``. Misspellings are repaired word by word before the
grammar runs (a table of seen typos, then rapidfuzz against the short vocabulary).

Speed (bench/bench_schedule.py): vocabulary lists are compiled as tries, and a pass runs only
when cheap feature searches (a digit-dot-digit, a month stem, a year …) say it can match.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from rapidfuzz import fuzz, process

from lang import vocab
from models.roadmap import Duration, DurationUnit, Occurrence, Period, Recurrence, Schedule, ScheduleKind

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

__all__ = ["ScheduleContext", "month_heading", "normalize_schedule"]


@dataclass(frozen=True)
class ScheduleContext:
    """What the table around a cell says about its dates."""

    month: int | None = None  # month given by a month section row above the cell ("МАРТ", "Сентябрь 2023")
    year: int | None = None  # year given by that row, if any
    column_header: str | None = None  # the schedule column's header: "Срок, рабочих дней" makes "5" a duration


Window = tuple[dt.date | None, dt.date | None]
Bounds = tuple[dt.date, dt.date]
ItemKind = Literal["date", "period", "deadline", "open"]
T = TypeVar("T")

_B = r"(?<![0-9a-zа-я])"  # left word boundary (the text is lower-cased)
_E = r"(?![0-9a-zа-я])"  # right word boundary
_YEAR4 = r"(?:19|20|21)\d{2}(?!\d)"
# DD.MM.YYYY, DD.MM.YY, or DD.MM with a two-digit month ("1.1" is more likely an item number)
_NUM_DATE = r"(?<![\d./])\d{1,2}[./](?:\d{1,2}[./](?:\d{4}|\d{2})(?!\d)|\d{2})(?!\d|[./]\d)"
# a year standing alone, not part of a numeric date ("05.03.2024", "2024-03-05")
_LONE_YEAR = r"(?<![\d.,])(?P<y>" + _YEAR4 + r")(?![.,]\d|-\d{1,2}-\d)"
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_MASK = "\x00"
_WORD = re.compile(r"[а-яa-z]+")
_MAX_UNITS = 300
_MAX_WINDOWS = 2000
_CACHE_SIZE = 65536  # words repaired and leftovers read, remembered across cells (bounded for long batches)
# Internal recurrence names -> the contract's ("school_quarterly": quarterly over school quarters).
_RECURRENCE: dict[str, Recurrence] = {"yearly": "yearly", "semiannual": "semiannual", "quarterly": "quarterly",
                                      "school_quarterly": "quarterly", "monthly": "monthly", "weekly": "weekly"}


class _Reject(Exception):
    """A pattern matched text that is not a valid date expression."""


# ---------------------------------------------------------------- items and the plan


class _Point(NamedTuple):  # a tuple: built thousands of times a second, where a frozen dataclass costs a microsecond
    """A day, or a whole month when ``day`` is None; ``year`` None until resolved."""

    month: int
    day: int | None = None
    year: int | None = None


class _Item(NamedTuple):
    """One dated expression of the cell."""

    kind: ItemKind
    start: _Point | None  # None for a deadline
    end: _Point | None  # None for an open start
    whole: bool = False  # names whole calendar or academic years
    within: bool = False  # preceded by "в течение"
    pos: tuple[int, int] = (0, 0)
    guess: bool = False  # read by a guess ("до 11.15" as November 2015): confidence low

    @property
    def floating(self) -> bool:
        start, end = self.start, self.end  # no generator: asked several times for every item
        return (start is not None and start.year is None) or (end is not None and end.year is None)


@dataclass(frozen=True)
class _Plan:
    start: dt.date
    end: dt.date
    academic: bool
    window: Bounds
    units: tuple[dt.date, ...]  # starts of the plan's (calendar or academic) years


def _plan_of(period: Period | None) -> _Plan | None:
    if period is None or period.start is None or period.end is None or period.start > period.end:
        return None
    return _plan(period.start, period.end)


@lru_cache(maxsize=256)
def _plan(start: dt.date, end: dt.date) -> _Plan:
    """One plan's years, worked out once: a document's cells share its period."""
    return _Plan(start, end, _is_academic(start), (start, end), tuple(_unit_starts((start, end))))


def _is_academic(start: dt.date) -> bool:
    return start.month == 9 and start.day == 1


def _unit_starts(bounds: Bounds) -> list[dt.date]:
    """Starts of the (calendar or academic) years that meet ``bounds``."""
    month = 9 if _is_academic(bounds[0]) else 1
    year = bounds[0].year if bounds[0].month >= month else bounds[0].year - 1
    last = bounds[1].year
    return [dt.date(y, month, 1) for y in range(max(year, 1), min(last, year + _MAX_UNITS) + 1)
            if dt.date(y, month, 1) <= bounds[1]]


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _order(p: _Point, last: bool) -> tuple[int, int]:
    return p.month, p.day if p.day is not None else (32 if last else 0)


def _to_date(p: _Point, last: bool) -> dt.date | None:
    if p.year is None:
        return None
    try:
        day = p.day if p.day is not None else (_last_day(p.year, p.month) if last else 1)
        return dt.date(p.year, p.month, day)
    except ValueError:
        return None


def _year_in(month: int, unit: dt.date) -> int:
    return unit.year if month >= unit.month else unit.year + 1


def _carry(start: _Point, end: _Point) -> tuple[_Point, _Point]:
    """Give the yearless end of a span the year of the other (nearest before / after)."""
    before = _order(start, False) <= _order(end, True)
    if start.year is None and end.year is not None:
        return _Point(start.month, start.day, end.year if before else end.year - 1), end
    if end.year is None and start.year is not None:
        return start, _Point(end.month, end.day, start.year if before else start.year + 1)
    return start, end


def _fix(item: _Item, unit: dt.date) -> _Item:
    """Place a yearless item in the year starting at ``unit``: the end by the unit, the
    start the nearest before it."""
    anchor = item.end or item.start
    if anchor is None or anchor.year is not None:
        return item
    placed = _Point(anchor.month, anchor.day, _year_in(anchor.month, unit))  # no dataclasses.replace: hot path
    if item.end is None:
        return _Item(item.kind, placed, item.end, item.whole, item.within, item.pos, item.guess)
    start = _carry(item.start, placed)[0] if item.start is not None else None
    return _Item(item.kind, start, placed, item.whole, item.within, item.pos, item.guess)


def _window(item: _Item, bounds: Bounds | None) -> Window:
    """The item's dates; a deadline starts, an open start ends, with ``bounds`` (the plan,
    or the plan year a yearless item was placed in) where that keeps start <= end."""
    start = _to_date(item.start, False) if item.start is not None else None
    end = _to_date(item.end, True) if item.end is not None else None
    if item.kind == "deadline" and bounds is not None and end is not None and bounds[0] <= end:
        start = bounds[0]
    if item.kind == "open" and bounds is not None and start is not None and bounds[1] >= start:
        end = bounds[1]
    return start, end


def _unit_bounds(unit: dt.date, plan: _Plan) -> Bounds:
    end = dt.date(unit.year + 1, unit.month, 1) - dt.timedelta(days=1)
    return max(unit, plan.start), min(end, plan.end)


def _windows_of(item: _Item, plan: _Plan | None) -> list[Window]:
    if not item.floating:
        return [_window(item, plan.window if plan else None)]
    if plan is None:
        return [(None, None)]
    units = plan.units
    if len(units) == 1:
        return [_window(_fix(item, units[0]), plan.window)]
    return [_window(_fix(item, unit), _unit_bounds(unit, plan)) for unit in units]


def _item_kind(item: _Item) -> ScheduleKind:
    if item.kind == "open":
        return "period"
    if item.kind == "date" or (item.kind == "period" and item.start == item.end
                               and item.start is not None and item.start.day is not None):
        return "date"
    return item.kind


# ---------------------------------------------------------------- tiles of recurrences


def _clip(window: Bounds, bounds: Bounds) -> Bounds | None:
    start, end = max(window[0], bounds[0]), min(window[1], bounds[1])
    return (start, end) if start <= end else None


def _month_tiles(bounds: Bounds, templates: Iterable[tuple[int, int]],
                 end_day: int | None = None) -> list[Window]:
    tiles: list[Window] = []
    for year in range(bounds[0].year, min(bounds[1].year, bounds[0].year + _MAX_UNITS) + 1):
        for first, last in templates:
            day = _last_day(year, last)
            tile = (dt.date(year, first, 1), dt.date(year, last, min(end_day or day, day)))
            clipped = _clip(tile, bounds)
            if clipped is not None:
                tiles.append(clipped)
    return tiles


def _week_tiles(bounds: Bounds) -> list[Window]:
    tiles: list[Window] = []
    monday = bounds[0] - dt.timedelta(days=bounds[0].weekday())
    while monday <= bounds[1] and len(tiles) < _MAX_WINDOWS:
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
    g = _grammar()
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


# ---------------------------------------------------------------- vocabulary and grammar


def _key(text: str) -> str:
    """Lower-case with "ё" read as "е", one character for one (offsets stay valid)."""
    text = str(text)
    lower = text.lower()
    if len(lower) != len(text):  # "İ" and the like lower-case to two characters: keep those
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower.replace("ё", "е")


def _tokens(text: str) -> tuple[str, ...]:
    """Regex tokens of one vocabulary phrase: its characters, any white space between words
    (or none after a dot), and word boundaries where it starts or ends with a letter."""
    words = _key(text).split()
    out: list[str] = [_B] if words[0][0].isalnum() else []
    for prev, word in itertools.pairwise(["", *words]):
        if prev:
            out.append(r"\s*" if prev.endswith(".") else r"\s+")
        out.extend(re.escape(c) for c in word)
    return (*out, _E) if words[-1][-1].isalnum() else tuple(out)


_Trie = dict[str, "_Trie"]


def _trie_re(node: _Trie) -> str:
    """A trie as a regex: shared prefixes are tried once, and at every node the longer
    continuations come before the zero-width ones (the word ends here), so the longest
    phrase wins as in a length-sorted alternation."""
    if not node:
        return ""
    branches = sorted(node.items(), key=lambda kv: kv[0] in ("", _E))
    parts = [token + _trie_re(child) for token, child in branches]
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def _alt(phrases: Iterable[Any]) -> str:
    """One regex for a list of vocabulary phrases, built as a trie (Python's re would try
    every branch of a flat alternation at every position)."""
    root: _Trie = {}
    for phrase in {_key(str(p)).strip() for p in phrases if str(p).strip()}:
        node = root
        for token in _tokens(phrase):
            node = node.setdefault(token, {})
        node.setdefault("", {})
    return "(?:" + _trie_re(root) + ")"


@cache
def _data() -> dict[str, Any]:
    loaded = vocab.load("schedule")
    return loaded if isinstance(loaded, dict) else {}


def _lookup(table: dict[Any, list[Any]]) -> dict[str, int]:
    return {_key(str(form)): int(value) for value, forms in table.items() for form in forms}


def _spans(table: dict[Any, list[int]]) -> dict[int, tuple[int, int]]:
    return {int(k): (int(v[0]), int(v[1])) for k, v in table.items()}


class _Env(NamedTuple):
    academic: bool  # the plan is an academic one
    month: int | None = None  # the month section row above the cell
    year: int | None = None


_Handler = Callable[[re.Match[str], _Env], "_Item | None"]


@dataclass(frozen=True)
class _Pass:
    """One item pattern; it runs only when the text has every feature of one of its gates
    (cheap searches that let most passes skip most cells)."""

    pattern: re.Pattern[str] | None  # None: the dateparser pass over the leftover pieces
    handler: _Handler | None
    gates: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class _Grammar:
    month_of: dict[str, int]
    numeral_of: dict[str, int]
    span_word_of: dict[str, str]
    tables: dict[str, dict[int, tuple[int, int]]]
    count_of: dict[str, int]
    unit_of: dict[str, str]
    count_recurrence: dict[str, dict[int, str]]
    filler: frozenset[str]
    typos: dict[str, str]
    known: frozenset[str]
    fuzzy_targets: tuple[str, ...]
    fuzzy_min: int
    fuzzy_score: float
    mon: re.Pattern[str]
    year: re.Pattern[str]
    heading: re.Pattern[str]
    features: tuple[tuple[str, re.Pattern[str]], ...]
    item_passes: tuple[_Pass, ...]
    piece: re.Pattern[str]
    piece_gate: re.Pattern[str]
    leftover_max: int
    within_month: re.Pattern[str]
    any_frequency: re.Pattern[str]
    day_limit: re.Pattern[str]
    counted: re.Pattern[str]
    frequency: tuple[tuple[str, re.Pattern[str]], ...]
    ongoing: re.Pattern[str]
    within_tail: re.Pattern[str]
    on_demand: re.Pattern[str]
    per_schedule: re.Pattern[str]
    day_only: re.Pattern[str]


def _words_of(data: dict[str, Any]) -> frozenset[str]:
    """Every word of the vocabulary: words known to be right are never 'repaired'."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            words.update(re.findall(r"[а-яa-z]+", _key(node)))

    walk({k: v for k, v in data.items() if k not in ("typos", "dateparser")})
    return frozenset(words)


def _fragments(d: dict[str, Any]) -> dict[str, str]:
    """Regex fragments of the vocabulary (no capturing groups)."""
    month_forms = [form for forms in d["months"].values() for form in forms]
    f = {
        "mon": _alt(month_forms) + r"\.?",
        "yw": _alt(d["year_words"]),
        "acad": _alt(d["academic_words"]),
        "lead": _alt(d["lead_words"]),
        "start": _alt(d["start_prefixes"]),
        "deadline": _alt(d["deadline_prefixes"]),
        "edge": _alt(d["month_end_words"]),
        "join": r"(?:-|" + _alt(d["range_words"]) + ")",
        "num": (r"(?:" + _B + r"(?:iv|iii|ii|i|\d)(?:-?" + _alt(d["ordinal_suffixes"]) + r")?" + _E
                + "|" + _alt(w for forms in d["ordinals"].values() for w in forms) + ")"),
        "span": _alt([*d["quarter_words"], *d["school_quarter_words"], *d["half_year_words"]]) + r"\.?",
    }
    txt_date = r"(?<![\d.])[«\"“]?\s*\d{1,2}\s*[»\"”]?(?:-?(?:го|е))?\s*" + f["mon"] + rf"(?:\s*{_YEAR4})?"
    f["date"] = rf"(?:{_NUM_DATE}|{txt_date})"
    f["dyw"] = rf"(?:\s*{f['yw']})?"
    return f


def _tail_re(n: str, f: dict[str, str]) -> str:
    """Optional year, year range or academic year after a month or a numbered span."""
    return (rf"(?:\s*(?P<{n}>{_YEAR4})(?:\s*[-/]\s*(?P<{n}b>{_YEAR4}|\d{{2}}(?!\d)))?"
            rf"(?:\s*(?P<{n}a>{f['acad']})|\s*{f['yw']})?)?")


def _item_passes(f: dict[str, str]) -> tuple[_Pass, ...]:
    """The item patterns in the order they run, each with its handler and gates."""
    def gates(*sets: str) -> tuple[frozenset[str], ...]:
        return tuple(frozenset(names.split()) for names in sets)

    dated = gates("numdate", "daymonth")
    month = gates("month")
    year = gates("year")
    passes: list[tuple[str | None, _Handler | None, tuple[frozenset[str], ...]]] = [
        (rf"(?:{f['start']}\s+)?(?P<a>{f['date']}){f['dyw']}\.?\s*{f['join']}\s*(?P<b>{f['date']}){f['dyw']}",
         _h_date_range, gates("numdate join", "daymonth join")),
        (rf"(?:{f['start']}\s+)?(?<![\d.])(?P<d1>\d{{1,2}})\s*{f['join']}\s*(?P<d2>\d{{1,2}})\s*"
         rf"(?P<m>{f['mon']}){_tail_re('y', f)}", _h_day_range, gates("daymonth join")),
        (rf"{f['deadline']}\s+(?P<d>{f['date']}){f['dyw']}", _h_deadline,
         gates("numdate deadline", "daymonth deadline")),
        # "До 11.15": no day 11 of month 15, so month 11 of 2015 (a guess: confidence low)
        (rf"{f['deadline']}\s+(?<![\d.])(?P<m>\d{{1,2}})[./](?P<y>\d{{2}})(?!\d|[./]\d)", _h_month_year_deadline,
         gates("numdate deadline")),
        (rf"{f['start']}\s+(?P<d>{f['date']}){f['dyw']}", _h_open, gates("numdate start", "daymonth start")),
        (rf"(?P<d>{f['date']}){f['dyw']}", _h_date, dated),
        (rf"(?:(?:{f['lead']}|{f['start']})\s+)?(?P<m1>{f['mon']}){_tail_re('s', f)}\s*{f['join']}\s*"
         rf"(?P<m2>{f['mon']}){_tail_re('e', f)}", _h_month_range, gates("month join")),
        (rf"{f['deadline']}\s+(?P<edge>{f['edge']}\s+)?(?P<m>{f['mon']}){_tail_re('y', f)}", _h_month_deadline,
         gates("month deadline")),
        (rf"{f['start']}\s+(?P<m>{f['mon']}){_tail_re('y', f)}", _h_month_open, gates("month start")),
        (rf"(?:{f['lead']}\s+)?(?P<m>{f['mon']}){_tail_re('y', f)}", _h_month, month),
        (rf"(?:{f['lead']}\s+)?(?P<a>{f['num']})(?:\s*-\s*(?P<b>{f['num']}))?\s*(?P<w>{f['span']}){_tail_re('y', f)}",
         _h_numbered, gates("span")),
        (rf"(?:(?:{f['lead']}|{f['start']})\s+)?(?<![\d.])(?P<y1>{_YEAR4})\s*(?:/|{f['join']})\s*"
         rf"(?P<y2>{_YEAR4}|\d{{2}}(?!\d))(?![-./]\d)(?:\s*(?P<acad>{f['acad']})|\s*(?P<cal>{f['yw']}))?",
         _h_year_range, gates("year join")),
        # what the grammar has not read and still holds a year: ISO or English dates, "03.2024"
        (None, None, year),
        (rf"{f['deadline']}\s+(?:{f['edge']}\s+)?{_LONE_YEAR}{f['dyw']}", _h_year_deadline,
         gates("year deadline")),
        (rf"{f['start']}\s+{_LONE_YEAR}{f['dyw']}", _h_year_open, gates("year start")),
        (rf"(?:{f['lead']}\s+)?{_LONE_YEAR}{f['dyw']}", _h_year, year),
    ]
    return tuple(_Pass(None if p is None else re.compile(p), h, g) for p, h, g in passes)


def _stems(words: Iterable[Any], size: int) -> str:
    """A loose regex of the words' first letters: a gate, so it may say yes too often."""
    return "(?:" + "|".join(sorted({re.escape(_key(str(w))[:size]) for w in words})) + ")"


def _features(d: dict[str, Any], f: dict[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    month = _stems((w for forms in d["months"].values() for w in forms), 3)
    span = _stems([*d["quarter_words"], *d["school_quarter_words"], *d["half_year_words"]], 4)
    return tuple((name, re.compile(p)) for name, p in (
        ("numdate", r"\d[./]\d"),
        ("daymonth", rf"\d\s*[»\"”]?(?:-?(?:го|е))?\s*{month}"),
        ("month", month),
        ("span", span),
        ("year", _YEAR4),
        ("join", rf"{f['join']}|/"),
        ("deadline", f["deadline"]),
        ("start", f["start"]),
    ))


@cache
def _grammar() -> _Grammar:
    d = _data()
    f = _fragments(d)
    month_of = _lookup(d["months"])
    within = _alt(d["within"])
    fuzzy = d["fuzzy"]
    counted = (rf"(?:{_B}(?P<n>\d{{1,2}}|{_alt(d['count_words'])})\s*)?{_alt(d['times_words'])}\s+"
               rf"{_alt(d['per_words'])}\s+(?:(?P<k>\d{{1,3}})\s+)?"
               rf"(?P<u>{_alt(w for ws in d['count_units'].values() for w in ws)})")
    return _Grammar(
        month_of=month_of,
        numeral_of={**{_key(k): int(v) for k, v in d["roman"].items()}, **_lookup(d["ordinals"])},
        span_word_of={_key(w): kind for kind, key in (("quarter", "quarter_words"),
                                                      ("school_quarter", "school_quarter_words"),
                                                      ("half", "half_year_words")) for w in d[key]},
        tables={"quarter": _spans(d["quarters"]), "school_quarter": _spans(d["school_quarters"]),
                "school_half": _spans(d["school_half_years"]),
                "calendar_half": _spans(d["calendar_half_years"])},
        count_of={_key(k): int(v) for k, v in d["count_words"].items()},
        unit_of={_key(w): unit for unit, ws in d["count_units"].items() for w in ws},
        count_recurrence={unit: {int(n): str(r) for n, r in t.items()}
                          for unit, t in d["count_recurrence"].items()},
        filler=frozenset(_key(w) for w in d["filler_words"]),
        typos={_key(k): _key(v) for k, v in d["typos"].items()},
        known=_words_of(d),
        fuzzy_targets=tuple(sorted({*month_of, *(_key(w) for w in fuzzy["targets"])})),
        fuzzy_min=int(fuzzy["min_length"]),
        fuzzy_score=float(fuzzy["score"]),
        mon=re.compile(f["mon"]),
        year=re.compile(_YEAR4),
        heading=re.compile(rf"\s*(?P<m>{f['mon']})(?:\s*(?P<y>{_YEAR4}){f['dyw']})?[\s.:]*"),
        features=_features(d, f),
        item_passes=_item_passes(f),
        piece=re.compile(r"[^\x00,;()]+"),
        piece_gate=re.compile(r"[a-z]|\d\D+\d"),
        leftover_max=int(d["dateparser"]["max_length"]),
        within_month=re.compile(rf"{within}\s+{_alt(d['month_objects'])}"),
        any_frequency=re.compile(_alt([*(w for ws in d["frequency"].values() for w in ws), *d["times_words"]])),
        day_limit=re.compile(rf"{f['deadline']}\s+(?P<d>\d{{1,2}})(?:-?(?:го|е))?\s*{_alt(d['day_words'])}"),
        counted=re.compile(counted),
        frequency=tuple((rec, re.compile(_alt(ws))) for rec, ws in d["frequency"].items()),
        ongoing=re.compile(rf"{within}\s+{_alt(d['ongoing_objects'])}|{_alt(d['ongoing_words'])}"),
        within_tail=re.compile(rf"{within}\s*$"),
        on_demand=re.compile(_alt(d["on_demand"])),
        per_schedule=re.compile(_alt(d["per_schedule"])),
        day_only=re.compile(rf"\s*(?P<a>\d{{1,2}})(?:\s*-\s*(?P<b>\d{{1,2}}))?\s*{_alt(d['day_words'])}?\s*"),
    )


# ---------------------------------------------------------------- typo repair


@lru_cache(maxsize=_CACHE_SIZE)
def _repair(word: str) -> str:
    """The word as it is plainly meant: a known typo, or a near vocabulary word."""
    g = _grammar()
    if word in g.typos:
        return g.typos[word]
    if word in g.known or len(word) < g.fuzzy_min:
        return word
    targets = [t for t in g.fuzzy_targets if t[0] == word[0]]
    best = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=g.fuzzy_score)
    return str(best[0]) if best is not None else word


def _normalize(folded: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Lower-case, "ё" -> "е", dashes -> "-", typos repaired; with the original span of
    every character (start, end) so that leftovers can be cut from the original text."""
    base = _key(folded).translate(_DASHES)
    if all(_repair(word) == word for word in _WORD.findall(base)):  # the common case: nothing repaired
        return base, range(len(base)), range(1, len(base) + 1)
    repaired = [(m, word) for m in _WORD.finditer(base) if (word := _repair(m.group())) != m.group()]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m, word in repaired:
        out.append(base[pos:m.start()])
        starts.extend(range(pos, m.start()))
        ends.extend(range(pos + 1, m.start() + 1))
        out.append(word)
        starts.extend([m.start()] * len(word))
        ends.extend([m.end()] * len(word))
        pos = m.end()
    out.append(base[pos:])
    starts.extend(range(pos, len(base)))
    ends.extend(range(pos + 1, len(base) + 1))
    return "".join(out), starts, ends


# ---------------------------------------------------------------- pattern handlers


def _numeral(text: str) -> int:
    m = re.match(r"iv|iii|ii|i|\d", text)
    if m is not None and m.group() in ("i", "ii", "iii", "iv"):
        return _grammar().numeral_of[m.group()]
    if m is not None:
        return int(m.group())
    return _grammar().numeral_of[_key(text).strip()]


def _month(text: str) -> int:
    return _grammar().month_of[_key(text).strip().rstrip(".")]


def _valid(p: _Point) -> _Point:
    """Reject impossible days (the year 2000 admits 29 February of yearless dates)."""
    dt.date(p.year if p.year is not None else 2000, p.month, p.day or 1)
    return p


_NUMERIC_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
_DAY = re.compile(r"\d{1,2}")


def _read_date(text: str) -> _Point:
    m = _NUMERIC_DATE.fullmatch(text.strip())
    if m is not None:
        year = m.group(3)
        y = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        return _valid(_Point(int(m.group(2)), int(m.group(1)), y))
    g = _grammar()
    mon = g.mon.search(text)
    day = _DAY.search(text)
    if mon is None or day is None:
        raise _Reject(text)
    year_m = g.year.search(text, mon.end())
    return _valid(_Point(_month(mon.group()), int(day.group()),
                         int(year_m.group()) if year_m is not None else None))


def _second_year(first: int, text: str) -> int:
    return int(text) if len(text) == 4 else first - first % 100 + int(text)


def _tail_unit(m: re.Match[str], name: str) -> dt.date | None:
    """Start of the year a month (or quarter …) is placed in by its trailing year(s)."""
    if m.group(name) is None:
        return None
    year = int(m.group(name))
    other = m.group(name + "b")
    if other is not None and _second_year(year, other) != year + 1:
        raise _Reject(m.group())
    academic = other is not None or m.group(name + "a") is not None
    return dt.date(year, 9 if academic else 1, 1)


def _span(start: _Point, end: _Point) -> _Item:
    start, end = _carry(start, end)
    first, last = _to_date(start, False), _to_date(end, True)
    if first is not None and last is not None and first > last:
        raise _Reject("reversed span")
    return _Item("period", start, end)


def _placed(item: _Item, unit: dt.date | None) -> _Item:
    return item if unit is None else _fix(item, unit)


def _h_date_range(m: re.Match[str], env: _Env) -> _Item:
    return _span(_read_date(m.group("a")), _read_date(m.group("b")))


def _h_day_range(m: re.Match[str], env: _Env) -> _Item:
    month = _month(m.group("m"))
    first, last = int(m.group("d1")), int(m.group("d2"))
    if first >= last:
        raise _Reject(m.group())
    start, end = _valid(_Point(month, first)), _valid(_Point(month, last))
    return _placed(_Item("period", start, end), _tail_unit(m, "y"))


def _h_deadline(m: re.Match[str], env: _Env) -> _Item:
    return _Item("deadline", None, _read_date(m.group("d")))


def _h_month_year_deadline(m: re.Match[str], env: _Env) -> _Item:
    month, year = int(m.group("m")), int(m.group("y"))
    if not 1 <= month <= 12 or year <= 12:  # a real day and month ("до 10.09") is the deadline pass's
        raise _Reject(m.group())
    return _Item("deadline", None, _Point(month, 1, 2000 + year), guess=True)


def _h_open(m: re.Match[str], env: _Env) -> _Item:
    return _Item("open", _read_date(m.group("d")), None)


def _h_date(m: re.Match[str], env: _Env) -> _Item:
    point = _read_date(m.group("d"))
    return _Item("date", point, point)


def _h_year_range(m: re.Match[str], env: _Env) -> _Item:
    first = int(m.group("y1"))
    last = _second_year(first, m.group("y2"))
    academic = m.group("acad") is not None or (
        m.group("cal") is None and env.academic and last == first + 1)
    if academic and last > first:
        return _Item("period", _Point(9, 1, first), _Point(8, 31, last), whole=True)
    if not academic and last >= first:
        return _Item("period", _Point(1, 1, first), _Point(12, 31, last), whole=True)
    raise _Reject(m.group())


def _h_year(m: re.Match[str], env: _Env) -> _Item:
    year = int(m.group("y"))
    return _Item("period", _Point(1, 1, year), _Point(12, 31, year), whole=True)


def _h_year_deadline(m: re.Match[str], env: _Env) -> _Item:
    return _Item("deadline", None, _Point(12, 31, int(m.group("y"))))


def _h_year_open(m: re.Match[str], env: _Env) -> _Item:
    return _Item("open", _Point(1, 1, int(m.group("y"))), None)


def _at(p: _Point, unit: dt.date | None) -> _Point:
    return p if unit is None else _Point(p.month, p.day, _year_in(p.month, unit))


def _h_month_range(m: re.Match[str], env: _Env) -> _Item:
    start_unit, end_unit = _tail_unit(m, "s"), _tail_unit(m, "e")
    start = _at(_Point(_month(m.group("m1"))), start_unit)
    end = _at(_Point(_month(m.group("m2"))), end_unit)
    return _span(start, end)


def _h_month_deadline(m: re.Match[str], env: _Env) -> _Item:
    end = _Point(_month(m.group("m")), None if m.group("edge") else 1)
    return _placed(_Item("deadline", None, end), _tail_unit(m, "y"))


def _h_month_open(m: re.Match[str], env: _Env) -> _Item:
    return _placed(_Item("open", _Point(_month(m.group("m"))), None), _tail_unit(m, "y"))


def _h_month(m: re.Match[str], env: _Env) -> _Item:
    p = _Point(_month(m.group("m")))
    return _placed(_Item("period", p, p), _tail_unit(m, "y"))


def _h_numbered(m: re.Match[str], env: _Env) -> _Item:
    g = _grammar()
    kind = g.span_word_of[_key(m.group("w")).rstrip(".")]
    unit = _tail_unit(m, "y")
    if kind == "half":
        school = env.academic or (unit is not None and unit.month == 9)
        kind = "school_half" if school else "calendar_half"
    table = g.tables[kind]
    first = _numeral(m.group("a"))
    last = _numeral(m.group("b")) if m.group("b") else first
    if first not in table or last not in table or first > last:
        raise _Reject(m.group())
    item = _Item("period", _Point(table[first][0]), _Point(table[last][1]))
    return _placed(item, unit)


# ---------------------------------------------------------------- scanning


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
        except (ValueError, KeyError, _Reject):
            value = None
        if value is not None:
            found.append((value, m.span()))
    return (_mask(work, (span for _, span in found)) if found else work), found


def _with_within(item: _Item, span: tuple[int, int], work: str) -> _Item:
    tail = _grammar().within_tail.search(work, 0, span[0])
    if tail is None:  # built directly: dataclasses.replace costs a tenth of a cell
        return _Item(item.kind, item.start, item.end, item.whole, item.within, span, item.guess)
    return _Item(item.kind, item.start, item.end, item.whole, True, (tail.start(), span[1]), item.guess)


@cache
def _runnable(features: tuple[str, ...]) -> tuple[_Pass, ...]:
    """The passes whose gates a text with these features opens (few feature sets occur)."""
    present = frozenset(features)
    return tuple(step for step in _grammar().item_passes if any(gate <= present for gate in step.gates))


_POS = operator.attrgetter("pos")


def _scan_items(work: str, env: _Env) -> tuple[str, list[_Item]]:
    items: list[_Item] = []
    for step in _runnable(tuple([name for name, p in _grammar().features if p.search(work)])):
        handler = step.handler
        if step.pattern is None or handler is None:
            found = _leftover_dates(work)
        else:
            found = []
            for m in step.pattern.finditer(work):  # _scan without its mask: the spans grow below
                try:
                    item = handler(m, env)
                except (ValueError, KeyError, _Reject):
                    continue
                if item is not None:
                    found.append((item, m.span()))
        if not found:
            continue
        placed = [_with_within(item, span, work) for item, span in found]
        work = _mask(work, [i.pos for i in placed])
        items.extend(placed)
    if len(items) > 1:
        items.sort(key=_POS)
    return work, items


def _leftover_dates(work: str) -> list[tuple[_Item, tuple[int, int]]]:
    """Single dates in the pieces the grammar left that still hold a year, read by
    dateparser with restricted settings (docs/library-notes.md): ISO and English dates,
    "03.2024". Only pieces with Latin letters or a number besides the year go to it: the
    rest ("в течение 2023 года") is the year passes' and would cost a millisecond each."""
    g = _grammar()
    found: list[tuple[_Item, tuple[int, int]]] = []
    for m in g.piece.finditer(work):
        text = m.group().strip()
        if len(text) > g.leftover_max or g.year.search(text) is None or g.piece_gate.search(text) is None:
            continue
        read = _dateparser_read(text)
        if read is None:
            continue
        year, month, day = read
        point = _Point(month, day, year)
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        found.append((_Item("date" if day is not None else "period", point, point), (start, start + len(text))))
    return found


@cache
def _date_parser() -> DateDataParser:
    from dateparser.date import DateDataParser  # imported on first use: most cells never need it

    cfg = _data()["dateparser"]
    settings = dict(cfg["settings"])
    base = settings["RELATIVE_BASE"]
    settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    return DateDataParser(languages=list(cfg["languages"]), settings=settings)


@lru_cache(maxsize=_CACHE_SIZE)
def _dateparser_read(text: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a piece that is one date or one month of a year, when
    the year is written out in it (so nothing was guessed), else None."""
    try:
        data = _date_parser().get_date_data(text)
    except Exception:  # a library's failure on odd text means no date, never a failed cell
        return None
    value = data["date_obj"]
    if value is None or data["period"] not in ("day", "month") or str(value.year) not in text:
        return None
    return value.year, value.month, value.day if data["period"] == "day" else None


_LIST_GAP = re.compile(r"[\s,;]*(?:и\s*)?")


def _carry_lists(items: list[_Item], text: str) -> list[_Item]:
    """"Ноябрь, декабрь 2022": a yearless item takes the year of the dated item after it
    when only separators stand between them."""
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
        year = first.year if _order(anchor, True) <= _order(first, False) else first.year - 1
        out[i] = _fix(item, dt.date(year, 1, 1))
    return out


class _Scanned(NamedTuple):
    items: list[_Item]
    recurrence: str | None  # "other" for "3 раза в год"
    day_limit: int | None
    ongoing: bool
    leftover: list[tuple[int, int]]
    undated: int = 0  # weeks or halves of a month whose month is unknown: periods without dates
    duration: Duration | None = None


def _counted(m: re.Match[str]) -> str:
    g = _grammar()
    n = m.group("n")
    count = 1 if n is None else (int(n) if n.isdigit() else g.count_of[_key(n)])
    unit = g.unit_of[_key(m.group("u"))]
    if m.group("k") is not None and m.group("k") != "1":  # "раз в 14 дней", "1 раз в 2 месяца": none of ours
        return "other"
    return g.count_recurrence.get(unit, {}).get(count, "other")


def _day(m: re.Match[str]) -> int | None:
    day = int(m.group("d"))
    return day if 0 < day < 32 else None


def _cut(work: str, pattern: re.Pattern[str]) -> tuple[str, list[tuple[int, int]]]:
    """The spans of every match, masked out of ``work`` (``_scan`` where any match is taken)."""
    spans = [m.span() for m in pattern.finditer(work)]
    return (_mask(work, spans) if spans else work), spans


def _scan_all(norm: str, env: _Env) -> _Scanned:
    g = _grammar()
    work, weeks, undated = _scan_weeks(norm, env)  # first: "1 неделя сентября" is no "1 сентября"
    work, items = _scan_items(work, env)
    if weeks:
        items = sorted(items + weeks, key=_POS)
    if env.month is not None:  # "в течение месяца" under a month section row: that month
        point = _Point(env.month, None, env.year)
        work, months = _cut(work, g.within_month)
        items.extend(_Item("period", point, point, within=True, pos=span) for span in months)
        items.sort(key=_POS)
    items = _carry_lists(items, norm)
    found: list[tuple[str, tuple[int, int]]] = []
    if g.any_frequency.search(work):
        work, found = _scan(work, g.counted, _counted)
        for rec, pattern in g.frequency:
            work, spans = _cut(work, pattern)
            found.extend((rec, span) for span in spans)
    recurrence = min(found, key=lambda f: f[1])[0] if found else None
    limits: list[tuple[int, tuple[int, int]]] = []
    if recurrence == "monthly":  # "ежемесячно до 10 числа"; elsewhere the phrase stays in the note
        work, limits = _scan(work, g.day_limit, _day)
    # "Понедельник в 10.00": weekly, but only where no other frequency is written
    if recurrence is None and _WEEKDAY_STEM.search(work) and _more().weekday.search(work):
        recurrence = "weekly"
    work, ongoing = _cut(work, g.ongoing)
    durations: list[tuple[Duration, tuple[int, int]]] = []
    if _DIGIT.search(work) and _UNIT_STEM.search(work):  # a cheap gate: most cells have no length
        work, durations = _scan(work, _more().duration, _duration)
    if env.month is None and not durations and "течени" in work:  # "в течение месяца" with no month row
        work, durations = _scan(work, _more().within_unit, _within_duration)
    return _Scanned(items, recurrence, limits[0][0] if limits else None, bool(ongoing), _runs(work),
                    undated, durations[0][0] if durations else None)


_UNMASKED = re.compile(r"[^\x00]+")
_LIST_SEP = re.compile(r"[,;]")


def _runs(work: str) -> list[tuple[int, int]]:
    return [m.span() for m in _UNMASKED.finditer(work)]


def _context_items(norm: str, context: ScheduleContext) -> list[_Item] | None:
    """Day-only cells under a month section row ("5-9", "14", "5, 12")."""
    month = context.month
    if month is None or not 1 <= month <= 12:
        return None
    items: list[_Item] = []
    for part in _LIST_SEP.split(norm):
        m = _grammar().day_only.fullmatch(part)
        if m is None:
            return None
        try:
            first = _valid(_Point(month, int(m.group("a")), context.year))
            last = _valid(_Point(month, int(m.group("b") or m.group("a")), context.year))
        except ValueError:
            return None
        if first.day is None or last.day is None or first.day > last.day:
            return None
        items.append(_Item("date" if first == last else "period", first, last))
    return items


# ---------------------------------------------------------------- weeks, durations, glued text


@dataclass(frozen=True)
class _More:
    """Patterns of issue 11 (weeks and halves of a month, durations, event phrases, weekdays)."""

    week: re.Pattern[str]
    week_list: re.Pattern[str]
    half: re.Pattern[str]
    week_num: dict[str, str]  # numeral or ordinal word -> "1".."5" or "last"
    half_num: dict[str, int]
    duration: re.Pattern[str]
    within_unit: re.Pattern[str]
    unit_of: dict[str, DurationUnit]
    working: frozenset[str]
    calendar: frozenset[str]
    headers: tuple[str, ...]
    on_demand: re.Pattern[str]
    per_schedule: re.Pattern[str]
    weekday: re.Pattern[str]


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_DIGIT = re.compile(r"\d")
_UNIT_STEM = re.compile(r"дн|ден|час|недел|месяц|год|лет|сут")
_WEEKDAY_STEM = re.compile(r"понед|вторн|сред|четв|пятн|субб|воскр")


@cache
def _more() -> _More:
    d = _data()
    mon = _alt(form for forms in d["months"].values() for form in forms) + r"\.?"
    week_num = {**_ROMAN, **{str(n): str(n) for n in range(1, 6)},
                **{_key(w): str(k) for k, ws in d["week_ordinals"].items() for w in ws}}
    num = (r"(?:(?:iv|iii|ii|v|i|[1-5])(?:-?(?:я|й|ая|ой|ую))?(?![0-9a-zа-я])|"
           + _alt(w for ws in d["week_ordinals"].values() for w in ws) + ")")
    weeks = _alt(d["week_words"])
    tail = rf"(?:\s+(?P<m>{mon}))?(?:\s+(?:месяца|каждого\s+месяца))?"
    units = {_key(w): u for u, ws in d["duration_units"].items() for w in ws}
    half_num = {_key(w): int(k) for k, ws in d["half_ordinals"].items() for w in ws}
    within = _alt(d["within"])
    return _More(
        week=re.compile(rf"(?<![0-9a-zа-я])(?P<a>{num})(?:\s*-\s*(?P<b>{num}))?\s*(?P<w>{weeks}){tail}"),
        week_list=re.compile(rf"(?<![0-9a-zа-я])(?P<list>{num}(?:\s*,\s*{num})+)\s*(?P<w>{weeks}){tail}"),
        half=re.compile(rf"(?<![0-9a-zа-я])(?P<h>{_alt(half_num)})\s*{_alt(d['half_words'])}\s+"
                        rf"(?:(?P<m>{mon})|месяца)"),
        week_num=week_num,
        half_num=half_num,
        duration=re.compile(
            rf"(?<![0-9a-zа-я.,/-])(?P<v>\d{{1,3}})(?:\s*-\s*(?P<x>\d{{1,3}}))?\s*"
            rf"(?:(?P<q>{_alt([*d['working_words'], *d['calendar_words']])})\s*)?(?P<u>{_alt(units)})(?![а-я])"),
        within_unit=re.compile(rf"{within}\s+(?:одного\s+|одной\s+)?(?P<u>месяца|недели|дня|суток)(?![а-я])"),
        unit_of=units,
        working=frozenset(_key(w) for w in d["working_words"]),
        calendar=frozenset(_key(w) for w in d["calendar_words"]),
        headers=tuple(_key(h) for h in d["duration_headers"]),
        on_demand=re.compile("|".join(f"(?:{p})" for p in d["on_demand_patterns"])),
        per_schedule=re.compile("|".join(f"(?:{p})" for p in d["per_schedule_patterns"])),
        weekday=re.compile(rf"(?<![а-я])(?:{_alt(d['weekdays'])})"),
    )


def _week_number(text: str) -> str:
    token = re.sub(r"-?(?:я|й|ая|ой|ую)$", "", _key(text).strip()) if text[:1].isdigit() or text[:1] in "iv" \
        else _key(text).strip()
    return _more().week_num[token]


def _week_days(number: str, month: int, year: int | None) -> tuple[_Point, _Point]:
    """Week N of a month: days 7N-6..7N; the fifth and the last run to the month's end."""
    if number == "last":
        last = _last_day(year if year is not None else 2001, month)
        return _Point(month, last - 6, year), _Point(month, None, year)
    n = int(number)
    return _Point(month, 7 * n - 6, year), (_Point(month, None, year) if n >= 5 else _Point(month, 7 * n, year))


def _week_month(m: re.Match[str], env: _Env) -> tuple[int | None, int | None]:
    if m.group("m"):
        return _month(m.group("m")), None
    return env.month, env.year


def _scan_weeks(norm: str, env: _Env) -> tuple[str, list[_Item], int]:
    """Weeks and halves of a month as periods of days, masked out of the text; the count of
    those whose month is unknown (no month written, no month row) comes apart."""
    more = _more()
    if "недел" not in norm and "нед." not in norm and "половин" not in norm:
        return norm, [], 0
    items: list[_Item] = []
    undated = 0
    spans: list[tuple[int, int]] = []

    def add(first: str, last: str, m: re.Match[str]) -> None:
        nonlocal undated
        month, year = _week_month(m, env)
        spans.append(m.span())
        if month is None:
            undated += 1
            return
        start = _week_days(first, month, year)[0]
        end = _week_days(last, month, year)[1]
        items.append(_Item("period", start, end, pos=m.span()))

    for m in more.week_list.finditer(norm):
        for part in m.group("list").split(","):
            number = _week_number(part)
            add(number, number, m)
    work = _mask(norm, spans)
    spans_before = len(spans)
    for m in more.week.finditer(work):
        a, b = m.group("a"), m.group("b")
        arabic = a[:1].isdigit() and b is None and not re.search(r"-?(?:я|й|ая|ой|ую)$", a)
        if arabic and m.group("w") != "неделя" and m.group("m") is None:
            continue  # "2 недели", "в течение 3 недель": a length, not the second week
        add(_week_number(a), _week_number(b) if b else _week_number(a), m)
    work = _mask(work, spans[spans_before:])
    spans_before = len(spans)
    for m in more.half.finditer(work):
        month, year = _week_month(m, env)
        spans.append(m.span())
        if month is None:
            undated += 1
            continue
        half = more.half_num[_key(m.group("h"))]
        start = _Point(month, 1 if half == 1 else 16, year)
        items.append(_Item("period", start, _Point(month, 15 if half == 1 else None, year), pos=m.span()))
    return _mask(work, spans[spans_before:]), items, undated


def _duration(m: re.Match[str]) -> Duration:
    more = _more()
    value = float(m.group("v"))
    top = float(m.group("x")) if m.group("x") else None
    if top is not None and top <= value:
        raise _Reject(m.group())
    qualifier = _key(m.group("q") or "")
    working = True if qualifier in more.working else False if qualifier in more.calendar else None
    return Duration(value=value, max=top, unit=more.unit_of[_key(m.group("u"))], working=working)


def _within_duration(m: re.Match[str]) -> Duration:
    units: dict[str, DurationUnit] = {"месяца": "month", "недели": "week"}
    return Duration(value=1, unit=units.get(m.group("u"), "day"))


def _header_duration(norm: str, header: str | None) -> Duration | None:
    """A bare number (or range) under a header such as "Срок, рабочих дней"."""
    if not header:
        return None
    m = re.fullmatch(r"\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*", norm)
    key = _key(header)
    if m is None or not any(h in key for h in _more().headers):
        return None
    top = float(m.group(2)) if m.group(2) else None
    if top is not None and top <= float(m.group(1)):
        return None
    unit: DurationUnit = (
        "month" if "месяц" in key else "week" if "недел" in key else "hour" if "час" in key else "day")
    working = True if "рабоч" in key else False if "календар" in key else None
    return Duration(value=float(m.group(1)), max=top, unit=unit, working=working)


_MONTH_STEM = r"(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*"
_GLUE: tuple[tuple[re.Pattern[str], str, bool, re.Pattern[str]], ...] = (
    # (pattern, replacement, whether it is a guess, a cheap search every match of the pattern needs)
    # "29, 30.12.15": every day of the list takes the month (and year) of the last one
    (re.compile(r"(?<![\d.])(\d{1,2})\s*,\s*(?=(?:\d{1,2}\s*,\s*)*\d{1,2}([./]\d{1,2}(?:[./]\d{2,4})?)(?![\d]|[./]\d))"),
     r"\1\2, ", False, re.compile(r"\d\s*,\s*\d")),
    # "24-25.03.16", "20-24.11", "15 -19.02": the start day takes the end's month and year
    (re.compile(r"(?<![\d.])(\d{1,2})\s*([-–—])\s*(\d{1,2})([./]\d{1,2}(?:[./]\d{2,4})?)(?![\d]|[./]\d)"),
     r"\1\4\2\3\4", False, re.compile(r"\d\s*[-–—]\s*\d")),
    # "22. 02", "23. 03.": a space after the day's dot
    (re.compile(r"(?<![\d.])(\d{1,2})\.\s+(0[1-9]|1[0-2])(?=\.?(?:\s*$|\s*[-–—,;]|\.\d))"), r"\1.\2", False,
     re.compile(r"\d\.\s+[01]")),
    # "Февраль, 2017 год": the comma between a month and its year
    (re.compile(rf"(?i)({_MONTH_STEM})\s*,\s*(?=(?:19|20)\d\d\s*(?:г|год))"), r"\1 ", False,
     re.compile(r",\s*(?:19|20)\d\d")),
    # "до10.09", "16августа", "2019-2020гг.": a word glued to a number
    (re.compile(r"(?<=[А-Яа-яЁё])(?=\d)|(?<=\d)(?=[А-Яа-яЁё])"), " ", True, re.compile(r"[А-Яа-яЁё]\d|\d[А-Яа-яЁё]")),
    # "по плануРОО": a lower-case word glued to a capital one
    (re.compile(r"(?<=[а-яё])(?=[А-ЯЁ])"), " ", True, re.compile(r"[а-яё][А-ЯЁ]")),
    # "В теч.года", "по отд.плану": a dot glued to the next word
    (re.compile(r"(?<=[а-яё]\.)(?=[а-яё]{2})"), " ", True, re.compile(r"[а-яё]\.[а-яё]{2}")),
)
# Any of the searches above, factored by first character: most cells need no rewrite at all.
_GLUE_ANY = re.compile(r"\d(?:\s*[-–—,]\s*\d|\.\s+[01]|[А-Яа-яЁё])|[А-Яа-яЁё]\d|[а-яё](?:[А-ЯЁ]|\.[а-яё]{2})"
                       r"|,\s*(?:19|20)\d\d")


def _unglue(text: str) -> tuple[str, bool]:
    """The text with glued words and numbers apart and day lists spelled out; and whether a
    guess was made (words split where the writer left no space)."""
    if _GLUE_ANY.search(text) is None:  # no rewrite can match, and so none can change the text
        return text, False
    guessed = False
    for pattern, replacement, guess, needs in _GLUE:
        if needs.search(text) is None:
            continue
        new = pattern.sub(replacement, text)
        if new != text:
            guessed = guessed or guess
            text = new
    return text, guessed


# ---------------------------------------------------------------- note


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


def _note(folded: str, scanned: _Scanned, starts: Sequence[int], ends: Sequence[int]) -> str | None:
    """The leftover fragments that say something: "; " between the ones a date separates,
    a space where only a word such as "ежегодно" was taken out."""
    filler = _grammar().filler
    note = ""
    last_end = -1
    for a, b in scanned.leftover:
        fragment = _clean(folded[starts[a]:ends[b - 1]])
        words = _NOTE_WORD.findall(_key(fragment))
        if not words or all(w in filler for w in words):
            continue
        if note:
            dated = any(last_end <= i.pos[0] and i.pos[1] <= a for i in scanned.items)
            note += "; " if dated else " "
        note += fragment
        last_end = b
    return note or None


# ---------------------------------------------------------------- assembly


def _hull(windows: list[Window]) -> Window:
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


def _recurring(s: _Scanned, plan: _Plan | None, whole: list[_Item],
               parts: list[_Item]) -> list[Window]:
    span: Window = _hull([w for i in whole for w in _windows_of(i, plan)]) if whole else (
        plan.window if plan else (None, None))
    part_windows = [w for i in parts for w in _windows_of(i, plan)]
    rec = s.recurrence or "other"
    if rec == "other" or (rec == "yearly" and parts):
        return part_windows
    bases = [b for b in map(_bounds, part_windows or [span]) if b is not None]
    return [t for base in bases for t in _tiles(rec, base, s.day_limit)]


def _resolve(s: _Scanned, plan: _Plan | None) -> tuple[ScheduleKind, str | None, list[Window]]:
    whole = [i for i in s.items if i.whole]
    parts = [i for i in s.items if not i.whole]
    ongoing = s.ongoing or any(i.within for i in whole)
    if s.recurrence is not None:
        return "recurring", s.recurrence, _recurring(s, plan, whole, parts)
    whole_windows = [w for i in whole for w in _windows_of(i, plan)]
    span: Window = _hull(whole_windows) if whole else (plan.window if plan else (None, None))
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


def _event_kind(norm: str) -> ScheduleKind:
    g = _grammar()
    candidates: list[tuple[ScheduleKind, re.Pattern[str]]] = [
        ("on_demand", g.on_demand), ("per_schedule", g.per_schedule)]
    hits = [(m.start(), kind) for kind, p in candidates for m in [p.search(norm)] if m is not None]
    if not hits:  # the looser patterns only where the phrase lists found nothing
        more = _more()
        loose: list[tuple[ScheduleKind, re.Pattern[str]]] = [
            ("on_demand", more.on_demand), ("per_schedule", more.per_schedule)]
        hits = [(m.start(), kind) for kind, p in loose for m in [p.search(norm)] if m is not None]
    return min(hits)[1] if hits else "unknown"


def _sort_key(w: Window) -> tuple[dt.date, dt.date]:
    first = w[0] or w[1] or dt.date.min
    return first, w[1] or first


def _build(folded: str, plan: _Plan | None, context: ScheduleContext, inferred: bool = False) -> Schedule:
    read, guessed = _unglue(folded)
    norm, starts, ends = _normalize(read)
    repaired = not isinstance(starts, range)  # _normalize maps offsets one to one unless it repaired a word
    month = context.month if context.month is not None and 1 <= context.month <= 12 else None
    env = _Env(plan.academic if plan else False, month, context.year if month is not None else None)
    bare = _header_duration(norm, context.column_header)
    if bare is not None:  # "5" under "Срок, рабочих дней": a length, no date
        return Schedule(text=folded, kind="unknown", duration=bare)
    day_items = _context_items(norm, context) if norm.strip() else None
    scanned = _Scanned(day_items, None, None, False, []) if day_items is not None else _scan_all(norm, env)
    if not scanned.items and scanned.recurrence is None and not scanned.ongoing and not scanned.undated:
        kind = _event_kind(norm)
        low = guessed or repaired or (kind == "unknown" and bool(norm.strip()) and scanned.duration is None)
        return Schedule(text=folded, kind=kind, duration=scanned.duration, confidence="low" if low else "high")
    kind, rec, windows = _resolve(scanned, plan)
    known = sorted((w for w in windows if w != (None, None)), key=_sort_key)[:_MAX_WINDOWS]
    start, end = _hull(known)
    recurrence = _RECURRENCE.get(rec or "") if kind == "recurring" else None
    note = _note(read, scanned, starts, ends)
    # low where the rules guessed: a misspelling repaired, glued text split, a month.year read,
    # text left over, or dates placed by a period the document does not state
    low = (guessed or repaired or note is not None or any(i.guess for i in scanned.items)
           or (inferred and any(i.floating or i.kind == "deadline" for i in scanned.items)))
    extra: dict[str, Any] = {}  # only what differs from the defaults: pydantic validates less
    if scanned.duration is not None:
        extra["duration"] = scanned.duration
    if low:
        extra["confidence"] = "low"
    return Schedule(text=folded, kind=kind, start=start, end=end, recurrence=recurrence,
                    occurrences=[Occurrence(start=a, end=b) for a, b in known], note=note, **extra)


def normalize_schedule(text: str, period: Period | None,
                       context: ScheduleContext | None = None) -> Schedule:
    """Read one schedule cell (paragraphs joined by "\\n") against the plan period.

    Never raises: what cannot be read is kind "unknown" with the text kept."""
    folded = " ".join(str(text or "").split())
    try:
        inferred = bool(period is not None and getattr(period, "inferred", False))
        return _build(folded, _plan_of(period), context or ScheduleContext(), inferred)
    except Exception:  # the contract: a cell never makes the extraction fail
        return Schedule(text=folded, kind="unknown", confidence="low")


def month_heading(text: str) -> tuple[int, int | None] | None:
    """(month, year or None) of a month section row ("МАРТ", "Сентябрь 2023 г."), else None."""
    try:
        m = _grammar().heading.fullmatch(_normalize(" ".join(str(text or "").split()))[0])
        if m is None:
            return None
        return _month(m.group("m")), int(m.group("y")) if m.group("y") else None
    except Exception:  # a heading that cannot be read is no heading
        return None
