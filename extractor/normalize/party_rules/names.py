"""Names as written, normalized: quotes, spacing, qualifiers and trailing punctuation."""

from __future__ import annotations

import re
from functools import cache

from extractor.normalize.party_rules.words import LOOSE_QUOTE, fold, in_dictionary, quote_spans, vocabulary
from lang import morph


def _unify_quotes(text: str) -> str:
    """Straight and German/English quotes as «», by the spans they delimit; a lone one by
    its place (opening at the start of a word, else closing)."""
    if LOOSE_QUOTE.search(text) is None:  # only «» or none: nothing to change
        return text
    chars = list(text)
    for start, end in quote_spans(text):
        if chars[start] in '"„“' and chars[end - 1] in '"“”':
            chars[start], chars[end - 1] = "«", "»"
    for i, char in enumerate(chars):
        if char in '"„“”':
            chars[i] = "«" if i == 0 or chars[i - 1] in " ([«" else "»"
    return "".join(chars)


def _balance_quotes(text: str) -> str:
    missing = text.count("«") - text.count("»")
    return text + "»" * missing if missing > 0 else text


_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_LAST_WORD_DOT = re.compile(r"(\S*)\.$")
_NOT_LETTER = re.compile(r"[^А-ЯЁа-яё-]")
_INITIALS_END = re.compile(r"(?:[А-ЯЁ]\.){2,}$")
_SPACE_AFTER_QUOTE = re.compile(r"«\s+")
_SPACE_BEFORE_QUOTE = re.compile(r"\s+»")


def _strip_qualifier(text: str) -> str:
    """Drop a parenthesized qualifier after the name: "МКУ «…» (рабочая группа)"."""
    match = _QUALIFIER.search(text) if ")" in text else None
    if match is None or match.start() == 0 or text[: match.start()].count("«") != text[: match.start()].count("»"):
        return text
    return text[: match.start()]


def strip_end(text: str) -> str:
    """Trailing punctuation off, but not the dot of a cut word ("кл.", "Делопроизводит.",
    "руков. М.О."): a dot after a whole word, an abbreviation in capitals or a space goes."""
    text = text.rstrip(" ,;:–-")
    while text.endswith("."):
        last = _LAST_WORD_DOT.search(text)
        word = last.group(1) if last else ""
        letters = _NOT_LETTER.sub("", word.split(".")[-1]).strip("-")
        cut = bool(letters) and not letters.isupper() and any(_cut_word(p) for p in letters.split("-") if p)
        if _INITIALS_END.search(text) or cut:
            break
        text = text[:-1].rstrip(" ,;:–-")
    return text


@cache
def _cut_word(word: str) -> bool:
    """A word cut short ("кл", "обр", "Делопроизводит"): not a dictionary noun or adjective."""
    if len(word) <= 2:
        return True
    parses = [p for p in morph.parses(word.lower()) if p.score >= 0.05]
    return not any(p.tag.POS in ("NOUN", "ADJF", "PRTF", "NPRO") and "Abbr" not in p.tag for p in parses) \
        or not in_dictionary(word)


def normalize_name(text: str) -> str:
    name = _strip_qualifier(_unify_quotes(fold(text)))
    if "«" in name or "»" in name:
        name = _SPACE_AFTER_QUOTE.sub("«", _SPACE_BEFORE_QUOTE.sub("»", name))
    name = vocabulary().spacing_re.sub(r"\1 ", name)
    return _balance_quotes(strip_end(name)) or fold(text)
