"""Scans and photos to the layout model: images (PNG, JPEG, TIFF with all its pages) and, for
the PDF parser, PDF pages without a usable text layer.

Each page: rasterized or resampled to 300 dpi -> light flattened -> turned upright (Tesseract
OSD, 90/180/270 degrees) -> deskewed (sharpest row profile) -> perspective undone (the outline
of the largest ruled table made a rectangle) -> ruled tables found from their rules
(parsers/ocr_grid.py) and every cell read alone with Tesseract (rus+eng); short cells
("1.", "2.3") that the block reading misses or doubts are read again as one line -> the text
around the tables read with automatic layout; a page without rules gets its table from text
positions -> paragraphs, joins and vocabulary repairs (parsers/ocr_text.py). Pages run in
parallel threads where cores are idle. Positions are in points (1/72 inch) of the straightened page, top-left origin.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from parsers.layout import BBox, Block, Cell, Document, ListInfo, Paragraph, Row, Table, TextStyle
from parsers.ocr_engine import PSM_AUTO, PSM_BLOCK, PSM_LINE, Engine, borrowed, check_available, ocr_word
from parsers.ocr_grid import GridCell, GridTable, cell_ink, crop_ink, ruled_tables
from parsers.ocr_image import (
    clean_page,
    densest_tile,
    flatten_light,
    frame_quad,
    image_frames,
    ink_mask,
    lines_across,
    pdf_page_images,
    perspective_fix,
    remove_specks,
    resample,
    rotate,
    skew_angle,
    turn,
    warp,
    working_dpi,
)
from parsers.ocr_settings import SETTINGS, OcrSettings, at_dpi, unruled_settings
from parsers.ocr_text import (
    TextPara,
    clean_lines,
    ink_terms,
    opens_bullet,
    paragraphs,
    sort_lines,
    stroke_of,
    stroke_width,
    word_space,
    wraps,
)
from parsers.text_model import Box, Line, Region, Word
from parsers.unruled import Measures, UnruledTable
from parsers.unruled import unruled_tables as find_unruled

if TYPE_CHECKING:
    from parsers.options import ParseOptions

LOW_CONFIDENCE = "ocr_low_confidence"
NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVX]{1,5}\.?)$")  # an item number as printed
LOOSE_NUMBER = re.compile(r"^[\dIVXl|$]{1,3}(?:[.,;:][\dIVXl|]{0,3})*[.,;:]?$")  # one misread
NUMBER_CHARS = "0123456789.IVX"


@dataclass
class OcrPage:
    """What OCR read on one page."""

    page: int  # 1-based
    width: float  # points, of the page as straightened (turned pages swap width and height)
    height: float
    blocks: list[Block] = field(default_factory=list)  # paragraphs and tables, top to bottom
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    turned: int = 0  # degrees the page was turned to stand upright
    skew: float = 0.0  # degrees it was straightened by
    # a page without ruled tables: its text, laid out once every page is read (settle_open_pages),
    # so that an unruled table gets the same columns on every page, as in a PDF
    open: OpenText | None = None


@dataclass
class OpenText:
    """The lines of a page without ruled tables, kept to be laid out with the other pages'."""

    lines: list[Line]  # top to bottom, in pixels at `dpi`
    dpi: int
    strokes: dict[Box, tuple[int, int]]  # word box -> (ink area, outline length): bold without the image


# --- entry points -------------------------------------------------------------------------

def parse_image(path: str | Path, settings: OcrSettings = SETTINGS) -> Document:
    """An image file (PNG, JPEG, TIFF; every page of a multi-page TIFF) as a Document with
    format "image" and ocr=True."""
    check_available(settings)
    frames = (resample(gray, dpi, settings) for gray, dpi in image_frames(Path(path), settings))
    pages = read_pages(frames, None, settings)
    return Document(blocks=[b for p in pages for b in p.blocks], format="image", pages=len(pages), ocr=True,
                    warnings=[w for p in pages for w in p.warnings])


def ocr_pdf_pages(path: str | Path, pages: list[int], settings: OcrSettings = SETTINGS) -> list[OcrPage]:
    """OCR of the given pages of a PDF, for pages without a usable text layer.

    Contract: `pages` are 1-based page numbers; the result has one OcrPage per requested page,
    in the same order. `OcrPage.blocks` are layout-model Paragraphs and Tables in reading order
    (top to bottom), each with `page` set to that page number; tables are one `Table` per ruled
    (or unruled) table of the page, cells with row/column spans, covered positions absent,
    empty cells present with no text; `bbox` of paragraphs, cells and rows are in points with
    the origin at the top left of the page as straightened (same scale as pdfplumber's
    `x0, top, x1, bottom`; after a 90 degree turn width and height are swapped, see
    `OcrPage.width/height/turned`). Text is repaired only against the vocabularies; cells and
    paragraphs read with low confidence give `("ocr_low_confidence", message)` in
    `OcrPage.warnings` naming page, table, row and column. The caller sets Document.ocr=True.
    Raises ExtractionError("ocr_unavailable") without Tesseract or its Russian data, and
    ExtractionError("corrupt_file") when the PDF cannot be rendered. Pages run in parallel
    (OcrSettings.workers threads).
    """
    check_available(settings)
    return read_pages(pdf_page_images(Path(path), pages, settings), pages, settings)


def page_threads(settings: OcrSettings) -> int:
    """How many pages of one document to read at once: settings.workers at most, and only on
    cores left idle. A process of a pool (the batch's and the service's workers) reads its
    pages one by one: its sibling processes already fill the cores with other documents."""
    if settings.workers <= 1 or multiprocessing.parent_process() is not None:
        return 1
    cores = len(os.sched_getaffinity(0))
    idle = cores - os.getloadavg()[0]  # runnable processes, averaged over the last minute
    return max(1, min(settings.workers, cores, int(idle + 0.5)))


def read_pages(images: Iterable[np.ndarray], numbers: Sequence[int] | None,
               settings: OcrSettings = SETTINGS) -> list[OcrPage]:
    """Page images at settings.dpi (numbered 1, 2, … when `numbers` is None), results in input
    order; in parallel threads where cores are idle (page_threads). Images are taken from the
    iterable only as threads free up, so at most that many pages are in memory however many
    the document has."""
    numbered = zip(images, numbers if numbers is not None else count(1), strict=numbers is not None)
    threads = page_threads(settings)
    out: list[OcrPage] = []
    if threads <= 1:
        out = [_read_one(img, n, settings) for img, n in numbered]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            running: deque[Future[OcrPage]] = deque()
            for img, n in numbered:
                if len(running) >= threads:
                    out.append(running.popleft().result())
                running.append(pool.submit(_read_one, img, n, settings))
            out += [job.result() for job in running]
    settle_open_pages(out, settings)
    return out


# --- one page -----------------------------------------------------------------------------

@dataclass
class _Prepared:
    """A page ready to read: straight, even light, specks removed, its ruled tables found."""

    flat: np.ndarray
    ink: np.ndarray
    tables: list[GridTable]
    rules: np.ndarray
    turned: int
    skew: float


def orientation(flat: np.ndarray, ocr: Engine, settings: OcrSettings) -> int:
    """Degrees the page is turned by (0, 90, 180, 270), from Tesseract's OSD."""
    degrees, confidence = ocr.orientation(densest_tile(flat, settings))
    return degrees if degrees in (90, 180, 270) and confidence >= settings.osd_min_confidence else 0


def prepare(flat: np.ndarray, turned: int, settings: OcrSettings) -> _Prepared:
    """A page with even light turned by `turned` degrees: deskewed, perspective undone, specks
    removed, tables found."""
    if turned:
        flat = turn(flat, turned)
    angle = skew_angle(ink_mask(flat, settings), settings)
    flat = rotate(flat, angle)
    flat, ink = remove_specks(flat, ink_mask(flat, settings), settings)
    tables, rules = ruled_tables(ink, settings)
    if tables:
        largest = max(tables, key=lambda t: (t.box[2] - t.box[0]) * (t.box[3] - t.box[1]))
        x0, y0, x1, y1 = largest.box
        web = np.zeros_like(rules)
        web[y0:y1, x0:x1] = rules[y0:y1, x0:x1]
        frame = frame_quad(web)
        matrix = perspective_fix(frame, settings) if frame is not None else None
        if matrix is not None:
            flat = warp(flat, matrix)
            flat, ink = remove_specks(flat, ink_mask(flat, settings), settings)
            tables, rules = ruled_tables(ink, settings)
    return _Prepared(flat, ink, tables, rules, turned, angle)


def read_page(gray: np.ndarray, number: int, settings: OcrSettings = SETTINGS) -> OcrPage:
    """One page image (grey, at settings.dpi) to blocks, as a document of its own."""
    page = _read_one(gray, number, settings)
    settle_open_pages([page], settings)
    return page


def _read_one(gray: np.ndarray, number: int, settings: OcrSettings) -> OcrPage:
    """One page image to blocks; a page without ruled tables keeps its text open (OcrPage.open)."""
    dpi = working_dpi(gray, settings)
    if dpi != settings.dpi:
        factor = dpi / settings.dpi
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        settings = at_dpi(settings, dpi)
    with borrowed(settings) as ocr:
        flat = flatten_light(gray, settings)
        if not lines_across(ink_mask(flat, settings), settings):  # text runs up or down the page
            return _read_page(flat, number, orientation(flat, ocr, settings), ocr, settings)
        # most pages stand upright, and a page read well is upright: OSD (a tenth of a page's
        # reading) only for a page read with doubt, and the page read again if it is turned
        page = _read_page(flat, number, 0, ocr, settings)
        if not ocr.confidences or np.mean(ocr.confidences) >= settings.upright_confidence:  # this page's words
            return page
        degrees = orientation(flat, ocr, settings)
        return _read_page(flat, number, degrees, ocr, settings) if degrees else page


def _read_page(flat: np.ndarray, number: int, turned: int, ocr: Engine, settings: OcrSettings) -> OcrPage:
    prepared = prepare(flat, turned, settings)
    flat, ink, tables, rules = prepared.flat, prepared.ink, prepared.tables, prepared.rules
    turned, angle = prepared.turned, prepared.skew
    scale = 72.0 / settings.dpi
    page = OcrPage(page=number, width=flat.shape[1] * scale, height=flat.shape[0] * scale, turned=turned,
                   skew=angle)
    clean = clean_page(flat, ink)
    free = clean.copy()
    for table in tables:
        x0, y0, x1, y1 = table.box
        free[y0:y1, x0:x1] = 255
    lines = with_blank_fields(_page_lines(free, ink, ocr, settings), rules, tables, settings)
    placed: list[tuple[float, Block]] = []
    if not tables:
        found, _ = unruled_table(lines, settings)  # this page's own columns: where to look for missed text
        if found is not None:  # read again with what the page pass missed inside the table
            lines = recover_missed(lines, ink, clean, _unruled_box(found, settings), ocr, settings)
        page.open = OpenText(lines, settings.dpi, _word_strokes(lines, ink))
        return page
    content = _content_limits(lines, tables, flat.shape[1])
    body_stroke = _body_stroke(ink, tables, lines, settings)
    for t_index, table in enumerate(tables):
        placed.append((table.box[1], _ruled_to_layout(table, clean, ink, ocr, number, t_index, scale, settings,
                                                      body_stroke, page)))
    placed += _text_blocks(lines, content, partial(_ink_stroke, ink), body_stroke, page, scale, settings)
    placed.sort(key=lambda item: item[0])
    page.blocks = [block for _, block in placed]
    return page


def _text_blocks(lines: list[Line], content: tuple[float, float], stroke: Callable[[TextPara], float],
                 body_stroke: float, page: OcrPage, scale: float, settings: OcrSettings) -> list[tuple[float, Block]]:
    """The paragraphs of the text outside the tables, each with its top."""
    placed: list[tuple[float, Block]] = []
    number = page.page
    for para in paragraphs(lines, content[0], content[1], settings) if lines else []:
        if not para.text.strip():
            continue
        bold = stroke(para) >= settings.bold_stroke_ratio * body_stroke
        placed.append((para.box[1], Paragraph(
            text=para.text, style=TextStyle(bold=bold), align=para.align,
            list=ListInfo(ordered=False) if para.bullet else None, page=number, bbox=_points(para.box, scale))))
        if para.confidence < settings.low_confidence:
            page.warnings.append((LOW_CONFIDENCE, f"страница {number}, абзац «{_short(para.text)}»: "
                                  f"распознан с уверенностью {para.confidence:.0f} %"))
    return placed


def _page_lines(free: np.ndarray, ink: np.ndarray, ocr: Engine, settings: OcrSettings) -> list[Line]:
    """Lines of the text outside the tables."""
    dark = (free < 128).astype(np.uint8)
    if cv2.countNonZero(dark) < settings.min_ink_pixels:
        return []
    # only the box the text is in: Tesseract's layout analysis of the white rest of the page
    # (a title above a table that fills the page) costs as much as reading the text
    x, y, w, h = cv2.boundingRect(dark)
    margin = 3 * settings.crop_pad_px
    x0, y0 = max(x - margin, 0), max(y - margin, 0)
    crop = free[y0:y + h + margin, x0:x + w + margin]
    read = clean_lines(_offset(ocr.read(crop, PSM_AUTO), x0, y0), settings)
    return [_without_edge_junk(line, settings) for line in read]


def _without_edge_junk(line: Line, settings: OcrSettings) -> Line:
    """The line without a run of words at either end that Tesseract all but gave up on and that
    stands well apart from the rest: a signature or stamp beside a heading («Oy yod …
    СОГЛАШЕНИЕ», confidence 0, a third of the page away)."""
    words = list(line.words)
    unsure = [w.conf <= settings.junk_confidence for w in words]
    first = next((k for k, u in enumerate(unsure) if not u), len(words))
    if 0 < first < len(words) and words[first].x0 - words[first - 1].x1 >= settings.junk_gap_px:
        words, unsure = words[first:], unsure[first:]
    last = next((k for k in range(len(words) - 1, -1, -1) if not unsure[k]), -1)
    if 0 <= last < len(words) - 1 and words[last + 1].x0 - words[last].x1 >= settings.junk_gap_px:
        words = words[:last + 1]
    return line if len(words) == len(line.words) else Line(words=words, block=line.block)


def with_blank_fields(lines: list[Line], rules: np.ndarray, tables: list[GridTable],
                      settings: OcrSettings) -> list[Line]:
    """Blanks to fill in ("от _____ № _____") put back as underscores: Tesseract does not read
    them, and the rule finder sees them as short rules outside any table."""
    mask = rules.copy()
    for table in tables:
        x0, y0, x1, y1 = table.box
        mask[y0:y1, x0:x1] = 0
    out = [Line(words=list(ln.words), block=ln.block) for ln in lines]
    bx, by, bw, bh = cv2.boundingRect(mask)  # the rules outside the tables only: most pages have few
    if bw == 0 or bh == 0:
        return sort_lines(out, settings)
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask[by:by + bh, bx:bx + bw], connectivity=8)
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in stats[i])
        x, y = x + bx, y + by
        if h > settings.blank_max_height_px or w > settings.blank_max_width_px:
            continue
        centre = y + h / 2
        if any(_covers(word.box, x, x + w, centre) for ln in out for word in ln.words):
            continue  # the tops and bars of big bold capitals («ПОКАЗАТЕЛЕЙ»), not a blank
        blank = ocr_word("_" * max(3, round(w / settings.underscore_px)), 100.0, (x, y, x + w, y + h))
        home = next((ln for ln in out if ln.box[1] <= centre <= ln.box[3] + (ln.box[3] - ln.box[1]) * 0.5), None)
        if home is not None:  # a blank stands in a line of text; a lone long line is an edge or a rule
            home.words = sorted([*home.words, blank], key=lambda wd: wd.box[0])
    return sort_lines(out, settings)


def _covers(box: Box, x0: int, x1: int, y: float) -> bool:
    """Whether a word's box holds most of a horizontal stroke from x0 to x1 at height y."""
    return box[1] <= y <= box[3] and min(box[2], x1) - max(box[0], x0) >= 0.5 * (x1 - x0)


def recover_missed(lines: list[Line], ink: np.ndarray, clean: np.ndarray, region: tuple[int, int, int, int],
                   ocr: Engine, settings: OcrSettings) -> list[Line]:
    """Text in `region` that no word of the page pass covers (short isolated items such as the
    "2." of a number column, which a whole-page reading often drops) read one piece at a time
    as a single line, and put into the line at its height."""
    x0, y0, x1, y1 = region
    left = ink[y0:y1, x0:x1].copy()
    if left.size == 0:  # a region outside the page (a damaged file's odd geometry) holds nothing
        return lines
    for line in lines:
        for word in line.words:
            wx0, wy0, wx1, wy1 = word.box
            left[max(wy0 - y0 - 3, 0):max(wy1 - y0 + 3, 0), max(wx0 - x0 - 3, 0):max(wx1 - x0 + 3, 0)] = 0
    blobs = cv2.dilate(left, cv2.getStructuringElement(cv2.MORPH_RECT, (settings.missed_join_px, 3)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(blobs, connectivity=8)
    heights = [ln.box[3] - ln.box[1] for ln in lines]
    height = float(np.median(heights)) if heights else 40.0
    out = [Line(words=list(ln.words), block=ln.block) for ln in lines]
    for i in range(1, n):
        bx, by, bw, bh, area = (int(v) for v in stats[i])
        if area < settings.min_ink_pixels * 4 or not 0.4 * height <= bh <= 1.6 * height:
            continue
        ink_part = left[by:by + bh, bx:bx + bw]
        found = crop_ink(clean, ink_part, (x0 + bx, y0 + by), settings)
        if found is None:
            continue
        crop, origin = found
        read = clean_lines(_offset(ocr.read(crop, PSM_LINE), *origin), settings)
        words = [w for ln in read for w in ln.words]
        if not words:
            continue
        centre = y0 + by + bh / 2
        home = next((ln for ln in out if ln.box[1] <= centre <= ln.box[3]), None)
        if home is None:
            out.append(Line(words=words))
        else:
            home.words = sorted([*home.words, *words], key=lambda w: w.box[0])
    return sort_lines(out, settings)


def _content_limits(lines: list[Line], tables: list[GridTable], width: int) -> tuple[float, float]:
    """Left and right edges of the text area: as far as the tables and the text reach (a Word
    table sticks out of the margins by its cell padding; right-aligned lines reach the margin)."""
    lefts = [float(t.box[0]) for t in tables] + [float(ln.box[0]) for ln in lines]
    rights = [float(t.box[2]) for t in tables] + [float(ln.box[2]) for ln in lines]
    if not lefts:
        return 0.0, float(width)
    return min(lefts), max(rights)


def _ink_stroke(ink: np.ndarray, para: TextPara) -> float:
    return stroke_width(_region(ink, para.box))


def _region(ink: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = (int(v) for v in box)  # OCR boxes are whole pixels
    return ink[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]


def _body_stroke(ink: np.ndarray, tables: list[GridTable], lines: list[Line], settings: OcrSettings) -> float:
    """Stroke width of the page's ordinary text: the median over table cells, else lines."""
    widths = []
    for table in tables:
        for cell in table.cells:
            x0, y0, x1, y1 = cell.box
            inset = 3 * settings.cell_inset_px
            region = ink[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
            if np.count_nonzero(region) > 8 * settings.min_ink_pixels:
                widths.append(stroke_width(region))
    if not widths:
        widths = [stroke_width(_region(ink, ln.box)) for ln in lines]
    widths = [w for w in widths if w > 0]
    return float(np.median(widths)) if widths else 1.0


def _points(box: tuple[int, int, int, int] | tuple[float, float, float, float], scale: float) -> BBox:
    return (round(box[0] * scale, 2), round(box[1] * scale, 2), round(box[2] * scale, 2), round(box[3] * scale, 2))


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


# --- ruled tables -------------------------------------------------------------------------

def _offset(lines: list[Line], dx: int, dy: int) -> list[Line]:
    return [Line(words=[ocr_word(w.text, w.conf, (w.box[0] + dx, w.box[1] + dy, w.box[2] + dx, w.box[3] + dy))
                        for w in ln.words], block=ln.block) for ln in lines]


def _mean_conf(lines: list[Line]) -> float:
    words = [w for ln in lines for w in ln.words]
    return sum(w.conf for w in words) / len(words) if words else 0.0


@dataclass
class _CellRead:
    cell: GridCell
    lines: list[Line]
    confidence: float
    crop: np.ndarray | None = None  # the cell's ink with a margin, kept for a second reading
    origin: tuple[int, int] = (0, 0)


def read_cell(clean: np.ndarray, ink: np.ndarray, table: GridTable, cell: GridCell, ocr: Engine,
              settings: OcrSettings) -> _CellRead:
    """A cell's lines: read as a block; a short one-line cell the block reading misses or
    doubts is read again as a single line, and the more confident reading kept."""
    region = cell_ink(ink, table, cell, settings)
    found = crop_ink(clean, region, (cell.box[0], cell.box[1]), settings)
    if found is None:
        return _CellRead(cell, [], 100.0)
    crop, origin = found
    lines = clean_lines(_offset(ocr.read(crop, PSM_BLOCK), *origin), settings)
    pad = settings.crop_pad_px
    ink_h, ink_w = crop.shape[0] - 2 * pad, crop.shape[1] - 2 * pad
    short = len(lines) <= 1 and ink_w <= settings.short_cell_max_width * ink_h
    if short and _mean_conf(lines) < settings.reread_confidence:
        again = clean_lines(_offset(ocr.read(crop, PSM_LINE), *origin), settings)
        if again and _mean_conf(again) > _mean_conf(lines):
            lines = again
    return _CellRead(cell, lines, _mean_conf(lines) if lines else 0.0, crop if short else None, origin)


def _number_columns(reads: list[_CellRead], settings: OcrSettings) -> set[int]:
    """Columns whose body cells mostly hold item numbers ("1.", "2.3", "IV")."""
    counts: dict[int, list[bool]] = {}
    for read in reads:
        if read.cell.row == 0 or read.cell.col_span > 1 or not read.lines:
            continue
        text = " ".join(ln.text for ln in read.lines)
        counts.setdefault(read.cell.col, []).append(bool(LOOSE_NUMBER.match(text)))
    return {col for col, flags in counts.items()
            if len(flags) >= 2 and sum(flags) / len(flags) >= settings.number_column_share}


def _reread_numbers(reads: list[_CellRead], ocr: Engine, settings: OcrSettings) -> None:
    """Cells of a number column that did not come out as a number are read again as one line
    of digits, dots and Roman numerals."""
    columns = _number_columns(reads, settings)
    for read in reads:
        if read.cell.col not in columns or read.crop is None or read.cell.row == 0:
            continue
        text = " ".join(ln.text for ln in read.lines)
        if NUMBER.match(text):
            continue
        again = clean_lines(_offset(ocr.read(read.crop, PSM_LINE, whitelist=NUMBER_CHARS), *read.origin), settings)
        if again and NUMBER.match(" ".join(ln.text for ln in again)):
            read.lines, read.confidence = again, _mean_conf(again)


_ITEM = re.compile(r"^(\d{1,3})\.?$")


def _part(cell: GridCell, lines: list[Line]) -> _CellRead:
    """A piece of a cell's reading: some of its lines under a cell of their own."""
    return _CellRead(cell, lines, _mean_conf(lines) if lines else 100.0)


def _stacked_items(read: _CellRead) -> list[float]:
    """Where a number cell holding several consecutive item numbers one under another
    («25.» over «26.») is to be cut: above each number after the first. Empty otherwise."""
    lines = sorted(read.lines, key=lambda ln: ln.box[1])
    found = [_ITEM.match(ln.text.strip()) for ln in lines]
    if len(lines) < 2 or not all(found):
        return []
    numbers = [int(m.group(1)) for m in found if m is not None]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return []
    return [ln.box[1] - 0.3 * (ln.box[3] - ln.box[1]) for ln in lines[1:]]


def _middle(line: Line) -> float:
    """A line's height on the page: the middle of its longest word (specks of a faint rule read
    into the line as «а а ае» stretch its box)."""
    if not line.words:
        return float(line.box[1])
    word = max(line.words, key=lambda w: len(w.text))
    return (word.top + word.bottom) / 2


def split_stacked_rows(table: GridTable, reads: list[_CellRead], columns: set[int]) -> list[_CellRead]:
    """Rows a faint rule failed to part: where a number column's cell holds consecutive item
    numbers one under another, the grid row is cut above each of them and every cell of that
    row gives its lines to the part they stand in (cells spanning the row span all its parts).
    `table.ys` gets the cuts. The Уссурийск детдом 2015-16 scan: «25. 26», «34. 35. 36»."""
    for r in reversed(range(table.n_rows)):
        number = next((rd for rd in reads if rd.cell.row == r and rd.cell.row_span == 1 and rd.cell.col in columns
                       and rd.cell.col_span == 1), None)
        cuts = _stacked_items(number) if number is not None else []
        if not cuts:
            continue
        parts = len(cuts) + 1
        out: list[_CellRead] = []
        for rd in reads:
            cell = rd.cell
            if cell.row > r:
                out.append(replace(rd, cell=replace(cell, row=cell.row + parts - 1)))
            elif cell.row + cell.row_span <= r:
                out.append(rd)
            elif cell.row < r or cell.row_span > 1:  # spans this row: spans all its parts
                out.append(replace(rd, cell=replace(cell, row_span=cell.row_span + parts - 1)))
            else:  # a cell of this row only: its lines go to the parts they stand in
                x0, y0, x1, y1 = cell.box
                part = [int(np.searchsorted(cuts, _middle(ln))) for ln in rd.lines]
                edges = [float(y0), *cuts, float(y1)]
                for k in range(parts):
                    lines = [ln for ln, p in zip(rd.lines, part, strict=True) if p == k]
                    box = (x0, int(edges[k]) if k else y0, x1, int(edges[k + 1]) if k < parts - 1 else y1)
                    out.append(_part(replace(cell, row=r + k, box=box), lines))
        reads = out
        table.ys[r + 1:r + 1] = [round(c) for c in cuts]
    return reads


def split_lost_columns(table: GridTable, read: _CellRead, settings: OcrSettings) -> list[_CellRead]:
    """A cell over several columns whose vertical rules the scan lost: where its text parts at
    every column line it spans (no word across the line, and where words stand on both sides
    a gap wider than a word space, settings.column_gap_px), one cell per column. A section
    row's title runs on with word spaces and stays whole. The Уссурийск детдом 2015-16 scan:
    «Оформление стенда … | 13.10. | Медицинская сестра Азарова Т.И.» read as one cell."""
    cell = read.cell
    if cell.col_span < 2 or not read.lines:
        return [read]
    inner = table.xs[cell.col + 1:cell.col + cell.col_span]
    for line in read.lines:
        for x in inner:
            left = [w for w in line.words if w.x1 <= x]
            right = [w for w in line.words if w.x0 >= x]
            if len(left) + len(right) < len(line.words):
                return [read]  # a word runs across the column line
            if left and right and right[0].x0 - left[-1].x1 < settings.column_gap_px:
                return [read]
    columns: dict[int, list[Line]] = {}
    for line in read.lines:
        by_column: dict[int, list[Word]] = {}
        for word in line.words:
            by_column.setdefault(cell.col + sum(1 for x in inner if word.x0 >= x), []).append(word)
        for c, words in by_column.items():
            columns.setdefault(c, []).append(Line(words=words, block=line.block))
    if sum(any(len(w.text) >= 2 for ln in lines for w in ln.words) for lines in columns.values()) < 2:
        return [read]  # one column's text, or a letter-spaced heading («У Ч Е Б Н А Я   Р А Б О Т А»)
    x0, y0, x1, y1 = cell.box
    edges = [x0, *inner, x1]
    out: list[_CellRead] = []
    for k, c in enumerate(range(cell.col, cell.col + cell.col_span)):
        lines = columns.get(c, [])
        box = (int(edges[k]), y0, int(edges[k + 1]), y1)
        out.append(_part(replace(cell, col=c, col_span=1, box=box), lines))
    return out


def _text_padding(reads: list[_CellRead]) -> float:
    """The table's cell padding: the smallest usual distance from a cell's left rule to its text."""
    offsets = [min(ln.box[0] for ln in r.lines) - r.cell.box[0] for r in reads if r.lines]
    return float(np.percentile(offsets, 20)) if offsets else 0.0


def _cell_paragraphs(paras: list[TextPara], stroke: Callable[[TextPara], float], body_stroke: float, number: int,
                     scale: float, settings: OcrSettings) -> list[Paragraph]:
    out: list[Paragraph] = []
    numbered = [p.number for p in paras]
    ordered_run = len(paras) >= 2 and numbered == list(range(1, len(paras) + 1))
    for para in paras:
        bold = stroke(para) >= settings.bold_stroke_ratio * body_stroke
        text = para.text
        list_info = None
        if para.bullet:
            list_info = ListInfo(ordered=False)
        elif ordered_run:
            list_info = ListInfo(ordered=True)
            text = text.split(" ", 1)[1] if " " in text else text
        out.append(Paragraph(text=text, style=TextStyle(bold=bold), align=para.align, list=list_info,
                             page=number, bbox=_points(para.box, scale)))
    return out


def _ruled_to_layout(table: GridTable, clean: np.ndarray, ink: np.ndarray, ocr: Engine, number: int,
                     t_index: int, scale: float, settings: OcrSettings, body_stroke: float,
                     page: OcrPage) -> Table:
    out = Table(n_cols=table.n_cols, page=number)
    reads = [read_cell(clean, ink, table, cell, ocr, settings) for cell in table.cells]
    _reread_numbers(reads, ocr, settings)
    reads = split_stacked_rows(table, reads, _number_columns(reads, settings))
    reads = [part for read in reads for part in split_lost_columns(table, read, settings)]
    for r in range(table.n_rows):
        out.rows.append(Row(index=r, page=number,
                            bbox=_points((table.xs[0], table.ys[r], table.xs[-1], table.ys[r + 1]), scale)))
    padding = _text_padding(reads)
    stroke = partial(_ink_stroke, ink)
    for read in reads:
        cell = read.cell
        x0, _, x1, _ = cell.box
        paras = paragraphs(read.lines, x0 + padding, x1 - padding, settings) if read.lines else []
        out.cells.append(Cell(row=cell.row, col=cell.col, row_span=cell.row_span, col_span=cell.col_span,
                              paragraphs=_cell_paragraphs(paras, stroke, body_stroke, number, scale, settings),
                              bbox=_points(cell.box, scale)))
        text = " ".join(p.text for p in paras)
        if text and read.confidence < settings.low_confidence:
            page.warnings.append((LOW_CONFIDENCE, f"страница {number}, таблица {t_index + 1}, строка {cell.row + 1}, "
                                  f"столбец {cell.col + 1}: распознано с уверенностью {read.confidence:.0f} %: "
                                  f"«{_short(text)}»"))
    return out


# --- unruled tables -----------------------------------------------------------------------

def _unruled_measures(lines: list[Line], settings: OcrSettings) -> Measures:
    """The unruled-table finder's measures for this page: sizes in pixels, the OCR wrap test
    with the word space measured on the page."""
    space = word_space(lines)
    return Measures(unruled_settings(settings), lambda prev, line, region: wraps(prev, line, region, space, settings),
                    opens_bullet)


def unruled_table(lines: list[Line], settings: OcrSettings) -> tuple[UnruledTable | None, list[Line]]:
    """A table set out by position only, found as in a PDF (parsers/unruled.py) on this page's
    lines: (the table, lines left outside it), or (None, lines) when the lines show no columns."""
    return find_unruled({0: lines}, _unruled_measures(lines, settings))[0]


def _unruled_box(found: UnruledTable, settings: OcrSettings) -> tuple[int, int, int, int]:
    """Where to look for what the page pass missed: the table's rows, from the page's left edge
    (a number column the page pass dropped whole is left of every column found)."""
    edges = found.columns.edges(settings.column_padding_px)
    return 0, max(int(found.rows[0].top) - 2, 0), int(edges[-1]) + 1, int(found.rows[-1].bottom) + 2


def _unruled_to_layout(found: UnruledTable, scale: float, settings: OcrSettings, text: OpenText,
                       page: OcrPage) -> Table:
    columns, number = found.columns, page.page
    n = len(columns.starts)
    edges = columns.edges(settings.column_padding_px)
    ys = [found.rows[0].top - 2] + [row.bottom + 1 for row in found.rows]
    out = Table(n_cols=n, page=number)
    cells: list[tuple[Cell, list[Line], Region]] = []
    for r, row in enumerate(found.rows):
        top, bottom = ys[r], ys[r + 1]
        out.rows.append(Row(index=r, page=number, bbox=_points((edges[0], top, edges[-1], bottom), scale)))
        if row.spanning:
            cell = Cell(row=r, col=0, col_span=n, bbox=_points((edges[0], top, edges[-1], bottom), scale))
            cells.append((cell, row.cells[0], Region(columns.starts[0], columns.rights[-1])))
            continue
        for c in range(n):
            cell = Cell(row=r, col=c, bbox=_points((edges[c], top, edges[c + 1], bottom), scale))
            cells.append((cell, row.cells[c], columns.region(c)))
    widths = [_stroke(text, [w for ln in lines for w in ln.words]) for _, lines, _ in cells]
    body_stroke = float(np.median([w for w in widths if w > 0] or [1.0]))
    stroke = partial(_para_stroke, text)
    for cell, lines, region in cells:
        paras = paragraphs(lines, region.left, region.right, settings) if lines else []
        cell.paragraphs = _cell_paragraphs(paras, stroke, body_stroke, number, scale, settings)
        out.cells.append(cell)
        confidence = _mean_conf(lines) if lines else 100.0
        if paras and confidence < settings.low_confidence:
            page.warnings.append((LOW_CONFIDENCE, f"страница {number}, таблица 1, строка {cell.row + 1}, столбец "
                                  f"{cell.col + 1}: распознано с уверенностью {confidence:.0f} %"))
    return out


# --- pages without ruled tables -------------------------------------------------------------

def _word_strokes(lines: list[Line], ink: np.ndarray) -> dict[Box, tuple[int, int]]:
    """Each word's ink area and outline length (stroke_width's terms), so that the stroke width
    of any group of words can be had once the page image is gone."""
    return {word.box: ink_terms(_region(ink, word.box)) for line in lines for word in line.words}


def _stroke(text: OpenText, words: Iterable[Word]) -> float:
    """Mean stroke width of these words' ink (0 without ink)."""
    terms = [text.strokes.get(word.box, (0, 0)) for word in words]
    return stroke_of(sum(a for a, _ in terms), sum(o for _, o in terms))


def _para_stroke(text: OpenText, para: TextPara) -> float:
    return _stroke(text, (w for ln in para.lines for w in ln.words))


def _at_dpi(text: OpenText, dpi: int) -> OpenText:
    """The text measured at another resolution (pages may be read at different ones)."""
    if text.dpi == dpi:
        return text
    f = dpi / text.dpi
    lines: list[Line] = []
    strokes: dict[Box, tuple[int, int]] = {}
    for line in text.lines:
        words = [ocr_word(w.text, w.conf, (w.x0 * f, w.top * f, w.x1 * f, w.bottom * f)) for w in line.words]
        strokes.update({new.box: text.strokes.get(old.box, (0, 0)) for old, new in zip(line.words, words, strict=True)})
        lines.append(Line(words=words, block=line.block))
    return OpenText(lines, dpi, strokes)


def settle_open_pages(pages: list[OcrPage], settings: OcrSettings) -> None:
    """Blocks for the pages read without ruled tables: an unruled table is looked for on all of
    them together (its columns from every page, as in a PDF), and the rest is paragraphs."""
    texts = {page.page: _at_dpi(page.open, settings.dpi) for page in pages if page.open is not None}
    if not texts:
        return
    measures = _unruled_measures([ln for text in texts.values() for ln in text.lines], settings)
    found = find_unruled({number: text.lines for number, text in texts.items()}, measures)
    scale = 72.0 / settings.dpi
    for page in pages:
        if page.open is None:
            continue
        text = texts[page.page]
        table, rest = found[page.page]
        placed: list[tuple[float, Block]] = []
        if table is not None:
            placed.append((table.rows[0].top, _unruled_to_layout(table, scale, settings, text, page)))
        widths = [w for ln in rest if (w := _stroke(text, ln.words)) > 0]
        body_stroke = float(np.median(widths)) if widths else 1.0
        content = _content_limits(rest, [], 0)
        placed += _text_blocks(rest, content, partial(_para_stroke, text), body_stroke, page, scale, settings)
        placed.sort(key=lambda item: item[0])
        page.blocks = [block for _, block in placed]
        page.open = None


# The parser interface (parsers.Parser): the detected formats this module reads, and the reader.
FORMATS = frozenset({"image"})


def read(path: Path, kind: str, options: ParseOptions) -> Document:
    return parse_image(path, options.ocr_or_refuse())


__all__ = ["FORMATS", "OcrPage", "ocr_pdf_pages", "parse_image", "read", "read_page", "read_pages"]
