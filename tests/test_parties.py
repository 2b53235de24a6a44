"""Responsible parties: the cell corpus (tests/data/party_cells.yaml) and unify_names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from extractor.normalize.parties import PartyParse, parse_parties, unify_names
from models import Party, PartyKind

CORPUS = Path(__file__).parent / "data" / "party_cells.yaml"


def _corpus() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return entries


ENTRIES = _corpus()


def test_corpus_is_complete() -> None:
    ids = [e["id"] for e in ENTRIES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 150
    for entry in ENTRIES:
        assert set(entry) <= {"id", "source", "role", "paragraphs", "parties", "rejected", "why"}
        for party in entry["parties"]:
            assert {"text", "name", "kind", "role"} <= set(party) <= {*OPTIONAL, "text", "name", "kind", "role",
                                                                    "confidence"}


OPTIONAL = {"body": None, "expansion": None, "position": None}  # left out of an entry where null


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_cell(entry: dict[str, Any]) -> None:
    result = parse_parties(entry["paragraphs"], entry.get("role"))
    assert isinstance(result, PartyParse)
    # confidence is checked where an entry states it (contract 1.1)
    got = [p.model_dump() for p in result.parties]
    expected = [OPTIONAL | {"confidence": g["confidence"]} | p for p, g in zip(entry["parties"], got, strict=False)]
    assert got == expected
    assert result.rejected == entry["rejected"]


def test_role_reaches_every_party() -> None:
    result = parse_parties(["МБОУ «СШ №14», Андреева А.П., куратор"], role="Школа – куратор")
    assert {p.role for p in result.parties} == {"Школа – куратор"}
    assert {p.role for p in parse_parties(["МБОУ «СШ №14»"]).parties} == {None}


def test_same_input_same_output() -> None:
    cell = ["Управление образования администрации города Тулы, МКУ «ЦНППМ г.Тулы»"]
    assert parse_parties(cell) == parse_parties(list(cell))


# --------------------------------------------------------------------------- unify_names


def _party(name: str, kind: PartyKind = "organization") -> Party:
    return Party(text=name, name=name, kind=kind)


def _names(parties: list[Party], abbreviations: dict[str, str] | None = None) -> list[str]:
    return [p.name for p in unify_names(parties, abbreviations or {})]


def test_unify_misspelled_abbreviation_takes_the_known_one() -> None:
    parties = [
        *parse_parties(["Управление образования администрации города Тулы, МКУ «ЦНППМ г.Тулы»"]).parties,
        *parse_parties(["Управление образования администрации города Тулы, МКУ «ЦНППИМ г.Тулы»"]).parties,
    ]
    unified = unify_names(parties, {})
    assert [p.name for p in unified] == [
        "Управление образования администрации города Тулы",
        "МКУ «ЦНППМ г. Тулы»",
        "Управление образования администрации города Тулы",
        "МКУ «ЦНППМ г. Тулы»",
    ]
    assert unified[3].text == "МКУ «ЦНППИМ г.Тулы»"  # the text stays as written


def test_unify_misspelling_alone_in_the_batch() -> None:
    """The vocabulary's spelling wins even when the batch never writes it correctly."""
    assert _names([_party("МКУ «ЦНППИМ г. Тулы»"), _party("ЦНППИМ")]) == ["МКУ «ЦНППМ г. Тулы»", "ЦНППМ"]


def test_unify_komitat_komitet() -> None:
    parties = [_party("Комитет по образованию"), _party("Комитат по образованию"), _party("Комитет по образованию")]
    assert _names(parties) == ["Комитет по образованию"] * 3
    assert _names([_party("Комитат по образованию")]) == ["Комитет по образованию"]


def test_unify_defined_abbreviation() -> None:
    cells = [
        ["Комитет по образованию администрации ЗГМО (далее – Комитет по образованию)"],
        ["Комитет по образованию"],
        ["Специалисты Комитета по образованию, муниципальный координатор"],
        ["Комитат по образованию"],
        ["Комитет по образованию, муниципальный координатор, куратор, ШНОР, ШНСУ"],
    ]
    parties = [p for cell in cells for p in parse_parties(cell).parties]
    abbreviations = {
        "Комитет по образованию": "Комитет по образованию администрации ЗГМО",
        "ШНОР": "общеобразовательные организации, имеющие низкие образовательные результаты обучающихся",
    }
    full = "Комитет по образованию администрации ЗГМО"
    by_text = {p.text: p.name for p in unify_names(parties, abbreviations)}
    assert by_text["Комитет по образованию администрации ЗГМО (далее – Комитет по образованию)"] == full
    assert by_text["Комитет по образованию"] == full
    assert by_text["Комитат по образованию"] == full
    assert by_text["Специалисты Комитета по образованию"] == "Специалисты Комитета по образованию"
    assert by_text["ШНОР"] == "ШНОР"  # a category, not one body: the definition does not rename it
    bodies = {p.text: p.body for p in unify_names(parties, abbreviations)}
    assert bodies["Специалисты Комитета по образованию"] == full  # the body a role belongs to, unified too


def test_unify_keeps_different_schools_apart() -> None:
    parties = [
        _party("МБОУ «СОШ № 3»"),
        _party("МБОУ «СОШ № 5»"),
        _party("МБОУ «СОШ № 5»"),
        _party("МБОУ «СШ №14»"),
        _party("МБОУ «СШ №19»"),
    ]
    assert _names(parties) == [p.name for p in parties]


def test_unify_keeps_different_towns_apart() -> None:
    parties = [_party("МКУ «ЦНППМ г. Тулы»"), _party("МКУ «ЦНППМ г. Твери»"), _party("МКУ «ЦНППМ г. Тулы»")]
    assert _names(parties) == ["МКУ «ЦНППМ г. Тулы»", "МКУ «ЦНППМ г. Твери»", "МКУ «ЦНППМ г. Тулы»"]


def test_unify_spacing_variant_takes_the_dominant_spelling() -> None:
    parties = [_party("МБОУ «СШ №19»"), _party("МБОУ «СШ № 19»"), _party("МБОУ «СШ №19»")]
    assert _names(parties) == ["МБОУ «СШ №19»"] * 3


def test_unify_unknown_words_take_the_clearly_dominant_spelling() -> None:
    parties = [_party("ООО «Якласс»"), _party("ООО «Яклас»"), _party("ООО «Якласс»")]
    assert _names(parties) == ["ООО «Якласс»"] * 3
    tie = [_party("ООО «Якласс»"), _party("ООО «Яклас»")]
    assert _names(tie) == ["ООО «Якласс»", "ООО «Яклас»"]


def test_unify_leaves_persons_alone() -> None:
    parties = [_party("Андреева А.П.", "person"), _party("Андреев А.П.", "person"), _party("Лопухова О.В.", "person")]
    assert _names(parties) == ["Андреева А.П.", "Андреев А.П.", "Лопухова О.В."]


def test_unify_keeps_order_text_kind_and_role() -> None:
    parties = parse_parties(["МКУ «ЦНППИМ г.Тулы», Андреева А.П."], role="Школа – куратор").parties
    unified = unify_names(parties, {})
    assert [(p.text, p.kind, p.role) for p in unified] == [(p.text, p.kind, p.role) for p in parties]
    assert unify_names([], {}) == []


# --------------------------------------------------------------------------- expansions and bodies


def _unified(cells: list[list[str]], abbreviations: dict[str, str] | None = None) -> list[Party]:
    return unify_names([p for cell in cells for p in parse_parties(cell).parties], abbreviations or {})


def test_expansion_from_the_plan_before_the_glossary() -> None:
    plan = {"ШНОР": "общеобразовательные организации, имеющие низкие образовательные результаты обучающихся"}
    parties = _unified([["ШНОР, ШНСУ"], ["Управленческая команда ШНОР"], ["ОО"]], plan)
    assert [p.expansion for p in parties] == [
        "Общеобразовательные организации, имеющие низкие образовательные результаты обучающихся",
        "Школы, функционирующие в неблагоприятных социальных условиях",  # the built-in glossary
        "Управленческая команда общеобразовательных организаций, имеющих низкие образовательные результаты "
        "обучающихся",
        "Образовательные организации",
    ]
    assert [p.name for p in parties] == ["ШНОР", "ШНСУ", "Управленческая команда ШНОР", "ОО"]


def test_expansion_follows_the_unified_spelling() -> None:
    parties = _unified([["МКУ «ЦНППИМ г.Тулы»"]])
    assert parties[0].name == "МКУ «ЦНППМ г. Тулы»"
    assert parties[0].expansion == (
        "Муниципальное казённое учреждение «Центр непрерывного повышения профессионального мастерства "
        "педагогических работников г. Тулы»"
    )


def test_no_expansion_where_nothing_is_known_or_the_case_is_unclear() -> None:
    cells = [["Управление образования"], ["ОО-участницы проекта"], ["заместители директоров по УВР"],
             ["Андреева А.П."], ["ЗГМО"]]
    assert [p.expansion for p in _unified(cells)] == [None] * 5


def test_expansion_cases() -> None:
    cells = [["Руководители УМО"], ["Вилюйское УУО"], ["МБОУ ДПО МЦ"], ["методисты МАУ г. Нижневартовска «ЦРО»"]]
    parties = _unified(cells)
    assert [p.expansion for p in parties] == [
        "Руководители улусных методических объединений",  # a dependent: genitive
        "Вилюйское улусное управление образованием",  # after an adjective: nominative, lower case
        "Муниципальное бюджетное образовательное учреждение дополнительного профессионального образования "
        "«Методический центр»",  # the name after a legal form, quoted
        "методисты муниципального автономного учреждения г. Нижневартовска «Центр развития образования»",
    ]


def test_body_of_persons_and_roles() -> None:
    cells = [
        ["Лопухова О.В., методист МАУ г. Нижневартовска «ЦРО»"],
        ["Заместитель начальника управления образования Н.В. Орлова"],
        ["Директор школы", "Смирнова О.Н."],
        ["члены рабочей группы"],
        ["руководители ОО"],
        ["заместители руководителей образовательных организаций, демонстрирующих высокие результаты"],
        ["Кураторы ШНОР из числа методистов ИМЦ"],
    ]
    assert [p.body for p in _unified(cells)] == [
        "МАУ г. Нижневартовска «ЦРО»",
        "Управление образования",
        None,  # an unnamed school
        None,  # a group inside a body is no body
        None,  # a category of bodies
        None,
        "ИМЦ",
    ]


def test_bodies_unify_with_organizations_and_stay_apart() -> None:
    parties = _unified([
        ["Смирнова О.Н., директор МБОУ «СШ № 19»"],
        ["МБОУ «СШ №19»"],
        ["МБОУ «СШ №19»"],
        ["Андреева А.П., методист МКУ «ЦНППИМ г.Тулы»"],
        ["Иванова Л.И., методист МАУ г. Нижневартовска «ЦРО»"],
        ["Петрова Э.С., методист МАУ г. Сургута «ЦРО»"],
    ])
    assert [p.body for p in parties] == [
        "МБОУ «СШ №19»",  # the dominant spelling of the same school
        None,
        None,
        "МКУ «ЦНППМ г. Тулы»",  # the misspelling corrected in the body as in names
        "МАУ г. Нижневартовска «ЦРО»",
        "МАУ г. Сургута «ЦРО»",  # another town's centre stays another body
    ]


# --------------------------------------------------------------------------- issue 11: posts


@pytest.mark.parametrize(("cell", "expected"), [
    (["ЗУВР"], [("role", "ЗУВР", None)]),
    (["РШМО"], [("role", "РШМО", None)]),
    (["зам. по ВР"], [("role", "зам. по ВР", None)]),
    (["тренер"], [("role", "тренер", None)]),
    (["Оргкомитет"], [("role", "Оргкомитет", None)]),
    (["Заявитель"], [("role", "Заявитель", None)]),
    (["физрук"], [("role", "физрук", None)]),
    (["инженер-программист"], [("role", "инженер-программист", None)]),
    (["Кл.руководители"], [("role", "Кл.руководители", None)]),
    (["Физ.руководитель"], [("role", "Физ.руководитель", None)]),
    (["Зам.по ВР"], [("role", "Зам.по ВР", None)]),
    (["Делопроизводит."], [("role", "Делопроизводит.", None)]),
    (["ЗУВР, рук. ШМО"], [("role", "ЗУВР", None), ("role", "рук. ШМО", None)]),
    (["Учит-предм, кл.рук"], [("role", "Учит-предм", None), ("role", "кл.рук", None)]),
    (["Кл.рук-ли IV, VII, X"], [("role", "Кл.рук-ли IV, VII, X", None)]),
    (["Лобанов С.В.", "инструктора по спорту"], [("person", "Лобанов С.В.", "инструктора по спорту")]),
    (["Директор ОУ", "Ахметкужина Ш.И.", "Зам.дир по УВР", "Гумерова Р.Х."],
     [("person", "Ахметкужина Ш.И.", "Директор ОУ"), ("person", "Гумерова Р.Х.", "Зам.дир по УВР")]),
    (["Амиева Р.А"], [("person", "Амиева Р.А.", None)]),
    (["учит-пред"], [("role", "учит-пред", None)]),
])
def test_issue_11_posts(cell: list[str], expected: list[tuple[str, str, str | None]]) -> None:
    assert [(p.kind, p.name, p.position) for p in parse_parties(cell).parties] == expected


def test_confidence_low_for_a_guess() -> None:
    """A post on the line under a name, or posts cut where no separator stood, are guesses."""
    below = parse_parties(["Лобанов С.В.", "инструктора по спорту"]).parties
    assert [p.confidence for p in below] == ["low"]
    run = parse_parties(["Соц. педагог психолог"]).parties
    assert [p.confidence for p in run] == ["high", "low"]
    assert {p.confidence for p in parse_parties(["Зам. директора по ВР", "Иванова И.И."]).parties} == {"high"}


def test_label_before_a_colon_stays_in_the_text() -> None:
    """«Участники:», «Консультант:» say how the party takes part: the words stay in `text` (the
    fragment as written), the name is what they label (cells of the Уссурийск ЦССУ plan, 2018)."""
    cell = ["Консультант: адвокат юридической компании «Перспектива»", "Участники: Сотрудники и воспитанники центра"]
    assert [(p.text, p.name, p.kind) for p in parse_parties(cell).parties] == [
        ("Консультант: адвокат юридической компании «Перспектива»", "адвокат юридической компании «Перспектива»",
         "role"),
        ("Участники: Сотрудники и воспитанники центра", "Сотрудники и воспитанники центра", "role"),
    ]
    person = parse_parties(["Консультант: нотариус – Нещерет Н.И."]).parties
    assert [(p.text, p.name, p.position) for p in person] == [
        ("Консультант: нотариус – Нещерет Н.И.", "Нещерет Н.И.", "нотариус")]


def test_public_body_without_a_name_is_an_organization() -> None:
    """«Совет ветеранов» stands on its own outside the school (a held-out plan's «КО, Совет
    ветеранов»); a school's «Совет профилактики» and the members of a council are roles."""
    assert [(p.kind, p.name) for p in parse_parties(["КО, Совет ветеранов"]).parties] == [
        ("organization", "КО"), ("organization", "Совет ветеранов")]
    assert [(p.kind, p.name) for p in parse_parties(["Совет профилактики"]).parties] == [
        ("role", "Совет профилактики")]
    assert [(p.kind, p.name) for p in parse_parties(["члены Совета ветеранов"]).parties] == [
        ("role", "члены Совета ветеранов")]


def test_participation_word_before_a_name_and_a_post_after_it() -> None:
    """«Консультант Е.Г. Басова – социальный педагог …» (Уссурийск ЦССУ, 2018): the initials
    before the surname still make a person after a post word, whose position is the post after
    the dash; «Участники:» labels the group and stays in `text` only."""
    cell = ["Консультант Е.Г. Басова – социальный педагог «Службы сопровождения замещающих семей»",
            "Участники: граждане, желающие взять ребёнка в семью."]
    assert [(p.kind, p.name, p.position) for p in parse_parties(cell).parties] == [
        ("person", "Басова Е.Г.", "социальный педагог «Службы сопровождения замещающих семей»"),
        ("role", "граждане, желающие взять ребёнка в семью", None),
    ]
    assert parse_parties(cell).parties[1].text == "Участники: граждане, желающие взять ребёнка в семью."


def test_a_report_form_run_into_a_role_is_cut_off() -> None:
    """ХМАО row 24, «Школа – куратор»: the seed's two lines «Аналитики» / «Аналитическая справка»
    run together in one cell (as the sample transcribes a row cut by a page break) are the role
    «Аналитики» and a report form, which names no party (the spec's s003-24 and s003-24b)."""
    found = parse_parties(["Аналитики Аналитическая справка"], "Школа – куратор")
    assert [(p.text, p.name, p.kind) for p in found.parties] == [("Аналитики", "Аналитики", "role")]
    assert found.rejected == ["Аналитическая справка"]
    kept = parse_parties(["Методист Лопухова О.В."])  # a capital that starts a name is no report
    assert [p.kind for p in kept.parties] == ["person"]
