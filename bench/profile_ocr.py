"""CPU seconds per page of the OCR path, stage by stage, today's (bench/ocr_runs.TODAY) against
the working tree's, in one run on the same files.

Each revision runs in a child process of its own, the children taking the files in turns; each
reads a file end to end with extract() (pages one after another: OcrSettings.workers=1, so
that each stage's time is its own) and reports its CPU (all threads and children,
resource.getrusage), the CPU of each stage (thread CPU time of the functions that make it up),
the pages OCR read, the Tesseract calls and the peak resident memory a file added. On the
sample scans it also reports the accuracy against the goldens (tests/scan_metrics.py).

Usage: python bench/profile_ocr.py [--set samples|real|all] [--rev REV ...] [--json OUT]
  sets: samples (samples/scans: 5 PDFs, the photo, the TIFF), real (the scans of the real
  corpus, read in place from ROADMAP_REAL_CORPUS or ../shared/real-corpus)
  revs: "today" (the default first), "now" (the working tree), or a commit
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ocr_runs import ROOT, STAGES, TODAY, real_inputs, sample_inputs

GOLDEN_OF = {"zima_2024_photo": "zima_2024", "sarov_2021-2022": "sarov_2021-2022"}
PHOTO_ACTIVITIES = {1, 2, 3, 4}


def _child(rev: str | None, paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Runs in the child: every file read and measured, as the parent names them."""
    from bench.ocr_runs import PeakMemory, StageClock, children_seconds, cpu_seconds, instrument, use_revision

    use_revision(rev)
    import dataclasses

    from extractor import extract
    from extractor.output import to_json
    from parsers.ocr_settings import SETTINGS

    clock = StageClock()
    instrument(clock)
    options = {"ocr_settings": dataclasses.replace(SETTINGS, workers=1)}
    # once, unmeasured: imports, vocabularies and Tesseract's language data load as in a batch
    # worker's first file
    extract(ROOT / "samples" / "scans" / "zima_2024_photo.jpg", options)
    for path in paths:
        clock.reset()
        before, kids = cpu_seconds(), children_seconds()
        error = None
        plan: dict[str, Any] | None = None
        with PeakMemory() as memory:
            try:
                plan = json.loads(to_json(extract(path, options)))
            except Exception as exc:  # an error object is a result too
                error = f"{type(exc).__name__}: {exc}"
        cpu = cpu_seconds() - before
        row: dict[str, Any] = {
            "file": path.name, "cpu": cpu, "convert": children_seconds() - kids, "pages": clock.calls.get("pages", 0),
            "stages": dict(clock.seconds), "calls": {k: v for k, v in clock.calls.items() if k != "pages"},
            "rss_growth_mb": memory.growth, "rss_peak_mb": memory.peak, "error": error,
            "activities": len(plan["activities"]) if plan else None,
        }
        if plan is not None and path.parent.name == "scans" and path.parent.parent.name == "samples":
            row["metrics"] = _metrics(path, plan)
        print(f"  [{rev or 'now'}] {path.name}: {cpu:.1f} s, {row['pages']} pages", file=sys.stderr, flush=True)
        yield row


def _metrics(path: Path, plan: dict[str, Any]) -> dict[str, float]:
    from tests.conftest import golden
    from tests.scan_metrics import measure

    name = GOLDEN_OF.get(path.stem, path.stem)
    only = PHOTO_ACTIVITIES if path.suffix == ".jpg" else None
    m = measure(plan, golden(name), only)
    return {"f1": m.f1, "title_cer": m.title_cer, "schedule": m.schedule, "parties": m.parties,
            "plan_title_cer": m.plan_title_cer, "matched": m.matched, "expected": m.expected}


def run_revisions(revs: list[str], paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Each revision's results from a child process of its own; the children take the files in
    turns (file 1 today, file 1 now, file 2 today, ...), so that a busy spell of the shared
    machine falls on both alike."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    children = {}
    for rev in revs:
        commit = None if rev == "now" else (TODAY if rev == "today" else rev)
        children[rev] = subprocess.Popen([sys.executable, __file__, "--child", commit or ""], env=env, cwd=ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    results: dict[str, list[dict[str, Any]]] = {rev: [] for rev in revs}
    try:
        for path in paths:
            for rev, child in children.items():
                assert child.stdin is not None and child.stdout is not None
                child.stdin.write(f"{path}\n")
                child.stdin.flush()
                results[rev].append(json.loads(child.stdout.readline()))
    finally:
        for child in children.values():
            assert child.stdin is not None
            child.stdin.close()
            child.wait()
    return results


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    pages = sum(r["pages"] for r in rows) or 1
    stages = {s: sum(r["stages"].get(s, 0.0) for r in rows) / pages for s in STAGES}
    cpu = sum(r["cpu"] for r in rows) / pages
    convert = sum(r["convert"] for r in rows) / pages
    calls: dict[str, int] = {}
    for r in rows:
        for k, v in r["calls"].items():
            calls[k] = calls.get(k, 0) + v
    return {"pages": pages, "cpu": cpu, "stages": stages, "convert": convert,
            "other": cpu - convert - sum(stages.values()), "calls": calls,
            "peak_growth_mb": max((r["rss_growth_mb"] for r in rows), default=0.0),
            "peak_rss_mb": max((r["rss_peak_mb"] for r in rows), default=0.0)}


def report(name: str, results: dict[str, list[dict[str, Any]]]) -> None:
    revs = list(results)
    sums = {rev: summary(rows) for rev, rows in results.items()}
    first = revs[0]
    print(f"\n== {name}: {sums[first]['pages']} pages OCR'd; CPU seconds per page (all threads and children)")
    print(f"{'stage':22s}" + "".join(f"{rev:>12s}" for rev in revs) + (f"{'ratio':>8s}" if len(revs) > 1 else ""))

    def line(label: str, values: list[float]) -> None:
        ratio = f"{values[-1] / values[0]:8.2f}" if len(values) > 1 and values[0] > 0.005 else ""
        print(f"{label:22s}" + "".join(f"{v:12.3f}" for v in values) + ratio)

    for stage in STAGES:
        line(stage, [sums[r]["stages"][stage] for r in revs])
    line("convert (LibreOffice)", [sums[r]["convert"] for r in revs])
    line("other (parse, extract)", [sums[r]["other"] for r in revs])
    line("total", [sums[r]["cpu"] for r in revs])
    for rev in revs:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(sums[rev]["calls"].items()))
        print(f"  {rev}: Tesseract calls per run: {calls}; peak memory added by one file "
              f"{sums[rev]['peak_growth_mb']:.0f} MB (resident peak {sums[rev]['peak_rss_mb']:.0f} MB)")
    print(f"\n{'file':70s} {'pages':>5s}" + "".join(f"{rev + ' s/p':>12s}" for rev in revs))
    for i, row in enumerate(results[first]):
        pages = max(row["pages"], 1)
        print(f"{row['file'][:70]:70s} {row['pages']:5d}" + "".join(f"{results[r][i]['cpu'] / pages:12.2f}"
                                                                   for r in revs))
        for rev in revs:
            other = results[rev][i]
            if other.get("metrics"):
                m = other["metrics"]
                print(f"    {rev:>6s}: F1 {m['f1']:.3f} ({m['matched']}/{m['expected']})  title CER "
                      f"{m['title_cer']:.2%}  schedule {m['schedule']:.1%}  parties {m['parties']:.1%}  "
                      f"plan title CER {m['plan_title_cer']:.2%}")
            if other["error"]:
                print(f"    {rev:>6s}: {other['error']}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        rev = sys.argv[2] or None
        out, sys.stdout = sys.stdout, sys.stderr  # only the results on stdout, one line each
        for row in _child(rev, (Path(line.strip()) for line in sys.stdin if line.strip())):
            out.write(json.dumps(row) + "\n")
            out.flush()
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("samples", "real", "all"), default="samples")
    parser.add_argument("--rev", action="append", help="today, now or a commit (default: today and now)")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()
    revs = args.rev or ["today", "now"]
    sets = {"samples": sample_inputs(), "real": real_inputs()}
    chosen = ["samples", "real"] if args.set == "all" else [args.set]
    everything: dict[str, Any] = {}
    for name in chosen:
        if not sets[name]:
            print(f"\n== {name}: no files (set ROADMAP_REAL_CORPUS)")
            continue
        results = run_revisions(revs, sets[name])
        report(name, results)
        everything[name] = results
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
