"""Gantt-style timelines for `roadmap compare`: geometry only (months on the x axis, one
lane per activity or per plan within a topic). templates/report.html.j2 draws it as SVG.

The axis is the plan's period (or, for a plan without one, the months around the middle of its
dates): a date outside it is flagged on its lane, never drawn across the axis. A chart is never
wider than `ChartSettings.max_width`: long periods get narrower months, then quarters, then years.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from models import Activity

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


@dataclass(frozen=True)
class ChartSettings:
    """Sizes in SVG user units (pixels at 100 % zoom)."""

    label_width: float = 300.0  # the lane labels left of the plot
    month_width: float = 24.0  # room for a month name under each month
    month_width_long: float = 12.0  # for an axis that shows quarters
    min_plot_width: float = 480.0  # a short plan still gets a readable axis
    max_width: float = 1150.0  # the whole chart fits a 1,280 px window with the page's margins
    min_quarter_width: float = 30.0  # narrower quarters show years only
    min_year_label_width: float = 34.0  # narrower years are labelled every second (third …) year
    undated_window_months: int = 36  # a plan without a period: months either side of its median date
    min_bar_width: float = 3.0  # a one-day window stays visible
    lane_height: float = 16.0
    bar_height: float = 10.0
    axis_height: float = 34.0  # two rows: months (or quarters) and years
    section_height: float = 18.0  # a section title row in a per-plan chart
    label_chars: int = 44  # lane labels are cut to this many characters (the tooltip has all)
    marker_size: float = 5.0  # half-width of the diamond drawn for a date without a span
    month_labels_up_to: int = 24  # axis spans longer than this many months show quarters


@dataclass(frozen=True)
class Span:
    """A window of an activity: start and end dates; either may be missing (deadline)."""

    start: dt.date | None
    end: dt.date | None


def spans_of(activity: Activity) -> list[Span]:
    """The windows of an activity's schedule: its occurrences, else its start/end."""
    s = activity.schedule
    spans = [Span(o.start, o.end) for o in s.occurrences if o.start or o.end]
    if not spans and (s.start or s.end):
        spans = [Span(s.start, s.end)]
    return spans


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def axis_bounds(spans: Sequence[Span], period: tuple[dt.date | None, dt.date | None] = (None, None),
                months_around: int = 36) -> tuple[int, int] | None:
    """First and last month (as month indexes) that the chart shows: the plan period where it
    has both ends; else the dated windows, less those further than `months_around` from their
    median month (a typo year is flagged, not stretched over); None when nothing is dated."""
    start, end = period
    if start is not None and end is not None:
        return month_index(min(start, end)), month_index(max(start, end))
    months = sorted(month_index(d) for s in spans for d in (s.start, s.end) if d is not None)
    if not months:
        return None
    middle = months[len(months) // 2]
    kept = [m for m in months if abs(m - middle) <= months_around]
    return kept[0], kept[-1]


def window_days(bounds: tuple[int, int]) -> tuple[dt.date, dt.date]:
    """The first and last day of the months `bounds`."""
    first, last = bounds
    end = dt.date((last + 1) // 12, (last + 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(first // 12, first % 12 + 1, 1), end


def outside(span: Span, bounds: tuple[int, int]) -> bool:
    """Whether a date of the span lies outside the months `bounds`."""
    low, high = window_days(bounds)
    return any(d is not None and not low <= d <= high for d in (span.start, span.end))


def span_text(span: Span) -> str:
    """"01.09.2020–31.05.2021", or the one date."""
    days = [d.strftime("%d.%m.%Y") for d in (span.start, span.end) if d is not None]
    return "–".join(dict.fromkeys(days))


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    major: bool  # a year boundary: drawn darker, with the year below


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str  # tooltip


@dataclass(frozen=True)
class Marker:
    x: float
    y: float  # centre
    color: str
    title: str


@dataclass
class Lane:
    y: float  # top
    height: float
    label: str
    title: str  # the full label, as tooltip
    kind: str = "activity"  # activity | section | topic | plan
    undated: bool = False
    bars: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    outliers: list[str] = field(default_factory=list)  # dates outside the axis, as text


@dataclass
class Chart:
    id: str
    title: str
    width: float
    height: float
    plot_x: float
    plot_width: float
    axis_y: float  # top of the plot area
    ticks: list[Tick]
    years: list[Tick]  # year labels, centred on their part of the axis
    lanes: list[Lane]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (color, label)
    period: str = ""  # what the axis spans, in words

    @property
    def bar_count(self) -> int:
        return sum(len(lane.bars) + len(lane.markers) for lane in self.lanes)

    @property
    def outlier_lanes(self) -> list[Lane]:
        return [lane for lane in self.lanes if lane.outliers]


class Axis:
    """Maps dates to x between the first day of month `first` and the last day of `last`."""

    def __init__(self, first: int, last: int, x0: float, settings: ChartSettings) -> None:
        self.first = first
        self.months = last - first + 1
        self.x0 = x0
        per_month = settings.month_width if self.months <= settings.month_labels_up_to \
            else settings.month_width_long
        room = settings.max_width - settings.label_width - 10
        self.month_width = min(max(per_month, settings.min_plot_width / self.months), room / self.months)
        self.width = self.month_width * self.months

    def x(self, day: dt.date, end: bool = False) -> float:
        """Left edge of the day, or its right edge when `end`."""
        month = month_index(day) - self.first
        length = _month_length(day)
        fraction = (day.day - (0 if end else 1)) / length
        return self.x0 + (month + fraction) * self.month_width

    def ticks(self, settings: ChartSettings) -> tuple[list[Tick], list[Tick]]:
        """Month names, quarters or nothing but year lines, as the month width allows; year
        labels, every n-th where years are narrow."""
        if self.months <= settings.month_labels_up_to and self.month_width >= settings.month_width - 4:
            step = 1
        elif 3 * self.month_width >= settings.min_quarter_width:
            step = 3
        else:
            step = 12
        ticks: list[Tick] = []
        years: list[Tick] = []
        for m in range(self.months + 1):
            absolute = self.first + m
            month = absolute % 12
            x = self.x0 + m * self.month_width
            if m < self.months and month % step == 0 and step < 12:
                label = MONTHS_SHORT[month] if step == 1 else f"{month // 3 + 1} кв."
                ticks.append(Tick(x, label, month == 0))
            elif month == 0:
                ticks.append(Tick(x, "", True))
        every = max(1, math.ceil(settings.min_year_label_width / (12 * self.month_width)))
        year_starts = [0] + [m for m in range(1, self.months) if (self.first + m) % 12 == 0] + [self.months]
        for a, b in pairwise(year_starts):
            year = (self.first + a) // 12
            if year % every == 0 and (b - a) * self.month_width >= settings.min_year_label_width / 1.5:
                years.append(Tick(self.x0 + (a + b) / 2 * self.month_width, str(year), True))
        return ticks, years


def _month_length(day: dt.date) -> int:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return (nxt - dt.date(day.year, day.month, 1)).days


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def draw_spans(lane: Lane, spans: Sequence[Span], axis: Axis, color: str, title: str,
               settings: ChartSettings, bounds: tuple[int, int]) -> None:
    """Bars for windows with both ends, diamonds for a lone date (a deadline); a window with a
    date outside the axis is flagged on the lane and drawn only where it overlaps the axis."""
    top = lane.y + (lane.height - settings.bar_height) / 2
    low, high = window_days(bounds)
    for span in spans:
        if outside(span, bounds):
            lane.outliers.append(span_text(span))
            start, end = span.start or span.end, span.end or span.start
            assert start is not None and end is not None
            if end < low or start > high or span.start is None or span.end is None:
                continue
            span = Span(max(start, low), min(end, high))
        if span.start is not None and span.end is not None:
            x0 = axis.x(span.start)
            x1 = axis.x(span.end, end=True)
            lane.bars.append(Bar(x0, top, max(x1 - x0, settings.min_bar_width), settings.bar_height, color, title))
        else:
            day = span.end or span.start
            assert day is not None
            lane.markers.append(Marker(axis.x(day, end=True), lane.y + lane.height / 2, color, title))


@dataclass(frozen=True)
class LaneSpec:
    """What one lane shows: a label and, per colour, windows with their tooltip."""

    label: str
    kind: str = "activity"
    items: tuple[tuple[str, str, tuple[Span, ...]], ...] = ()  # (color, tooltip, spans)


def build_chart(chart_id: str, title: str, lanes: Sequence[LaneSpec], bounds: tuple[int, int] | None,
                settings: ChartSettings, legend: Sequence[tuple[str, str]] = ()) -> Chart:
    """Lay out lanes top to bottom under a month axis spanning `bounds`."""
    first, last = bounds if bounds is not None else (0, 0)
    axis = Axis(first, last, settings.label_width, settings)
    ticks, years = axis.ticks(settings) if bounds is not None else ([], [])
    y = settings.axis_height
    out: list[Lane] = []
    for spec in lanes:
        height = settings.section_height if spec.kind in ("section", "topic") and not spec.items \
            else settings.lane_height
        lane = Lane(y=y, height=height, label=cut(spec.label, settings.label_chars), title=spec.label,
                    kind=spec.kind)
        spans_here = [s for _, _, spans in spec.items for s in spans]
        lane.undated = spec.kind in ("activity", "plan") and not spans_here
        if bounds is not None:
            for color, tooltip, spans in spec.items:
                draw_spans(lane, spans, axis, color, tooltip, settings, bounds)
        out.append(lane)
        y += height
    width = settings.label_width + axis.width + 10
    period = "" if bounds is None else "–".join(
        dict.fromkeys(f"{MONTHS_SHORT[m % 12]} {m // 12}" for m in bounds))
    return Chart(id=chart_id, title=title, width=width, height=y + 4, plot_x=settings.label_width,
                 plot_width=axis.width, axis_y=settings.axis_height, ticks=ticks, years=years,
                 lanes=out, legend=list(legend), period=period)
