"""Text PDFs: each sample PDF (LibreOffice's export of the sample's Word source, see
samples/build_pdfs.py) gives the same canonical JSON as its Word file, apart from `source` and
`provenance`; the PDFs show what the seeds show; damaged, locked and font-mapped-less PDFs."""

from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from extractor import extract
from extractor.output import to_json
from parsers import parse
from parsers.errors import ExtractionError
from parsers.layout import Paragraph, Table
from parsers.pdf import DEFAULT, _drop_running_lines, _Page, parse_pdf
from parsers.pdf_tables import TableFound
from parsers.pdf_text import Line, Word
from tests.conftest import SAMPLE_DIR, extracted, pretty
from tests.seedtext import SAMPLES

sys.path.insert(0, str(SAMPLE_DIR))
import build_pdfs  # the sample generator: its layouts and its page-break check

# sample PDF -> the Word sample it was printed from
PDFS = {name: layout.source for name, layout in build_pdfs.load_layouts().items()}
RUNNING_HEAD = build_pdfs.LAYOUTS["zima_2024"]["running_head"]


@cache
def pdf_plan(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json(extract(SAMPLE_DIR / f"{name}.pdf")))
    return result


def comparable(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan without what a PDF may change: `source`, `provenance` of each activity, and
    `quality` (it measures the file's own text layer)."""
    out = {k: v for k, v in plan.items() if k not in ("source", "quality")}
    out["activities"] = [{k: v for k, v in a.items() if k != "provenance"} for a in plan["activities"]]
    return out


def test_every_sample_has_its_pdfs() -> None:
    assert set(SAMPLES.values()) <= set(PDFS)
    assert {"sarov_2021-2022_unruled", "zima_2024_unruled"} <= set(PDFS)


@pytest.mark.parametrize("name", sorted(PDFS))
def test_pdf_gives_the_json_of_its_word_file(name: str) -> None:
    got, want = comparable(pdf_plan(name)), comparable(extracted(PDFS[name]))
    if got != want:
        diff = "\n".join(difflib.unified_diff(pretty(want), pretty(got), "docx", "pdf", lineterm="", n=2))
        pytest.fail(f"{name}.pdf differs from {PDFS[name]}.docx:\n{diff[:6000]}")


@pytest.mark.parametrize("name", sorted(PDFS))
def test_pdf_source_and_provenance(name: str) -> None:
    plan = pdf_plan(name)
    with pdfplumber.open(SAMPLE_DIR / f"{name}.pdf") as pdf:
        pages = len(pdf.pages)
    assert plan["source"]["format"] == "pdf"
    assert plan["source"]["filename"] == f"{name}.pdf"
    assert plan["source"]["pages"] == pages
    assert plan["source"]["ocr"] is False
    seen = [a["provenance"]["page"] for a in plan["activities"]]
    assert all(isinstance(p, int) and 1 <= p <= pages for p in seen)
    assert seen == sorted(seen)  # activities in page order


def _activity(plan: dict[str, Any], number: str) -> dict[str, Any]:
    return next(a for a in plan["activities"] if a["number"] == number)


@pytest.mark.parametrize(("name", "number"), [("sarov_2021-2022", "11"), ("sarov_2021-2022", "19"),
                                              ("zima_2024", "4"), ("zima_2024", "17"), ("zima_2024", "19"),
                                              ("tula_2020-2021", "4.9"), ("khmao_2023", "15")])
def test_row_cut_by_a_page_break_is_one_activity_from_two_table_rows(name: str, number: str) -> None:
    activity = _activity(pdf_plan(name), number)
    rows = activity["provenance"]["rows"]
    assert len(rows) == 2 and rows[1] == rows[0] + 1
    word = _activity(extracted(name), number)
    assert activity["title"] == word["title"]


def test_joined_parts_read_as_one_text() -> None:
    row19 = _activity(pdf_plan("sarov_2021-2022"), "19")
    assert "семинаров-совещаний" in row19["title"]
    assert row19["result"].startswith("Принято участие в муниципальном семинаре-совещания")


# --- the samples show what the seeds show ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PDFS))
def test_pdf_cuts_the_rows_the_seed_shows_cut(name: str) -> None:
    layout = build_pdfs.load_layouts()[name]
    assert build_pdfs.check(layout, SAMPLE_DIR / f"{name}.pdf") == []


def test_zima_repeats_its_header_on_every_page() -> None:
    with pdfplumber.open(SAMPLE_DIR / "zima_2024.pdf") as pdf:
        firsts = [page.find_tables()[0].extract()[0] for page in pdf.pages]
    assert all(row == firsts[0] for row in firsts)
    assert len(firsts) > 3


def test_tula_shows_section_rows_and_the_merged_responsible_cell() -> None:
    with pdfplumber.open(SAMPLE_DIR / "tula_2020-2021.pdf") as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
    sections = [r for r in rows if r[0] and r[1:] == [None] * 3]
    assert len(sections) == 4
    covered = [r for r in rows if r[0] and re.match(r"2\.[2-7]\.", r[0]) and r[3] is None]
    assert covered  # rows of 2.2-2.7 under the merged cell of 2.1 (a merge, not empty cells)


def test_unruled_pdfs_have_no_lines_at_all() -> None:
    for name in ("sarov_2021-2022_unruled", "zima_2024_unruled"):
        with pdfplumber.open(SAMPLE_DIR / f"{name}.pdf") as pdf:
            assert all(not page.lines and not page.rects and not page.curves for page in pdf.pages)
    with pdfplumber.open(SAMPLE_DIR / "sarov_2021-2022_unruled.pdf") as pdf:
        assert pdf.pages[0].width > pdf.pages[0].height  # one of them landscape


def test_khmao_pdf_has_hyphenated_line_ends() -> None:
    with pdfplumber.open(SAMPLE_DIR / "khmao_2023.pdf") as pdf:
        ends = [line for page in pdf.pages for line in page.extract_text().split("\n") if re.search(r"[а-я]-$", line)]
    assert len(ends) > 50
    assert any(line.endswith("Ханты-Ман-") for line in ends)  # a real hyphen, then one of the layout's


# --- running heads, page numbers ---------------------------------------------------------------

def test_running_heads_and_page_numbers_are_dropped() -> None:
    with pdfplumber.open(SAMPLE_DIR / "zima_2024.pdf") as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    assert all(RUNNING_HEAD in t for t in texts)
    assert all(t.rstrip().endswith(str(n)) for n, t in enumerate(texts, 1))
    document = parse(SAMPLE_DIR / "zima_2024.pdf")
    paragraphs = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    assert not any(RUNNING_HEAD in p for p in paragraphs)
    assert not any(p.strip().isdigit() for p in paragraphs)
    cells = [c.text for b in document.blocks if isinstance(b, Table) for c in b.cells]
    assert not any(RUNNING_HEAD in c for c in cells)


def _line(text: str, top: float, page: int) -> Line:
    return Line([Word(text, 60.0, 60.0 + 6 * len(text), top, top + 12.0, 12.0, True, False)], page)


def test_a_caption_repeated_at_the_top_of_the_body_is_no_running_head() -> None:
    # each part of the plan opens a page with the same caption, where the body starts (a table
    # going on from the page before starts there too); the running head stands above it
    def page(number: int, caption: bool, table_top: float) -> _Page:
        lines = [_line("Дорожная карта", 20.0, number)] + ([_line("ПЕРЕЧЕНЬ МЕРОПРИЯТИЙ", 44.0, number)] * caption)
        found = TableFound(Table(n_cols=1, page=number), (50.0, table_top, 550.0, 800.0), [], [])
        return _Page(number, 600.0, 842.0, lines, [found])

    pages = [page(1, True, 80.0), page(2, False, 42.0), page(3, True, 80.0)]
    _drop_running_lines(pages, DEFAULT)
    assert [[line.text for line in p.lines] for p in pages] == [["ПЕРЕЧЕНЬ МЕРОПРИЯТИЙ"], [],
                                                                ["ПЕРЕЧЕНЬ МЕРОПРИЯТИЙ"]]


# --- unreadable, locked and damaged PDFs -------------------------------------------------------

def test_glyphs_without_a_unicode_map_give_a_warning_with_the_page(tmp_path: Path) -> None:
    data = (SAMPLE_DIR / "zima_2024.pdf").read_bytes()
    # take the Unicode map off the bold font (the table header, on every page)
    match = re.search(rb"/BaseFont/[A-Z]{6}\+LiberationSerif-Bold\b.*?/ToUnicode", data, re.S)
    assert match is not None
    at = match.end() - len(b"/ToUnicode")
    patched = tmp_path / "no_map.pdf"
    patched.write_bytes(data[:at] + b"/ToUnicodX" + data[at + len(b"/ToUnicode"):])
    document = parse_pdf(patched)
    pages = [int(m.group(1)) for code, message in document.warnings if code == "no_unicode_map"
             for m in [re.match(r"страница (\d+):", message)] if m]
    with pdfplumber.open(patched) as pdf:
        assert pages == list(range(1, len(pdf.pages) + 1))
    assert not document.ocr  # most of each page still reads: no OCR


def test_damaged_pdf_is_a_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    with pytest.raises(ExtractionError) as caught:
        extract(bad)
    assert caught.value.code == "corrupt_file"


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    options = json.dumps({"EncryptFile": {"type": "boolean", "value": "true"},
                          "DocumentOpenPassword": {"type": "string", "value": "secret"}})
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", f"pdf:writer_pdf_Export:{options}", "--outdir", str(tmp_path),
                    str(SAMPLE_DIR / "sarov_2021-2022.docx")], check=True, capture_output=True, timeout=300)
    with pytest.raises(ExtractionError) as caught:
        extract(tmp_path / "sarov_2021-2022.pdf")
    assert caught.value.code == "encrypted_pdf"


@pytest.mark.parametrize("name", ["khmao_2023", "zima_2024_unruled"])
def test_pdf_extraction_is_deterministic(name: str) -> None:
    path = SAMPLE_DIR / f"{name}.pdf"
    assert to_json(extract(path)) == to_json(extract(path))


def test_pdf_without_text_or_images_is_empty(tmp_path: Path) -> None:
    import pypdfium2

    blank = pypdfium2.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(tmp_path / "blank.pdf")
    with pytest.raises(ExtractionError) as caught:
        extract(tmp_path / "blank.pdf")
    assert caught.value.code == "empty_document"
