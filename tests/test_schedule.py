"""Tests of the schedule normalizer (extractor/normalize/schedule.py).

The phrases and their expected schedules live in tests/data/schedule_phrases.yaml; the
property tests below check the invariants on arbitrary text and plan periods.
"""

from __future__ import annotations

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
FIELDS = {"text", "period", "context", "kind", "start", "end", "recurrence", "occurrences", "note", "why"}


def _period(value: list[dt.date] | None) -> Period | None:
    if value is None:
        return None
    return Period(start=value[0], end=value[1], text="")


def _context(value: dict[str, int] | None) -> ScheduleContext | None:
    return None if value is None else ScheduleContext(**value)


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['text'][:40]!r}@{case['period'][0].year if case['period'] else 'none'}"


def test_phrase_file_is_complete() -> None:
    assert len(CASES) >= 150
    for case in CASES:
        assert set(case) <= FIELDS, case
        assert FIELDS - {"context", "why"} <= set(case), case


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
    "в соответствии с графиком", "дня", "c",
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


@settings(max_examples=300, deadline=None, database=None)
@given(st.dates(), periods())
def test_numeric_date_reads_back(day: dt.date, period: Period | None) -> None:
    text = f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
    result = normalize_schedule(text, period)
    assert (result.kind, result.start, result.end) == ("date", day, day)
    assert [(o.start, o.end) for o in result.occurrences] == [(day, day)]
