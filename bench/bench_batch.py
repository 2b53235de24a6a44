"""Benchmark of `roadmap batch`: 200 files (the five samples repeated) with 1 and 2 workers.

    python bench/bench_batch.py [--files 200] [--rounds 2]

The baseline is the 1-worker run in this same process; the figure that matters is the
speed-up of 2 workers over it (goal: at least 1.8x on 2 cores). Each round runs both worker
counts (in alternating order) over fresh output folders; the median of the rounds is
reported. A warm-up batch first starts the worker server, which every later run shares.
For reference the same files are also extracted in this process, one after the other,
with no pool at all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402
from workflow.batch import BatchSettings, default_workers, run_batch  # noqa: E402

SAMPLES = sorted((ROOT / "samples").glob("*.docx"))


def make_inputs(folder: Path, count: int) -> list[Path]:
    """count files, the samples in turn, each under a name of its own (so none is a repeat)."""
    folder.mkdir(parents=True)
    paths = []
    for n in range(count):
        sample = SAMPLES[n % len(SAMPLES)]
        target = folder / f"{sample.stem}_{n:03d}.docx"
        shutil.copyfile(sample, target)
        paths.append(target)
    return paths


def timed_batch(inputs: Path, outdir: Path, workers: int) -> tuple[float, float]:
    """Wall time of one batch, and the CPU time this (the parent) process spent on it."""
    shutil.rmtree(outdir, ignore_errors=True)
    started, cpu = time.perf_counter(), time.process_time()
    report = run_batch([str(inputs)], outdir, BatchSettings(workers=workers, force=True))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if report.failed or report.count("converted") != len(report.entries):
        raise SystemExit(f"benchmark batch did not convert every file: {report.as_json()['summary']}")
    return elapsed, cpu


def in_process(paths: list[Path]) -> float:
    for path in paths[: len(SAMPLES)]:  # warm this process as the workers warm themselves
        extract(path)
    started = time.perf_counter()
    for path in paths:
        extract(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp) / "in"
        paths = make_inputs(folder, args.files)
        warm = Path(tmp) / "warm"
        make_inputs(warm, len(SAMPLES))
        timed_batch(warm, Path(tmp) / "warm-out", 2)

        times: dict[int, list[float]] = {1: [], 2: []}
        parent_cpu: list[float] = []
        for round_ in range(args.rounds):
            for workers in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                elapsed, cpu = timed_batch(folder, Path(tmp) / f"out-{workers}", workers)
                times[workers].append(elapsed)
                parent_cpu.append(cpu)
                print(f"round {round_ + 1}: {workers} worker(s): {elapsed:6.2f} s "
                      f"(parent process CPU {cpu:.2f} s)", flush=True)
        serial = in_process(paths)

    one, two = statistics.median(times[1]), statistics.median(times[2])
    print()
    print(f"cores available: {default_workers()} (os.cpu_count() = {os.cpu_count()}); "
          f"1-minute load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f} "
          "(above 0 means other processes shared the cores)")
    print(f"files: {args.files} ({len(SAMPLES)} samples repeated), rounds: {args.rounds}, median shown")
    print(f"in this process, no pool: {serial:6.2f} s  {args.files / serial:6.1f} files/s")
    print(f"batch, 1 worker:          {one:6.2f} s  {args.files / one:6.1f} files/s  (baseline)")
    print(f"batch, 2 workers:         {two:6.2f} s  {args.files / two:6.1f} files/s")
    print(f"speed-up 2 vs 1 workers:  {one / two:.2f}x (goal >= 1.8x)")
    print(f"parent process CPU per batch (the serial part: listing, hashing, results): "
          f"{statistics.median(parent_cpu):.2f} s")


if __name__ == "__main__":
    main()
