"""`roadmap debug`: see what the extractor saw.

The file is extracted with a trace (extractor.trace): the tables as the pipeline read them
(continued over page breaks made one, split rows re-joined), the kind of every row and the
rule that gave it, the activities made from each row. Nothing here repeats a step. Then:

- `.html` output: every table as a grid with its merges (rowspan/colspan), header rows,
  section rows, skipped rows and column roles, each activity row with the activity it gave;
  then, for every activity (or the one `--cell SEQ` names), the rule trace of its schedule and
  responsible cells: which pass or rule of the normalizers took which words;
- `.png` output (PDF and scanned PDF): the page image with the detected cells, header rows,
  section rows, joined rows and column roles drawn on it, as pdfplumber's visual debugging
  does for its own table finder. Positions come from the layout model (Table.page, Row.page,
  Row.bbox, Cell.bbox, in PDF points from the top left).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import click

from extractor.normalize.rule_trace import RuleTrace
from extractor.options import DEFAULT, Options
from extractor.output import write_atomic
from extractor.trace import RowKind, TableTrace, Trace
from models import Plan, Source
from parsers.errors import ExtractionError
from parsers.layout import BBox, Cell, Document, Table
from workflow.cli_options import extraction_options
from workflow.hints import OptionLayers
from workflow.html import template_environment

ShapeKind = Literal["cell", "header", "section", "activity", "skipped", "column", "join", "table"]

ROW_KIND_NAMES: dict[str, str] = {
    "header": "заголовок",
    "repeat": "повтор заголовка",
    "section": "раздел",
    "promoted": "раздел (номер над подпунктами)",
    "activity": "мероприятие",
    "joined": "продолжение строки после разрыва страницы",
    "dropped": "без мероприятия (в предупреждении)",
    "skipped": "пропущена (в предупреждении)",
    "lost": "потеряна (row_lost)",
    "empty": "пустая или продолжение объединённых ячеек",
}
POSITIONED_FORMATS = frozenset({"pdf", "scan"})


_SHAPE_OF_ROW: dict[RowKind, ShapeKind] = {
    "header": "header", "repeat": "header", "section": "section", "promoted": "section",
    "activity": "activity", "joined": "activity", "dropped": "skipped", "skipped": "skipped", "lost": "skipped",
    "empty": "skipped",
}


class DebugError(ValueError):
    """A request the file cannot answer (a page it lacks, positions it has not)."""


@dataclass(frozen=True)
class DebugSettings:
    resolution: int = 110  # dpi of the page image
    fill_alpha: int = 70  # 0..255: how strongly row kinds tint the page
    cell_stroke: int = 1
    row_stroke: int = 2
    label_size: int = 11  # px of the labels drawn on the page
    label_gap: float = 2.0  # points between a label and what it names


def analyse(document: Document, options: Options = DEFAULT, source: Source | None = None,
            rules: bool = True) -> Trace:
    """What the pipeline did with a parsed document (its plan, or its error, in the trace);
    `rules`: with the normalizers' rule traces of every activity's cells."""
    from extractor.pipeline import assemble

    trace = Trace(document=document, cell_rules=rules)
    source = source or Source(filename="document", sha256="0" * 64, format=document.format,  # type: ignore[arg-type]
                              pages=document.pages, ocr=document.ocr)
    with contextlib.suppress(ExtractionError):  # the trace holds the error and what came before it
        assemble(document, source, options, trace)
    return trace


def analyse_file(path: Path, options: Options | None = None, rules: bool = True) -> Trace:
    """Parse a file and trace its assembly (raises ExtractionError when it cannot be parsed)."""
    from extractor.pipeline import read

    document, source, resolved = read(path, options)
    return analyse(document, resolved, source, rules)


# --- HTML grid view -------------------------------------------------------------------------

@dataclass(frozen=True)
class GridCell:
    cell: Cell | None  # None: a position no cell covers (a ragged row)
    rows: int = 1  # spans clipped to the table
    cols: int = 1


def grid_rows(view: TableTrace) -> list[list[GridCell]]:
    """Per table row, what HTML needs: the cells anchored in it with their spans, and a
    placeholder for each position that no cell covers; positions covered by a merge that
    starts elsewhere are left out."""
    table = view.table
    anchors = table.grid()
    covering = table.covering()
    out: list[list[GridCell]] = []
    for r in range(table.n_rows):
        row: list[GridCell] = []
        for c in range(table.n_cols):
            cell = anchors[r][c]
            if cell is not None:
                row.append(GridCell(cell, min(cell.row_span, table.n_rows - r), min(cell.col_span, table.n_cols - c)))
            elif covering[r][c] is None:
                row.append(GridCell(None))
        out.append(row)
    return out


# --- HTML rule traces ------------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """A stretch of a cell's text that the same steps cover."""

    text: str
    steps: tuple[int, ...]  # numbers (1-based) of the steps whose span covers it
    ends: tuple[int, ...]  # numbers of the steps whose span ends with it


@dataclass(frozen=True)
class CellView:
    title: str  # "Сроки" or the responsible column's header
    trace: RuleTrace
    segments: list[Segment]


@dataclass(frozen=True)
class ActivityRules:
    seq: int
    number: str | None
    title: str
    cells: list[CellView]


def segments(trace: RuleTrace) -> list[Segment]:
    """The trace's text cut wherever a step starts or ends, each piece with the steps over it."""
    text = trace.text
    cuts = sorted({0, len(text), *(min(max(s.start, 0), len(text)) for s in trace.steps),
                   *(min(max(s.end, 0), len(text)) for s in trace.steps)})
    out: list[Segment] = []
    for a, b in pairwise(cuts):
        over = tuple(i for i, s in enumerate(trace.steps, 1) if s.start <= a and b <= s.end)
        out.append(Segment(text[a:b], over, tuple(i for i in over if trace.steps[i - 1].end == b)))
    return out


def rule_views(analysis: Trace, cell: int | None = None) -> list[ActivityRules]:
    """The rule traces to show: every activity's, or the one of activity `cell`."""
    if analysis.plan is None:
        return []
    out: list[ActivityRules] = []
    for activity in analysis.plan.activities:
        rules = analysis.rules.get(activity.seq)
        if rules is None or (cell is not None and activity.seq != cell):
            continue
        cells = [CellView("Сроки", rules.schedule, segments(rules.schedule))] if rules.schedule is not None else []
        cells += [CellView(header, trace, segments(trace)) for header, trace in rules.responsible]
        out.append(ActivityRules(activity.seq, activity.number, activity.title, cells))
    return out


def render_html(analysis: Trace, filename: str, cell: int | None = None) -> str:
    """The grid view of every table, then the rule traces (of activity `cell` only, if given)."""
    template = template_environment().get_template("debug.html.j2")
    views = rule_views(analysis, cell)
    return template.render(a=analysis, filename=filename, grid_rows=grid_rows, kind_names=ROW_KIND_NAMES,
                           rule_views=views, traced={v.seq for v in views})


# --- page drawing -------------------------------------------------------------------------

@dataclass(frozen=True)
class Shape:
    kind: ShapeKind
    bbox: BBox
    label: str = ""


def row_bbox(table: Table, row: int) -> BBox | None:
    """The row's own box, else the union of the one-row cells anchored in it."""
    if table.rows[row].bbox is not None:
        return table.rows[row].bbox
    boxes = [c.bbox for c in table.row_cells(row) if c.bbox is not None and c.row_span == 1]
    return union(boxes)


def union(boxes: Sequence[BBox | None]) -> BBox | None:
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))


def _cell_page(view: TableTrace, cell: Cell) -> int | None:
    return view.rows[cell.row].page if cell.row < len(view.rows) else view.table.page


def page_shapes(analysis: Trace, page: int) -> list[Shape]:
    """What to draw on page `page` (1-based): tables, cells, row kinds, joined rows and
    column roles, from the positions of the layout model."""
    shapes: list[Shape] = []
    for view in analysis.tables:
        on_page = [r for r in view.rows if r.page == page]
        if not on_page:
            continue
        table_box = union([row_bbox(view.table, r.index) for r in on_page])
        if table_box is not None:
            label = f"table {view.index}" + ("" if view.part is not None else " (not the plan)")
            shapes.append(Shape("table", table_box, label))
        for info in on_page:
            box = row_bbox(view.table, info.index)
            if box is None or view.part is None:
                continue
            label = {"header": "header", "repeat": "repeated header", "section": "section",
                     "promoted": "section (promoted)", "skipped": "skipped"}.get(info.kind, "")
            if info.kind == "activity":
                label = "#" + ",".join(str(s) for s in info.activities) if info.activities else "activity"
            kind: ShapeKind = _SHAPE_OF_ROW[info.kind]
            shapes.append(Shape(kind, box, label))
        for cell in view.table.cells:
            if cell.bbox is not None and _cell_page(view, cell) == page:
                shapes.append(Shape("cell", cell.bbox))
        shapes += _column_shapes(view, page)
        shapes += _join_shapes(view, page, analysis.plan)
    return shapes


def _column_shapes(view: TableTrace, page: int) -> list[Shape]:
    """A band over each role's columns at the top of the table on this page."""
    if view.part is None:
        return []
    out: list[Shape] = []
    for spec in view.part.columns:
        boxes = [c.bbox for c in view.table.cells
                 if c.col == spec.index and c.col_span == 1 and _cell_page(view, c) == page]
        box = union(boxes)
        if box is None:
            continue
        out.append(Shape("column", box, spec.role))
    return out


def _join_shapes(view: TableTrace, page: int, plan: Plan | None) -> list[Shape]:
    """Activities made of several table rows (a row split by a page break, or rows a
    vertical merge ties together): a bracket over their rows on this page."""
    if plan is None:
        return []
    out: list[Shape] = []
    for activity in plan.activities:
        prov = activity.provenance
        if prov.table != view.index or len(prov.rows) < 2:
            continue
        here = [r for r in prov.rows if r < len(view.rows) and view.rows[r].page == page]
        box = union([row_bbox(view.table, r) for r in here])
        if box is not None:
            pages = sorted({view.rows[r].page or 0 for r in prov.rows if r < len(view.rows)})
            where = f" pages {pages[0]}-{pages[-1]}" if len(pages) > 1 else ""
            out.append(Shape("join", box, f"#{activity.seq} joins rows {prov.rows[0]}-{prov.rows[-1]}{where}"))
    return out


STYLE: dict[str, tuple[tuple[int, int, int], bool]] = {
    # kind: (colour, filled)
    "table": ((90, 90, 90), False),
    "header": ((66, 133, 244), True),
    "section": ((52, 168, 83), True),
    "activity": ((214, 150, 0), False),
    "skipped": ((150, 150, 150), True),
    "cell": ((30, 30, 30), False),
    "column": ((171, 71, 188), False),
    "join": ((233, 30, 99), False),
}
ROLE_COLOURS: dict[str, tuple[int, int, int]] = {
    "number": (120, 144, 156), "activity": (255, 112, 67), "schedule": (38, 166, 154),
    "responsible": (92, 107, 192), "result": (141, 110, 99), "other": (158, 158, 158),
}


def draw_page(pdf_path: Path, page: int, shapes: Sequence[Shape], out: Path,
              settings: DebugSettings | None = None) -> None:
    """Draw the shapes on the rendered page (pdfplumber's PageImage) and save a PNG."""
    import pdfplumber
    from PIL import ImageFont

    settings = settings or DebugSettings()
    with pdfplumber.open(pdf_path) as pdf:
        if not 1 <= page <= len(pdf.pages):
            raise DebugError(f"страницы {page} нет: в файле страниц: {len(pdf.pages)}")
        image = pdf.pages[page - 1].to_image(resolution=settings.resolution)
        font = ImageFont.load_default(size=settings.label_size)
        for shape in sorted(shapes, key=lambda s: list(STYLE).index(s.kind)):
            _draw(image, shape, settings, font)
        _save_png(image, out)


def _draw(image: Any, shape: Shape, settings: DebugSettings, font: Any) -> None:
    colour, filled = STYLE[shape.kind]
    if shape.kind == "column":
        colour = ROLE_COLOURS.get(shape.label, colour)
    fill = (*colour, settings.fill_alpha) if filled else (0, 0, 0, 0)
    stroke = (*colour, 255)
    width = settings.cell_stroke if shape.kind == "cell" else settings.row_stroke
    if shape.kind == "column":
        x0, top, x1, _ = shape.bbox
        band = (x0, top - 3 * settings.label_gap, x1, top - settings.label_gap)
        image.draw_rect(band, fill=stroke, stroke=stroke, stroke_width=0)
        _label(image, (x0 + 1, top - 3 * settings.label_gap), shape.label, stroke, font, above=True)
        return
    if shape.kind == "join":
        x0, top, _, bottom = shape.bbox
        image.draw_line([(x0 - 4, top), (x0 - 4, bottom)], stroke=stroke, stroke_width=3)
        _label(image, (x0 - 4, bottom), shape.label, stroke, font, above=False)
        return
    image.draw_rect(shape.bbox, fill=fill, stroke=stroke, stroke_width=width)
    if shape.kind == "table":
        _label(image, (shape.bbox[0], shape.bbox[3] + settings.label_gap), shape.label, stroke, font, above=False)
    elif shape.label:
        # inside the row at its right end, where plan tables mostly have white space
        _label(image, (shape.bbox[2] - settings.label_gap, shape.bbox[1] + settings.label_gap), shape.label,
               stroke, font, above=False, right=True)


def _label(image: Any, at: tuple[float, float], text: str, colour: tuple[int, ...], font: Any,
           above: bool, right: bool = False) -> None:
    """Text at a point given in PDF points, on a white ground: `above` puts its bottom
    there, `right` its right end."""
    x = (at[0] - image.bbox[0]) * image.scale
    y = (at[1] - image.bbox[1]) * image.scale
    left, top, end, bottom = image.draw.textbbox((x, y), text, font=font)
    if above:
        y -= bottom - top + 2
    if right:
        x -= end - left
    left, top, end, bottom = image.draw.textbbox((x, y), text, font=font)
    image.draw.rectangle((left - 1, top - 1, end + 1, bottom + 1), fill=(255, 255, 255, 220))
    image.draw.text((x, y), text, fill=colour, font=font)


def _save_png(image: Any, out: Path) -> None:
    """Atomic like every output: a temporary file beside the target, renamed over it."""
    import os
    import tempfile

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        image.save(tmp, format="PNG", quantize=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the command ----------------------------------------------------------------------------

def run(path: Path, out: Path, page: int = 1, settings: DebugSettings | None = None,
        options: Options | None = None, cell: int | None = None) -> Trace:
    """Write the HTML grid view with the rule traces (`out` ending in .html; `cell`: the rule
    trace of that activity only) or the page drawing (.png)."""
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".png"):
        raise DebugError("имя результата должно оканчиваться на .html (таблицы) или .png (рисунок страницы)")
    if suffix == ".png" and cell is not None:
        raise DebugError("--cell показывает трассу правил в HTML: укажите -o ФАЙЛ.html")
    analysis = analyse_file(path, options, rules=suffix != ".png")
    fmt = analysis.document.format if analysis.document is not None else ""
    if suffix == ".png":
        if fmt not in POSITIONED_FORMATS:
            raise DebugError(f"в формате {fmt} нет положений на странице, рисовать нечего: укажите -o ФАЙЛ.html")
        # a page without detected cells is drawn all the same: that is the finding
        draw_page(path, page, page_shapes(analysis, page), out, settings)
    else:
        if cell is not None and analysis.plan is not None and cell not in analysis.rules:
            raise DebugError(f"мероприятия {cell} нет: в плане мероприятий: {len(analysis.plan.activities)}")
        write_atomic(out, render_html(analysis, path.name, cell))
    return analysis


@click.command("debug", short_help="Показать, как прочитан файл: таблицы, строки, столбцы, правила.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True,
              help="Страница для рисунка (вход PDF).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="OUT.html — разобранная сетка каждой таблицы и трассы правил по ячейкам; "
                   "OUT.png — страница с тем, что найдено.")
@click.option("--cell", "cell", type=click.IntRange(min=1), default=None, metavar="SEQ",
              help="Трасса правил только для ячеек мероприятия SEQ (HTML).")
@extraction_options
def debug_command(file: Path, page: int, output: Path, cell: int | None, options: OptionLayers) -> None:
    """Показать, как прочитан FILE: ячейки таблиц и их объединения, строки заголовков и разделов,
    роли столбцов и какое правило взяло какие слова каждой ячейки сроков и ответственных.

    Код выхода 1, если файл не читается, 2 — если запрос к нему не подходит (нет такой страницы,
    PNG для файла Word, нет такого мероприятия).
    """
    try:
        analysis = run(file, output, page, options=options.for_file(file), cell=cell)
    except ExtractionError as exc:
        click.echo(f"{file.name}: {exc.code}: {exc.message}", err=True)
        sys.exit(1)
    except DebugError as exc:
        raise click.UsageError(str(exc)) from exc
    parts = sum(1 for t in analysis.tables if t.part is not None)
    click.echo(f"{file.name}: таблиц: {len(analysis.tables)}, из них в плане: {parts}"
               + (f", мероприятий: {len(analysis.plan.activities)}" if analysis.plan else f"; {analysis.error}"),
               err=True)
