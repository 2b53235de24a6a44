"""What `assemble()` did with a document, step by step, for the debug view and the benchmarks.

Filled by the pipeline itself (pass a `Trace` to `assemble`), so whoever draws it draws what
happened, not a second reading: the tables as the pipeline read them (tables continued over a
page break made one, rows cut by a page break re-joined), why each table was used or not, the
kind of every row and the rule that gave it, and the activities each row went into. Asked for
(`Trace(cell_rules=True)`), it also keeps the normalizers' rule traces of every activity's
schedule and responsible cells: which pass or rule consumed which span of the cell's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from extractor.normalize.rule_trace import RuleTrace
from extractor.rows import RawActivity, RawItem, RawSection, SkippedRow, row_text
from extractor.tables import PlanPart, SkippedTable
from models import ColumnRole, Plan
from parsers.layout import Document, Table

RowKind = Literal["header", "repeat", "section", "promoted", "activity", "joined", "dropped", "skipped",
                  "lost", "empty"]

# the rule behind each kind, for a person (the debug view shows it beside the row)
RULES: dict[RowKind, str] = {
    "header": "строка заголовка таблицы",
    "repeat": "заголовок, повторённый на новой странице или в новой таблице",
    "section": "строка раздела: одна ячейка на всю ширину",
    "promoted": "номер над подпунктами без сроков и ответственных: раздел",
    "activity": "строка мероприятия",
    "joined": "продолжение строки, разрезанной разрывом страницы",
    "dropped": "нет текста мероприятия: текст строки в предупреждении",
    "skipped": "пропущена с предупреждением",
    "lost": "не попала в план (предупреждение row_lost)",
    "empty": "пустая или только продолжает объединённые ячейки",
}


@dataclass
class RowTrace:
    index: int
    page: int | None
    kind: RowKind
    rule: str  # why it is of that kind
    activities: list[int] = field(default_factory=list)  # seq of the activities made from it


@dataclass
class TableTrace:
    """One table as the pipeline read it: its index is the one of `provenance.table`."""

    index: int
    table: Table
    part: PlanPart | None  # None: not a table of the plan
    skipped: SkippedTable | None  # why not, where it is not
    rows: list[RowTrace] = field(default_factory=list)

    @property
    def header_rows(self) -> int:
        return self.part.header_rows if self.part is not None else 0

    @property
    def roles(self) -> list[ColumnRole | None]:
        """The role of every grid column; a header cell spanning several grid columns gives its
        role to all of them."""
        roles: list[ColumnRole | None] = [None] * self.table.n_cols
        part = self.part
        if part is None:
            return roles
        by_index = {c.index: c.role for c in part.columns}
        bottom = part.table.covering()[part.header_rows - 1] if part.header_rows else [None] * self.table.n_cols
        for col in range(self.table.n_cols):
            cell = bottom[col]
            start = cell.col if cell is not None else col
            roles[col] = by_index.get(col, by_index.get(start))
        return roles


@dataclass
class CellRules:
    """How the normalizers read one activity's cells (extractor/normalize/rule_trace.py)."""

    schedule: RuleTrace | None = None  # None: the row has no schedule cell
    responsible: list[tuple[str, RuleTrace]] = field(default_factory=list)  # (column header, trace) per cell


@dataclass
class Trace:
    """Filled by `assemble(document, source, options, trace)`; kept as far as it got when the
    document gives no plan (`error`)."""

    document: Document | None = None
    tables: list[TableTrace] = field(default_factory=list)
    items: list[RawItem] = field(default_factory=list)  # rows and headings, after parent rows became sections
    promoted: set[int] = field(default_factory=set)  # positions in `items` turned from activity to section
    activity_of: dict[int, int] = field(default_factory=dict)  # position in `items` → activity seq
    skipped_rows: list[SkippedRow] = field(default_factory=list)
    lost: list[tuple[int, int, str]] = field(default_factory=list)  # (table, row, text)
    plan: Plan | None = None
    error: str | None = None  # "code: message" where no plan came out
    cell_rules: bool = False  # asked for: fill `rules` (the normalizers then read every cell afresh)
    rules: dict[int, CellRules] = field(default_factory=dict)  # activity seq → the rule traces of its cells

    def record_tables(self, tables: list[Table], parts: list[PlanPart], skipped: list[SkippedTable]) -> None:
        by_index = {p.table_index: p for p in parts}
        why = {s.table_index: s for s in skipped}
        self.tables = []
        for index, table in enumerate(tables):
            part = by_index.get(index)
            self.tables.append(TableTrace(index, part.table if part is not None else table, part, why.get(index)))

    def record_rows(self) -> None:
        """Every row's kind, from what the pipeline made of it."""
        kinds: dict[tuple[int, int], tuple[RowKind, list[int]]] = {}
        for pos, item in enumerate(self.items):
            if item.table_index is None:
                continue
            if isinstance(item, RawSection):
                kind: RowKind = "promoted" if pos in self.promoted else "section"
                seqs: list[int] = []
            else:
                seq = self.activity_of.get(pos)
                kind, seqs = ("activity", [seq]) if seq is not None else ("dropped", [])
            if isinstance(item, RawActivity):  # a row of the next table that only ends this title
                kinds.update({joined: ("joined", list(seqs)) for joined in item.joined})
            for row in item.rows:
                old = kinds.get((item.table_index, row))
                if old is not None and old[0] == "activity" and kind == "activity":
                    old[1].extend(seqs)  # a row split into several activities (a numbered list)
                else:
                    kinds[(item.table_index, row)] = (kind, list(seqs))
        for skip in self.skipped_rows:
            kinds[(skip.table_index, skip.row)] = ("skipped", [])
        for table, row, _ in self.lost:
            kinds[(table, row)] = ("lost", [])
        reasons = {(s.table_index, s.row): s.reason for s in self.skipped_rows}
        for view in self.tables:
            view.rows = []
            part = view.part
            for r in view.table.rows:
                page = r.page if r.page is not None else view.table.page
                if part is None:
                    view.rows.append(RowTrace(r.index, page, "skipped",
                                              view.skipped.reason if view.skipped else "not_plan"))
                    continue
                if r.index < part.header_rows:
                    kind, seqs = "header", []
                elif r.index in part.continuations:
                    kind, seqs = "joined", []
                elif (view.index, r.index) in kinds:
                    kind, seqs = kinds[(view.index, r.index)]
                else:
                    # a row the pipeline passed over: blank, or (non-empty and not lost) a repeated header
                    kind, seqs = ("repeat", []) if row_text(view.table, r.index) else ("empty", [])
                rule = RULES[kind] + (f" ({reasons[(view.index, r.index)]})" if kind == "skipped" else "")
                view.rows.append(RowTrace(r.index, page, kind, rule, seqs))
        for view in self.tables:
            if view.part is not None:
                self._mark_joined(view)

    def _mark_joined(self, view: TableTrace) -> None:
        """A continuation row carries the activity of the row it continues."""
        last: list[int] = []
        for info in view.rows:
            if info.kind == "joined":
                info.activities = info.activities or list(last)
            elif info.kind in ("activity", "section", "promoted"):
                last = info.activities

    def raw_activities(self) -> list[tuple[int, RawActivity]]:
        return [(pos, i) for pos, i in enumerate(self.items) if isinstance(i, RawActivity)]


__all__ = ["RULES", "CellRules", "RowKind", "RowTrace", "TableTrace", "Trace"]
