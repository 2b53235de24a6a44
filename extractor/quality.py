"""What of the document's tables reached the plan: the `quality` block of the canonical JSON.

Counted on the plan as built, not on what the steps meant to do: the rows an activity or a
section was made from (provenance), the rows a warning names, and the words of every table
looked up among every string of the output.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from extractor.rows import RawActivity, RawItem, RawSection, SkippedRow, row_text
from extractor.tables import PlanPart, TableChoice, is_column_numbers
from models import Activity, Plan, Quality
from models import SkippedTable as SkippedTableModel
from parsers.layout import Block, Table

_WORD = re.compile(r"\w+")
LOW_WORD_SHARE = 0.9  # below it the plan is doubtful
MIN_ACTIVITIES = 3  # a plan of fewer activities is doubtful
MOSTLY = 0.5  # share of cells above which a doubt holds


def words(text: str) -> Counter[str]:
    return Counter(w.lower().replace("ё", "е") for w in _WORD.findall(text))


# Counter.update, never `+=`: `+=` walks the whole counter each time, quadratic in a large table


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def table_words(table: Table) -> Counter[str]:
    out: Counter[str] = Counter()
    for cell in table.cells:
        out.update(words(cell.text))
        for nested in cell.tables:
            out.update(table_words(nested))
    return out


def repeated_headers(parts: list[PlanPart]) -> Counter[str]:
    """Words of later plan tables' header rows that repeat the first table's header: the
    JSON names a plan's columns once."""
    first = [c.header for c in parts[0].columns]
    out: Counter[str] = Counter()
    for part in parts[1:]:
        if part.header_rows and [c.header for c in part.columns] == first:
            for cell in part.table.cells:
                if cell.row < part.header_rows:
                    out.update(words(cell.text))
    return out


def word_share(plan: Plan, tables: list[Table], excepted: Counter[str] | None = None) -> float:
    """Share of the tables' words (as a multiset) found among the output's strings."""
    wanted: Counter[str] = Counter()
    for table in tables:
        wanted.update(table_words(table))
    wanted -= excepted or Counter()
    total = sum(wanted.values())
    if not total:
        return 1.0
    have: Counter[str] = Counter()
    for text in _strings(plan.model_dump(mode="json", exclude={"quality"})):
        have.update(words(text))
    return round(sum((wanted & have).values()) / total, 4)


def _data_rows(part: PlanPart) -> list[int]:
    """Non-empty rows of a plan table below its header, repeated header rows excepted."""
    table = part.table
    header = [c.text for c in table.row_cells(part.header_start)] if part.header_rows else None
    out = []
    for r in range(part.header_rows, table.n_rows):
        cells = table.row_cells(r)
        if table.rows[r].header or not any(not c.is_blank for c in cells):
            continue
        if (header is not None and [c.text for c in cells] == header) or is_column_numbers(table, r):
            continue
        out.append(r)
    return out


def lost_rows(parts: list[PlanPart], items: list[RawItem], skipped: list[SkippedRow],
              activities: list[Activity]) -> list[tuple[int, int, str]]:
    """Rows of the plan tables that reached neither an activity, a section nor a warning."""
    used = {(a.provenance.table, r) for a in activities for r in a.provenance.rows}
    used |= {(s.table_index, r) for s in items if isinstance(s, RawSection) and s.table_index is not None
             for r in s.rows}
    used |= {(s.table_index, s.row) for s in skipped}
    # rows whose text is named in a warning (an activity-less row) or joined to the row above
    used |= {(i.table_index, r) for i in items if isinstance(i, RawActivity) for r in i.rows}
    used |= {joined for i in items if isinstance(i, RawActivity) for joined in i.joined}
    for part in parts:
        used |= {(part.table_index, r) for r in part.continuations}
    return [(p.table_index, r, row_text(p.table, r)) for p in parts for r in _data_rows(p)
            if (p.table_index, r) not in used]


def doubts(plan: Plan, parts: list[PlanPart], share: float, rows_total: int) -> list[str]:
    """Why the plan may not be a plan at all (near-misses: budgets, registers, timetables)."""
    out: list[str] = []
    roles = {c.role for p in parts for c in p.columns}
    acts = plan.activities
    if len(acts) < MIN_ACTIVITIES:
        out.append("few_activities")
    if "schedule" not in roles and not any(a.schedule.start for a in acts):
        out.append("no_dates")  # no schedule column, and no month rows dating the activities
    with_schedule = [a for a in acts if a.schedule.text and a.schedule.duration is None]
    if with_schedule and sum(a.schedule.kind == "unknown" for a in with_schedule) > MOSTLY * len(with_schedule):
        out.append("schedules_unread")
    if rows_total and sum(w.code == "row_without_activity" for w in plan.warnings) > MOSTLY * rows_total:
        out.append("rows_without_activity")
    if acts and sum(_numeric(a.title) for a in acts) > MOSTLY * len(acts):
        out.append("numeric_titles")
    if share < LOW_WORD_SHARE:
        out.append("low_word_share")
    return out


def _numeric(text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    return digits > letters


def measure(plan: Plan, blocks: list[Block], choice: TableChoice, parts: list[PlanPart],
            skipped: list[SkippedRow], lost: list[tuple[int, int, str]]) -> Quality:
    tables = [b for b in blocks if isinstance(b, Table) and any(not c.is_blank for c in b.cells)]
    rows_total = sum(len(_data_rows(p)) for p in parts)
    named = len(skipped) + sum(w.code == "row_without_activity" for w in plan.warnings) + len(lost)
    share = word_share(plan, tables, repeated_headers(parts))
    return Quality(
        tables_found=len(tables),
        tables_used=len(parts),
        tables_skipped=[SkippedTableModel(table=t.table_index, reason=t.reason, text=t.text[:200])
                        for t in choice.skipped if t.reason != "empty"],
        rows_total=rows_total,
        rows_used=max(0, rows_total - named),
        rows_skipped=min(named, rows_total),
        word_share=share,
        doubtful=doubts(plan, parts, share, rows_total),
    )
