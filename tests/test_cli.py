"""The `roadmap` command: output, atomic writes, exit codes and error objects."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from models import Plan
from models.schema import render
from tests.conftest import golden, sample_path
from workflow.cli import main


def test_extract_to_stdout_equals_golden() -> None:
    result = CliRunner().invoke(main, ["extract", str(sample_path("zima_2024"))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == golden("zima_2024")


def test_extract_to_file_and_folder(tmp_path: Path) -> None:
    out = tmp_path / "one.json"
    result = CliRunner().invoke(main, ["extract", str(sample_path("tula_2020-2021")), "-o", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == golden("tula_2020-2021")
    folder = tmp_path / "many"
    paths = [str(sample_path("tula_2020-2021")), str(sample_path("sarov_2021-2022"))]
    result = CliRunner().invoke(main, ["extract", *paths, "-o", str(folder)])
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["sarov_2021-2022.json", "tula_2020-2021.json"]
    assert "«" in (folder / "tula_2020-2021.json").read_text(encoding="utf-8")  # not ASCII-escaped


def test_unreadable_file_gives_error_object_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04not really")
    out = tmp_path / "broken.json"
    result = CliRunner().invoke(main, ["extract", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "error": {"code": "corrupt_file", "message": json.loads(out.read_text())["error"]["message"],
                  "filename": "broken.docx"}}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "empty.docx"
    bad.write_bytes(b"")
    folder = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", str(bad), str(sample_path("zima_2024")), "-o", str(folder)])
    assert result.exit_code == 1
    assert json.loads((folder / "empty.json").read_text())["error"]["code"] == "empty_document"
    assert json.loads((folder / "zima_2024.json").read_text()) == golden("zima_2024")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["extract"]).exit_code == 2
    assert CliRunner().invoke(main, ["extract", str(tmp_path / "missing.docx")]).exit_code == 2
    two = [str(sample_path("zima_2024")), str(sample_path("khmao_2023"))]
    assert CliRunner().invoke(main, ["extract", *two, "-o", str(tmp_path / "x.json")]).exit_code == 2


def test_no_plan_table(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Просто письмо без таблицы")
    path = tmp_path / "letter.docx"
    document.save(str(path))
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "no_plan_table"


def test_schema_command() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == render(Plan)
