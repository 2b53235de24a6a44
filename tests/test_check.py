"""`roadmap check`: the findings on the five samples (written by hand from their goldens), every
check on plans built to trip it, region rules from YAML (tests/data/check_rules.yaml) and their
errors, the command's JSON and HTML, and what the Excel export and the comparison report take."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from models import Plan
from tests.conftest import GOLDEN_DIR, golden
from tests.seedtext import ROOT
from workflow.check import (
    CODES,
    FINDINGS_HEADER,
    FINDINGS_WIDTHS,
    Finding,
    RulesError,
    check_plans,
    findings,
    findings_section_html,
    findings_sheet_rows,
    load_rules,
    parse_rules,
    render_html,
)
from workflow.cli import main

RULES = ROOT / "tests" / "data" / "check_rules.yaml"
STEMS = sorted(p.stem for p in GOLDEN_DIR.glob("*.json"))


def plan(stem: str) -> Plan:
    return Plan.model_validate(golden(stem))


def codes(found: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.code, f.seq) for f in found]


# --- the samples ------------------------------------------------------------------------------------

def test_findings_on_the_samples() -> None:
    """Read from the goldens by hand: ХМАО 21 and 22 name no party, 22 runs over the 2022-2023
    school year in a plan for 2023; Саров 5 repeats 1 word for word with the same months; Тула
    and Вилюйск have no result column; Зима is clean."""
    assert codes(findings(plan("khmao_2023"))) == [("no_responsible", 21), ("date_outside_period", 22),
                                                   ("no_responsible", 22)]
    khmao = next(f for f in findings(plan("khmao_2023")) if f.code == "date_outside_period")
    assert khmao.message == ("Срок «2022-2023 учебный год 31.05.2023» (01.09.2022–31.08.2023) выходит за период "
                             "плана 01.01.2023–31.12.2023 (период в документе не указан, выведен из его дат).")
    sarov = findings(plan("sarov_2021-2022"))
    assert codes(sarov) == [("duplicate_activity", 5)]
    assert sarov[0].related == (1,) and sarov[0].number == "5"
    assert sarov[0].message == "Повторяет мероприятие № 1 (то же название, тот же срок «Сентябрь – октябрь 2021 г.»)."
    assert codes(findings(plan("tula_2020-2021"))) == [("no_result_column", None)]
    assert codes(findings(plan("vilyuisk_2019-2021"))) == [("no_result_column", None)]
    assert findings(plan("zima_2024")) == []


def test_messages_are_russian_and_codes_stable() -> None:
    for stem in STEMS:
        for f in findings(plan(stem), load_rules(RULES)):
            assert f.code in CODES and re.fullmatch(r"[a-z_]+", f.code)
            assert re.search("[а-яё]", f.message) and not re.search(r"[A-Za-z]{3,}", f.message.replace("ШНОР", ""))
    assert all(re.search("[а-яё]", name) for _, name in CODES.values())


# --- every check, on plans built to trip it -----------------------------------------------------------

def _party(name: str) -> dict[str, Any]:
    return {"text": name, "name": name, "kind": "organization"}


def edited(stem: str, changes: dict[int, dict[str, Any]], **root: Any) -> Plan:
    """A golden with some activities' fields replaced (by seq) and root fields set."""
    data = copy.deepcopy(golden(stem))
    for seq, fields in changes.items():
        data["activities"][seq - 1].update(fields)
    for key, value in root.items():
        if key == "period":
            data["plan"]["period"] = value
        else:
            data[key] = value
    return Plan.model_validate(data)


def _schedule(text: str, kind: str, start: str | None = None, end: str | None = None,
              **more: Any) -> dict[str, Any]:
    return {"text": text, "kind": kind, "start": start, "end": end, "occurrences": [], **more}


def test_schedules() -> None:
    p = edited("zima_2024", {
        2: {"schedule": _schedule("", "unknown")},
        3: {"schedule": _schedule("по готовности", "unknown")},
        4: {"schedule": _schedule("3–4 дня", "unknown", duration={"value": 3, "max": 4, "unit": "day"})},
        5: {"schedule": _schedule("Март 2025", "period", "2025-03-01", "2025-03-31")},
        6: {"schedule": _schedule("до 01.12.2023", "deadline", "2024-01-01", "2023-12-01")},
        7: {"schedule": _schedule("Декабрь 2023, март 2024", "multiple", "2023-12-01", "2024-03-31",
                                  occurrences=[{"start": "2023-12-01", "end": "2023-12-31"},
                                               {"start": "2024-03-01", "end": "2024-03-31"}])},
        8: {"schedule": _schedule("по запросу", "on_demand")},
    })
    found = {f.seq: f for f in findings(p) if f.seq is not None}
    assert {seq: f.code for seq, f in found.items()} == {
        2: "no_schedule", 3: "schedule_unknown", 4: "schedule_unknown", 5: "date_outside_period",
        6: "deadline_before_start", 7: "date_outside_period"}
    assert found[3].message == "Срок «по готовности» не прочитан как дата или период."
    assert found[4].message == "Указана только продолжительность («3–4 дня»), без дат."
    assert found[5].message == "Срок «Март 2025» (01.03.2025–31.03.2025) выходит за период плана 01.01.2024–31.12.2024."
    assert found[6].message == "Крайний срок 01.12.2023 («до 01.12.2023») раньше начала плана 01.01.2024."
    assert "(01.12.2023–31.12.2023)" in found[7].message  # only the window outside is named


def test_no_period_no_columns() -> None:
    data = copy.deepcopy(golden("zima_2024"))
    data["plan"]["period"] = None
    data["columns"] = [c for c in data["columns"] if c["role"] not in ("responsible", "result")]
    found = codes(findings(Plan.model_validate(data)))
    assert found == [("no_period", None), ("no_responsible_column", None), ("no_result_column", None)]
    data["columns"] = [c for c in data["columns"] if c["role"] != "schedule"]
    assert ("no_schedule_column", None) in codes(findings(Plan.model_validate(data)))


def test_parties_and_results() -> None:
    p = edited("zima_2024", {3: {"responsible": []}, 9: {"result": None}, 10: {"result": "  "}})
    assert codes(findings(p)) == [("no_responsible", 3), ("no_result", 9), ("no_result", 10)]


def test_duplicates_repeats_and_near_duplicates() -> None:
    base = golden("zima_2024")["activities"]
    p = edited("zima_2024", {
        5: {"title": base[1]["title"], "schedule": base[1]["schedule"]},  # 2 again, same month
        6: {"title": base[2]["title"] + "."},  # 3 again (punctuation aside), another month
        7: {"title": base[3]["title"].replace("индивидуальных", "индивидуалных")},  # a typo of 4
        8: {"title": "Контрольная работа за 1 четверть по математике"},
        9: {"title": "Контрольная работа за 2 четверть по математике"},  # another quarter: not one
        10: {"title": "Педсовет"},
        11: {"title": "Педсовет"},  # short titles repeat by design
    })
    found = [f for f in findings(p) if f.seq is not None]
    assert codes(found) == [("duplicate_activity", 5), ("repeated_activity", 6), ("near_duplicate_activity", 7)]
    assert [f.related for f in found] == [(2,), (3,), (4,)]
    assert found[1].message == "То же название, что у мероприятия № 3, срок другой: «Февраль-апрель» и «Апрель»."
    assert "сходство названий 99 %" in found[2].message


def test_the_same_title_in_another_section_is_a_repeat() -> None:
    """A monthly plan lists its meetings again under every month: a notice, not a duplicate."""
    data = copy.deepcopy(golden("vilyuisk_2019-2021"))
    acts = data["activities"]
    acts[30].update(title=acts[20]["title"], schedule=acts[20]["schedule"])  # 31 (section s8) as 21 (s5)
    data["sections"].append({"id": "s10", "title": "Повышение кадрового потенциала", "level": 2, "parent": "s3"})
    acts[31].update(title=acts[21]["title"], schedule=acts[21]["schedule"], section="s10")  # 32 as 22, s5's twin
    found = [(f.code, f.seq, f.message) for f in findings(Plan.model_validate(data)) if f.seq is not None]
    assert found == [
        ("repeated_activity", 31, "То же название, что у мероприятия 21-е по порядку, в разделе «Мониторинг и "
                                  "контроль», а то — в «Повышение кадрового потенциала»."),
        ("repeated_activity", 32, "То же название, что у мероприятия 22-е по порядку, в другом разделе с тем же "
                                  "названием «Повышение кадрового потенциала»."),
    ]


def test_empty_sections() -> None:
    data = copy.deepcopy(golden("vilyuisk_2019-2021"))
    # s3 holds no activity itself but its subsections do: not empty
    data["sections"].append({"id": "s10", "number": "10", "title": "Итоги", "level": 1, "parent": None})
    found = findings(Plan.model_validate(data))
    assert [(f.code, f.message) for f in found if f.code == "empty_section"] == [
        ("empty_section", "В разделе «10. Итоги» нет мероприятий.")]


# --- region rules -----------------------------------------------------------------------------------

def test_rules_on_the_samples() -> None:
    rules = load_rules(RULES)
    assert rules.name == "Требования региона к дорожным картам 2024 года" and rules.source == "check_rules.yaml"
    by_plan = {s: [(f.code, f.message) for f in findings(plan(s), rules)
                   if f.code.startswith("missing") or f.code == "after_deadline"] for s in STEMS}
    assert by_plan["zima_2024"] == [
        ("missing_topic", "Нет мероприятий обязательной темы «Курсы повышения квалификации»."),
        ("missing_topic", "Нет мероприятий обязательной темы «Работа с родителями»."),
        ("missing_column", "Нет обязательного столбца «Форма отчетности»."),
    ]  # its sections «Организационные мероприятия» and «Мониторинги» are there
    assert ("missing_section", "Нет обязательного раздела «Мониторинг» (в плане нет разделов).") in \
        by_plan["sarov_2021-2022"]
    assert ("missing_column", "Нет обязательного столбца «результат».") in by_plan["tula_2020-2021"]
    # «Курсы повышения квалификации» is found as «курсов повышения квалификации» (Вилюйск 3), and
    # «Работа с родителями» as its section
    assert not [m for c, m in by_plan["vilyuisk_2019-2021"] if c == "missing_topic"]


def test_deadline_and_ignore() -> None:
    rules = parse_rules({"deadline": "2024-10-31", "ignore": ["no_result_column"]})
    found = [(f.code, f.seq) for f in findings(plan("zima_2024"), rules)]
    ongoing = [a.seq for a in plan("zima_2024").activities if a.schedule.end and a.schedule.end.month > 10]
    assert found == [("after_deadline", seq) for seq in ongoing] and len(ongoing) == 15  # «В течение года»
    tula = findings(plan("tula_2020-2021"), rules)
    assert "no_result_column" not in {f.code for f in tula}
    message = next(f.message for f in findings(plan("zima_2024"), rules) if f.seq == 5)
    assert message == "Срок окончания 31.12.2024 позже крайнего срока региона 31.10.2024."


def test_near_duplicate_threshold_from_rules() -> None:
    base = golden("zima_2024")["activities"]
    p = edited("zima_2024", {7: {"title": base[3]["title"][:-60] + " и руководителями школ"}})  # ratio 89
    assert "near_duplicate_activity" not in {f.code for f in findings(p)}
    assert "near_duplicate_activity" in {f.code for f in findings(p, parse_rules({"near_duplicate": 70}))}


@pytest.mark.parametrize(("data", "message"), [
    ({"colour": 1}, "неизвестный ключ colour"),
    ({"deadline": "31.12.2024"}, "deadline: нужна дата ГГГГ-ММ-ДД"),
    ({"required_columns": "schedule"}, "required_columns: нужен список"),
    ({"required_topics": [{"name": "КПК", "words": ["курсы"]}]}, "required_topics[0]: неизвестный ключ words"),
    ({"required_sections": [{"keywords": ["мониторинг"]}]}, "required_sections[0].name: нужно название"),
    ({"required_sections": ["—"]}, "required_sections[0]: фраза без слов"),
    ({"ignore": ["no_such_code"]}, "ignore: неизвестный код no_such_code"),
    ({"near_duplicate": 120}, "near_duplicate: нужно число от 1 до 100"),
    ([1, 2], "файл правил должен быть словарём ключей"),
])
def test_bad_rules_name_the_key(data: Any, message: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(data)
    assert str(caught.value).startswith(message)


# --- what other outputs take --------------------------------------------------------------------------

def test_sheet_rows_for_the_export() -> None:
    rows = findings_sheet_rows([plan(s) for s in STEMS])
    assert len(FINDINGS_HEADER) == len(FINDINGS_WIDTHS) == 8
    assert all(len(r) == len(FINDINGS_HEADER) for r in rows)
    assert len(rows) == sum(len(findings(plan(s))) for s in STEMS)
    sarov = [r for r in rows if r[1] == "sarov_2021-2022.docx"]
    assert sarov == [["Саров 2021–2022", "sarov_2021-2022.docx", "5", 5, plan("sarov_2021-2022").activities[4].title,
                      "проверить", sarov[0][6], "duplicate_activity"]]
    tula = next(r for r in rows if r[1] == "tula_2020-2021.docx")
    assert tula[2:5] == [None, None, None] and tula[5] == "к сведению"
    checked = check_plans([plan("khmao_2023")], load_rules(RULES))
    assert findings_sheet_rows(checked) == findings_sheet_rows([plan("khmao_2023")], load_rules(RULES))


def test_section_for_the_comparison_report() -> None:
    checked = check_plans([plan(s) for s in STEMS])
    fragment = findings_section_html(checked, heading_level=3)
    doc = lxml_html.fragment_fromstring(str(fragment), create_parent="div")
    assert doc.xpath("//section[@id='checks']/h3/text()") == ["Проверка планов"]
    assert len(doc.xpath("//h4[@class='chk-plan']")) == 5
    assert len(doc.xpath("//tr[@data-code]")) == sum(len(c.findings) for c in checked)
    assert doc.xpath("//tr[@data-code='duplicate_activity']/@data-seq") == ["5"]
    assert doc.xpath("string(//tr[@data-code='date_outside_period']/td[@class='sev'])") == "ошибка"
    assert doc.xpath("//p[@class='chk-none']/text()") == ["Замечаний нет."]  # Зима


# --- the command --------------------------------------------------------------------------------------

def test_check_command_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(GOLDEN_DIR), "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["rules"] == {"file": "check_rules.yaml", "name": "Требования региона к дорожным картам 2024 года"}
    assert [p["file"] for p in data["plans"]] == [f"{s}.json" for s in STEMS]
    sarov = data["plans"][1]
    assert sarov["label"] == "Саров 2021–2022" and sarov["activities"] == 22
    dup = next(f for f in sarov["findings"] if f["code"] == "duplicate_activity")
    assert dup == {"code": "duplicate_activity", "severity": "warning", "message": dup["message"], "activity": 5,
                   "number": "5", "related": [1]}
    assert sarov["counts"] == {"error": 4, "warning": 1, "notice": 0}  # two sections, a topic, a column
    assert "Саров 2021–2022 (sarov_2021-2022.json): ошибок 4, проверить 1, к сведению 0" in result.stderr
    out = tmp_path / "out" / "check.json"
    again = CliRunner().invoke(main, ["check", str(GOLDEN_DIR), "--rules", str(RULES), "-o", str(out)])
    assert again.exit_code == 0 and json.loads(out.read_text(encoding="utf-8")) == data


def test_check_command_html(tmp_path: Path) -> None:
    out = tmp_path / "check.html"
    result = CliRunner().invoke(main, ["check", str(GOLDEN_DIR / "khmao_2023.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text == render_html(check_plans([(plan("khmao_2023"), "khmao_2023.json")]))
    doc = lxml_html.fromstring(text.encode("utf-8"))
    assert doc.get("lang") == "ru" and not doc.xpath("//script | //@href | //@src")
    assert doc.xpath("//tr[@data-code]/@data-seq") == ["21", "22", "22"]


def test_check_command_inputs_that_are_not_plans(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text(json.dumps({"error": {"code": "corrupt_file", "message": "повреждён",
                                                                "filename": "b.docx"}}), encoding="utf-8")
    (tmp_path / "report.json").write_text(json.dumps({"summary": {}, "files": []}), encoding="utf-8")
    (tmp_path / "zima.json").write_text((GOLDEN_DIR / "zima_2024.json").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [p["file"] for p in data["plans"]] == ["zima.json"]
    assert data["not_checked"] == [{"file": "broken.json", "message": "план не извлечён (corrupt_file): повреждён"}]
    assert "report.json: отчёт пакетной обработки, пропущен" in result.stderr
    bad_rules = tmp_path / "rules.yaml"
    bad_rules.write_text("deadline: завтра\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["check", str(tmp_path / "zima.json"), "--rules", str(bad_rules)])
    assert refused.exit_code == 2 and "deadline: нужна дата ГГГГ-ММ-ДД" in refused.stderr
