"""Any text at all through the party splitter and the metadata readers: no exception, and the
results keep their shape (issue 15: hypothesis covered only the schedule grammar). Fragments
are drawn from what real cells and headings hold, mixed with arbitrary characters."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.metadata import find_abbreviations, find_municipality, find_period, split_heading, stated_period
from extractor.normalize.parties import parse_parties, unify_names
from models import Approval
from parsers.layout import Paragraph, TextStyle

PARTY_FRAGMENTS = [
    "Зам. директора по ВР", "Иванова И.И.", "И.И. Иванова", "ЗУВР", "кл. руководители", "Кл.рук-ли IV, VII, X",
    "МБОУ «СОШ № 1»", "Управление образования", "администрации", "г. Саров", "(далее – УО)", "УО", ",", ";",
    "/", "-", "–", "\n", "Участники:", "Консультант:", "учителя-предметники", "Совет ветеранов", "«", "»", "(",
    ")", "№", "и", "все", "Методист", "ЦРО", "МАУ", "Педагог-психолог", "ОО", "ШМО", ".", "Ф.И.О.",
]
META_FRAGMENTS = [
    "План", "мероприятий", "ДОРОЖНАЯ КАРТА", "на", "2020", "2020-2021", "2019 / 2020", "учебный год",
    "тренировочный", "финансовый", "годов", "г.", "УТВЕРЖДАЮ", "Приказ", "от", "12.01.2021", "№", "15-од",
    "муниципального образования", "городского округа", "Зиминского", "района", "(далее – ШНОР)", "\n",
    "Администрация", "город", "Саров", "«", "»", ":", ";", "-", "на период 2024–2026 годов",
]


def _mix(fragments: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=3)), max_size=10).map(" ".join),
        st.lists(st.sampled_from(fragments), max_size=10).map("".join),
    )


party_texts = _mix(PARTY_FRAGMENTS)
meta_texts = _mix(META_FRAGMENTS)
PROPERTY = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(party_texts, max_size=5), st.none() | party_texts)
def test_party_splitter_takes_any_cell(lines: list[str], role: str | None) -> None:
    parsed = parse_parties(lines, role)
    for party in parsed.parties:
        assert party.text.strip() and party.kind in ("organization", "person", "role")
        assert party.confidence in ("high", "low")
    assert all(isinstance(r, str) for r in parsed.rejected)
    unified = unify_names(parsed.parties, {})
    assert len(unified) == len(parsed.parties)


@PROPERTY
@given(st.lists(meta_texts, max_size=6), st.integers(0, 3))
def test_metadata_readers_take_any_text(texts: list[str], lead: int) -> None:
    find_municipality(texts)
    find_abbreviations(texts)
    for text in texts:
        period = find_period(text)
        if period is not None and period.start and period.end:
            assert period.start <= period.end
    period = stated_period(texts[0] if texts else None, texts[1:], lead)
    if period is not None and period.start and period.end:
        assert period.start <= period.end


@PROPERTY
@given(st.lists(st.tuples(meta_texts, st.booleans(), st.sampled_from([None, "center", "left", "right"])),
                max_size=8))
def test_heading_split_takes_any_paragraphs(rows: list[tuple[str, bool, str | None]]) -> None:
    paragraphs = [Paragraph(text, style=TextStyle(bold=bold), align=align) for text, bold, align in rows]  # type: ignore[arg-type]
    heading = split_heading(paragraphs)
    assert isinstance(heading.title, str) and all(isinstance(p, str) for p in heading.preamble)
    if heading.approval is not None:
        assert isinstance(heading.approval, Approval)
        assert heading.approval.date is None or dt.date(1900, 1, 1) <= heading.approval.date
