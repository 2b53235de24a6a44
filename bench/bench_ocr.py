"""CPU seconds per page of our OCR path (today's and the working tree's) against img2table +
Tesseract, on the same page images, in one run.

Every page is rendered once at 300 dpi (parsers.ocr_image, before any timing) and written as
PNG; then, file by file, each reader runs in a child process of its own that loads its language
data first, reads the file's pages one after another and reports its CPU (process + children, user + system:
resource.getrusage; the machine is shared, wall time says little):
- ours: parsers.scan.read_pages of the working tree, Tesseract in process through tesserocr;
- today: the same of commit bench/ocr_runs.TODAY (its OCR modules, today's everything else);
- img2table 2.0 with Tesseract through the same binding (tesserocr, rus+eng, LSTM, page
  segmentation 11 as its own TesseractOCR), rotation detection on (bench/img2table_child.py);
  with --cli also img2table's own TesseractOCR (the command-line tool, OMP_THREAD_LIMIT=1).
Accuracy on the sample scans: each output goes through the same extractor (assemble) and is
measured against the Word golden with tests/scan_metrics.py. img2table reads tables only, so
its document gets our paragraphs outside the tables (title, period): only the tables differ.
Peak memory: the resident size a page added to our child (pages one at a time).

img2table is no dependency of the project (it pulls opencv-contrib-python, which would replace
opencv-python-headless in the same cv2 package): it runs in a venv of its own, made by
`python bench/bench_ocr.py --setup` (python3 -m venv + pip install img2table, tesserocr of the
project's version, Pillow), at $IMG2TABLE_VENV or /tmp/img2table-venv.

Usage: python bench/bench_ocr.py [--setup] [--cli] [--real] [--json OUT] [NAME ...]
       (default: every samples/scans/*.pdf; --real adds the real corpus's scanned PDFs and JPEGs)
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ocr_runs import TODAY, real_inputs  # noqa: E402

SCANS = ROOT / "samples" / "scans"
GOLDEN = ROOT / "golden"
VENV = Path(os.environ.get("IMG2TABLE_VENV", "/tmp/img2table-venv"))


# --- the readers, each in its child -----------------------------------------------------------

def _ours_child(rev: str | None, pngs: list[Path], out: Path) -> None:
    """Runs in the child: read_pages of `rev` (None: the working tree) over the PNGs."""
    from bench.ocr_runs import PeakMemory, cpu_seconds, use_revision

    use_revision(rev)
    import dataclasses

    import cv2

    from parsers.ocr_settings import SETTINGS
    from parsers.scan import read_pages

    settings = dataclasses.replace(SETTINGS, workers=1)

    def gray(path: Path) -> Any:
        return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)

    # language data loaded, as in a worker that has read a file before
    read_pages([gray(ROOT / "samples" / "scans" / "zima_2024_photo.jpg")], None, settings)
    results: list[Any] = []
    peak = 0.0
    cpu = 0.0
    for png in pngs:
        image = gray(png)
        start = cpu_seconds()
        number = int(png.stem.split("-")[1])  # page of its file: tables continue across pages
        with PeakMemory() as memory:
            page = read_pages([image], [number], settings)[0]
        cpu += cpu_seconds() - start
        peak = max(peak, memory.growth)
        results.append(page.blocks)
    out.write_bytes(pickle.dumps({"cpu": cpu, "peak_mb": peak, "blocks": results}))


def ours(rev: str | None, pngs: list[Path], folder: Path) -> dict[str, Any]:
    out = folder / f"ours-{rev or 'now'}.pickle"
    subprocess.run([sys.executable, __file__, "--child", rev or "", str(out), *map(str, pngs)], check=True, cwd=ROOT,
                   env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    result: dict[str, Any] = pickle.loads(out.read_bytes())
    return result


def img2table(pngs: list[Path], folder: Path, cli: bool) -> dict[str, Any]:
    out = folder / f"img2table{'-cli' if cli else ''}.json"
    command = [str(VENV / "bin" / "python"), str(ROOT / "bench" / "img2table_child.py"), "--out", str(out)]
    subprocess.run([*command, *(["--cli"] if cli else []), *map(str, pngs)], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def setup() -> None:
    """The img2table venv, isolated from the project's (no system site packages)."""
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    tesserocr = metadata.version("tesserocr")
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "img2table", f"tesserocr=={tesserocr}", "pillow"],
                   check=True)


# --- accuracy ---------------------------------------------------------------------------------

def to_layout(table: dict[str, Any], page: int, scale: float) -> Any:
    """An img2table table as a layout Table: positions with the same cell box are one merged cell."""
    from parsers.layout import Cell, Paragraph, Row, Table

    rows = table["rows"]
    out = Table(n_cols=max(len(r) for r in rows), page=page)
    anchors: dict[tuple[int, int], Cell] = {}
    for r, cells in enumerate(rows):
        top = min(c["bbox"][1] for c in cells) * scale
        bottom = max(c["bbox"][3] for c in cells) * scale
        out.rows.append(Row(index=r, page=page, bbox=(table["bbox"][0] * scale, top, table["bbox"][2] * scale, bottom)))
        for c, found in enumerate(cells):
            box = tuple(v * scale for v in found["bbox"])
            left, above = anchors.get((r, c - 1)), anchors.get((r - 1, c))
            if left is not None and left.bbox == box:
                left.col_span = c - left.col + 1
                anchors[(r, c)] = left
            elif above is not None and above.bbox == box:
                above.row_span = r - above.row + 1
                anchors[(r, c)] = above
            else:
                text = found["value"] or ""
                cell = Cell(row=r, col=c, paragraphs=[Paragraph(text=text, page=page)] if text else [],
                            bbox=box)  # type: ignore[arg-type,unused-ignore]
                out.cells.append(cell)
                anchors[(r, c)] = cell
    return out


def metrics(name: str, pages: list[list[Any]]) -> Any:
    """Our extractor over the pages' blocks, against the golden; None without a golden."""
    from extractor.output import to_json
    from extractor.pipeline import assemble, source_of
    from parsers.layout import Document
    from tests.scan_metrics import Metrics, measure

    golden_path = GOLDEN / f"{name}.json"
    if not golden_path.is_file():
        return None
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    blocks = [block for page in pages for block in page]
    document = Document(blocks=blocks, format="scan", pages=len(pages), ocr=True)
    try:
        plan = json.loads(to_json(assemble(document, source_of(SCANS / f"{name}.pdf", document))))
    except Exception:  # no plan table in the output
        return Metrics(0, len(golden["activities"]), 0, 0.0, 1.0, 0.0, 0.0, 1.0)
    return measure(plan, golden)


def baseline_pages(ours_pages: list[list[Any]], theirs: list[list[dict[str, Any]]]) -> list[list[Any]]:
    """img2table's tables with our paragraphs around them, top to bottom."""
    from parsers.layout import Paragraph

    scale = 72.0 / 300
    out = []
    for number, (blocks, tables) in enumerate(zip(ours_pages, theirs, strict=True), 1):
        placed = [((b.bbox or (0, 0, 0, 0))[1], b) for b in blocks if isinstance(b, Paragraph)]
        placed += [(t["bbox"][1] * scale, to_layout(t, number, scale)) for t in tables]
        out.append([b for _, b in sorted(placed, key=lambda item: item[0])])
    return out


# --- the run ----------------------------------------------------------------------------------

def render(paths: list[Path], folder: Path) -> dict[str, list[Path]]:
    """Every page of every file as a 300 dpi grey PNG, by file name."""
    import cv2

    from parsers.ocr_image import image_frames, pdf_page_images, resample
    from parsers.ocr_settings import SETTINGS

    out: dict[str, list[Path]] = {}
    for path in paths:
        if path.suffix.lower() == ".pdf":
            import pypdfium2 as pdfium  # type: ignore[import-untyped]

            count = len(pdfium.PdfDocument(str(path)))
            images = list(pdf_page_images(path, list(range(1, count + 1)), SETTINGS))
        else:
            images = [resample(gray, dpi, SETTINGS) for gray, dpi in image_frames(path, SETTINGS)]
        out[path.stem] = []
        for i, image in enumerate(images, 1):
            png = folder / f"{len(out):02d}-{i:03d}.png"
            cv2.imwrite(str(png), image)
            out[path.stem].append(png)
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _ours_child(sys.argv[2] or None, [Path(p) for p in sys.argv[4:]], Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="sample names (default: every scan PDF)")
    parser.add_argument("--setup", action="store_true", help=f"make the img2table venv at {VENV} first")
    parser.add_argument("--cli", action="store_true", help="img2table with the command-line Tesseract too")
    parser.add_argument("--real", action="store_true", help="the real corpus's scanned PDFs and JPEGs too")
    parser.add_argument("--json", type=Path, help="every figure to this file")
    args = parser.parse_args()
    if args.setup:
        setup()
    paths = [SCANS / f"{n}.pdf" for n in args.names] if args.names else sorted(p for p in SCANS.glob("*.pdf")
                                                                          if not p.stem.endswith("_unruled"))
    if args.real:
        paths += [p for p in real_inputs() if p.suffix.lower() in (".pdf", ".jpg", ".jpeg")]
    with tempfile.TemporaryDirectory(prefix="bench_ocr_") as tmp:
        folder = Path(tmp)
        pages = render(paths, folder)
        runs: dict[str, dict[str, Any]] = {"today": {}, "ours": {}}
        theirs: dict[str, dict[str, Any]] = {name: {} for name in ("img2table", "img2table CLI")[:1 + args.cli]}
        # file by file, each reader in turn: a busy spell of the shared machine falls on all alike
        for pngs in pages.values():
            for who, rev in (("today", TODAY), ("ours", None)):
                add(runs[who], ours(rev, pngs, folder))
            for who in theirs:
                add(theirs[who], img2table(pngs, folder, cli=who.endswith("CLI")))
    report(pages, runs, theirs, args.json)


def add(total: dict[str, Any], part: dict[str, Any]) -> None:
    """One file's figures added to a reader's."""
    total["cpu"] = total.get("cpu", 0.0) + part["cpu"]
    if "peak_mb" in part:
        total["peak_mb"] = max(total.get("peak_mb", 0.0), part["peak_mb"])
    for key in ("blocks", "pages"):
        if key in part:
            total.setdefault(key, []).extend(part[key])


def report(pages: dict[str, list[Path]], runs: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]],
           json_out: Path | None) -> None:
    count = sum(len(p) for p in pages.values())
    cpu = {name: run["cpu"] / count for name, run in runs.items()} | {n: r["cpu"] / count for n, r in theirs.items()}
    print(f"{count} pages of {len(pages)} files, 300 dpi, read one after another; CPU seconds per page "
          "(process + children, Tesseract included)")
    for name, value in cpu.items():
        print(f"  {name:14s} {value:6.2f}")
    print(f"  ours / today: {cpu['ours'] / cpu['today']:.2f}   ours / img2table: {cpu['ours'] / cpu['img2table']:.2f}"
          + (f"   ours / img2table CLI: {cpu['ours'] / cpu['img2table CLI']:.2f}" if "img2table CLI" in cpu else ""))
    print(f"  peak memory a page added (ours): {runs['ours']['peak_mb']:.0f} MB "
          f"(today {runs['today']['peak_mb']:.0f} MB)")
    figures: dict[str, Any] = {"pages": count, "cpu_per_page": cpu, "peak_mb": runs["ours"]["peak_mb"], "accuracy": {}}
    start = 0
    for name, pngs in pages.items():
        span = slice(start, start + len(pngs))
        start += len(pngs)
        rows = {who: metrics(name, run["blocks"][span]) for who, run in runs.items()}
        rows |= {who: metrics(name, baseline_pages(runs["ours"]["blocks"][span], run["pages"][span]))
                 for who, run in theirs.items()}
        if all(m is None for m in rows.values()):
            continue
        print(f"{name} ({len(pngs)} pages)")
        for who, m in rows.items():
            print(f"  {who:14s} {m.row()}")
            figures["accuracy"].setdefault(name, {})[who] = m.__dict__
    if json_out is not None:
        json_out.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
