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
    assert len(ids) >= 100
    for entry in ENTRIES:
        assert set(entry) <= {"id", "source", "role", "paragraphs", "parties", "rejected"}
        for party in entry["parties"]:
            assert set(party) == {"text", "name", "kind", "role"}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_cell(entry: dict[str, Any]) -> None:
    result = parse_parties(entry["paragraphs"], entry.get("role"))
    assert isinstance(result, PartyParse)
    assert [p.model_dump() for p in result.parties] == entry["parties"]
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
