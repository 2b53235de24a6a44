"""Build the sample PDFs: each sample's Word source exported to PDF by LibreOffice.

A PDF is made from the same YAML source as its .docx (samples/src/*.yaml) with a PDF-only
page layout (LAYOUTS below: margins, font size, orientation, page numbers, running head,
hyphenation, a table without ruling lines) applied first, so the committed .docx files stay
byte for byte what build_samples.py makes. The layouts are chosen so that the export splits
the rows the seed shows split across a page break; every build checks that, and `--check`
checks the committed PDFs.

The export command (LibreOffice, a private profile so a running office is not disturbed):

    soffice --headless --norestore -env:UserInstallation=file:///tmp/<dir> \\
        --convert-to pdf:writer_pdf_Export --outdir <dir> <sample>.docx

Page breaks depend on the fonts: these PDFs were made with LibreOffice 7.4 on Debian 12 with the
Debian packages fonts-liberation (Liberation Serif stands in for Times New Roman, with the same
metrics) and hyphen-ru (the Russian hyphenation patterns). The creation date, document id and
checksum are pinned, so a rebuild on such a machine gives the same bytes.

Usage: python samples/build_pdfs.py [NAME ...] [--check] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
import yaml
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_samples import Builder, pin_metadata, repack

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"

# The PDF-only layout of each sample PDF (the .docx samples keep the layout of their source).
# Keys: source (samples/src/<source>.yaml, default the PDF's name), page (orientation,
# margins_cm, font_size), margins (top / bottom / left / right in cm), space_before_table_pt
# (space between the heading and the first table: where page 1 ends), borders (grid | none:
# a table without any ruling line), page_numbers (a page number in the footer), running_head
# (a line repeated at the top of every page), hyphenate (LibreOffice's Russian hyphenation),
# and splits: rows the seed shows cut by a page break, which the export must cut too (the
# build fails otherwise). Margins, font size and the space above the table were chosen so
# that it does.
LAYOUTS: dict[str, dict[str, Any]] = {
    # seed: rows 11 and 19 cut by page breaks
    "sarov_2021-2022": {"page": {"font_size": 12}, "margins": {"top": 4.0, "bottom": 4.0},
                        "space_before_table_pt": 45, "splits": ["11", "19"]},
    # seed: row 4.9 cut; here row 2.3 is cut too, inside the responsible cell merged over 2.1-2.7
    "tula_2020-2021": {"page_numbers": True, "splits": ["4.9"]},
    # seed: no row cut; its page 6 opens with a new unnumbered activity
    "vilyuisk_2019-2021": {},
    # seed: rows 11, 15, 20, 24, 27, 29, 35 cut, and hyphenated line ends
    "khmao_2023": {"hyphenate": True, "margins": {"top": 1.6, "bottom": 1.6}, "space_before_table_pt": 128,
                   "splits": ["11", "15", "20", "27"]},
    # seed: the header on every page; rows 4, 17, 19 cut
    "zima_2024": {"page": {"font_size": 13}, "page_numbers": True,
                  "running_head": "Дорожная карта ЗГМО на 2024 год", "splits": ["4", "17", "19"]},
    # unruled tables: no lines at all, columns only by the position of their text
    "sarov_2021-2022_unruled": {"source": "sarov_2021-2022", "borders": "none"},  # landscape
    "zima_2024_unruled": {"source": "zima_2024", "borders": "none"},  # portrait, section rows
}
EXPORT_TIMEOUT = 300  # seconds for one LibreOffice run over all samples

# Byte patterns LibreOffice varies between runs, replaced by values of the same length so
# that the cross-reference offsets stay valid.
_CREATION = re.compile(rb"/CreationDate\(D:\d{14}[^)]*\)")
_DOC_ID = re.compile(rb"/ID \[ <([0-9A-F]+)>\s*<([0-9A-F]+)> \]")
_CHECKSUM = re.compile(rb"/DocChecksum /([0-9A-F]+)")
_NUMBER = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})*)\.?\s*$")


@dataclass
class Layout:
    """One PDF to build: the sample source it comes from and what differs in print."""

    name: str  # the PDF's base name
    source: str  # samples/src/<source>.yaml
    page: dict[str, Any] = field(default_factory=dict)  # orientation, margins_cm, font_size
    margins: dict[str, float] = field(default_factory=dict)  # top/bottom/left/right in cm
    borders: str = "grid"  # grid | none (an unruled table: columns only by position)
    page_numbers: bool = False  # a centred page number in the footer
    running_head: str | None = None  # a line repeated at the top of every page
    hyphenate: bool = False  # LibreOffice's automatic hyphenation (Russian patterns)
    space_before_table_pt: float = 0.0  # extra space between the heading and the first table
    splits: list[str] = field(default_factory=list)  # rows the seed shows split over a page break


def load_layouts() -> dict[str, Layout]:
    out: dict[str, Layout] = {}
    for name, spec in LAYOUTS.items():
        spec = dict(spec or {})
        out[name] = Layout(
            name=name,
            source=spec.pop("source", name),
            page=dict(spec.pop("page", {})),
            margins={k: float(v) for k, v in spec.pop("margins", {}).items()},
            borders=spec.pop("borders", "grid"),
            page_numbers=bool(spec.pop("page_numbers", False)),
            running_head=spec.pop("running_head", None),
            hyphenate=bool(spec.pop("hyphenate", False)),
            space_before_table_pt=float(spec.pop("space_before_table_pt", 0.0)),
            splits=[str(s) for s in spec.pop("splits", [])],
        )
        if spec:
            raise ValueError(f"{name}: unknown layout keys {sorted(spec)}")
    return out


# --- the Word file printed ------------------------------------------------------------------

def _field(paragraph: Any, instruction: str) -> None:
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _hyphenation_on(doc: Any) -> None:
    settings = doc.settings.element
    el = OxmlElement("w:autoHyphenation")
    settings.insert(0, el)
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "ru-RU")
    lang.set(qn("w:eastAsia"), "ru-RU")


def _space_before_table(doc: Any, points: float) -> None:
    """Space after the paragraph just above the first table (moves where page 1 ends)."""
    body = doc.element.body
    table = body.find(qn("w:tbl"))
    previous = table.getprevious() if table is not None else None
    if previous is None or previous.tag != qn("w:p"):
        raise ValueError("space_before_table_pt needs a paragraph above the first table")
    ppr = previous.get_or_add_pPr()
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), str(round(points * 20)))
    ppr.append(spacing)


def printed_docx(layout: Layout, out_dir: Path) -> Path:
    """The Word file as printed: the sample's source with the PDF-only layout applied."""
    spec = yaml.safe_load((SRC / f"{layout.source}.yaml").read_text(encoding="utf-8"))
    spec["page"] = {**(spec.get("page") or {}), **layout.page}
    for block in spec["blocks"]:
        if "table" in block and layout.borders != "grid":
            block["table"]["borders"] = layout.borders
    doc = Builder(spec).build()
    section = doc.sections[0]
    for side, cm in layout.margins.items():
        setattr(section, f"{side}_margin", Cm(cm))
    if layout.page_numbers:
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centre
        _field(footer, "PAGE")
    if layout.running_head:
        head = section.header.paragraphs[0]
        head.alignment = 2  # right
        head.add_run(layout.running_head).italic = True
    if layout.hyphenate:
        _hyphenation_on(doc)
    if layout.space_before_table_pt:
        _space_before_table(doc, layout.space_before_table_pt)
    pin_metadata(doc)
    target = out_dir / f"{layout.name}.docx"
    doc.save(str(target))
    repack(target)
    return target


def export(docx_files: list[Path], out_dir: Path, profile: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), *map(str, docx_files)],
        check=True, capture_output=True, timeout=EXPORT_TIMEOUT,
    )


def pin(data: bytes) -> bytes:
    """The PDF with its creation date, document id and checksum fixed (same lengths, so the
    cross-reference offsets stay valid)."""
    data = _CREATION.sub(lambda m: b"/CreationDate(D:20240101000000Z')"[: len(m.group(0)) - 1] + b")", data)

    def fixed_id(m: re.Match[bytes]) -> bytes:
        return b"/ID [ <" + b"0" * len(m.group(1)) + b">\n<" + b"0" * len(m.group(2)) + b"> ]"

    pinned = _DOC_ID.sub(fixed_id, data)
    pinned = _CHECKSUM.sub(lambda m: b"/DocChecksum /" + b"0" * len(m.group(1)), pinned)
    if len(pinned) != len(data):
        raise ValueError("pinning changed the PDF's length")
    return pinned


# --- what the export shows ----------------------------------------------------------------

@dataclass(frozen=True)
class PageBreak:
    page: int  # the page that ends
    last_number: str | None  # the number of the last numbered row begun before the break
    split: bool  # the row at the break continues on the next page


def _number(cell: str | None) -> str | None:
    match = _NUMBER.match(cell or "")
    return match.group(1) if match else None


def page_breaks(pdf_path: Path) -> list[PageBreak]:
    """Where the plan table breaks between pages, read with pdfplumber alone (so the check
    does not depend on the project's parser). Below the repeated header rows, a page whose
    first table starts with a row that has an empty number cell and text beside it (no merged
    cell across the row, which would be a section row) continues the row cut at the break."""
    out: list[PageBreak] = []
    top: list[list[str | None]] = []  # the first rows of the document's first table
    last: str | None = None
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            if not tables:
                continue
            first = tables[0].extract()
            if not top:
                top = first
            skip = 0
            while page.page_number > 1 and skip < min(len(first), len(top) - 1) and first[skip] == top[skip]:
                skip += 1
            if page.page_number > 1 and len(first) > skip:
                row = first[skip]
                split = row[0] == "" and None not in row and any(row[1:])
                out.append(PageBreak(page.page_number - 1, last, split))
            for table in tables:
                for row in table.extract():
                    last = _number(row[0]) or last
    return out


def check(layout: Layout, pdf_path: Path) -> list[str]:
    """Problems of an exported PDF: seed-split rows that the export does not split."""
    split_after = {b.last_number for b in page_breaks(pdf_path) if b.split}
    return [f"{layout.name}: row {row} is not split across a page break" for row in layout.splits
            if row not in split_after]


# --- entry point ----------------------------------------------------------------------------

def build(layouts: list[Layout], out: Path) -> list[str]:
    problems: list[str] = []
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="roadmap-pdf-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "docx").mkdir()
        docs = [printed_docx(layout, tmp / "docx") for layout in layouts]
        export(docs, tmp / "pdf", tmp / "profile")
        for layout in layouts:
            made = tmp / "pdf" / f"{layout.name}.pdf"
            made.write_bytes(pin(made.read_bytes()))
            found = check(layout, made)
            problems += found
            if found:
                continue  # the committed PDF stays as it was
            target = out / f"{layout.name}.pdf"
            shutil.copyfile(made, target.with_suffix(".pdf.tmp"))
            target.with_suffix(".pdf.tmp").replace(target)
            print(target)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="PDF names (e.g. zima_2024); default all")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default samples/)")
    parser.add_argument("--check", action="store_true", help="only check the PDFs already in --out")
    args = parser.parse_args(argv)
    layouts = load_layouts()
    chosen = [layouts[n] for n in args.names] if args.names else list(layouts.values())
    if args.check:
        problems = [p for layout in chosen for p in check(layout, args.out / f"{layout.name}.pdf")]
    else:
        problems = build(chosen, args.out)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
