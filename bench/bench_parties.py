"""Benchmark of the responsible-party normalizer: cells per CPU second, against the one before issue 11.

    python bench/bench_parties.py [--rounds 5] [--seconds 0.5] [--baseline-rev REV] [--check]

Every cell of tests/data/party_cells.yaml (in-repository) and tests/data/real_party_cells.yaml
(real plans) is read by `parse_parties`. The normalizer as it was before issue 11 (by default the
parent of the real-cell corpus commit) is loaded from git into a temporary folder, with its
vocabulary, and timed on the same cells in the same process. Times are CPU seconds of this process
(time.process_time); the best round is reported beside the median. "cold" clears the normalizer's
caches (masks, persons, whole cells) and the shared morphology cache of lang/morph.py (both
normalizers read words through it) before every pass; "warm" keeps them, as in a batch. Since
issue 11 a whole cell's result is remembered (plans repeat their responsible cells), so "warm"
then measures cache hits: the figure that compares the rules is "cold". The goal (--check) is at
least 0.8x the speed before issue 11, warm and cold.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from baseline import load_old  # noqa: E402 (bench/ is the script's folder)

from extractor.normalize import parties, party_rules  # noqa: E402
from lang import morph  # noqa: E402

CELLS = [ROOT / "tests" / "data" / "party_cells.yaml", ROOT / "tests" / "data" / "real_party_cells.yaml"]
BASELINE_REV = "43ca4f2^"  # the normalizer before issue 11
MIN_RATIO = 0.8


def baseline_module(rev: str, folder: Path) -> ModuleType:
    """The party normalizer of git revision `rev`, with its vocabulary, from a temporary copy."""
    return load_old(rev, "extractor/normalize/parties.py", "extractor/data/parties.yaml", (
        'DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "parties.yaml"',
        'DATA_FILE = Path(__file__).resolve().with_name("parties.yaml")'), folder)


def load_cells() -> list[tuple[list[str], str | None]]:
    cells: list[tuple[list[str], str | None]] = []
    for path in CELLS:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            cells.append((list(entry["paragraphs"]), entry.get("role")))
    return cells


# loaded once per process (today's names, and those before the split into party_rules/)
VOCABULARY = ("vocabulary", "glossary_forms", "_vocab", "_glossary")
OURS = (parties, *(importlib.import_module(f"{party_rules.__name__}.{m.name}")
                   for m in pkgutil.iter_modules(party_rules.__path__)))


def clear(*modules: ModuleType) -> None:
    """Clear every functools cache of the modules (not the vocabulary, loaded once per process)."""
    for module in modules:
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and getattr(value, "__name__", "") not in VOCABULARY:
                value.cache_clear()


def rate(run_pass: Callable[[], Any], count: int, seconds: float, before: Callable[[], None]) -> float:
    passes, elapsed = 0, 0.0
    while elapsed < seconds or passes == 0:
        before()
        started = time.process_time()
        run_pass()
        elapsed += time.process_time() - started
        passes += 1
    return passes * count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--check", action="store_true", help="exit 1 when slower than 0.8x")
    args = parser.parse_args()
    old = baseline_module(args.baseline_rev, Path(tempfile.mkdtemp(prefix="bench_parties_")))
    cells = load_cells()
    n = len(cells)

    def ours() -> None:
        for paragraphs, role in cells:
            parties.parse_parties(paragraphs, role)

    def before_issue_11() -> None:
        for paragraphs, role in cells:
            old.parse_parties(paragraphs, role)

    ours()
    before_issue_11()

    def cold_ours() -> None:
        clear(*OURS)
        morph.parses.cache_clear()

    def cold_old() -> None:
        clear(old)
        morph.parses.cache_clear()

    def nothing() -> None:
        pass

    contenders = [("parse_parties, warm", ours, nothing), ("parse_parties, cold", ours, cold_ours),
                  ("before issue 11, warm", before_issue_11, nothing),
                  ("before issue 11, cold", before_issue_11, cold_old)]
    rates: dict[str, list[float]] = {label: [] for label, _, _ in contenders}
    for _ in range(args.rounds):
        for label, run_pass, before in contenders:
            rates[label].append(rate(run_pass, n, args.seconds, before))
    best = {label: max(values) for label, values in rates.items()}
    print(f"party normalizer, {n} cells (in-repository and real), {args.rounds} rounds of >= {args.seconds:g} s")
    print(f"  {'cells per CPU second':26} {'best':>10} {'median':>10}")
    for label, values in rates.items():
        print(f"  {label:26} {best[label]:10,.0f} {statistics.median(values):10,.0f}")
    ratios = [best[f"parse_parties, {c}"] / best[f"before issue 11, {c}"] for c in ("warm", "cold")]
    met = min(ratios) >= MIN_RATIO
    print(f"speed against before issue 11 ({args.baseline_rev}): warm {ratios[0]:.2f}x, cold {ratios[1]:.2f}x "
          f"(at least {MIN_RATIO}x): {'met' if met else 'MISSED'}")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
