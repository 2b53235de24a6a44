"""Does natasha improve the responsible-party normalizer? A measurement, not a test.

Runs over the party corpus (tests/data/party_cells.yaml, every seed cell and the variants) and
over a held-out set of cells written before the normalizer was tuned for them (below), and
compares:

- `ours`: extractor.normalize.parties.parse_parties alone;
- `natasha`: natasha 1.6 alone (NER spans: PER -> person named "Фамилия И.О." through its
  NamesExtractor, ORG -> organization; it has no notion of roles);
- `ours+natasha persons`: ours, plus every person natasha's NER finds that ours does not;
- `ours-natasha veto`: ours, with the persons natasha's NER does not confirm dropped.

Reported: cells whose (kind, name) list is exactly right, person precision / recall, and
natasha's time per cell as a ratio of ours (same process, same cells). natasha is not a
dependency of the project; install it to run this (`pip install natasha "setuptools<81"`):

    python bench/party_natasha.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.normalize.parties import parse_parties  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "party_cells.yaml"

Pair = tuple[str, str]  # (kind, name)

# Written before the normalizer was run on them, from the contract's rules; kept out of the
# test corpus so that the comparison is not only on cells the rules were tuned on.
HELDOUT: list[tuple[list[str], list[Pair]]] = [
    (["Руководитель ШМО учителей начальных классов Кузнецова Т.В."], [("person", "Кузнецова Т.В.")]),
    (["Зам. директора по УВР Сидорова Н.А."], [("person", "Сидорова Н.А.")]),
    (["Иванов И.И. – директор МБОУ «Лицей № 2»"], [("person", "Иванов И.И.")]),
    (["Отдел образования администрации Кировского района"],
     [("organization", "Отдел образования администрации Кировского района")]),
    (["МКУ «Управление образования» г. Зимы"], [("organization", "МКУ «Управление образования» г. Зимы")]),
    (["Семенова О.Л., Кравченко А.А., учителя русского языка"],
     [("person", "Семенова О.Л."), ("person", "Кравченко А.А."), ("role", "учителя русского языка")]),
    (["ГАУ ДПО ЯО ИРО"], [("organization", "ГАУ ДПО ЯО ИРО")]),
    (["МАОУ «Гимназия № 3», МАОУ «Лицей № 1»"],
     [("organization", "МАОУ «Гимназия № 3»"), ("organization", "МАОУ «Лицей № 1»")]),
    (["педагог-психолог Алексеева М.С."], [("person", "Алексеева М.С.")]),
    (["Руководители ОО, заместители руководителей по УВР"],
     [("role", "Руководители ОО"), ("role", "заместители руководителей по УВР")]),
    (["Администрация ОО"], [("role", "Администрация ОО")]),
    (["ИМЦ, руководители РМО"], [("organization", "ИМЦ"), ("role", "руководители РМО")]),
    (["Т.Н. Белова, методист ИМЦ"], [("person", "Белова Т.Н.")]),
    (["Управление образования администрации г.Твери; МБУ ДО «ДДТ»"],
     [("organization", "Управление образования администрации г. Твери"), ("organization", "МБУ ДО «ДДТ»")]),
    (["Директора школ"], [("role", "Директора школ")]),
    (["Министерство образования Иркутской области"], [("organization", "Министерство образования Иркутской области")]),
    (["Л.В.Смирнова"], [("person", "Смирнова Л.В.")]),
    (["Смирнова Л.В.-руководитель ГМО учителей математики"], [("person", "Смирнова Л.В.")]),
    (["ЦНППМ ПР, ИРО"], [("organization", "ЦНППМ ПР"), ("organization", "ИРО")]),
    (["Кафедра начального образования ИРО"], [("organization", "Кафедра начального образования ИРО")]),
    (["Муниципальный координатор Петров П.П."], [("person", "Петров П.П.")]),
    (["МБОУ «СОШ № 12 им. Героя Советского Союза И.П. Петрова»"],
     [("organization", "МБОУ «СОШ № 12 им. Героя Советского Союза И.П. Петрова»")]),
    (["Комиссия по проведению мониторинга"], [("role", "Комиссия по проведению мониторинга")]),
    (["Ответственный за ВСОКО"], [("role", "Ответственный за ВСОКО")]),
    (["Учителя математики ШНОР"], [("role", "Учителя математики ШНОР")]),
    (["Председатель комитета по образованию Иванова А.А."], [("person", "Иванова А.А.")]),
    (["Комитет образования, МКУ ИМЦ"], [("organization", "Комитет образования"), ("organization", "МКУ ИМЦ")]),
    (["Родители (законные представители)"], [("role", "Родители")]),
    (["Центр «Точка роста»"], [("organization", "Центр «Точка роста»")]),
    (["Федеральный институт оценки качества образования (ФИОКО)"],
     [("organization", "Федеральный институт оценки качества образования")]),
    (["Кураторы ШНОР из числа методистов ИМЦ"], [("role", "Кураторы ШНОР из числа методистов ИМЦ")]),
    (["ОО (по согласованию)"], [("role", "ОО")]),
    (["Медведева Ольга Ивановна"], [("person", "Медведева О.И.")]),
    (["директор Корнилова Е.В."], [("person", "Корнилова Е.В.")]),
    (["Управление образования, руководители ОО, педагоги"],
     [("organization", "Управление образования"), ("role", "руководители ОО"), ("role", "педагоги")]),
    (["Заместитель начальника управления образования Н.В. Орлова"], [("person", "Орлова Н.В.")]),
    (["Бурцева Анна Петровна, заместитель директора по УВР"], [("person", "Бурцева А.П.")]),
    (["ИРО Иркутской области"], [("organization", "ИРО Иркутской области")]),
    (["МАУ ДО ДДТ, МБУ ДО ДЮСШ"], [("organization", "МАУ ДО ДДТ"), ("organization", "МБУ ДО ДЮСШ")]),
    (["Отдел опеки и попечительства"], [("organization", "Отдел опеки и попечительства")]),
]


@dataclass(frozen=True)
class Cell:
    paragraphs: list[str]
    role: str | None
    expected: list[Pair]


@dataclass
class Score:
    cells: int = 0
    exact: int = 0
    true_persons: int = 0
    found_persons: int = 0
    right_persons: int = 0

    def add(self, expected: Sequence[Pair], got: Sequence[Pair]) -> None:
        self.cells += 1
        self.exact += list(expected) == list(got)
        want = [n for k, n in expected if k == "person"]
        have = [n for k, n in got if k == "person"]
        self.true_persons += len(want)
        self.found_persons += len(have)
        self.right_persons += sum(min(want.count(n), have.count(n)) for n in set(have))

    def line(self, label: str) -> str:
        precision = self.right_persons / self.found_persons if self.found_persons else 1.0
        recall = self.right_persons / self.true_persons if self.true_persons else 1.0
        return (f"  {label:24} exact cells {self.exact:3}/{self.cells} ({self.exact / self.cells:6.1%})"
                f"   persons P {precision:6.1%} R {recall:6.1%}")


def corpus_cells() -> list[Cell]:
    entries: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return [
        Cell(e["paragraphs"], e.get("role"), [(p["kind"], p["name"]) for p in e["parties"]])
        for e in entries
    ]


def heldout_cells() -> list[Cell]:
    return [Cell(paragraphs, None, expected) for paragraphs, expected in HELDOUT]


class Natasha:
    """natasha's NER and name extractor, loaded once."""

    def __init__(self) -> None:
        from natasha import Doc, MorphVocab, NamesExtractor, NewsEmbedding, NewsNERTagger, Segmenter

        self._doc = Doc
        self.segmenter = Segmenter()
        self.ner = NewsNERTagger(NewsEmbedding())
        self.names = NamesExtractor(MorphVocab())

    def spans(self, paragraphs: Sequence[str]) -> list[Pair]:
        """(PER|ORG|LOC, normalized text) of each span; a person as "Фамилия И.О."."""
        doc = self._doc("\n".join(paragraphs))
        doc.segment(self.segmenter)
        doc.tag_ner(self.ner)
        out: list[Pair] = []
        for span in doc.spans:
            if span.type == "PER":
                name = self.person_name(span.text)
                if name:
                    out.append(("PER", name))
            else:
                out.append((span.type, " ".join(span.text.split())))
        return out

    def person_name(self, text: str) -> str | None:
        match = self.names.find(text)
        fact = match.fact if match else None
        if fact is None or not fact.last or not fact.first:
            return None
        initials = "".join(f"{part[0]}." for part in (fact.first, fact.middle) if part)
        return f"{fact.last} {initials}"


def ours(cell: Cell) -> list[Pair]:
    return [(p.kind, p.name) for p in parse_parties(cell.paragraphs, cell.role).parties]


def natasha_alone(natasha: Natasha) -> Callable[[Cell], list[Pair]]:
    kinds = {"PER": "person", "ORG": "organization"}
    return lambda cell: [(kinds[t], n) for t, n in natasha.spans(cell.paragraphs) if t in kinds]


def with_natasha_persons(natasha: Natasha) -> Callable[[Cell], list[Pair]]:
    def run(cell: Cell) -> list[Pair]:
        mine = ours(cell)
        known = {n for k, n in mine if k == "person"}
        extra = [("person", n) for t, n in natasha.spans(cell.paragraphs) if t == "PER" and n not in known]
        return mine + extra

    return run


def with_natasha_veto(natasha: Natasha) -> Callable[[Cell], list[Pair]]:
    def run(cell: Cell) -> list[Pair]:
        confirmed = {n for t, n in natasha.spans(cell.paragraphs) if t == "PER"}
        return [(k, n) for k, n in ours(cell) if k != "person" or n in confirmed]

    return run


def score(system: Callable[[Cell], list[Pair]], cells: Iterable[Cell]) -> Score:
    result = Score()
    for cell in cells:
        result.add(cell.expected, system(cell))
    return result


def seconds(run: Callable[[Cell], object], cells: Sequence[Cell]) -> float:
    start = time.perf_counter()
    for cell in cells:
        run(cell)
    return time.perf_counter() - start


def main() -> int:
    try:
        start = time.perf_counter()
        natasha = Natasha()
        natasha_load = time.perf_counter() - start
    except ImportError:
        print("natasha is not installed: pip install natasha 'setuptools<81'", file=sys.stderr)
        return 1
    start = time.perf_counter()
    parse_parties(["МБОУ «СШ №19», Андреева А.П."])  # loads the vocabulary and pymorphy3
    ours_load = time.perf_counter() - start
    sets = {"corpus": corpus_cells(), "held-out": heldout_cells()}
    every = [c for cells in sets.values() for c in cells]
    # timed before scoring: ours memoizes per fragment, so its first pass is the fair one
    ours_time = seconds(ours, every)
    natasha_time = seconds(lambda c: natasha.spans(c.paragraphs), every)
    systems = {
        "ours": ours,
        "natasha": natasha_alone(natasha),
        "ours+natasha persons": with_natasha_persons(natasha),
        "ours-natasha veto": with_natasha_veto(natasha),
    }
    for label, cells in sets.items():
        print(f"{label}: {len(cells)} cells")
        for name, system in systems.items():
            print(score(system, cells).line(name))
    print(f"time over all {len(every)} cells, natasha / ours: {natasha_time / ours_time:.1f}x; "
          f"loading, natasha / ours: {natasha_load / ours_load:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
