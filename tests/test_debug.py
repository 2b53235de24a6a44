"""`roadmap debug`: the HTML grid view of Word files and the page drawing of positioned
(PDF) layouts, the latter on a synthetic layout drawn over a blank PDF page."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from click.testing import CliRunner
from lxml import html as lxml_html
from PIL import Image

from extractor.pipeline import assemble
from extractor.trace import Trace
from models import Plan, Source
from parsers.layout import Cell, Document, Paragraph, Row, Table, TextStyle
from tests.conftest import golden, sample_path
from tests.seedtext import ROOT
from workflow.cli import main
from workflow.debug import (
    ROLE_COLOURS,
    DebugError,
    DebugSettings,
    analyse,
    analyse_file,
    draw_page,
    page_shapes,
)

ARTIFACTS = ROOT / "build" / "test-artifacts"


def _html(tmp_path: Path, name: str) -> lxml_html.HtmlElement:
    out = tmp_path / f"{name}.html"
    result = CliRunner().invoke(main, ["debug", str(sample_path(name)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return lxml_html.fromstring(out.read_bytes())


# --- Word: the grid view ------------------------------------------------------------------

def test_grid_view_shows_merges_header_rows_and_roles(tmp_path: Path) -> None:
    doc = _html(tmp_path, "khmao_2023")
    grids = doc.xpath("//table[@class='grid']")
    assert len(grids) == 2  # the plan continues in a second table after a heading
    roles = [th.text_content() for th in grids[0].xpath("./tr[1]/th")][1:]
    assert roles == ["0: number", "1: activity", "2: schedule", "3: responsible", "4: responsible",
                     "5: responsible", "6: result"]
    cells = {" ".join(td.text_content().split()): td for td in grids[0].xpath(".//td[contains(@class, 'c')]")}
    number = next(td for text, td in cells.items() if text.endswith("№ п/п"))
    assert number.get("rowspan") == "2" and "↕2" in number.text_content()
    responsible = next(td for text, td in cells.items() if text.endswith("Ответственные исполнители"))
    assert responsible.get("colspan") == "3" and "↔3" in responsible.text_content()
    assert [tr.get("class") for tr in grids[0].xpath("./tr")[1:4]] == ["header", "header", "section"]
    assert "Региональный уровень" in grids[0].xpath("./tr")[3].text_content()
    assert "Заголовок перед таблицей (раздел): Муниципальный уровень" in doc.text_content()


def test_grid_view_maps_every_activity_to_its_row(tmp_path: Path) -> None:
    for name in ("khmao_2023", "tula_2020-2021", "vilyuisk_2019-2021"):
        doc = _html(tmp_path, name)
        seqs = []
        for tr in doc.xpath("//table[@class='grid']/tr[@class='activity']"):
            info = tr.xpath("./td[@class='rowinfo']")[0].text_content()
            seqs += [int(s) for s in info.split("→ #")[1].split(", #")]
        assert seqs == [a["seq"] for a in golden(name)["activities"]], name
        sections = doc.xpath("//table[@class='grid']/tr[@class='section' or @class='promoted']")
        in_table = [s for s in golden(name)["sections"]]
        assert len(sections) <= len(in_table)


def test_section_and_column_analysis_follows_the_extractor() -> None:
    analysis = analyse_file(sample_path("tula_2020-2021"))
    (view,) = analysis.tables
    assert view.header_rows == 1
    assert view.roles == ["number", "activity", "schedule", "responsible"]
    kinds = [r.kind for r in view.rows]
    assert kinds.count("section") == 4 and kinds.count("activity") == 21 and kinds[0] == "header"
    assert analysis.plan is not None and analysis.error is None


# --- a synthetic positioned layout ----------------------------------------------------------

X = (50.0, 90.0, 330.0, 430.0, 545.0)  # column edges in points
Y = (120.0, 150.0, 170.0, 200.0, 230.0, 260.0)  # row edges


def _cell(row: int, col: int, text: str, col_span: int = 1, bold: bool = False) -> Cell:
    return Cell(row=row, col=col, paragraphs=[Paragraph(text, style=TextStyle(bold=bold))], col_span=col_span,
                bbox=(X[col], Y[row], X[col + col_span], Y[row + 1]))


def synthetic_document() -> Document:
    """A one-page PDF layout: a header, a section row, a numbered parent row promoted to a
    section, and two activities."""
    header = ["№ п/п", "Наименование мероприятия", "Сроки исполнения", "Ответственные"]
    cells = [_cell(0, c, t) for c, t in enumerate(header)]
    cells.append(_cell(1, 0, "I. Организационные мероприятия", col_span=4, bold=True))
    cells += [_cell(2, 0, "1."), _cell(2, 1, "Методическое сопровождение"), _cell(2, 2, ""), _cell(2, 3, "")]
    cells += [_cell(3, 0, "1.1."), _cell(3, 1, "Проведение семинара"), _cell(3, 2, "Январь 2024"),
              _cell(3, 3, "Комитет по образованию")]
    cells += [_cell(4, 0, "1.2."), _cell(4, 1, "Мониторинг результатов"), _cell(4, 2, "Март 2024"),
              _cell(4, 3, "Отдел мониторинга")]
    rows = [Row(i, header=i == 0, page=1, bbox=(X[0], Y[i], X[-1], Y[i + 1])) for i in range(5)]
    table = Table(n_cols=4, rows=rows, cells=cells, page=1)
    title = Paragraph("План мероприятий на 2024 год", heading=True, page=1, bbox=(50.0, 80.0, 400.0, 100.0))
    return Document(blocks=[title, table], format="pdf", pages=1)


def synthetic_plan(document: Document) -> Plan:
    source = Source(filename="synthetic.pdf", sha256="0" * 64, format="pdf", pages=1)
    return assemble(document, source)


def test_synthetic_layout_rows_and_roles() -> None:
    document = synthetic_document()
    analysis = analyse(document)
    plan = analysis.plan
    assert plan is not None
    (view,) = analysis.tables
    assert [r.kind for r in view.rows] == ["header", "section", "promoted", "activity", "activity"]
    assert [r.activities for r in view.rows] == [[], [], [], [1], [2]]
    assert view.roles == ["number", "activity", "schedule", "responsible"]
    assert [a.title for a in plan.activities] == ["Проведение семинара", "Мониторинг результатов"]


def test_page_shapes_come_from_the_layout_positions() -> None:
    document = synthetic_document()
    plan = synthetic_plan(document)
    # the second activity as a row split by a page break would give it: two table rows
    joined = plan.model_copy(update={"activities": [
        plan.activities[0],
        plan.activities[1].model_copy(update={"provenance": plan.activities[1].provenance.model_copy(
            update={"rows": [4, 5]})}),
    ]})
    analysis = analyse(document)
    analysis.plan = joined
    shapes = page_shapes(analysis, page=1)
    by_kind: dict[str, list[tuple[tuple[float, float, float, float], str]]] = {}
    for s in shapes:
        by_kind.setdefault(s.kind, []).append((s.bbox, s.label))
    assert by_kind["table"] == [((X[0], Y[0], X[-1], Y[5]), "table 0")]
    assert by_kind["header"] == [((X[0], Y[0], X[-1], Y[1]), "header")]
    assert by_kind["section"] == [((X[0], Y[1], X[-1], Y[2]), "section"),
                                  ((X[0], Y[2], X[-1], Y[3]), "section (promoted)")]
    assert [label for _, label in by_kind["activity"]] == ["#1", "#2"]
    assert len(by_kind["cell"]) == 17
    assert [(box[0], box[2], label) for box, label in by_kind["column"]] == [
        (X[0], X[1], "number"), (X[1], X[2], "activity"), (X[2], X[3], "schedule"), (X[3], X[4], "responsible")]
    assert by_kind["join"] == [((X[0], Y[4], X[-1], Y[5]), "#2 joins rows 4-5")]
    assert page_shapes(analyse(document), page=2) == []


def _blank_pdf(path: Path) -> None:
    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.save(path)


def test_drawing_on_the_page_image(tmp_path: Path) -> None:
    document = synthetic_document()
    analysis = analyse(document)
    pdf = tmp_path / "blank.pdf"
    _blank_pdf(pdf)
    out = tmp_path / "page1.png"
    settings = DebugSettings(resolution=72)  # one pixel per point: positions read directly
    draw_page(pdf, 1, page_shapes(analysis, 1), out, settings)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, ARTIFACTS / "debug-synthetic-page.png")
    image = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    assert image.shape[:2] == (842, 595)

    def at(x: float, y: float) -> tuple[int, int, int]:
        r, g, b = image[int(y), int(x)]
        return int(r), int(g), int(b)

    r, g, b = at(200, (Y[0] + Y[1]) / 2)  # inside the header row: tinted blue
    assert b > r + 30 and b > 230
    r, g, b = at(200, (Y[1] + Y[2]) / 2)  # a section row: tinted green
    assert g > r + 30 and g > b + 20
    assert at(200, (Y[3] + Y[4]) / 2) == (255, 255, 255)  # an activity row is outlined, not filled
    assert at(300, 700) == (255, 255, 255)  # below the table nothing is drawn
    band = image[int(Y[0]) - 6:int(Y[0]) - 2, int(X[1]) + 60:int(X[2]) - 60]  # over the activity column
    assert (np.abs(band - np.array(ROLE_COLOURS["activity"])) <= 2).all(axis=-1).mean() > 0.5
    with pytest.raises(DebugError):
        draw_page(pdf, 2, [], tmp_path / "page2.png", settings)
    assert not (tmp_path / "page2.png").exists()


# --- the command --------------------------------------------------------------------------

def test_debug_command_errors(tmp_path: Path) -> None:
    docx = str(sample_path("zima_2024"))
    result = CliRunner().invoke(main, ["debug", docx, "-o", str(tmp_path / "z.png")])
    assert result.exit_code == 2 and "нет положений на странице" in result.output
    result = CliRunner().invoke(main, ["debug", docx, "-o", str(tmp_path / "z.txt")])
    assert result.exit_code == 2
    result = CliRunner().invoke(main, ["debug", docx])
    assert result.exit_code == 2  # -o is required
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04not really")
    result = CliRunner().invoke(main, ["debug", str(broken), "-o", str(tmp_path / "b.html")])
    assert result.exit_code == 1 and "corrupt_file" in result.stderr
    assert not (tmp_path / "b.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_debug_html_is_deterministic(tmp_path: Path) -> None:
    one, two = tmp_path / "1.html", tmp_path / "2.html"
    for out in (one, two):
        assert CliRunner().invoke(main, ["debug", str(sample_path("zima_2024")), "-o", str(out)]).exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    assert dt.date.today().isoformat() not in one.read_text(encoding="utf-8")


# --- a real PDF: a sample exported by LibreOffice, read by parsers/pdf.py --------------------

@pytest.fixture(scope="module")
def tula_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    out = tmp_path_factory.mktemp("pdf")
    profile = (out / "profile").as_uri()
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                    "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out),
                    str(sample_path("tula_2020-2021"))], check=True, capture_output=True, timeout=300)
    return out / "tula_2020-2021.pdf"


def test_debug_draws_a_real_pdf_page(tula_pdf: Path, tmp_path: Path) -> None:
    out = tmp_path / "tula-p1.png"
    result = CliRunner().invoke(main, ["debug", str(tula_pdf), "--page", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, ARTIFACTS / "debug-tula-pdf-page1.png")
    analysis = analyse_file(tula_pdf)
    first = analysis.tables[0]
    assert first.part is not None and first.rows[0].kind == "header"
    assert first.roles == ["number", "activity", "schedule", "responsible"]
    assert [r.kind for r in first.rows[1:3]] == ["section", "activity"]
    shapes = page_shapes(analysis, 1)
    header = next(s for s in shapes if s.kind == "header")
    image = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    scale = DebugSettings().resolution / 72  # points to pixels
    # the header row is tinted blue where no glyph is: most of its pixels are bluish
    x0, top, x1, bottom = (round(v * scale) for v in header.bbox)
    region = image[top + 3:bottom - 3, x0 + 3:x1 - 3]
    bluish = (region[..., 2] > region[..., 0] + 25).mean()
    assert bluish > 0.6
    result = CliRunner().invoke(main, ["debug", str(tula_pdf), "--page", "99", "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 2 and "страницы 99 нет" in result.output


# --- the sample PDFs: every activity drawn on its rows ----------------------------------------

SAMPLE_PDFS = sorted(p.stem for p in (ROOT / "samples").glob("*.pdf"))


@pytest.mark.parametrize("name", SAMPLE_PDFS)
def test_debug_maps_every_activity_of_a_sample_pdf_to_its_rows(name: str) -> None:
    """The view draws the pipeline's own trace: tables continued over page breaks are one, and
    rows cut by a page break are one activity (before the trace, Саров's PDF had 4 of 22
    activities mapped and 26 rows marked as activities)."""
    analysis = analyse_file(ROOT / "samples" / f"{name}.pdf")
    assert analysis.plan is not None, analysis.error
    mapped: dict[int, list[tuple[int, int]]] = {}
    for view in analysis.tables:
        for info in view.rows:
            if info.kind == "activity":
                assert info.activities, f"table {view.index}, row {info.index}: an activity row without activity"
            for seq in info.activities:
                mapped.setdefault(seq, []).append((view.index, info.index))
    for activity in analysis.plan.activities:
        rows = [(activity.provenance.table, r) for r in activity.provenance.rows]
        assert sorted(mapped.get(activity.seq, [])) == rows, f"#{activity.seq}"
    shapes = [s for page in range(1, (analysis.plan.source.pages or 1) + 1) for s in page_shapes(analysis, page)]
    labelled = {int(n) for s in shapes if s.kind == "activity" and s.label.startswith("#")
                for n in s.label[1:].split(",")}
    assert labelled == {a.seq for a in analysis.plan.activities}


# --- the rule traces of the cells ---------------------------------------------------------------

def _steps(block: lxml_html.HtmlElement) -> list[tuple[str, ...]]:
    """(rule, words, span) of every step row in a cell's block."""
    return [tuple(td.text_content() for td in row.xpath("./td")[1:4]) for row in block.xpath(".//tr[@class='step']")]


def test_rule_trace_of_a_chosen_activity(tmp_path: Path) -> None:
    out = tmp_path / "khmao-1.html"
    result = CliRunner().invoke(main, ["debug", str(sample_path("khmao_2023")), "--cell", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = lxml_html.fromstring(out.read_bytes())
    assert [h.get("id") for h in doc.xpath("//h3")] == ["rules-1"]
    schedule, responsible = doc.xpath("//div[@class='cellrules']")
    assert schedule.xpath("./p[@class='celltext']/b")[0].text_content() == "Сроки:"
    # «до 01.12.2023»: the deadline pass took the whole cell
    assert _steps(schedule) == [("deadline", "«до 01.12.2023»", "0–13")]
    assert _steps(responsible) == [("named_body", "«Методический отдел»", "0–18")]
    assert [a.get("href") for a in doc.xpath("//td[@class='rowinfo']/a")] == ["#rules-1"]  # the row links to it


def test_rule_traces_of_every_activity(tmp_path: Path) -> None:
    doc = _html(tmp_path, "khmao_2023")
    assert [h.get("id") for h in doc.xpath("//h3")] == [f"rules-{a['seq']}" for a in golden("khmao_2023")["activities"]]
    (heading,) = doc.xpath("//h3[@id='rules-26']")
    blocks = [b for b in heading.itersiblings() if b.tag == "div"][:4]
    # «Труханович А.В., заведующий отделом МАУ …» / «МБОУ «СШ №19»»: the post after the name is
    # joined to it, then the person and position rules take their words; the school is a body
    assert [step[:2] for step in _steps(blocks[2])] == [
        ("post_after_person", "«Труханович А.В., заведующий отделом МАУ г. Нижневартовска «ЦРО»»"),
        ("person", "«Труханович А.В.»"),
        ("position", "«заведующий отделом МАУ г. Нижневартовска «ЦРО»»"),
        ("named_body", "«МБОУ «СШ №19»»"),
    ]
    assert [step[:2] for step in _steps(blocks[1])] == [("not_a_party", "«Отчет»")]
    marks = blocks[0].xpath(".//mark")
    assert [m.text_content() for m in marks] == ["Март 2023 года"] and marks[0].get("title") == "1: month"


def test_rule_traces_only_when_asked() -> None:
    document = synthetic_document()
    assert analyse(document).rules[1].schedule is not None
    assert analyse(document, rules=False).rules == {}
    trace = Trace(document=document)  # a trace of the pipeline alone: the cells are not traced
    assemble(document, Source(filename="synthetic.pdf", sha256="0" * 64, format="pdf", pages=1), trace=trace)
    assert trace.plan is not None and trace.rules == {}


def test_rule_trace_errors(tmp_path: Path) -> None:
    docx = str(sample_path("zima_2024"))
    result = CliRunner().invoke(main, ["debug", docx, "--cell", "999", "-o", str(tmp_path / "z.html")])
    assert result.exit_code == 2 and "мероприятия 999 нет" in result.output
    result = CliRunner().invoke(main, ["debug", docx, "--cell", "1", "-o", str(tmp_path / "z.png")])
    assert result.exit_code == 2 and "--cell" in result.output
    assert not list(tmp_path.iterdir())
