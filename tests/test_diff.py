"""`roadmap diff`: alignment by content on pairs built from the samples' goldens, with the diffs
a person expects written by hand in tests/data/diff_pairs.yaml (rows reordered and renumbered,
sections renumbered, dates, parties and results changed, activities split, merged, added and
removed, titles reworded among near-identical ones); the JSON and the command; the HTML page
rendered in headless Chromium; and the time of a 200-activity pair."""

from __future__ import annotations

import copy
import json
import re
import shutil
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from lxml import html as lxml_html
from PIL import Image

from models import Plan
from tests.chromium import chromium, count_near, run_chromium
from tests.conftest import GOLDEN_DIR, golden, sample_path
from tests.seedtext import ROOT
from workflow.cli import main
from workflow.diff import Diff, diff, render_html, same_municipality_pairs, word_diff

PAIRS = ROOT / "tests" / "data" / "diff_pairs.yaml"
ARTIFACTS = ROOT / "build" / "test-artifacts"  # git-ignored; screenshots kept for a person to look at
Line = tuple[str, tuple[int, ...], tuple[int, ...], tuple[str, ...]]


@cache
def pairs() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))["pairs"]
    return data


def plan(stem: str) -> Plan:
    return Plan.model_validate(golden(stem))


def _party(name: str) -> dict[str, Any]:
    return {"text": name, "name": name, "kind": "organization"}


def _schedule(spec: dict[str, Any]) -> dict[str, Any]:
    out = {"text": spec["text"], "kind": spec["kind"], "start": spec.get("start"), "end": spec.get("end"),
           "occurrences": []}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in out.items()}


def _edit(activity: dict[str, Any], spec: dict[str, Any]) -> None:
    for key, value in spec.items():
        if key == "from":
            continue
        if key == "schedule":
            activity["schedule"] = _schedule(value)
        elif key == "responsible":
            activity["responsible"] = [_party(n) for n in value]
        else:
            activity[key] = value


def _shift(number: str | None, by: int) -> str | None:
    if number is None:
        return None
    head, dot, rest = number.partition(".")
    return f"{int(head) + by}{dot}{rest}" if head.isdigit() else number


def _later(value: Any, years: int) -> Any:
    """Dates and years in a JSON value moved `years` later ("2024-03-01", "Март 2024")."""
    if isinstance(value, dict):
        return {k: _later(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_later(v, years) for v in value]
    if isinstance(value, str):
        return re.sub(r"\b20\d\d\b", lambda m: str(int(m.group()) + years), value)
    return value


def build_new(old: Plan, spec: dict[str, Any]) -> Plan:
    """The new plan a pair describes, from the old one."""
    if "other" in spec:
        return plan(spec["other"])
    data = old.model_dump(mode="json")
    if spec.get("years_later"):  # the same plan for a later year: its period and schedules moved
        data["plan"]["period"] = _later(data["plan"]["period"], spec["years_later"])
        for activity in data["activities"]:
            activity["schedule"] = _later(activity["schedule"], spec["years_later"])
    olds = data["activities"]
    activities: list[dict[str, Any]] = []
    for place, row in enumerate(spec["new"], start=1):
        if isinstance(row, int):
            activity = copy.deepcopy(olds[row - 1])
        elif "from" in row:
            activity = copy.deepcopy(olds[row["from"] - 1])
        else:
            activity = {"seq": place, "number": None, "section": None, "title": "", "subitems": [],
                        "schedule": {"text": "", "kind": "unknown"}, "responsible": [], "result": None,
                        "extra": {}, "provenance": {"page": None, "table": 0, "rows": [0]}}
        if isinstance(row, int) or "from" in row:
            activity["number"] = _shift(activity["number"], spec.get("shift_numbers", 0))
        if isinstance(row, dict):
            _edit(activity, row)
        activity["seq"] = place
        if spec.get("renumber"):
            activity["number"] = str(place)
        activities.append(activity)
    data["activities"] = activities
    for sid, fields in (spec.get("sections") or {}).items():
        next(s for s in data["sections"] if s["id"] == sid).update(fields)
    data["sections"] = [{"parent": None, **s} for s in spec.get("add_sections", [])] + data["sections"]
    return Plan.model_validate(data)


def _seqs(text: str) -> list[int]:
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        out += list(range(int(first), int(last or first) + 1))
    return out


def expected_lines(lines: list[str]) -> list[Line]:
    """The hand-written lines, ranges expanded to one entry per pair."""
    out: list[Line] = []
    for line in lines:
        head, _, fields = line.partition(":")
        status, _, rest = head.strip().partition(" ")
        left, _, right = rest.partition("->")
        old, new = _seqs(left), _seqs(right)
        changed = tuple(f.strip() for f in fields.split(",") if f.strip())
        status = {"same": "unchanged"}.get(status, status)
        if status in ("unchanged", "changed"):
            assert len(old) == len(new), line
            out += [(status, (o,), (n,), changed) for o, n in zip(old, new, strict=True)]
        elif status == "removed":
            out += [(status, (o,), (), ()) for o in old]
        elif status == "added":
            out += [(status, (), (n,), ()) for n in new]
        else:
            out.append((status, tuple(old), tuple(new), ()))
    return out


def actual_lines(result: Diff) -> list[Line]:
    return [(e.status, tuple(a.seq for a in e.old), tuple(a.seq for a in e.new), tuple(e.fields))
            for e in result.entries]


def _flagged(result: Diff, flag: str) -> set[int]:
    return {e.old[0].seq for e in result.entries if e.old and e.new and getattr(e, flag)}


@pytest.mark.parametrize("spec", pairs(), ids=[p["name"] for p in pairs()])
def test_hand_written_pairs(spec: dict[str, Any]) -> None:
    old = plan(spec["old"])
    result = diff(old, build_new(old, spec))
    assert actual_lines(result) == expected_lines(spec["expected"])
    matched = {e.old[0].seq for e in result.entries if e.status in ("unchanged", "changed")}
    assert result.years == spec.get("years_later", 0)
    for flag in ("renumbered", "reordered", "section_changed"):
        if flag in spec:
            want = matched if spec[flag] == "all" else set(spec[flag])
            assert _flagged(result, flag) == want, flag


def test_a_plan_against_itself_is_unchanged() -> None:
    for path in sorted(GOLDEN_DIR.glob("*.json")):
        p = plan(path.stem)
        result = diff(p, p)
        assert [e.status for e in result.entries] == ["unchanged"] * len(p.activities)
        assert [(e.old[0].seq, e.new[0].seq) for e in result.entries] == [(a.seq, a.seq) for a in p.activities]
        assert not any(e.renumbered or e.reordered or e.section_changed for e in result.entries)


def test_identical_titles_keep_their_order() -> None:
    """Two activities with one title (Саров 1 and 5) pair with their own copies, not crosswise."""
    old = plan("sarov_2021-2022")
    assert old.activities[0].title == old.activities[4].title
    result = diff(old, old)
    assert [(e.old[0].seq, e.new[0].seq) for e in result.entries][:5] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]


def test_changes_say_what_changed() -> None:
    spec = next(p for p in pairs() if p["name"] == "dates, parties and result changed")
    old = plan(spec["old"])
    result = diff(old, build_new(old, spec)).as_json()
    by_old = {e["old"][0]["seq"]: e for e in result["entries"]}
    schedule = by_old[2]["changes"][0]
    assert schedule == {"field": "schedule", "old": {"text": "16.02.2023", "kind": "date", "start": "2023-02-16",
                                                    "end": "2023-02-16"},
                        "new": {"text": "20.02.2023", "kind": "date", "start": "2023-02-20", "end": "2023-02-20"}}
    parties = by_old[15]["changes"][0]
    assert parties["added"] == ["ЦНППМ"] and parties["removed"] == []
    assert by_old[40]["changes"][0]["new"].startswith("Анализ выполнения Программы")
    assert result["summary"] == {"unchanged": 39, "changed": 6, "added": 0, "removed": 0, "split": 0, "merged": 0,
                                 "renumbered": 0, "moved": 0}


def test_word_diff_marks_what_went_and_came() -> None:
    old, new = word_diff("Определение кандидатов в кураторы по сопровождению ШНОР",
                         "Отбор кандидатов в кураторы для сопровождения ШНОР")
    assert [(s.kind, s.text) for s in old if s.kind != "same"] == [("del", "Определение"),
                                                                  ("del", "по сопровождению")]
    assert [(s.kind, s.text) for s in new if s.kind != "same"] == [("ins", "Отбор"), ("ins", "для сопровождения")]
    assert "".join(s.text for s in old) == "Определение кандидатов в кураторы по сопровождению ШНОР"


# --- speed -----------------------------------------------------------------------------------------

def two_hundred() -> tuple[Plan, Plan]:
    """A 200-activity plan (the five goldens' activities and 41 of them again with a word
    changed) and its resubmission: rows reversed in blocks, every fifth date moved, every
    seventh title reworded, ten removed and ten added."""
    stems = sorted(p.stem for p in GOLDEN_DIR.glob("*.json"))
    rows = [a for s in stems for a in golden(s)["activities"]]
    rows += [{**copy.deepcopy(a), "title": a["title"] + " (повторно)"} for a in rows[:41]]
    base = golden(stems[0])
    old_data = {**base, "sections": [], "activities": [{**a, "seq": i, "section": None}
                                                       for i, a in enumerate(rows[:200], start=1)]}
    old = Plan.model_validate(old_data)
    new_rows = [copy.deepcopy(a) for a in old_data["activities"][10:]]
    for block in range(0, len(new_rows), 20):
        new_rows[block:block + 20] = reversed(new_rows[block:block + 20])
    for i, a in enumerate(new_rows):
        if i % 5 == 0:
            a["schedule"] = {"text": "Декабрь 2024", "kind": "period", "start": "2024-12-01", "end": "2024-12-31"}
        if i % 7 == 0:
            a["title"] = "Организация и " + a["title"][:1].lower() + a["title"][1:]
    new_rows += [{**copy.deepcopy(old_data["activities"][0]), "title": f"Новое мероприятие № {k}: смотр "
                  f"{['вокальных', 'хоровых', 'танцевальных', 'театральных', 'спортивных'][k % 5]} коллективов"}
                 for k in range(10)]
    new = Plan.model_validate({**old_data, "activities": [{**a, "seq": i} for i, a in enumerate(new_rows, start=1)]})
    return old, new


def test_a_200_activity_pair_is_diffed_in_under_a_second() -> None:
    old, new = two_hundred()
    assert len(old.activities) == len(new.activities) == 200
    diff(old, new)  # imports (scipy, rapidfuzz) and the morphology dictionary load once
    times = []  # CPU seconds of this process: other work on a shared machine does not count
    for _ in range(3):
        start = time.process_time()
        result = diff(old, new)
        times.append(time.process_time() - start)
    assert min(times) < 1.0, times
    s = result.summary
    assert s["removed"] == 10 and s["added"] == 10 and s["unchanged"] + s["changed"] == 190
    assert s["split"] == s["merged"] == 0


# --- the command, the JSON and the page -------------------------------------------------------------

def test_diff_command_writes_json_and_html(tmp_path: Path) -> None:
    spec = next(p for p in pairs() if p["name"] == "everything at once")
    old = plan(spec["old"])
    new_path = tmp_path / "new.json"
    new_path.write_text(build_new(old, spec).model_dump_json(), encoding="utf-8")
    old_path = GOLDEN_DIR / f"{spec['old']}.json"
    result = CliRunner().invoke(main, ["diff", str(old_path), str(new_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["old"]["file"] == old_path.name and data["new"]["file"] == "new.json"
    assert data["old"]["label"].endswith("(было)") and data["new"]["label"].endswith("(стало)")
    assert data["summary"]["split"] == 1 and data["summary"]["merged"] == 1
    assert "разделено: 1, объединено: 1" in result.stderr
    out = tmp_path / "d.json"
    assert CliRunner().invoke(main, ["diff", str(old_path), str(new_path), "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == data
    page = tmp_path / "d.html"
    assert CliRunner().invoke(main, ["diff", str(old_path), str(new_path), "-o", str(page)]).exit_code == 0
    assert page.read_text(encoding="utf-8") == render_html(diff(old, build_new(old, spec), old_file=old_path.name,
                                                                new_file="new.json"))


def test_diff_reads_plan_documents_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(sample_path("zima_2024")), str(GOLDEN_DIR / "zima_2024.json")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["unchanged"] == 31


def test_diff_refuses_what_is_not_a_plan(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps({"error": {"code": "corrupt_file", "message": "повреждён", "filename": "x.docx"}}),
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(bad), str(GOLDEN_DIR / "zima_2024.json")])
    assert result.exit_code == 1
    assert "broken.json: план не извлечён (corrupt_file): повреждён" in result.stderr
    assert CliRunner().invoke(main, ["diff", str(GOLDEN_DIR / "zima_2024.json")]).exit_code == 2


def _page(name: str = "everything at once") -> tuple[Diff, str]:
    spec = next(p for p in pairs() if p["name"] == name)
    old = plan(spec["old"])
    result = diff(old, build_new(old, spec))
    return result, render_html(result)


def test_page_is_russian_self_contained_and_marks_changes() -> None:
    result, text = _page()
    doc = lxml_html.fromstring(text.encode("utf-8"))
    assert doc.get("lang") == "ru"
    assert not doc.xpath("//script | //link | //img | //iframe | //@href | //@src")
    rows = doc.xpath("//table[@id='diff']/tbody/tr")
    assert len(rows) == len(result.entries)
    assert [r.get("data-status") for r in rows] == [e.status for e in result.entries]
    split = doc.xpath("//tr[@data-status='split']")[0]
    assert split.get("data-old") == "4" and split.get("data-new") == "4,5,6"
    assert len(split.xpath("./td[@class='new']/div[@class='act']")) == 3
    assert split.xpath("string(./td[@class='status'])").strip() == "разделено"
    dates = doc.xpath("//tr[@data-old='6']")[0]
    assert "сроки" in dates.xpath("string(./td[@class='status'])")
    assert "2019-2020" in dates.xpath("string(./td[@class='old']//dd[@class='chg'])")
    assert "2019-2021" in dates.xpath("string(./td[@class='new']//dd[@class='chg'])")
    parties = doc.xpath("//tr[@data-old='35']")[0]
    assert parties.xpath("./td[@class='new']//ins/text()") == ["Григорьева Н.Е."]
    added = doc.xpath("//tr[@data-status='added']")[0]
    assert added.xpath("./td[contains(@class, 'old')]/@class") == ["old empty"]
    head = doc.xpath("//table[@id='diff']//th/text()")
    assert head[0] == "Изменение" and head[1].startswith("Было: ") and head[2].startswith("Стало: ")
    text = " ".join(doc.xpath("//body//text()[not(ancestor::style)]")).replace(result.old.source.filename, "")
    assert not re.findall(r"[A-Za-z]{3,}", text)  # no English for the reader (file names apart)


def test_reworded_title_marks_the_words() -> None:
    _, text = _page("titles reworded among near-identical ones")
    doc = lxml_html.fromstring(text.encode("utf-8"))
    row = doc.xpath("//tr[@data-old='2']")[0]
    assert row.xpath(".//td[@class='old']//del/text()") == ["Определение", "по сопровождению"]
    assert row.xpath(".//td[@class='new']//ins/text()") == ["Отбор", "для сопровождения"]


def test_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    assert chromium() is not None, "Debian's chromium is not installed: run scripts/setup.sh"
    result, text = _page()
    page = tmp_path / "diff.html"
    page.write_text(text, encoding="utf-8")
    url = page.resolve().as_uri()
    dom = run_chromium(["--dump-dom", url], tmp_path / "profile-dom").stdout
    doc = lxml_html.fromstring(dom.encode("utf-8"))
    assert len(doc.xpath("//table[@id='diff']/tbody/tr")) == len(result.entries)
    assert len(doc.xpath("//tr[@data-status='removed']")) == 2
    assert len(doc.xpath("//tr[@data-status='merged']/td[@class='old']/div[@class='act']")) == 2
    assert doc.xpath("//input[@id='only-changes']/@type") == ["checkbox"]

    shot = tmp_path / "diff.png"
    run_chromium([f"--screenshot={shot}", "--window-size=1400,5200", url], tmp_path / "profile-shot")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "diff-page.png")
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    width = pixels.shape[1]
    # removed rows: red on the left half; added rows: green on the right half (the columns side by side)
    red, green = (0xFD, 0xEC, 0xEA), (0xE6, 0xF4, 0xEA)
    assert count_near(pixels[:, : width // 2], red, 2) > 5_000
    assert count_near(pixels[:, width // 2:], green, 2) > 5_000
    assert count_near(pixels[:, width // 2:], red, 2) < count_near(pixels[:, : width // 2], red, 2) // 2
    # changed fields in yellow, words that came in green
    assert count_near(pixels, (0xFF, 0xF4, 0xC2), 2) > 1_000
    assert count_near(pixels, (0xC9, 0xEC, 0xD3), 2) > 100

    # "only changes" ticked: the unchanged rows are hidden by CSS, the page is much shorter
    filtered = tmp_path / "diff-changes.html"
    filtered.write_text(render_html(result, only_changes=True), encoding="utf-8")
    shot2 = tmp_path / "diff-changes.png"
    run_chromium([f"--screenshot={shot2}", "--window-size=1400,5200", filtered.resolve().as_uri()],
                  tmp_path / "profile-shot2")
    shutil.copy(shot2, ARTIFACTS / "diff-page-changes.png")
    changes_only = np.asarray(Image.open(shot2).convert("RGB"), dtype=np.int16)
    assert _content_height(changes_only) < 0.6 * _content_height(pixels)
    assert count_near(changes_only[:, : width // 2], red, 2) > 5_000  # the removed rows are still there
    # the summary above the box (its row of unchanged ones too) is drawn as without the box ticked
    assert (changes_only[:280] == pixels[:280]).all()


def _content_height(pixels: np.ndarray) -> int:
    """The last pixel row that is not all white."""
    rows = np.flatnonzero((pixels < 250).any(axis=(1, 2)))
    return int(rows[-1]) if rows.size else 0


def test_submissions_of_one_municipality_are_paired() -> None:
    zima, tula, khmao = plan("zima_2024"), plan("tula_2020-2021"), plan("khmao_2023")
    later = build_new(zima, {"years_later": 1, "new": list(range(1, 32))})
    earlier = build_new(zima, {"years_later": -2, "new": list(range(1, 32))})
    assert same_municipality_pairs([later, tula, zima, khmao, earlier]) == [(2, 0), (4, 2)]
    assert same_municipality_pairs([tula, khmao]) == []  # ХМАО names no municipality


def test_page_says_when_the_new_plan_is_for_a_later_year() -> None:
    result, text = _page("the same plan a year later, one month moved")
    assert result.years == 1 and result.as_json()["years_apart"] == 1
    doc = lxml_html.fromstring(text.encode("utf-8"))
    assert "Новый план — на 1 год позже" in doc.xpath("string(//p[@class='note'])")
    assert result.labels() == ("Зиминское городское муниципальное образование 2024",
                               "Зиминское городское муниципальное образование 2025")
