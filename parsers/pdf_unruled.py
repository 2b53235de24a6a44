"""Unruled PDF tables: the shared unruled-table finder (parsers/unruled.py) over a text
layer's lines, in points, on all unruled pages together (every page of a table gets the same
columns), and its rows as the PDF reader's tables.

pdfplumber's own text strategy and camelot's stream and network flavours make each text line
a row of its own, so a cell of several lines is cut into as many rows; see the README.
"""

from __future__ import annotations

from parsers.layout import BBox, Cell, Row, Table
from parsers.pdf_tables import TableFound
from parsers.pdf_text import Region, TextSettings, list_marker, wraps
from parsers.text_model import Line
from parsers.unruled import Measures, UnruledSettings, UnruledTable
from parsers.unruled import unruled_tables as find_unruled


def measures(settings: UnruledSettings, text: TextSettings) -> Measures:
    """The PDF reader's sizes (points, ems of the font) and its wrap test."""

    def bulleted(line: Line) -> bool:
        found = list_marker(line, text)
        return found is not None and not found.ordered

    return Measures(settings, lambda prev, line, region: wraps(prev, line, region, text), bulleted)


def _build(found: UnruledTable, settings: UnruledSettings) -> TableFound:
    columns, page = found.columns, found.page
    n = len(columns.starts)
    edges = columns.edges(settings.padding)
    table = Table(n_cols=n, page=page)
    filled: list[tuple[Cell, list[Line], Region]] = []
    for r, row in enumerate(found.rows):
        top, bottom = row.top, row.bottom
        table.rows.append(Row(index=r, page=page, bbox=(edges[0], top, edges[-1], bottom)))
        if row.spanning:
            cell = Cell(row=r, col=0, col_span=n, bbox=(edges[0], top, edges[-1], bottom))
            table.cells.append(cell)
            filled.append((cell, row.cells[0], Region(columns.starts[0], columns.rights[-1])))
            continue
        for c in range(n):
            cell = Cell(row=r, col=c, bbox=(edges[c], top, edges[c + 1], bottom))
            table.cells.append(cell)
            filled.append((cell, row.cells[c], columns.region(c)))
    bbox: BBox = (edges[0], found.rows[0].top, edges[-1], found.rows[-1].bottom)
    return TableFound(table, bbox, [], filled)


def unruled_tables(pages: dict[int, list[Line]], settings: UnruledSettings,
                   text: TextSettings) -> dict[int, tuple[list[TableFound], list[Line]]]:
    """For each page (number -> its lines outside ruled tables), its unruled table (if any)
    and the lines left outside it."""
    out: dict[int, tuple[list[TableFound], list[Line]]] = {}
    for number, (found, rest) in find_unruled(pages, measures(settings, text)).items():
        out[number] = ([_build(found, settings)] if found is not None else [], rest)
    return out


__all__ = ["UnruledSettings", "measures", "unruled_tables"]
