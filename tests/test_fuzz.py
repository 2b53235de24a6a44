"""A short bounded pass of the project's fuzzer (bench/fuzz.py runs the long one): mutated
sample Word and PDF files and the issue-15 bombs give a plan or the contract's error object,
never a traceback, within the time and memory limits."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from fuzz import fuzz  # the benchmark's own fuzzer


def test_short_fuzz_pass_has_no_tracebacks() -> None:
    report = fuzz(count=60, seed=20261203, workers=2, timeout=30, memory_mb=2048, images=False)
    assert report.tried == 60
    assert not report.tracebacks, report.text()
    assert report.kinds["memory"] == 0, report.text()
    assert report.kinds["plan"] + report.kinds["error"] + report.kinds["timeout"] == 60
