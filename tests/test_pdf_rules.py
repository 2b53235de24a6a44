"""Ruled PDF tables: rows come from the drawn rules only. White boxes painted behind text lines
(Word, Acrobat) and wide shading fills are no rules; a table whose top rule is not drawn (a row
cut by a page break) is closed where its column rules end. On small PDFs written here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from parsers.layout import Table
from parsers.pdf import parse_pdf
from parsers.pdf_text import _glyph_text

PAGE_H = 842.0


def write_pdf(path: Path, content: str) -> Path:
    """A one-page A4 PDF with this content stream and Helvetica as /F1."""
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def box(x0: float, top: float, x1: float, bottom: float, grey: float) -> str:
    """A filled rectangle (no stroke) in top-down page coordinates."""
    return f"{grey} g {x0} {PAGE_H - bottom} {x1 - x0} {bottom - top} re f\n"


def text(x: float, top: float, words: str) -> str:
    return f"0 g BT /F1 10 Tf {x} {PAGE_H - top - 9} Td ({words}) Tj ET\n"


def ruled(xs: list[float], ys: list[float], *, top_rule: bool = True) -> str:
    """Rules as thin black bars, as Word's PDF export draws them."""
    out = ""
    for n, y in enumerate(ys):
        if n or top_rule:
            out += box(xs[0], y, xs[-1], y + 0.5, 0)
    for x in xs:
        out += box(x, ys[0], x + 0.5, ys[-1], 0)
    return out


XS = [50.0, 250.0, 450.0]


def only_table(doc_blocks: Sequence[object]) -> Table:
    tables = [b for b in doc_blocks if isinstance(b, Table)]
    assert len(tables) == 1
    return tables[0]


def test_white_boxes_behind_text_lines_make_no_rows(tmp_path: Path) -> None:
    ys = [100.0, 140.0, 160.0]
    content = ""
    # white boxes behind each line of the two-line cell, painted before the text
    content += box(55, 102, 240, 114, 1) + box(55, 114, 200, 126, 1)
    content += box(55, 142, 240, 154, 0.8)  # a wide grey shading: not a rule either
    content += ruled(XS, ys)
    content += text(55, 102, "Planning the first") + text(55, 114, "quarter of work")
    content += text(255, 102, "March")
    content += text(55, 142, "Second task") + text(255, 142, "April")
    doc = parse_pdf(write_pdf(tmp_path / "white.pdf", content))
    table = only_table(doc.blocks)
    assert (table.n_rows, table.n_cols) == (2, 2)
    # both lines in one cell (a short first line is a hard break there, not a wrap)
    assert [" ".join(c.text.split()) for c in table.cells] == [
        "Planning the first quarter of work", "March", "Second task", "April"]


def test_a_table_without_its_top_rule_keeps_its_first_row(tmp_path: Path) -> None:
    ys = [100.0, 130.0, 150.0]  # column rules from 100, the first row rule at 130
    content = ruled(XS, ys, top_rule=False)
    content += text(55, 104, "Row cut by the page break") + text(255, 104, "May")
    content += text(55, 134, "Next task") + text(255, 134, "June")
    doc = parse_pdf(write_pdf(tmp_path / "open.pdf", content))
    table = only_table(doc.blocks)
    assert table.n_rows == 2
    assert table.row_cells(0)[0].text == "Row cut by the page break"


def test_quartz_hyphen_glyph_is_one_hyphen() -> None:
    assert _glyph_text("-\xad\u2010") == "-"
    assert _glyph_text("-") == "-"
    assert _glyph_text("ab") == "ab"
