"""Memory and time of one long scanned PDF (issue 15: peak memory per worker under 1 GB on a
300-page scan, independent of the page count).

    python bench/bench_long_scan.py [--pages 300] [--timeout 3600]

The PDF is made of the first ten pages of the sample scans (samples/scans/*.pdf), stored as
1 bit at 300 dpi as an office scanner writes them, repeated in turn up to --pages, in a temporary
folder; `roadmap extract` reads it in a child process (as batch workers
do: in-process Tesseract, pages read as threads free up) and the report gives the child's peak
resident memory (ru_maxrss), wall and CPU seconds, seconds per page, and what came out
(activities, warnings by code). Measured at 10 pages too, in the same run, so that growth with
the page count shows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
SCANS = sorted(p for p in (ROOT / "samples" / "scans").glob("*.pdf") if not p.stem.endswith("_unruled"))


def base_pages(out: Path, count: int = 10) -> Path:
    """The first `count` pages of the sample scans as an office scanner in black-and-white mode
    writes them (1 bit at 300 dpi, about 50 KB a page), so that 300 pages stay under the input
    size limit (the samples' own pages are stored losslessly, about 0.5 MB each)."""
    images: list[Any] = []
    for path in SCANS:
        document = pdfium.PdfDocument(path)
        for index in range(len(document)):
            if len(images) < count:
                grey = document[index].render(scale=300 / 72, grayscale=True).to_pil()
                images.append(grey.point(lambda v: 255 if v > 160 else 0).convert("1"))
    images[0].save(out, save_all=True, append_images=images[1:], resolution=300)
    return out


def make_pdf(pages: int, base: Path, out: Path) -> Path:
    """`pages` pages: the base pages repeated in turn."""
    source = pdfium.PdfDocument(base)
    target = pdfium.PdfDocument.new()
    while len(target) < pages:
        take = min(len(source), pages - len(target))
        target.import_pages(source, list(range(take)), index=len(target))
    target.save(out)
    return out


def run(path: Path, timeout: float) -> dict[str, object]:
    out = path.with_suffix(".json")
    code = ("import resource, sys, time; from workflow.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "r = resource.getrusage(resource.RUSAGE_SELF)\n"
            "print(r.ru_maxrss, r.ru_utime + r.ru_stime, file=sys.stderr)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "extract", str(path), "-o", str(out),
                           "--timeout", str(timeout)], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    peak_kb, cpu = done.stderr.strip().splitlines()[-1].split()
    plan = json.loads(out.read_text(encoding="utf-8"))
    pages = len(pdfium.PdfDocument(path))
    return {"pages": pages, "peak_rss_mb": round(int(peak_kb) / 1024), "wall_s": round(wall, 1),
            "cpu_s": round(float(cpu), 1), "cpu_s_per_page": round(float(cpu) / pages, 2),
            "activities": len(plan.get("activities", [])),
            "warnings": dict(Counter(w["code"] for w in plan.get("warnings", [])).most_common()),
            "error": plan.get("error")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roadmap-long-scan-") as tmp:
        base = base_pages(Path(tmp) / "base.pdf")
        report = [run(make_pdf(n, base, Path(tmp) / f"scan-{n}.pdf"), args.timeout) for n in (10, args.pages)]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
