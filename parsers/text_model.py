"""The text model both page readers produce: words with their boxes and look, lines of words.

The PDF reader (parsers/pdf_text.py, from pdfplumber's glyphs) and the OCR reader
(parsers/ocr_engine.py, from Tesseract) give the same `Word` and `Line`, each in its own unit:
points for a PDF, pixels at the OCR resolution for a scan. Everything that measures lines
(tolerances, gaps, widths) takes its sizes from the reader's own settings, in that unit, so the
code above the readers never converts. What a reader cannot tell stays at its default: OCR
knows no font size (0) and reads no bold from the glyphs (it measures strokes later), a text
layer has no recognition confidence (100).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in the reader's unit


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 0.0  # font size; 0 where the reader does not know it (OCR)
    bold: bool = False
    italic: bool = False
    space_after: bool = False  # a space glyph follows the word (PDF)
    conf: float = 100.0  # recognition confidence, 0..100; a text layer is certain

    @classmethod
    def boxed(cls, text: str, conf: float, box: Box) -> Word:
        """A recognized word: its text, confidence and box, nothing else known."""
        return cls(text, box[0], box[2], box[1], box[3], conf=conf)

    @property
    def box(self) -> Box:
        return self.x0, self.top, self.x1, self.bottom

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Line:
    """Words of one text line, in reading order. `x0`/`x1` are where the first word starts and
    the last one ends (what a line-break test measures); `box` is the extent of all words."""

    words: list[Word]
    page: int = 0
    trailing_space: bool = False  # a space glyph after the last word: the line was broken at a space
    block: int = 0  # the reader's layout block (Tesseract's page-level reading); 0 without

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        return (min(w.x0 for w in self.words), min(w.top for w in self.words),
                max(w.x1 for w in self.words), max(w.bottom for w in self.words))

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def size(self) -> float:
        return statistics.median(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words if w.text.strip())

    @property
    def italic(self) -> bool:
        return all(w.italic for w in self.words if w.text.strip())


@dataclass(frozen=True)
class Region:
    """The horizontal extent text may use: a page's text area, a cell without its padding, an
    unruled column from its left edge to as far as its text reaches."""

    left: float
    right: float

    @property
    def width(self) -> float:
        return self.right - self.left


def left_aligned(line: Line, region: Region, tolerance: float, other: Line | None = None) -> bool:
    """The line starts at the region's left edge, or at the same indent as its neighbour."""
    return line.x0 - region.left <= tolerance or (other is not None and abs(line.x0 - other.x0) <= tolerance)


def wraps(prev: Line, line: Line, region: Region, space: float, tolerance: float) -> bool:
    """True when `line` goes on with the paragraph of `prev`: its first word, with `space`
    before it, would not have fitted at the end of `prev`. Left-aligned and justified lines end
    at the region's right edge; centred and right-aligned ones are measured by their width.
    The one wrap test of both readers: each passes its own space (the PDF reader's from the
    font size, the OCR reader's measured on the page) and tolerance, in its unit."""
    need = space + line.words[0].width
    if left_aligned(prev, region, tolerance, line):
        return prev.x1 + need > region.right
    return (prev.x1 - prev.x0) + need > region.width


def group_lines(lines: Iterable[Line], continues: Callable[[Line, Line], bool]) -> list[list[Line]]:
    """Lines in reading order to paragraphs: a line joins the paragraph of the line before it
    where `continues(previous, line)`, the reader's own test of a wrapped line (the PDF reader
    measures against the text area's edge in points, the OCR reader against its width in pixels
    with a measured space; see parsers/pdf_text.py and parsers/ocr_text.py)."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups and continues(groups[-1][-1], line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def gap_pieces(words: Sequence[Word], min_gap: Callable[[Word], float], keep: int | None = None) -> list[list[Word]]:
    """A line's words cut where the white before a word is at least `min_gap(word)`: the pieces
    an unruled table's cells are made of (both readers find unruled columns from them). The word
    at index `keep` stays with the one before it whatever the gap (a bullet and its text)."""
    out: list[list[Word]] = []
    for n, word in enumerate(words):
        if out and (word.x0 - out[-1][-1].x1 < min_gap(word) or n == keep):
            out[-1].append(word)
        else:
            out.append([word])
    return out


__all__ = ["Box", "Line", "Region", "Word", "gap_pieces", "group_lines", "left_aligned", "wraps"]
