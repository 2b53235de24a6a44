"""A second Word writer: each sample saved again by LibreOffice gives the same activities."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extractor import extract
from extractor.output import to_json
from tests.conftest import extracted, sample_path
from tests.seedtext import SAMPLES

SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed: run scripts/setup.sh")
    out = tmp_path_factory.mktemp("lo")
    profile = out / "profile"
    sources = [str(sample_path(name)) for name in sorted(SAMPLES.values())]
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out / "docx"), *sources],
        check=True, capture_output=True, timeout=300,
    )
    return out / "docx"


def _comparable(plan: dict[str, Any]) -> dict[str, Any]:
    activities = [{k: v for k, v in a.items() if k != "provenance"} for a in plan["activities"]]
    return {"plan": plan["plan"], "columns": plan["columns"], "sections": plan["sections"],
            "activities": activities}


@pytest.mark.parametrize("name", sorted(SAMPLES.values()))
def test_libreoffice_copy_gives_same_plan(resaved: Path, name: str) -> None:
    again = json.loads(to_json(extract(resaved / f"{name}.docx")))
    assert _comparable(again) == _comparable(extracted(name))
