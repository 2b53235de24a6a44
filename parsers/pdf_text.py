"""PDF text: characters to words and lines, lines to paragraphs.

A PDF keeps no paragraphs, only glyphs at positions. Lines come from pdfplumber's word
extractor; a line break is a wrap (the paragraph goes on) when the next line's first word
would not have fitted at the end of the line, and a hard break (a new paragraph) when it
would have. Words cut at a line end are put back together: a word cut without a hyphen
(a word wider than its column, forced apart) and a word hyphenated by the layout
("заведую-" + "щий" -> "заведующий"), while a real hyphen stays ("семинаров-совещаний",
"Ханты-Мансийского"); the dictionary (pymorphy3) tells the two apart. Bold and italic come
from the font names.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pdfplumber.utils.text import WordExtractor

from lang.words import HYPHENS as _HYPHENS
from lang.words import join_cut_word, join_hyphenated
from parsers.layout import Align, ListInfo, Paragraph, TextStyle
from parsers.text_model import Line as Line  # re-exported: the PDF reader's lines are the shared model's
from parsers.text_model import Region as Region  # re-exported: the regions text is measured in
from parsers.text_model import Word as Word
from parsers.text_model import group_lines, left_aligned
from parsers.text_model import wraps as text_wraps

_BULLETS = frozenset("•·–—-▪◦‣∙○●■□➢➤✓\uf0b7\uf02d\uf0a7")
_ORDINAL = re.compile(r"^(?:\d{1,2}|[a-zа-я])[.)]$")
_CID = re.compile(r"\(cid:\d+\)")
_CLOSING = frozenset(",.;:!?)»\"")


@dataclass(frozen=True)
class TextSettings:
    """Every tolerance of the text reading, in points or in ems of the font size."""

    x_tolerance: float = 1.5  # glyphs closer than this (pt) with no space glyph between are one word
    y_tolerance: float = 3.0  # glyph tops within this (pt) are one line
    wrap_slack: float = 1.0  # pt of doubt about a line's end: a word this close to fitting did not fit
    full_line_em: float = 1.0  # a line ending this close (ems) to the right edge is full
    list_gap_em: float = 0.6  # a marker followed by at least this gap (ems) is a list marker, not a typed dash
    paragraph_gap: float = 0.45  # extra space between lines (in line heights) that ends a paragraph
    align_tolerance: float = 3.0  # pt: a line this close to an edge touches it
    space_em: float = 0.25  # width of a space in ems (measured on the document where it draws spaces)
    trailing_spaces: bool = False  # the document draws the space where a line breaks at one (measured)
    bold_font: re.Pattern[str] = field(default=re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE))
    italic_font: re.Pattern[str] = field(default=re.compile(r"italic|oblique|kursiv", re.IGNORECASE))


# --- glyphs to lines --------------------------------------------------------------------

def lines_of(chars: Sequence[dict[str, Any]], page: int, settings: TextSettings) -> list[Line]:
    """The lines of these glyphs, top to bottom, each with its words left to right."""
    if not chars:
        return []
    extractor = WordExtractor(x_tolerance=settings.x_tolerance, y_tolerance=settings.y_tolerance,
                              keep_blank_chars=False)
    lines: list[Line] = []
    for line_chars, direction in extractor.iter_chars_to_lines(chars):
        position = {id(c): i for i, c in enumerate(line_chars)}
        words: list[Word] = []
        for word_chars in extractor.iter_chars_to_words(line_chars, direction):
            if not "".join(c["text"] for c in word_chars).strip():
                continue
            after = position[id(word_chars[-1])] + 1
            space = after < len(line_chars) and not line_chars[after]["text"].strip()
            words.append(_word(word_chars, settings, space))
        if words:
            lines.append(Line(words, page, trailing_space=words[-1].space_after))
    lines.sort(key=lambda line: (round(line.top, 1), line.x0))
    return lines


def _glyph_text(text: str) -> str:
    """A glyph's text; Quartz maps its one hyphen glyph to "-", a soft hyphen and "‐" at once."""
    if len(text) > 1 and all(ch in _HYPHENS for ch in text):
        return "-"
    return text


def _word(chars: list[dict[str, Any]], settings: TextSettings, space_after: bool) -> Word:
    fonts = [c["fontname"] for c in chars if c["text"].strip()]
    return Word(
        text="".join(_glyph_text(c["text"]) for c in chars),
        x0=min(c["x0"] for c in chars),
        x1=max(c["x1"] for c in chars),
        top=min(c["top"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        size=statistics.median(c["size"] for c in chars),
        bold=bool(fonts) and all(settings.bold_font.search(f) for f in fonts),
        italic=bool(fonts) and all(settings.italic_font.search(f) for f in fonts),
        space_after=space_after,
    )


def cid_count(chars: Iterable[dict[str, Any]]) -> int:
    """Glyphs of fonts without a Unicode map: pdfminer writes them as "(cid:NN)"."""
    return sum(1 for c in chars if _CID.fullmatch(c["text"]))


# --- line breaks --------------------------------------------------------------------------

def _space(word: Word, settings: TextSettings) -> float:
    return word.size * settings.space_em


def _left_aligned(line: Line, region: Region, settings: TextSettings, other: Line | None = None) -> bool:
    return left_aligned(line, region, settings.align_tolerance, other)


def is_full(line: Line, region: Region, settings: TextSettings, nxt: Line | None = None) -> bool:
    """Nothing more would fit on the line: it reaches the region's right edge (or, centred,
    its width is the region's)."""
    room = settings.full_line_em * line.words[-1].size
    if _left_aligned(line, region, settings, nxt):
        return region.right - line.x1 <= room
    return line.x1 - line.x0 >= region.width - room


def _no_space_drawn(prev: Line, line: Line, region: Region, settings: TextSettings) -> bool:
    """A producer that draws the space where it wraps a line drew none after `prev` though
    it had room for one, and the line was not broken after a hyphen or inside a word too
    long for it: so the line ended there in the source."""
    if not settings.trailing_spaces or prev.trailing_space or prev.text[-1] in _HYPHENS:
        return False
    cut_possible = len(prev.words) == 1 and (prev.x1 - prev.x0) + line.words[0].width > region.width
    return not cut_possible and prev.x1 + _space(prev.words[-1], settings) <= region.right


def wraps(prev: Line, line: Line, region: Region, settings: TextSettings) -> bool:
    """True when `line` goes on with the paragraph of `prev`: the shared wrap test
    (parsers.text_model.wraps) with a space of the font's size, unless the producer draws the
    space where it wraps a line and drew none after `prev`."""
    if _left_aligned(prev, region, settings, line) and _no_space_drawn(prev, line, region, settings):
        return False
    space = _space(line.words[0], settings) + settings.wrap_slack
    return text_wraps(prev, line, region, space, settings.align_tolerance)


def list_marker(line: Line, settings: TextSettings) -> ListInfo | None:
    """A bullet or number followed by a tab-like gap opens a list item."""
    if len(line.words) < 2:
        return None
    marker, nxt = line.words[0], line.words[1]
    if nxt.x0 - marker.x1 < settings.list_gap_em * marker.size:
        return None
    if marker.text in _BULLETS:
        return ListInfo(level=0, ordered=False)
    if _ORDINAL.match(marker.text):
        return ListInfo(level=0, ordered=True)
    return None


def _continues_word(first: str, second: str) -> bool:
    """The second part can be the rest of the first's last word: letters on both sides, and
    lower case after the cut unless the word is all capitals ("ШН" + "ОР")."""
    a, b = first[-1:], second[:1]
    if a.isalnum() and b in _CLOSING:
        return True  # "Нижневартовска" + ", имеющих": the word and its comma forced apart
    return a.isalpha() and b.isalpha() and (b.islower() or (a.isupper() and second.split(" ")[0].isupper()))


def _line_join(prev: Line, line: Line, text: str, region: Region, settings: TextSettings) -> str:
    nxt = line.text
    if prev.trailing_space:
        return text + " " + nxt
    if prev.text[-1] in _HYPHENS and len(prev.text) > 1 and prev.text[-2].isalnum():
        return join_hyphenated(text, nxt)
    if len(prev.words) == 1 and is_full(prev, region, settings, line) and _continues_word(prev.text, nxt):
        return join_cut_word(text, nxt)
    return text + " " + nxt


# --- lines to paragraphs ------------------------------------------------------------------

def _gap_breaks(prev: Line, line: Line, settings: TextSettings) -> bool:
    if line.page != prev.page:
        return False
    return line.top - prev.bottom > settings.paragraph_gap * max(prev.height, line.height)


def continues(prev: Line, line: Line, region: Region, settings: TextSettings) -> bool:
    """`line` belongs to the paragraph of `prev`."""
    if list_marker(line, settings) is not None or _gap_breaks(prev, line, settings):
        return False
    return wraps(prev, line, region, settings)


def _align(lines: list[Line], region: Region, settings: TextSettings) -> Align:
    tol = settings.align_tolerance
    for line in lines:
        gap_left, gap_right = line.x0 - region.left, region.right - line.x1
        if gap_left > tol and abs(gap_left - gap_right) <= 2 * tol:
            return "center"
        if gap_left > tol and gap_right <= tol:
            return "right"
    return "left"


def paragraph_of(lines: list[Line], region: Region, settings: TextSettings) -> Paragraph:
    """One paragraph from its lines: text joined, list marker taken off, look and box."""
    marker = list_marker(lines[0], settings)
    first = lines[0]
    text = first.text
    if marker is not None:
        text = Line(first.words[1:], first.page).text
    for prev, line in itertools.pairwise(lines):
        text = _line_join(prev, line, text, region, settings)
    if lines[-1].trailing_space:
        text += " "  # kept so that a join across a page break knows the line broke at a space
    same_page = [line for line in lines if line.page == first.page]
    bbox = (min(line.x0 for line in same_page), min(line.top for line in same_page),
            max(line.x1 for line in same_page), max(line.bottom for line in same_page))
    words = [w for line in lines for w in line.words]
    style = TextStyle(bold=all(w.bold for w in words), italic=all(w.italic for w in words))
    return Paragraph(text=text, style=style, align=_align(lines, region, settings), list=marker,
                     page=first.page, bbox=bbox)


def paragraphs_of(lines: list[Line], region: Region, settings: TextSettings) -> list[Paragraph]:
    groups = group_lines(lines, lambda prev, line: continues(prev, line, region, settings))
    return [paragraph_of(group, region, settings) for group in groups]
