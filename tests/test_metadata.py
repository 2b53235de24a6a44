"""Plan metadata: title, municipality, period, approval, preamble and abbreviations.

The five samples are checked through the whole extraction; the expected values were read off
the seed dumps (samples/seeds/) and agree with golden/*.json. The variants exercise the
functions of extractor/metadata.py directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from extractor.metadata import (
    defined_phrase,
    find_abbreviations,
    find_municipality,
    find_period,
    parse_approval,
    parse_date,
    split_heading,
)
from parsers.layout import ListInfo, Paragraph, TextStyle
from tests.conftest import extracted, golden

# --------------------------------------------------------------------------- the five seeds

SEEDS: dict[str, dict[str, Any]] = {
    "sarov_2021-2022": {
        "title": "План мероприятий (\"дорожная карта\" 1.2.) по развитию в Сарове муниципальной системы работы "
        "со школами с низкими результатами обучения, в том числе функционирующими в неблагоприятных "
        "социальных условиях, на 2021-2022 годы",
        "municipality": "Саров",
        "period": {"start": "2021-01-01", "end": "2022-12-31", "text": "на 2021-2022 годы", "inferred": False},
        "approval": None,
        "preamble": (0, None),
        "abbreviations": {},
    },
    "tula_2020-2021": {
        "title": "«Дорожная карта» мероприятий, реализуемых на уровне муниципалитета, направленных на повышение "
        "качества реализации образовательных программ в ШНОР и ШНУС с учетом профессиональных дефицитов "
        "педагогических команд, выявленных в ходе анализа результатов ВПР на 2020-2021 учебный год",
        "municipality": "Тула",  # from the appendix stamp: the title names no town
        "period": {"start": "2020-09-01", "end": "2021-08-31", "text": "на 2020-2021 учебный год", "inferred": False},
        "approval": {
            "text": "Приложение № 2 к письму администрации города Тулы от _____ № _____",
            "authority": "администрация города Тулы",
            "number": None,
            "date": None,
        },
        "preamble": (0, None),
        "abbreviations": {},
    },
    "vilyuisk_2019-2021": {
        "title": "План мероприятий («дорожная карта») по поддержке общеобразовательных организаций МР «Вилюйский "
        "улус (район)», показывающих низкие результаты обучения и школ, функционирующих в неблагоприятных "
        "социальных условиях на 2019-2021 гг.",
        "municipality": "Вилюйский улус",
        "period": {"start": "2019-01-01", "end": "2021-12-31", "text": "на 2019-2021 гг.", "inferred": False},
        "approval": None,
        # goals, tasks, results, indicators, mechanisms, then the caption above the table
        "preamble": (11, "1. Цель и задачи"),
        "abbreviations": {},
    },
    "khmao_2023": {
        "title": "ДОРОЖНАЯ КАРТА ПОДДЕРЖКИ ОБРАЗОВАТЕЛЬНОЙ ОРГАНИЗАЦИИ С НИЗКИМИ ОБРАЗОВАТЕЛЬНЫМИ РЕЗУЛЬТАТАМИ "
        "ОБУЧАЮЩИХСЯ",
        "municipality": None,
        # the heading names no period: inferred from the dated cells ("до 01.12.2023", "до 17.03.2023")
        "period": {"start": "2023-01-01", "end": "2023-12-31", "text": "2023 год", "inferred": True},
        "approval": None,
        "preamble": (0, None),
        "abbreviations": {"ОО": "образовательные организации"},
    },
    "zima_2024": {
        "title": "Муниципальный план мероприятий («дорожная карта») по работе с общеобразовательными организациями "
        "Зиминского городского муниципального образования, имеющими низкие образовательные результаты "
        "обучающихся, и/или функционирующими в неблагоприятных социальных условиях, на 2024 год",
        "municipality": "Зиминское городское муниципальное образование",
        "period": {"start": "2024-01-01", "end": "2024-12-31", "text": "на 2024 год", "inferred": False},
        "approval": {
            "text": "УТВЕРЖДЕН приказом Комитета по образованию администрации ЗГМО от 17.04.2024 № 191",
            "authority": "Комитет по образованию администрации ЗГМО",
            "number": "191",
            "date": "2024-04-17",
        },
        "preamble": (0, None),
        "abbreviations": {
            "ШНОР": "общеобразовательные организации, имеющие низкие образовательные результаты обучающихся",
            "ШНСУ": "общеобразовательные организации, функционирующие в неблагоприятных социальных условиях",
            "Комитет по образованию": "Комитет по образованию администрации ЗГМО",
        },
    },
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata(name: str) -> None:
    plan = extracted(name)["plan"]
    expected = SEEDS[name]
    for key in ("title", "municipality", "period", "approval", "abbreviations"):
        assert plan[key] == expected[key], key
    count, first = expected["preamble"]
    assert len(plan["preamble"]) == count
    if first is not None:
        assert plan["preamble"][0] == first


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata_matches_golden(name: str) -> None:
    assert extracted(name)["plan"] == golden(name)["plan"]


def test_vilyuisk_preamble_blocks_are_whole() -> None:
    preamble = extracted("vilyuisk_2019-2021")["plan"]["preamble"]
    tasks = next(b for b in preamble if b.startswith("Задачи:"))
    assert tasks.count("\n- ") == 4  # the four tasks stay in their block
    assert [b.split("\n")[0] for b in preamble if b[:2] in ("2.", "4.")] == [
        "2. Планируемые результаты",
        "4. Механизмы реализации",
    ]
    assert preamble[-1].startswith("ПЛАН основных мероприятий")  # a second heading stays in the preamble


# --------------------------------------------------------------------------- headings


def _p(text: str, *, bold: bool = False, align: str | None = None, bullet: bool = False) -> Paragraph:
    return Paragraph(
        text=text,
        style=TextStyle(bold=bold),
        align=align,  # type: ignore[arg-type]
        list=ListInfo() if bullet else None,
    )


def test_heading_with_signed_stamp_blanks() -> None:
    heading = split_heading([
        _p("«УТВЕРЖДАЮ»", align="right"),
        _p("Директор МБОУ «СОШ № 5»", align="right"),
        _p("____ И.И. Иванова", align="right"),
        _p("«___» ________ 2024 г.", align="right"),
        _p(""),
        _p("План мероприятий («дорожная карта»)", bold=True, align="center"),
        _p("по повышению качества образования на 2024/2025 учебный год", bold=True, align="center"),
        _p("Цель: повышение качества образования"),
        _p("Задачи:"),
        _p("обеспечить методическую поддержку;", bullet=True),
        _p("организовать наставничество.", bullet=True),
    ])
    assert heading.approval is not None
    assert heading.approval.text == "«УТВЕРЖДАЮ» Директор МБОУ «СОШ № 5» ____ И.И. Иванова «___» ________ 2024 г."
    assert heading.approval.authority == "Директор МБОУ «СОШ № 5» И.И. Иванова"
    assert (heading.approval.number, heading.approval.date) == (None, None)
    assert heading.title == (
        "План мероприятий («дорожная карта») по повышению качества образования на 2024/2025 учебный год"
    )
    assert heading.preamble == [
        "Цель: повышение качества образования",
        "Задачи:\n- обеспечить методическую поддержку;\n- организовать наставничество.",
    ]
    period = find_period(heading.title)
    assert period is not None
    assert (period.start, period.end) == (dt.date(2024, 9, 1), dt.date(2025, 8, 31))
    assert period.text == "на 2024/2025 учебный год"


def test_heading_with_approval_in_one_paragraph() -> None:
    heading = split_heading([
        _p("УТВЕРЖДЕНО\nпостановлением администрации\nгорода Тулы\nот 01.02.2023 № 45", align="right"),
        _p("ДОРОЖНАЯ КАРТА", bold=True, align="center"),
        _p("на 2023-2024 годы", bold=True, align="center"),
    ])
    assert heading.approval is not None
    assert heading.approval.authority == "администрация города Тулы"
    assert (heading.approval.number, heading.approval.date) == ("45", dt.date(2023, 2, 1))
    assert heading.title == "ДОРОЖНАЯ КАРТА на 2023-2024 годы"
    assert heading.preamble == []
    assert find_municipality([heading.title, heading.approval.text]) == "Тула"


def test_heading_without_approval_plain_title() -> None:
    heading = split_heading([_p(""), _p("План работы с ШНОР на 2024 год"), _p("Пояснительная записка")])
    assert heading.approval is None
    assert heading.title == "План работы с ШНОР на 2024 год"
    assert heading.preamble == ["Пояснительная записка"]


def test_heading_title_stops_at_a_change_of_look() -> None:
    heading = split_heading([
        _p("План мероприятий", bold=True, align="center"),
        _p("МО «Кировский район» на 2023 год", bold=True, align="center"),
        _p("1. Цель: снижение доли школ с низкими результатами", align="both"),
    ])
    assert heading.title == "План мероприятий МО «Кировский район» на 2023 год"
    assert heading.preamble == ["1. Цель: снижение доли школ с низкими результатами"]
    assert find_municipality([heading.title]) == "Кировский район"


# --------------------------------------------------------------------------- approvals

APPROVALS: list[tuple[str, str | None, str | None, dt.date | None]] = [
    ("УТВЕРЖДЕН приказом Комитета по образованию администрации ЗГМО от 17.04.2024 № 191",
     "Комитет по образованию администрации ЗГМО", "191", dt.date(2024, 4, 17)),
    ("УТВЕРЖДЕНО постановлением администрации города Тулы от 01.02.2023 № 45",
     "администрация города Тулы", "45", dt.date(2023, 2, 1)),
    ("Приложение № 2 к письму администрации города Тулы от _____ № _____",
     "администрация города Тулы", None, None),
    ("«УТВЕРЖДАЮ» Директор МБОУ «СОШ № 5» ____ И.И. Иванова «___» ________ 2024 г.",
     "Директор МБОУ «СОШ № 5» И.И. Иванова", None, None),
    ("«УТВЕРЖДАЮ» Директор МБОУ «СОШ № 5» ____ И.И. Иванова «01» сентября 2024 г.",
     "Директор МБОУ «СОШ № 5» И.И. Иванова", None, dt.date(2024, 9, 1)),
    ("УТВЕРЖДАЮ: Директор школы _______ /Иванова И.И./ 30.08.2023",
     "Директор школы Иванова И.И.", None, dt.date(2023, 8, 30)),
    ("СОГЛАСОВАНО Председатель Комитета по образованию ____ Н.Н. Петрова",
     "Председатель Комитета по образованию Н.Н. Петрова", None, None),
    ("УТВЕРЖДЕНА распоряжением главы администрации Кировского района от 5 марта 2023 г. № 12-р",
     "глава администрации Кировского района", "12-р", dt.date(2023, 3, 5)),
    ("Приложение 1 к приказу Управления образования администрации г. Тулы от 10.01.2023 г. № 12-о",
     "Управление образования администрации г. Тулы", "12-о", dt.date(2023, 1, 10)),
    ("Приложение к приказу управления образования от «___» _______ 20__ г. № ____",
     "управление образования", None, None),
    ("«УТВЕРЖДЕНО» приказом директора МБОУ СОШ № 1 от 30.08.2023 № 120",
     "директор МБОУ СОШ № 1", "120", dt.date(2023, 8, 30)),
    ("Приложение № 3", None, None, None),
]


@pytest.mark.parametrize(("text", "authority", "number", "date"), APPROVALS, ids=[a[0][:40] for a in APPROVALS])
def test_approval(text: str, authority: str | None, number: str | None, date: dt.date | None) -> None:
    approval = parse_approval(text)
    assert approval.text == text
    assert (approval.authority, approval.number, approval.date) == (authority, number, date)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("от 17.04.2024", dt.date(2024, 4, 17)),
        ("от 17.04.24", dt.date(2024, 4, 17)),
        ("от 5 марта 2023 г.", dt.date(2023, 3, 5)),
        ("«01» сентября 2024 г.", dt.date(2024, 9, 1)),
        ("от 31.02.2024", None),
        ("«___» ________ 2024 г.", None),
    ],
)
def test_parse_date(text: str, date: dt.date | None) -> None:
    assert parse_date(text) == date


# --------------------------------------------------------------------------- titles: period

PERIODS: list[tuple[str, tuple[str, str, str] | None]] = [
    ("План мероприятий на 2023-2024 годы", ("2023-01-01", "2024-12-31", "на 2023-2024 годы")),
    ("Дорожная карта на 2024/2025 учебный год", ("2024-09-01", "2025-08-31", "на 2024/2025 учебный год")),
    ("План на 2021-2022 годы", ("2021-01-01", "2022-12-31", "на 2021-2022 годы")),
    ("План на 2024 год", ("2024-01-01", "2024-12-31", "на 2024 год")),
    ("План на 2020-2021 учебный год", ("2020-09-01", "2021-08-31", "на 2020-2021 учебный год")),
    ("План на 2019-2021 гг.", ("2019-01-01", "2021-12-31", "на 2019-2021 гг.")),
    ("План на 2021 – 2022 г.г.", ("2021-01-01", "2022-12-31", "на 2021 – 2022 г.г.")),
    ("План на 2023-24 учебный год", ("2023-09-01", "2024-08-31", "на 2023-24 учебный год")),
    ("План работы Кировского района на 2022-2023 уч. год", ("2022-09-01", "2023-08-31", "на 2022-2023 уч. год")),
    ("План на период 2021-2023 годов", ("2021-01-01", "2023-12-31", "на период 2021-2023 годов")),
    ("ДОРОЖНАЯ КАРТА НА 2023 ГОД", ("2023-01-01", "2023-12-31", "НА 2023 ГОД")),
    ("План мероприятий («дорожная карта» 1.2.) по развитию системы", None),
]


@pytest.mark.parametrize(("title", "expected"), PERIODS, ids=[p[0][-30:] for p in PERIODS])
def test_period(title: str, expected: tuple[str, str, str] | None) -> None:
    period = find_period(title)
    if expected is None:
        assert period is None
        return
    assert period is not None
    assert (period.start.isoformat() if period.start else None, period.end.isoformat() if period.end else None,
            period.text) == expected


# --------------------------------------------------------------------------- titles: municipality

MUNICIPALITIES: list[tuple[list[str], str | None]] = [
    (["по развитию в Сарове муниципальной системы работы"], "Саров"),
    (["Приложение № 2 к письму администрации города Тулы"], "Тула"),
    (["План г.Тулы"], "Тула"),
    (["по поддержке общеобразовательных организаций МР «Вилюйский улус (район)»"], "Вилюйский улус"),
    (["Дорожная карта МО «Кировский район» на 2024 год"], "Кировский район"),
    (["План мероприятий городского округа «Город Нижневартовск» на 2023 год"], "Нижневартовск"),
    (["План сельского поселения «Село Ивановка»"], "Ивановка"),
    (["по работе с ОО Зиминского городского муниципального образования на 2024 год"],
     "Зиминское городское муниципальное образование"),
    (["План по работе с ОО ЗГМО на 2024 год"], "ЗГМО"),
    (["План по работе с ОО ЗГМО на 2024 год",
      "УТВЕРЖДЕН приказом Комитета по образованию администрации Зиминского городского муниципального образования"],
     "Зиминское городское муниципальное образование"),
    (["План работы Кировского района"], "Кировский район"),
    (["План работы Тутаевского муниципального района"], "Тутаевский муниципальный район"),
    (["План Усть-Кутского муниципального образования"], "Усть-Кутское муниципальное образование"),
    (["План мероприятий в Нижнем Новгороде"], "Нижний Новгород"),
    (["План г. Ростова-на-Дону"], "Ростов-на-Дону"),
    (["План мероприятий для школ города Твери Тверской области"], "Тверь"),
    (["Руководители ШМО и ГМО"], None),  # methodical associations are no municipality
    (["ДОРОЖНАЯ КАРТА ПОДДЕРЖКИ ОБРАЗОВАТЕЛЬНОЙ ОРГАНИЗАЦИИ"], None),
    (["План для школ Ханты-Мансийского автономного округа – Югры"], None),  # a region, not a municipality
]


@pytest.mark.parametrize(("texts", "expected"), MUNICIPALITIES, ids=[m[0][0][-30:] for m in MUNICIPALITIES])
def test_municipality(texts: list[str], expected: str | None) -> None:
    assert find_municipality(texts) == expected


def test_municipality_title_before_approval() -> None:
    assert find_municipality(["План работы в Сарове", "УТВЕРЖДЕН приказом администрации города Тулы"]) == "Саров"


# --------------------------------------------------------------------------- abbreviations

ABBREVIATIONS: list[tuple[str, dict[str, str]]] = [
    ("Осуществление адресной методической помощи образовательным организациям (далее – ОО), имеющим …",
     {"ОО": "образовательные организации"}),
    ("по работе с общеобразовательными организациями, имеющими низкие образовательные результаты обучающихся "
     "(далее – ШНОР), и/или функционирующими в неблагоприятных социальных условиях (далее – ШНСУ)",
     {"ШНОР": "общеобразовательные организации, имеющие низкие образовательные результаты обучающихся",
      "ШНСУ": "общеобразовательные организации, функционирующие в неблагоприятных социальных условиях"}),
    ("Комитет по образованию администрации ЗГМО (далее – Комитет по образованию)",
     {"Комитет по образованию": "Комитет по образованию администрации ЗГМО"}),
    ("совместно с Институтом развития образования Иркутской области (далее - ИРО)",
     {"ИРО": "Институт развития образования Иркутской области"}),
    ("в муниципальных общеобразовательных организациях (далее по тексту – МОО)",
     {"МОО": "муниципальные общеобразовательные организации"}),
    ("План мероприятий по поддержке школ с низкими результатами обучения (далее — ШНРО) на 2023 год",
     {"ШНРО": "школы с низкими результатами обучения"}),
    ("внутренней системы оценки качества образования (далее – ВСОКО)",
     {"ВСОКО": "внутренняя система оценки качества образования"}),
    ("Зиминского городского муниципального образования (далее – ЗГМО)",
     {"ЗГМО": "Зиминское городское муниципальное образование"}),
    ("школы, функционирующие в неблагоприятных социальных условиях (далее – ШНСУ)",
     {"ШНСУ": "школы, функционирующие в неблагоприятных социальных условиях"}),
]


@pytest.mark.parametrize(("text", "expected"), ABBREVIATIONS, ids=[a[0][-24:] for a in ABBREVIATIONS])
def test_abbreviations(text: str, expected: dict[str, str]) -> None:
    assert find_abbreviations([text]) == expected


def test_abbreviations_first_definition_wins_and_order_is_kept() -> None:
    texts = [
        "образовательные организации (далее – ОО)",
        "обучающихся с ОВЗ",
        "общеобразовательные организации (далее – ОО)",
        "школы с низкими образовательными результатами (далее – ШНОР)",
    ]
    assert list(find_abbreviations(texts).items()) == [
        ("ОО", "образовательные организации"),
        ("ШНОР", "школы с низкими образовательными результатами"),
    ]


def test_defined_phrase_without_abbreviation_uses_the_grammar() -> None:
    assert defined_phrase("по работе с образовательными организациями ") == "образовательные организации"
