"""Seconds per page of our OCR path against img2table + Tesseract, on the same pages, in one run.

Both read the same 300 dpi page images (rendered once, before any timing) with both cores:
ours through parsers.scan.read_pages (pages in parallel threads, Tesseract in-process);
img2table 2.0 with its TesseractOCR (rus+eng, the command-line Tesseract), rotation detection
on, one page per thread, two threads. Accuracy: both outputs go through the same extractor
(extractor.pipeline.assemble) and are measured against the Word golden with
tests/scan_metrics.py. img2table reads tables only, so its document gets our paragraphs
outside the tables (title, period): only the tables differ.

Usage: python bench/bench_ocr.py [NAME ...]        (default: every samples/scans/*.pdf)

Needs `pip install img2table` (the baseline only; it is no dependency of the project because
it pulls opencv-contrib-python, which shares the cv2 package with opencv-python-headless).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.output import to_json  # noqa: E402
from extractor.pipeline import assemble, source_of  # noqa: E402
from parsers.layout import Block, Cell, Document, Paragraph, Row, Table  # noqa: E402
from parsers.ocr_image import pdf_page_images  # noqa: E402
from parsers.ocr_settings import SETTINGS  # noqa: E402
from parsers.scan import OcrPage, read_pages  # noqa: E402
from tests.scan_metrics import Metrics, measure  # noqa: E402

SCANS = ROOT / "samples" / "scans"
GOLDEN = ROOT / "golden"
WORKERS = 2


def img2table_page(png: bytes) -> list[Any]:
    from img2table.document import Image
    from img2table.ocr import TesseractOCR

    ocr = TesseractOCR(n_threads=1, lang=SETTINGS.languages)
    return list(Image(src=png, detect_rotation=True).extract_tables(ocr=ocr, implicit_rows=False,
                                                                   borderless_tables=False, min_confidence=50))


def to_layout(table: Any, page: int, scale: float) -> Table:
    """An img2table table as a layout Table: positions with the same cell box are one merged cell."""
    rows = list(table.content.values())
    n_cols = max(len(r) for r in rows)
    out = Table(n_cols=n_cols, page=page)
    anchors: dict[tuple[int, int], Cell] = {}
    for r, cells in enumerate(rows):
        top = min(c.bbox.y1 for c in cells) * scale
        bottom = max(c.bbox.y2 for c in cells) * scale
        out.rows.append(Row(index=r, page=page, bbox=(table.bbox.x1 * scale, top, table.bbox.x2 * scale, bottom)))
        for c, found in enumerate(cells):
            box = (found.bbox.x1, found.bbox.y1, found.bbox.x2, found.bbox.y2)
            left, above = anchors.get((r, c - 1)), anchors.get((r - 1, c))
            if left is not None and left.bbox == tuple(v * scale for v in box):
                left.col_span = c - left.col + 1
                anchors[(r, c)] = left
            elif above is not None and above.bbox == tuple(v * scale for v in box):
                above.row_span = r - above.row + 1
                anchors[(r, c)] = above
            else:
                text = found.value or ""
                cell = Cell(row=r, col=c, paragraphs=[Paragraph(text=text, page=page)] if text else [],
                            bbox=tuple(v * scale for v in box))  # type: ignore[arg-type]
                out.cells.append(cell)
                anchors[(r, c)] = cell
    return out


def plan_of(blocks: list[Block], pages: int, path: Path) -> dict[str, Any]:
    document = Document(blocks=blocks, format="scan", pages=pages, ocr=True)
    result: dict[str, Any] = json.loads(to_json(assemble(document, source_of(path, document))))
    return result


def run(name: str) -> tuple[int, float, float, Metrics, Metrics]:
    import pypdfium2 as pdfium

    path = SCANS / f"{name}.pdf"
    count = len(pdfium.PdfDocument(str(path)))
    numbers = list(range(1, count + 1))
    images = list(pdf_page_images(path, numbers, SETTINGS))
    pngs = [cv2.imencode(".png", img)[1].tobytes() for img in images]
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    settings = dataclasses.replace(SETTINGS, workers=WORKERS)

    start = time.perf_counter()
    ours: list[OcrPage] = read_pages(images, numbers, settings)
    ours_s = time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        theirs = list(pool.map(img2table_page, pngs))
    theirs_s = time.perf_counter() - start

    ours_plan = plan_of([b for p in ours for b in p.blocks], count, path)
    scale = 72.0 / SETTINGS.dpi
    baseline_blocks: list[Block] = []
    for page, tables in zip(ours, theirs, strict=True):
        placed: list[tuple[float, Block]] = [((b.bbox or (0, 0, 0, 0))[1], b) for b in page.blocks
                                             if isinstance(b, Paragraph)]
        placed += [(t.bbox.y1 * scale, to_layout(t, page.page, scale)) for t in tables]
        baseline_blocks += [b for _, b in sorted(placed, key=lambda item: item[0])]
    try:
        theirs_plan = plan_of(baseline_blocks, count, path)
        theirs_metrics = measure(theirs_plan, golden)
    except Exception as exc:  # no plan table found in img2table's output
        print(f"  img2table output gives no plan: {exc}")
        theirs_metrics = Metrics(0, len(golden["activities"]), 0, 0.0, 1.0, 0.0, 0.0, 1.0)
    return count, ours_s, theirs_s, measure(ours_plan, golden), theirs_metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="sample names (default: every scan PDF)")
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in SCANS.glob("*.pdf"))
    print(f"{'sample':22s} {'pages':>5s} {'ours s/p':>9s} {'img2table s/p':>14s} {'ratio':>6s}")
    total_pages = total_ours = total_theirs = 0.0
    for name in names:
        pages, ours_s, theirs_s, ours_m, theirs_m = run(name)
        total_pages += pages
        total_ours += ours_s
        total_theirs += theirs_s
        print(f"{name:22s} {pages:5d} {ours_s / pages:9.2f} {theirs_s / pages:14.2f} {ours_s / theirs_s:6.2f}")
        print(f"  ours:      {ours_m.row()}")
        print(f"  img2table: {theirs_m.row()}")
    print(f"{'all':22s} {int(total_pages):5d} {total_ours / total_pages:9.2f} {total_theirs / total_pages:14.2f} "
          f"{total_ours / total_theirs:6.2f}")


if __name__ == "__main__":
    main()
