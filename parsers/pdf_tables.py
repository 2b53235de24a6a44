"""Ruled PDF tables: pdfplumber's cells (rectangles between ruling lines) to a grid.

pdfplumber finds the cells of a ruled table from its lines and rectangles; a merged cell is
one rectangle over several grid positions. The grid is the set of distinct cell edges, so
each cell gets its row, column and spans, and the positions a merge covers stay distinct
from empty cells. Glyphs go to the cell that holds their centre; each cell's lines become
paragraphs within the cell's width less its padding.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from parsers.layout import BBox, Cell, Row, Table
from parsers.pdf_text import Line, Region, TextSettings, lines_of, paragraphs_of


@dataclass(frozen=True)
class TableSettings:
    snap: float = 3.0  # pt: ruling lines this close are one line (pdfplumber snap/join tolerance)
    edge_tolerance: float = 2.0  # pt: cell edges this close are one grid line
    default_padding: float = 5.4  # pt between a cell's border and its text (Word's 0.19 cm) when unmeasured
    max_padding: float = 12.0  # pt: a larger measured inset is indentation, not padding
    min_cells: int = 2  # a ruled box with fewer cells is a frame, not a table

    def finder(self) -> dict[str, Any]:
        """pdfplumber's table finder settings: cells only from drawn lines and rectangles."""
        return {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                "snap_tolerance": self.snap, "join_tolerance": self.snap, "intersection_tolerance": self.snap}


@dataclass
class TableFound:
    """A table of one page with the glyphs it took. Its cells get their paragraphs once the
    whole document is read (`fill`): how lines join depends on what every page shows."""

    table: Table
    bbox: BBox
    chars: list[dict[str, Any]]
    cell_lines: list[tuple[Cell, list[Line], Region]]

    @property
    def lines(self) -> list[Line]:
        return [line for _, lines, _ in self.cell_lines for line in lines]

    def fill(self, text: TextSettings) -> None:
        for cell, lines, region in self.cell_lines:
            cell.paragraphs = paragraphs_of(lines, region, text)


def _edges(values: Sequence[float], tolerance: float) -> list[float]:
    """Distinct positions: values closer than the tolerance become one (their first)."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out


def _index(edges: list[float], value: float, tolerance: float) -> int:
    i = bisect.bisect_left(edges, value - tolerance)
    return min(i, len(edges) - 1)


def _locate(edges: list[float], value: float) -> int:
    """Index of the grid interval [edges[i], edges[i+1]) that holds value, or -1."""
    i = bisect.bisect_right(edges, value) - 1
    return i if 0 <= i < len(edges) - 1 else -1


def _padding(cells: list[tuple[BBox, list[Line]]], settings: TableSettings) -> float:
    insets = [line.x0 - box[0] for box, lines in cells for line in lines if line.x0 - box[0] > 0]
    if not insets:
        return settings.default_padding
    return min(min(insets), settings.max_padding)


def grid_table(boxes: list[BBox], chars: list[dict[str, Any]], page: int, settings: TableSettings,
               text: TextSettings) -> TableFound | None:
    """The table made of these cell rectangles, with the glyphs inside them as text."""
    if len(boxes) < settings.min_cells:
        return None
    tol = settings.edge_tolerance
    xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    if len(xs) < 2 or len(ys) < 2:
        return None
    ordered = sorted(boxes, key=lambda b: (_index(ys, b[1], tol), _index(xs, b[0], tol)))
    bbox: BBox = (xs[0], ys[0], xs[-1], ys[-1])
    # glyphs to cells by their centre: a grid position -> the box covering it
    owner: dict[tuple[int, int], int] = {}
    spans: list[tuple[int, int, int, int]] = []
    for n, box in enumerate(ordered):
        r0, c0 = _index(ys, box[1], tol), _index(xs, box[0], tol)
        r1, c1 = max(_index(ys, box[3], tol), r0 + 1), max(_index(xs, box[2], tol), c0 + 1)
        spans.append((r0, c0, r1, c1))
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), n)
    taken: list[list[dict[str, Any]]] = [[] for _ in ordered]
    inside: list[dict[str, Any]] = []
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        r, c = _locate(ys, cy), _locate(xs, cx)
        if r < 0 or c < 0 or (r, c) not in owner:
            continue
        taken[owner[(r, c)]].append(ch)
        inside.append(ch)
    cell_lines = [(box, lines_of(found, page, text)) for box, found in zip(ordered, taken, strict=True)]
    pad = _padding(cell_lines, settings)
    table = Table(n_cols=len(xs) - 1, page=page)
    table.rows = [Row(index=r, page=page, bbox=(xs[0], ys[r], xs[-1], ys[r + 1])) for r in range(len(ys) - 1)]
    filled: list[tuple[Cell, list[Line], Region]] = []
    for (box, lines), (r0, c0, r1, c1) in zip(cell_lines, spans, strict=True):
        cell = Cell(row=r0, col=c0, row_span=r1 - r0, col_span=c1 - c0, bbox=box)
        table.cells.append(cell)
        filled.append((cell, lines, Region(box[0] + pad, box[2] - pad)))
    table.cells.sort(key=lambda cell: (cell.row, cell.col))
    return TableFound(table, bbox, inside, filled)


def ruled_tables(page: Any, settings: TableSettings, text: TextSettings) -> list[TableFound]:
    """The ruled tables of a pdfplumber page, top to bottom."""
    found: list[TableFound] = []
    for candidate in page.find_tables(settings.finder()):
        x0, top, x1, bottom = candidate.bbox
        chars = [c for c in page.chars
                 if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        table = grid_table(list(candidate.cells), chars, page.page_number, settings, text)
        if table is not None:
            found.append(table)
    found.sort(key=lambda t: t.bbox[1])
    return found
