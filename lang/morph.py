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


def readings(word: str) -> tuple[Any, ...]:
    """`parses` of a word as written: pymorphy3 reads a word and its lower case alike but for a
    single capital letter (an initial), so every caller shares one cache entry per word."""
    return parses(word if len(word) == 1 else word.lower())


def _match_case(template: str, word: str) -> str:
    """`word` in the letter case of `template`, hyphenated part by part ("Усть-Кутское")."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    parts, like = word.split("-"), template.split("-")
    if len(parts) != len(like):
        parts, like = [word], [template]
    return "-".join(p[:1].upper() + p[1:] if t[:1].isupper() else p for p, t in zip(parts, like, strict=True))


def is_geo(word: str) -> bool:
    return any("Geox" in p.tag for p in parses(word.lower()))


def is_adjective(word: str) -> bool:
    """Whether the word's most likely reading is an adjective or participle."""
    readings = parses(word.lower())
    return bool(readings) and max(readings, key=lambda p: p.score).tag.POS in ("ADJF", "PRTF")


def lemma(word: str) -> str:
    readings = parses(word.lower())
    return str(readings[0].normal_form) if readings else word.lower()


def nominative_name(name: str) -> str:
    """A place name in the nominative: "Сарове" -> "Саров", "Ростова-на-Дону" ->
    "Ростов-на-Дону", "Нижнем Новгороде" -> "Нижний Новгород"."""
    if " " in name:
        return nominative_phrase(name)
    whole = nominative_word(name)
    if whole != name or "-" not in name or is_geo(name):
        return whole
    return "-".join(nominative_word(part) for part in name.split("-"))


def is_preposition(word: str) -> bool:
    return any(p.tag.POS == "PREP" for p in parses(word.lower()))


def is_conjunction(word: str) -> bool:
    return any(p.tag.POS == "CONJ" for p in parses(word.lower()))


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


def nominative_phrase(phrase: str, number: str | None = None) -> str:
    """A phrase in the nominative where its head noun is in an oblique case.

    The head is the first noun; it and the adjectives and participles agreeing with it
    before it are inflected; dependents after it (genitives, prepositional phrases) stay.
    "Зиминского городского муниципального образования" -> "Зиминское городское
    муниципальное образование"; "общеобразовательными организациями" -> "общеобразовательные
    организации". `number` ("sing", "plur") settles a head that could be either ("школы").
    """
    words = list(_WORD.finditer(phrase))
    head_idx = None
    head = None
    for i, match in enumerate(words):
        nouns = [p for p in parses(match.group().lower()) if p.tag.POS == "NOUN" and number in (None, p.tag.number)]
        if nouns and not is_adjective(match.group()):
            before = words[i - 1].group() if i else None
            # "образовательные организации": the reading the adjective before it agrees with
            agreed = [p for p in nouns if before and agrees(before, str(p.tag.case), str(p.tag.number))]
            nominative = [p for p in nouns if p.tag.case == "nomn"]  # "школы …" is taken as it stands
            head_idx, head = i, (agreed or nominative or nouns)[0]
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


def _nominative_noun(word: str) -> Any | None:
    """The word's reading as a noun in the nominative, unless it reads first as an adjective."""
    readings = parses(word.lower())
    if not readings or readings[0].tag.POS in ("ADJF", "PRTF"):
        return None
    return next((p for p in readings if p.tag.POS == "NOUN" and p.tag.case == "nomn"), None)


def _agreeing_modifier(word: str, number: str, gender: str | None) -> Any | None:
    """The word's reading as an adjective or participle in the nominative agreeing with a head."""
    for parse in parses(word.lower()):
        tag = parse.tag
        if tag.POS not in ("ADJF", "PRTF") or tag.case != "nomn" or tag.number != number:
            continue
        if number == "sing" and gender and tag.gender != gender:
            continue
        return parse
    return None


def inflect_phrase(phrase: str, case: str) -> str | None:
    """A noun phrase in the nominative put in another case ("gent", "datv", …).

    Inflected: the head (the first noun), the adjectives agreeing with it before it, and a
    participle or adjective opening a clause after a comma that agrees with it
    ("школы, функционирующие в …" -> "школ, функционирующих в …"); what depends on them stays.
    None when the phrase has no nominative head noun.
    """
    words = list(_WORD.finditer(phrase))
    heads = [(i, noun) for i, m in enumerate(words) if (noun := _nominative_noun(m.group())) is not None]
    if not heads:
        return None
    head_idx, head = heads[0]
    number, gender = str(head.tag.number), head.tag.gender
    targets = [(words[head_idx], head)]
    for match in reversed(words[:head_idx]):
        modifier = _agreeing_modifier(match.group(), number, gender)
        if modifier is None:
            break
        targets.append((match, modifier))
    for match in words[head_idx + 1:]:
        if phrase[: match.start()].rstrip().endswith(","):
            modifier = _agreeing_modifier(match.group(), number, gender)
            if modifier is not None:
                targets.append((match, modifier))
    out = phrase
    for match, parse in sorted(targets, key=lambda t: t[0].start(), reverse=True):
        inflected = parse.inflect({case, number})
        if inflected is None:
            return None
        out = out[: match.start()] + _match_case(match.group(), inflected.word) + out[match.end():]
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
