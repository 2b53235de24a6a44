"""Old word-processor formats through LibreOffice: the same plan as the Word file; clear errors
when LibreOffice is missing, hangs or cannot read the file."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.output import to_json
from parsers.errors import ExtractionError
from parsers.libreoffice import ConverterSettings, convert_to_docx
from tests.conftest import SAMPLE_DIR, golden

LEGACY = SAMPLE_DIR / "legacy"
CASES = sorted((p.stem, p.suffix.lstrip(".")) for p in LEGACY.glob("*.*") if p.suffix in (".doc", ".rtf", ".odt"))


def _without_source(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in plan.items() if k != "source"}


def test_every_old_format_has_samples() -> None:
    assert {ext for _, ext in CASES} == {"doc", "rtf", "odt"}


@pytest.mark.parametrize(("name", "ext"), CASES)
def test_old_format_gives_the_word_plan(name: str, ext: str) -> None:
    plan = json.loads(to_json(extract(LEGACY / f"{name}.{ext}")))
    assert plan["source"]["format"] == ext
    assert plan["source"]["filename"] == f"{name}.{ext}"
    assert plan["source"]["ocr"] is False
    assert _without_source(plan) == _without_source(golden(name))


def test_converter_unavailable_without_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice, no libreoffice
    with pytest.raises(ExtractionError) as caught:
        extract(LEGACY / "zima_2024.odt")
    assert caught.value.code == "converter_unavailable"


def _fake_soffice(folder: Path, body: str) -> None:
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_hanging_converter_is_killed_with_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pid_file = tmp_path / "child.pid"
    # the fake converter starts a helper (as soffice starts soffice.bin) and both hang
    _fake_soffice(bin_dir, f"sleep 300 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    work = tmp_path / "work"
    work.mkdir()
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        convert_to_docx(LEGACY / "zima_2024.rtf", work, ConverterSettings(timeout_s=1.0, kill_grace_s=1.0))
    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 10
    child = int(pid_file.read_text().strip())
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # the helper is gone with its group
            os.kill(child, 0)
            time.sleep(0.1)


def test_unreadable_old_file_is_corrupt(tmp_path: Path) -> None:
    bad = tmp_path / "broken.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE header and nothing else
    with pytest.raises(ExtractionError) as caught:
        extract(bad)
    assert caught.value.code in ("corrupt_file", "empty_document")
