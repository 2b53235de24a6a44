"""Labels of Word's automatic numbering ("1.", "2.3.", "а)", "IV.", bullets) on small documents
built here with raw numbering.xml, and on one real plan whose numbers restart per section.

The expected sequences where lists share a definition or restart follow what LibreOffice
prints for the same files (Word's behaviour; see _Numbering in parsers/docx.py)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from parsers.docx import parse_docx
from parsers.layout import Paragraph, Table

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def lvl(ilvl: int, fmt: str = "decimal", text: str | None = None, start: int | None = 1, extra: str = "") -> str:
    text = f"%{ilvl + 1}." if text is None else text
    start_el = f'<w:start w:val="{start}"/>' if start is not None else ""
    return (f'<w:lvl w:ilvl="{ilvl}">{start_el}<w:numFmt w:val="{fmt}"/>{extra}'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')


def abstract(abstract_id: int, levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{abstract_id}">{levels}</w:abstractNum>'


def num(num_id: int, abstract_id: int, restart_at: int | None = None, ilvl: int = 0) -> str:
    override = (f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{restart_at}"/></w:lvlOverride>'
                if restart_at is not None else "")
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'


def p(text: str, num_id: int | None = None, ilvl: int | None = 0, style: str | None = None) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None:
        level = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
        props += f'<w:numPr>{level}<w:numId w:val="{num_id}"/></w:numPr>'
    return f'<w:p><w:pPr>{props}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def make_docx(tmp_path: Path, numbering: str, body: str, styles: str = "") -> Path:
    """A .docx with this numbering part, these extra styles and this body."""
    document = docx.Document()
    part = document.part.numbering_part.element
    for child in list(part):
        part.remove(child)
    for child in parse_xml(f"<w:numbering {NS}>{numbering}</w:numbering>"):
        part.append(child)
    for child in parse_xml(f"<w:styles {NS}>{styles}</w:styles>"):
        document.styles.element.append(child)
    sect = document.element.body.find(f"{W}sectPr")
    for child in parse_xml(f"<w:body {NS}>{body}</w:body>"):
        sect.addprevious(child)
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    return path


def paragraphs(path: Path) -> list[Paragraph]:
    """Every paragraph in reading order, table cells included."""
    def walk(blocks: list[Paragraph | Table]) -> list[Paragraph]:
        out: list[Paragraph] = []
        for block in blocks:
            if isinstance(block, Table):
                for cell in block.cells:
                    out += cell.paragraphs
                    out += walk(list(cell.tables))
            else:
                out.append(block)
        return out

    return walk(parse_docx(path).blocks)


def labels(path: Path) -> list[tuple[str, str | None]]:
    return [(x.text, x.list.label if x.list else None) for x in paragraphs(path)]


def test_decimal_with_start_and_text_kept_apart(tmp_path: Path) -> None:
    path = make_docx(tmp_path, abstract(0, lvl(0, text="%1)", start=3)) + num(1, 0),
                     p("a", 1) + p("", 1) + p("c", 1))
    out = paragraphs(path)
    assert [x.list.label for x in out if x.list] == ["3)", "4)", "5)"]
    assert [x.text for x in out] == ["a", "", "c"]  # the label is not part of the text
    assert all(x.list and x.list.ordered and x.list.level == 0 for x in out)


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [("lowerLetter", "%1)", ["a)", "b)", "c)"]),
     ("upperLetter", "%1.", ["A.", "B.", "C."]),
     ("russianLower", "%1)", ["а)", "б)", "в)"]),
     ("russianUpper", "%1.", ["А.", "Б.", "В."]),
     ("upperRoman", "%1.", ["I.", "II.", "III."]),
     ("lowerRoman", "(%1)", ["(i)", "(ii)", "(iii)"]),
     ("decimalZero", "%1.", ["01.", "02.", "03."])],
)
def test_number_formats(tmp_path: Path, fmt: str, text: str, expected: list[str]) -> None:
    path = make_docx(tmp_path, abstract(0, lvl(0, fmt, text)) + num(1, 0), p("x", 1) * 3)
    assert [label for _, label in labels(path)] == expected


def test_long_letter_and_roman_runs(tmp_path: Path) -> None:
    # Word repeats the letter after the alphabet (z, aa, bb); the Russian one skips ё й ъ ы ь.
    numbering = (abstract(0, lvl(0, "lowerLetter", "%1)", start=26)) + num(1, 0)
                 + abstract(1, lvl(0, "russianLower", "%1)", start=9)) + num(2, 1)
                 + abstract(2, lvl(0, "upperRoman", "%1.", start=3)) + num(3, 2))
    body = p("z", 1) * 3 + p("и", 2) * 2 + p("IV", 3) * 2
    assert [label for _, label in labels(make_docx(tmp_path, numbering, body))] == [
        "z)", "aa)", "bb)", "и)", "к)", "III.", "IV."]


@pytest.mark.parametrize(("custom", "expected"), [
    ("а, б, в, ...", ["а)", "б)"]), ("001, 002, 003, ...", ["001)", "002)"]), ("something else", ["1)", "2)"])])
def test_word_2010_custom_formats(tmp_path: Path, custom: str, expected: list[str]) -> None:
    # Formats Word 2007 lacks come as "custom" inside mc:AlternateContent, with a fallback.
    alternate = ('<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                 f'<mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="{custom}"/></mc:Choice>'
                 '<mc:Fallback><w:numFmt w:val="decimal"/></mc:Fallback></mc:AlternateContent>')
    level = f'<w:lvl w:ilvl="0"><w:start w:val="1"/>{alternate}<w:lvlText w:val="%1)"/></w:lvl>'
    path = make_docx(tmp_path, abstract(0, level) + num(1, 0), p("x", 1) * 2)
    assert [label for _, label in labels(path)] == expected


def test_multi_level_resets_deeper_levels(tmp_path: Path) -> None:
    levels = lvl(0) + lvl(1, text="%1.%2.") + lvl(2, "lowerLetter", "%3)")
    body = (p("1", 1) + p("1.1", 1, 1) + p("1.2", 1, 1) + p("a", 1, 2) + p("b", 1, 2) + p("2", 1)
            + p("2.1", 1, 1) + p("a again", 1, 2))
    out = paragraphs(make_docx(tmp_path, abstract(0, levels) + num(1, 0), body))
    assert [(x.list.level, x.list.label) for x in out if x.list] == [
        (0, "1."), (1, "1.1."), (1, "1.2."), (2, "a)"), (2, "b)"), (0, "2."), (1, "2.1."), (2, "a)")]


def test_deeper_level_first_and_lvl_restart(tmp_path: Path) -> None:
    # A level shown before any item of the upper one counts that one at its start;
    # w:lvlRestart 0 keeps a level counting across its parents.
    levels = lvl(0) + lvl(1, text="%1.%2.", extra='<w:lvlRestart w:val="0"/>')
    body = p("x", 1, 1) + p("x", 1, 1) + p("x", 1) + p("x", 1, 1)
    assert [label for _, label in labels(make_docx(tmp_path, abstract(0, levels) + num(1, 0), body))] == [
        "1.1.", "1.2.", "2.", "2.3."]


def test_legal_numbering_writes_upper_levels_as_decimals(tmp_path: Path) -> None:
    levels = lvl(0, "upperRoman") + lvl(1, text="%1.%2.", extra="<w:isLgl/>")
    body = p("I", 1) + p("1.1", 1, 1)
    assert [label for _, label in labels(make_docx(tmp_path, abstract(0, levels) + num(1, 0), body))] == [
        "I.", "1.1."]


def test_two_instances_of_one_definition_continue_one_sequence(tmp_path: Path) -> None:
    numbering = abstract(0, lvl(0)) + num(1, 0) + num(2, 0) + abstract(1, lvl(0)) + num(3, 1)
    body = p("a", 1) + p("b", 1) + p("c", 2) + p("other list", 3) + p("d", 2) + p("e", 1)
    assert labels(make_docx(tmp_path, numbering, body)) == [
        ("a", "1."), ("b", "2."), ("c", "3."), ("other list", "1."), ("d", "4."), ("e", "5.")]


def test_start_override_restarts_where_the_instance_begins(tmp_path: Path) -> None:
    # As LibreOffice prints it: the restart happens once, at the instance's first paragraph;
    # after it every instance of the definition continues the restarted sequence.
    numbering = abstract(0, lvl(0) + lvl(1, text="%1.%2.")) + num(1, 0) + num(3, 0, restart_at=1) + num(
        4, 0, restart_at=5)
    body = (p("a", 1) + p("b", 1) + p("c", 3) + p("d", 1) + p("e", 3) + p("f", 1) + p("g", 4) + p("h", 4, 1)
            + p("i", 1, 1) + p("j", 1))
    assert [label for _, label in labels(make_docx(tmp_path, numbering, body))] == [
        "1.", "2.", "1.", "2.", "3.", "4.", "5.", "5.1.", "5.2.", "6."]


def test_numbering_from_a_paragraph_style_and_num_id_zero(tmp_path: Path) -> None:
    styles = ('<w:style w:type="paragraph" w:styleId="Item"><w:name w:val="Item"/>'
              '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="SubItem"><w:name w:val="SubItem"/>'
              '<w:basedOn w:val="Item"/></w:style>')
    numbering = abstract(0, lvl(0) + lvl(1, "lowerLetter", "%2)")) + num(1, 0)
    body = (p("top", 1) + p("first", style="Item") + p("off", 0, None, style="Item") + p("second", style="SubItem")
            + p("next", 1) + p("third", style="Item") + p("plain"))
    out = paragraphs(make_docx(tmp_path, numbering, body, styles))
    assert [(x.text, x.list.level if x.list else None, x.list.label if x.list else None) for x in out] == [
        ("top", 0, "1."), ("first", 1, "a)"), ("off", None, None), ("second", 1, "b)"), ("next", 0, "2."),
        ("third", 1, "a)"), ("plain", None, None)]


def test_definition_linked_to_a_numbering_style(tmp_path: Path) -> None:
    # w:numStyleLink: the definition borrows the levels (and counters) of the style's list.
    styles = ('<w:style w:type="numbering" w:styleId="Plan"><w:name w:val="Plan"/>'
              '<w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>')
    numbering = (abstract(0, '<w:styleLink w:val="Plan"/>' + lvl(0, "upperRoman"))
                 + abstract(1, '<w:numStyleLink w:val="Plan"/>') + num(5, 0) + num(1, 1))
    body = p("a", 1) + p("b", 5) + p("c", 1)
    assert [label for _, label in labels(make_docx(tmp_path, numbering, body, styles))] == ["I.", "II.", "III."]


def test_counting_runs_through_tables_in_reading_order(tmp_path: Path) -> None:
    def cell(content: str) -> str:
        return f"<w:tc><w:tcPr/>{content}</w:tc>"

    nested = f'<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="500"/></w:tblGrid><w:tr>{cell(p("", 1))}</w:tr></w:tbl>'
    rows = (f"<w:tr>{cell(p('', 1))}{cell(p('row one'))}</w:tr>"
            f"<w:tr>{cell(p('', 1) + nested + p(''))}{cell(p('row two'))}</w:tr>")
    table = f'<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w="500"/><w:gridCol w:w="500"/></w:tblGrid>{rows}</w:tbl>'
    body = p("before", 1) + table + p("after", 1)
    out = labels(make_docx(tmp_path, abstract(0, lvl(0)) + num(1, 0), body))
    assert [label for _, label in out if label] == ["1.", "2.", "3.", "4.", "5."]
    assert out[0] == ("before", "1.") and out[-1] == ("after", "5.")


def test_bullets_and_unnumbered_levels(tmp_path: Path) -> None:
    numbering = (abstract(0, lvl(0, "bullet", "\uf0b7") + lvl(1, "bullet", "–") + lvl(2, "bullet", "o"))
                 + num(1, 0) + abstract(1, lvl(0, "none", "")) + num(2, 1) + num(9, 7))
    body = p("dot", 1) + p("dash", 1, 1) + p("circle", 1, 2) + p("none", 2) + p("undefined list", 9)
    out = paragraphs(make_docx(tmp_path, numbering, body))
    assert [(x.list.ordered, x.list.label) for x in out if x.list] == [
        (False, "•"), (False, "–"), (False, "o"), (False, None), (False, None)]
