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

from pdfplumber.table import merge_edges
from pdfplumber.utils.geometry import filter_edges, obj_to_edges

from parsers.geometry import cluster
from parsers.layout import BBox, Cell, Row, Table
from parsers.pdf_text import Region, TextSettings, lines_of, paragraphs_of
from parsers.text_model import Line


@dataclass(frozen=True)
class TableSettings:
    snap: float = 3.0  # pt: ruling lines this close are one line (pdfplumber snap/join tolerance)
    edge_tolerance: float = 2.0  # pt: cell edges this close are one grid line
    default_padding: float = 5.4  # pt between a cell's border and its text (Word's 0.19 cm) when unmeasured
    max_padding: float = 12.0  # pt: a larger measured inset is indentation, not padding
    min_cells: int = 2  # a ruled box with fewer cells is a frame, not a table
    max_rule: float = 3.0  # pt: a filled rectangle at most this thick is a drawn rule, a wider one shading
    white: float = 0.95  # a colour this light (every channel, 0..1) does not show on paper

    def finder(self, vertical: list[dict[str, Any]], horizontal: list[dict[str, Any]]) -> dict[str, Any]:
        """pdfplumber's table finder settings: cells only from the rules given."""
        return {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal,
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


def _shows(color: Any, settings: TableSettings) -> bool:
    """The colour shows on white paper: not white (grey 1, RGB 1,1,1 or CMYK 0,0,0,0)."""
    if isinstance(color, int | float):
        values = [float(color)]
    elif isinstance(color, tuple | list) and color and all(isinstance(v, int | float) for v in color):
        values = [float(v) for v in color]
    else:
        return True  # unset (black by default) or a pattern
    if len(values) == 4:
        return max(values) > 1 - settings.white
    return min(values) < settings.white


def _is_rule(obj: dict[str, Any], settings: TableSettings) -> bool:
    """The object draws a visible line: a stroke in a showing colour, or a thin filled bar.
    Word and Acrobat paint white boxes behind text lines and shade cells with wide fills;
    their edges are no rules (taken as rules, every text line became a table row)."""
    if obj.get("stroke", obj["object_type"] == "line") and _shows(obj.get("stroking_color"), settings) \
            and obj.get("linewidth", 1) > 0:
        return True
    return bool(obj.get("fill")) and min(obj["width"], obj["height"]) <= settings.max_rule \
        and _shows(obj.get("non_stroking_color"), settings)


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    return {"object_type": "closing_edge", "orientation": orientation, "x0": x0, "x1": x1, "top": top,
            "bottom": bottom, "width": x1 - x0, "height": bottom - top}


def _closing(vertical: list[dict[str, Any]], horizontal: list[dict[str, Any]],
             settings: TableSettings) -> list[dict[str, Any]]:
    """Rules that close a table whose top or bottom line is not drawn (a row cut by a page
    break, a table of column rules only): where several column rules end at one height with
    no row rule there, a row rule joins their ends."""
    tol = settings.snap
    # rules drawn in pieces (a piece a text line) joined first: only a whole rule's ends count
    joined = merge_edges([*vertical, *horizontal], tol, tol, tol, tol)
    vertical = [e for e in joined if e["orientation"] == "v"]
    horizontal = [e for e in joined if e["orientation"] == "h"]
    ends: list[tuple[float, float]] = []  # (y, x) of column-rule ends with no row rule through them
    for edge in vertical:
        for y in (edge["top"], edge["bottom"]):
            x = edge["x0"]
            if not any(abs(h["top"] - y) <= tol and h["x0"] - tol <= x <= h["x1"] + tol for h in horizontal):
                ends.append((y, x))
    out: list[dict[str, Any]] = []
    for group in cluster([y for y, _ in ends], tol):
        lo, hi = group[0], group[-1]
        xs = sorted({round(x, 1) for y, x in ends if lo <= y <= hi})
        if len(_edges(xs, tol)) >= 2:
            y = sum(group) / len(group)
            out.append(_edge("h", xs[0], y, xs[-1], y))
    return out


def rules(page: Any, settings: TableSettings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page's visible column and row rules (pdfplumber edges), the closing ones added."""
    edges = [e for obj in [*page.rects, *page.lines, *page.curves] if _is_rule(obj, settings)
             for e in obj_to_edges(obj)]
    vertical = filter_edges(edges, "v", min_length=1)
    horizontal = filter_edges(edges, "h", min_length=1)
    return vertical, horizontal + _closing(vertical, horizontal, settings)


def ruled_tables(page: Any, settings: TableSettings, text: TextSettings) -> list[TableFound]:
    """The ruled tables of a pdfplumber page, top to bottom."""
    found: list[TableFound] = []
    vertical, horizontal = rules(page, settings)
    if len(vertical) < 2 or len(horizontal) < 2:
        return found  # pdfplumber wants two of each; fewer make no table anyway
    for candidate in page.find_tables(settings.finder(vertical, horizontal)):
        x0, top, x1, bottom = candidate.bbox
        chars = [c for c in page.chars
                 if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        table = grid_table(list(candidate.cells), chars, page.page_number, settings, text)
        if table is not None:
            found.append(table)
    found.sort(key=lambda t: t.bbox[1])
    return found
