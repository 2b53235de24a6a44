"""`roadmap export`: plans as an Excel workbook (and a CSV table) made for people.

The workbook has a combined sheet of every activity of every plan, an overview of the plans
(linked to their sheets) and one sheet per plan. Every table has a bold frozen header row
with filters, set column widths, wrapped text and dates as real Excel dates. Headers and
sheet names are in extractor/data/batch_export.yaml.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from lang.vocab import load
from models import Activity, Plan
from workflow.validate import json_files

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | dt.date | None
Row = dict[str, Value]


@dataclass(frozen=True)
class ExportSettings:
    max_cell_chars: int = 32_767  # Excel keeps no more in one cell
    max_sheet_name: int = 31  # Excel's limit on sheet names
    header_fill: str = "DCE6F1"
    csv_encoding: str = "utf-8-sig"  # the BOM makes Excel read the CSV as UTF-8


SETTINGS = ExportSettings()
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_FOLDED = re.compile(r"\s+")


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    header: str
    width: float


@dataclass(frozen=True)
class ExportVocabulary:
    combined_sheet: str
    overview_sheet: str
    untitled_sheet: str
    date_format: str
    separator: str
    columns: tuple[ColumnSpec, ...]
    plan_columns: tuple[ColumnSpec, ...]
    extra_width: float
    overview_columns: tuple[ColumnSpec, ...]
    check_words: dict[str, str]  # field -> the word the "check" column names it by


@cache
def vocabulary() -> ExportVocabulary:
    data = load("batch_export")["export"]
    columns = tuple(ColumnSpec(c["key"], c["header"], float(c["width"])) for c in data["columns"])
    by_key = {c.key: c for c in columns}
    return ExportVocabulary(
        combined_sheet=data["combined_sheet"],
        overview_sheet=data["overview_sheet"],
        untitled_sheet=data["untitled_sheet"],
        date_format=data["date_format"],
        separator=data["list_separator"],
        columns=columns,
        plan_columns=tuple(by_key[k] for k in data["plan_columns"]),
        extra_width=float(data["extra_width"]),
        overview_columns=tuple(ColumnSpec(c["key"], c["header"], float(c["width"])) for c in data["overview_columns"]),
        check_words=dict(data["check_words"]),
    )


class ExportError(click.ClickException):
    """An input that is not a plan JSON (exit 1; nothing is written)."""


@dataclass(frozen=True)
class LoadedPlan:
    path: Path
    plan: Plan


# ---- reading -----------------------------------------------------------------------------


def load_plans(arguments: Sequence[Path]) -> tuple[list[LoadedPlan], list[tuple[Path, str]]]:
    """The plans, and the error objects passed over (with their codes)."""
    plans: list[LoadedPlan] = []
    passed: list[tuple[Path, str]] = []
    for path in json_files(arguments):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExportError(f"{path}: not a JSON file ({exc})") from exc
        if isinstance(data, dict) and set(data) == {"error"}:
            passed.append((path, str(data["error"].get("code", "?")) if isinstance(data["error"], dict) else "?"))
            continue
        try:
            plans.append(LoadedPlan(path, Plan.model_validate(data)))
        except ValidationError as exc:
            raise ExportError(f"{path}: not a valid plan JSON ({exc.error_count()} errors); "
                              f"`roadmap validate {path}` lists them") from exc
    return plans, passed


# ---- rows --------------------------------------------------------------------------------


def activity_rows(plan: Plan) -> list[Row]:
    """One row per activity, keyed like the vocabulary's columns; extra columns by header."""
    sep = vocabulary().separator
    sections = {s.id: f"{s.number}. {s.title}" if s.number else s.title for s in plan.sections}
    notes: dict[int, list[str]] = {}
    for warning in plan.warnings:
        if warning.activity is not None:
            notes.setdefault(warning.activity, []).append(warning.message)
    rows: list[Row] = []
    for activity in plan.activities:
        row: Row = {
            "municipality": plan.plan.municipality,
            "number": activity.number,
            "section": sections.get(activity.section or ""),
            "activity": activity.title,
            "start": activity.schedule.start,
            "end": activity.schedule.end,
            "schedule": activity.schedule.text,
            "responsible": sep.join(f"{p.name} ({p.role})" if p.role else p.name for p in activity.responsible),
            "result": activity.result,
            "check": _to_check(activity),
            "warnings": sep.join(notes.get(activity.seq, [])) or None,
            "file": plan.source.filename,
        }
        rows.append(row | {_extra_key(h): v for h, v in activity.extra.items()})
    return rows


def _to_check(activity: Activity) -> str | None:
    """What a person should check by hand: the fields the rules guessed (confidence low)."""
    words = vocabulary().check_words
    fields = ([words["schedule"]] if activity.schedule.confidence == "low" else []) + (
        [words["responsible"]] if any(p.confidence == "low" for p in activity.responsible) else [])
    return vocabulary().separator.join(fields) or None


def _extra_key(header: str) -> str:
    return f"extra:{header}"


def extra_headers(plan: Plan) -> list[str]:
    """Headers of the plan's extra columns: in table order, then any others as first met."""
    seen = [c.header for c in plan.columns if c.role == "other"]
    for activity in plan.activities:
        seen += [h for h in activity.extra if h not in seen]
    return [h for h in seen if any(h in a.extra for a in plan.activities)]


def overview_row(loaded: LoadedPlan, sheet: str) -> Row:
    plan = loaded.plan
    period = plan.plan.period
    approval = plan.plan.approval
    return {
        "sheet": sheet,
        "file": plan.source.filename,
        "municipality": plan.plan.municipality,
        "title": plan.plan.title,
        "period": period.text if period else None,
        "start": period.start if period else None,
        "end": period.end if period else None,
        "approval": approval.text if approval else None,
        "activities": len(plan.activities),
        "warnings": vocabulary().separator.join(w.message for w in plan.warnings if w.activity is None) or None,
    }


def sheet_names(plans: Sequence[LoadedPlan], taken: Iterable[str]) -> list[str]:
    """A unique Excel sheet name for each plan: municipality (or file) and the plan's years."""
    used = {n.casefold() for n in taken}
    names = []
    for loaded in plans:
        label, years = _sheet_label(loaded.plan)
        name, n = _sheet_name(label, years, ""), 1
        while name.casefold() in used:
            n += 1
            name = _sheet_name(label, years, f" ({n})")
        used.add(name.casefold())
        names.append(name)
    return names


def _sheet_label(plan: Plan) -> tuple[str, str]:
    label = plan.plan.municipality or Path(plan.source.filename).stem
    label = _SHEET_UNSAFE.sub(" ", _FOLDED.sub(" ", label)).strip(" '") or vocabulary().untitled_sheet
    period = plan.plan.period
    if not (period and period.start and period.end):
        return label, ""
    first, last = period.start.year, period.end.year
    return label, str(first) if first == last else f"{first}-{last}"


def _sheet_name(label: str, years: str, suffix: str) -> str:
    """label, years and suffix within Excel's limit; a long label is cut at a word, with "…"."""
    tail = (f" {years}" if years else "") + suffix
    room = SETTINGS.max_sheet_name - len(tail)
    if len(label) > room:
        cut = label[: room - 1]
        label = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,.-–") + "…"
    return label + tail


# ---- xlsx --------------------------------------------------------------------------------


def write_xlsx(plans: Sequence[LoadedPlan], target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    vocab = vocabulary()
    workbook = Workbook()
    combined = workbook.active
    assert combined is not None  # a new workbook has one sheet
    combined.title = vocab.combined_sheet
    names = sheet_names(plans, [vocab.combined_sheet, vocab.overview_sheet])
    _fill(combined, vocab.columns, [row for p in plans for row in activity_rows(p.plan)])
    overview = workbook.create_sheet(vocab.overview_sheet)
    _fill(overview, vocab.overview_columns, [overview_row(p, n) for p, n in zip(plans, names, strict=True)])
    for row, name in enumerate(names, start=2):  # each plan's name links to its sheet
        link = overview.cell(row=row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
        link.font = Font(color="0563C1", underline="single")
    for loaded, name in zip(plans, names, strict=True):
        extras = [ColumnSpec(_extra_key(h), h, vocab.extra_width) for h in extra_headers(loaded.plan)]
        _fill(workbook.create_sheet(name), (*vocab.plan_columns, *extras), activity_rows(loaded.plan))
    _save_atomic(target, lambda path: workbook.save(path))


def _fill(sheet: Worksheet, columns: Sequence[ColumnSpec], rows: Sequence[Row]) -> None:
    """A header row and the rows, made readable: widths, wrapping, frozen header, filters."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=SETTINGS.header_fill)
    header_align = Alignment(wrap_text=True, vertical="center")
    body_align = Alignment(wrap_text=True, vertical="top")
    date_format = vocabulary().date_format
    for col, spec in enumerate(columns, start=1):
        head = sheet.cell(row=1, column=col, value=spec.header)
        head.font, head.fill, head.alignment = header_font, header_fill, header_align
        sheet.column_dimensions[get_column_letter(col)].width = spec.width
    for r, row in enumerate(rows, start=2):
        for col, spec in enumerate(columns, start=1):
            cell = sheet.cell(row=r, column=col)
            _put(cell, row.get(spec.key))
            cell.alignment = body_align
            if isinstance(cell.value, dt.date):
                cell.number_format = date_format
    last = get_column_letter(len(columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _put(cell: Any, value: Value) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        cell.value = value
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > SETTINGS.max_cell_chars:
        text = text[: SETTINGS.max_cell_chars - 1] + "…"
    cell.value = text
    cell.data_type = "s"  # text, even where it starts with "=" (openpyxl would make it a formula)


def _save_atomic(target: Path, save: Callable[[Path], object]) -> None:
    """Save to a temporary file beside the target, then rename it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        save(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; the workbook is for sharing
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- csv ---------------------------------------------------------------------------------


def csv_text(plans: Sequence[LoadedPlan], delimiter: str = ",") -> str:
    """The combined table as CSV: ISO dates, a BOM so that Excel reads the UTF-8."""
    columns = vocabulary().columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([c.header for c in columns])
    for loaded in plans:
        for row in activity_rows(loaded.plan):
            writer.writerow([_csv_value(row.get(c.key)) for c in columns])
    return buffer.getvalue()


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write_csv(plans: Sequence[LoadedPlan], target: Path, delimiter: str = ",") -> None:
    text = csv_text(plans, delimiter)
    _save_atomic(target, lambda path: path.write_text(text, encoding=SETTINGS.csv_encoding, newline=""))


# ---- the command -------------------------------------------------------------------------


@click.command("export")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Excel workbook: all activities, an overview, one sheet per plan.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of all activities (UTF-8 with BOM).")
@click.option("--delimiter", default=",", show_default=True,
              help="CSV field separator; ';' suits Excel in a Russian locale.")
def export_command(inputs: tuple[Path, ...], xlsx_path: Path | None, csv_path: Path | None, delimiter: str) -> None:
    """Export plan JSON files (or folders of them, e.g. a batch's OUTDIR) to Excel or CSV.

    Error objects are passed over with a note; a file that is not a plan JSON stops the
    export before anything is written (exit 1).
    """
    if xlsx_path is None and csv_path is None:
        raise click.UsageError("name an output: --xlsx OUT.xlsx and/or --csv OUT.csv")
    if len(delimiter) != 1:
        raise click.UsageError("--delimiter must be one character")
    plans, passed = load_plans(inputs)
    for path, code in passed:
        click.echo(f"{path}: passed over (error object: {code})", err=True)
    if not plans:
        raise ExportError("no plans to export")
    if xlsx_path is not None:
        write_xlsx(plans, xlsx_path)
    if csv_path is not None:
        write_csv(plans, csv_path, delimiter)
    activities = sum(len(p.plan.activities) for p in plans)
    written = ", ".join(str(p) for p in (xlsx_path, csv_path) if p is not None)
    click.echo(f"{len(plans)} plans, {activities} activities -> {written}", err=True)
