"""Stand-ins for extractor.extract that the service's tests put in Settings.entry: slow (to
be caught running), sleeping past the time limit, or failing like a bug."""

from __future__ import annotations

import os
import time
from pathlib import Path

from extractor import extract
from extractor.options import Options
from models import Plan


def slow(path: Path, options: Options) -> Plan:
    time.sleep(float(os.environ.get("ROADMAP_TEST_DELAY", "1.0")))
    return extract(path, options)


def sleeping(path: Path, options: Options) -> Plan:
    time.sleep(60)
    raise AssertionError("the time limit did not fire")


def failing(path: Path, options: Options) -> Plan:
    raise RuntimeError("сбой в правиле")
