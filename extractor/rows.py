"""Table rows to raw plan items: section rows and activity rows, in document order.

A raw item still holds layout cells; normalization happens later. Values of vertically
merged cells reach every row they cover; a cell merged horizontally belongs to the column
where it starts only, so no text is counted twice.

In a paged source (PDF, scan) a row cut by a page break is put back together first
(`rejoin_page_breaks`): the decision needs the geometry of the cut and the text on both sides.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field, replace

from extractor.metadata import opens_plan as _opens_plan
from extractor.metadata import split_heading
from extractor.tables import ColumnSpec, PlanPart, page_starts, same_row
from extractor.text import DASH_ITEM, NUMBER_PREFIX, clean_number, fold, is_number, split_number
from lang import vocab
from lang.words import join_page_cut
from parsers.layout import Cell, Paragraph, Table, TextStyle

_HYPHEN_END = re.compile(r"\w[-\u00ad\u2010\u2011]\s*$")
_READS_ON = re.compile(r"^[a-zа-яё0-9(,;:.)»\"-]")  # text that cannot open a cell of its own
_SENTENCE_END = ".!?;"
_OPENERS = ",:;(«\"“„"  # a text ending in one of these goes on


@dataclass
class RawSection:
    text: str
    bold: bool
    italic: bool
    table_index: int | None  # None for a heading paragraph between tables
    rows: list[int]
    page: int | None = None
    note_only: bool = False  # text between tables above any heading: a note of the section open before it


@dataclass
class RawActivity:
    table_index: int
    rows: list[int]
    values: dict[int, Cell]  # grid column -> the cell holding that column's value
    own: set[int]  # grid columns whose cell is anchored in this row (not inherited)
    columns: list[ColumnSpec]
    page: int | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    joined: list[tuple[int, int]] = field(default_factory=list)  # (table, row) of another table's text joined in

    def cell(self, role: str) -> Cell | None:
        for col in self.columns:
            if col.role == role and col.index in self.values:
                return self.values[col.index]
        return None

    def text(self, role: str) -> str:
        cell = self.cell(role)
        if cell is None:
            return ""
        text = fold(cell.text)
        return text or (list_label(cell) if role == "number" else "")

    def has_own(self, role: str) -> bool:
        return any(
            col.role == role and col.index in self.own and not self.values[col.index].is_blank
            for col in self.columns
        )


RawItem = RawSection | RawActivity


def list_label(cell: Cell) -> str:
    """The number Word shows in front of a cell's first numbered paragraph ("1.", "2.3."):
    real plans number their rows with automatic numbering, the cell's own text empty."""
    for p in cell.paragraphs:
        label = p.list.label if p.list is not None and p.list.ordered else None
        if label:
            return label.strip()
    return ""


@dataclass(frozen=True)
class SkippedRow:
    """A non-empty row of a plan table that is neither an activity nor a section."""

    table_index: int
    row: int
    reason: str  # summary_row | example_row
    text: str
    page: int | None = None


def _is_styled(cell: Cell) -> tuple[bool, bool]:
    paras = [p for p in cell.paragraphs if not p.is_blank]
    return (bool(paras) and all(p.style.bold for p in paras), bool(paras) and all(p.style.italic for p in paras))


def _column_for(columns: list[ColumnSpec], n_cols: int, cell: Cell, taken: set[int]) -> ColumnSpec | None:
    """The column a cell lies under: the one whose grid range it overlaps most; on a tie (a
    data row split unlike its header: "№ п/п" over two grid columns, the number in the first,
    the activity across the second and third) the one not yet holding a cell of the row."""
    ordered = sorted(columns, key=lambda c: c.index)
    bounds = [c.index for c in ordered] + [n_cols]
    lo, hi = cell.col, cell.col + cell.col_span
    scored = [(min(hi, bounds[i + 1]) - max(lo, bounds[i]), col) for i, col in enumerate(ordered)]
    best = max((score for score, _ in scored), default=0)
    if best <= 0:
        return None
    ties = [col for score, col in scored if score == best]
    return next((col for col in ties if col.index not in taken), ties[0])


def _row_values(table: Table, covering: list[list[Cell | None]], row: int,
                columns: list[ColumnSpec]) -> tuple[dict[int, Cell], set[int]]:
    """Each column's cell in this row. A cell that starts between two column starts (a data
    row split finer than its header) goes to the column it lies under, after that column's
    own text, so no text of the row is dropped."""
    values: dict[int, Cell] = {}
    own: set[int] = set()
    cells = _distinct(covering[row])
    ordered = sorted(columns, key=lambda c: c.index)
    by_order = len(cells) == len(ordered) and any(c.col != col.index for c, col in zip(cells, ordered, strict=True))
    for i, cell in enumerate(cells):
        # as many cells as columns: the i-th cell is the i-th column's, however the grid is cut
        col = ordered[i] if by_order else _column_for(columns, table.n_cols, cell, set(values))
        if col is None:
            continue
        if cell.row == row:
            own.add(col.index)
        if col.index in values:
            if cell.is_blank:
                continue
            first = values[col.index]
            cell = replace(first, paragraphs=[*first.paragraphs, *cell.paragraphs],
                           tables=[*first.tables, *cell.tables])
        values[col.index] = cell
    return values, own


# --- numbered lists across a row's cells ----------------------------------------------------

_ITEM_NUMBER = re.compile(r"^\s*(\d{1,2})[.)]\s*")


def _lines(cell: Cell) -> list[Paragraph]:
    """A cell's non-blank lines as paragraphs (line breaks inside a paragraph split too)."""
    out: list[Paragraph] = []
    for p in cell.paragraphs:
        for line in p.text.split("\n"):
            if line.strip():
                out.append(replace(p, text=line))
    return out


def _numbered(lines: list[Paragraph]) -> bool:
    """Lines numbered 1, 2, 3 … in order, by their text or as an ordered Word list."""
    if all(p.list is not None and p.list.ordered for p in lines):
        return True
    numbers = [_ITEM_NUMBER.match(p.text) for p in lines]
    return all(numbers) and [int(m.group(1)) for m in numbers if m] == list(range(1, len(lines) + 1))


def _only_numbers(lines: list[Paragraph]) -> bool:
    return all(is_number(p.text) for p in lines)


def split_listed(item: RawActivity) -> list[RawActivity]:
    """A row whose activity cell is a numbered list of K items, beside a schedule cell holding
    K lines (or a number cell holding K numbers), is K activities:
    each takes the i-th line of every cell that has K lines and the whole of the others.
    Otherwise the list stays in the one activity (its sub-items)."""
    act = item.cell("activity")
    if act is None:
        return [item]
    items = _lines(act)
    k = len(items)
    if k < 2:
        return [item]
    by_col = {c: _lines(cell) for c, cell in item.values.items()}
    number_cols = [c.index for c in item.columns if c.role == "number" and c.index in item.values]
    numbered_by_column = any(len(by_col[c]) == k and _only_numbers(by_col[c]) for c in number_cols)
    if not (_numbered(items) or numbered_by_column):
        return [item]
    # dates item by item make the items activities; people one per line alone do not (a
    # meeting's agenda lists its speakers line by line)
    partners = [c.index for c in item.columns if c.role == "schedule" and c.index in item.values
                and len(by_col[c.index]) == k]
    if not partners and not numbered_by_column:
        return [item]
    act_col = next(c.index for c in item.columns if c.role == "activity" and c.index in item.values)
    own_number = [c for c in number_cols if not (len(by_col[c]) == k and _only_numbers(by_col[c]))]
    out: list[RawActivity] = []
    for i in range(k):
        values = dict(item.values)
        for c, lines in by_col.items():
            if len(lines) == k:
                values[c] = replace(item.values[c], paragraphs=[replace(lines[i], list=None)])
        match = _ITEM_NUMBER.match(items[i].text)
        if match and own_number:
            # the item's own printed number replaces the block's, and leaves the title
            title = replace(items[i], text=items[i].text[match.end():], list=None)
            values[act_col] = replace(item.values[act_col], paragraphs=[title])
            number = replace(items[i], text=match.group(1), list=None)
            values[own_number[0]] = replace(item.values[own_number[0]], paragraphs=[number])
        out.append(replace(item, values=values, own=set(item.own)))
    return out


def section_text(table: Table, covering: list[list[Cell | None]], row: int) -> Cell | None:
    """The cell of a section row: the row's only non-blank cell, spanning the table (all but
    at most one column), or a lone bold/italic cell with nothing else in the row."""
    anchored = [c for c in table.row_cells(row) if not c.is_blank]
    if len(anchored) == 2 and anchored[0].col_span >= max(2, table.n_cols - 1):
        # a spanning heading with one more cell past it (a grid wider than the header): its note
        first, extra = anchored
        return replace(first, paragraphs=[*first.paragraphs, *extra.paragraphs])
    if len(anchored) != 1 or not any(ch.isalpha() for ch in split_number(fold(anchored[0].text))[1]):
        return None  # an empty numbered row ("5.", "II.") is no section
    cell = anchored[0]
    others_blank = all(c.is_blank or c.row < row for c in _distinct(covering[row]) if c is not cell)
    if not others_blank:
        return None
    if cell.col_span >= max(2, table.n_cols - 1):
        return cell
    bold, italic = _is_styled(cell)
    if (bold or italic) and not is_number(cell.text):
        return cell
    return None


def _is_repeated_header(table: Table, row: int, part: PlanPart) -> bool:
    return part.header_rows > 0 and same_row(table, 0, table, row)


def row_text(table: Table, row: int) -> str:
    return " | ".join(fold(c.text) for c in table.row_cells(row) if not c.is_blank)


def _skip_reason(text: str) -> str | None:
    v = vocab.headers()
    first = text.split(" | ")[0]
    if v.summary_rows.match(first):
        return "summary_row"
    if v.example_rows.match(first):
        return "example_row"
    return None


def part_items(part: PlanPart, skipped: list[SkippedRow] | None = None) -> list[RawItem]:
    """Raw items of one plan table, after its header rows. Rows that sum up or show an
    example go to `skipped` with their text."""
    table = part.table
    covering = table.covering()
    items: list[RawItem] = []
    for row in range(part.header_rows, table.n_rows):
        if row in part.continuations:
            if items:
                items[-1].rows.append(row)  # the second part of a row cut by a page break
            continue
        if table.rows[row].header or _is_repeated_header(table, row, part):
            continue
        page = table.rows[row].page
        text = row_text(table, row)
        reason = _skip_reason(text) if text else None
        if reason is not None:
            if skipped is not None:
                skipped.append(SkippedRow(part.table_index, row, reason, text, page))
            continue
        sec = section_text(table, covering, row)
        if sec is not None:
            bold, italic = _is_styled(sec)
            label = list_label(sec)
            text = f"{label} {sec.text.lstrip()}" if label and not split_number(fold(sec.text))[0] else sec.text
            items.append(RawSection(text, bold, italic, part.table_index, [row], page))
            continue
        values, own = _row_values(table, covering, row, part.columns)
        if not any(not values[c].is_blank for c in own):
            continue  # an empty row, or one that only continues merged cells
        items += split_listed(RawActivity(part.table_index, [row], values, own, part.columns, page))
    return items


def heading_items(headings: list[Paragraph]) -> list[RawItem]:
    """Headings between two plan tables are sections (ХМАО-style level headings). Where they
    open another plan of the same file (an approval stamp, a title "План …"), that plan's title
    is one section and its stamp and the lines under the title are the section's note."""
    texts = [p for p in headings if not p.is_blank]
    if not texts:
        return []
    first = texts[0]
    heading = split_heading(texts)
    if heading.approval is not None or (heading.title and heading.lead >= 0 and _opens_plan(texts)):
        lines = [heading.title or "", *(heading.approval.text for _ in [0] if heading.approval), *heading.preamble]
        text = "\n".join(line for line in lines if line)
        return [RawSection(text, first.style.bold, first.style.italic, None, [], first.page)]
    # each heading opens a section; prose, lists and their labels under it are its note
    groups: list[tuple[list[Paragraph], list[Paragraph]]] = []  # (title lines, note lines)
    lead: list[Paragraph] = []  # text above the first heading: the note of the section open before
    heads = [_heading_line(p) and not _is_label(p, texts[i + 1] if i + 1 < len(texts) else None)
             and not _listed_number(texts, i) for i, p in enumerate(texts)]
    for p, is_heading in zip(texts, heads, strict=True):
        title, note = groups[-1] if groups else ([], [])
        if title and not note and (_heading_goes_on(title[-1], p) or (len(title) == 1 and is_number(title[0].text))):
            title.append(p)  # the rest of a heading set over two lines; the heading after a bare «II.»
        elif is_heading:
            groups.append(([p], []))
        elif groups:
            note.append(p)
        else:
            lead.append(p)
    out: list[RawItem] = []
    if lead:
        out.append(RawSection("\n".join(fold(p.text) for p in lead), lead[0].style.bold, lead[0].style.italic,
                              None, [], lead[0].page, note_only=True))
    for title, note in groups:
        text = "\n".join([" ".join([_labelled(title[0]), *(fold(p.text) for p in title[1:])]),
                          *(fold(p.text) for p in note)])
        out.append(RawSection(text, title[0].style.bold, title[0].style.italic, None, [], title[0].page))
    return out


def _labelled(p: Paragraph) -> str:
    """A heading's text with the number Word shows in front of it, where it has no typed one."""
    text = fold(p.text)
    label = p.list.label if p.list is not None and p.list.ordered and p.list.label else None
    return f"{label.strip()} {text}" if label and not split_number(text)[0] else text


MAX_HEADING_LINE = 150  # characters: a longer line between tables is prose, not a heading
MAX_LABEL_WORDS = 6  # a label of the text under it ("Задачи:", "Ожидаемые результаты:") is this short
_LABEL = re.compile(r"^(?P<label>[^:]*[^\W\d_][»\")]?)\s*:")  # "Цель:", "Цель работы: оказание …"
_SENTENCE_STOP = ".!?:;"


def _heading_line(p: Paragraph) -> bool:
    text = fold(p.text)
    if not any(ch.isalpha() for ch in text):
        return is_number(text)  # a bare «2.» over a table numbers it; a stray mark heads nothing
    if p.list is not None:  # Word's numbered heading («2. План внутришкольного контроля»), not a list's item
        return p.list.ordered and bool(p.list.label) and (p.heading or p.style.bold or p.align == "center")
    if len(text) > MAX_HEADING_LINE or text[:1] in "-–—•":
        return False
    return p.heading or p.style.bold or p.align == "center" or (text.isupper() and len(text) > 3) \
        or bool(NUMBER_PREFIX.match(text))


def _is_label(p: Paragraph, nxt: Paragraph | None) -> bool:
    """A line that names the text under it rather than heading a part of the plan: a short
    phrase ending in a colon («Цель:», «Задачи:», «Тема: …») with text after it, or a short line
    directly above a list («Август» over its bullets) that is not centred as a heading is."""
    text = fold(p.text)
    label = _LABEL.match(text)
    if label is not None and len(label.group("label").split()) <= MAX_LABEL_WORDS:
        return nxt is not None or bool(text[label.end():].strip())  # «Задачи:» right above a table heads it
    listed = nxt is not None and (nxt.list is not None or bool(DASH_ITEM.match(fold(nxt.text))))
    return listed and len(text.split()) <= MAX_LABEL_WORDS and p.align != "center" and not p.heading


def _number_value(p: Paragraph) -> int | None:
    """The number a line carries in front (typed, or Word's list label), when it is a plain one."""
    label = p.list.label if p.list is not None and p.list.ordered and p.list.label else None
    number = clean_number(label) if label else split_number(fold(p.text))[0]
    return int(number) if number and number.isdigit() else None


def _listed_number(lines: list[Paragraph], i: int) -> bool:
    """A typed number in plain type that goes on from the numbered line before it or into the
    one after it (1., 2., 3. …) is an item of a list, not a heading."""
    p = lines[i]
    n = _number_value(p) if p.list is None and not p.style.bold else None
    if n is None:
        return False
    numbered = [(k, v) for k, q in enumerate(lines) if (v := _number_value(q)) is not None]
    before = [v for k, v in numbered if k < i]
    after = [v for k, v in numbered if k > i]
    return (bool(before) and before[-1] == n - 1) or (bool(after) and after[0] == n + 1)


def _heading_goes_on(above: Paragraph, p: Paragraph) -> bool:
    """`p` is the rest of the heading line above: it starts in lower case (or the line above
    ends in a comma or hyphen), or both are set in capitals alike and the upper one does not
    end a sentence."""
    a, b = fold(above.text), fold(p.text)
    if not b or _is_label(p, None):
        return False
    if b[0].islower() or a[-1:] in ",-":
        return True
    caps = [t for t in (a, b) if any(ch.isalpha() for ch in t) and t.isupper()]
    same_look = (above.style, above.align) == (p.style, p.align)
    return len(caps) == 2 and same_look and a[-1:] not in _SENTENCE_STOP


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


def join_cut_titles(items: list[RawItem]) -> list[RawItem]:
    """A line in lower case right after a table's last activity, either as the first row
    across the next table or as a line of text between the two tables, is the rest of that
    activity's title: on a scan the row of that line lost its rules and reads as one cell or
    as text outside the table («внешний вид учащегося». (1-4 кл» under the table of the
    Уссурийск детдом 2015-16 scan's page 3). It is joined as a row cut by a page break is."""
    out: list[RawItem] = []
    for item in items:
        prev = out[-1] if out else None
        column = _title_column(prev) if isinstance(prev, RawActivity) else None
        if isinstance(prev, RawActivity) and isinstance(item, RawSection) and column is not None \
                and _ends_title(prev, item):
            tail = Paragraph(item.text, style=TextStyle(bold=item.bold, italic=item.italic))
            cell = prev.values[column]
            prev.values[column] = replace(cell, paragraphs=_joined_paragraphs(cell, [tail], 0.0))
            if item.table_index is not None:
                prev.joined += [(item.table_index, r) for r in item.rows]
            continue
        out.append(item)
    return out


def _title_column(item: RawActivity) -> int | None:
    """The grid column of the activity's title, where it has text."""
    col = next((c.index for c in item.columns if c.role == "activity" and c.index in item.values), None)
    return col if col is not None and not item.values[col].is_blank else None


def _ends_title(activity: RawActivity, section: RawSection) -> bool:
    """One line in lower case that opens the next table, or stands between the tables on the
    activity's page or a later one."""
    if "\n" in section.text or not _opens_in_lower_case(section.text):
        return False
    if section.table_index is not None:
        return section.table_index != activity.table_index
    return section.page is not None and activity.page is not None and section.page >= activity.page


def _opens_in_lower_case(text: str) -> bool:
    first = fold(text).lstrip(" «»\"'(-–—.,")[:1]
    return first.isalpha() and first.islower()


def _number_of(item: RawActivity) -> str | None:
    raw = clean_number(item.text("number")) or ""
    if raw:
        return split_number(raw + " x")[0]
    act = item.cell("activity")
    if act is not None and (label := clean_number(list_label(act))):
        return label  # Word's number before the activity's text
    return split_number(item.text("activity"))[0] if item.cell("number") is None else None


# --- rows cut by page breaks --------------------------------------------------------------

@dataclass(frozen=True)
class SplitSettings:
    full_lines: float = 0.75  # a cell whose text ends within this many line heights of the page's cut was full
    wrap_slack: float = 1.0  # pt of doubt about a line's end: a word this close to fitting did not fit
    kept_lines: float = 1.25  # one more line's room a cell may leave where its paragraph below keeps two lines


SPLIT = SplitSettings()


def _distinct(cells: list[Cell | None]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if cell is not None and all(cell is not seen for seen in out):
            out.append(cell)
    return out


def _line_height(table: Table) -> float | None:
    """The height of one text line: the smallest paragraph box of the table (every plan table
    has one-line cells: numbers, dates)."""
    # a box of no height (a damaged font's glyphs) measures no line
    heights = [p.bbox[3] - p.bbox[1] for c in table.cells for p in c.paragraphs
               if p.bbox is not None and p.text.strip() and p.bbox[3] - p.bbox[1] > 0]
    return min(heights) if heights else None


def _text_bottom(cell: Cell, page: int | None) -> float | None:
    bottoms = [p.bbox[3] for p in cell.paragraphs if p.bbox is not None and p.page == page and p.text.strip()]
    return max(bottoms) if bottoms else None


def full_at_cut(cell: Cell, cut: float, page: int | None, line_height: float, settings: SplitSettings,
                kept_together: bool = False) -> bool:
    """The cell's text on the page before the break reaches the cut: one more line would not
    have fitted, so its text may go on. Where the paragraph going on below has two lines or
    more (`kept_together`), one line's room may stay empty: Word keeps at least two lines of a
    paragraph on each side of a break (widow and orphan control)."""
    bottom = _text_bottom(cell, page)
    room = settings.full_lines + (settings.kept_lines if kept_together else 0.0)
    return bottom is not None and cut - bottom <= room * line_height


def _two_lines(cell: Cell, line_height: float) -> bool:
    first = _first_paragraph(cell)
    return first is not None and first.bbox is not None and first.bbox[3] - first.bbox[1] >= 1.5 * line_height


def _first_text(cell: Cell) -> str:
    return next((fold(p.text) for p in cell.paragraphs if p.text.strip()), "")


def _last_text(cell: Cell) -> str:
    return next((fold(p.text) for p in reversed(cell.paragraphs) if p.text.strip()), "")


def reads_on(before: str, after: str) -> bool:
    """The text after the cut can go on with the text before it: the first part stops short
    of a sentence end (or in a hyphen), or the second starts as no cell starts (a lower-case
    word, a digit or a mark)."""
    return before[-1:] not in _SENTENCE_END or bool(_HYPHEN_END.search(before)) or bool(_READS_ON.match(after))


def _last_paragraph(cell: Cell, page: int | None) -> Paragraph | None:
    return next((p for p in reversed(cell.paragraphs) if p.text.strip() and p.page == page), None)


def _first_paragraph(cell: Cell) -> Paragraph | None:
    return next((p for p in cell.paragraphs if p.text.strip()), None)


def _padding(table: Table) -> float:
    """The inset of left-aligned text from its cell's edge, as most of the table's cells show it."""
    insets = [p.bbox[0] - c.bbox[0] for c in table.cells if c.bbox is not None
              for p in c.paragraphs if p.bbox is not None and p.text.strip() and p.align in (None, "left", "both")]
    return statistics.median(insets) if insets else 0.0


def _char_width(paragraphs: list[Paragraph], line_height: float) -> float | None:
    """The width of a character, from a one-line paragraph where there is one (a paragraph of
    several lines gives too wide a figure: its box is as wide as its widest line)."""
    measured: list[tuple[int, float]] = []
    for p in paragraphs:
        if p.bbox is not None and p.text.strip():
            lines = max(1, round((p.bbox[3] - p.bbox[1]) / line_height))
            measured.append((lines, (p.bbox[2] - p.bbox[0]) * lines / len(p.text.strip())))
    return min(measured, key=lambda m: (m[0], -m[1]))[1] if measured else None


def stopped_short(above: Cell, below: Cell, page: int | None, pad: float, line_height: float,
                  settings: SplitSettings = SPLIT) -> bool:
    """The text above the cut ended its paragraph there: the first word below would have
    fitted on its last line, so the break was no wrap. False where the boxes do not tell."""
    last, first = _last_paragraph(above, page), _first_paragraph(below)
    if last is None or first is None or last.bbox is None or above.bbox is None:
        return False
    char = _char_width([first, last], line_height)
    if char is None:
        return False
    need = (len(first.text.split()[0]) + 1) * char + settings.wrap_slack
    left, right = above.bbox[0] + pad, above.bbox[2] - pad
    if last.align in ("center", "right"):
        return (right - left) - (last.bbox[2] - last.bbox[0]) >= need  # measured by its width
    return right - last.bbox[2] >= need


def _asks_for_more(text: str) -> bool:
    """A text that cannot end a cell: cut in a hyphen, or ending in a comma, a colon, a
    semicolon (an enumeration's last item ends in a full stop) or an open bracket."""
    return bool(_HYPHEN_END.search(text)) or text.rstrip()[-1:] in _OPENERS


def _starts_anew(text: str) -> bool:
    """The text starts as a cell starts: a capital letter, a quote or a number."""
    return bool(text) and not _READS_ON.match(text)


def _own_number(cells: list[Cell], row: int, columns: list[ColumnSpec]) -> bool:
    """The row has a number of its own: its number cell (or, without a number column, its
    activity text) starts with one."""
    numbers = {c.index for c in columns if c.role == "number"} or {c.index for c in columns if c.role == "activity"}
    return any(c.row == row and c.col in numbers and _starts_with_number(_first_text(c)) for c in cells)


def _starts_with_number(text: str) -> bool:
    return is_number(text) or bool(NUMBER_PREFIX.match(text))


def is_split_row(table: Table, above: int, below: int, columns: list[ColumnSpec],
                 settings: SplitSettings = SPLIT) -> bool:
    """Row `below` (the first on a new page) is the rest of row `above` (the last before the
    break). Geometry: both rows have the same cells, and every cell that goes on below was
    full down to the cut above. Text: the row below has no number of its own, and at least
    one of its cells reads on from the text above: cut mid-line or in a hyphen or comma, not
    ended short of its cell's edge. An activity text that ended short above while the text
    below starts as a cell starts is the next row's (two one-line titles, one each side of
    the break). Never by text alone."""
    covering = table.covering()
    top, bottom = _distinct(covering[above]), _distinct(covering[below])
    if [(c.col, c.col_span) for c in top] != [(c.col, c.col_span) for c in bottom]:
        return False  # a section row, a row of another shape
    if _own_number(bottom, below, columns):
        return False
    going_on = [(a, b) for a, b in zip(top, bottom, strict=True) if b.row == below and not b.is_blank]
    cut_row = table.rows[above]
    line_height = _line_height(table)
    if not going_on or cut_row.bbox is None or line_height is None:
        return False
    if not all(not a.is_blank and full_at_cut(a, cut_row.bbox[3], cut_row.page, line_height, settings,
                                              _two_lines(b, line_height)) for a, b in going_on):
        return False
    pad = _padding(table)
    activity = {c.index for c in columns if c.role == "activity"}
    some_reads_on = False
    for a, b in going_on:
        before, after = _last_text(a), _first_text(b)
        if _asks_for_more(before):
            some_reads_on = True
            continue
        if stopped_short(a, b, cut_row.page, pad, line_height, settings):
            if _starts_anew(after) and any(a.col <= c < a.col + a.col_span for c in activity):
                return False  # a title ended above, a new one starts below
            continue
        some_reads_on = some_reads_on or reads_on(before, after)
    return some_reads_on


def join_split_text(before: str, after: str, cut_word: bool = False) -> str:
    """The two parts of a cut text as one: with a space, or with none after a hyphen (the
    hyphen stays unless it only broke a word) or inside a word forced apart at the cut
    (`cut_word`: the text above reached the cell's right edge; see parsers.pdf_text and lang.words)."""
    return join_page_cut(before, after.lstrip(), cut_word)


def _reaches_right(paragraph: Paragraph, cell: Cell, line_height: float) -> bool:
    """The paragraph's text reaches the cell's right edge (within a line height, about the
    padding and the width of a letter)."""
    return paragraph.bbox is not None and cell.bbox is not None and cell.bbox[2] - paragraph.bbox[2] <= line_height


def _joined_paragraphs(cell: Cell, second: list[Paragraph], line_height: float) -> list[Paragraph]:
    head = [p for p in cell.paragraphs if p.text.strip()]
    tail = [p for p in second if p.text.strip()]
    if not head or not tail or tail[0].list is not None:
        return head + tail
    last, nxt = head[-1], tail[0]
    style = TextStyle(bold=last.style.bold and nxt.style.bold, italic=last.style.italic and nxt.style.italic)
    text = join_split_text(last.text, nxt.text, cut_word=_reaches_right(last, cell, line_height))
    return [*head[:-1], replace(last, text=text, style=style), *tail[1:]]


def _absorb(table: Table, keep: Cell, gone: Cell, line_height: float | None) -> None:
    """`gone` (below a page break) becomes part of `keep` (above it), its text joined to the
    text above when a line height is given."""
    if line_height is not None:
        keep.paragraphs = _joined_paragraphs(keep, gone.paragraphs, line_height)
    keep.row_span = gone.row + gone.row_span - keep.row
    table.cells = [c for c in table.cells if c is not gone]


def _continue_merges(table: Table, above: int, below: int) -> None:
    """A vertically merged cell cut by the page break: its blank part below joins it."""
    covering = table.covering()
    for b in _distinct(covering[below]):
        a = covering[above][b.col]
        if b.row != below or not b.is_blank or a is None or a.is_blank:
            continue
        if (a.col, a.col_span) == (b.col, b.col_span) and (a.row_span > 1 or b.row_span > 1):
            _absorb(table, a, b, None)


def rejoin_page_breaks(part: PlanPart, settings: SplitSettings = SPLIT) -> PlanPart:
    """The part with every row cut by a page break made whole again: the row below the break
    is kept (for provenance) but its cells become part of the cells above. Elsewhere at a break
    a merged cell cut in two is made one."""
    breaks = [r for r in page_starts(part.table) if r > part.header_rows]
    if not breaks:
        return part
    table = Table(n_cols=part.table.n_cols, rows=list(part.table.rows),
                  cells=[replace(c, paragraphs=list(c.paragraphs)) for c in part.table.cells], page=part.table.page)
    continuations: set[int] = set()
    for below in breaks:
        above = below - 1
        line_height = _line_height(table)
        if line_height is not None and is_split_row(table, above, below, part.columns, settings):
            covering = table.covering()
            for b in _distinct(covering[below]):
                a = covering[above][b.col]
                if b.row == below and a is not None:
                    _absorb(table, a, b, line_height)
            continuations.add(below)
        else:
            _continue_merges(table, above, below)
    return replace(part, table=table, continuations=frozenset(continuations))
