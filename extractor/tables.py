"""Plan tables: which tables hold the plan, their header rows and column roles.

Each step is a small function from one representation to the next: a table -> its header
rows -> its columns with roles; the document's tables -> the plan's table parts (a plan cut
into several tables with headings between them is one plan).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor import vocab
from extractor.text import fold
from models import ColumnRole
from parsers.layout import Block, Cell, Paragraph, Table

MAX_HEADER_SEARCH = 3  # rows from the top where a header may start (a caption row may precede it)


@dataclass(frozen=True)
class ColumnSpec:
    index: int  # grid column
    header: str  # "Upper / Lower" for a two-level header
    role: ColumnRole
    sub_header: str | None = None  # the lower header of a two-level header


@dataclass
class PlanPart:
    """One table of the plan, with the headings that stood before it in the document."""

    table: Table
    table_index: int  # index among all tables of the document
    header_rows: int
    columns: list[ColumnSpec]
    headings: list[Paragraph] = field(default_factory=list)


def role_of(header: str) -> ColumnRole | None:
    text = fold(header).lower().replace("ё", "е")
    if not text:
        return None
    for role, pattern in vocab.headers().roles:
        if pattern.search(text):
            return role
    return None


def _row_roles(table: Table, row: int) -> list[ColumnRole]:
    covering = table.covering()[row]
    seen: list[Cell] = []
    roles: list[ColumnRole] = []
    for cell in covering:
        if cell is None or cell in seen:
            continue
        seen.append(cell)
        role = role_of(cell.text)
        if role:
            roles.append(role)
    return roles


def looks_like_header(roles: list[ColumnRole]) -> bool:
    """A header names the activity and at least one more of the plan's core roles."""
    v = vocab.headers()
    return "activity" in roles and len(v.plan_roles.intersection(roles)) >= v.min_plan_roles


def header_start(table: Table) -> int | None:
    """Index of the first header row, or None when the table has no plan header."""
    for row in range(min(MAX_HEADER_SEARCH, table.n_rows)):
        if looks_like_header(_row_roles(table, row)):
            return row
    return None


def header_end(table: Table, start: int) -> int:
    """One past the last header row: rows marked repeating, and sub-header rows whose every
    position lies under a header cell that spans columns or continues a header cell down."""
    covering = table.covering()
    end = start + 1
    while end < table.n_rows:
        if table.rows[end].header:
            end += 1
            continue
        above = covering[end - 1]
        row = covering[end]
        under_header = all(
            cell is not None and (cell.row < end or _spans(above[c]))
            for c, cell in enumerate(row)
        )
        if not under_header or all(cell is not None and cell.row < end for cell in row):
            break
        end += 1
    return end


def _spans(cell: Cell | None) -> bool:
    return cell is not None and cell.col_span > 1


def columns_of(table: Table, start: int, end: int) -> list[ColumnSpec]:
    """Columns from the header rows [start, end): one per distinct cell of the last header row."""
    covering = table.covering()
    top = covering[start]
    bottom = covering[end - 1]
    v = vocab.headers()
    columns: list[ColumnSpec] = []
    taken: set[str] = set()
    seen: set[int] = set()
    for c in range(table.n_cols):
        cell = bottom[c]
        if cell is None or id(cell) in seen:
            continue
        seen.add(id(cell))
        upper_cell = top[c]
        upper = fold(upper_cell.text) if upper_cell is not None else ""
        lower = fold(cell.text) if cell is not upper_cell else ""
        header = f"{upper} / {lower}" if upper and lower else (upper or lower)
        role: ColumnRole = role_of(upper) or role_of(lower) or "other"
        if role in taken and role not in v.repeatable:
            role = "other"
        taken.add(role)
        columns.append(ColumnSpec(index=cell.col, header=header, role=role, sub_header=lower or None))
    return columns


def plan_parts(blocks: list[Block]) -> list[PlanPart]:
    """The tables that make up the plan, in order.

    The first table with a plan header opens the plan. A later table continues it when it has
    a plan header of its own or, without one, the same number of grid columns; the non-blank
    paragraphs between two parts are kept as headings of the later part.
    """
    parts: list[PlanPart] = []
    pending: list[Paragraph] = []
    table_index = -1
    for block in blocks:
        if isinstance(block, Paragraph):
            if parts and not block.is_blank:
                pending.append(block)
            continue
        table_index += 1
        start = header_start(block)
        if start is not None:
            end = header_end(block, start)
            parts.append(PlanPart(block, table_index, end, columns_of(block, start, end), pending))
        elif parts and block.n_cols == parts[-1].table.n_cols:
            parts.append(PlanPart(block, table_index, 0, parts[-1].columns, pending))
        else:
            continue
        pending = []
    return parts


def first_plan_table(blocks: list[Block]) -> int | None:
    """Position in `blocks` of the first plan table, or None."""
    for i, block in enumerate(blocks):
        if isinstance(block, Table) and header_start(block) is not None:
            return i
    return None
