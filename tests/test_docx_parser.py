"""The Word parser on small documents built here: merges, content controls, tracked changes,
fields, lists, nested tables."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from parsers import parse
from parsers.docx import parse_docx
from parsers.errors import ExtractionError
from parsers.layout import Paragraph, Table

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def make_docx(tmp_path: Path, body_xml: str) -> Path:
    """A .docx whose body is the given WordprocessingML (inside <w:body>)."""
    document = docx.Document()
    body = document.element.body
    for child in parse_xml(f"<w:body {NS}>{body_xml}</w:body>"):
        body.insert(len(body) - 1 if body.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr") is not None else len(body), child)
    path = tmp_path / "t.docx"
    document.save(str(path))
    return path


def p(text: str, extra: str = "") -> str:
    return f"<w:p>{extra}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def tc(content: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content}</w:tc>"


def tbl(rows: str, cols: int) -> str:
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(cols))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def blocks(path: Path) -> list[Paragraph | Table]:
    return parse_docx(path).blocks


def paragraphs(path: Path) -> list[Paragraph]:
    """The top-level paragraphs (tables left out)."""
    return [b for b in blocks(path) if isinstance(b, Paragraph)]


def test_grid_span_and_vertical_merge_keep_text_once(tmp_path: Path) -> None:
    rows = (
        "<w:tr><w:trPr><w:tblHeader/></w:trPr>"
        + tc(p("A"), '<w:vMerge w:val="restart"/>') + tc(p("B"), '<w:gridSpan w:val="2"/>') + "</w:tr>"
        + "<w:tr>" + tc(p(""), "<w:vMerge/>") + tc(p("b1")) + tc(p("b2")) + "</w:tr>"
        + "<w:tr>" + tc(p("x")) + tc(p(""), "") + tc(p("")) + "</w:tr>"
    )
    (table,) = [b for b in blocks(make_docx(tmp_path, tbl(rows, 3))) if isinstance(b, Table)]
    assert table.n_cols == 3 and table.n_rows == 3
    assert table.rows[0].header and not table.rows[1].header
    texts = [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells]
    assert texts == [(0, 0, 2, 1, "A"), (0, 1, 1, 2, "B"), (1, 1, 1, 1, "b1"), (1, 2, 1, 1, "b2"),
                     (2, 0, 1, 1, "x"), (2, 1, 1, 1, ""), (2, 2, 1, 1, "")]
    grid = table.grid()
    assert grid[1][0] is None  # covered by the merge, distinct from an empty cell
    assert grid[2][1] is not None and grid[2][1].is_blank
    assert table.covering()[1][0] is grid[0][0]


def test_content_controls_at_every_level(tmp_path: Path) -> None:
    run_sdt = '<w:sdt><w:sdtContent><w:r><w:t>run</w:t></w:r></w:sdtContent></w:sdt>'
    cell_sdt = f"<w:sdt><w:sdtContent>{tc(p('cell'))}</w:sdtContent></w:sdt>"
    row_sdt = f"<w:sdt><w:sdtContent><w:tr>{tc(p('row1'))}{tc(p('row2'))}</w:tr></w:sdtContent></w:sdt>"
    body = (
        f"<w:sdt><w:sdtContent>{p('block')}</w:sdtContent></w:sdt>"
        f"<w:p><w:r><w:t xml:space=\"preserve\">in a </w:t></w:r>{run_sdt}</w:p>"
        + tbl(f"<w:tr>{tc(p('a'))}{cell_sdt}</w:tr>{row_sdt}", 2)
    )
    out = blocks(make_docx(tmp_path, body))
    assert [b.text for b in out if isinstance(b, Paragraph)][:2] == ["block", "in a run"]
    table = next(b for b in out if isinstance(b, Table))
    assert [c.text for c in table.cells] == ["a", "cell", "row1", "row2"]


def test_tracked_changes_keep_insertions_and_drop_deletions(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Срок: </w:t></w:r>'
        '<w:del w:id="1" w:author="a"><w:r><w:delText>Май</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t>Июнь</w:t></w:r></w:ins></w:p>'
    )
    assert paragraphs(make_docx(tmp_path, body))[0].text == "Срок: Июнь"


def test_fields_bookmarks_and_breaks(tmp_path: Path) -> None:
    body = (
        '<w:p><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:r><w:t>18.</w:t></w:r><w:bookmarkEnd w:id="0"/>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:br/><w:t>next</w:t><w:softHyphen/></w:r></w:p>'
    )
    assert paragraphs(make_docx(tmp_path, body))[0].text == "18.3\nnext"


def test_bold_italic_and_lists(tmp_path: Path) -> None:
    body = (
        '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Bold</w:t></w:r></w:p>'
        '<w:p><w:r><w:rPr><w:i/></w:rPr><w:t>It</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r></w:p>'
        '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr></w:pPr>'
        '<w:r><w:t>no list</w:t></w:r></w:p>'
    )
    out = paragraphs(make_docx(tmp_path, body))
    assert out[0].style.bold and not out[0].style.italic
    assert out[1].style.italic  # blank runs do not count
    assert out[2].list is None


def test_nested_table_is_kept_apart(tmp_path: Path) -> None:
    inner = tbl(f"<w:tr>{tc(p('i1'))}{tc(p('i2'))}</w:tr>", 2)
    body = tbl(f"<w:tr>{tc(p('outer') + inner + p(''))}</w:tr>", 1)
    table = next(b for b in blocks(make_docx(tmp_path, body)) if isinstance(b, Table))
    (cell,) = table.cells
    assert [x.text for x in cell.paragraphs] == ["outer", ""]
    assert [c.text for c in cell.tables[0].cells] == ["i1", "i2"]


def test_sample_lists_and_merges() -> None:
    root = Path(__file__).resolve().parent.parent / "samples"
    out = parse_docx(root / "tula_2020-2021.docx").blocks
    table = next(b for b in out if isinstance(b, Table))
    merged = [c for c in table.cells if c.row_span > 1]
    assert len(merged) == 1 and merged[0].row_span == 7 and merged[0].col == 3
    items = [x for c in table.cells for x in c.paragraphs if x.list is not None]
    assert len(items) == 16 and all(not x.list.ordered for x in items if x.list)
    assert {x.list.label for x in items if x.list} == {"–"}  # the bullet Word draws
    goals = [x for x in parse_docx(root / "vilyuisk_2019-2021.docx").blocks if isinstance(x, Paragraph) and x.list]
    assert [x.list.label for x in goals if x.list and x.list.ordered] == ["1.", "2.", "3.", "4."]
    first = next(x for x in goals if x.list and x.list.ordered)
    assert first.text.startswith("Принятие эффективных решений")  # the label stays out of the text


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("a.docx", b"", "empty_document"), ("b.docx", b"PK\x03\x04garbage", "corrupt_file"),
     ("c.docx", b"hello", "corrupt_file"), ("d.pdf", b"%PDF-1.7\n", "corrupt_file"),
     ("e.txt", b"hello", "unsupported_format")],
)
def test_bad_input_gets_a_stable_code(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as info:
        parse(path)
    assert info.value.code == code


def _scanned_page(text_rows: list[tuple[str, str]]) -> bytes:
    """A 'scanned' page: a ruled two-column table drawn at 200 dpi, saved as PNG."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    img = Image.new("L", (1600, 1000), 255)
    draw = ImageDraw.Draw(img)
    xs, top, height = [100, 1000, 1500], 100, 110
    for r, row in enumerate(text_rows):
        for c, value in enumerate(row):
            draw.text((xs[c] + 20, top + r * height + 30), value, font=font, fill=0)
    for r in range(len(text_rows) + 1):
        draw.line([(xs[0], top + r * height), (xs[-1], top + r * height)], fill=0, width=4)
    for x in xs:
        draw.line([(x, top), (x, top + len(text_rows) * height)], fill=0, width=4)
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def test_word_file_of_scanned_pages_is_read_by_ocr(tmp_path: Path) -> None:
    import io

    from docx.shared import Inches

    from parsers.ocr_engine import check_available
    from parsers.ocr_settings import SETTINGS

    try:
        check_available(SETTINGS)
    except ExtractionError:
        pytest.skip("Tesseract with Russian data is not installed")
    document = docx.Document()
    document.add_picture(io.BytesIO(_scanned_page([("Мероприятие", "Срок"), ("Совещание", "Март")])),
                         width=Inches(8))
    document.add_picture(io.BytesIO(_scanned_page([("Проверка", "Апрель")])), width=Inches(8))
    path = tmp_path / "scans.docx"
    document.save(str(path))
    parsed = parse_docx(path)
    assert parsed.ocr and parsed.format == "docx" and parsed.pages == 2
    tables = [b for b in parsed.blocks if isinstance(b, Table)]
    assert [[c.text for c in t.cells] for t in tables] == [["Мероприятие", "Срок", "Совещание", "Март"],
                                                            ["Проверка", "Апрель"]]
