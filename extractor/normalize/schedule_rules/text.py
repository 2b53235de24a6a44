"""The cell as the grammar reads it: glued words apart, lower case, dashes one, typos repaired."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from extractor.normalize.schedule_rules.grammar import grammar, key_of
from extractor.normalize.schedule_rules.items import CACHE_SIZE

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_WORD = re.compile(r"[а-яa-z]+")


@lru_cache(maxsize=CACHE_SIZE)
def _repair(word: str) -> str:
    """The word as it is plainly meant: a known typo, or a near vocabulary word."""
    g = grammar()
    if word in g.typos:
        return g.typos[word]
    if word in g.known or len(word) < g.fuzzy_min:
        return word
    targets = [t for t in g.fuzzy_targets if t[0] == word[0]]
    best = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=g.fuzzy_score)
    return str(best[0]) if best is not None else word


def normalize_text(folded: str) -> tuple[str, Sequence[int], Sequence[int]]:
    """Lower-case, "ё" -> "е", dashes -> "-", typos repaired; with the original span of
    every character (start, end) so that leftovers can be cut from the original text."""
    base = key_of(folded).translate(_DASHES)
    if all(_repair(word) == word for word in _WORD.findall(base)):  # the common case: nothing repaired
        return base, range(len(base)), range(1, len(base) + 1)
    repaired = [(m, word) for m in _WORD.finditer(base) if (word := _repair(m.group())) != m.group()]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m, word in repaired:
        out.append(base[pos:m.start()])
        starts.extend(range(pos, m.start()))
        ends.extend(range(pos + 1, m.start() + 1))
        out.append(word)
        starts.extend([m.start()] * len(word))
        ends.extend([m.end()] * len(word))
        pos = m.end()
    out.append(base[pos:])
    starts.extend(range(pos, len(base)))
    ends.extend(range(pos + 1, len(base) + 1))
    return "".join(out), starts, ends


def repairs(read: str) -> list[tuple[int, int, str]]:
    """The words `normalize_text` repairs: (start, end, the word read) in `read` (for the rule trace)."""
    base = key_of(read).translate(_DASHES)
    return [(m.start(), m.end(), word) for m in _WORD.finditer(base) if (word := _repair(m.group())) != m.group()]


_MONTH_STEM = r"(?:январ|феврал|март|апрел|ма[йяе]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*"
_GLUE: tuple[tuple[re.Pattern[str], str, bool, re.Pattern[str]], ...] = (
    # (pattern, replacement, whether it is a guess, a cheap search every match of the pattern needs)
    # "29, 30.12.15": every day of the list takes the month (and year) of the last one
    (re.compile(r"(?<![\d.])(\d{1,2})\s*,\s*(?=(?:\d{1,2}\s*,\s*)*\d{1,2}([./]\d{1,2}(?:[./]\d{2,4})?)(?![\d]|[./]\d))"),
     r"\1\2, ", False, re.compile(r"\d\s*,\s*\d")),
    # "24-25.03.16", "20-24.11", "15 -19.02": the start day takes the end's month and year
    (re.compile(r"(?<![\d.])(\d{1,2})\s*([-–—])\s*(\d{1,2})([./]\d{1,2}(?:[./]\d{2,4})?)(?![\d]|[./]\d)"),
     r"\1\4\2\3\4", False, re.compile(r"\d\s*[-–—]\s*\d")),
    # "22. 02", "23. 03.": a space after the day's dot
    (re.compile(r"(?<![\d.])(\d{1,2})\.\s+(0[1-9]|1[0-2])(?=\.?(?:\s*$|\s*[-–—,;]|\.\d))"), r"\1.\2", False,
     re.compile(r"\d\.\s+[01]")),
    # "18 09", "15.09 -16 09": a day and a two-digit month whose dot OCR lost (the Уссурийск
    # детдом 2015-16 scan), where they stand alone between the cell's ends and dashes or commas
    (re.compile(r"(?:(?<=^)|(?<=[-–—,;]))(\s*)(\d{1,2})\s+(0[1-9]|1[0-2])(?=\s*(?:$|[-–—,;]))"), r"\1\2.\3", True,
     re.compile(r"\d\s+[01]\d")),
    # "Февраль, 2017 год": the comma between a month and its year
    (re.compile(rf"(?i)({_MONTH_STEM})\s*,\s*(?=(?:19|20)\d\d\s*(?:г|год))"), r"\1 ", False,
     re.compile(r",\s*(?:19|20)\d\d")),
    # "до10.09", "16августа", "2019-2020гг.": a word glued to a number
    (re.compile(r"(?<=[А-Яа-яЁё])(?=\d)|(?<=\d)(?=[А-Яа-яЁё])"), " ", True, re.compile(r"[А-Яа-яЁё]\d|\d[А-Яа-яЁё]")),
    # "по плануРОО": a lower-case word glued to a capital one
    (re.compile(r"(?<=[а-яё])(?=[А-ЯЁ])"), " ", True, re.compile(r"[а-яё][А-ЯЁ]")),
    # "В теч.года", "по отд.плану": a dot glued to the next word
    (re.compile(r"(?<=[а-яё]\.)(?=[а-яё]{2})"), " ", True, re.compile(r"[а-яё]\.[а-яё]{2}")),
)


# Any of the searches above, factored by first character: most cells need no rewrite at all.
_GLUE_ANY = re.compile(r"\d(?:\s*[-–—,]\s*\d|\.?\s+[01]|[А-Яа-яЁё])|[А-Яа-яЁё]\d|[а-яё](?:[А-ЯЁ]|\.[а-яё]{2})"
                       r"|,\s*(?:19|20)\d\d")


def unglue(text: str) -> tuple[str, bool]:
    """The text with glued words and numbers apart and day lists spelled out; and whether a
    guess was made (words split where the writer left no space)."""
    if _GLUE_ANY.search(text) is None:  # no rewrite can match, and so none can change the text
        return text, False
    guessed = False
    for pattern, replacement, guess, needs in _GLUE:
        if needs.search(text) is None:
            continue
        new = pattern.sub(replacement, text)
        if new != text:
            guessed = guessed or guess
            text = new
    return text, guessed
