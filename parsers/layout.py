"""The intermediate layout model every parser produces and the extractor reads.

A document is a sequence of blocks in reading order: paragraphs and tables. A table is a
grid: each cell is anchored at its top-left grid position and records how many rows and
columns it spans, so a merged cell's text exists once and covered positions stay distinct
from empty cells. Positions (page, bounding box) are filled where the format has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right", "both"]
BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in points


@dataclass(frozen=True)
class TextStyle:
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class ListInfo:
    """A list paragraph: its level, whether it is bulleted or numbered, and the label Word
    shows in front of it ("1.", "2.3.", "а)", "IV.", a bullet character; None when nothing)."""

    level: int = 0
    ordered: bool = False
    label: str | None = None


@dataclass
class Paragraph:
    text: str  # line breaks inside the paragraph are "\n"
    style: TextStyle = field(default_factory=TextStyle)
    align: Align | None = None
    heading: bool = False  # a heading/title paragraph style
    list: ListInfo | None = None
    page: int | None = None
    bbox: BBox | None = None

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Cell:
    row: int  # grid row of the top-left corner
    col: int  # grid column of the top-left corner
    paragraphs: list[Paragraph] = field(default_factory=list)
    row_span: int = 1
    col_span: int = 1
    tables: list[Table] = field(default_factory=list)  # nested tables, kept apart
    bbox: BBox | None = None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Row:
    index: int
    header: bool = False  # marked as a repeating header row by the source
    page: int | None = None
    bbox: BBox | None = None


@dataclass
class Table:
    n_cols: int
    rows: list[Row] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)  # anchors only, row-major order
    page: int | None = None
    # cells by row, built once per cells list (rebuilt when the list is replaced or grows): a
    # scan of every cell per row made large tables quadratic
    _by_row: tuple[int, int, dict[int, list[Cell]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def row_cells(self, row: int) -> list[Cell]:
        """Cells anchored in this row, left to right."""
        key = (id(self.cells), len(self.cells))
        if self._by_row is None or self._by_row[:2] != key:
            index: dict[int, list[Cell]] = {}
            for cell in self.cells:
                index.setdefault(cell.row, []).append(cell)
            self._by_row = (*key, index)
        return list(self._by_row[2].get(row, ()))

    def grid(self) -> list[list[Cell | None]]:
        """Row-major grid: each position holds the cell anchored there, or None when covered
        by a merge that starts elsewhere (or absent in a ragged row)."""
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in self.rows]
        for cell in self.cells:
            if cell.row < len(out) and cell.col < self.n_cols:
                out[cell.row][cell.col] = cell
        return out

    def covering(self) -> list[list[Cell | None]]:
        """Row-major grid: each position holds the cell that covers it (merges expanded)."""
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in self.rows]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.row_span, len(out))):
                for c in range(cell.col, min(cell.col + cell.col_span, self.n_cols)):
                    out[r][c] = cell
        return out


Block = Paragraph | Table


@dataclass
class Document:
    blocks: list[Block]
    format: str  # docx | doc | odt | rtf | pdf | scan | image
    pages: int | None = None
    ocr: bool = False
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
