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
from parsers.ocr_grid import ruled_tables
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
