"""`roadmap export`: the workbook people open (sheets, header, widths, wrapping, filters, real
dates, the summary with each plan's completeness card, parties with positions, merged headers)
and the CSV, on the samples; batch reports passed over; outputs with one set of permissions."""

from __future__ import annotations

import csv
import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from extractor.output import write_atomic
from models import Plan
from tests.conftest import extracted
from tests.english import ENGLISH
from tests.seedtext import SAMPLES
from workflow.cli import main
from workflow.compare_card import party_text
from workflow.export import (
    LoadedPlan,
    combined_columns,
    extra_columns,
    header_key,
    readable_warning,
    sheet_names,
    vocabulary,
)

NAMES = sorted(SAMPLES.values())


def write_plans(folder: Path, names: list[str] = NAMES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        path = folder / f"{name}.json"
        path.write_text(json.dumps(extracted(name), ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def export(*args: str) -> Any:
    result = CliRunner().invoke(main, ["export", *args])
    return result


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    folder = tmp_path_factory.mktemp("export")
    paths = write_plans(folder / "plans")
    target = folder / "plans.xlsx"
    result = export(*map(str, paths), "--xlsx", str(target))
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(target)


def headers(sheet: Any) -> list[str]:
    return [c.value for c in sheet[1]]


def test_sheets_combined_overview_and_one_per_plan(workbook: openpyxl.Workbook) -> None:
    vocab = vocabulary()
    plans = [extracted(n) for n in NAMES]
    assert workbook.sheetnames == [vocab.combined_sheet, vocab.overview_sheet,
                                   "khmao_2023", "Саров 2021-2022", "Тула 2020-2021",
                                   "Вилюйский улус 2019-2021", "Зиминское городское… 2024", "Проверка"]
    combined = workbook[vocab.combined_sheet]
    columns = combined_columns([Plan.model_validate(p) for p in plans])
    assert headers(combined) == [c.header for c in columns]
    assert headers(combined)[: len(vocab.columns) - 1] == [c.header for c in vocab.columns[:-1]]
    assert headers(combined)[-1] == "Файл"
    assert combined.max_row == 1 + sum(len(p["activities"]) for p in plans)
    for name, plan in zip(NAMES, plans, strict=True):
        sheet = workbook[workbook.sheetnames[2 + NAMES.index(name)]]
        assert sheet.max_row == 1 + len(plan["activities"])
        titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert titles == [a["title"] for a in plan["activities"]]


def test_combined_rows_carry_the_plan_values(workbook: openpyxl.Workbook) -> None:
    combined = workbook[vocabulary().combined_sheet]
    keys = [c.key for c in combined_columns([Plan.model_validate(extracted(n)) for n in NAMES])]
    rows = [dict(zip(keys, row, strict=True)) for row in combined.iter_rows(min_row=2, values_only=True)]
    tula = extracted("tula_2020-2021")
    tula_rows = [r for r in rows if r["file"] == "tula_2020-2021.docx"]
    assert len(tula_rows) == len(tula["activities"])
    for row, activity in zip(tula_rows, tula["activities"], strict=True):
        assert row["municipality"] == "Тула"
        assert row["number"] == activity["number"]
        assert row["activity"] == activity["title"]
        assert row["schedule"] == activity["schedule"]["text"]
        assert row["result"] == activity["result"]
        names = [party_text(p["name"], p["position"], p["role"]) for p in activity["responsible"]]
        assert row["responsible"] == ("; ".join(names) or None)
        section = next(s for s in tula["sections"] if s["id"] == activity["section"])
        assert row["section"] == f"{section['number']}. {section['title']}"
        for key in ("start", "end"):
            value = activity["schedule"][key]
            assert row[key] == (dt.datetime.fromisoformat(value) if value else None)
    khmao = extracted("khmao_2023")
    warned = {w["activity"] for w in khmao["warnings"] if w["activity"]}
    khmao_rows = [r for r in rows if r["file"] == "khmao_2023.docx"]
    assert {n + 1 for n, r in enumerate(khmao_rows) if r["warnings"]} == warned


def test_made_for_people(workbook: openpyxl.Workbook) -> None:
    vocab = vocabulary()
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert all(c.font.b for c in sheet[1])
        assert sheet.cell(row=2, column=1).alignment.wrap_text
    combined = workbook[vocab.combined_sheet]
    for n, column in enumerate(vocab.columns[:-1], start=1):
        assert combined.column_dimensions[openpyxl.utils.get_column_letter(n)].width == column.width
    start = [c.key for c in vocab.columns].index("start") + 1  # before the extra columns
    dated: list[Any] = [row[start - 1] for row in combined.iter_rows(min_row=2) if row[start - 1].value is not None]
    assert dated and all(c.is_date and c.number_format == vocab.date_format for c in dated)
    overview = workbook[vocab.overview_sheet]
    cells: list[Any] = [overview.cell(row=r, column=1) for r in range(2, overview.max_row + 1)]
    links = [c.hyperlink.location for c in cells]
    assert links == [f"'{name}'!A1" for name in workbook.sheetnames[2:-1]]  # the last: the checks' findings


def test_extra_columns_get_their_own_headers(workbook: openpyxl.Workbook) -> None:
    khmao = extracted("khmao_2023")
    sheet = workbook["khmao_2023"]
    extra = [h for h in headers(sheet) if h not in {c.header for c in vocabulary().columns}]
    expected = list(dict.fromkeys(h for a in khmao["activities"] for h in a["extra"]))
    assert sorted(extra) == sorted(expected) and extra
    column = headers(sheet).index(extra[0])
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [a["extra"].get(extra[0]) for a in khmao["activities"]]


def test_csv_of_all_activities(tmp_path: Path) -> None:
    paths = write_plans(tmp_path / "plans")
    target = tmp_path / "plans.csv"
    assert export(*map(str, paths), "--csv", str(target)).exit_code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the UTF-8 only with the BOM
    assert raw.decode("utf-8-sig").startswith("Муниципалитет;№;Раздел")  # «;» by default, for Russian Excel
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True), delimiter=";"))
    assert len(rows) == sum(len(extracted(n)["activities"]) for n in NAMES)
    zima = extracted("zima_2024")["activities"][0]
    first = next(r for r in rows if r["Файл"] == "zima_2024.docx")
    assert first["Мероприятие"] == zima["title"]
    assert first["Начало"] == (zima["schedule"]["start"] or "")  # ISO dates
    comma = tmp_path / "comma.csv"
    assert export(str(paths[0]), "--csv", str(comma), "--delimiter", ",").exit_code == 0
    assert comma.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Муниципалитет,№,Раздел")


def test_a_batch_folder_exports_its_plans_and_passes_over_errors(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_plans(folder, ["zima_2024"])
    (folder / "broken.1234.json").write_text(
        json.dumps({"error": {"code": "corrupt_file", "message": "x", "filename": "broken.docx"}}), encoding="utf-8")
    (folder / "_report.json").write_text("{}", encoding="utf-8")
    target = tmp_path / "out.xlsx"
    result = export(str(folder), "--xlsx", str(target))
    assert result.exit_code == 0, result.output
    assert "broken.1234.json: пропущен — объект ошибки: файл повреждён (corrupt_file)" in result.stderr
    assert openpyxl.load_workbook(target)[vocabulary().combined_sheet].max_row == 1 + len(
        extracted("zima_2024")["activities"])


def test_an_invalid_input_writes_nothing(tmp_path: Path) -> None:
    good = write_plans(tmp_path, ["zima_2024"])[0]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**extracted("zima_2024"), "activities": [{"seq": 0}]}), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    result = export(str(good), str(bad), "--xlsx", str(target))
    assert result.exit_code == 1
    assert "roadmap validate" in result.output and "не JSON плана" in result.output
    assert not target.exists() and not list(tmp_path.glob("*.tmp"))
    assert export(str(good)).exit_code == 2  # no output named


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    data = extracted("zima_2024")
    data = {**data, "activities": [{**data["activities"][0], "title": "=HYPERLINK(\"http://x\")\x0b"}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    assert export(str(path), "--xlsx", str(target)).exit_code == 0
    cell = openpyxl.load_workbook(target)[vocabulary().combined_sheet]["D2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\")"  # the control character dropped


def test_sheet_names_are_unique_and_fit() -> None:
    plan = Plan.model_validate(extracted("zima_2024"))
    names = sheet_names([LoadedPlan(Path("a"), plan)] * 3, ["Планы"])
    assert names == ["Зиминское городское… 2024", "Зиминское городское… 2024 (2)", "Зиминское городское… 2024 (3)"]
    assert all(len(n) <= 31 for n in names)


def test_check_column_names_what_the_rules_guessed() -> None:
    from workflow.export import activity_rows

    plan = Plan.model_validate(extracted("khmao_2023"))
    rows = {r["number"]: r for r in activity_rows(plan)}
    # "до 01.12.2023": its start comes from the period inferred from the dated cells (confidence low)
    first = next(a for a in plan.activities if a.schedule.text == "до 01.12.2023")
    assert first.schedule.confidence == "low"
    assert rows[first.number]["check"] == "сроки"
    sure = next(a for a in plan.activities
                if a.schedule.confidence == "high" and all(p.confidence == "high" for p in a.responsible))
    assert rows[sure.number]["check"] is None


# --- the summary, merged headers, positions, batch reports, permissions, Russian -----------

BATCH_REPORT = {"summary": {"inputs": 2, "converted": 1, "failed": 1}, "files": []}


def test_the_summary_sheet_has_a_completeness_card_per_plan(workbook: openpyxl.Workbook) -> None:
    vocab = vocabulary()
    summary = workbook[vocab.overview_sheet]
    assert vocab.overview_sheet == "Сводка"
    heads = headers(summary)
    for header in ("Мероприятий", "Доля с датами", "Доля с исполнителями", "Доля текста в JSON",
                   "Замечания по видам", "Проверить"):
        assert header in heads
    rows = {r[1]: dict(zip(heads, r, strict=True)) for r in summary.iter_rows(min_row=2, values_only=True)}
    tula = rows["tula_2020-2021.docx"]
    assert tula["Мероприятий"] == 21 and tula["Доля с датами"] == 1 and tula["Доля текста в JSON"] == 1
    khmao = rows["khmao_2023.docx"]
    assert "не исполнитель: " in khmao["Замечания по видам"]  # warnings by kind, in Russian
    assert "муниципалитет не указан" in khmao["Проверить"]
    share = summary.cell(row=2, column=heads.index("Доля с датами") + 1)
    assert share.number_format == "0%"


def test_parties_carry_their_positions() -> None:
    from workflow.export import activity_rows

    data = extracted("zima_2024")
    activity = data["activities"][0]
    activity["responsible"] = [
        {**activity["responsible"][0], "name": "Иванова И.И.", "kind": "person", "position": "зам. директора по ВР",
         "role": None},
    ]
    rows = activity_rows(Plan.model_validate(data))
    assert rows[0]["responsible"] == "Иванова И.И., зам. директора по ВР"


def test_headers_that_mean_the_same_are_one_column() -> None:
    assert header_key("Отметка о выполнении") == header_key("Отметка об исполнении") == \
        header_key("ОТМЕТКА  О ВЫПОЛНЕНИИ")
    assert header_key("Примечание") == header_key("Примечания")
    assert header_key("Место проведения") != header_key("Примечание")
    base = extracted("zima_2024")

    def with_extra(header: str, value: str) -> Plan:
        acts = [{**a, "extra": {header: value}} for a in base["activities"][:2]]
        return Plan.model_validate({**base, "activities": acts})

    plans = [with_extra("Отметка о выполнении", "да"), with_extra("Отметка об исполнении", "нет"),
             with_extra("Отметка о выполнении", "да")]
    columns = extra_columns(plans)
    assert [c.header for c in columns] == ["Отметка о выполнении"]  # the header most values had
    from workflow.export import activity_rows

    assert activity_rows(plans[1])[0][columns[0].key] == "нет"


def test_the_batch_report_named_among_the_files_is_passed_over(tmp_path: Path) -> None:
    """`roadmap export out/*.json`: the shell names _report.json too."""
    folder = tmp_path / "out"
    paths = write_plans(folder, ["zima_2024"])
    report = folder / "_report.json"
    report.write_text(json.dumps(BATCH_REPORT), encoding="utf-8")
    renamed = folder / "report-copy.json"  # a batch report under another name is one too
    renamed.write_text(json.dumps(BATCH_REPORT), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    result = export(*map(str, [*paths, report, renamed]), "--xlsx", str(target))
    assert result.exit_code == 0, result.output
    assert f"{report}: отчёт пакетной обработки, пропущен" in result.stderr
    assert f"{renamed}: отчёт пакетной обработки, пропущен" in result.stderr


def test_every_output_gets_the_permissions_of_the_json(tmp_path: Path) -> None:
    paths = write_plans(tmp_path / "plans", ["zima_2024", "tula_2020-2021"])
    json_out = tmp_path / "plan.json"
    write_atomic(json_out, "{}")
    out = {name: tmp_path / name for name in ("e.xlsx", "e.csv", "c.html", "c.xlsx")}
    assert export(*map(str, paths), "--xlsx", str(out["e.xlsx"]), "--csv", str(out["e.csv"])).exit_code == 0
    result = CliRunner().invoke(main, ["compare", *map(str, paths), "-o", str(out["c.html"]),
                                       "--xlsx", str(out["c.xlsx"])])
    assert result.exit_code == 0, result.output
    mode = stat.S_IMODE(json_out.stat().st_mode)
    assert mode & 0o044  # shared files, not mkstemp's 0600
    assert {name: stat.S_IMODE(p.stat().st_mode) for name, p in out.items()} == dict.fromkeys(out, mode)


def test_no_english_sentence_reaches_the_workbook_or_the_output(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    data = extracted("khmao_2023")
    # JSON written before the extractor's messages were Russian: still Russian in the workbook
    data["warnings"].append({"code": "schedule_unread", "message": "schedule not understood: Доп.график",
                             "activity": 1})
    data["warnings"].append({"code": "text_layer_replaced", "message": "page 1: a scanned image; read by OCR",
                             "activity": None})
    folder.mkdir()
    (folder / "khmao.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_plans(folder, ["zima_2024"])
    (folder / "broken.json").write_text(json.dumps(
        {"error": {"code": "corrupt_file", "message": "x", "filename": "broken.docx"}}), encoding="utf-8")
    (folder / "_report.json").write_text(json.dumps(BATCH_REPORT), encoding="utf-8")
    target = tmp_path / "out.xlsx"
    result = export(*sorted(map(str, folder.glob("*.json"))), "--xlsx", str(target), "--csv",
                    str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert not ENGLISH.search(result.output), result.output
    texts = [str(c.value) for ws in openpyxl.load_workbook(target).worksheets for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)]
    found = [t for t in texts if ENGLISH.search(t)]
    assert not found, found[:5]
    assert "срок не прочитан: Доп.график" in texts
    assert readable_warning("text_layer_replaced", "page 1: a scanned image; read by OCR") == \
        "страница распознана заново"
    assert readable_warning("row_skipped", "таблица 0, строка 3: «Итого»") == "таблица 0, строка 3: «Итого»"
    usage = export(str(folder))  # no output named
    assert usage.exit_code == 2 and "укажите, что записать" in usage.output
    nothing = export(str(folder / "broken.json"), "--xlsx", str(tmp_path / "x.xlsx"))
    assert nothing.exit_code == 1 and "Ошибка: нет планов для выгрузки" in nothing.output


def test_abbreviated_and_cut_headers_are_the_same_field() -> None:
    assert header_key("Кол-во") == header_key("Коли- чество") == header_key("Количество")
    assert header_key("Ед. Учёта") == header_key("Единица учета")


def test_a_findings_sheet_lists_what_the_checks_found(workbook: openpyxl.Workbook) -> None:
    """The checks (workflow.check) in the workbook: Саров's activity 5 repeats activity 1 in the
    same section with the same schedule (read in golden/sarov_2021-2022.json), so its row is there."""
    from workflow.check import FINDINGS_HEADER, FINDINGS_SHEET

    sheet = workbook[FINDINGS_SHEET]
    assert headers(sheet) == list(FINDINGS_HEADER)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    sarov = [r for r in rows if any("sarov" in str(v) for v in r[:2])]
    assert any(r[3] == 5 and "повтор" in str(r[6]).lower() for r in sarov), sarov
