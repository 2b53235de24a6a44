"""Persons: a surname with initials in either order, or a surname, first name and patronymic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.normalize.party_rules.words import abbr_kind, lexicon_kind, mask, vocabulary
from lang import morph

_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_PERSON_RE = re.compile(
    # "Амиева Р.А" (no final dot), "5Аксёнова О.М." (a family number glued), "Демчук А.Л.учителя"
    rf"(?<![А-ЯЁа-яёA-Za-z.])(?:(?P<s1>{_SURNAME})\s+(?P<a1>[А-ЯЁ])\.(?:\s*(?P<b1>[А-ЯЁ])"
    rf"(?:\.|(?![А-ЯЁа-яё.])))?(?(b1)|(?![а-яё]))"
    rf"|(?P<a2>[А-ЯЁ])\.\s*(?P<b2>[А-ЯЁ])\.\s*(?P<s2>{_SURNAME})(?![\w]))"
)


@dataclass(frozen=True)
class Person:
    start: int
    end: int
    name: str


_WORD3_RE = re.compile(rf"(?<![\w.])(?=(?P<w1>{_SURNAME})\s+(?P<w2>{_SURNAME})\s+(?P<w3>{_SURNAME})(?![\w]))")


@cache
def find_persons(text: str) -> tuple[Person, ...]:
    """Persons named by surname and initials (either order) or by surname, name and patronymic."""
    masked = mask(text)
    found: list[Person] = []
    pos = 0
    while (match := _PERSON_RE.search(masked, pos)) is not None:
        pos = match.end()
        if _blocked(masked[: match.start()]) or not _looks_like_surname(match["s1"] or match["s2"]):
            if match["a1"]:  # "Консультант Е.Г. Басова": the initials may open a name of their own
                pos = match.start("a1")
            continue
        found.append(Person(match.start(), match.end(), _person_name(match)))
    for match in _WORD3_RE.finditer(masked):
        name = _full_name(match["w1"], match["w2"], match["w3"])
        end = match.end("w3")
        if name and not any(p.start < end and match.start() < p.end for p in found):
            found.append(Person(match.start(), end, name))
    return tuple(sorted(found, key=lambda p: p.start))


@cache
def _tagged(word: str, grammeme: str) -> bool:
    return any(grammeme in p.tag for p in morph.parses(word.lower()))


def _full_name(first: str, second: str, third: str) -> str | None:
    """"Бурцева Анна Петровна" or "Анна Петровна Бурцева" as "Бурцева А.П." (pymorphy3 knows
    first names and patronymics; the surname is taken as written, never lemmatized)."""
    if _tagged(second, "Name") and _tagged(third, "Patr") and _looks_like_surname(first):
        return f"{first} {second[0]}.{third[0]}."
    if _tagged(first, "Name") and _tagged(second, "Patr") and _looks_like_surname(third):
        return f"{third} {first[0]}.{second[0]}."
    return None


def _blocked(before: str) -> bool:
    words = before.split()
    return bool(words) and words[-1].lower() in vocabulary().person_blockers


def _looks_like_surname(word: str) -> bool:
    return lexicon_kind(word) is None and abbr_kind(word) is None


def _person_name(match: re.Match[str]) -> str:
    surname = match["s1"] or match["s2"]
    initials = [i for i in (match["a1"], match["b1"], match["a2"], match["b2"]) if i]
    return f"{surname} {''.join(i + '.' for i in initials)}"
