"""What the schedule rules make: points, dated items, the scan of a cell, and their date arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from models.roadmap import Duration


@dataclass(frozen=True)
class ScheduleContext:
    """What the table around a cell says about its dates."""

    month: int | None = None  # month given by a month section row above the cell ("МАРТ", "Сентябрь 2023")
    year: int | None = None  # year given by that row, if any
    column_header: str | None = None  # the schedule column's header: "Срок, рабочих дней" makes "5" a duration


Window = tuple[dt.date | None, dt.date | None]
Bounds = tuple[dt.date, dt.date]
ItemKind = Literal["date", "period", "deadline", "open"]

MAX_UNITS = 300
MAX_WINDOWS = 2000
CACHE_SIZE = 65536  # words repaired and leftovers read, remembered across cells (bounded for long batches)


class Reject(Exception):
    """A pattern matched text that is not a valid date expression."""


class Point(NamedTuple):  # a tuple: built thousands of times a second, where a frozen dataclass costs a microsecond
    """A day, or a whole month when ``day`` is None; ``year`` None until resolved."""

    month: int
    day: int | None = None
    year: int | None = None


class Item(NamedTuple):
    """One dated expression of the cell."""

    kind: ItemKind
    start: Point | None  # None for a deadline
    end: Point | None  # None for an open start
    whole: bool = False  # names whole calendar or academic years
    within: bool = False  # preceded by "в течение"
    pos: tuple[int, int] = (0, 0)
    guess: bool = False  # read by a guess ("до 11.15" as November 2015): confidence low

    @property
    def floating(self) -> bool:
        start, end = self.start, self.end  # no generator: asked several times for every item
        return (start is not None and start.year is None) or (end is not None and end.year is None)


class Env(NamedTuple):
    """What a handler knows beyond its match."""

    academic: bool  # the plan is an academic one
    month: int | None = None  # the month section row above the cell
    year: int | None = None


Handler = Callable[[re.Match[str], Env], "Item | None"]


class Scanned(NamedTuple):
    """What the passes found in a cell."""

    items: list[Item]
    recurrence: str | None  # "other" for "3 раза в год"
    day_limit: int | None
    ongoing: bool
    leftover: list[tuple[int, int]]
    undated: int = 0  # weeks or halves of a month whose month is unknown: periods without dates
    duration: Duration | None = None


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def point_order(p: Point, last: bool) -> tuple[int, int]:
    return p.month, p.day if p.day is not None else (32 if last else 0)


def to_date(p: Point, last: bool) -> dt.date | None:
    if p.year is None:
        return None
    try:
        day = p.day if p.day is not None else (last_day(p.year, p.month) if last else 1)
        return dt.date(p.year, p.month, day)
    except ValueError:
        return None


def year_in(month: int, unit: dt.date) -> int:
    return unit.year if month >= unit.month else unit.year + 1


def carry(start: Point, end: Point) -> tuple[Point, Point]:
    """Give the yearless end of a span the year of the other (nearest before / after)."""
    before = point_order(start, False) <= point_order(end, True)
    if start.year is None and end.year is not None:
        return Point(start.month, start.day, end.year if before else end.year - 1), end
    if end.year is None and start.year is not None:
        return start, Point(end.month, end.day, start.year if before else start.year + 1)
    return start, end


def fix(item: Item, unit: dt.date) -> Item:
    """Place a yearless item in the year starting at ``unit``: the end by the unit, the
    start the nearest before it."""
    anchor = item.end or item.start
    if anchor is None or anchor.year is not None:
        return item
    placed = Point(anchor.month, anchor.day, year_in(anchor.month, unit))  # no dataclasses.replace: hot path
    if item.end is None:
        return Item(item.kind, placed, item.end, item.whole, item.within, item.pos, item.guess)
    start = carry(item.start, placed)[0] if item.start is not None else None
    return Item(item.kind, start, placed, item.whole, item.within, item.pos, item.guess)


def describe(item: Item) -> str:
    """An item for a person reading the rule trace: "deadline … – 2023-12-01", "period ????-09 – ????-10"."""
    text = f"{item.kind} {_point_text(item.start)} – {_point_text(item.end)}"
    flags = [label for on, label in ((item.whole, "whole years"), (item.within, "в течение"), (item.guess, "guessed"))
             if on]
    return text + (f" ({', '.join(flags)})" if flags else "")


def _point_text(p: Point | None) -> str:
    if p is None:
        return "…"
    year = f"{p.year:04d}" if p.year is not None else "????"
    return f"{year}-{p.month:02d}" + (f"-{p.day:02d}" if p.day is not None else "")
