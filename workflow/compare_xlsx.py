"""`roadmap compare --xlsx`: the report's tables as an Excel workbook (openpyxl).

Sheets: the summary (one row per plan with its completeness card), sections, the topics x
plans matrix, the activities behind it, the responsible parties and the dated windows the
timelines draw. Saved whole or not at all, with the permissions of every other output
(export.save_atomic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.compare import Comparison, MatrixRow, activity_text
from workflow.compare_card import code_names
from workflow.compare_charts import Span, spans_of
from workflow.export import save_atomic

SUMMARY_SHEET = "Сводка"


@dataclass(frozen=True)
class SheetSettings:
    max_width: int = 60  # characters; longer text wraps
    min_width: int = 8
    date_format: str = "DD.MM.YYYY"


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
HAS_FILL = PatternFill("solid", fgColor="E6F4EA")
MISSING_FILL = PatternFill("solid", fgColor="FDECEA")
WRAP = Alignment(wrap_text=True, vertical="top")
SUMMARY_HEADER = ["№", "План", "Период", "Мероприятий", "Разделов", "Доля с датами", "Доля с исполнителями",
                  "Доля с результатом", "Доля текста в JSON", "Замечания по видам", "Проверить", "Файл"]


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
           settings: SheetSettings) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = WRAP
            if isinstance(cell.value, dt.date):
                cell.number_format = settings.date_format
    for index, column in enumerate(ws.iter_cols(), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=0)
        ws.column_dimensions[get_column_letter(index)].width = max(settings.min_width,
                                                                   min(settings.max_width, longest + 2))
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def _matrix_rows(c: Comparison, rows: Sequence[MatrixRow]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for row in rows:
        cells = [", ".join(r.activity.number or f"#{r.activity.seq}" for r in refs) if refs else ""
                 for refs in row.cells]
        out.append([row.topic.id, row.topic.name, ", ".join(row.topic.terms), row.plan_count, *cells])
    return out


def _timeline_rows(c: Comparison) -> list[list[Any]]:
    """One row per dated window (as the timelines draw them), one empty row if undated."""
    return [[v.label, a.seq, a.number, activity_text(a), a.schedule.text, span.start, span.end]
            for v in c.plans for a in v.plan.activities for span in (spans_of(a) or [Span(None, None)])]


def build_workbook(c: Comparison, settings: SheetSettings | None = None) -> Workbook:
    settings = settings or SheetSettings()
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty default sheet
    labels = [v.label for v in c.plans]

    ws = _sheet(wb, SUMMARY_SHEET, SUMMARY_HEADER,
                [[v.index + 1, v.label, v.plan.plan.period.text if v.plan.plan.period else None,
                  k.activities, k.sections, round(k.dated_share, 3), round(k.parties_share, 3),
                  round(k.share(k.with_result), 3), k.word_share, k.warning_text or None,
                  "; ".join(k.concerns) or None, v.filename]
                 for v, k in zip(c.plans, c.cards, strict=True)], settings)
    for row in ws.iter_rows(min_row=2):
        for cell in row[5:9]:
            cell.number_format = "0%"
        if row[10].value:
            row[10].fill = MISSING_FILL
    _sheet(wb, "Разделы", ["План", "Раздел", "Мероприятий"],
           [[v.label, label, n] for v, k in zip(c.plans, c.counts, strict=True) for label, n in k.per_section],
           settings)
    ws = _sheet(wb, "Темы", ["Тема", "Название", "Ключевые слова", "Планов", *labels],
                _matrix_rows(c, [*c.shared, *c.single]), settings)
    for row in ws.iter_rows(min_row=2, min_col=5):
        for cell in row:
            cell.fill = HAS_FILL if cell.value else MISSING_FILL
    _sheet(wb, "Темы — мероприятия",
           ["Тема", "Название", "План", "№", "Мероприятие", "Сроки"],
           [[row.topic.id, row.topic.name, labels[r.plan], r.activity.number, r.activity.title,
             r.activity.schedule.text]
            for row in [*c.shared, *c.single] for refs in row.cells for r in refs], settings)
    kinds = code_names().kinds
    _sheet(wb, "Ответственные", ["План", "Исполнитель (должность)", "Вид", "Мероприятий"],
           [[v.label, b.name, kinds.get(b.kind, b.kind), b.activities]
            for v, bodies in zip(c.plans, c.bodies, strict=True) for b in bodies], settings)
    _sheet(wb, "Сроки", ["План", "№ п/п", "№", "Мероприятие", "Сроки (текст)", "Начало", "Окончание"],
           _timeline_rows(c), settings)
    return wb


def write_xlsx(c: Comparison, path: Path, settings: SheetSettings | None = None) -> None:
    """Save the workbook whole or not at all."""
    workbook = build_workbook(c, settings)
    save_atomic(path, lambda tmp: workbook.save(tmp))
