"""Russian morphology through pymorphy3: putting names and noun phrases in the nominative.

Surnames are never passed through here (pymorphy3 turns "Андреева" into "андреев").
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pymorphy3

_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@cache
def analyzer() -> Any:
    return pymorphy3.MorphAnalyzer()


@cache
def parses(word: str) -> tuple[Any, ...]:
    return tuple(analyzer().parse(word))


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def is_geo(word: str) -> bool:
    return any("Geox" in p.tag for p in parses(word))


def is_preposition(word: str) -> bool:
    return any(p.tag.POS == "PREP" for p in parses(word.lower()))


def nominative_word(word: str, number: str | None = None, gender: str | None = None) -> str:
    """One word in the nominative; kept as is when pymorphy3 cannot inflect it."""
    for parse in parses(word.lower()):
        if parse.tag.POS not in ("NOUN", "ADJF", "PRTF", "NUMR"):
            continue
        if number and parse.tag.number and parse.tag.number != number:
            continue
        if gender and number != "plur" and parse.tag.gender and parse.tag.gender != gender:
            continue
        grams = {"nomn"} | ({number} if number else set())
        inflected = parse.inflect(grams)
        if inflected is not None:
            return _match_case(word, inflected.word)
    return word


def nominative_phrase(phrase: str) -> str:
    """A phrase in the nominative where its head noun is in an oblique case.

    The head is the first noun; it and the adjectives and participles agreeing with it
    before it are inflected; dependents after it (genitives, prepositional phrases) stay.
    "Зиминского городского муниципального образования" -> "Зиминское городское
    муниципальное образование"; "общеобразовательными организациями" -> "общеобразовательные
    организации".
    """
    words = list(_WORD.finditer(phrase))
    head_idx = None
    head = None
    for i, match in enumerate(words):
        noun = next((p for p in parses(match.group().lower()) if p.tag.POS == "NOUN"), None)
        if noun is not None and not all(p.tag.POS in ("ADJF", "PRTF") for p in parses(match.group().lower())[:1]):
            head_idx, head = i, noun
            break
    if head is None or head_idx is None:
        return phrase
    case, number, gender = head.tag.case, head.tag.number, head.tag.gender
    if case == "nomn":
        return phrase
    out = phrase
    # replace from the end so earlier offsets stay valid
    for match in reversed(words[: head_idx + 1]):
        word = match.group()
        agreeing = any(
            p.tag.case == case and (p.tag.number == number or number is None)
            for p in parses(word.lower())
        )
        if not agreeing:
            continue
        new = nominative_word(word, number, gender)
        out = out[: match.start()] + new + out[match.end():]
    return out


def agrees(word: str, case: str, number: str) -> bool:
    return any(p.tag.case == case and p.tag.number == number for p in parses(word.lower()))


def participle_case(word: str) -> tuple[str, str] | None:
    """(case, number) of a participle such as "имеющими" -> ("ablt", "plur")."""
    for parse in parses(word.lower()):
        if parse.tag.POS == "PRTF" and parse.tag.case and parse.tag.number:
            return str(parse.tag.case), str(parse.tag.number)
    return None


def noun_forms(word: str) -> list[tuple[str, str]]:
    """(case, number) readings of a word as a noun."""
    return [
        (str(p.tag.case), str(p.tag.number))
        for p in parses(word.lower())
        if p.tag.POS == "NOUN" and p.tag.case and p.tag.number
    ]


def adjective_agrees(word: str, case: str, number: str) -> bool:
    return any(
        p.tag.POS in ("ADJF", "PRTF") and p.tag.case == case and p.tag.number == number
        for p in parses(word.lower())
    )
