"""Plan tables: which tables hold the plan, their header rows and column roles.

Each step is a small function from one representation to the next: the document's blocks ->
tables cut by page breaks stitched back together (paged sources: PDF, scans) -> a table ->
its header rows -> its columns with roles; the document's tables -> the plan's table parts
(a plan cut into several tables with headings between them is one plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from extractor.text import MONTH_STEMS, NUMBER_PREFIX, close_letter_spacing, fold
from lang import vocab
from lang.words import join_page_cut
from models import ColumnRole
from parsers.layout import Block, Cell, Paragraph, Table

MAX_HEADER_SEARCH = 3  # rows from the top where a header may start (a caption row may precede it)
MAX_HEADER_CELL = 120  # characters: a longer cell is a data cell, not a column's name
MAX_HEADER_ROWS = 4  # a header (with its sub-header and column-number rows) is at most this tall


@dataclass(frozen=True)
class StitchSettings:
    column_tolerance: float = 4.0  # pt: column edges of two pages' tables this close are the same columns
    max_header_rows: int = 3  # at most this many rows at the top of a page can repeat the header
    # a header row read again on a new page: as alike as this (rapidfuzz ratio of the rows'
    # texts), for OCR drops or misreads a letter or a word («№» for «№ п/п» on a scanned page)
    header_similarity: float = 90.0


STITCH = StitchSettings()


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
    continuations: frozenset[int] = frozenset()  # rows that continue the row above (cut by a page break)
    header_start: int = 0  # rows above it are a caption inside the table
    inferred: bool = False  # no header: the columns' roles were read from the cells


def _header_text(header: str) -> str:
    return close_letter_spacing(fold(header)).lower().replace("ё", "е")


def role_rank(header: str) -> tuple[ColumnRole, int] | None:
    """The header's role and the rank of the pattern that gave it (0 = the strongest)."""
    text = _header_text(header)
    if not text:
        return None
    for role, patterns in vocab.headers().roles:
        for rank, pattern in enumerate(patterns):
            if pattern.search(text):
                return role, rank
    return None


def role_of(header: str) -> ColumnRole | None:
    found = role_rank(header)
    return found[0] if found else None


_DATA_MARKS = re.compile(r"[«»\d]")  # quotes and digits are data: a column's name has neither


def _header_like(text: str) -> bool:
    flat = fold(text)
    return len(flat) <= MAX_HEADER_CELL and not (_DATA_MARKS.search(flat) and not flat.startswith("№"))


def _row_roles(table: Table, row: int) -> list[ColumnRole]:
    """Roles the row's cells name; a long or numbered cell names none (it is data)."""
    covering = table.covering()[row]
    seen: list[Cell] = []
    roles: list[ColumnRole] = []
    for cell in covering:
        if cell is None or cell in seen:
            continue
        seen.append(cell)
        if not _header_like(cell.text):
            continue
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


def is_column_numbers(table: Table, row: int) -> bool:
    """A row that only numbers the columns ("1 | 2 | 3 | 4"), printed under many headers."""
    texts = [fold(c.text).rstrip(".") for c in table.row_cells(row) if not c.is_blank]
    return len(texts) >= 3 and all(t.isdigit() for t in texts) and [int(t) for t in texts] == list(
        range(int(texts[0]), int(texts[0]) + len(texts)))


def _trusted_header_flags(table: Table, start: int) -> bool:
    """Word's "repeat as header row" marks are trusted only as a short run at the top: some
    real plans mark every row."""
    run = 0
    while start + run < table.n_rows and table.rows[start + run].header:
        run += 1
    return 0 < run <= MAX_HEADER_ROWS and start + run < table.n_rows


def header_end(table: Table, start: int) -> int:
    """One past the last header row: rows marked repeating, sub-header rows whose every
    position lies under a header cell that spans columns or continues a header cell down,
    and a row that only numbers the columns."""
    covering = table.covering()
    flags = _trusted_header_flags(table, start)
    end = start + 1
    while end < table.n_rows and end - start < MAX_HEADER_ROWS:
        if flags and table.rows[end].header:
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
    if end < table.n_rows and is_column_numbers(table, end):
        end += 1
    return end


_LOWER_START = re.compile(r"^[a-zа-яё]")


def rejoin_cut_header(table: Table, end: int) -> tuple[Table, int]:
    """A header whose last row a page break cut: the first row of the next page holds only the
    rest of some header cells (short, no data, each going on in lower case under a filled
    header cell of the same width). Its text joins the cells above, which then reach down
    over it, and the header ends after it. Otherwise the table and `end` unchanged."""
    if end >= table.n_rows or end == 0 or end not in page_starts(table):
        return table, end
    covering = table.covering()
    below = [c for c in table.row_cells(end) if not c.is_blank]
    if not below or any(not _header_like(c.text) or not _LOWER_START.match(fold(c.text)) for c in below):
        return table, end
    above: dict[int, Cell] = {}
    for cell in below:
        top = covering[end - 1][cell.col]
        if top is None or top.is_blank or (top.col, top.col_span) != (cell.col, cell.col_span):
            return table, end
        above[id(cell)] = top
    cells: list[Cell] = []
    for cell in table.cells:
        if cell.row == end and all(cell.col + i < table.n_cols and covering[end - 1][cell.col + i] is not None
                                   for i in range(cell.col_span)):
            continue  # part of the header cell above it
        if cell.row <= end - 1 < cell.row + cell.row_span and cell.row + cell.row_span == end:
            gone = next((b for b in below if above[id(b)] is cell), None)
            paragraphs = list(cell.paragraphs)
            if gone is not None:
                last = max(i for i, p in enumerate(paragraphs) if p.text.strip())
                joined = join_page_cut(paragraphs[last].text, fold(gone.text), False)
                paragraphs[last] = replace(paragraphs[last], text=joined)
            cell = replace(cell, paragraphs=paragraphs, row_span=cell.row_span + 1)
        cells.append(cell)
    covered = {(c.row + dr, c.col + dc) for c in cells for dr in range(c.row_span) for dc in range(c.col_span)}
    if any((end, col) not in covered for col in range(table.n_cols)):
        return table, end  # a position of the cut row no header cell reaches: not a plain cut
    return replace(table, cells=cells), end + 1


def _spans(cell: Cell | None) -> bool:
    return cell is not None and cell.col_span > 1


def columns_of(table: Table, start: int, end: int) -> list[ColumnSpec]:
    """Columns from the header rows [start, end): one per distinct cell of the last header
    row (a column-number row under the header does not count). Where two columns claim a role
    that a table has once, the stronger header word wins, then the leftmost."""
    covering = table.covering()
    if end - start > 1 and is_column_numbers(table, end - 1):
        end -= 1
    top = covering[start]
    bottom = covering[end - 1]
    v = vocab.headers()
    found: list[tuple[Cell, str, str, tuple[ColumnRole, int] | None]] = []
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
        found.append((cell, header, lower, role_rank(upper) or role_rank(lower)))
    # the column holding each once-only role: the strongest header word, then the leftmost
    ranked = sorted((rr[1], i, rr[0]) for i, (_, _, _, rr) in enumerate(found) if rr is not None)
    best: dict[ColumnRole, int] = {}
    for _, i, claimed in ranked:
        best.setdefault(claimed, i)
    columns: list[ColumnSpec] = []
    for i, (cell, header, lower, rr) in enumerate(found):
        role: ColumnRole = "other" if rr is None else rr[0]
        if rr is not None and role not in v.repeatable and best.get(role) != i:
            role = "other"
        columns.append(ColumnSpec(index=cell.col, header=header, role=role, sub_header=lower or None))
    return _unnamed_numbers(table, end, columns)


def _unnamed_numbers(table: Table, end: int, columns: list[ColumnSpec]) -> list[ColumnSpec]:
    """A column whose header cell is empty and whose cells hold numbers (1, 2, 3 …) is the
    number column, where the table has none: the «№» left out of the header. So is a first
    column whose header is a letter or two (what OCR left of «№ п/п»: «п»)."""
    if any(c.role == "number" for c in columns):
        return columns
    grid = table.covering()
    out = list(columns)
    for i, col in enumerate(columns):
        remnant = i == 0 and len(col.header.strip()) <= 2
        if (col.header and not remnant) or col.role != "other":
            continue
        texts = [fold(cell.text) for r in range(end, table.n_rows) if (cell := grid[r][col.index]) is not None
                 and cell.row == r and cell.col == col.index and not cell.is_blank]
        numbered = sum(bool(_NUMBER_CELL.match(t)) for t in texts)
        if len(texts) >= INFER_MIN_ROWS and numbered >= INFER_SHARE * len(texts):
            out[i] = replace(col, role="number")
            break
    return out


@dataclass(frozen=True)
class SkippedTable:
    table_index: int
    reason: str  # before_plan | no_plan_header | other_header | empty
    text: str


@dataclass
class TableChoice:
    parts: list[PlanPart]
    skipped: list[SkippedTable]


def table_text(table: Table) -> str:
    rows: dict[int, list[str]] = {}
    for cell in table.cells:
        text = fold(cell.text)
        if text:
            rows.setdefault(cell.row, []).append(text)
    return "\n".join(" | ".join(cells) for _, cells in sorted(rows.items()))


def regrid(table: Table, columns: list[ColumnSpec], n_cols: int) -> Table | None:
    """A header-less table laid on the plan's columns by cell order: every row has one cell
    (a section row) or one cell per plan column. None where the rows do not fit."""
    k = len(columns)
    counts = [len(table.row_cells(r)) for r in range(table.n_rows)]
    if not any(n == k for n in counts) or any(n not in (0, 1, k) for n in counts):
        return None
    bounds = [c.index for c in columns] + [n_cols]
    cells: list[Cell] = []
    for r in range(table.n_rows):
        row = table.row_cells(r)
        if len(row) == 1 and k > 1:
            cells.append(replace(row[0], col=0, col_span=n_cols, row_span=1))
            continue
        for i, cell in enumerate(row):
            cells.append(replace(cell, col=bounds[i], col_span=bounds[i + 1] - bounds[i], row_span=1))
    return Table(n_cols=n_cols, rows=list(table.rows), cells=cells, page=table.page)


def _foreign_header(table: Table) -> bool:
    """The table's first row names columns of its own: two or more header words in short
    cells, none of them numbered (a numbered row is a data row that happens to hold them)."""
    if table.n_rows == 0:
        return False
    cells = [c for c in table.row_cells(0) if not c.is_blank]
    if any(NUMBER_PREFIX.match(c.text) for c in cells):
        return False
    return len(_row_roles(table, 0)) >= 2


def choose_tables(blocks: list[Block]) -> TableChoice:
    """The tables that make up the plan, in order, and every other table with the reason.

    The first table with a plan header opens the plan. A later table continues it when it has
    a plan header of its own or, without one (and without a header of another kind), the
    same grid columns or one cell per plan column in every row; the non-blank paragraphs
    between two parts are kept as headings of the later part.
    """
    parts: list[PlanPart] = []
    skipped: list[SkippedTable] = []
    pending: list[Paragraph] = []
    table_index = -1
    for block in blocks:
        if isinstance(block, Paragraph):
            if parts and not block.is_blank:
                pending.append(block)
            continue
        table_index += 1
        if not any(not c.is_blank for c in block.cells):
            skipped.append(SkippedTable(table_index, "empty", ""))
            continue
        start = header_start(block)
        if start is not None:
            end = header_end(block, start)
            block, end = rejoin_cut_header(block, end)
            if any(r.header for r in block.rows[end:]):
                # marks on data rows are not trusted (see _trusted_header_flags)
                block = replace(block, rows=[replace(r, header=r.header and i < end) for i, r in enumerate(block.rows)])
            parts.append(PlanPart(block, table_index, end, columns_of(block, start, end), pending,
                                  header_start=start))
        elif not parts:
            skipped.append(SkippedTable(table_index, "before_plan", table_text(block)))
            continue
        elif _foreign_header(block):
            skipped.append(SkippedTable(table_index, "other_header", table_text(block)))
            continue
        elif block.n_cols == parts[-1].table.n_cols:
            parts.append(PlanPart(block, table_index, 0, parts[-1].columns, pending))
        else:
            laid = regrid(block, parts[-1].columns, parts[-1].table.n_cols)
            if laid is not None:
                parts.append(PlanPart(laid, table_index, 0, parts[-1].columns, pending))
            elif (inferred := infer_columns(block)) is not None:
                parts.append(PlanPart(block, table_index, 0, inferred, pending, inferred=True))
            else:
                skipped.append(SkippedTable(table_index, "no_plan_header", table_text(block)))
                continue
        pending = []
    if not parts:
        return _headerless_plan(blocks, skipped)
    return TableChoice(parts, skipped)


_DATE_LIKE = re.compile(
    rf"\b({MONTH_STEMS}|квартал|полугоди|ежемесячн|ежеквартальн|ежегодн|постоянно|в течение)"
    r"|\b\d{1,2}\.\d{2}(?:\.\d{2,4})?\b", re.IGNORECASE)
_NUMBER_CELL = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")  # a row's number: "1", "2.3", "4."
INFER_MIN_ROWS = 3  # a table read without a header needs at least this many rows
INFER_SHARE = 0.6  # share of a column's non-blank cells that must read as numbers / dates


def infer_columns(table: Table) -> list[ColumnSpec] | None:
    """Column roles from the cells themselves, for a table without a header (a scanned page
    that continues a plan): numbers, dates, the longest texts (the activity), and the next
    column with text after the activity (the responsible). None where the cells do not read so."""
    grid = table.covering()
    cols: dict[int, list[str]] = {}
    for c in range(table.n_cols):
        seen: list[str] = []
        last: Cell | None = None
        for row in grid:
            cell = row[c]
            if cell is None or cell is last or cell.col != c:
                continue
            last = cell
            if not cell.is_blank:
                seen.append(fold(cell.text))
        if seen:
            cols[c] = seen
    if table.n_rows < INFER_MIN_ROWS or len(cols) < 2:
        return None

    def share(texts: list[str], test: re.Pattern[str]) -> float:
        return sum(bool(test.search(t)) for t in texts) / len(texts)

    numbers = [c for c, t in cols.items() if share(t, _NUMBER_CELL) >= INFER_SHARE]
    dates = [c for c, t in cols.items() if c not in numbers and share(t, _DATE_LIKE) >= INFER_SHARE]
    rest = [c for c in cols if c not in numbers and c not in dates]
    if not dates or not rest:
        return None
    activity = max(rest, key=lambda c: sum(len(t) for t in cols[c]) / len(cols[c]))
    after = [c for c in rest if c > activity and c != activity]
    roles: dict[int, ColumnRole] = {activity: "activity", dates[0]: "schedule"}
    if numbers and numbers[0] < activity:
        roles[numbers[0]] = "number"
    if after:
        roles[after[0]] = "responsible"
    return [ColumnSpec(index=c, header="", role=roles.get(c, "other")) for c in sorted(cols)]


def _headerless_plan(blocks: list[Block], skipped: list[SkippedTable]) -> TableChoice:
    """A document with no plan header at all (a page of a plan scanned alone): its tables
    whose cells read as a plan, columns inferred from the cells."""
    parts: list[PlanPart] = []
    kept: list[SkippedTable] = []
    tables = [b for b in blocks if isinstance(b, Table)]
    for entry in skipped:
        columns = infer_columns(tables[entry.table_index]) if entry.reason == "before_plan" else None
        if columns is None:
            kept.append(entry)
            continue
        parts.append(PlanPart(tables[entry.table_index], entry.table_index, 0, columns, inferred=True))
    return TableChoice(parts, kept if parts else skipped)


def plan_parts(blocks: list[Block]) -> list[PlanPart]:
    """The tables that make up the plan, in order (see `choose_tables`)."""
    return choose_tables(blocks).parts


def first_plan_table(blocks: list[Block]) -> int | None:
    """Position in `blocks` of the first plan table, or None."""
    for i, block in enumerate(blocks):
        if isinstance(block, Table) and header_start(block) is not None:
            return i
    return None


# --- tables cut by page breaks ----------------------------------------------------------

def column_edges(table: Table) -> list[float] | None:
    """The left edge of every grid column and the right edge of the last, from the cells'
    boxes; None where the table has no positions (Word) or a column has no cell edge."""
    edges: list[float | None] = [None] * (table.n_cols + 1)
    for cell in table.cells:
        if cell.bbox is None:
            return None
        if edges[cell.col] is None:
            edges[cell.col] = cell.bbox[0]
        end = min(cell.col + cell.col_span, table.n_cols)
        if edges[end] is None:
            edges[end] = cell.bbox[2]
    if any(edge is None for edge in edges):
        return None
    return [edge for edge in edges if edge is not None]


def continues_table(a: Table, b: Table, settings: StitchSettings = STITCH) -> bool:
    """`b` is `a` going on over a page break: it starts the page after the one where `a` ends,
    with nothing between them (the caller passes neighbouring blocks; running heads and page
    numbers are gone), and has the same columns at the same places."""
    if not a.rows or not b.rows or a.n_cols != b.n_cols:
        return False
    end, start = a.rows[-1].page, b.rows[0].page
    if end is None or start is None or start != end + 1:
        return False
    ea, eb = column_edges(a), column_edges(b)
    return ea is not None and eb is not None and all(
        abs(x - y) <= settings.column_tolerance for x, y in zip(ea, eb, strict=True))


def same_row(a: Table, row_a: int, b: Table, row_b: int, settings: StitchSettings = STITCH) -> bool:
    """The two rows say the same: the same cells, texts equal or (read again by OCR) alike."""
    cells_a, cells_b = a.row_cells(row_a), b.row_cells(row_b)
    if not cells_a or [(c.col, c.col_span) for c in cells_a] != [(c.col, c.col_span) for c in cells_b]:
        return False
    texts_a, texts_b = [fold(c.text) for c in cells_a], [fold(c.text) for c in cells_b]
    if texts_a == texts_b:
        return True
    cutoff = settings.header_similarity  # rapidfuzz stops early below it: this runs for every body row
    return fuzz.ratio(" | ".join(texts_a), " | ".join(texts_b), score_cutoff=cutoff) >= cutoff


def repeated_header(a: Table, b: Table, settings: StitchSettings = STITCH) -> int:
    """How many of `b`'s first rows repeat `a`'s first rows: a header repeated on a new page."""
    k = 0
    limit = min(settings.max_header_rows, a.n_rows, b.n_rows - 1)
    while k < limit and same_row(a, k, b, k, settings):
        k += 1
    return k


def join_pages(a: Table, b: Table, settings: StitchSettings = STITCH) -> Table:
    """One table of `a` and its continuation `b`: `b`'s repeated header rows dropped (and
    `a`'s rows they repeat marked as header), `b`'s rows appended with their pages kept."""
    k = repeated_header(a, b, settings)
    offset = a.n_rows - k
    rows = [replace(r, header=r.header or i < k) for i, r in enumerate(a.rows)]
    rows += [replace(r, index=r.index + offset) for r in b.rows[k:]]
    cells = [replace(c) for c in a.cells]
    cells += [replace(c, row=c.row + offset) for c in b.cells if c.row >= k]
    return Table(n_cols=a.n_cols, rows=rows, cells=cells, page=a.page)


def stitch_pages(blocks: list[Block], settings: StitchSettings = STITCH) -> list[Block]:
    """The blocks with every table that goes on over page breaks made one table."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if isinstance(block, Table) and isinstance(prev, Table) and continues_table(prev, block, settings):
            out[-1] = join_pages(prev, block, settings)
        else:
            out.append(block)
    return out


def page_starts(table: Table) -> list[int]:
    """Rows that open a new page of the table (each after a page break)."""
    return [r for r in range(1, table.n_rows)
            if table.rows[r].page is not None and table.rows[r - 1].page is not None
            and table.rows[r].page != table.rows[r - 1].page]
