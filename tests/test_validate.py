"""`roadmap validate`: the samples' JSON is valid; every schema error is printed with its JSON path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import extracted
from tests.seedtext import SAMPLES
from workflow.cli import main
from workflow.validate import Problem, check_file, problems

NAMES = sorted(SAMPLES.values())
Doc = dict[str, Any]


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_samples_are_valid(tmp_path: Path) -> None:
    paths = [write(tmp_path / f"{name}.json", extracted(name)) for name in NAMES]
    result = CliRunner().invoke(main, ["validate", *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{p}: ошибок нет" for p in paths]
    assert "файлов: 5, верных: 5, с ошибками: 0 (ошибок: 0)" in result.stderr


def _set(path: list[str | int], value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return change


def _drop(path: list[str | int]) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
    return change


MUTATIONS = [
    (_set(["activities", 2, "schedule", "kind"], "sometimes"), "$.activities[2].schedule.kind", "is not one of"),
    (_set(["activities", 3, "schedule", "start"], "2021-13-01"), "$.activities[3].schedule.start", "is not a 'date'"),
    (_set(["plan", "period", "start"], 5), "$.plan.period.start", "5 is not of type 'string'"),
    (_drop(["plan", "title"]), "$.plan", "'title' is a required property"),
    (_set(["bogus"], 1), "$", "'bogus' was unexpected"),
    (_set(["activities", 1, "seq"], 0), "$.activities[1].seq", "less than the minimum of 1"),
    (_set(["activities", 0, "responsible", 0, "kind"], "team"), "$.activities[0].responsible[0].kind", "'team'"),
    (_set(["plan", "period"], {"text": "x"}), "$.plan.period", "'start' is a required property"),
    (_set(["activities", 4, "title"], ["x" * 500]), "$.activities[4].title", "is not of type 'string'"),
]


@pytest.mark.parametrize(("change", "path", "message"), MUTATIONS)
def test_each_error_is_named_with_its_json_path(change: Callable[[Doc], None], path: str, message: str) -> None:
    doc = copy.deepcopy(extracted("tula_2020-2021"))
    change(doc)
    found = problems(doc)
    assert found, "the change was not caught"
    assert any(p.path == path and message in p.message for p in found), found
    assert all(len(p.message) < 300 for p in found)  # long values are cut


def test_every_error_of_a_file_is_printed(tmp_path: Path) -> None:
    doc = copy.deepcopy(extracted("tula_2020-2021"))
    together = [m for m in MUTATIONS if m[1] != "$.plan.period"]  # that one would undo the period.start one
    for change, _, _ in together:
        change(doc)
    bad = write(tmp_path / "bad.json", doc)
    good = write(tmp_path / "good.json", extracted("zima_2024"))
    result = CliRunner().invoke(main, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{good}: ошибок нет"
    printed = {line.split(": ", 2)[1] for line in lines[1:]}
    assert printed >= {path for _, path, _ in together}
    assert all(line.startswith(f"{bad}: $") for line in lines[1:])
    paths = [line.split(": ", 2)[1] for line in lines[1:]]
    assert paths.index("$.plan") < paths.index("$.activities[1].seq")  # in document order


def test_error_objects_are_held_to_the_error_schema(tmp_path: Path) -> None:
    ok = {"error": {"code": "corrupt_file", "message": "damaged", "filename": "a.docx"}}
    assert problems(ok) == []
    wrong = {"error": {"code": "exploded", "message": "damaged", "filename": "a.docx"}}
    (problem,) = problems(wrong)
    assert problem.path == "$.error.code" and "'exploded' is not one of" in problem.message
    assert problems({"error": {"code": "corrupt_file"}})[0].path == "$.error"


def test_unreadable_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "1.0",,}', encoding="utf-8")
    assert check_file(broken) == [Problem("$", "не JSON: Expecting property name enclosed in double quotes, "
                                                "строка 1, столбец 26")]
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"a": "é"}'.encode("latin-1"))
    assert check_file(latin)[0].message.startswith("не текст UTF-8")


def test_a_folder_is_walked_and_the_batch_report_left_out(tmp_path: Path) -> None:
    write(tmp_path / "zima.json", extracted("zima_2024"))
    write(tmp_path / "_report.json", {"summary": {}})
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'zima.json'}: ошибок нет\n"
    (tmp_path / "zima.json").unlink()
    assert CliRunner().invoke(main, ["validate", str(tmp_path)]).exit_code == 2
