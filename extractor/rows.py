"""Table rows to raw plan items: section rows and activity rows, in document order.

A raw item still holds layout cells; normalization happens later. Values of vertically
merged cells reach every row they cover; a cell merged horizontally belongs to the column
where it starts only, so no text is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.tables import ColumnSpec, PlanPart
from extractor.text import fold, is_number, split_number
from parsers.layout import Cell, Paragraph, Table


@dataclass
class RawSection:
    text: str
    bold: bool
    italic: bool
    table_index: int | None  # None for a heading paragraph between tables
    rows: list[int]
    page: int | None = None


@dataclass
class RawActivity:
    table_index: int
    rows: list[int]
    values: dict[int, Cell]  # grid column -> the cell holding that column's value
    own: set[int]  # grid columns whose cell is anchored in this row (not inherited)
    columns: list[ColumnSpec]
    page: int | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def cell(self, role: str) -> Cell | None:
        for col in self.columns:
            if col.role == role and col.index in self.values:
                return self.values[col.index]
        return None

    def text(self, role: str) -> str:
        cell = self.cell(role)
        return fold(cell.text) if cell is not None else ""

    def has_own(self, role: str) -> bool:
        return any(
            col.role == role and col.index in self.own and not self.values[col.index].is_blank
            for col in self.columns
        )


RawItem = RawSection | RawActivity


def _is_styled(cell: Cell) -> tuple[bool, bool]:
    paras = [p for p in cell.paragraphs if not p.is_blank]
    return (bool(paras) and all(p.style.bold for p in paras), bool(paras) and all(p.style.italic for p in paras))


def _row_values(table: Table, covering: list[list[Cell | None]], row: int,
                columns: list[ColumnSpec]) -> tuple[dict[int, Cell], set[int]]:
    values: dict[int, Cell] = {}
    own: set[int] = set()
    for col in columns:
        cell = covering[row][col.index] if col.index < table.n_cols else None
        if cell is None or cell.col != col.index:
            continue  # covered by a cell that starts in another column
        values[col.index] = cell
        if cell.row == row:
            own.add(col.index)
    return values, own


def section_text(table: Table, row: int) -> Cell | None:
    """The cell of a section row: the row's only non-blank cell, spanning the table (all but
    at most one column), or a lone bold/italic cell with nothing else in the row."""
    anchored = [c for c in table.row_cells(row) if not c.is_blank]
    if len(anchored) != 1:
        return None
    cell = anchored[0]
    others_blank = all(c.is_blank or c.row < row for c in _cells_in_row(table, row) if c is not cell)
    if not others_blank:
        return None
    if cell.col_span >= max(2, table.n_cols - 1):
        return cell
    bold, italic = _is_styled(cell)
    if (bold or italic) and not is_number(cell.text):
        return cell
    return None


def _cells_in_row(table: Table, row: int) -> list[Cell]:
    seen: list[Cell] = []
    for cell in table.covering()[row]:
        if cell is not None and cell not in seen:
            seen.append(cell)
    return seen


def _is_repeated_header(table: Table, row: int, part: PlanPart) -> bool:
    if part.header_rows == 0:
        return False
    texts = [fold(c.text) for c in table.row_cells(row)]
    header = [fold(c.text) for c in table.row_cells(0)]
    return bool(texts) and texts == header


def part_items(part: PlanPart) -> list[RawItem]:
    """Raw items of one plan table, after its header rows."""
    table = part.table
    covering = table.covering()
    items: list[RawItem] = []
    for row in range(part.header_rows, table.n_rows):
        if table.rows[row].header or _is_repeated_header(table, row, part):
            continue
        page = table.rows[row].page
        sec = section_text(table, row)
        if sec is not None:
            bold, italic = _is_styled(sec)
            items.append(RawSection(sec.text, bold, italic, part.table_index, [row], page))
            continue
        values, own = _row_values(table, covering, row, part.columns)
        if not any(not values[c].is_blank for c in own):
            continue  # an empty row, or one that only continues merged cells
        items.append(RawActivity(part.table_index, [row], values, own, part.columns, page))
    return items


def heading_items(headings: list[Paragraph]) -> list[RawItem]:
    """Headings between two plan tables are sections (ХМАО-style level headings)."""
    return [RawSection(p.text, p.style.bold, p.style.italic, None, [], p.page) for p in headings]


def promote_parent_rows(items: list[RawItem]) -> list[RawItem]:
    """A numbered row with no schedule, responsible or result of its own, followed by rows
    numbered under it ("1." then "1.1"), is a section, not an activity."""
    out: list[RawItem] = []
    for i, item in enumerate(items):
        if isinstance(item, RawActivity) and not any(item.has_own(r) for r in ("schedule", "responsible", "result")):
            number = _number_of(item)
            following = next((x for x in items[i + 1:] if isinstance(x, RawActivity)), None)
            if number and following is not None:
                child = _number_of(following) or ""
                if child.startswith(number + "."):
                    title = item.text("activity")
                    cell = item.cell("activity")
                    bold, italic = _is_styled(cell) if cell is not None else (False, False)
                    out.append(RawSection(f"{number}. {title}", bold, italic, item.table_index, item.rows, item.page))
                    continue
        out.append(item)
    return out


def _number_of(item: RawActivity) -> str | None:
    raw = item.text("number")
    if raw:
        return split_number(raw + " x")[0]
    return split_number(item.text("activity"))[0] if item.cell("number") is None else None
