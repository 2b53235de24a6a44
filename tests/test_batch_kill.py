"""A batch killed with SIGKILL leaves nothing behind: its forkserver and workers die within 5 s
(parent-death signal), the report on disk lists what finished (written after every file), and a
re-run converts the rest, skips what was done and leaves no temporary file (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from extractor import extract
from extractor.options import Options
from models import Plan
from tests.conftest import sample_path
from workflow.batch import REPORT_NAME, remove_leftovers

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["zima_2024", "tula_2020-2021", "sarov_2021-2022", "vilyuisk_2019-2021", "khmao_2023"]


def slow_extract(path: Path, options: Options) -> Plan:
    """An extraction entry that takes long enough for the batch to be killed mid-run."""
    time.sleep(1.5)
    return extract(path, options)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_killed_batch_leaves_no_process_and_a_rerun_finishes(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for name in NAMES:
        shutil.copy(sample_path(name), root / f"{name}.docx")
    out = tmp_path / "out"
    script = ("import sys; from workflow.batch import BatchSettings, run_batch; "
              "run_batch([sys.argv[1]], __import__('pathlib').Path(sys.argv[2]), "
              "BatchSettings(workers=2, entry='tests.test_batch_kill:slow_extract'))")
    proc = subprocess.Popen([sys.executable, "-c", script, str(root), str(out)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        report = out / REPORT_NAME
        while not report.exists() and time.monotonic() < deadline:  # the first file finished
            time.sleep(0.1)
        assert report.exists(), "no file finished within 60 s"
        helpers = _descendants(proc.pid)
        assert helpers, "the batch runs no worker processes"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gone_by = time.monotonic() + 5
        while any(_alive(p) for p in helpers) and time.monotonic() < gone_by:
            time.sleep(0.1)
        left = [p for p in helpers if _alive(p)]
        assert not left, f"processes left 5 s after the batch was killed: {left}"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    partial = json.loads(report.read_text(encoding="utf-8"))
    finished = {Path(f["input"]).name for f in partial["files"] if f["status"] == "converted"}
    assert finished and len(partial["files"]) == len(NAMES)
    assert partial["summary"]["pending"] == len(NAMES) - len(finished) > 0
    (out / ".zima_2024.abc.json.x1y2.tmp").write_text("{", encoding="utf-8")  # as a kill mid-write leaves
    result = subprocess.run([sys.executable, "-m", "workflow.cli", "batch", str(root), "-o", str(out), "-j", "2"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    final = json.loads(report.read_text(encoding="utf-8"))
    statuses = {Path(f["input"]).name: f["status"] for f in final["files"]}
    # what the report had is skipped; so is a file whose output was written just before the kill
    assert finished <= {n for n, s in statuses.items() if s == "skipped"}
    assert set(statuses.values()) <= {"skipped", "converted"} and len(statuses) == len(NAMES)
    assert not list(out.glob(".*.tmp"))


def test_remove_leftovers_takes_only_our_temporary_files(tmp_path: Path) -> None:
    ours = [tmp_path / ".a.json.k2j3.tmp", tmp_path / "._report.json.77.tmp", tmp_path / ".b.xlsx.q.tmp"]
    theirs = [tmp_path / ".notes.tmp", tmp_path / "a.json", tmp_path / "x.json.tmp"]
    for path in ours + theirs:
        path.write_text("x", encoding="utf-8")
    assert sorted(remove_leftovers(tmp_path)) == sorted(ours)
    assert all(p.exists() for p in theirs)
