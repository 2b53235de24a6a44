"""Small text helpers shared by the extractor: white space, numbers, markers."""

from __future__ import annotations

import re

from parsers.layout import Paragraph

_WS = re.compile(r"\s+")
# "1.", "1.1.", "2.3", "I.", "IV", "3" (as printed) at the start of a text
NUMBER_PREFIX = re.compile(r"^\s*(?P<num>(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.)|[IVXLC]{1,6}(?=\s))\s*(?=\S)")
NUMBER_ONLY = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.?)\s*$")
DASH_ITEM = re.compile(r"^\s*[-–—•·▪◦]\s*")
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


# Month names by their stems, any case form ("март", "марта", "Мае"), for regular expressions.
MONTH_STEMS = "январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр"


def render_paragraph(p: Paragraph, counter: int) -> str:
    """A paragraph on one line; a list item with its marker ("- item", or the number Word
    shows, "1.2. item", else "2. item" for the `counter`-th item of a numbered list)."""
    text = fold(p.text)
    if p.list is None or not text:
        return text
    if p.list.ordered:
        return f"{p.list.label.strip()} {text}" if p.list.label else f"{counter}. {text}"
    return f"- {text}"


_SPACED = re.compile(r"(?<!\w)(?:[А-ЯЁA-Z] ){3,}[А-ЯЁA-Z](?!\w)")  # four or more capitals


def close_letter_spacing(text: str) -> str:
    """"У Ч Е Б Н А Я   Р А Б О Т А" -> "УЧЕБНАЯ РАБОТА": capitals set one space apart are
    one word; wider gaps part the words. Text without such runs is returned as it is."""
    if not _SPACED.search(text):
        return text
    words = re.split(r"\s{2,}", text.strip())
    return " ".join(_SPACED.sub(lambda m: m.group().replace(" ", ""), w) for w in words)


def fold(text: str) -> str:
    """Runs of white space (line breaks included) folded to one space, ends stripped."""
    return _WS.sub(" ", text).strip()


def clean_number(raw: str) -> str | None:
    """A printed number without its trailing (or misplaced leading) dot: "1.1." -> "1.1",
    ".1" -> "1"; blank -> None."""
    value = fold(raw).strip(". ")  # ".1": "1." typed with its dot first (real corpus)
    return value or None


def is_number(text: str) -> bool:
    return bool(NUMBER_ONLY.match(text))


def split_number(text: str) -> tuple[str | None, str]:
    """("1", "Нормативно-правовое …") from "1. Нормативно-правовое …"; (None, text) otherwise."""
    match = NUMBER_PREFIX.match(text)
    if not match:
        return None, text
    return clean_number(match.group("num")), text[match.end():]


def number_depth(number: str) -> int:
    """"1" -> 1, "1.2" -> 2, "IV" -> 1."""
    return number.count(".") + 1


def roman_value(text: str) -> int | None:
    total = 0
    prev = 0
    for ch in reversed(text.upper()):
        if ch not in ROMAN:
            return None
        val = ROMAN[ch]
        total = total - val if val < prev else total + val
        prev = max(prev, val)
    return total or None
