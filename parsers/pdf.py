"""Text PDF to the layout model.

pdfplumber reads the glyphs (with their fonts and positions) and the ruling lines. Each page
gives its tables and the lines outside them; running heads, footers and page numbers are
dropped; then, knowing what the whole document looks like (its space width, whether it draws
the space at the end of a wrapped line), lines become paragraphs, also across page breaks.
Tables stay per page here, with page and boxes on every row and cell: stitching a table cut
by a page break, dropping its repeated header and re-joining a row cut in two are done by the
extractor (extractor/tables.py, extractor/rows.py), which sees the same layout model from any
paged source.

Which library reads what (measured by bench/bench_pdf.py on the sample PDFs, see the README):
- ruled tables: pdfplumber. Its cells come with their rectangles, so merged cells keep their
  spans, and its glyphs carry the font (bold / italic). camelot's lattice flavour finds the
  same grids but gives text only and takes many times longer a page, so it is not used.
- unruled tables (columns only by the position of their text): pdfplumber's words grouped by
  parsers/pdf_unruled.py. camelot's stream and network flavours cut every text line into a
  row of its own and lose the cells, so they are not used either.

Pages without a usable text layer (scans, or glyphs without a Unicode map, which pdfminer
writes as "(cid:NN)") are reported in warnings with their page; where the OCR parser
(parsers/scan.py) is installed and working, it reads those pages instead.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from lang.words import known
from parsers.errors import ExtractionError
from parsers.layout import Block, Document, Table
from parsers.ocr_settings import SETTINGS as OCR
from parsers.ocr_settings import OcrSettings
from parsers.pdf_tables import TableFound, TableSettings, ruled_tables
from parsers.pdf_text import Region, TextSettings, cid_count, continues, lines_of, paragraph_of
from parsers.pdf_unruled import UnruledSettings, unruled_tables
from parsers.text_model import Line, group_lines

if TYPE_CHECKING:
    from parsers.options import ParseOptions

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:(?:стр\.?|страница|page)\s*)?\d{1,4}(?:\s*(?:из|of|/)\s*\d{1,4})?[-–—\s]*$",
                          re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё]{3,}")
_SAMPLE_WORDS = 80
_WARNED_PAGE = re.compile(r"pages? (\d+)\b")


@dataclass(frozen=True)
class PdfSettings:
    text: TextSettings = field(default_factory=TextSettings)
    tables: TableSettings = field(default_factory=TableSettings)
    unruled: UnruledSettings = field(default_factory=UnruledSettings)
    running_zone: float = 0.1  # share of the page height at its top and bottom where running heads live
    running_tolerance: float = 6.0  # pt: a running line sits this close to the same place on every page
    min_running_pages: int = 2  # a line repeated (digits aside) on this many pages is a running head
    min_trailing_spaces: int = 3  # lines ending in a space glyph that show the producer draws them
    unreadable_share: float = 0.5  # a page whose glyphs are mostly "(cid:NN)" has no usable text
    scan_cover: float = 0.8  # an image covering this share of the page makes it a scan
    min_words: int = 10  # words (3+ Cyrillic letters) a page needs before its share of non-words counts
    min_known_share: float = 0.5  # a text layer with fewer dictionary words than this is garbage
    layer_margin: float = 0.05  # a scan's own text layer is kept only if its words beat OCR's by this


DEFAULT = PdfSettings()


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[Line]  # outside tables, top to bottom
    tables: list[TableFound]
    glyphs: int = 0
    unmapped: int = 0  # glyphs without a Unicode map
    images: int = 0
    scan: bool = False  # one image covers the page: its text, if any, is an OCR layer
    known_share: float = 1.0  # share of its Cyrillic words (3+ letters) in the dictionary
    space_ems: list[float] = field(default_factory=list)  # widths of the space glyphs, in ems


def parse_pdf(path: str | Path, settings: PdfSettings = DEFAULT, ocr: OcrSettings | None = OCR) -> Document:
    """Read a text PDF into the layout model (raises ExtractionError)."""
    pages = _read(Path(path), settings)
    warnings = [("no_unicode_map", f"страница {p.number}: {p.unmapped} знаков набраны шрифтами без таблицы "
                 "Unicode и читаются как (cid:NN); их текст потерян, если страницу не распознать")
                for p in pages if p.unmapped]
    if not any(p.glyphs or p.images for p in pages):
        raise ExtractionError("empty_document", "в PDF нет ни текста, ни изображений")
    unreadable = [p.number for p in pages
                  if (p.images and not p.glyphs) or p.unmapped > p.glyphs * settings.unreadable_share]
    layered = [p for p in pages if p.number not in unreadable
               and (p.scan or p.known_share < settings.min_known_share)]
    numbers = sorted(unreadable + [p.number for p in layered])
    ocr_blocks, ocr_warnings = _ocr(Path(path), numbers, ocr) if numbers else ({}, [])
    warnings += _keep_better_layers(layered, ocr_blocks, settings)
    ocr_warnings = [w for w in ocr_warnings if _warned_page(w[1]) in (None, *ocr_blocks)]
    if not ocr_blocks and not any(p.glyphs > p.unmapped for p in pages):
        raise ExtractionError("ocr_unavailable", "в PDF нет текстового слоя (это скан), а распознавание недоступно")
    pages = [p for p in pages if p.number not in ocr_blocks]
    _drop_page_numbers(pages, settings)
    text = measured(pages, settings)
    if not any(p.tables for p in pages):
        _find_unruled(pages, settings, text)
    _drop_running_lines(pages, settings)
    for page in pages:
        for found in page.tables:
            found.fill(text)
    blocks = _blocks(pages, ocr_blocks, text)
    fmt = "scan" if ocr_blocks and not pages else "pdf"
    return Document(blocks=blocks, format=fmt, pages=len(pages) + len(ocr_blocks), ocr=bool(ocr_blocks),
                    warnings=warnings + ocr_warnings)


def _read(path: Path, settings: PdfSettings) -> list[_Page]:
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise ExtractionError("encrypted_pdf", "PDF защищён паролем") from exc
        raise ExtractionError("corrupt_file", f"PDF повреждён и не читается: {cause}") from exc
    except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
        raise ExtractionError("corrupt_file", f"PDF повреждён и не читается: {exc}") from exc
    try:
        pages = []
        for page in _page_objects(pdf):
            pages.append(_read_page(page, settings))
            page.close()  # frees the page's cached objects
    except (PdfminerException, MalformedPDFException) as exc:
        raise ExtractionError("corrupt_file", f"PDF повреждён и не читается: {exc}") from exc
    finally:
        _close(pdf)
    return pages


def _page_objects(pdf: Any) -> list[Any]:
    """pdfplumber's pages, built all at once: a page box of the wrong length or type fails here
    with a plain Python error (found by bench/fuzz.py, seed 15)."""
    try:
        return list(pdf.pages)
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise ExtractionError("corrupt_file", f"PDF повреждён и не читается: страница: {exc!r}") from exc


def _close(pdf: Any) -> None:
    # closing walks the page tree again, so a damaged one fails there too: what failed is
    # already reported, and the file itself is closed either way
    try:
        pdf.close()
    except Exception:
        if not pdf.stream_is_external:
            pdf.stream.close()


def _read_page(page: Any, settings: PdfSettings) -> _Page:
    chars = page.chars
    tables = ruled_tables(page, settings.tables, settings.text)
    taken = {id(c) for t in tables for c in t.chars}
    free = [c for c in chars if id(c) not in taken]
    lines = lines_of(free, page.page_number, settings.text)
    spaces = [c["width"] / c["size"] for c in chars if c["text"] == " " and c["size"] > 0]
    area = float(page.width) * float(page.height)
    cover = max([(i["x1"] - i["x0"]) * (i["bottom"] - i["top"]) / area for i in page.images if area > 0], default=0.0)
    words = [w.text for line in [*lines, *(x for t in tables for x in t.lines)] for w in line.words]
    return _Page(page.page_number, float(page.width), float(page.height), lines, tables,
                 glyphs=sum(1 for c in chars if c["text"].strip()), unmapped=cid_count(chars),
                 images=len(page.images), scan=cover >= settings.scan_cover,
                 known_share=known_share(words, settings.min_words), space_ems=spaces)


def known_share(words: list[str], min_words: int) -> float:
    """Share of the Cyrillic words (3+ letters) that the dictionary knows; 1 with too few to
    judge. Latin words are left out: the dictionary is Russian."""
    found = [w for text in words for w in _CYRILLIC_WORD.findall(text)]
    if len(found) < min_words:
        return 1.0
    sample = found[::max(1, len(found) // _SAMPLE_WORDS)]  # enough to judge, cheap on long pages
    return sum(1 for w in sample if known(w)) / len(sample)


def _keep_better_layers(layered: list[_Page], ocr: dict[int, list[Block]],
                        settings: PdfSettings) -> list[tuple[str, str]]:
    """Scanned pages whose text layer OCR replaced (warned), or the layer kept where its words
    beat ours (its page dropped from `ocr`): a good layer is kept, a layer of garbage is not,
    nor one without the table OCR found in the image (an OCR layer keeps words, not rules)."""
    out: list[tuple[str, str]] = []
    for page in layered:
        if page.number not in ocr:
            continue  # OCR unavailable: the layer is all there is
        ours = known_share(_block_words(ocr[page.number]), settings.min_words)
        structure = any(isinstance(b, Table) for b in ocr[page.number]) and not page.tables
        if page.scan and not structure and page.known_share >= settings.min_known_share \
                and page.known_share > ours + settings.layer_margin:
            del ocr[page.number]
            continue
        why = "скан с текстовым слоем" if page.scan else "текстовый слой почти без слов"
        out.append(("text_layer_replaced", f"страница {page.number}: {why}; прочитана распознаванием "
                    f"(слов из словаря: в слое {page.known_share:.0%}, в распознанном {ours:.0%})"))
    return out


def _warned_page(message: str) -> int | None:
    found = _WARNED_PAGE.match(message)
    return int(found.group(1)) if found else None


def _block_words(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            out += [w for cell in block.cells for w in cell.text.split()]
        else:
            out += block.text.split()
    return out


def measured(pages: list[_Page], settings: PdfSettings) -> TextSettings:
    """The text settings with what this document shows: the width of its space glyph and
    whether it draws a space at the end of a line broken at a space."""
    ems = [e for p in pages for e in p.space_ems]
    lines = [line for p in pages for line in p.lines] + [line for p in pages for t in p.tables for line in t.lines]
    trailing = sum(1 for line in lines if line.trailing_space)
    return replace(settings.text,
                   space_em=statistics.median(ems) if ems else settings.text.space_em,
                   trailing_spaces=trailing >= settings.min_trailing_spaces)


def _ocr(path: Path, numbers: list[int], settings: OcrSettings | None,
         ) -> tuple[dict[int, list[Block]], list[tuple[str, str]]]:
    """The pages OCR reads in place of their text layer; none where OCR is not available or is
    off (`settings` None)."""
    if settings is None:
        return {}, [("ocr_unavailable", f"страницы {', '.join(map(str, numbers))} нужно распознавать, "
                     "а распознавание (OCR) выключено настройками")]
    try:
        from parsers.scan import ocr_pdf_pages
    except ImportError:
        return {}, []
    try:
        read = ocr_pdf_pages(path, numbers, settings)
    except ExtractionError as exc:
        if exc.code == "too_large":  # a page past the bounds is the file's error, not a missing OCR
            raise
        return {}, [("ocr_unavailable", f"страницы {', '.join(map(str, numbers))} нужно распознавать: {exc.message}")]
    return {p.page: p.blocks for p in read}, [w for p in read for w in p.warnings]


def _find_unruled(pages: list[_Page], settings: PdfSettings, text: TextSettings) -> None:
    """Tables without ruling lines, on the pages that have no ruled one."""
    plain = {p.number: p.lines for p in pages if not p.tables}
    found = unruled_tables(plain, settings.unruled, text)
    for page in pages:
        if page.number in found:
            page.tables, page.lines = found[page.number]


# --- running heads, footers, page numbers ---------------------------------------------------

def _zone_lines(page: _Page, settings: PdfSettings) -> list[Line]:
    """Lines in the page's top or bottom band with no table between them and the edge."""
    top_limit = min([page.height * settings.running_zone, *(t.bbox[1] for t in page.tables)])
    bottom_limit = max([page.height * (1 - settings.running_zone), *(t.bbox[3] for t in page.tables)])
    return [line for line in page.lines if line.bottom <= top_limit or line.top >= bottom_limit]


def _running_key(line: Line, settings: PdfSettings) -> tuple[str, int]:
    return _DIGITS.sub("#", line.text.strip().lower()), round(line.top / settings.running_tolerance)


def _drop_page_numbers(pages: list[_Page], settings: PdfSettings) -> None:
    for page in pages:
        zone = {id(line) for line in _zone_lines(page, settings) if _PAGE_NUMBER.match(line.text)}
        page.lines = [line for line in page.lines if id(line) not in zone]


def _body_margins(pages: list[_Page]) -> tuple[float, float] | None:
    """How far from the page's top and bottom edges the body reaches: as far as a table does
    (a table going on over pages fills them from margin to margin). None without tables."""
    tables = [(t.bbox[1], p.height - t.bbox[3]) for p in pages for t in p.tables]
    if not tables:
        return None
    return min(top for top, _ in tables), min(bottom for _, bottom in tables)


def _in_margin(line: Line, page: _Page, body: tuple[float, float] | None, settings: PdfSettings) -> bool:
    """The line stands above or below the body, where running heads and footers are."""
    if body is None:
        return True
    tol = settings.running_tolerance
    return line.bottom <= body[0] + tol or page.height - line.top <= body[1] + tol


def _drop_running_lines(pages: list[_Page], settings: PdfSettings) -> None:
    """Lines repeated (digits aside) at one place on several pages, outside tables and in the
    page's margin: a heading repeated at the top of the body (each part of a plan opening a
    page with the same caption) is text."""
    body = _body_margins(pages)
    zone = {p.number: [line for line in _zone_lines(p, settings) if _in_margin(line, p, body, settings)]
            for p in pages}
    seen: Counter[tuple[str, int]] = Counter()
    for page in pages:
        seen.update({_running_key(line, settings) for line in zone[page.number]})
    for page in pages:
        drop = {id(line) for line in zone[page.number]
                if seen[_running_key(line, settings)] >= settings.min_running_pages}
        page.lines = [line for line in page.lines if id(line) not in drop]


# --- the page flow ------------------------------------------------------------------------

def _text_area(pages: list[_Page]) -> tuple[float, dict[int, float]]:
    """Left edge of the text (its leftmost line, in a table or not) and each page's right
    edge (its rightmost line, or the left margin mirrored where nothing reaches further)."""
    left = min((line.x0 for p in pages for line in [*p.lines, *(x for t in p.tables for x in t.lines)]), default=0.0)
    right: dict[int, float] = {}
    for page in pages:
        ends = [line.x1 for line in [*page.lines, *(x for t in page.tables for x in t.lines)]]
        right[page.number] = max([*ends, page.width - left])
    return left, right


def _blocks(pages: list[_Page], ocr: dict[int, list[Block]], text: TextSettings) -> list[Block]:
    """Paragraphs and tables in reading order; a paragraph may run on over a page break."""
    left, right = _text_area(pages)
    blocks: list[Block] = []
    pending: list[Line] = []

    def flush() -> None:
        for group in _groups(pending, left, right, text):
            blocks.append(paragraph_of(group, Region(left, right[group[0].page]), text))
        pending.clear()

    by_number = {p.number: p for p in pages}
    for number in sorted({*by_number, *ocr}):
        if number in ocr:
            flush()
            blocks += ocr[number]
            continue
        page = by_number[number]
        items: list[tuple[float, Line | TableFound]] = [(line.top, line) for line in page.lines]
        items += [(t.bbox[1], t) for t in page.tables]
        for _, item in sorted(items, key=lambda pair: pair[0]):
            if isinstance(item, Line):
                pending.append(item)
            else:
                flush()
                blocks.append(item.table)
    flush()
    return blocks


def _groups(lines: list[Line], left: float, right: dict[int, float], text: TextSettings) -> list[list[Line]]:
    """Lines to paragraphs, each line measured against its own page's text area."""
    return group_lines(lines, lambda prev, line: continues(prev, line, Region(left, right[prev.page]), text))


# The parser interface (parsers.Parser): the detected formats this module reads, and the reader.
FORMATS = frozenset({"pdf"})


def read(path: Path, kind: str, options: ParseOptions) -> Document:
    return parse_pdf(path, options.pdf, options.ocr_settings if options.ocr else None)


__all__ = ["DEFAULT", "FORMATS", "PdfSettings", "parse_pdf", "read"]
