"""Tests of the schedule normalizer (extractor/normalize/schedule.py).

The phrases and their expected schedules live in tests/data/schedule_phrases.yaml; the
property tests below check the invariants on arbitrary text and plan periods.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.normalize import schedule as schedule_module
from extractor.normalize.schedule import ScheduleContext, month_heading, normalize_schedule
from models.roadmap import Period, Schedule

PHRASES = Path(__file__).parent / "data" / "schedule_phrases.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(PHRASES.read_text(encoding="utf-8"))
FIELDS = {"text", "period", "context", "kind", "start", "end", "recurrence", "occurrences", "note", "why",
          "duration", "confidence"}


def _period(value: list[dt.date] | None) -> Period | None:
    if value is None:
        return None
    return Period(start=value[0], end=value[1], text="")


def _context(value: dict[str, int] | None) -> ScheduleContext | None:
    return None if value is None else ScheduleContext(month=value.get("month"), year=value.get("year"))


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['text'][:40]!r}@{case['period'][0].year if case['period'] else 'none'}"


def test_phrase_file_is_complete() -> None:
    assert len(CASES) >= 250
    for case in CASES:
        assert set(case) <= FIELDS, case
        assert FIELDS - {"context", "why", "duration", "confidence"} <= set(case), case
    # every entry says something of its own: no phrase twice in the same plan and context
    keys = [(c["text"], str(c["period"]), str(c.get("context"))) for c in CASES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_phrase(case: dict[str, Any]) -> None:
    result = normalize_schedule(case["text"], _period(case["period"]), _context(case.get("context")))
    expected = {
        "text": " ".join(case["text"].split()),
        "kind": case["kind"],
        "start": case["start"],
        "end": case["end"],
        "recurrence": case["recurrence"],
        "occurrences": [{"start": a, "end": b} for a, b in case["occurrences"]],
        "note": case["note"],
        "duration": case.get("duration"),  # contract 1.1: null unless the entry gives a length
        "confidence": case.get("confidence", result.confidence),  # checked where the entry states it
    }
    assert result.model_dump() == expected


def test_context_is_optional_and_ignored_for_other_text() -> None:
    period = _period([dt.date(2024, 1, 1), dt.date(2024, 12, 31)])
    with_ctx = normalize_schedule("Март-апрель", period, ScheduleContext(month=2))
    assert with_ctx == normalize_schedule("Март-апрель", period)
    assert normalize_schedule("14", period, ScheduleContext(month=13)).kind == "unknown"


@pytest.mark.parametrize(("text", "expected"), [
    ("МАРТ", (3, None)),
    ("Сентябрь 2023", (9, 2023)),
    ("  Сентябрь 2023 г. ", (9, 2023)),
    ("февраль", (2, None)),
    ("Сентбярь 2024 года", (9, 2024)),
    ("Март-апрель", None),
    ("1. Организационные мероприятия", None),
    ("", None),
])
def test_month_heading(text: str, expected: tuple[int, int | None] | None) -> None:
    assert month_heading(text) == expected


def test_schedule_round_trips_through_json() -> None:
    period = _period([dt.date(2019, 1, 1), dt.date(2021, 12, 31)])
    result = normalize_schedule("Ноябрь, март", period)
    assert Schedule.model_validate_json(result.model_dump_json()) == result


# ---------------------------------------------------------------- properties

FRAGMENTS = [
    "Сентябрь", "октябрь", "марта", "мае", "Январь", "декабря", "Сентбярь", "2019", "2020", "2021",
    "2022-2023", "2019-20", "2024/2025", "учебный год", "учебного года", "г.", "гг.", "года",
    "-", "–", "—", ",", ";", "\n", "(", ")", "«5»", "5", "9", "14", "31", "29", "01.04.2023",
    "31.02.2023", "29.02.2024", "05.03.24", "10.04", "до", "не позднее", "с", "по", "к", "в течение",
    "С течение", "теченние", "всего периода", "ежегодно", "ежеквартально", "ежемесячно",
    "еженедельно", "1 раз в год", "2 раза в год", "раз в четверть", "числа", "I", "IV", "II-III",
    "квартал", "кв.", "полугодие", "четверть", "первое", "постоянно", "По запросу", "по плану",
    "в соответствии с графиком", "дня", "c", "2024-03-05", "03.2024", "March", "5 May 2024", "12.11.",
    "в течение месяца", "в теч.", "учеб. год", "каждого месяца", "сент.", "янв.", "г.г.", "уч. года",
]
texts = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=8).map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join),
)


@st.composite
def periods(draw: st.DrawFn) -> Period | None:
    if draw(st.booleans()):
        return None
    year = draw(st.integers(1990, 2100))
    start = draw(st.sampled_from([dt.date(year, 1, 1), dt.date(year, 9, 1)])
                 | st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 3 * 366)))
    return Period(start=start, end=end, text="")


contexts = st.none() | st.builds(ScheduleContext, st.none() | st.integers(0, 13),
                                 st.none() | st.integers(1990, 2100))
PROPERTY = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _key(o: Any) -> tuple[dt.date, dt.date]:
    first = o.start or o.end
    return first, o.end or first


@PROPERTY
@given(texts, periods(), contexts)
def test_arbitrary_text_never_raises(text: str, period: Period | None, context: ScheduleContext | None) -> None:
    result = normalize_schedule(text, period, context)
    assert result.text == " ".join(text.split())
    # the safety net in normalize_schedule must not be what keeps it from raising
    plan = schedule_module._plan_of(period)
    schedule_module._build(result.text, plan, context or ScheduleContext())


@PROPERTY
@given(texts, periods(), contexts)
def test_start_not_after_end(text: str, period: Period | None, context: ScheduleContext | None) -> None:
    result = normalize_schedule(text, period, context)
    if result.start is not None and result.end is not None:
        assert result.start <= result.end
    for o in result.occurrences:
        assert o.start is not None or o.end is not None
        if o.start is not None and o.end is not None:
            assert o.start <= o.end


@PROPERTY
@given(texts, periods(), contexts)
def test_occurrences_within_bounds_and_ordered(text: str, period: Period | None,
                                               context: ScheduleContext | None) -> None:
    result = normalize_schedule(text, period, context)
    keys = [_key(o) for o in result.occurrences]
    assert keys == sorted(keys)
    if result.kind in ("on_demand", "per_schedule", "unknown"):
        assert result.occurrences == [] and result.start is None and result.end is None
    for o in result.occurrences:
        if result.start is not None:
            assert o.start is not None and result.start <= o.start
        if result.end is not None:
            assert o.end is not None and o.end <= result.end
    if result.recurrence is not None:
        assert result.kind == "recurring"


# ---------------------------------------------------------------- every format reads back to itself

VOCABULARY: dict[str, Any] = yaml.safe_load(
    (Path(schedule_module.__file__).parent.parent / "data" / "schedule.yaml").read_text(encoding="utf-8"))
MONTH_FORMS: dict[int, list[str]] = {int(k): [str(f) for f in v] for k, v in VOCABULARY["months"].items()}
ENGLISH = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
ROMAN = ["I", "II", "III", "IV"]
DASHES = ["-", " - ", "–", " – ", "—", " — ", " -", "- "]
YEARS = st.integers(1900, 2198)  # the grammar's years are 19xx-21xx; 2198 leaves room for a year after
DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2198, 12, 31))


def _month_form(draw: st.DrawFn, month: int, dotted: bool = True) -> str:
    form = draw(st.sampled_from(MONTH_FORMS[month]))
    form = draw(st.sampled_from([form, form.capitalize(), form.upper()]))
    return form + "." if dotted and len(form) <= 4 and draw(st.booleans()) else form


def _last(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@st.composite
def written_day(draw: st.DrawFn, day: dt.date, in_range: bool = False) -> str:
    """One day in one of the formats the normalizer reads, the year written out (in a range,
    only the grammar's formats: the ISO and English ones are read by dateparser, one date alone)."""
    d, m, y = day.day, day.month, day.year
    formats = [f"{d:02d}.{m:02d}.{y}", f"{d}.{m}.{y}", f"{d:02d}/{m:02d}/{y}", f"{d:02d}.{m:02d}.{y} г.",
               f"{d} {_month_form(draw, m)} {y}", f"{d} {_month_form(draw, m)} {y} г.",
               f"{d} {_month_form(draw, m)} {y} года", f"«{d}» {_month_form(draw, m)} {y} г."]
    if not in_range:
        formats += [f"{y}-{m:02d}-{d:02d}", f"{d} {ENGLISH[m - 1]} {y}"]
    if 2000 <= y <= 2099:
        formats.append(f"{d:02d}.{m:02d}.{y % 100:02d}")
    return draw(st.sampled_from(formats))


@st.composite
def written_spans(draw: st.DrawFn, academic: bool) -> tuple[str, str, dt.date, dt.date]:
    """(text, kind, start, end): a date, date range, month, month range, quarter, half-year,
    academic year or year, written in one of the supported formats with its year(s). In an
    academic plan a half-year is a school half-year (I Sep-Dec, II Jan-May) of the year named."""
    shape = draw(st.sampled_from(["day", "days", "month", "months", "quarter", "half", "academic", "year"]))
    if shape == "day":
        day = draw(DAYS)
        return draw(written_day(day)), "date", day, day
    if shape == "days":
        first, last = sorted([draw(DAYS), draw(DAYS)])
        a, b = draw(written_day(first, in_range=True)), draw(written_day(last, in_range=True))
        text = draw(st.sampled_from([f"{a}{draw(st.sampled_from(DASHES))}{b}", f"с {a} по {b}"]))
        if first.year == last.year and first.month == last.month and first.day < last.day:
            written = _month_form(draw, first.month)
            text = draw(st.sampled_from([text, f"{first.day}-{last.day} {written} {first.year}"]))
        return text, "date" if first == last else "period", first, last
    year = draw(YEARS)
    if shape == "month":
        month = draw(st.integers(1, 12))
        text = draw(st.sampled_from([f"{_month_form(draw, month)} {year}", f"{_month_form(draw, month)} {year} г.",
                                     f"в {_month_form(draw, month, dotted=False)} {year} года",
                                     f"{month:02d}.{year}", f"{ENGLISH[month - 1]} {year}"]))
        return text, "period", dt.date(year, month, 1), _last(year, month)
    if shape == "months":
        lo, hi = sorted([(year, draw(st.integers(1, 12))), (draw(YEARS), draw(st.integers(1, 12)))])
        dash = draw(st.sampled_from(DASHES))
        a, b = _month_form(draw, lo[1]), _month_form(draw, hi[1])
        texts = [f"{a} {lo[0]}{dash}{b} {hi[0]}", f"с {a} {lo[0]} г. по {b} {hi[0]} г."]
        if lo[0] == hi[0] and lo[1] < hi[1]:
            texts.append(f"{a}{dash}{b} {hi[0]} г.")
        return draw(st.sampled_from(texts)), "period", dt.date(*lo, 1), _last(*hi)
    if shape == "quarter":
        q = draw(st.integers(1, 4))
        text = draw(st.sampled_from([f"{ROMAN[q - 1]} квартал {year} г.", f"{q} кв. {year}",
                                     f"{q}-й квартал {year} года", f"в {ROMAN[q - 1]} квартале {year} года"]))
        return text, "period", dt.date(year, 3 * q - 2, 1), _last(year, 3 * q)
    if shape == "half":
        h = draw(st.integers(1, 2))
        text = draw(st.sampled_from([f"{ROMAN[h - 1]} полугодие {year} г.", f"{h} полугодие {year} года"]))
        m1, m2 = ((9, 12), (1, 5))[h - 1] if academic else (6 * h - 5, 6 * h)
        return text, "period", dt.date(year, m1, 1), _last(year, m2)
    if shape == "academic":
        short = f"{(year + 1) % 100:02d}"
        texts = [f"{year}-{year + 1} учебный год", f"{year}/{year + 1} уч. год", f"{year} – {year + 1} уч.г."]
        if year % 100 != 99:
            texts.append(f"{year}-{short} учебный год")
        return draw(st.sampled_from(texts)), "period", dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    text = draw(st.sampled_from([f"{year} год", f"{year} г.", f"в {year} году"]))
    return text, "period", dt.date(year, 1, 1), dt.date(year, 12, 31)


@settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), periods())
def test_every_format_reads_back(data: st.DataObject, period: Period | None) -> None:
    academic = period is not None and period.start is not None and (period.start.month, period.start.day) == (9, 1)
    text, kind, start, end = data.draw(written_spans(academic))
    result = normalize_schedule(text, period)
    assert (result.kind, result.start, result.end, result.note) == (kind, start, end, None), text
    assert [(o.start, o.end) for o in result.occurrences] == [(start, end)], text


@settings(max_examples=300, deadline=None, database=None)
@given(DAYS, st.sampled_from(["{d:02d}.{m:02d}", "{d} {month}", "«{d}» {month}", "до {d:02d}.{m:02d}"]))
def test_yearless_day_reads_back_in_a_one_year_plan(day: dt.date, pattern: str) -> None:
    """A day without a year falls in the year of a one-year plan (a deadline starts at the plan start)."""
    period = Period(start=dt.date(day.year, 1, 1), end=dt.date(day.year, 12, 31), text="")
    text = pattern.format(d=day.day, m=day.month, month=MONTH_FORMS[day.month][1])
    result = normalize_schedule(text, period)
    if text.startswith("до"):
        assert (result.kind, result.start, result.end) == ("deadline", period.start, day)
    else:
        assert (result.kind, result.start, result.end) == ("date", day, day)


def test_bare_number_under_a_duration_header() -> None:
    """Contract 1.1: "5" in a column «Срок, рабочих дней» is a length of 5 working days."""
    result = normalize_schedule("5", None, ScheduleContext(column_header="Срок, рабочих дней"))
    assert result.kind == "unknown"
    assert result.duration is not None and result.duration.model_dump() == {
        "value": 5, "max": None, "unit": "day", "working": True}
    assert normalize_schedule("5", None).duration is None  # without the header it is no length


def test_confidence_is_low_where_the_rules_guessed() -> None:
    period = _period([dt.date(2023, 9, 1), dt.date(2024, 8, 31)])
    assert normalize_schedule("10.09.2023", period).confidence == "high"
    assert normalize_schedule("В течение города", period).kind == "ongoing"
    assert normalize_schedule("Сентбярь", period).confidence == "low"  # a misspelling read
    assert normalize_schedule("до10.09", period).confidence == "low"  # glued text split
    inferred = Period(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), text="", inferred=True)
    assert normalize_schedule("Март", inferred).confidence == "low"  # a year from an inferred period


@pytest.mark.parametrize("text", ["в установл. порядке", "В установленном порядке"])
def test_established_order_is_per_schedule(text: str) -> None:
    """"In the established order" (written short in a held-out ОСВОД plan): the time is set elsewhere."""
    period = _period([dt.date(2025, 9, 1), dt.date(2026, 8, 31)])
    result = normalize_schedule(text, period)
    assert (result.kind, result.start, result.end) == ("per_schedule", None, None)


def test_glued_text_rewrites_only_where_one_applies() -> None:
    """The one search before the rewrites: text it rejects comes back unchanged, text it lets
    through is rewritten as before ("20-24.11" gives the start day the end's month)."""
    assert schedule_module._unglue("В течение года") == ("В течение года", False)
    assert schedule_module._unglue("01.09.2023") == ("01.09.2023", False)
    assert schedule_module._unglue("20-24.11") == ("20.11-24.11", False)
    assert schedule_module._unglue("до10.09") == ("до 10.09", True)
