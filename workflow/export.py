"""`roadmap export`: plans as an Excel workbook (and a CSV table) made for people.

The workbook has a combined sheet of every activity of every plan, a summary of the plans (one
row per plan with its completeness card, linked to its sheet) and one sheet per plan, named by
municipality and period. Parties carry their positions; the plans' other columns get one column
per logical field (headers that mean the same are merged). Every table has a bold frozen header
row with filters, set column widths, wrapped text and dates as real Excel dates. Headers and
sheet names are in extractor/data/batch_export.yaml; everything a person reads is Russian.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from lang.morph import parses
from lang.vocab import load
from models import Activity, Plan
from workflow.check import FINDINGS_HEADER, FINDINGS_SHEET, FINDINGS_WIDTHS, findings_sheet_rows
from workflow.compare_card import card_of, code_names, is_batch_report, is_english, party_text, years_of
from workflow.validate import json_files

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | float | dt.date | None
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
_WORD = re.compile(r"[а-яёa-z]+(?:-[а-яёa-z]+)*")  # "кол-во" is one word
_CUT = re.compile(r"(?<=[а-яё])- (?=[а-яё])")  # a word cut at a line break: "коли- чество"
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ"})
DEFAULT_DELIMITER = ";"  # Excel in a Russian locale splits CSV at semicolons


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
    same_words: dict[str, str]  # a header word -> the word it is counted as
    untitled_column: str
    own_column_suffix: str


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
        same_words={str(w): str(group[0]) for group in data["same_header_words"] for w in group},
        untitled_column=data["untitled_column"],
        own_column_suffix=data["own_column_suffix"],
    )


class ExportError(click.ClickException):
    """An input that is not a plan JSON (exit 1; nothing is written)."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"Ошибка: {self.format_message()}", err=True)


@dataclass(frozen=True)
class LoadedPlan:
    path: Path
    plan: Plan


# ---- reading -----------------------------------------------------------------------------


REPORT = "report"  # the code load_plans gives a batch report it passes over


def load_plans(arguments: Sequence[Path]) -> tuple[list[LoadedPlan], list[tuple[Path, str]]]:
    """The plans, and the inputs passed over with their codes: error objects, and batch reports
    (`_report.json`, named on the command line as `out/*.json` names it) as REPORT."""
    plans: list[LoadedPlan] = []
    passed: list[tuple[Path, str]] = []
    for path in json_files(arguments):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ExportError(f"{path}: не файл JSON ({exc})") from exc
        if is_batch_report(data):
            passed.append((path, REPORT))
            continue
        if isinstance(data, dict) and set(data) == {"error"}:
            passed.append((path, str(data["error"].get("code", "?")) if isinstance(data["error"], dict) else "?"))
            continue
        try:
            plans.append(LoadedPlan(path, Plan.model_validate(data)))
        except ValidationError as exc:
            raise ExportError(f"{path}: не JSON плана (ошибок: {exc.error_count()}); "
                              f"их перечислит `roadmap validate {path}`") from exc
    return plans, passed


def passed_note(path: Path, code: str) -> str:
    """Why an input was passed over, in Russian."""
    if code == REPORT:
        return f"{path}: отчёт пакетной обработки, пропущен"
    return f"{path}: пропущен — объект ошибки: {code_names().errors.get(code, code)} ({code})"


def readable_warning(code: str, message: str) -> str:
    """A warning as people read it: its message where that is Russian; else the code's Russian
    name with the quoted text after the message's last colon (JSON made before the messages
    were translated)."""
    if not is_english(message):
        return message
    name = code_names().warnings.get(code, code)
    tail = message.rsplit(": ", 1)[-1] if ": " in message else ""
    return f"{name}: {tail}" if tail and not is_english(tail) else name


# ---- merged headers ----------------------------------------------------------------------


@cache
def header_key(header: str) -> str:
    """What a header means, for merging: its content words' lemmas, in order of the alphabet,
    the vocabulary's same words counted as one ("Отметка о выполнении" = "Отметка об исполнении")."""
    same = vocabulary().same_words
    words: set[str] = set()
    for word in _WORD.findall(_CUT.sub("", header.lower())):
        if word in same:
            words.add(same[word])
            continue
        found = parses(word)
        if found and found[0].tag.POS in _FUNCTION_POS:
            continue
        lemma = str(found[0].normal_form).replace("ё", "е") if found else word
        words.add(same.get(lemma, lemma))
    return " ".join(sorted(words)) or header.strip().lower()


# ---- rows --------------------------------------------------------------------------------


def activity_rows(plan: Plan) -> list[Row]:
    """One row per activity, keyed like the vocabulary's columns; extra columns by header."""
    sep = vocabulary().separator
    sections = {s.id: f"{s.number}. {s.title}" if s.number else s.title for s in plan.sections}
    notes: dict[int, list[str]] = {}
    for warning in plan.warnings:
        if warning.activity is not None:
            notes.setdefault(warning.activity, []).append(readable_warning(warning.code, warning.message))
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
            "responsible": sep.join(party_text(p.name, p.position, p.role) for p in activity.responsible),
            "result": activity.result,
            "check": _to_check(activity),
            "warnings": sep.join(notes.get(activity.seq, [])) or None,
            "file": plan.source.filename,
        }
        extras: dict[str, list[str]] = {}
        for header, value in activity.extra.items():
            extras.setdefault(_extra_key(header), []).append(value)
        rows.append(row | {key: sep.join(values) for key, values in extras.items()})
    return rows


def _to_check(activity: Activity) -> str | None:
    """What a person should check by hand: the fields the rules guessed (confidence low)."""
    words = vocabulary().check_words
    fields = ([words["schedule"]] if activity.schedule.confidence == "low" else []) + (
        [words["responsible"]] if any(p.confidence == "low" for p in activity.responsible) else [])
    return vocabulary().separator.join(fields) or None


def _extra_key(header: str) -> str:
    return f"extra:{header_key(header)}"


def extra_headers(plan: Plan) -> list[str]:
    """Headers of the plan's extra columns: in table order, then any others as first met."""
    seen = [c.header for c in plan.columns if c.role == "other"]
    for activity in plan.activities:
        seen += [h for h in activity.extra if h not in seen]
    return [h for h in seen if any(h in a.extra for a in plan.activities)]


def extra_columns(plans: Sequence[Plan]) -> list[ColumnSpec]:
    """One column per logical field of the plans' extra columns, in order of first use, headed
    by the header most of its values were under (the first of a tie)."""
    counts: dict[str, Counter[str]] = {}
    for plan in plans:
        for activity in plan.activities:
            for header in activity.extra:
                counts.setdefault(_extra_key(header), Counter())[header] += 1
    for plan in plans:  # order: as the plans' tables have them
        for header in extra_headers(plan):
            counts.setdefault(_extra_key(header), Counter())
    vocab = vocabulary()
    taken = {c.header for c in vocab.columns}
    out: list[ColumnSpec] = []
    for key, headers in counts.items():
        if not headers:
            continue
        header = _CUT.sub("", headers.most_common(1)[0][0]).strip() or vocab.untitled_column
        # a plan's own column named like one of ours ("Ответственные") says whose it is
        out.append(ColumnSpec(key, f"{header} {vocab.own_column_suffix}" if header in taken else header,
                              vocab.extra_width))
    return out


def overview_row(loaded: LoadedPlan, sheet: str) -> Row:
    plan = loaded.plan
    period = plan.plan.period
    approval = plan.plan.approval
    card = card_of(plan)
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
        "dated": round(card.dated_share, 3),
        "parties": round(card.parties_share, 3),
        "word_share": card.word_share,
        "warning_kinds": card.warning_text or None,
        "concerns": vocabulary().separator.join(card.concerns) or None,
        "warnings": vocabulary().separator.join(
            readable_warning(w.code, w.message) for w in plan.warnings if w.activity is None) or None,
    }


SHARE_KEYS = frozenset({"dated", "parties", "word_share"})  # shown as percentages


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
    years = years_of(plan).replace("–", "-")
    # a file name that already ends with the years ("khmao_2023") does not repeat them
    return label, "" if not plan.plan.municipality and label.endswith(years.replace("-", "_")) else years


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
    _fill(combined, combined_columns([p.plan for p in plans]), [row for p in plans for row in activity_rows(p.plan)])
    overview = workbook.create_sheet(vocab.overview_sheet)
    _fill(overview, vocab.overview_columns, [overview_row(p, n) for p, n in zip(plans, names, strict=True)])
    for column, spec in enumerate(vocab.overview_columns, start=1):
        if spec.key in SHARE_KEYS:
            for row in range(2, len(plans) + 2):
                overview.cell(row=row, column=column).number_format = "0%"
    for row, name in enumerate(names, start=2):  # each plan's name links to its sheet
        link = overview.cell(row=row, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
        link.font = Font(color="0563C1", underline="single")
    for loaded, name in zip(plans, names, strict=True):
        extras = extra_columns([loaded.plan])
        _fill(workbook.create_sheet(name), (*vocab.plan_columns, *extras), activity_rows(loaded.plan))
    _findings_sheet(workbook, plans)
    save_atomic(target, lambda path: workbook.save(path))


def _findings_sheet(workbook: Any, plans: Sequence[LoadedPlan]) -> None:
    """What the checks found in each plan (workflow.check), one row per finding."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(FINDINGS_SHEET)
    sheet.append(list(FINDINGS_HEADER))
    for col, width in enumerate(FINDINGS_WIDTHS, start=1):
        head = sheet.cell(row=1, column=col)
        head.font, head.fill = Font(bold=True), PatternFill("solid", fgColor=SETTINGS.header_fill)
        sheet.column_dimensions[get_column_letter(col)].width = width
    for row in findings_sheet_rows([(p.plan, p.path.name) for p in plans]):
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


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


def save_atomic(target: Path, save: Callable[[Path], object]) -> None:
    """Save to a temporary file beside the target, then rename it over the target, with the
    permissions extractor.output.write_atomic gives every JSON (0666 less the umask)."""
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


def combined_columns(plans: Sequence[Plan]) -> tuple[ColumnSpec, ...]:
    """The combined sheet's columns: the vocabulary's, then one per logical extra field, the
    file last."""
    columns = vocabulary().columns
    return (*columns[:-1], *extra_columns(plans), columns[-1])


def csv_text(plans: Sequence[LoadedPlan], delimiter: str = DEFAULT_DELIMITER) -> str:
    """The combined table as CSV: ISO dates, a BOM so that Excel reads the UTF-8."""
    columns = combined_columns([p.plan for p in plans])
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


def write_csv(plans: Sequence[LoadedPlan], target: Path, delimiter: str = DEFAULT_DELIMITER) -> None:
    text = csv_text(plans, delimiter)
    save_atomic(target, lambda path: path.write_text(text, encoding=SETTINGS.csv_encoding, newline=""))


# ---- the command -------------------------------------------------------------------------


@click.command("export", short_help="Выгрузить планы в Excel или CSV.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Книга Excel: все мероприятия, сводка по планам, лист на каждый план.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV всех мероприятий (UTF-8 с BOM).")
@click.option("--delimiter", default=DEFAULT_DELIMITER, show_default=True,
              help="Разделитель полей CSV; «;» читает Excel с русскими настройками.")
def export_command(inputs: tuple[Path, ...], xlsx_path: Path | None, csv_path: Path | None, delimiter: str) -> None:
    """Выгрузить JSON планов (или папки с ними, например OUTDIR пакетной обработки) в Excel или CSV.

    Объекты ошибки и отчёт пакетной обработки пропускаются с пометкой; файл, который не является
    JSON плана, останавливает выгрузку, и ничего не записывается (код выхода 1).
    """
    if xlsx_path is None and csv_path is None:
        raise click.UsageError("укажите, что записать: --xlsx ВЫХОД.xlsx и/или --csv ВЫХОД.csv")
    if len(delimiter) != 1:
        raise click.UsageError("--delimiter — один символ")
    plans, passed = load_plans(inputs)
    for path, code in passed:
        click.echo(passed_note(path, code), err=True)
    if not plans:
        raise ExportError("нет планов для выгрузки")
    if xlsx_path is not None:
        write_xlsx(plans, xlsx_path)
    if csv_path is not None:
        write_csv(plans, csv_path, delimiter)
    activities = sum(len(p.plan.activities) for p in plans)
    written = ", ".join(str(p) for p in (xlsx_path, csv_path) if p is not None)
    click.echo(f"планов: {len(plans)}, мероприятий: {activities} -> {written}", err=True)
