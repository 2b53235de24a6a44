"""Words cut apart by a line or page break, put together again as the dictionary says.

Shared by the page parsers (line ends inside a cell) and the extractor (rows cut by a page
break): a hyphen stays where it belongs to the text ("семинаров-совещаний",
"Ханты-Мансийского") and goes where it only broke a word ("заведую-" + "щий").
"""

from __future__ import annotations

import re
from functools import cache

from pymorphy3.units import DictionaryAnalyzer, KnownPrefixAnalyzer

from lang.morph import analyzer

HYPHENS = "-\u00ad\u2010\u2011"
_WORD_CHARS = re.compile(r"[A-Za-zА-Яа-яЁё]+")
_CLOSING = frozenset(",.;:!?)»\"")


@cache
def known(word: str, prefixed: bool = True) -> bool:
    """A dictionary word, or (`prefixed`) a dictionary word after a known prefix ("внутри" +
    "школьной")."""
    morph = analyzer()
    lower = word.lower()
    if morph.word_is_known(lower):
        return True
    return prefixed and "-" not in lower and any(
        isinstance(p.methods_stack[0][0], DictionaryAnalyzer)
        and isinstance(p.methods_stack[-1][0], KnownPrefixAnalyzer) for p in morph.parse(lower))


def _tail_word(text: str) -> str:
    found = _WORD_CHARS.findall(text.rsplit(" ", 1)[-1])
    return found[-1] if found else ""


def _head_word(text: str) -> str:
    found = _WORD_CHARS.match(text.split(" ", 1)[0])
    return found.group() if found else ""


def join_hyphenated(first: str, second: str) -> str:
    """Two parts of a text cut after a hyphen. The hyphen stays where it belongs to the text:
    before a capital ("Ханты-" + "Мансийского"), after a digit ("2023-" + "2024"), and where
    the second part is a word of its own ("семинаров-" + "совещаний", "форсайт-" + "сессия").
    It goes where it only broke a word: the joined word is in the dictionary and the
    hyphenated one not ("заведую-" + "щий", "по-" + "мощь"), or the second part is no word
    ("неуспеш-" + "ности", "Лопу-" + "хова")."""
    stem = first[:-1]
    a, b = _tail_word(stem), _head_word(second)
    if not a or not b or not stem[-1:].isalpha() or not second[:1].isalpha() or b[0].isupper():
        return stem + "-" + second
    if known(a + b) and not known(f"{a}-{b}", prefixed=False):
        return stem + second
    if known(b):
        return stem + "-" + second
    return stem + second


def join_cut_word(first: str, second: str) -> str:
    """Two parts of a word forced apart at a line end without a hyphen ("Исполнител" + "и"):
    joined, unless both parts are words and the whole is not."""
    if second[:1] in _CLOSING:
        return first + second
    a, b = _tail_word(first), _head_word(second)
    if a and b and known(a, prefixed=False) and known(b, prefixed=False) and not known(a + b):
        return first + " " + second
    return first + second


def join_page_cut(first: str, second: str, cut_word: bool) -> str:
    """Two parts of a text cut by a page break (the end of one page's cell, the start of the
    next): a space between them where the first part ends in one (the line broke at a
    space), none after a hyphen (see `join_hyphenated`), and none inside a word the layout
    forced apart at the cell's edge (`cut_word`, known from the geometry), which the
    dictionary confirms: the first part is not a word and the two together are."""
    if first.endswith(" ") or not first.strip():
        return f"{first.rstrip()} {second}".strip()
    if first[-1:] in HYPHENS and first[-2:-1].isalnum():
        return join_hyphenated(first, second)
    a, b = _tail_word(first), _head_word(second)
    if cut_word and first[-1:].isalpha() and b[:1].islower() and not known(a, prefixed=False) and known(a + b):
        return first + second
    return f"{first} {second}"
