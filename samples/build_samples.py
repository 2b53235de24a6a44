"""Build the sample Word files from their readable sources in samples/src/*.yaml.

The format is described in samples/src/FORMAT.md. python-docx writes paragraphs, runs and
tables; vertical merges, repeated header rows, list numbering and bookmarks are written as
raw WordprocessingML because python-docx has no API for them.

Usage: python samples/build_samples.py [NAME ...]   (default: every source)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import zipfile
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# zip entry times are pinned so that a rebuild gives the same bytes (goldens carry sha256)
ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class Numbering:
    """Creates list definitions (w:abstractNum + w:num) in the document's numbering part."""

    def __init__(self, doc: Any) -> None:
        self.part = doc.part.numbering_part.element
        self.next_abstract = 100
        self.next_num = 100

    def add(self, fmt: str, text: str) -> int:
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), str(self.next_abstract))
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), "0")
        for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text), ("w:lvlJc", "left")):
            el = OxmlElement(tag)
            el.set(qn("w:val"), val)
            lvl.append(el)
        ppr = OxmlElement("w:pPr")
        ind = OxmlElement("w:ind")
        ind.set(qn("w:left"), "360")
        ind.set(qn("w:hanging"), "360")
        ppr.append(ind)
        lvl.append(ppr)
        abstract.append(lvl)
        # abstractNum elements must precede num elements
        first_num = self.part.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.part.append(abstract)
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(self.next_num))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), str(self.next_abstract))
        num.append(ref)
        self.part.append(num)
        self.next_abstract += 1
        self.next_num += 1
        return self.next_num - 1


def set_list(paragraph: Paragraph, num_id: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    numpr.append(ilvl)
    numpr.append(nid)
    ppr.insert(0, numpr)
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), "ListParagraph")
    ppr.insert(0, style)


def write_text(paragraph: Paragraph, text: str, bold: bool = False, italic: bool = False) -> None:
    """Write text into a paragraph; a single newline becomes a line break (w:br)."""
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold or None
        run.italic = italic or None
        if i:
            run._r.insert(0, OxmlElement("w:br"))


def add_bookmark(paragraph: Paragraph, name: str) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), "0")
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), "0")
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def remove_borders(table: Table) -> None:
    """No ruling lines at all: columns are then visible only by the position of their text."""
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


class Builder:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.doc = Document()
        self.numbering = Numbering(self.doc)
        self._setup_page(spec.get("page") or {})

    def _setup_page(self, page: dict[str, Any]) -> None:
        section = self.doc.sections[0]
        if page.get("orientation", "portrait") == "landscape":
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        else:
            section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        margin = Cm(float(page.get("margins_cm", 2.0)))
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, margin)
        style = self.doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(float(page.get("font_size", 12)))
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), "Times New Roman")
        self.doc.core_properties.author = "roadmap-extractor samples"

    # --- body blocks -------------------------------------------------------------------
    def build(self) -> Any:
        # the template starts with no paragraphs; every block appends to the body
        for block in self.spec["blocks"]:
            if "p" in block:
                self.paragraph(block)
            elif "list" in block:
                self.list_block(block["list"], "bullet", block.get("bullet", "–"))
            elif "numbered" in block:
                self.list_block(block["numbered"], "decimal", "%1.")
            elif "table" in block:
                self.table(block["table"])
            else:
                raise ValueError(f"unknown block: {sorted(block)}")
        return self.doc

    def paragraph(self, block: dict[str, Any]) -> None:
        style = "Title" if block.get("style") == "heading" else None
        par = self.doc.add_paragraph(style=style)
        if style:
            # the Title style's own look (big, coloured, underlined) is not what plans use
            par.style.font.size = self.doc.styles["Normal"].font.size
            par.style.font.color.rgb = None
            pbdr = par.style.element.find(qn("w:pPr"))
            if pbdr is not None:
                border = pbdr.find(qn("w:pBdr"))
                if border is not None:
                    pbdr.remove(border)
        write_text(par, str(block["p"]), block.get("bold", False), block.get("italic", False))
        if "align" in block:
            par.alignment = ALIGN[block["align"]]

    def list_block(self, items: list[str], fmt: str, text: str) -> None:
        num_id = self.numbering.add(fmt, text)
        for item in items:
            par = self.doc.add_paragraph()
            write_text(par, str(item))
            set_list(par, num_id)

    # --- tables --------------------------------------------------------------------------
    def table(self, spec: dict[str, Any]) -> None:
        widths = [float(w) for w in spec["widths_cm"]]
        header = spec.get("header") or []
        rows = spec.get("rows") or []
        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        if spec.get("borders", "grid") == "none":
            remove_borders(table)
        for i, width in enumerate(widths):
            table.columns[i].width = Cm(width)
        for row_spec in header:
            self.row(table, widths, row_spec, header=True)
        for row_spec in rows:
            self.row(table, widths, row_spec, header=False)

    def row(self, table: Table, widths: list[float], spec: Any, header: bool) -> None:
        if isinstance(spec, dict) and "section" in spec:
            cells: list[Any] = [
                {
                    "p": spec["section"],
                    "span": len(widths),
                    "bold": spec.get("bold", False),
                    "italic": spec.get("italic", False),
                    "align": spec.get("align", "left"),
                }
            ]
        else:
            cells = list(spec)
        tr = table.add_row()
        if header:
            trpr = tr._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            trpr.append(el)
        # lay the row's cells onto the grid, merging for gridSpan
        col = 0
        for cell_spec in cells:
            cell_spec = cell_spec if isinstance(cell_spec, dict) else {"p": cell_spec}
            span = int(cell_spec.get("span", 1))
            if col + span > len(widths):
                raise ValueError(f"row overflows the grid: {spec!r}")
            cell = tr.cells[col]
            if span > 1:
                cell = cell.merge(tr.cells[col + span - 1])
            self.fill_cell(cell, cell_spec, header)
            col += span
        if col != len(widths):
            raise ValueError(f"row has {col} of {len(widths)} grid columns: {spec!r}")

    def fill_cell(self, cell: _Cell, spec: dict[str, Any], header: bool) -> None:
        vmerge = spec.get("vmerge")
        if vmerge:
            tcpr = cell._tc.get_or_add_tcPr()
            el = OxmlElement("w:vMerge")
            if vmerge == "start":
                el.set(qn("w:val"), "restart")
            elif vmerge != "continue":
                raise ValueError(f"vmerge must be start or continue: {vmerge!r}")
            tcpr.append(el)
            if vmerge == "continue":
                return
        bold = bool(spec.get("bold", header))
        italic = bool(spec.get("italic", False))
        paragraphs = self._paragraph_specs(spec)
        first = cell.paragraphs[0]
        num_id: int | None = None
        for i, (text, is_item) in enumerate(paragraphs):
            par = first if i == 0 else cell.add_paragraph()
            write_text(par, text, bold, italic)
            if is_item:
                if num_id is None:
                    num_id = self.numbering.add("bullet", "–")
                set_list(par, num_id)
            if "align" in spec:
                par.alignment = ALIGN[spec["align"]]
            elif header:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if spec.get("bookmark"):
            add_bookmark(first, str(spec["bookmark"]))

    @staticmethod
    def _paragraph_specs(spec: dict[str, Any]) -> list[tuple[str, bool]]:
        """(text, is_list_item) for every paragraph of a cell, in order."""
        out: list[tuple[str, bool]] = []
        p = spec.get("p", "")
        if isinstance(p, list):
            out += [(str(t), False) for t in p]
        else:
            out += [(t, False) for t in str(p).split("\n\n")]
        out += [(str(t), True) for t in spec.get("items", [])]
        out += [(str(t), False) for t in spec.get("after", [])]
        return out or [("", False)]


def pin_metadata(doc: Any) -> None:
    props = doc.core_properties
    fixed = dt.datetime(2024, 1, 1)
    props.created = fixed
    props.modified = fixed
    props.last_printed = fixed
    props.revision = 1


def repack(path: Path) -> None:
    """Rewrite the zip with fixed entry times and order, so equal documents give equal bytes."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def build(source: Path, out_dir: Path) -> Path:
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    doc = Builder(spec).build()
    pin_metadata(doc)
    target = out_dir / spec["output"]
    tmp = target.with_suffix(".tmp.docx")
    doc.save(str(tmp))
    repack(tmp)
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="source names (e.g. tula_2020-2021); default all")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default samples/)")
    args = parser.parse_args(argv)
    sources = sorted(SRC.glob("*.yaml"))
    if args.names:
        sources = [s for s in sources if s.stem in set(args.names)]
        if not sources:
            print("no such source", file=sys.stderr)
            return 2
    for source in sources:
        print(build(source, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
