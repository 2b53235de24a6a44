"""`roadmap compare --xlsx`: the report's tables as an Excel workbook (openpyxl).

Sheets: counts, sections, the topics x plans matrix, the activities behind it, the
responsible bodies and the dated windows the timelines draw. Written to a temporary file
beside the target and renamed over it, so a half-written workbook never appears.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.compare import Comparison, MatrixRow, activity_text
from workflow.compare_charts import Span, spans_of


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

    def share(n: int, total: int) -> float:
        return round(n / total, 3) if total else 0.0

    _sheet(wb, "Показатели",
           ["План", "Файл", "Мероприятий", "Разделов", "Со сроками", "Доля со сроками", "С ответственными",
            "Доля с ответственными", "С результатом", "Доля с результатом"],
           [[v.label, v.filename, k.activities, k.sections, k.with_dates, share(k.with_dates, k.activities),
             k.with_responsible, share(k.with_responsible, k.activities), k.with_result,
             share(k.with_result, k.activities)]
            for v, k in zip(c.plans, c.counts, strict=True)], settings)
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
    _sheet(wb, "Ответственные", ["План", "Исполнитель", "Вид", "Мероприятий"],
           [[v.label, b.name, b.kind, b.activities] for v, bodies in zip(c.plans, c.bodies, strict=True)
            for b in bodies], settings)
    _sheet(wb, "Сроки", ["План", "№ п/п", "№", "Мероприятие", "Сроки (текст)", "Начало", "Окончание"],
           _timeline_rows(c), settings)
    return wb


def write_xlsx(c: Comparison, path: Path, settings: SheetSettings | None = None) -> None:
    """Save the workbook whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        build_workbook(c, settings).save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
