"""Memory and time of one long scanned PDF (issue 15: peak memory per worker under 1 GB on a
300-page scan, independent of the page count).

    python bench/bench_long_scan.py [--pages 300] [--timeout 3600]

The PDF is made of the sample scans' pages (samples/scans/*.pdf) repeated in turn up to --pages,
written to a temporary folder; `roadmap extract` reads it in a child process (as batch workers
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

import pypdfium2 as pdfium  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
SCANS = sorted((ROOT / "samples" / "scans").glob("*.pdf"))


def make_pdf(pages: int, out: Path) -> Path:
    sources = [pdfium.PdfDocument(path) for path in SCANS]
    target = pdfium.PdfDocument.new()
    while len(target) < pages:
        for source in sources:
            take = min(len(source), pages - len(target))
            if take <= 0:
                break
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
        report = [run(make_pdf(n, Path(tmp) / f"scan-{n}.pdf"), args.timeout) for n in (10, args.pages)]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
