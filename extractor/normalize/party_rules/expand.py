"""Expand: numbered schools one party each, abbreviations spelled out in their grammatical case."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Literal

from extractor.normalize.party_rules.split import Piece, piece_span
from extractor.normalize.party_rules.words import (
    NON_SPACE,
    OPEN_QUOTES,
    WORDS,
    abbr_kind,
    fold,
    is_abbreviation,
    mask,
    vocabulary,
    word_info,
)
from extractor.normalize.rule_trace import RuleTrace
from lang import morph

_NUMBER = r"\d+(?:-?[А-Яа-я](?![А-Яа-я]))?"
_NUMBERED_RE = re.compile(rf"^(?P<base>.*?\S)\s*(?P<signs>№№?|N)\s*(?P<nums>{_NUMBER}(?:\s+и\s+(?:№\s*)?{_NUMBER})*)$")
_MORE_RE = re.compile(rf"^(?:№\s*)?(?P<nums>{_NUMBER}(?:\s+и\s+(?:№\s*)?{_NUMBER})*)$")


def _numbers(text: str) -> list[str]:
    return [re.sub(r"[\s-]", "", n) for n in re.findall(_NUMBER, text)]


def _numbered(piece: Piece) -> re.Match[str] | None:
    match = _NUMBERED_RE.match(piece.text)
    if match is None or "_" in mask(piece.text)[match.start("signs") :]:
        return None
    return match


def _generated(base: str, number: str, like: Piece, source: Piece) -> Piece:
    """A school of its own, placed like the numbered piece; its spans are those of the piece its
    number was written in (only the rule trace reads a generated piece's spans)."""
    return Piece(source.spans, like.sep, f"{base} № {number}", generated=True)


def expand_numbers(pieces: Sequence[Piece], paragraphs: Sequence[str], trace: RuleTrace | None = None) -> list[Piece]:
    """One school per number: "МБОУ ЦО №№ 17, 24", "МБОУ СОШ № 1, № 5" (text "МБОУ ЦО № 17", …)."""
    out: list[Piece] = []
    index = 0
    while index < len(pieces):
        match = _numbered(pieces[index])
        more = _following_numbers(pieces, index + 1) if match else []
        if match is None or (match["signs"] != "№№" and not more and len(_numbers(match["nums"])) < 2):
            out.append(pieces[index])
            index += 1
            continue
        base = fold(match["base"])
        numbered = [(n, pieces[index]) for n in _numbers(match["nums"])]
        numbered += [(n, p) for p in more for n in _numbers(p.text)]
        out += [_generated(base, n, pieces[index], source) for n, source in numbered]
        if trace is not None:
            start, end = piece_span(pieces[index], paragraphs)[0], piece_span(pieces[index + len(more)], paragraphs)[1]
            trace.add("numbered", start, end, "; ".join(f"{base} № {n}" for n, _ in numbered))
        index += 1 + len(more)
    return out


def _following_numbers(pieces: Sequence[Piece], start: int) -> list[Piece]:
    more: list[Piece] = []
    for piece in pieces[start:]:
        if piece.sep not in (",", ";") or not _MORE_RE.match(piece.text):
            break
        more.append(piece)
    return more


_Place = Literal["head", "nominative", "apposition", "modifier", "genitive"]


def expansion_glossary(abbreviations: Mapping[str, str]) -> dict[str, str]:
    """The built-in glossary with the plan's own definitions of abbreviations over it."""
    glossary = dict(vocabulary().expansions)
    for short, full in abbreviations.items():
        if " " not in short.strip() and is_abbreviation(short):
            glossary[short.strip()] = fold(full)
    return glossary


@cache
def _glossary_re(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(r"\s+".join(map(re.escape, k.split())) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _place(before: str, after_legal: bool, key: str) -> _Place | None:
    """How an abbreviation stands in the name: its first word, its head after adjectives, the
    name after a legal form, a legal-form modifier ("ДПО"), or a dependent in the genitive; None when its case
    cannot be told (after a preposition, a conjunction, a number or an unknown abbreviation)."""
    if after_legal:
        return "modifier" if key in vocabulary().legal_modifiers else "apposition"
    stripped = before.rstrip()
    if not stripped or stripped.endswith(OPEN_QUOTES):
        return "head"
    words = NON_SPACE.findall(stripped)
    if all(_is_modifier_word(w) for w in words):
        return "nominative"  # "Вилюйское УУО": only adjectives before it
    last = words[-1]
    if not WORDS.fullmatch(last) or is_abbreviation(last):
        return None
    if word_info(last).pos in ("PREP", "CONJ", "PRCL"):
        return None
    return "genitive"


def _is_modifier_word(word: str) -> bool:
    readings = morph.parses(word.lower())
    return bool(readings) and readings[0].tag.POS in ("ADJF", "PRTF") and word.isalpha()


@cache
def builtin_expansion(name: str) -> str | None:
    """`expand` with the built-in glossary alone (no plan's definitions), as a cell is read."""
    return expand(name, vocabulary().expansions, _glossary_re(vocabulary().expansion_keys))


def expand(name: str, glossary: Mapping[str, str], pattern: re.Pattern[str] | None = None) -> str | None:
    """The name with every abbreviation the glossary knows spelled out, in its case:
    "МКУ «ЦНППМ г. Тулы»" -> "Муниципальное казённое учреждение «Центр непрерывного …
    г. Тулы»", "руководители ОО" -> "руководители образовательных организаций". An unquoted
    name after a legal form is quoted ("МБОУ СОШ № 1" -> "… учреждение «Средняя
    общеобразовательная школа № 1»"). None when nothing in the name is known."""
    if not glossary:
        return None
    parts: list[str] = []
    last, after_legal, changed, close_quote = 0, False, False, False
    for match in (pattern or _glossary_re(tuple(sorted(glossary)))).finditer(name):
        key = fold(match.group())
        gap = name[last : match.start()]
        place = _place(name[: match.start()], after_legal and not gap.strip(), key)
        spelled = _spelled(glossary[key], place)
        parts.append(gap)
        if spelled is None:
            parts.append(match.group())
        else:
            changed = True
            if place == "apposition" and not close_quote and not any(q in name for q in OPEN_QUOTES):
                spelled, close_quote = f"«{spelled}", True
            parts.append(spelled)
        after_legal = abbr_kind(key.split()[0]) == "legal"
        last = match.end()
    parts.append(name[last:] + ("»" if close_quote else ""))
    return "".join(parts) if changed else None


@cache
def _genitive(full: str) -> str | None:
    """An expansion in the genitive, inflected once: pymorphy3's inflection is slow and the same
    few expansions recur ("образовательных организаций")."""
    return morph.inflect_phrase(full, "gent")


def _spelled(full: str, place: _Place | None) -> str | None:
    if place is None:
        return None
    if place == "genitive":
        return _genitive(full)
    if place in ("head", "apposition"):
        return full[:1].upper() + full[1:]
    return full
