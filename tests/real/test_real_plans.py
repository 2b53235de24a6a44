"""Real public plans against expectations a person wrote from the documents (tests/real/expected/).

One test function per check, so one failure does not hide the others. A check named in an
expectation's `xfail` map is marked xfail(strict=True) for that document.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from rapidfuzz import fuzz

from tests.real.corpus import (
    corpus_dir,
    corpus_files,
    expectations,
    extract_json,
    fold,
    is_error,
)

FUZZ_MIN = 85  # OCR'd text: partial_ratio of the expected prefix against the start of the value


def cases(check: str, keep: Callable[[dict[str, Any]], bool] = lambda e: True) -> list[Any]:
    """One pytest.param per expectation file, xfail where the file lists this check."""
    params = []
    for exp in expectations():
        if not keep(exp):
            continue
        marks = []
        if check in exp["xfail"]:
            marks.append(pytest.mark.xfail(strict=True, reason=str(exp["xfail"][check])))
        params.append(pytest.param(exp, id=exp["file"], marks=marks))
    return params


def is_plan(exp: dict[str, Any]) -> bool:
    return exp.get("kind", "plan") == "plan"


def text_plan(exp: dict[str, Any]) -> bool:
    return is_plan(exp) and not exp.get("ocr", False)


def result_of(exp: dict[str, Any]) -> dict[str, Any]:
    if not (corpus_dir() / exp["file"]).is_file():
        pytest.skip(f"{exp['file']} is not in the corpus folder {corpus_dir()}")
    return extract_json(exp["file"])


def plan_of(exp: dict[str, Any]) -> dict[str, Any]:
    """The plan JSON of a plan document; a plain failure where extraction gave an error object."""
    result = result_of(exp)
    if is_error(result):
        pytest.fail(f"{exp['file']}: expected a plan, got error {json.dumps(result['error'], ensure_ascii=False)}")
    return result


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def prefix_matches(expected: str, actual: str | None, ocr: bool) -> bool:
    if actual is None:
        return False
    want, have = fold(expected), fold(actual)
    if not ocr:
        return have.startswith(want)
    # the title must be about as long as the expected start: partial_ratio alone finds a short
    # title («План») inside the longer expected one and passes it
    if len(have) < 0.9 * len(want):
        return False
    return fuzz.partial_ratio(want, have[: len(want) + 10]) >= FUZZ_MIN


def count_ok(expected: Any, actual: int, ocr: bool) -> tuple[bool, str]:
    """Exact count, a {min, max} range, or for OCR'd files within ±10% (at least ±1)."""
    if isinstance(expected, dict):
        low, high = int(expected["min"]), int(expected["max"])
    else:
        low = high = int(expected)
    if ocr:
        slack_low, slack_high = max(1, round(low * 0.1)), max(1, round(high * 0.1))
        low, high = low - slack_low, high + slack_high
    span = f"{low}..{high}" if low != high else f"{low}"
    return low <= actual <= high, f"expected {span}, got {actual}"


# --- the file list --------------------------------------------------------------------------------


def test_every_corpus_file_has_expectation() -> None:
    written = {exp["file"] for exp in expectations()}
    missing = [name for name in corpus_files() if name not in written]
    assert not missing, f"corpus files without tests/real/expected/<name>.yaml: {missing}"


# --- the checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("exp", cases("plan"))
def test_is_plan_or_near_miss(exp: dict[str, Any]) -> None:
    result = result_of(exp)
    if is_plan(exp):
        assert not is_error(result), f"expected a plan, got error {result.get('error')}"
        assert result["activities"], "a plan document gave no activities"
        doubtful = (result.get("quality") or {}).get("doubtful", [])
        assert not doubtful, f"a real plan is flagged doubtful: {doubtful}"
        return
    if is_error(result):
        assert result["error"]["code"] == "no_plan_table", f"near-miss gave error {result['error']}"
        return
    quality = result.get("quality")
    assert quality is not None, "near-miss gave a plan without a quality block"
    assert quality["doubtful"], (
        f"near-miss read as a confident plan: {len(result['activities'])} activities, quality.doubtful empty"
    )


@pytest.mark.parametrize("exp", cases("title", is_plan))
def test_title(exp: dict[str, Any]) -> None:
    title = plan_of(exp)["plan"]["title"]
    expected = exp.get("title_starts")
    if expected is None:
        assert title is None, f"the document has no title, got {title!r}"
        return
    assert prefix_matches(expected, title, exp.get("ocr", False)), f"title should start {expected!r}, got {title!r}"


@pytest.mark.parametrize("exp", cases("period", is_plan))
def test_period(exp: dict[str, Any]) -> None:
    period = plan_of(exp)["plan"]["period"]
    if "period" not in exp:
        # The document states no period: none, or one marked as inferred.
        assert period is None or period.get("inferred"), f"the document states no period, got {period}"
        return
    want = exp["period"]
    assert period is not None, f"expected period {want}, got none"
    got = {"start": period["start"], "end": period["end"]}
    assert got == {"start": iso(want["start"]), "end": iso(want["end"])}, f"period {got} (text {period['text']!r})"


@pytest.mark.parametrize("exp", cases("activities", is_plan))
def test_activity_count(exp: dict[str, Any]) -> None:
    activities = plan_of(exp)["activities"]
    ok, message = count_ok(exp["activities"], len(activities), exp.get("ocr", False))
    assert ok, f"activities: {message}"


@pytest.mark.parametrize("exp", cases("sections", is_plan))
def test_section_count(exp: dict[str, Any]) -> None:
    sections = plan_of(exp)["sections"]
    ok, message = count_ok(exp["sections"], len(sections), exp.get("ocr", False))
    titles = [s["title"][:40] for s in sections[:30]]
    assert ok, f"sections: {message}; first titles: {titles}"


# --- rows -----------------------------------------------------------------------------------------

_AFTER_DOT = re.compile(r"\.\s+")
_LEADING_INITIALS = re.compile(r"^(?:\w\.){1,2}")


def fold_name(text: str) -> str:
    # Initials are written "А.П.Морозов" and "А.П. Морозов" alike: spacing after a dot is not compared.
    return _AFTER_DOT.sub(".", fold(text))


def starts_like(prefix: str, text: str, ocr: bool) -> bool:
    if ocr:
        return fuzz.partial_ratio(prefix, text[: len(prefix) + 10]) >= FUZZ_MIN
    return text.startswith(prefix)


def parties_problem(expected: list[dict[str, Any]], parties: list[dict[str, Any]], ocr: bool) -> str | None:
    """None when the expected parties occur, in order, among the activity's parties."""
    pos = 0
    for want in expected:
        prefix = fold_name(want["name_starts"])
        while pos < len(parties):
            party = parties[pos]
            pos += 1
            name = fold_name(party.get("name") or party.get("text") or "")
            names = [name]
            if party.get("kind") == "person":  # "Р.В.Низовцева" and "Низовцева Р.В." are one person
                names.append(_LEADING_INITIALS.sub("", name))
            if any(starts_like(prefix, n, ocr) for n in names) and party.get("kind") == want["kind"]:
                break
        else:
            return f"party {want} not found in order"
    return None


def row_problems(want: dict[str, Any], activity: dict[str, Any], ocr: bool) -> list[str]:
    problems = []
    if "number" in want:
        expected_number = None if want["number"] is None else str(want["number"])
        if activity.get("number") != expected_number:
            problems.append(f"number {activity.get('number')!r} != {expected_number!r}")
    if "schedule" in want:
        schedule = activity.get("schedule") or {}
        for key, value in want["schedule"].items():
            expected_value = value if key == "kind" else iso(value)
            if schedule.get(key) != expected_value:
                problems.append(
                    f"schedule.{key} {schedule.get(key)!r} != {expected_value!r} (text {schedule.get('text')!r})"
                )
    if "parties" in want:
        problem = parties_problem(want["parties"], activity.get("responsible") or [], ocr)
        if problem:
            got = [(p.get("name"), p.get("kind")) for p in activity.get("responsible") or []]
            problems.append(f"{problem}; got {got}")
    return problems


def candidates(title_starts: str, activities: Iterable[dict[str, Any]], ocr: bool) -> list[dict[str, Any]]:
    return [a for a in activities if prefix_matches(title_starts, a.get("title"), ocr)]


@pytest.mark.parametrize("exp", cases("rows", is_plan))
def test_rows(exp: dict[str, Any]) -> None:
    ocr = exp.get("ocr", False)
    activities = plan_of(exp)["activities"]
    failures = []
    for want in exp.get("rows") or []:
        found = candidates(want["title_starts"], activities, ocr)
        if not found:
            failures.append(f"- no activity starts with {want['title_starts']!r}")
            continue
        # Several activities may share the prefix: the row passes when any of them matches in full.
        problems = [row_problems(want, a, ocr) for a in found]
        if all(problems):
            best = min(problems, key=len)
            failures.append(f"- {want['title_starts']!r}: " + "; ".join(best))
    assert not failures, f"{len(failures)} of {len(exp.get('rows') or [])} rows differ:\n" + "\n".join(failures)


# --- quality --------------------------------------------------------------------------------------


@pytest.mark.parametrize("exp", cases("quality_share", text_plan))
def test_quality_share(exp: dict[str, Any]) -> None:
    quality = plan_of(exp).get("quality")
    assert quality is not None, "the JSON has no quality block"
    assert quality["word_share"] >= 0.99, f"quality.word_share {quality['word_share']} < 0.99"


@pytest.mark.parametrize("exp", cases("nothing_lost"))
def test_nothing_silently_lost(exp: dict[str, Any]) -> None:
    result = result_of(exp)
    if is_error(result):
        if is_plan(exp):
            pytest.fail(f"expected a plan, got error {result['error']}")
        pytest.skip("near-miss gave no plan: nothing to account for")
    quality = result.get("quality")
    assert quality is not None, "the JSON has no quality block"
    problems = []
    if quality["rows_total"] != quality["rows_used"] + quality["rows_skipped"]:
        problems.append(
            f"rows_total {quality['rows_total']} != rows_used {quality['rows_used']} + "
            f"rows_skipped {quality['rows_skipped']}"
        )
    if quality["tables_found"] != quality["tables_used"] + len(quality["tables_skipped"]):
        problems.append(
            f"tables_found {quality['tables_found']} != tables_used {quality['tables_used']} + "
            f"{len(quality['tables_skipped'])} skipped"
        )
    warnings = result.get("warnings") or []
    table_warnings = [w["message"] for w in warnings if w["code"] == "table_skipped"]
    for skipped in quality["tables_skipped"]:
        index = re.compile(rf"(?<!\d){skipped['table']}(?!\d)")
        head = fold(skipped["text"])[:20]
        if not any(index.search(m) or (head and head in fold(m)) for m in table_warnings):
            problems.append(f"skipped table {skipped['table']} ({skipped['reason']}) has no table_skipped warning")
    row_warnings = [w for w in warnings if w["code"] in ("row_skipped", "row_without_activity")]
    if len(row_warnings) < quality["rows_skipped"]:
        problems.append(f"rows_skipped {quality['rows_skipped']} but only {len(row_warnings)} row warnings name them")
    assert not problems, "\n".join(problems)
