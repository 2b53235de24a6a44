"""Scans, photos and multi-page TIFFs: the OCR path and its accuracy against the Word goldens.

Images and scanned PDFs go through extract() (the PDF parser sends pages without a text
layer to parsers.scan.ocr_pdf_pages). Accuracy
is measured as tests/scan_metrics.py defines it; the floors asserted are the figures measured
(README, "Old formats, scans and photos"), a little below them, and the issue's goals are checked on top.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from extractor import extract
from extractor.output import to_json
from parsers import ocr_engine, parse, scan
from parsers.errors import ExtractionError
from parsers.layout import Paragraph, Table
from parsers.ocr_engine import Line
from parsers.ocr_engine import ocr_word as Word
from parsers.ocr_grid import GridCell, GridTable, ruled_tables
from parsers.ocr_image import image_frames, resample
from parsers.ocr_settings import SETTINGS
from parsers.ocr_text import clean_lines, paragraphs, repair_text
from parsers.scan import ocr_pdf_pages, read_page, unruled_table
from tests.conftest import SAMPLE_DIR, golden
from tests.scan_metrics import Metrics, measure

SCANS = SAMPLE_DIR / "scans"
PHOTO = SCANS / "zima_2024_photo.jpg"
PHOTO_ACTIVITIES = {1, 2, 3, 4}  # the photographed first page of Зима holds activities 1-4
TIFF = SCANS / "sarov_2021-2022.tiff"
SCAN_PDFS = sorted(p.stem for p in SCANS.glob("*.pdf") if not p.stem.endswith("_unruled"))
UNRULED_SCANS = sorted(p.stem for p in SCANS.glob("*_unruled.pdf"))  # the unruled sample PDFs, scanned

# The floors every sample scan must reach (at or above the OCR issue's goals of F1 0.98, title CER
# 0.02, schedules 0.95, parties 0.90; figures in the README).
FLOOR = Metrics(predicted=0, expected=0, matched=0, f1=0.98, title_cer=0.01, schedule=0.95, parties=0.90,
                plan_title_cer=0.02)


# The unruled scans: the table is found from the words' positions (parsers/unruled.py, as in a
# text PDF) after Tesseract read the page as a whole, where a ruled table is read cell by cell;
# more letters are misread («МБОУ ДПО ML» for «МЦ», «Школы» for «школы»), and one garbled line of
# Зима runs across the columns. In-sample floors a little below the figures measured (README):
# Саров F1 1.000, parties 77.3 %; Зима F1 0.968, parties 100 %.
UNRULED_FLOOR = replace(FLOOR, f1=0.95, parties=0.75)


def _plan(path: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json(extract(path)))
    return result


@cache
def photo_plan() -> dict[str, Any]:
    return _plan(PHOTO)


@cache
def tiff_plan() -> dict[str, Any]:
    return _plan(TIFF)


@cache
def scan_plan(name: str) -> dict[str, Any]:
    """A scanned sample PDF read end to end: the PDF parser sends its pages to OCR."""
    return _plan(SCANS / f"{name}.pdf")


def _check(metrics: Metrics) -> None:
    assert metrics.f1 >= FLOOR.f1, metrics.row()
    assert metrics.title_cer <= FLOOR.title_cer, metrics.row()
    assert metrics.schedule >= FLOOR.schedule, metrics.row()
    assert metrics.parties >= FLOOR.parties, metrics.row()
    assert metrics.plan_title_cer <= FLOOR.plan_title_cer, metrics.row()


# --- accuracy -----------------------------------------------------------------------------

def test_photo_of_a_page() -> None:
    plan = photo_plan()
    assert plan["source"]["format"] == "image"
    assert plan["source"]["ocr"] is True
    assert plan["source"]["pages"] == 1
    _check(measure(plan, golden("zima_2024"), PHOTO_ACTIVITIES))
    assert plan["plan"]["approval"] == golden("zima_2024")["plan"]["approval"]


def test_multipage_tiff() -> None:
    plan = tiff_plan()
    assert plan["source"] | {"sha256": ""} == {"filename": TIFF.name, "sha256": "", "format": "image",
                                               "pages": 5, "ocr": True, "hints": {}}
    _check(measure(plan, golden("sarov_2021-2022")))
    assert [a["provenance"]["page"] for a in plan["activities"]][:2] == [1, 1]


@pytest.mark.parametrize("name", SCAN_PDFS)
def test_scanned_pdf_pages(name: str) -> None:
    plan = scan_plan(name)
    assert (plan["source"]["format"], plan["source"]["ocr"]) == ("scan", True)
    _check(measure(plan, golden(name)))


@pytest.mark.parametrize("name", UNRULED_SCANS)
def test_unruled_scans(name: str) -> None:
    plan = scan_plan(name)
    metrics = measure(plan, golden(name.removesuffix("_unruled")))
    assert metrics.f1 >= UNRULED_FLOOR.f1, metrics.row()
    assert metrics.title_cer <= UNRULED_FLOOR.title_cer, metrics.row()
    assert metrics.schedule >= UNRULED_FLOOR.schedule, metrics.row()
    assert metrics.parties >= UNRULED_FLOOR.parties, metrics.row()


def test_unruled_scan_is_cut_as_its_text_pdf() -> None:
    """One algorithm for both readers: the scan of the unruled Саров PDF gets the same table on
    every page as the PDF's text layer (5 columns, the same rows), its columns found on all pages
    together (page 5 holds one row, too few to show the columns alone)."""
    def shape(path: Path) -> list[tuple[int | None, int, int]]:
        return [(b.page, b.n_cols, b.n_rows) for b in parse(path).blocks if isinstance(b, Table)]

    pdf = shape(SAMPLE_DIR / "sarov_2021-2022_unruled.pdf")
    assert pdf == [(1, 5, 7), (2, 5, 6), (3, 5, 7), (4, 5, 7), (5, 5, 3)]
    assert shape(SCANS / "sarov_2021-2022_unruled.pdf") == pdf


def test_every_sample_has_a_scan() -> None:
    assert SCAN_PDFS == ["khmao_2023", "sarov_2021-2022", "tula_2020-2021", "vilyuisk_2019-2021", "zima_2024"]


def test_ocr_is_deterministic() -> None:
    assert to_json(extract(PHOTO)) == to_json(extract(PHOTO))


# --- orientation, errors, warnings --------------------------------------------------------

def _photo_page() -> np.ndarray:
    gray, dpi = next(image_frames(PHOTO, SETTINGS))
    return resample(gray, dpi, SETTINGS)


def _texts(blocks: list[Any]) -> list[str]:
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            out += [c.text for c in block.cells]
    return out


@pytest.mark.parametrize("turns", [1, 2])
def test_turned_page_is_read_upright(turns: int) -> None:
    upright = read_page(_photo_page(), 1)
    turned = read_page(np.ascontiguousarray(np.rot90(_photo_page(), k=turns)), 1)
    assert turned.turned in (90, 180, 270)
    assert _texts(turned.blocks) == _texts(upright.blocks)


def test_ocr_unavailable_without_tesseract_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a folder without rus.traineddata
    with pytest.raises(ExtractionError) as caught:
        extract(PHOTO)
    assert caught.value.code == "ocr_unavailable"
    with pytest.raises(ExtractionError) as caught:
        ocr_pdf_pages(SCANS / "zima_2024.pdf", [1])
    assert caught.value.code == "ocr_unavailable"


def test_low_confidence_cells_warn_with_page_and_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ocr_engine.Engine.read

    def doubtful(self: ocr_engine.Engine, image: np.ndarray, psm: int, whitelist: str | None = None) -> list[Line]:
        return [Line(words=[Word(w.text, 20.0, w.box) for w in ln.words], block=ln.block)
                for ln in real(self, image, psm, whitelist)]

    monkeypatch.setattr(ocr_engine.Engine, "read", doubtful)
    page = read_page(_photo_page(), 3)
    cells = [m for code, m in page.warnings if code == "ocr_low_confidence" and "строка" in m]
    assert cells and all(m.startswith("страница 3, таблица 1, строка ") and ", столбец " in m for m in cells)


def test_corrupt_image(tmp_path: Path) -> None:
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot an image")
    with pytest.raises(ExtractionError) as caught:
        extract(bad)
    assert caught.value.code == "corrupt_file"


# --- grids --------------------------------------------------------------------------------

def _ruled(rows: list[int], cols: list[int], merges: list[tuple[int, int, int, int]]) -> np.ndarray:
    """Ink of a ruled table: `merges` (row, col, row_span, col_span) leave inner rules out."""
    ink = np.zeros((rows[-1] + 40, cols[-1] + 40), np.uint8)
    for y in rows:
        cv2.line(ink, (cols[0], y), (cols[-1], y), 255, 3)
    for x in cols:
        cv2.line(ink, (x, rows[0]), (x, rows[-1]), 255, 3)
    for r, c, rs, cs in merges:
        cv2.rectangle(ink, (cols[c] + 3, rows[r] + 3), (cols[c + cs] - 3, rows[r + rs] - 3), 0, -1)
    return ink


def test_ruled_grid_keeps_merges_and_empty_cells() -> None:
    rows = [40, 140, 260, 380, 500]
    cols = [40, 160, 700, 900, 1200]
    ink = _ruled(rows, cols, merges=[(1, 0, 1, 4), (2, 3, 2, 1)])  # a section row, a vertical merge
    tables, _ = ruled_tables(ink, SETTINGS)
    assert len(tables) == 1
    table = tables[0]
    assert (table.n_rows, table.n_cols) == (4, 4)
    spans = {(c.row, c.col): (c.row_span, c.col_span) for c in table.cells}
    assert spans[(1, 0)] == (1, 4)
    assert spans[(2, 3)] == (2, 1)
    assert (3, 3) not in spans  # covered, not empty
    assert len(table.cells) == 4 + 1 + 4 + 3  # every empty cell is there


def test_short_rule_of_a_one_line_row_is_found() -> None:
    rows = [40, 95, 300]  # a 55 px header row of one line of 10 pt text
    cols = [40, 200, 600, 900]
    tables, _ = ruled_tables(_ruled(rows, cols, []), SETTINGS)
    assert [(c.row, c.col) for c in tables[0].cells][:3] == [(0, 0), (0, 1), (0, 2)]


def test_a_grid_bent_on_the_scanner_keeps_its_columns() -> None:
    """The Уссурийск ОВД 2016-17 page 3: the page bulged under the lid, so the table's left
    rules drift right by about 70 px down the page and a tall row (a cell with a list of eight
    lectures) sits between; placing cells by their boxes' edges alone put the rows below it one
    column to the right and made a column of the wedge between the bent side rule and the
    table's frame. Cells are placed on the rules they touch, followed down the page."""
    rows = [40, 140, 240, 1100, 1200, 1300, 1400]  # a header, two rows, a tall row, three rows
    cols = [40, 180, 900, 1300]
    height = rows[-1] - rows[0]

    def drift(x: int, y: int) -> int:  # the left two rules bend right, the others stay
        return x + (70 if x < 500 else 0) * (y - rows[0]) ** 2 // height ** 2

    ink = np.zeros((rows[-1] + 40, cols[-1] + 40), np.uint8)
    for y in rows:
        cv2.line(ink, (drift(cols[0], y), y), (cols[-1], y), 255, 5)
    for x in cols:
        points = np.array([(drift(x, y), y) for y in range(rows[0], rows[-1] + 1, 10)], np.int32)
        cv2.polylines(ink, [points], False, 255, 5)
    tables, _ = ruled_tables(ink, SETTINGS)
    assert len(tables) == 1
    table = tables[0]
    assert (table.n_rows, table.n_cols) == (6, 3)
    assert [(c.row, c.col, c.row_span, c.col_span) for c in table.cells] == [
        (r, c, 1, 1) for r in range(6) for c in range(3)]


def test_cells_run_together_through_faint_rules_are_cut_on_the_grid() -> None:
    """The Уссурийск СОШ №30 scans: the rule under a month's section row («Август») is faint,
    broken into dashes, so the section row and every cell of the row under it are one white
    region; taken whole it was one cell spanning the table, the month row was lost and the
    row's cells ran together. Such a region is cut along the grid: the section row spans the
    table, the row under it keeps its four cells, and a column whose rule is missing between
    two rows stays one cell over both."""
    rows = [40, 140, 190, 290, 390]  # header, a section row, two rows
    cols = [40, 160, 700, 900, 1200]
    ink = _ruled(rows, cols, merges=[(1, 0, 1, 4)])
    for c in range(4):  # the rule under the section row is dashes: a gap in each cell
        ink[188:193, cols[c] + 40:cols[c] + 70] = 0
    ink[288:293, cols[3] + 3:cols[4] - 3] = 0  # no rule between the last column's two rows
    tables, _ = ruled_tables(ink, SETTINGS)
    cells = [(c.row, c.col, c.row_span, c.col_span) for c in tables[0].cells]
    assert cells == [(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (0, 3, 1, 1), (1, 0, 1, 4),
                     (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1), (2, 3, 2, 1),
                     (3, 0, 1, 1), (3, 1, 1, 1), (3, 2, 1, 1)]


def test_cells_joined_under_short_rules_at_an_open_bottom_are_apart() -> None:
    """The Уссурийск 2016-17 safety plan's photo: the table runs off the page, its column
    rules stop short of the bottom edge, so the last row's cells meet under them; one cell over
    three columns glued «Проведение тематических» to «по плану» and «Зам.по УВР». A rule
    across most of a region's inside shows it is several cells."""
    rows = [40, 140, 300]
    cols = [40, 160, 700, 900, 1200]
    ink = _ruled(rows, cols, [])
    ink = ink[:300]  # the page ends: no bottom rule
    for x in cols[1:-1]:
        ink[270:, x - 3:x + 4] = 0  # the column rules stop short of the edge
    tables, _ = ruled_tables(ink, SETTINGS)
    assert [(c.row, c.col, c.col_span) for c in tables[0].cells if c.row == 1] == [
        (1, 0, 1), (1, 1, 1), (1, 2, 1), (1, 3, 1)]


def test_a_row_between_two_tables_that_lost_its_side_rules_joins_them() -> None:
    """The Уссурийск СОШ №30 scan's page 3: the side rules of the month row «Январь» are lost,
    so the rules above and below it make two tables and the month fell between them (half of it
    in the lower table's thin first row). Two tables less than a row apart on one left rule
    with their column rules in common are one, the row between them across it."""
    cols = [40, 160, 700, 900, 1200]

    def two(gap: int) -> np.ndarray:
        lower = _ruled([240 + gap, 340 + gap, 440 + gap], cols, [])
        lower[:240] = np.maximum(lower[:240], _ruled([40, 140, 240], cols, [])[:240])
        return lower

    tables, _ = ruled_tables(two(30), SETTINGS)
    assert len(tables) == 1
    assert [(c.row, c.col_span) for c in tables[0].cells if c.col == 0] == [(0, 1), (1, 1), (2, 4), (3, 1), (4, 1)]
    assert len(ruled_tables(two(90), SETTINGS)[0]) == 2  # two tables further apart stay two


def _line(y: int, *words: tuple[str, int, int]) -> Line:
    return Line(words=[Word(text, 95.0, (x0, y, x1, y + 40)) for text, x0, x1 in words])


def test_unruled_table_from_text_positions() -> None:
    lines = [
        _line(100, ("Дорожная", 300, 500), ("карта", 520, 640)),
        _line(200, ("№", 100, 130), ("Мероприятие", 300, 560), ("Сроки", 900, 1020), ("Ответственные", 1300, 1600)),
        _line(300, ("1.", 100, 130), ("Проведение", 300, 520), ("семинара", 540, 720), ("Март", 900, 1000),
              ("Комитет", 1300, 1480)),
        _line(350, ("для", 300, 370), ("учителей", 390, 560), ("по", 1300, 1350), ("образованию", 1370, 1600)),
        _line(450, ("2.", 100, 130), ("Мониторинг", 300, 540), ("Май", 900, 980), ("Комитет", 1300, 1480)),
    ]
    found, rest = unruled_table(lines, SETTINGS)
    assert found is not None
    assert len(found.columns.starts) == 4
    assert len(found.rows) == 3
    assert [ln.text for ln in found.rows[1].cells[1]] == ["Проведение семинара", "для учителей"]
    assert [ln.text for ln in found.rows[1].cells[3]] == ["Комитет", "по образованию"]
    assert [ln.text for ln in rest] == ["Дорожная карта"]


# --- text ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("read", "repaired"), [
    ("Комитетпо образованию", "Комитет по образованию"),
    ("кандидатовв кураторы", "кандидатов в кураторы"),
    ("в неб лаг о приятных условиях", "в неблагоприятных условиях"),
    ("Приказ 06 утверждении", "Приказ об утверждении"),
    ("МБОУ ДПО MII, 0600", "МБОУ ДПО МЦ, ОбОО"),
    ("№ n/n", "№ п/п"),
    ("ОБРАЗОВАТЕЛЬНОИ", "ОБРАЗОВАТЕЛЬНОЙ"),
    ("Методист Лопухов а О.В.,", "Методист Лопухова О.В.,"),
    ("Сентябръ 2021", "Сентябрь 2021"),
    ("Гринева —О.В., Мезенцева Ю.В.", "Гринева О.В., Мезенцева Ю.В."),  # real corpus: Уссурийск 2020 scan
    # never rewritten: real words, hyphenated words, names the vocabularies do not know
    ("семинаров-совещаний", "семинаров-совещаний"),
    ("на встречу", "на встречу"),
    ("Ханты-Мансийского", "Ханты-Мансийского"),
    ("Атласова В.И.", "Атласова В.И."),
])
def test_repairs_only_against_vocabularies(read: str, repaired: str) -> None:
    assert repair_text(read, SETTINGS) == repaired


def test_paragraphs_from_wrapping() -> None:
    width = (0, 1000)
    lines = [
        _line(0, ("Управление", 0, 300), ("образования", 320, 640), ("администрации", 660, 990)),
        _line(60, ("города", 0, 180), ("Тулы,", 200, 330)),  # ends short: "МКУ" would have fitted
        _line(120, ("МКУ", 0, 120), ("«ЦНППМ", 140, 380), ("реализаци", 400, 990)),
        _line(180, ("и", 0, 30)),  # a word forced apart at the cell edge joins again
        _line(240, ("—", 0, 26), ("выявление", 60, 330)),
    ]
    paras = paragraphs(clean_lines(lines, SETTINGS), *width, SETTINGS)
    assert [p.text for p in paras] == ["Управление образования администрации города Тулы,",
                                       "МКУ «ЦНППМ реализации", "выявление"]
    assert paras[2].bullet


def test_dashes_by_length() -> None:
    lines = [_line(0, ("ОО", 0, 60), ("—", 80, 106), ("сетевые", 130, 300)),
             _line(60, ("Ханты", 0, 120), ("-", 130, 146), ("Мансийский", 160, 400))]
    assert [ln.text for ln in clean_lines(lines, SETTINGS)] == ["ОО – сетевые", "Ханты - Мансийский"]


def test_a_default_resolution_that_makes_no_page_is_ignored() -> None:
    from PIL import Image

    from parsers.ocr_image import A4_LONG_SIDE_IN, dpi_of

    scan = Image.new("L", (2528, 3507))
    scan.info["dpi"] = (96, 96)  # written by the scanning software: 37 inches long
    assert abs(dpi_of(scan, SETTINGS) - 3507 / A4_LONG_SIDE_IN) < 1e-6
    scan.info["dpi"] = (300, 300)
    assert dpi_of(scan, SETTINGS) == 300


def test_a_mark_beside_a_heading_is_left_out_of_its_line() -> None:
    """The Москва 2019 agreement's rotated scan: Tesseract put a signature's strokes («Oy yod»,
    confidence 0) on the heading's line, a third of the page to its left; they are left out,
    and so is such a run at the line's end. Unsure words close to the text stay."""
    def word(text: str, conf: float, x0: int, x1: int) -> Word:
        return Word(text, conf, (x0, 100, x1, 140))

    line = Line(words=[word("Oy", 0, 426, 562), word("yod", 0, 558, 588), word("СОГЛАШЕНИЕ", 96, 1574, 2013)])
    assert scan._without_edge_junk(line, SETTINGS).text == "СОГЛАШЕНИЕ"
    line = Line(words=[word("План", 95, 300, 400), word("работы", 96, 420, 560), word("у.", 2, 900, 930)])
    assert scan._without_edge_junk(line, SETTINGS).text == "План работы"
    line = Line(words=[word("ор", 3, 250, 290), word("План", 95, 300, 400)])
    assert scan._without_edge_junk(line, SETTINGS).text == "ор План"


def test_strokes_of_bold_capitals_are_no_blanks() -> None:
    """The Ростов plan's scanned title page: the rule finder sees the tops and bars of the big
    bold capitals as short rules (1-2 px thick, inside the words' boxes), which were put back as
    «____» and merged the heading's three lines into one; a blank stands beside words, in a
    line of text (the «_______ И.И. Иванов» of an approval block)."""
    rules = np.zeros((400, 1200), np.uint8)
    rules[115:117, 300:410] = 255  # inside «ПОКАЗАТЕЛЕЙ»
    rules[232:236, 100:420] = 255  # a signature blank before the name
    heading = Line(words=[Word("ПОКАЗАТЕЛЕЙ", 95.0, (200, 100, 700, 150))])
    signature = Line(words=[Word("И.И.", 95.0, (450, 200, 520, 238)), Word("Иванов", 95.0, (530, 200, 700, 238))])
    lines = scan.with_blank_fields([heading, signature], rules, [], SETTINGS)
    assert [ln.text for ln in lines] == ["ПОКАЗАТЕЛЕЙ", "_____________ И.И. Иванов"]


def test_rules_along_one_line_do_not_warp_the_page() -> None:
    """The Тихорецк 2024-25 title page: a «table» of an approval block's lines and a stamp's
    strokes gave a frame outline folded flat (two corners on each end of one rule); the
    homography to a rectangle from it threw the page's text into a smear and none of it was
    read. Such an outline frames nothing."""
    from parsers.ocr_image import Frame, perspective_fix

    flat = np.array([[1486, 858], [2017, 861], [2017, 861], [1486, 858]], np.float32)
    assert perspective_fix(Frame(flat, (True, True, True, True)), SETTINGS) is None
    tilted = np.array([[100, 100], [1100, 100], [1110, 800], [95, 800]], np.float32)  # a photo's slight keystone
    assert perspective_fix(Frame(tilted, (True, True, True, True)), SETTINGS) is not None


def test_a_frame_side_off_the_rules_only_levels_the_table() -> None:
    """The Уссурийск детдом 2015-16 scans: the last row's bottom rule is missing, so the hull of
    the table's rules closes with a side across the cells (bottom-left 320 px lower than
    bottom-right); a homography to it sheared the page and ran rows together. The СОШ №30 scans:
    the last column is ruled by faint dashes, the hull's right side is no rule, and the table
    stands turned by 0.85°: the ruled top side levels it."""
    from parsers.ocr_image import frame_quad, perspective_fix, warp

    mask = np.zeros((2300, 3600), np.uint8)
    cv2.line(mask, (260, 78), (3484, 80), 255, 5)  # top
    cv2.line(mask, (260, 78), (253, 1861), 255, 5)  # left, right, the last row's bottom rule
    cv2.line(mask, (3484, 80), (3478, 1861), 255, 5)
    cv2.line(mask, (253, 1861), (3478, 1861), 255, 5)
    cv2.line(mask, (253, 1861), (253, 2180), 255, 5)  # the left rule goes on; no rule under it
    frame = frame_quad(mask)
    assert frame is not None and frame.ruled[0] and not frame.ruled[2]
    assert perspective_fix(frame, SETTINGS) is None  # its top rule is level: nothing to do

    turned = np.zeros((1700, 2300), np.uint8)
    cv2.line(turned, (317, 748), (1944, 772), 255, 5)  # the top rule, 24 px lower at its right end
    cv2.line(turned, (317, 748), (305, 1552), 255, 5)
    cv2.line(turned, (305, 1552), (1890, 1576), 255, 5)
    cv2.line(turned, (1944, 772), (1890, 1576), 255, 1)  # faint dashes: no rule to the finder
    turned[:, 1900:] = 0
    frame = frame_quad(turned)
    assert frame is not None and frame.ruled[0] and not frame.ruled[1]
    matrix = perspective_fix(frame, SETTINGS)
    assert matrix is not None
    level = warp(255 - turned, matrix)
    rows = np.nonzero((level[:1100, 400:1800] < 128).sum(axis=1) > 1000)[0]
    assert rows.size and rows.max() - rows.min() <= 8  # the top rule now lies on a few pixel rows


def _read(row: int, col: int, box: tuple[int, int, int, int], *lines: tuple[int, list[tuple[str, int, int]]],
          row_span: int = 1, col_span: int = 1) -> scan._CellRead:
    read = [Line(words=[Word(t, 90.0, (x0, y, x1, y + 30)) for t, x0, x1 in words]) for y, words in lines]
    return scan._CellRead(GridCell(row, col, row_span, col_span, box, 1), read, 90.0)


def test_a_row_whose_rule_was_lost_is_cut_above_each_stacked_number() -> None:
    """The Уссурийск детдом 2015-16 scan: the rule between items 25 and 26 is too faint to
    find, so one grid row holds «25.» over «26.» in the number column and both items' text
    beside them; the row is cut above «26.» and each cell's lines go to the part they stand
    in (a cell spanning the row spans both parts, rows below move down)."""
    table = GridTable(box=(0, 0, 1200, 600), xs=[0, 100, 700, 1200], ys=[0, 100, 400, 600])
    reads = [
        _read(0, 0, (0, 0, 100, 100), (30, [("24.", 10, 60)])),
        _read(0, 1, (100, 0, 700, 100), (30, [("Выявление", 110, 300)])),
        _read(0, 2, (700, 0, 1200, 400), (30, [("Сонина", 710, 900)]), row_span=2),
        _read(1, 0, (0, 100, 100, 400), (110, [("25.", 10, 60)]), (260, [("26.", 10, 60)])),
        _read(1, 1, (100, 100, 700, 400), (110, [("Оформление", 110, 330), ("стенда", 340, 460)]),
              (150, [("наркомании", 110, 330), ("а", 340, 350), ("ае", 360, 380)]),
              (260, [("Совещание", 110, 330)])),
        _read(2, 0, (0, 400, 100, 600), (430, [("27.", 10, 60)])),
    ]
    columns = {0}
    out = scan.split_stacked_rows(table, reads, columns)
    cells = {(rd.cell.row, rd.cell.col, rd.cell.row_span): " / ".join(ln.text for ln in rd.lines) for rd in out}
    assert cells == {(0, 0, 1): "24.", (0, 1, 1): "Выявление", (0, 2, 3): "Сонина",
                     (1, 0, 1): "25.", (1, 1, 1): "Оформление стенда / наркомании а ае",
                     (2, 0, 1): "26.", (2, 1, 1): "Совещание", (3, 0, 1): "27."}
    assert table.ys == [0, 100, 251, 400, 600]
    # numbers that are not one after another are no lost rule
    reads = [_read(0, 0, (0, 0, 100, 100), (10, [("3", 10, 60)]), (50, [("7", 10, 60)]))]
    assert len(scan.split_stacked_rows(GridTable((0, 0, 100, 100), [0, 100], [0, 100]), reads, {0})) == 1


def test_a_cell_over_columns_whose_rules_were_lost_is_cut_at_them() -> None:
    """The same scan: a row whose vertical rules are lost is one cell over the activity, date
    and responsible columns; its words part at the column lines with a cell's padding between
    them, so it is cut there. A section title over the columns runs on with word spaces and
    stays whole."""
    table = GridTable(box=(0, 0, 1200, 100), xs=[0, 100, 600, 800, 1200], ys=[0, 100])
    read = _read(0, 1, (100, 0, 1200, 100), (20, [("Оформление", 110, 330), ("стенда", 340, 500),
                                                   ("13.10.", 630, 720), ("Медсестра", 830, 1000)]),
                 (60, [("наркомании", 110, 330)]), col_span=3)
    parts = scan.split_lost_columns(table, read, SETTINGS)
    assert [(p.cell.col, " / ".join(ln.text for ln in p.lines)) for p in parts] == [
        (1, "Оформление стенда / наркомании"), (2, "13.10."), (3, "Медсестра")]
    title = _read(0, 0, (0, 0, 1200, 100), (20, [("I.", 20, 50), ("Работа", 62, 180), ("с", 590, 606),
                                                  ("кадрами", 618, 790)]), col_span=4)
    assert scan.split_lost_columns(table, title, SETTINGS) == [title]
    letters = [(ch, 120 + 150 * k, 150 + 150 * k) for k, ch in enumerate("УЧЕБНАЯ")]  # wide apart
    spaced = _read(0, 0, (0, 0, 1200, 100), (20, letters), col_span=4)  # a letter-spaced heading
    assert scan.split_lost_columns(table, spaced, SETTINGS) == [spaced]
