"""A large plan table converts in time linear in its rows (issue 15: quadratic before, 20,000
rows took more than 580 s). bench/bench_large_table.py reports 1k/4k/20k rows; here 5,000 rows
must convert in well under what a quadratic step would take (about 60 s), every row an activity."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from extractor import extract

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_large_table import write_plan  # the benchmark's own generator


def test_five_thousand_rows_convert_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    write_plan(path, 5000)
    start = time.process_time()
    plan = extract(path)
    seconds = time.process_time() - start
    assert len(plan.activities) == 5000
    assert plan.activities[-1].number == "5000" and plan.activities[-1].title.endswith("номер 5000")
    assert seconds < 15, f"{seconds:.1f} CPU s for 5,000 rows"
