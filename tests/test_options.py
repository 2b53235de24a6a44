"""One validated options object reaches every stage: hints (period, municipality, column roles,
OCR off, language data) and stage settings, from `extract()`, the command line and a file; the
result records the hints in `source.hints`; a failing rule costs one row (`internal_error`,
status partial), not the document. Expected values are the samples' own (golden/*.json, read by
hand when each golden was written) and dates worked out by hand from the hinted period."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from extractor import extract
from extractor.normalize import schedule as schedule_module
from extractor.options import Options, OptionsError, PeriodHint
from extractor.output import to_json
from extractor.pipeline import assemble, source_of
from lang import vocab
from models import Plan
from parsers import parse
from parsers.errors import ExtractionError
from tests.conftest import SAMPLE_DIR, golden, sample_path
from workflow.cli import main


def _json(plan: Plan) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json(plan))
    return result


# --- the object -----------------------------------------------------------------------------

def test_resolve_from_nothing_a_dict_and_options() -> None:
    assert Options.resolve() == Options()
    options = Options.resolve({"period": "2020/2021 учебный", "columns": {"3": "responsible"},
                               "pdf": {"running_zone": 0.2}, "ocr_settings": {"dpi": 200}})
    assert options.period == PeriodHint(start=2020, end=2021, academic=True)
    assert options.columns == {3: "responsible"}
    assert options.pdf.running_zone == 0.2 and options.pdf.min_running_pages == 2  # the rest stays default
    assert options.ocr_settings.dpi == 200
    changed = Options.resolve(options, municipality="  г.  Саров ")
    assert changed.municipality == "г. Саров" and changed.period == options.period
    with pytest.raises(Exception):  # noqa: B017 (frozen: pydantic's own error)
        options.ocr = False  # type: ignore[misc]


@pytest.mark.parametrize(("value", "period"), [
    ("2020", (dt.date(2020, 1, 1), dt.date(2020, 12, 31), "2020 год")),
    ("2024-2026", (dt.date(2024, 1, 1), dt.date(2026, 12, 31), "2024-2026 годы")),
    ("2020/2021 учебный", (dt.date(2020, 9, 1), dt.date(2021, 8, 31), "2020-2021 учебный год")),
    ("2019 - 2020 тренировочный", (dt.date(2019, 9, 1), dt.date(2020, 8, 31), "2019-2020 учебный год")),
    (2023, (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "2023 год")),
])
def test_period_hints(value: str | int, period: tuple[dt.date, dt.date, str]) -> None:
    got = Options.resolve({"period": value}).period
    assert got is not None
    p = got.period()
    assert (p.start, p.end, p.text) == period and not p.inferred


@pytest.mark.parametrize(("options", "words"), [
    ({"period": "вчера"}, "период не понят"),
    ({"period": "2021-2019"}, "раньше начала"),
    ({"period": "2020-2022 учебный"}, "не учебный год"),
    ({"columns": {"1": "foo"}}, "допустимые значения"),
    ({"columns": {"-1": "other"}}, "отрицательным"),
    ({"pdf": {"nope": 1}}, "pdf.nope: нет такой настройки"),
    ({"zzz": 1}, "zzz: нет такой настройки"),
    ({"ocr": "maybe"}, "ocr: нужно да или нет"),
    ({"municipality": "  "}, "пустое"),
    ({"language_data": "/no/such/folder"}, "папки с языковыми данными нет"),
])
def test_bad_options_are_refused_in_russian(options: dict[str, Any], words: str) -> None:
    with pytest.raises(OptionsError) as info:
        Options.resolve(options)
    assert words in str(info.value) and str(info.value).startswith("неверные настройки")


# --- hints in the result --------------------------------------------------------------------

def test_no_hints_leave_the_golden_as_it_is() -> None:
    assert _json(extract(sample_path("zima_2024"), {}))["source"]["hints"] == {}


def test_period_hint_replaces_the_stated_period_and_dates_follow() -> None:
    """Зима's plan states 2024; told 2030, «Март-апрель» (activity 1) is March–April 2030."""
    want = golden("zima_2024")
    assert want["activities"][0]["schedule"]["text"] == "Март-апрель"
    plan = _json(extract(sample_path("zima_2024"), {"period": "2030", "municipality": "Тест"}))
    assert plan["plan"]["period"] == {"start": "2030-01-01", "end": "2030-12-31", "text": "2030 год",
                                      "inferred": False}
    assert plan["plan"]["municipality"] == "Тест"
    schedule = plan["activities"][0]["schedule"]
    assert (schedule["start"], schedule["end"]) == ("2030-03-01", "2030-04-30")
    assert plan["source"]["hints"] == {"period": "2030 год", "municipality": "Тест"}


def test_column_hint_sets_a_role_and_takes_a_unique_one_from_its_holder() -> None:
    """Зима's columns (golden): 0 №, 1 Мероприятие, 2 Сроки, 3 Исполнители, 4 Показатель."""
    plan = _json(extract(sample_path("zima_2024"), {"columns": {3: "result", 4: "activity"}}))
    roles = {c["index"]: c["role"] for c in plan["columns"]}
    assert roles == {0: "number", 1: "other", 2: "schedule", 3: "result", 4: "activity"}
    first = plan["activities"][0]
    want = golden("zima_2024")["activities"][0]
    assert first["responsible"] == [] and first["result"] == want["responsible"][0]["text"]
    assert first["title"] == want["result"]  # the indicator column now names the activity
    assert plan["source"]["hints"]["columns"] == "3=result, 4=activity"


@pytest.mark.parametrize("name", ["zima_2024_photo.jpg", "zima_2024.pdf"])
def test_ocr_off_refuses_a_scan(name: str) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(SAMPLE_DIR / "scans" / name, {"ocr": False})
    assert info.value.code == "ocr_unavailable"


def test_language_data_folder_replaces_a_vocabulary(tmp_path: Path) -> None:
    """A headers.yaml without «исполнители» among the responsible headers: Зима's column 3 is
    then not responsible. The packaged words come back when the folder is dropped."""
    packaged = vocab.load("headers")
    data = yaml.safe_load(yaml.safe_dump(packaged, allow_unicode=True))
    data["roles"]["responsible"] = [p for p in data["roles"]["responsible"] if "исполн" not in p]
    (tmp_path / "headers.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        plan = _json(extract(sample_path("zima_2024"), {"language_data": tmp_path}))
        assert {c["index"]: c["role"] for c in plan["columns"]}.get(3) != "responsible"
        assert plan["source"]["hints"] == {"language_data": str(tmp_path)}
    finally:
        vocab.use_data(None)
    assert _json(extract(sample_path("zima_2024")))["columns"] == golden("zima_2024")["columns"]


# --- a failing rule costs one row -----------------------------------------------------------

def test_an_unexpected_error_in_a_rule_is_a_warning_and_a_partial_status(monkeypatch: pytest.MonkeyPatch) -> None:
    path = sample_path("tula_2020-2021")
    document = parse(path)
    real = schedule_module.normalize_schedule
    want = golden("tula_2020-2021")
    victim = want["activities"][4]["schedule"]["text"]

    def failing(text: str, *args: Any, **kwargs: Any) -> Any:
        if text == victim:
            raise RuntimeError("a bug in a rule")
        return real(text, *args, **kwargs)

    monkeypatch.setattr("extractor.pipeline.normalize_schedule", failing)
    plan = _json(assemble(document, source_of(path, document)))
    broken = [w for w in plan["warnings"] if w["code"] == "internal_error"]
    hit = sum(a["schedule"]["text"] == victim for a in want["activities"])
    assert len(broken) == hit and all("RuntimeError: a bug in a rule" in w["message"] for w in broken)
    assert victim in broken[0]["message"]
    assert len(plan["activities"]) == len(want["activities"]) - hit
    assert plan["status"] == "partial"
    assert want["status"] == "complete"


# --- the command line -----------------------------------------------------------------------

def test_cli_builds_the_options(tmp_path: Path) -> None:
    out = tmp_path / "z.json"
    settings = tmp_path / "options.yaml"
    settings.write_text("municipality: Из файла\npdf:\n  running_zone: 0.12\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(sample_path("zima_2024")), "-o", str(out),
                                       "--options", str(settings), "--period", "2020-2021", "--academic",
                                       "--column", "4=other", "--setting", "ocr_settings.dpi=200"])
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["source"]["hints"] == {"period": "2020-2021 учебный год", "municipality": "Из файла",
                                       "columns": "4=other"}
    assert plan["plan"]["period"]["start"] == "2020-09-01"


@pytest.mark.parametrize(("args", "words"), [
    (["--period", "вчера"], "период не понят"),
    (["--academic"], "--academic нужен вместе с --period"),
    (["--column", "3"], "КЛЮЧ=ЗНАЧЕНИЕ"),
    (["--setting", "pdf.nope=1"], "pdf.nope: нет такой настройки"),
])
def test_cli_refuses_bad_options(args: list[str], words: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["extract", str(sample_path("zima_2024")), "-o", str(tmp_path / "x.json"),
                                       *args])
    assert result.exit_code == 2 and words in result.output
    assert not (tmp_path / "x.json").exists()


def test_batch_reconverts_when_the_hints_change(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(sample_path("zima_2024"), root / "zima_2024.docx")
    out = tmp_path / "out"
    runs = [["batch", str(root), "-o", str(out), "-j", "1"],
            ["batch", str(root), "-o", str(out), "-j", "1"],
            ["batch", str(root), "-o", str(out), "-j", "1", "--municipality", "Зима"]]
    statuses = []
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        report = json.loads((out / "_report.json").read_text(encoding="utf-8"))
        statuses.append(report["files"][0]["status"])
    assert statuses == ["converted", "skipped", "converted"]
    (written,) = [p for p in out.glob("zima_2024.*.json")]
    assert json.loads(written.read_text(encoding="utf-8"))["plan"]["municipality"] == "Зима"


def test_verbose_logs_our_steps(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="extractor"):
        result = CliRunner().invoke(main, ["-v", "extract", str(sample_path("zima_2024")), "-o",
                                           str(tmp_path / "z.json")])
    assert result.exit_code == 0
    assert any("zima_2024.docx: 31 activities" in r.getMessage() for r in caplog.records)


# --- hints files beside a plan ----------------------------------------------------------------

def test_hints_file_beside_a_plan_is_applied_and_typed_flags_win(tmp_path: Path) -> None:
    plan = tmp_path / "zima_2024.docx"
    shutil.copy(sample_path("zima_2024"), plan)
    (tmp_path / "zima_2024.docx.hints.yaml").write_text(
        "period: '2020/2021 учебный'\nmunicipality: Из поправок\n", encoding="utf-8")
    out = tmp_path / "z.json"
    result = CliRunner().invoke(main, ["extract", str(plan), "-o", str(out), "--municipality", "Набрано"])
    assert result.exit_code == 0, result.output
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["source"]["hints"] == {"period": "2020-2021 учебный год", "municipality": "Набрано"}
    assert got["plan"]["period"]["start"] == "2020-09-01"


def test_a_bad_hints_file_fails_its_plan_only(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for name in ("zima_2024", "tula_2020-2021"):
        shutil.copy(sample_path(name), root / f"{name}.docx")
    (root / "tula_2020-2021.docx.hints.yaml").write_text("period: вчера\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "-j", "1"])
    assert result.exit_code == 3, result.output
    report = json.loads((out / "_report.json").read_text(encoding="utf-8"))
    by_name = {Path(f["input"]).name: f for f in report["files"]}
    assert by_name["zima_2024.docx"]["status"] == "converted"
    bad = by_name["tula_2020-2021.docx"]
    assert bad["status"] == "failed" and bad["error"]["code"] == "bad_options"
    assert "tula_2020-2021.docx.hints.yaml" in bad["error"]["message"] and "период не понят" in bad["error"]["message"]
    assert len(report["files"]) == 2  # the hints file is not an input


def test_write_hints_refuses_bad_ones_and_writes_good_ones(tmp_path: Path) -> None:
    from workflow.hints import read_hints, write_hints

    plan = tmp_path / "p.docx"
    with pytest.raises(OptionsError):
        write_hints(plan, {"period": "вчера"})
    assert not (tmp_path / "p.docx.hints.yaml").exists()
    write_hints(plan, {"period": "2021", "columns": {3: "responsible"}})
    assert read_hints(plan) == {"period": "2021", "columns": {3: "responsible"}}


def test_extract_has_a_time_limit(tmp_path: Path) -> None:
    out = tmp_path / "k.json"
    result = CliRunner().invoke(main, ["extract", str(SAMPLE_DIR / "scans" / "khmao_2023.pdf"), "-o", str(out),
                                       "--timeout", "0.5"])
    assert result.exit_code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["error"]["code"] == "timeout"
