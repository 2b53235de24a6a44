"""Unruled tables: columns and rows from the position of the text alone, for both page readers.

A table without ruling lines still shows its columns: the text of every cell starts at its
column's left edge, so the starts of the pieces of text that lines break into (pieces apart
by more than a word space) pile up at a few places. Those places are the columns (found on all
the pages given together, so every page of a table gets the same ones). A table is the run of
lines whose pieces each stay inside one column; a line that runs across a column edge inside
it is a row spanning the table (a section row).

Rows: cells are top-aligned, so a column whose text starts on a line where it had none on the
line above opens a new row, and so does a number in the first column under a line that has
text there (two numbers are never one cell); where every column goes on, the row goes on
unless all of them break there at once (each could have fitted its next word on the line
above).

The PDF reader (parsers/pdf_unruled.py, in points, all pages at once) and the OCR reader
(parsers/scan.py, in pixels, a page at a time) both use this, each with its own `Measures`:
the sizes in its unit and its own wrap test. pdfplumber's text strategy and camelot's stream
and network flavours make each text line a row of its own, so a cell of several lines is cut
into as many rows; see the README.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from parsers.geometry import cluster
from parsers.text_model import Line, Region, Word, gap_pieces

_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*[.)]?")


@dataclass(frozen=True)
class UnruledSettings:
    """Sizes in the reader's unit (points for a PDF, pixels for a scan) or in ems of the font."""

    gap_em: float = 0.6  # words this far apart (ems) are in different cells
    gap: float = 0.0  # ... or this far apart in the reader's unit (a scan knows no font size)
    edge_tolerance: float = 2.5  # pieces starting this close start the same column
    min_support: int = 3  # a column start needs this many pieces starting there
    min_support_share: float = 0.1  # ... and this share of the lines with several pieces
    padding: float = 5.4  # between a column's text and its invisible border (Word's 0.19 cm)
    min_columns: int = 3  # a table opens with a line that has text in this many columns
    min_table_lines: int = 1  # ... and has at least this many such lines
    max_gap_lines: float = 1.5  # a blank space taller than this many lines ends the table


@dataclass(frozen=True)
class Measures:
    """What the algorithm asks of a reader: its sizes, its wrap test (does `line` go on with
    `prev`'s paragraph within a column's region) and whether a line opens with a bullet glued
    to its text (a bullet and its text are one piece however far apart)."""

    settings: UnruledSettings
    wraps: Callable[[Line, Line, Region], bool]
    bulleted: Callable[[Line], bool] = field(default=lambda line: False)


@dataclass
class Piece:
    """The words of one line that lie in one cell."""

    words: list[Word]
    line: Line

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    def as_line(self) -> Line:
        return Line(self.words, self.line.page, trailing_space=self.words[-1].space_after, block=self.line.block)


@dataclass
class Columns:
    starts: list[float]
    rights: list[float] = field(default_factory=list)  # right edge of each column's text

    def index(self, x: float, tolerance: float) -> int:
        """The column a piece starting at x belongs to (-1 left of the first)."""
        i = -1
        for n, start in enumerate(self.starts):
            if x >= start - tolerance:
                i = n
        return i

    def crosses(self, piece: Piece, tolerance: float) -> bool:
        c = self.index(piece.x0, tolerance)
        return c < 0 or (c + 1 < len(self.starts) and piece.x1 > self.starts[c + 1] - tolerance)

    def region(self, c: int) -> Region:
        return Region(self.starts[c], self.rights[c])

    def edges(self, padding: float) -> list[float]:
        """The invisible borders: each column's start less the padding, and the last column's
        text end plus it."""
        return [s - padding for s in self.starts] + [self.rights[-1] + padding]


@dataclass
class UnruledRow:
    spanning: bool  # a section row: its lines run across the column edges
    lines: list[Line]
    cells: list[list[Line]]  # by column, each line cut to its piece there; a spanning row: all in [0]

    @property
    def top(self) -> float:
        return min(line.top for line in self.lines)

    @property
    def bottom(self) -> float:
        return max(line.bottom for line in self.lines)


@dataclass
class UnruledTable:
    page: int
    columns: Columns
    rows: list[UnruledRow]


def pieces(line: Line, measures: Measures) -> list[Piece]:
    """The line cut where its words are further apart than a word space; a bullet and its
    text stay one piece (a number before a gap may be a number column, so it is cut off)."""
    s = measures.settings
    keep = 1 if measures.bulleted(line) else None
    return [Piece(words, line) for words in gap_pieces(line.words, lambda w: max(s.gap, s.gap_em * w.size), keep)]


def column_starts(pages: Sequence[Sequence[Line]], measures: Measures) -> list[float]:
    """Places where pieces of several-piece lines pile up: the columns' left edges."""
    s = measures.settings
    multi = [ps for lines in pages for line in lines if len(ps := pieces(line, measures)) >= 2]
    need = max(s.min_support, s.min_support_share * len(multi))
    starts = [p.x0 for ps in multi for p in ps]
    return [min(group) for group in cluster(starts, s.edge_tolerance) if len(group) >= need]


def _fits(line: Line, columns: Columns, measures: Measures) -> bool:
    tolerance = measures.settings.edge_tolerance
    return not any(columns.crosses(p, tolerance) for p in pieces(line, measures))


def cells_of(line: Line, columns: Columns, measures: Measures) -> dict[int, Piece]:
    """The pieces of a fitting line by column (pieces of one column merged)."""
    out: dict[int, Piece] = {}
    for piece in pieces(line, measures):
        c = columns.index(piece.x0, measures.settings.edge_tolerance)
        if c in out:
            out[c].words += piece.words
        else:
            out[c] = piece
    return out


def _is_number(piece: Piece) -> bool:
    return len(piece.words) == 1 and _NUMBER.fullmatch(piece.words[0].text) is not None


def _new_row(prev: Line, line: Line, columns: Columns, measures: Measures) -> bool:
    above, below = cells_of(prev, columns, measures), cells_of(line, columns, measures)
    if any(c not in above for c in below):
        return True  # a column starts its text here: cells are top-aligned, so a new row
    if 0 in below and _is_number(below[0]):
        return True  # a number under the first column's text: the next item
    going_on = [measures.wraps(above[c].as_line(), below[c].as_line(), columns.region(c)) for c in below]
    return not any(going_on) and len(below) >= 2


def table_span(lines: list[Line], columns: Columns, measures: Measures) -> tuple[int, int] | None:
    """First and last line of the table on a page: from the first line with text in several
    columns to the last line that fits the columns before a wide blank space."""
    s = measures.settings
    fits = [_fits(line, columns, measures) for line in lines]
    full = [fits[i] and len(cells_of(line, columns, measures)) >= s.min_columns for i, line in enumerate(lines)]
    first = next((i for i, is_full in enumerate(full) if is_full), None)
    if first is None:
        return None
    end = first
    while end + 1 < len(lines) and lines[end + 1].top - lines[end].bottom <= s.max_gap_lines * lines[end].height:
        end += 1
    last = max(i for i in range(first, end + 1) if fits[i])
    if sum(full[first:last + 1]) < s.min_table_lines:
        return None
    return first, last


def _rows(lines: list[Line], columns: Columns, measures: Measures) -> list[UnruledRow]:
    """The rows: a spanning row holds lines that cross column edges; every other row's lines
    are cut into the columns."""
    groups: list[tuple[bool, list[Line]]] = []
    whole = Region(columns.starts[0], columns.rights[-1])
    for line in lines:
        spanning = not _fits(line, columns, measures)
        if groups and groups[-1][0] == spanning:
            prev = groups[-1][1][-1]
            if spanning and measures.wraps(prev, line, whole):
                groups[-1][1].append(line)
                continue
            if not spanning and not _new_row(prev, line, columns, measures):
                groups[-1][1].append(line)
                continue
        groups.append((spanning, [line]))
    rows: list[UnruledRow] = []
    for spanning, row_lines in groups:
        cells: list[list[Line]] = [[] for _ in columns.starts]
        if spanning:
            cells[0] = list(row_lines)
        else:
            for line in row_lines:
                for c, piece in cells_of(line, columns, measures).items():
                    cells[c].append(piece.as_line())
        rows.append(UnruledRow(spanning, row_lines, cells))
    return rows


Found = tuple[UnruledTable | None, list[Line]]  # a page's table (or None) and the lines outside it


def unruled_tables(pages: dict[int, list[Line]], measures: Measures) -> dict[int, Found]:
    """For each page (number -> its lines outside ruled tables, top to bottom), its unruled
    table (if any) and the lines left outside it."""
    s = measures.settings
    starts = column_starts(list(pages.values()), measures)
    if len(starts) < 2:
        return {number: (None, lines) for number, lines in pages.items()}
    columns = Columns(starts)
    found: dict[int, tuple[int, int]] = {}
    for number, lines in pages.items():
        span = table_span(lines, columns, measures)
        if span is not None:
            found[number] = span
    # the right edge of each column's text: as far as its text reaches on any page, and at
    # least to the next column's start less the padding on both sides
    rights = [start - 2 * s.padding for start in starts[1:]] + [starts[-1]]
    for number, (first, last) in found.items():
        for line in pages[number][first:last + 1]:
            if _fits(line, columns, measures):
                for c, piece in cells_of(line, columns, measures).items():
                    rights[c] = max(rights[c], piece.x1)
    columns.rights = rights
    out: dict[int, Found] = {}
    for number, lines in pages.items():
        if number not in found:
            out[number] = (None, lines)
            continue
        first, last = found[number]
        table = UnruledTable(number, columns, _rows(lines[first:last + 1], columns, measures))
        out[number] = (table, lines[:first] + lines[last + 1:])
    return out


__all__ = ["Columns", "Measures", "UnruledRow", "UnruledSettings", "UnruledTable", "cells_of", "column_starts",
           "pieces", "table_span", "unruled_tables"]
