"""extract(path) -> Plan: the one path from a file to the canonical plan.

parse (parsers/) -> tables cut by page breaks stitched (tables) -> plan tables and header
(tables) -> rows cut by page breaks re-joined, rows to raw items (rows) -> sections (sections)
-> metadata (metadata) -> per-activity normalization (normalize/) -> models.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from extractor.metadata import find_abbreviations, find_municipality, infer_period, split_heading, stated_period
from extractor.normalize.parties import parse_parties, unify_names
from extractor.normalize.rule_trace import RuleTrace
from extractor.normalize.schedule import ScheduleContext, month_heading, normalize_schedule
from extractor.options import DEFAULT, Options
from extractor.quality import lost_rows, measure
from extractor.rows import (
    RawActivity,
    RawItem,
    SkippedRow,
    heading_items,
    join_cut_titles,
    list_label,
    part_items,
    promote_parent_rows,
    rejoin_page_breaks,
)
from extractor.sections import DAY_MONTH, build_sections
from extractor.tables import ColumnSpec, PlanPart, choose_tables, role_of, stitch_pages, table_text
from extractor.text import DASH_ITEM, clean_number, close_letter_spacing, fold, render_paragraph, split_number
from extractor.trace import CellRules, Trace
from lang import vocab
from models import (
    PARTIAL_CODES,
    Activity,
    ColumnRole,
    Party,
    Period,
    Plan,
    PlanMeta,
    Provenance,
    Schedule,
    Source,
    Warning,
)
from models import Column as ColumnModel
from parsers import parse
from parsers.errors import ExtractionError
from parsers.layout import Cell, Document, Paragraph, Table

# "…: - item; - item" written inline in one paragraph
_INLINE_ITEM = re.compile(r"(?:(?<=[:;])|^)\s*[-–—]\s+(?=\S)")
_LIST_PUNCT = " ;,"
_YEAR = re.compile(r"(?:19|20)\d\d")
log = logging.getLogger(__name__)


def extract(path: str | Path, options: Options | Mapping[str, Any] | None = None) -> Plan:
    """The canonical plan of the file at `path` (raises ExtractionError, OptionsError)."""
    return assemble(*read(path, options))


def read(path: str | Path, options: Options | Mapping[str, Any] | None = None) -> tuple[Document, Source, Options]:
    """The file parsed with the options' language data and parse settings, its source, the
    options resolved: what `assemble` takes (extract, and debug with a trace)."""
    path = Path(path)
    resolved = Options.resolve(options)
    vocab.use_data(resolved.language_data)
    document = parse(path, resolved.parse_options())
    return document, source_of(path, document), resolved


def source_of(path: Path, document: Document) -> Source:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return Source(
        filename=path.name,
        sha256=digest.hexdigest(),
        format=document.format,  # type: ignore[arg-type]
        pages=document.pages,
        ocr=document.ocr,
    )


def assemble(document: Document, source: Source, options: Options = DEFAULT, trace: Trace | None = None) -> Plan:
    """The canonical plan of a parsed document (raises ExtractionError). A `trace` given is
    filled with what each step did, as far as it got (with `cell_rules`, the normalizers' rule
    traces of every activity's cells too)."""
    trace = trace if trace is not None else Trace()
    trace.document = document
    try:
        plan = _assemble(document, source, options, trace)
    except ExtractionError as exc:
        trace.error = f"{exc.code}: {exc.message}"
        trace.record_rows()
        raise
    trace.plan = plan
    return plan


def _assemble(document: Document, source: Source, options: Options, trace: Trace) -> Plan:
    if not any(not b.is_blank if isinstance(b, Paragraph) else b.cells for b in document.blocks):
        raise ExtractionError("empty_document", "в документе нет текста")
    blocks = stitch_pages(document.blocks, options.stitch)
    choice = choose_tables(blocks)
    parts = [with_roles(rejoin_page_breaks(part, options.split), options.columns) for part in choice.parts]
    trace.record_tables([b for b in blocks if isinstance(b, Table)], parts, choice.skipped)
    if not parts:
        raise ExtractionError("no_plan_table", "нет таблицы с заголовком плана (мероприятие / сроки / ответственные)")
    tables = [i for i, b in enumerate(blocks) if isinstance(b, Table)]
    before = blocks[:tables[parts[0].table_index]]
    heading = split_heading([b for b in before if isinstance(b, Paragraph)])
    preamble = heading.preamble + [table_text(b) for b in before if isinstance(b, Table) and b.cells]
    title = close_letter_spacing(heading.title) or None
    approval_text = heading.approval.text if heading.approval else ""
    abbreviations = find_abbreviations(_all_texts(document))

    skipped_rows: list[SkippedRow] = []
    items: list[RawItem] = []
    for part in parts:
        items += heading_items(part.headings) + part_items(part, skipped_rows)
    items = join_cut_titles(items)
    promoted = promote_parent_rows(items)
    trace.promoted = {i for i, (a, b) in enumerate(zip(items, promoted, strict=True)) if a is not b}
    items = trace.items = promoted
    trace.skipped_rows = skipped_rows
    sections, innermost = build_sections(items)
    section_titles = {s.id: s.title for s in sections}

    warnings: list[Warning] = [Warning(code=c, message=m) for c, m in document.warnings]
    period = options.period.period() if options.period is not None else stated_period(
        title, heading.preamble, heading.lead)
    if period is None:
        period, how = infer_period(heading.approval, [_schedule_text(i) for i in items if isinstance(i, RawActivity)],
                                   [title or "", *heading.preamble, *section_titles.values()])
        if period is not None:
            warnings.append(Warning(code="period_inferred", message=f"период плана не указан; выведен {how}: "
                                    f"{period.start} – {period.end}"))
    if title is None:
        warnings.append(Warning(code="no_title", message="в документе нет заголовка плана"))
    first_header = [c.header for c in parts[0].columns]
    for part in parts[1:]:
        header = [c.header for c in part.columns]
        if part.header_rows and header != first_header:
            roles = "; ".join(f"{c.header} ({c.role})" for c in part.columns)
            warnings.append(Warning(code="header_differs",
                                    message=f"у таблицы {part.table_index} свои столбцы: {roles}"))
    for part in parts:
        if part.inferred:
            roles = ", ".join(f"{c.index}: {c.role}" for c in part.columns)
            warnings.append(Warning(code="header_inferred", message=f"у таблицы {part.table_index} нет заголовка; "
                                    f"роли столбцов определены по содержимому ({roles})"))
    for table in choice.skipped:
        if table.reason != "empty":
            warnings.append(Warning(code="table_skipped", message=f"таблица {table.table_index} не вошла в план "
                                    f"({_TABLE_REASONS[table.reason]}): {table.text}"))
    for row in skipped_rows:
        warnings.append(Warning(code="row_skipped", message=f"таблица {row.table_index}, строка {row.row}: "
                                f"{_ROW_REASONS[row.reason]}: {row.text}"))

    activities: list[Activity] = []
    for pos, item in enumerate(items):
        if not isinstance(item, RawActivity):
            continue
        section_id = innermost.get(pos)
        schedule_header = next((c.header for c in item.columns if c.role == "schedule"), None)
        rules = CellRules() if trace.cell_rules else None
        try:
            context = _context_of(section_titles.get(section_id or ""), schedule_header)
            activity, notes = _activity(item, len(activities) + 1, section_id, period, context,
                                        section_titles.get(section_id or ""), rules)
        except Exception as exc:  # a bug in a rule costs this row, not the document
            log.exception("table %s, rows %s: unexpected error", item.table_index, item.rows)
            text = " | ".join(fold(item.values[c].text) for c in sorted(item.own) if not item.values[c].is_blank)
            warnings.append(Warning(code="internal_error", message=f"таблица {item.table_index}, строка "
                                    f"{item.rows[0]}: внутренняя ошибка ({type(exc).__name__}: {exc}); "
                                    f"строка не разобрана: {text}"))
            continue
        if activity is None:
            warnings += [Warning(code=c, message=m) for c, m in notes]
            continue
        activities.append(activity)
        trace.activity_of[pos] = activity.seq
        if rules is not None:
            trace.rules[activity.seq] = rules
        warnings += [Warning(code=c, message=m, activity=activity.seq) for c, m in notes]
    activities = _unify(activities, abbreviations)

    meta = PlanMeta(
        title=title,
        municipality=options.municipality or find_municipality([title or "", approval_text]),
        period=period,
        approval=heading.approval,
        preamble=preamble,
        abbreviations=abbreviations,
    )
    columns = [ColumnModel(index=c.index, header=c.header, role=c.role) for c in parts[0].columns]
    if options.hints():
        source = source.model_copy(update={"hints": options.hints()})
    plan = Plan(source=source, plan=meta, columns=columns, sections=sections,
                activities=activities, warnings=warnings)
    lost = trace.lost = lost_rows(parts, items, skipped_rows, activities)
    if lost:
        plan.warnings += [Warning(code="row_lost", message=f"таблица {t}, строка {r}: строка не попала в план: {text}")
                          for t, r, text in lost]
    plan.quality = measure(plan, blocks, choice, parts, skipped_rows, lost)
    if any(w.code in PARTIAL_CODES for w in plan.warnings):
        plan.status = "partial"
    log.info("%s: %d activities, %d sections, %d warnings, %s", source.filename, len(activities),
             len(sections), len(plan.warnings), plan.status)
    trace.record_rows()
    return plan


def with_roles(part: PlanPart, roles: Mapping[int, ColumnRole]) -> PlanPart:
    """The part with the column roles a person set (Options.columns): a role that one column
    holds (number, activity, schedule) is taken from the column that had it."""
    if not roles:
        return part
    unique = {"number", "activity", "schedule"}
    columns = [replace(c, role="other") if c.role in unique and c.role in roles.values() and c.index not in roles
               else c for c in part.columns]
    known = {c.index for c in columns}
    columns = [replace(c, role=roles[c.index]) if c.index in roles else c for c in columns]
    for index, role in roles.items():
        if index not in known and index < part.table.n_cols:
            columns.append(ColumnSpec(index=index, header=_header_of(part, index), role=role))
    return replace(part, columns=sorted(columns, key=lambda c: c.index))


def _header_of(part: PlanPart, index: int) -> str:
    if not part.header_rows:
        return ""
    cell = part.table.covering()[part.header_rows - 1][index]
    return fold(cell.text) if cell is not None else ""


_TABLE_REASONS = {
    "before_plan": "стоит до таблицы плана, её текст в преамбуле",
    "no_plan_header": "нет заголовка плана, и столбцы не совпадают с таблицей плана",
    "other_header": "у таблицы свой заголовок другого вида",
}
_ROW_REASONS = {"summary_row": "итоговая строка", "example_row": "строка-образец"}


def _combined_schedule(item: RawActivity) -> tuple[str, str, str] | None:
    """A schedule column whose one-level header names two things («Срок исполнения/
    подтверждение исполнения»): its cells give the date before their «/» and the other thing
    after it («15 июля 2020/ положение, план»). (the date's text, the other header, the other
    text), or None."""
    col = next((c for c in item.columns if c.role == "schedule" and c.index in item.values), None)
    other = _second_field(col.header) if col is not None and col.sub_header is None else None
    if col is None or other is None:
        return None
    when, slash, rest = item.values[col.index].text.partition("/")
    if not slash or not when.strip() or not rest.strip():
        return None
    return when.strip(), other, rest.strip()


@cache
def _second_field(header: str) -> str | None:
    """What a schedule header names after its «/», when that is not a schedule too; once per
    header, not per row."""
    first, slash, second = header.partition("/")
    if not slash or role_of(first) != "schedule" or not second.strip() or role_of(second) == "schedule":
        return None
    return second.strip()


def _schedule_text(item: RawActivity) -> str:
    combined = _combined_schedule(item)
    return fold(combined[0]) if combined is not None else item.text("schedule")


# --- one activity -----------------------------------------------------------------------

def _activity(item: RawActivity, seq: int, section: str | None, period: Period | None,
              context: ScheduleContext | None, section_title: str | None = None, rules: CellRules | None = None,
              ) -> tuple[Activity | None, list[tuple[str, str]]]:
    notes: list[tuple[str, str]] = []
    cell = item.cell("activity")
    title = render_cell(cell) if cell is not None else ""
    number = clean_number(item.text("number")) if item.cell("number") is not None else None
    if item.cell("number") is None and not any(c.role == "number" for c in item.columns):
        number, title = split_number(title)
        title = title.strip()
    elif number is None and cell is not None and (label := list_label(cell)) and title.startswith(label):
        number, title = clean_number(label), title[len(label):].strip()  # Word's number before the text
    if cell is None and (own := item.cell("number")) is not None:
        # the number and activity cells run together, one cell under both columns (a rule OCR
        # missed, or cells merged in the source): «1. Соблюдение режима дня»
        found, rest = split_number(render_cell(own))
        if found is not None and any(ch.isalpha() for ch in rest):  # «08.1 2» is OCR noise, no title
            number, title = found, rest.strip()
    if not title:
        own_text = [fold(item.values[c].text) for c in item.own if not item.values[c].is_blank]
        if own_text:
            notes.append(("row_without_activity",
                          f"таблица {item.table_index}, строка {item.rows[0]}: текст без мероприятия: "
                          + " | ".join(own_text)))
        return None, notes
    schedule_cell = item.cell("schedule")
    schedule_text = schedule_cell.text if schedule_cell is not None else ""
    combined = _combined_schedule(item)
    if combined is not None:
        schedule_text = combined[0]
    schedule_trace = RuleTrace() if rules is not None else None
    schedule = _dated_by_section(schedule_text, period, section_title, schedule_trace) or normalize_schedule(
        schedule_text, period, context, trace=schedule_trace)
    if rules is not None and schedule_cell is not None:
        rules.schedule = schedule_trace
    if period is not None and period.inferred and (schedule.start or schedule.end) and not _YEAR.search(schedule_text):
        schedule = schedule.model_copy(update={"confidence": "low"})  # its year came from an inferred period
    if schedule.kind == "unknown" and schedule.text and schedule.duration is None:
        notes.append(("schedule_unread", f"срок не понят: {schedule.text}"))
    responsible: list[Party] = []
    extra: dict[str, str] = {}
    for col in item.columns:
        value = item.values.get(col.index)
        if value is None or value.is_blank:
            continue
        if col.role == "responsible":
            cell_trace = RuleTrace() if rules is not None else None
            parsed = parse_parties(cell_lines(value), col.sub_header, trace=cell_trace)
            if rules is not None and cell_trace is not None:
                rules.responsible.append((col.header, cell_trace))
            responsible += parsed.parties
            if parsed.rejected:
                extra[col.header] = " ".join(parsed.rejected)
                notes.append(("not_a_party", f"{col.header}: не исполнитель (текст оставлен в extra): "
                              + "; ".join(parsed.rejected)))
        elif col.role == "other":
            extra[col.header] = render_cell(value)
    if combined is not None:
        extra[combined[1]] = combined[2]
    result = item.text("result") or None
    activity = Activity(
        seq=seq,
        number=number,
        section=section,
        title=title,
        subitems=subitems(cell) if cell is not None else [],
        schedule=schedule,
        responsible=responsible,
        result=result,
        extra=extra,
        provenance=Provenance(page=item.page, table=item.table_index, rows=item.rows),
    )
    return activity, notes


def render_cell(cell: Cell) -> str:
    """A cell's full text on one line: paragraphs joined by a space, list items with their
    marker ("- item", "2. item"), nested tables after the paragraphs."""
    parts: list[str] = []
    counter = 0
    for p in cell.paragraphs:
        counter = counter + 1 if p.list is not None else 0
        parts.append(render_paragraph(p, counter))
    for table in cell.tables:
        parts.append(table_text(table).replace("\n", " "))
    return fold(" ".join(parts))


def cell_lines(cell: Cell) -> list[str]:
    """A cell's paragraphs as lines (line breaks split too), list markers removed."""
    lines: list[str] = []
    for p in cell.paragraphs:
        lines += [fold(line) for line in p.text.split("\n") if line.strip()]
    return lines


def subitems(cell: Cell) -> list[str]:
    """Bullet and dash sub-items of an activity cell, each in full without its marker."""
    out: list[str] = []
    for p in cell.paragraphs:
        text = fold(p.text)
        if not text:
            continue
        if p.list is not None:
            out.append(text.rstrip(_LIST_PUNCT))
        elif DASH_ITEM.match(text):
            out.append(DASH_ITEM.sub("", text).rstrip(_LIST_PUNCT))
        else:
            pieces = _INLINE_ITEM.split(text)
            if len(pieces) > 2 or (len(pieces) == 2 and pieces[0].rstrip().endswith(":")):
                out += [piece.strip().rstrip(_LIST_PUNCT) for piece in pieces[1:] if piece.strip()]
    return out


def _all_texts(document: Document) -> list[str]:
    texts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        else:
            texts += [fold(c.text) for c in block.cells]
    return texts


_CLOCK_ONLY = re.compile(r"^[сСcC]?\s*[\d.:\s\-–—]*$")


def _dated_by_section(text: str, period: Period | None, section_title: str | None,
                      trace: RuleTrace | None = None) -> Schedule | None:
    """A day row above ("23 марта") dates the rows under it whose cell gives only clock times
    ("10.00-11.00") or nothing: that day, the times kept as the note."""
    day = DAY_MONTH.match(section_title or "")
    if day is None or not _CLOCK_ONLY.match(fold(text)):
        return None
    base = normalize_schedule(f"{int(day.group('d'))} {day.group('m')}", period, None)
    if base.kind != "date":
        return None
    if trace is not None:
        trace.text = fold(text)
        why = f"the day of the row above «{fold(section_title or '')}», {base.start}"
        if trace.text:
            trace.add("day_row", 0, len(trace.text), f"{why}; the times kept as the note")
        else:
            trace.note(f"an empty cell: {why}")
    return base.model_copy(update={"text": fold(text), "note": fold(text) or None})


def _context_of(section_title: str | None, header: str | None) -> ScheduleContext | None:
    """A month section row ("МАРТ", "Сентябрь 2023") dates the day-only cells below it; the
    column's header ("Срок, рабочих дней") says what a bare number means."""
    found = month_heading(section_title) if section_title else None
    if found is None and header is None:
        return None
    return ScheduleContext(month=found[0] if found else None, year=found[1] if found else None,
                           column_header=header)


def _unify(activities: list[Activity], abbreviations: dict[str, str]) -> list[Activity]:
    """One name for one body across the whole plan."""
    flat = [p for a in activities for p in a.responsible]
    unified = iter(unify_names(flat, abbreviations))
    out: list[Activity] = []
    for activity in activities:
        parties = [next(unified) for _ in activity.responsible]
        out.append(activity.model_copy(update={"responsible": parties}))
    return out


__all__ = ["PlanPart", "assemble", "extract"]
