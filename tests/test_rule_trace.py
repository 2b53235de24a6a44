"""The normalizers' rule trace: which pass or rule consumed which span of a cell (expectations
written by hand from the rules' declarations, not from a run)."""

from __future__ import annotations

import datetime as dt

import pytest

from extractor.normalize import parties as parties_module
from extractor.normalize import schedule as schedule_module
from extractor.normalize.parties import PIECE_STEPS, parse_parties
from extractor.normalize.party_rules.classify import KIND_RULES
from extractor.normalize.rule_trace import RuleTrace
from extractor.normalize.schedule import ScheduleContext, normalize_schedule
from extractor.normalize.schedule_rules.passes import ITEM_PASSES, SCAN_STAGES
from models import Period

YEAR_2023 = Period(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), text="на 2023 год")
ACADEMIC = Period(start=dt.date(2021, 9, 1), end=dt.date(2022, 8, 31), text="на 2021-2022 учебный год")


def schedule_rules(text: str, period: Period | None = YEAR_2023,
                   context: ScheduleContext | None = None) -> tuple[RuleTrace, list[tuple[str, str]]]:
    trace = RuleTrace()
    traced = normalize_schedule(text, period, context, trace=trace)
    assert traced == normalize_schedule(text, period, context)  # the trace changes nothing
    return trace, trace.rules()


def party_rules(*paragraphs: str) -> tuple[RuleTrace, list[tuple[str, str]]]:
    trace = RuleTrace()
    traced = parse_parties(list(paragraphs), None, trace=trace)
    assert traced == parse_parties(list(paragraphs))  # the trace changes nothing
    return trace, trace.rules()


# --- schedule cells -----------------------------------------------------------------------------

def test_a_deadline_is_consumed_whole_by_the_deadline_pass() -> None:
    trace, rules = schedule_rules("до 01.12.2023")
    assert rules == [("deadline", "до 01.12.2023")]
    (step,) = trace.steps
    assert (step.start, step.end) == (0, 13)
    assert "2023-12-01" in step.value
    assert any("deadline" in note and "2023-12-01" in note for note in trace.notes)


def test_a_month_range_and_its_frequency_are_two_passes() -> None:
    _, rules = schedule_rules("Сентябрь – октябрь ежегодно", ACADEMIC)
    assert rules == [("month_range", "Сентябрь – октябрь"), ("frequency", "ежегодно")]


def test_what_follows_a_date_is_the_note() -> None:
    _, rules = schedule_rules("28.02.2023. в соответствии с графиком посещений")
    assert rules == [("date", "28.02.2023"), ("note", "в соответствии с графиком посещений")]


def test_a_repaired_word_keeps_its_written_span() -> None:
    trace, rules = schedule_rules("Сентабрь 2021", ACADEMIC)
    assert rules == [("repair", "Сентабрь"), ("month", "Сентабрь 2021")]
    assert "сентябрь" in trace.steps[0].value


def test_glued_text_is_traced_as_it_was_read() -> None:
    trace, rules = schedule_rules("до10.09")
    assert trace.text == "до 10.09"
    assert rules == [("deadline", "до 10.09")]
    assert any("до10.09" in note for note in trace.notes)


def test_lengths_weeks_and_modifiers_have_passes_of_their_own() -> None:
    assert schedule_rules("ежемесячно до 10 числа", ACADEMIC)[1] == [
        ("frequency", "ежемесячно"), ("day_limit", "до 10 числа")]
    assert schedule_rules("2 неделя сентября", ACADEMIC)[1] == [("week", "2 неделя сентября")]
    assert schedule_rules("В течение года, ежеквартально", ACADEMIC)[1] == [
        ("frequency", "ежеквартально"), ("ongoing", "В течение года")]
    assert schedule_rules("3–4 дня", None)[1] == [("duration", "3–4 дня")]


def test_yearless_months_take_the_year_of_the_next() -> None:
    trace, rules = schedule_rules("Ноябрь, декабрь 2022", ACADEMIC)
    assert rules == [("month", "Ноябрь"), ("month", "декабрь 2022"), ("year_list", "Ноябрь")]
    assert "2022-11" in trace.steps[-1].value


def test_cells_without_dates() -> None:
    assert schedule_rules("по запросу", None)[1] == [("event_phrase", "по запросу")]
    assert schedule_rules("в каникулярное время")[1] == [("unread", "в каникулярное время")]
    assert schedule_rules("")[1] == []
    header = ScheduleContext(column_header="Срок, рабочих дней")
    assert schedule_rules("5", None, header)[1] == [("header_duration", "5")]


def test_day_only_cells_under_a_month_row() -> None:
    assert schedule_rules("5-9, 14", YEAR_2023, ScheduleContext(month=3))[1] == [
        ("month_row_days", "5-9"), ("month_row_days", "14")]


def test_the_passes_are_declared_once_each_in_order() -> None:
    names = [p.name for p in ITEM_PASSES]
    assert len(names) == len(set(names))
    assert names.index("date_range") < names.index("date") < names.index("month") < names.index("year")
    assert [s.name for s in SCAN_STAGES][:2] == ["weeks", "items"]  # weeks before "1 сентября" is read as a date


def test_without_a_trace_nothing_is_described(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> str:
        raise AssertionError("a summary made for no trace")

    monkeypatch.setattr("extractor.normalize.schedule_rules.passes.describe", never)
    monkeypatch.setattr("extractor.normalize.party_rules.classify.piece_span", never)
    assert normalize_schedule("с 01.09.2023 по 31.12.2023, ежемесячно", YEAR_2023).kind == "recurring"
    assert [p.kind for p in parse_parties(["МБОУ СОШ № 1", "Отчет"]).parties] == ["organization"]


def test_a_failing_rule_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline turns it into an internal_error warning on its row (tests/test_options.py);
    the normalizer itself no longer hides it as kind unknown."""
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(schedule_module, "scan_all", broken)
    with pytest.raises(RuntimeError, match="a bug in a rule"):
        normalize_schedule("Сентябрь 2021", ACADEMIC)


# --- responsible cells --------------------------------------------------------------------------

def test_a_post_and_a_name_are_taken_by_the_position_and_person_rules() -> None:
    trace, rules = party_rules("Зам. директора по ВР Иванова И.И.")
    assert rules == [("position", "Зам. директора по ВР"), ("person", "Иванова И.И.")]
    assert [(s.start, s.end) for s in trace.steps] == [(0, 20), (21, 33)]
    assert "Иванова И.И." in trace.steps[0].value


def test_a_post_on_the_line_above_a_name() -> None:
    trace, rules = party_rules("Методист", "Иванова И.И.")
    assert trace.text == "Методист\nИванова И.И."
    assert rules == [("position", "Методист"), ("person", "Иванова И.И.")]


def test_bodies_and_roles_are_taken_by_their_kind_rules() -> None:
    assert party_rules("руководители ОО, МКУ «ЦНППМ г. Тулы»")[1] == [
        ("post_or_group", "руководители ОО"), ("named_body", "МКУ «ЦНППМ г. Тулы»")]
    assert party_rules("Совет ветеранов, Библиотека")[1] == [
        ("own_body", "Совет ветеранов"), ("unnamed_body", "Библиотека")]
    assert party_rules("Отчет")[1] == [("not_a_party", "Отчет")]


def test_a_run_without_separators_is_cut() -> None:
    assert party_rules("МБОУ ДПО МЦ ОбОО")[1] == [
        ("run_cut", "МБОУ ДПО МЦ"), ("run_cut", "ОбОО"), ("named_body", "МБОУ ДПО МЦ"), ("post_or_group", "ОбОО")]


def test_numbered_schools_each_take_their_number() -> None:
    trace, rules = party_rules("МБОУ СОШ №№ 1, 5")
    assert rules == [("numbered", "МБОУ СОШ №№ 1, 5"), ("named_body", "МБОУ СОШ №№ 1"), ("named_body", "5")]
    assert trace.steps[2].value == "organization: МБОУ СОШ № 5"


def test_a_label_stays_apart_from_what_it_labels() -> None:
    assert party_rules("Участники: граждане, родители")[1] == [
        ("label", "Участники:"), ("post_or_group", "граждане"), ("post_or_group", "родители")]


def test_a_person_and_the_post_after_the_name() -> None:
    trace, rules = party_rules("Лопухова О.В., методист МАУ «ЦРО»")
    assert rules == [("person", "Лопухова О.В."), ("position", "методист МАУ «ЦРО»")]
    assert "body: МАУ «ЦРО»" in trace.steps[0].value


def test_a_traced_cell_is_read_afresh_and_the_cache_is_unchanged() -> None:
    cell = ["ОО, МБОУ ДПО МЦ"]
    parse_parties(cell)  # now remembered
    one, two = RuleTrace(), RuleTrace()
    parse_parties(cell, trace=one)
    parse_parties(cell, trace=two)
    assert one.rules() == two.rules() == [("post_or_group", "ОО"), ("named_body", "МБОУ ДПО МЦ")]


def test_the_general_rules_are_declared_in_order() -> None:
    assert [s.name for s in PIECE_STEPS] == ["split", "runs", "post_lines", "numbered", "dependents"]
    assert KIND_RULES[0].name == "org_pattern" and KIND_RULES[-1].name == "named_body"
    assert parties_module.__all__ == ["PartyParse", "parse_parties", "unify_names"]
