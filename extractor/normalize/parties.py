"""Responsible parties of a plan: split a cell into parties, classify and name them.

The contract is the section "responsible" of the canonical JSON description: a cell becomes
a list of `Party` (text as written, normalized name, kind, sub-column role). The words that
drive it (legal forms, abbreviations, position and report-form words) live in
`extractor/data/parties.yaml` and `positions.yaml`; the rules live in ``party_rules/``, by stage:

- ``words``: the vocabulary, its morphology (pymorphy3), quotes masked, tokens and heads;
- ``staff``: a cell of posts and names ("Зам. директора по ВР" / "Иванова И.И."), read first;
- ``split``: the general rules' pieces (`PIECE_STEPS` below, in order): paragraphs split at
  separators outside quotes, parentheses and protected names; runs that lost their separator
  cut ("МБОУ ДПО МЦ ОбОО", two names on one line); a position line joined to the person's name
  on the next line; numbered schools expanded ("МБОУ ЦО №№ 17, 24" -> one party each, in
  ``expand``); what cannot stand as a party by itself joined back (a participle phrase, a bare
  legal form, a person's position after the initials);
- ``persons``, ``classify``: each piece as a person (a surname with initials in either order, or
  surname, first name and patronymic; surnames are never lemmatized), a role or an organization
  by the first of `classify.KIND_RULES` that holds, or rejected (report forms, result phrases);
  the named body a person or role belongs to (`body`: "методист МАУ «ЦРО»");
- ``names``, ``expand``: names normalized, abbreviations the glossary knows spelled out
  (`expansion`), each in its grammatical case;
- ``unify``: `unify_names` makes one name for one body across a plan or a batch, bodies
  included, and spells the expansions out again with the plan's own "(далее – X)" first.

Given a `RuleTrace`, `parse_parties` records which rule consumed which span of the cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from extractor.normalize.party_rules.classify import to_party
from extractor.normalize.party_rules.expand import expand_numbers
from extractor.normalize.party_rules.split import (
    Piece,
    join_dependents,
    join_position_lines,
    split_cell,
    split_runs,
)
from extractor.normalize.party_rules.staff import parse_staff
from extractor.normalize.party_rules.unify import unify_names
from extractor.normalize.party_rules.words import fold, head_of, vocabulary
from extractor.normalize.rule_trace import RuleTrace
from models import Party

__all__ = ["PartyParse", "parse_parties", "unify_names"]


@dataclass(frozen=True)
class PartyParse:
    """The parties of one cell, and the fragments of it that name no party."""

    parties: list[Party]
    rejected: list[str]


@dataclass(frozen=True)
class PieceStep:
    """One step of the general rules over a cell's pieces, as declared: the pieces so far and the
    cell's paragraphs in, the next pieces out."""

    name: str
    run: Callable[[list[Piece], Sequence[str], RuleTrace | None], list[Piece]]


# The order is the rules': runs are cut before a post line is joined to the name below it,
# numbered schools expanded before dependents are joined to them.
PIECE_STEPS: tuple[PieceStep, ...] = (
    PieceStep("split", split_cell),
    PieceStep("runs", split_runs),
    PieceStep("post_lines", join_position_lines),
    PieceStep("numbered", expand_numbers),
    PieceStep("dependents", join_dependents),
)


def parse_parties(paragraphs: Sequence[str], role: str | None = None, trace: RuleTrace | None = None) -> PartyParse:
    """Parties named by one responsible cell, given as its paragraphs (bullets removed).

    `role` is the sub-column header of a two-level header ("Школа – куратор"), given to
    every party found. Fragments that name no party (report forms such as "Отчет", result
    phrases such as "Повышение уровня …") are returned in `rejected`. `trace`, when given, is
    filled with the rules that read the cell (extractor/normalize/rule_trace.py); the cell is
    then read afresh, not taken from the cache of cells read.
    """
    found = _parse_cell(tuple(paragraphs), role) if trace is None else _read_cell(tuple(paragraphs), role, trace)
    return PartyParse(parties=list(found.parties), rejected=list(found.rejected))  # fresh lists per call


@lru_cache(maxsize=8192)
def _parse_cell(paragraphs: tuple[str, ...], role: str | None) -> PartyParse:
    """parse_parties of one cell, remembered: a plan repeats its responsible cells many times."""
    return _read_cell(paragraphs, role, None)


def _read_cell(paragraphs: tuple[str, ...], role: str | None, trace: RuleTrace | None) -> PartyParse:
    cleaned = [vocabulary().bullet_re.sub("", fold(p)) for p in paragraphs]
    cleaned = [p for p in cleaned if p]
    rejected: list[str] = []

    def classify(text: str, part: RuleTrace | None) -> list[Party]:
        found = _parse_general([text], role, part)
        rejected.extend(found.rejected)
        return found.parties

    staff = parse_staff(cleaned, role, classify, trace)
    if staff is not None:  # a cell of posts and people: positions paired with names
        return _report_tails(PartyParse(parties=staff, rejected=rejected), trace)
    general = _parse_general(cleaned, role, trace)
    return _report_tails(PartyParse(parties=general.parties, rejected=rejected + general.rejected), trace)


def _report_tails(found: PartyParse, trace: RuleTrace | None) -> PartyParse:
    """A role whose words go on, from a capital, into a report form («Аналитики Аналитическая
    справка»: a cell's two lines run together) is the role; the report form names no party."""
    parties: list[Party] = []
    rejected = list(found.rejected)
    for party in found.parties:
        words = party.text.split()
        cut = next((i for i in range(1, len(words)) if words[i][:1].isupper()
                    and head_of(" ".join(words[i:])).kind == "report"
                    and head_of(" ".join(words[:i])).kind in ("position", "group", "category")), None)
        if party.kind != "role" or cut is None:
            parties.append(party)
            continue
        head, tail = " ".join(words[:cut]), " ".join(words[cut:])
        name = head if party.name == party.text else party.name.removesuffix(tail).strip() or head
        parties.append(party.model_copy(update={"text": head, "name": name}))
        rejected.append(tail)
        if trace is not None:
            trace.note(f"report_tail: «{tail}» is a report form, not part of the role")
    return PartyParse(parties=parties, rejected=rejected)


def _parse_general(cleaned: Sequence[str], role: str | None, trace: RuleTrace | None = None) -> PartyParse:
    """The general rules: pieces split, joined and classified one by one."""
    if trace is not None:
        trace.text = "\n".join(cleaned)
    pieces: list[Piece] = []
    for step in PIECE_STEPS:
        pieces = step.run(pieces, cleaned, trace)
    parties: list[Party] = []
    rejected: list[str] = []
    for piece in pieces:
        result = to_party(piece, role, trace, cleaned)
        if isinstance(result, Party):
            parties.append(result)
        else:
            rejected.append(result)
    return PartyParse(parties=parties, rejected=rejected)
