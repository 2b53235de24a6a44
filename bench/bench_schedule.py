"""Benchmark of the schedule normalizer: phrases per second on one core over the phrase file.

    python bench/bench_schedule.py [--rounds 7] [--seconds 0.5] [--pin] [--check]

Every phrase of tests/data/schedule_phrases.yaml is read with its plan period and context,
as `normalize_schedule` reads cells during extraction. Two baselines run in this same process
over the same phrases: a trivial normalizer (`str.split`, the floor of the loop's own cost)
and dateparser alone with the restricted settings the normalizer uses for leftovers (what a
library would cost, although it reads far less). The normalizer is single-threaded, so it
runs on one core (--pin also binds the process to one CPU); it is timed in CPU seconds of
this process (time.process_time), which other processes on a shared machine do not inflate.
Every round times each contender in turn; the best round is reported (as timeit advises:
slower rounds measure the machine's other work) beside the median.

"warm" keeps the normalizer's bounded caches (repaired words, dateparser leftovers, plan years)
across rounds, as in a batch where cells repeat; "cold" clears every cache but the grammar's
before every pass over the file, for both normalizers.
The goal is at least 10,000 phrases per second, warm (best round); --check exits 1 when missed.

Issue 11: the normalizer as it was before issue 11 (`--baseline-rev`, by default the parent of
the real-cell corpus commit) is loaded from git into a temporary folder and timed on the same
phrases, the in-repository ones and the real cells (tests/data/real_schedule_cells.yaml); the
ratio must stay at least 0.8 (--check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
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

from extractor.normalize import schedule, schedule_rules  # noqa: E402
from extractor.normalize.schedule import ScheduleContext, normalize_schedule  # noqa: E402
from extractor.normalize.schedule_rules import handlers  # noqa: E402
from models.roadmap import Period  # noqa: E402

PHRASES = ROOT / "tests" / "data" / "schedule_phrases.yaml"
REAL = ROOT / "tests" / "data" / "real_schedule_cells.yaml"
GOAL = 10_000  # phrases per second, one core
BASELINE_REV = "43ca4f2^"  # the normalizers before issue 11
MIN_RATIO = 0.8

Call = tuple[str, Period | None, ScheduleContext | None]


def baseline_module(rev: str, folder: Path) -> ModuleType:
    """The schedule normalizer of git revision `rev`, with its vocabulary, from a temporary copy."""
    return load_old(rev, "extractor/normalize/schedule.py", "extractor/data/schedule.yaml", (
        '(resources.files("extractor") / "data" / "schedule.yaml").read_text(encoding="utf-8")',
        '(__import__("pathlib").Path(__file__).with_name("schedule.yaml")).read_text(encoding="utf-8")'), folder)


def load_calls() -> list[Call]:
    calls: list[Call] = []
    for case in [*yaml.safe_load(PHRASES.read_text(encoding="utf-8")),
                 *yaml.safe_load(REAL.read_text(encoding="utf-8"))]:
        period = case["period"]
        context = case.get("context")
        calls.append((case["text"],
                      Period(start=dt.date.fromisoformat(str(period[0])), end=dt.date.fromisoformat(str(period[1])),
                             text="") if period else None,
                      ScheduleContext(month=context.get("month"), year=context.get("year")) if context else None))
    return calls


def pin_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "one thread (no CPU affinity on this system)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"one thread pinned to CPU {cpu}"


def one_rate(run_pass: Callable[[], Any], count: int, seconds: float, before: Callable[[], None]) -> float:
    """Phrases per CPU second of this process over as many whole passes as fit in `seconds`
    of CPU time (at least one). CPU time, not wall time: on a shared machine the wall clock
    also counts the time other processes held the core."""
    passes, elapsed = 0, 0.0
    while elapsed < seconds or passes == 0:
        before()
        started = time.process_time()
        run_pass()
        elapsed += time.process_time() - started
        passes += 1
    return passes * count / elapsed


# built once per process from the vocabulary (today's names, and those before the split into schedule_rules/)
GRAMMAR = ("vocabulary", "fragments", "grammar", "more_grammar", "compiled_passes", "date_parser",
           "_data", "_grammar", "_more", "_date_parser")
OURS = (schedule, *(importlib.import_module(f"{schedule_rules.__name__}.{m.name}")
                    for m in pkgutil.iter_modules(schedule_rules.__path__)))


def clear_caches(*modules: ModuleType) -> None:
    """Clear every functools cache of the modules (today's normalizer when none are given:
    repaired words, dateparser leftovers, plans, the passes of each feature set), not the grammar."""
    for module in modules or OURS:
        for name, value in vars(module).items():
            if hasattr(value, "cache_clear") and name not in GRAMMAR:
                value.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum time of one contender in a round")
    parser.add_argument("--pin", action="store_true", help="bind the process to one CPU")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="git revision of the normalizer to compare")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_schedule_"))
    old = baseline_module(args.baseline_rev, folder)

    where = pin_one_core() if args.pin else "one thread"
    calls = load_calls()
    texts = [text for text, _, _ in calls]
    n = len(calls)

    def ours() -> None:
        for text, period, context in calls:
            normalize_schedule(text, period, context)

    old_calls = [(text, period, old.ScheduleContext(month=c.month, year=c.year) if c else None)
                 for text, period, c in calls]

    def before_issue_11() -> None:
        for text, period, context in old_calls:
            old.normalize_schedule(text, period, context)

    def old_caches() -> None:
        clear_caches(old)

    def split() -> None:
        for text in texts:
            text.split()

    parse = handlers.date_parser().get_date_data  # the same restricted settings

    def dateparser_pass() -> None:
        for text in texts:
            parse(" ".join(text.split()))

    ours()  # compile the grammar, load dateparser's language data
    before_issue_11()
    dateparser_pass()

    def nothing() -> None:
        pass

    contenders: list[tuple[str, Callable[[], Any], Callable[[], None]]] = [
        ("normalize_schedule, warm caches", ours, nothing),
        ("normalize_schedule, cold caches", ours, clear_caches),
        ("before issue 11, warm caches", before_issue_11, nothing),
        ("before issue 11, cold caches", before_issue_11, old_caches),
        ("baseline: str.split", split, nothing),
        ("baseline: dateparser alone", dateparser_pass, nothing),
    ]
    rates: dict[str, list[float]] = {label: [] for label, _, _ in contenders}
    for _ in range(args.rounds):
        for label, run_pass, before in contenders:
            rates[label].append(one_rate(run_pass, n, args.seconds, before))
    best = {label: max(values) for label, values in rates.items()}
    floor, library = best["baseline: str.split"], best["baseline: dateparser alone"]

    print(f"schedule normalizer, {n} phrases of {PHRASES.relative_to(ROOT)}, {where}, "
          f"{args.rounds} rounds of >= {args.seconds:g} s each ({dt.date.today():%Y-%m}, "
          f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f})")
    print(f"  {'phrases per CPU second':34} {'best':>12} {'median':>12}   best, relative to")
    for label, values in rates.items():
        value = best[label]
        print(f"  {label:34} {value:12,.0f} {statistics.median(values):12,.0f}   "
              f"{value / library:7.1f}x dateparser  {value / floor:.5f}x str.split")
    warm = best["normalize_schedule, warm caches"]
    ratios = [best[f"normalize_schedule, {c} caches"] / best[f"before issue 11, {c} caches"] for c in ("warm", "cold")]
    met = warm >= GOAL and min(ratios) >= MIN_RATIO
    print(f"goal {GOAL:,} phrases/s (warm): {warm / GOAL:.2f}x the goal; speed against before issue 11 "
          f"({args.baseline_rev}): warm {ratios[0]:.2f}x, cold {ratios[1]:.2f}x (at least {MIN_RATIO}x): "
          f"{'met' if met else 'MISSED'}")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
