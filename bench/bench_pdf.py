"""Benchmark of the text-PDF path: our whole `extract` against the table readers it could have
been built on, in one run on the same PDFs (every samples/*.pdf).

    python bench/bench_pdf.py [--rounds 3] [--pin] [--check]

Contenders, each over every page of every sample PDF:
- ours: `extractor.extract(path)`, the whole canonical plan (parsing, stitching, re-joining
  rows, every normalizer);
- pdfplumber: its bare pass, `page.extract_tables()` on every page (the floor: no text
  outside tables, no stitching, no plan);
- camelot lattice: `camelot.read_pdf(path, pages="all", flavor="lattice")`.
Times are CPU seconds of this process (time.process_time: every contender runs in this
process, camelot's page images included; other processes on a shared machine do not
inflate them). Every round times each contender in turn; the best round is reported beside
the median. Goals: ours at most 1.2x pdfplumber's bare pass and at most 0.3x camelot lattice;
--check exits 1 when missed.

A second table shows what each reader gets right: the share of the Word sample's table cells
(their text with white space folded) that a reader returns whole, as one cell, on the PDF
printed from it. For ours, the cells of the plan tables after stitching and re-joining; for
the others, the cells they return page by page (camelot's stream and network flavours too,
on the unruled PDFs, where lattice finds nothing).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import pdfplumber  # noqa: E402
from build_pdfs import load_layouts  # noqa: E402
from camelot.io import read_pdf as camelot_read  # noqa: E402

from extractor import extract  # noqa: E402
from extractor.text import fold  # noqa: E402
from parsers import parse  # noqa: E402
from parsers.layout import Table  # noqa: E402
from workflow.debug import analyse_file  # noqa: E402

SAMPLES = ROOT / "samples"
GOAL_PDFPLUMBER = 1.2  # ours / pdfplumber's bare extract_tables, at most
GOAL_CAMELOT = 0.3  # ours / camelot lattice, at most


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "all cores (no CPU affinity on this system)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def pdfs() -> list[Path]:
    return sorted(SAMPLES / f"{name}.pdf" for name in load_layouts())


def page_count(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


# --- the contenders -----------------------------------------------------------------------------

def run_ours(paths: list[Path]) -> None:
    for path in paths:
        extract(path)


def run_pdfplumber(paths: list[Path]) -> None:
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_tables()


def run_camelot(paths: list[Path], flavor: str = "lattice") -> list[list[list[str]]]:
    out: list[list[list[str]]] = []
    for path in paths:
        for table in camelot_read(str(path), pages="all", flavor=flavor):
            out.append(table.df.values.tolist())
    return out


def time_rounds(contenders: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            start = time.process_time()
            run()
            seconds[name].append(time.process_time() - start)
    return seconds


# --- what each reader gets right ------------------------------------------------------------------

def word_cells(name: str) -> Counter[str]:
    """The folded text of every non-blank cell of the Word sample's tables (merged cells once)."""
    document = parse(SAMPLES / f"{name}.docx")
    return Counter(fold(c.text) for b in document.blocks if isinstance(b, Table) for c in b.cells if c.text.strip())


def our_cells(path: Path) -> Counter[str]:
    """The cells of the tables as the pipeline read them (its trace: pages stitched, split
    rows re-joined)."""
    trace = analyse_file(path)
    cells: Counter[str] = Counter()
    for view in trace.tables:
        cells.update(fold(c.text) for c in view.table.cells if c.text.strip())
    return cells


def plumber_cells(path: Path) -> Counter[str]:
    cells: Counter[str] = Counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                cells.update(fold(c) for row in table for c in row if c and c.strip())
    return cells


def camelot_cells(path: Path, flavor: str) -> Counter[str]:
    cells: Counter[str] = Counter()
    for table in run_camelot([path], flavor):
        cells.update(fold(str(c)) for row in table for c in row if str(c).strip())
    return cells


def share(found: Counter[str], truth: Counter[str]) -> float:
    return sum((found & truth).values()) / max(1, sum(truth.values()))


def accuracy_table() -> list[str]:
    layouts = load_layouts()
    readers: dict[str, Callable[[Path], Counter[str]]] = {
        "ours": our_cells,
        "pdfplumber": plumber_cells,
        "camelot lattice": lambda p: camelot_cells(p, "lattice"),
        "camelot stream": lambda p: camelot_cells(p, "stream"),
        "camelot network": lambda p: camelot_cells(p, "network"),
    }
    lines = ["| PDF | " + " | ".join(readers) + " |", "|---|" + "---:|" * len(readers)]
    for name in sorted(layouts):
        truth = word_cells(layouts[name].source)
        path = SAMPLES / f"{name}.pdf"
        shares = [f"{share(read(path), truth):.0%}" for read in readers.values()]
        lines.append(f"| {name} | " + " | ".join(shares) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pin", action="store_true", help="bind the process to one CPU")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--no-accuracy", action="store_true", help="only the timing table")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    where = pin_one_core() if args.pin else "all cores"
    paths = pdfs()
    pages = page_count(paths)
    run_ours(paths[:1])  # load vocabularies and the morphology dictionary once, as a batch would
    contenders: dict[str, Callable[[], object]] = {
        "ours (extract)": lambda: run_ours(paths),
        "pdfplumber extract_tables": lambda: run_pdfplumber(paths),
        "camelot lattice": lambda: run_camelot(paths),
    }
    seconds = time_rounds(contenders, args.rounds)
    best = {name: min(values) for name, values in seconds.items()}
    ours = best["ours (extract)"]
    print(f"{len(paths)} PDFs, {pages} pages, {args.rounds} rounds, CPU time of this process, {where}\n")
    print("| contender | best s | median s | s / page | ours / it |")
    print("|---|---:|---:|---:|---:|")
    for name, values in seconds.items():
        print(f"| {name} | {best[name]:.2f} | {statistics.median(values):.2f} | {best[name] / pages:.3f} "
              f"| {ours / best[name]:.2f} |")
    vs_plumber = ours / best["pdfplumber extract_tables"]
    vs_camelot = ours / best["camelot lattice"]
    print(f"\nours / pdfplumber = {vs_plumber:.2f} (goal <= {GOAL_PDFPLUMBER}); "
          f"ours / camelot lattice = {vs_camelot:.2f} (goal <= {GOAL_CAMELOT})")
    if not args.no_accuracy:
        print("\nShare of the Word sample's table cells read whole, as one cell:\n")
        print("\n".join(accuracy_table()))
    missed = vs_plumber > GOAL_PDFPLUMBER or vs_camelot > GOAL_CAMELOT
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
