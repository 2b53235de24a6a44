"""Split: a cell cut into pieces at separators, runs cut apart, and pieces that cannot stand alone joined back.

Each step takes the pieces so far and gives the next (parties.py declares their order); given a
`RuleTrace` (its text the cell's paragraphs joined by line breaks), a step records the pieces it
cut or joined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise

from extractor.normalize.party_rules.persons import find_persons
from extractor.normalize.party_rules.words import (
    WORD_RE,
    Token,
    abbr_kind,
    head_of,
    lexicon_kind,
    mask,
    tokens_of,
    vocabulary,
    word_info,
)
from extractor.normalize.rule_trace import RuleTrace


@dataclass(frozen=True)
class Piece:
    """A fragment of the cell: spans (paragraph, start, end) of the cell's paragraphs."""

    spans: tuple[tuple[int, int, int], ...]
    sep: str  # what came before it: "start", "para", "conn" or the separator character
    text: str
    generated: bool = False


_HYPHEN_END_RE = re.compile(r"[А-ЯЁа-яё]-$")


def _render(spans: Sequence[tuple[int, int, int]], paragraphs: Sequence[str]) -> str:
    """The text of the spans; lines joined by a space, or by nothing after a hyphen ("Научно-")."""
    text = ""
    for para, group in groupby(spans, key=lambda span: span[0]):
        members = list(group)
        part = paragraphs[para][members[0][1] : members[-1][2]]
        text += ("" if not text or _HYPHEN_END_RE.search(text) else " ") + part
    return text


def _make_piece(para: int, start: int, end: int, sep: str, paragraphs: Sequence[str]) -> Piece | None:
    raw = paragraphs[para][start:end]
    start += len(raw) - len(raw.lstrip())
    end -= len(raw) - len(raw.rstrip())
    if start >= end:
        return None
    span = ((para, start, end),)
    return Piece(span, sep, _render(span, paragraphs))


def _join(first: Piece, second: Piece, paragraphs: Sequence[str]) -> Piece:
    if first.generated or second.generated:
        return Piece(first.spans + second.spans, first.sep, f"{first.text} {second.text}", generated=True)
    (*head, (para_a, start_a, _)), ((para_b, _, end_b), *tail) = first.spans, second.spans
    if para_a != para_b:  # keep what separated them at the line break ("обучающихся," / "успешно …")
        start_b = len(paragraphs[para_b][:end_b]) - len(paragraphs[para_b][:end_b].lstrip())
        spans = (*head, (para_a, start_a, len(paragraphs[para_a])), (para_b, start_b, end_b), *tail)
    else:
        spans = first.spans + second.spans
    return Piece(tuple(spans), first.sep, _render(spans, paragraphs))


def piece_span(piece: Piece, paragraphs: Sequence[str]) -> tuple[int, int]:
    """Where a piece lies in the paragraphs joined by line breaks (the rule trace's text)."""
    (first, start, _), (last, _, end) = piece.spans[0], piece.spans[-1]
    return _line_start(first, paragraphs) + start, _line_start(last, paragraphs) + end


def text_offset(piece: Piece, paragraphs: Sequence[str], index: int) -> int:
    """Where character `index` of a piece's text lies in the paragraphs joined by line breaks,
    following `_render`; a generated piece ("МБОУ СОШ № 5" of "№№ 1, 5") is its source's start."""
    if piece.generated:
        return piece_span(piece, paragraphs)[0]
    text = ""
    for para, group in groupby(piece.spans, key=lambda span: span[0]):
        members = list(group)
        text += "" if not text or _HYPHEN_END_RE.search(text) else " "
        size = members[-1][2] - members[0][1]
        if index < len(text) + size:
            return _line_start(para, paragraphs) + members[0][1] + max(index - len(text), 0)
        text += paragraphs[para][members[0][1] : members[-1][2]]
    return piece_span(piece, paragraphs)[1]


def _line_start(para: int, paragraphs: Sequence[str]) -> int:
    return sum(len(p) + 1 for p in paragraphs[:para])


def split_cell(pieces: Sequence[Piece], paragraphs: Sequence[str], trace: RuleTrace | None = None) -> list[Piece]:
    """Every paragraph cut at separators outside quotes, parentheses and protected names."""
    return [p for para in range(len(paragraphs)) for p in split_paragraph(para, paragraphs)]


def split_paragraph(para: int, paragraphs: Sequence[str]) -> list[Piece]:
    text = paragraphs[para]
    pieces: list[Piece] = []
    start, sep = 0, "para" if para else "start"
    for match in vocabulary().split_re.finditer(mask(text)):
        piece = _make_piece(para, start, match.start(), sep, paragraphs)
        pieces += [piece] if piece else []
        start, sep = match.end(), "conn" if match["conn"] else match.group()
    last = _make_piece(para, start, len(text), sep, paragraphs)
    return pieces + ([last] if last else [])


def _subpiece(piece: Piece, start: int, end: int, sep: str, paragraphs: Sequence[str]) -> Piece | None:
    para, offset, _ = piece.spans[0]
    return _make_piece(para, offset + start, offset + end, sep, paragraphs)


def _split_at(piece: Piece, cuts: Sequence[tuple[int, int]], paragraphs: Sequence[str]) -> list[Piece]:
    """Cut a one-paragraph piece: each cut (end of the left part, start of the right part)."""
    if not cuts or len(piece.spans) != 1:
        return [piece]
    starts = [0, *(start for _, start in cuts)]
    ends = [*(end for end, _ in cuts), len(piece.text)]
    pieces = [
        _subpiece(piece, a, b, piece.sep if i == 0 else "run", paragraphs)
        for i, (a, b) in enumerate(zip(starts, ends, strict=True))
    ]
    return [p for p in pieces if p]


def _run_cuts(text: str) -> list[tuple[int, int]]:
    """Where a run of bodies lost its separators: "МБОУ ДПО МЦ ОбОО", "ОО с … ОО с …"."""
    tokens = tokens_of(text)
    cuts: list[tuple[int, int]] = []
    first = tokens[0].bare if tokens else ""
    for prev, token in pairwise(tokens):
        if _starts_new_body(prev, token, first):
            cuts.append((token.start, token.start))
            first = token.bare
    return cuts


def _starts_new_body(prev: Token, token: Token, first: str) -> bool:
    kind = None if token.quoted else abbr_kind(token.bare)
    prev_kind = None if prev.quoted else abbr_kind(prev.bare)
    closes_name = prev.quoted or prev.text.endswith(("»", '"'))
    if kind == "category" and (prev_kind == "body" or closes_name):
        return True
    if kind == "legal" and closes_name:
        return True
    return kind == "category" and token.bare == first and not _governs(prev)


def _governs(token: Token) -> bool:
    """A word that takes what follows as its dependent ("руководители ОО", "в ОО")."""
    if token.quoted or abbr_kind(token.bare):
        return True
    word = word_info(token.bare)
    return word.pos in ("PREP", "CONJ", "PRCL") or lexicon_kind(token.bare) in ("position", "group", "org")


_AND = re.compile(r"\s*и\s*")


def _person_cuts(text: str) -> list[tuple[int, int]]:
    """Before every person's name but the first; "и" between two names is dropped."""
    persons = find_persons(text)
    return [
        (prev.end if _AND.fullmatch(text[prev.end : person.start]) else person.start, person.start)
        for prev, person in pairwise(persons)
    ]


def split_runs(pieces: Sequence[Piece], paragraphs: Sequence[str], trace: RuleTrace | None = None) -> list[Piece]:
    """Runs that lost their separator ("МБОУ ДПО МЦ ОбОО", two names on one line) cut apart."""
    out: list[Piece] = []
    for piece in pieces:
        cuts = sorted(set(_run_cuts(piece.text)) | set(_person_cuts(piece.text)))
        parts = _split_at(piece, cuts, paragraphs)
        if trace is not None and len(parts) > 1:
            for part in parts:
                trace.add("run_cut", *piece_span(part, paragraphs), "cut where no separator was written")
        out += parts
    return out


def _stands_alone(piece: Piece, prev: Piece | None) -> bool:
    """Whether a fragment can be a party by itself (else it qualifies the previous one)."""
    if find_persons(piece.text) or piece.sep == "run":
        return True
    head = head_of(piece.text)
    if piece.text.startswith(("(", "[")):
        return False
    if head.kind in ("quote", "legal", "body", "category", "group"):
        return True
    if head.kind == "none" or not head.nominative:
        return False
    return not (
        head.kind == "noun"
        and piece.text[:1].islower()
        and head.genitive
        and prev is not None
        and _ends_genitive(prev.text)
    )


def _ends_genitive(text: str) -> bool:
    words = WORD_RE.findall(text)
    return bool(words) and word_info(words[-1]).genitive


def _is_position(piece: Piece) -> bool:
    head = head_of(piece.text)
    return head.kind == "position" and not head.plural and not find_persons(piece.text)


def _only_legal_forms(piece: Piece) -> bool:
    tokens = tokens_of(piece.text)
    return bool(tokens) and all(abbr_kind(t.bare) == "legal" for t in tokens)


def _ends_with_person(piece: Piece) -> bool:
    persons = find_persons(piece.text)
    return bool(persons) and persons[-1].end >= len(piece.text.rstrip(" ,;"))


def _belongs_to_previous(prev: Piece, piece: Piece) -> str | None:
    """The rule that joins `piece` to the one before it, or None where it stands alone."""
    if _only_legal_forms(prev):
        return "legal_form_alone"
    if piece.sep == "," and _ends_with_person(prev) and _is_position(piece):
        return "post_after_person"
    if piece.sep == "para" and open_line_end(prev.text):
        return "open_line_end"
    return None if _stands_alone(piece, prev) else "dependent"


def open_line_end(text: str) -> bool:
    """A line that cannot end a name: a hyphen, an adjective, a preposition or "и" last."""
    if _HYPHEN_END_RE.search(text):
        return True
    tokens = tokens_of(text)
    last = tokens[-1].bare if tokens else ""
    return bool(WORD_RE.fullmatch(last)) and word_info(last).pos in ("ADJF", "PRTF", "PREP", "CONJ")


def join_dependents(pieces: Sequence[Piece], paragraphs: Sequence[str], trace: RuleTrace | None = None) -> list[Piece]:
    """What cannot stand as a party by itself joined to the piece before it (a participle
    phrase, a bare legal form, a person's post after the initials)."""
    out: list[Piece] = []
    for piece in pieces:
        rule = _belongs_to_previous(out[-1], piece) if out else None
        if rule is not None:
            out[-1] = _join(out[-1], piece, paragraphs)
            if trace is not None:
                trace.add(rule, *piece_span(out[-1], paragraphs), "joined to the piece before")
        else:
            out.append(piece)
    return out


def join_position_lines(pieces: Sequence[Piece], paragraphs: Sequence[str],
                        trace: RuleTrace | None = None) -> list[Piece]:
    """A position on its own line directly above a person's name belongs to that person."""
    out: list[Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if prev and piece.sep == "para" and _whole_line_position(prev, pieces) and _starts_with_person(piece):
            out[-1] = _join(prev, piece, paragraphs)
            if trace is not None:
                trace.add("post_line", *piece_span(out[-1], paragraphs), "a post on the line above the name")
        else:
            out.append(piece)
    return out


def _whole_line_position(piece: Piece, pieces: Sequence[Piece]) -> bool:
    para = piece.spans[0][0]
    alone = sum(1 for p in pieces if p.spans[0][0] == para) == 1
    return alone and len({s[0] for s in piece.spans}) == 1 and _is_position(piece)


def _starts_with_person(piece: Piece) -> bool:
    persons = find_persons(piece.text)
    return bool(persons) and persons[0].start == 0
