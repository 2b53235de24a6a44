"""Debian's Chromium, headless, for the tests that look at a rendered page (comparison report,
diff page): the binary, one run with a throw-away profile, and counting pixels of a colour."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    assert binary is not None, "Debian's chromium is not installed: run scripts/setup.sh"
    return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=True)


def count_near(pixels: np.ndarray, colour: tuple[int, ...], tolerance: int) -> int:
    """Pixels within `tolerance` of `colour` in each channel."""
    return int((np.abs(pixels - np.array(colour, dtype=np.int16)) <= tolerance).all(axis=-1).sum())
