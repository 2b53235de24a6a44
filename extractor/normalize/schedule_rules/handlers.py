"""Handlers: what each pattern's match means, as dated items (or durations, frequencies)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from extractor.normalize.schedule_rules.grammar import grammar, key_of, more_grammar, vocabulary
from extractor.normalize.schedule_rules.items import (
    CACHE_SIZE,
    Env,
    Item,
    Point,
    Reject,
    ScheduleContext,
    carry,
    fix,
    last_day,
    to_date,
    year_in,
)
from models.roadmap import Duration, DurationUnit

if TYPE_CHECKING:
    from dateparser.date import DateDataParser


def _numeral(text: str) -> int:
    m = re.match(r"iv|iii|ii|i|\d", text)
    if m is not None and m.group() in ("i", "ii", "iii", "iv"):
        return grammar().numeral_of[m.group()]
    if m is not None:
        return int(m.group())
    return grammar().numeral_of[key_of(text).strip()]


def month_number(text: str) -> int:
    return grammar().month_of[key_of(text).strip().rstrip(".")]


def _valid(p: Point) -> Point:
    """Reject impossible days (the year 2000 admits 29 February of yearless dates)."""
    dt.date(p.year if p.year is not None else 2000, p.month, p.day or 1)
    return p


_NUMERIC_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
_DAY = re.compile(r"\d{1,2}")


def _read_date(text: str) -> Point:
    m = _NUMERIC_DATE.fullmatch(text.strip())
    if m is not None:
        year = m.group(3)
        y = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
        return _valid(Point(int(m.group(2)), int(m.group(1)), y))
    g = grammar()
    mon = g.mon.search(text)
    day = _DAY.search(text)
    if mon is None or day is None:
        raise Reject(text)
    year_m = g.year.search(text, mon.end())
    return _valid(Point(month_number(mon.group()), int(day.group()),
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
        raise Reject(m.group())
    academic = other is not None or m.group(name + "a") is not None
    return dt.date(year, 9 if academic else 1, 1)


def _span(start: Point, end: Point) -> Item:
    start, end = carry(start, end)
    first, last = to_date(start, False), to_date(end, True)
    if first is not None and last is not None and first > last:
        raise Reject("reversed span")
    return Item("period", start, end)


def _placed(item: Item, unit: dt.date | None) -> Item:
    return item if unit is None else fix(item, unit)


def h_date_range(m: re.Match[str], env: Env) -> Item:
    return _span(_read_date(m.group("a")), _read_date(m.group("b")))


def h_day_range(m: re.Match[str], env: Env) -> Item:
    month = month_number(m.group("m"))
    first, last = int(m.group("d1")), int(m.group("d2"))
    if first >= last:
        raise Reject(m.group())
    start, end = _valid(Point(month, first)), _valid(Point(month, last))
    return _placed(Item("period", start, end), _tail_unit(m, "y"))


def h_deadline(m: re.Match[str], env: Env) -> Item:
    return Item("deadline", None, _read_date(m.group("d")))


def h_month_year_deadline(m: re.Match[str], env: Env) -> Item:
    month, year = int(m.group("m")), int(m.group("y"))
    if not 1 <= month <= 12 or year <= 12:  # a real day and month ("до 10.09") is the deadline pass's
        raise Reject(m.group())
    return Item("deadline", None, Point(month, 1, 2000 + year), guess=True)


def h_open(m: re.Match[str], env: Env) -> Item:
    return Item("open", _read_date(m.group("d")), None)


def h_date(m: re.Match[str], env: Env) -> Item:
    point = _read_date(m.group("d"))
    return Item("date", point, point)


def h_year_range(m: re.Match[str], env: Env) -> Item:
    first = int(m.group("y1"))
    last = _second_year(first, m.group("y2"))
    academic = m.group("acad") is not None or (
        m.group("cal") is None and env.academic and last == first + 1)
    if academic and last > first:
        return Item("period", Point(9, 1, first), Point(8, 31, last), whole=True)
    if not academic and last >= first:
        return Item("period", Point(1, 1, first), Point(12, 31, last), whole=True)
    raise Reject(m.group())


def h_year(m: re.Match[str], env: Env) -> Item:
    year = int(m.group("y"))
    return Item("period", Point(1, 1, year), Point(12, 31, year), whole=True)


def h_year_deadline(m: re.Match[str], env: Env) -> Item:
    return Item("deadline", None, Point(12, 31, int(m.group("y"))))


def h_year_open(m: re.Match[str], env: Env) -> Item:
    return Item("open", Point(1, 1, int(m.group("y"))), None)


def _at(p: Point, unit: dt.date | None) -> Point:
    return p if unit is None else Point(p.month, p.day, year_in(p.month, unit))


def h_month_range(m: re.Match[str], env: Env) -> Item:
    start_unit, end_unit = _tail_unit(m, "s"), _tail_unit(m, "e")
    start = _at(Point(month_number(m.group("m1"))), start_unit)
    end = _at(Point(month_number(m.group("m2"))), end_unit)
    return _span(start, end)


def h_month_deadline(m: re.Match[str], env: Env) -> Item:
    end = Point(month_number(m.group("m")), None if m.group("edge") else 1)
    return _placed(Item("deadline", None, end), _tail_unit(m, "y"))


def h_month_open(m: re.Match[str], env: Env) -> Item:
    return _placed(Item("open", Point(month_number(m.group("m"))), None), _tail_unit(m, "y"))


def h_month(m: re.Match[str], env: Env) -> Item:
    p = Point(month_number(m.group("m")))
    return _placed(Item("period", p, p), _tail_unit(m, "y"))


def h_numbered(m: re.Match[str], env: Env) -> Item:
    g = grammar()
    kind = g.span_word_of[key_of(m.group("w")).rstrip(".")]
    unit = _tail_unit(m, "y")
    if kind == "half":
        school = env.academic or (unit is not None and unit.month == 9)
        kind = "school_half" if school else "calendar_half"
    table = g.tables[kind]
    first = _numeral(m.group("a"))
    last = _numeral(m.group("b")) if m.group("b") else first
    if first not in table or last not in table or first > last:
        raise Reject(m.group())
    item = Item("period", Point(table[first][0]), Point(table[last][1]))
    return _placed(item, unit)


def week_number(text: str) -> str:
    token = re.sub(r"-?(?:я|й|ая|ой|ую)$", "", key_of(text).strip()) if text[:1].isdigit() or text[:1] in "iv" \
        else key_of(text).strip()
    return more_grammar().week_num[token]


def week_days(number: str, month: int, year: int | None) -> tuple[Point, Point]:
    """Week N of a month: days 7N-6..7N; the fifth and the last run to the month's end."""
    if number == "last":
        last = last_day(year if year is not None else 2001, month)
        return Point(month, last - 6, year), Point(month, None, year)
    n = int(number)
    return Point(month, 7 * n - 6, year), (Point(month, None, year) if n >= 5 else Point(month, 7 * n, year))


def week_month(m: re.Match[str], env: Env) -> tuple[int | None, int | None]:
    if m.group("m"):
        return month_number(m.group("m")), None
    return env.month, env.year


def read_duration(m: re.Match[str]) -> Duration:
    more = more_grammar()
    value = float(m.group("v"))
    top = float(m.group("x")) if m.group("x") else None
    if top is not None and top <= value:
        raise Reject(m.group())
    qualifier = key_of(m.group("q") or "")
    working = True if qualifier in more.working else False if qualifier in more.calendar else None
    return Duration(value=value, max=top, unit=more.unit_of[key_of(m.group("u"))], working=working)


def within_duration(m: re.Match[str]) -> Duration:
    units: dict[str, DurationUnit] = {"месяца": "month", "недели": "week"}
    return Duration(value=1, unit=units.get(m.group("u"), "day"))


def header_duration(norm: str, header: str | None) -> Duration | None:
    """A bare number (or range) under a header such as "Срок, рабочих дней"."""
    if not header:
        return None
    m = re.fullmatch(r"\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*", norm)
    key = key_of(header)
    if m is None or not any(h in key for h in more_grammar().headers):
        return None
    top = float(m.group(2)) if m.group(2) else None
    if top is not None and top <= float(m.group(1)):
        return None
    unit: DurationUnit = (
        "month" if "месяц" in key else "week" if "недел" in key else "hour" if "час" in key else "day")
    working = True if "рабоч" in key else False if "календар" in key else None
    return Duration(value=float(m.group(1)), max=top, unit=unit, working=working)


def counted_recurrence(m: re.Match[str]) -> str:
    g = grammar()
    n = m.group("n")
    count = 1 if n is None else (int(n) if n.isdigit() else g.count_of[key_of(n)])
    unit = g.unit_of[key_of(m.group("u"))]
    if m.group("k") is not None and m.group("k") != "1":  # "раз в 14 дней", "1 раз в 2 месяца": none of ours
        return "other"
    return g.count_recurrence.get(unit, {}).get(count, "other")


def limit_day(m: re.Match[str]) -> int | None:
    day = int(m.group("d"))
    return day if 0 < day < 32 else None


def leftover_dates(work: str) -> list[tuple[Item, tuple[int, int]]]:
    """Single dates in the pieces the grammar left that still hold a year, read by
    dateparser with restricted settings (docs/library-notes.md): ISO and English dates,
    "03.2024". Only pieces with Latin letters or a number besides the year go to it: the
    rest ("в течение 2023 года") is the year passes' and would cost a millisecond each."""
    g = grammar()
    found: list[tuple[Item, tuple[int, int]]] = []
    for m in g.piece.finditer(work):
        text = m.group().strip()
        if len(text) > g.leftover_max or g.year.search(text) is None or g.piece_gate.search(text) is None:
            continue
        read = _dateparser_read(text)
        if read is None:
            continue
        year, month, day = read
        point = Point(month, day, year)
        start = m.start() + len(m.group()) - len(m.group().lstrip())
        found.append((Item("date" if day is not None else "period", point, point), (start, start + len(text))))
    return found


@cache
def date_parser() -> DateDataParser:
    from dateparser.date import DateDataParser  # imported on first use: most cells never need it

    cfg = vocabulary()["dateparser"]
    settings = dict(cfg["settings"])
    base = settings["RELATIVE_BASE"]
    settings["RELATIVE_BASE"] = dt.datetime(base.year, base.month, base.day)
    return DateDataParser(languages=list(cfg["languages"]), settings=settings)


@lru_cache(maxsize=CACHE_SIZE)
def _dateparser_read(text: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) of a piece that is one date or one month of a year, when
    the year is written out in it (so nothing was guessed), else None."""
    try:
        data = date_parser().get_date_data(text)
    except Exception:  # a library's failure on odd text means no date, never a failed cell
        return None
    value = data["date_obj"]
    if value is None or data["period"] not in ("day", "month") or str(value.year) not in text:
        return None
    return value.year, value.month, value.day if data["period"] == "day" else None


_LIST_SEP = re.compile(r"[,;]")


def context_items(norm: str, context: ScheduleContext) -> list[Item] | None:
    """Day-only cells under a month section row ("5-9", "14", "5, 12")."""
    month = context.month
    if month is None or not 1 <= month <= 12:
        return None
    items: list[Item] = []
    for part in _LIST_SEP.split(norm):
        m = grammar().day_only.fullmatch(part)
        if m is None:
            return None
        try:
            first = _valid(Point(month, int(m.group("a")), context.year))
            last = _valid(Point(month, int(m.group("b") or m.group("a")), context.year))
        except ValueError:
            return None
        if first.day is None or last.day is None or first.day > last.day:
            return None
        items.append(Item("date" if first == last else "period", first, last))
    return items
