"""Unruled PDF tables: columns and rows from the position of the text alone.

A table without ruling lines still shows its columns: the text of every cell starts at its
column's left edge, so the starts of the pieces of text that lines break into (pieces apart
by more than a word space) pile up at a few places across the document. Those places are the
columns (found on all unruled pages together, so every page of a table gets the same ones).
A table is the run of lines whose pieces each stay inside one column; a line that runs across
a column edge inside it is a row spanning the table (a section row).

Rows: cells are top-aligned, so a column whose text starts on a line where it had none on the
line above opens a new row; where every column goes on, the row goes on unless all of them
break there at once (each could have fitted its next word on the line above).

pdfplumber's own text strategy and camelot's stream and network flavours make each text line
a row of its own, so a cell of several lines is cut into as many rows; see the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.geometry import cluster
from parsers.layout import BBox, Cell, Row, Table
from parsers.pdf_tables import TableFound
from parsers.pdf_text import Region, TextSettings, list_marker, wraps
from parsers.text_model import Line, Word, gap_pieces

_MARKERS = TextSettings()


@dataclass(frozen=True)
class UnruledSettings:
    gap_em: float = 0.6  # words this far apart (ems) are in different cells
    edge_tolerance: float = 2.5  # pt: pieces starting this close start the same column
    min_support: int = 3  # a column start needs this many pieces starting there
    min_support_share: float = 0.1  # ... and this share of the lines with several pieces
    padding: float = 5.4  # pt between a column's text and its invisible border (Word's 0.19 cm)
    min_columns: int = 3  # a table opens with a line that has text in this many columns
    max_gap_lines: float = 1.5  # a blank space taller than this many lines ends the table


@dataclass
class _Piece:
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
        return Line(self.words, self.line.page, trailing_space=self.words[-1].space_after)


@dataclass
class _Columns:
    starts: list[float]
    rights: list[float] = field(default_factory=list)  # right edge of each column's text

    def index(self, x: float, tolerance: float) -> int:
        """The column a piece starting at x belongs to (-1 left of the first)."""
        i = -1
        for n, start in enumerate(self.starts):
            if x >= start - tolerance:
                i = n
        return i

    def crosses(self, piece: _Piece, tolerance: float) -> bool:
        c = self.index(piece.x0, tolerance)
        return c < 0 or (c + 1 < len(self.starts) and piece.x1 > self.starts[c + 1] - tolerance)


def pieces(line: Line, settings: UnruledSettings) -> list[_Piece]:
    """The line cut where its words are further apart than a word space; a bullet and its
    text stay one piece (a number before a gap may be a number column, so it is cut off)."""
    found = list_marker(line, _MARKERS)
    keep = 1 if found is not None and not found.ordered else None
    return [_Piece(words, line) for words in gap_pieces(line.words, lambda w: settings.gap_em * w.size, keep)]


def column_starts(pages: Sequence[Sequence[Line]], settings: UnruledSettings) -> list[float]:
    """Places where pieces of several-piece lines pile up: the columns' left edges."""
    multi = [ps for lines in pages for line in lines if len(ps := pieces(line, settings)) >= 2]
    need = max(settings.min_support, settings.min_support_share * len(multi))
    starts = [p.x0 for ps in multi for p in ps]
    return [min(group) for group in cluster(starts, settings.edge_tolerance) if len(group) >= need]


def _fits(line: Line, columns: _Columns, settings: UnruledSettings) -> bool:
    return not any(columns.crosses(p, settings.edge_tolerance) for p in pieces(line, settings))


def _cells_of(line: Line, columns: _Columns, settings: UnruledSettings) -> dict[int, _Piece]:
    """The pieces of a fitting line by column (pieces of one column merged)."""
    out: dict[int, _Piece] = {}
    for piece in pieces(line, settings):
        c = columns.index(piece.x0, settings.edge_tolerance)
        if c in out:
            out[c].words += piece.words
        else:
            out[c] = piece
    return out


def _region(columns: _Columns, c: int) -> Region:
    return Region(columns.starts[c], columns.rights[c])


def _new_row(prev: Line, line: Line, columns: _Columns, settings: UnruledSettings, text: TextSettings) -> bool:
    above, below = _cells_of(prev, columns, settings), _cells_of(line, columns, settings)
    if any(c not in above for c in below):
        return True  # a column starts its text here: cells are top-aligned, so a new row
    going_on = [wraps(above[c].as_line(), below[c].as_line(), _region(columns, c), text) for c in below]
    return not any(going_on) and len(below) >= 2


def table_span(lines: list[Line], columns: _Columns, settings: UnruledSettings) -> tuple[int, int] | None:
    """First and last line of the table on a page: from the first line with text in several
    columns to the last line that fits the columns before a wide blank space."""
    fits = [_fits(line, columns, settings) for line in lines]
    first = next((i for i, line in enumerate(lines)
                  if fits[i] and len(_cells_of(line, columns, settings)) >= settings.min_columns), None)
    if first is None:
        return None
    end = first
    while end + 1 < len(lines) and lines[end + 1].top - lines[end].bottom <= settings.max_gap_lines * lines[end].height:
        end += 1
    last = max(i for i in range(first, end + 1) if fits[i])
    return first, last


def _rows(lines: list[Line], columns: _Columns, settings: UnruledSettings,
          text: TextSettings) -> list[tuple[bool, list[Line]]]:
    """(spanning, lines) of every row: a spanning row holds lines that cross column edges."""
    rows: list[tuple[bool, list[Line]]] = []
    for line in lines:
        spanning = not _fits(line, columns, settings)
        if rows and rows[-1][0] == spanning:
            prev = rows[-1][1][-1]
            region = Region(columns.starts[0], columns.rights[-1])
            if spanning and wraps(prev, line, region, text):
                rows[-1][1].append(line)
                continue
            if not spanning and not _new_row(prev, line, columns, settings, text):
                rows[-1][1].append(line)
                continue
        rows.append((spanning, [line]))
    return rows


def _build(rows: list[tuple[bool, list[Line]]], columns: _Columns, page: int,
           settings: UnruledSettings) -> TableFound:
    pad = settings.padding
    n = len(columns.starts)
    edges = [s - pad for s in columns.starts] + [columns.rights[-1] + pad]
    table = Table(n_cols=n, page=page)
    filled: list[tuple[Cell, list[Line], Region]] = []
    for r, (spanning, lines) in enumerate(rows):
        top, bottom = min(line.top for line in lines), max(line.bottom for line in lines)
        table.rows.append(Row(index=r, page=page, bbox=(edges[0], top, edges[-1], bottom)))
        if spanning:
            cell = Cell(row=r, col=0, col_span=n, bbox=(edges[0], top, edges[-1], bottom))
            table.cells.append(cell)
            filled.append((cell, lines, Region(columns.starts[0], columns.rights[-1])))
            continue
        by_column: dict[int, list[Line]] = {c: [] for c in range(n)}
        for line in lines:
            for c, piece in _cells_of(line, columns, settings).items():
                by_column[c].append(piece.as_line())
        for c in range(n):
            cell = Cell(row=r, col=c, bbox=(edges[c], top, edges[c + 1], bottom))
            table.cells.append(cell)
            filled.append((cell, by_column[c], _region(columns, c)))
    bbox: BBox = (edges[0], table.rows[0].bbox[1] if table.rows[0].bbox else 0.0, edges[-1],
                  table.rows[-1].bbox[3] if table.rows[-1].bbox else 0.0)
    return TableFound(table, bbox, [], filled)


def unruled_tables(pages: dict[int, list[Line]], settings: UnruledSettings,
                   text: TextSettings) -> dict[int, tuple[list[TableFound], list[Line]]]:
    """For each page (number -> its lines outside ruled tables), its unruled table (if any)
    and the lines left outside it."""
    starts = column_starts(list(pages.values()), settings)
    if len(starts) < 2:
        return {number: ([], lines) for number, lines in pages.items()}
    columns = _Columns(starts)
    found: dict[int, tuple[int, int]] = {}
    for number, lines in pages.items():
        span = table_span(lines, columns, settings)
        if span is not None:
            found[number] = span
    # the right edge of each column's text: as far as its text reaches on any page, and at
    # least to the next column's start less the padding on both sides
    rights = [start - 2 * settings.padding for start in starts[1:]] + [starts[-1]]
    for number, (first, last) in found.items():
        for line in pages[number][first:last + 1]:
            if _fits(line, columns, settings):
                for c, piece in _cells_of(line, columns, settings).items():
                    rights[c] = max(rights[c], piece.x1)
    columns.rights = rights
    out: dict[int, tuple[list[TableFound], list[Line]]] = {}
    for number, lines in pages.items():
        if number not in found:
            out[number] = ([], lines)
            continue
        first, last = found[number]
        rows = _rows(lines[first:last + 1], columns, settings, text)
        out[number] = ([_build(rows, columns, number, settings)], lines[:first] + lines[last + 1:])
    return out
