"""`roadmap check`: the checks staff do by hand on a submitted plan, as findings.

A finding has a stable English code, a severity, a Russian message and the activity it
concerns (seq and number as printed; none for a finding about the whole plan). The checks:
schedules missing or unread, dates outside the plan period, deadlines before the plan start,
activities without a responsible party or a result, duplicates and near-duplicates, sections
without activities, and the optional region rules of a YAML file (`load_rules`: required
sections, topics and columns, a deadline by which every activity must end).

Other parts call `findings(plan, rules)`; the Excel export takes `findings_sheet_rows(...)`
under `FINDINGS_HEADER`, the comparison report `findings_section_html(...)`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

import click
import jinja2
import yaml
from markupsafe import Markup
from pydantic import ValidationError

from extractor.output import write_atomic
from lang.morph import lemma
from models import Activity, Plan
from models.roadmap import ColumnRole
from workflow.compare_card import is_batch_report, party_text, plan_label
from workflow.html import template_environment

Severity = Literal["error", "warning", "notice"]
SEVERITY_NAMES: dict[str, str] = {"error": "ошибка", "warning": "проверить", "notice": "к сведению"}
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "notice": 2}

# every code with its severity and a Russian name (the sheet's and the page's legend)
CODES: dict[str, tuple[Severity, str]] = {
    "no_period": ("warning", "период плана не указан"),
    "no_schedule_column": ("warning", "нет столбца сроков"),
    "no_responsible_column": ("warning", "нет столбца ответственных"),
    "no_result_column": ("notice", "нет столбца результата"),
    "no_schedule": ("warning", "срок не указан"),
    "schedule_unknown": ("warning", "срок не прочитан"),
    "date_outside_period": ("error", "срок вне периода плана"),
    "deadline_before_start": ("error", "крайний срок раньше начала плана"),
    "no_responsible": ("warning", "нет ответственного"),
    "no_result": ("notice", "нет результата"),
    "duplicate_activity": ("warning", "повтор мероприятия"),
    "repeated_activity": ("notice", "то же мероприятие в другой раз"),
    "near_duplicate_activity": ("notice", "почти повтор мероприятия"),
    "empty_section": ("notice", "раздел без мероприятий"),
    "missing_section": ("error", "нет обязательного раздела"),
    "missing_topic": ("error", "нет обязательной темы"),
    "missing_column": ("error", "нет обязательного столбца"),
    "after_deadline": ("error", "срок позже крайнего срока региона"),
}

ROLE_NAMES: dict[str, str] = {"number": "номер", "activity": "мероприятие", "schedule": "сроки",
                              "responsible": "ответственные", "result": "результат", "other": "прочее"}
ROLES = frozenset(get_args(ColumnRole))

_NON_WORD = re.compile(r"[^\w]+")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d+[.)]?)+\s*")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[A-Za-zА-Яа-яЁё]+|\d+")


@dataclass(frozen=True)
class CheckSettings:
    near_duplicate: float = 90.0  # rapidfuzz score (0–100) from which two titles read as one
    min_duplicate_chars: int = 12  # shorter titles ("Педсовет") repeat by design


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # Russian
    seq: int | None = None  # the activity it concerns; None for the whole plan
    number: str | None = None  # that activity's number as printed
    related: tuple[int, ...] = ()  # other activities it names (the earlier of two duplicates)

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def severity_name(self) -> str:
        return SEVERITY_NAMES[self.severity]

    @property
    def name(self) -> str:
        return CODES[self.code][1]

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "activity": self.seq, "number": self.number, "related": list(self.related)}


# --- region rules -----------------------------------------------------------------------------

class RulesError(ValueError):
    """A rules file that cannot be used; the message (Russian) names the key."""


@dataclass(frozen=True)
class Requirement:
    """A required section or topic: its name, and phrases any one of which covers it (each as
    the stems of its words, so that case endings do not matter)."""

    name: str
    phrases: tuple[tuple[str, ...], ...]

    def covered_by(self, stems: frozenset[str]) -> bool:
        return any(all(s in stems for s in phrase) for phrase in self.phrases)


@dataclass(frozen=True)
class ColumnRule:
    text: str  # as written in the rules
    role: str | None  # a column role, or None for header words

    def present(self, plan: Plan) -> bool:
        if self.role is not None:
            return any(c.role == self.role for c in plan.columns)
        wanted = fold(self.text)
        return any(wanted in fold(c.header) for c in plan.columns)

    @property
    def label(self) -> str:
        return f"«{ROLE_NAMES[self.role]}»" if self.role is not None else f"«{self.text}»"


@dataclass(frozen=True)
class Rules:
    name: str | None = None
    required_sections: tuple[Requirement, ...] = ()
    required_topics: tuple[Requirement, ...] = ()
    required_columns: tuple[ColumnRule, ...] = ()
    deadline: dt.date | None = None
    ignore: frozenset[str] = frozenset()
    near_duplicate: float | None = None
    source: str | None = None  # the file's name


RULE_KEYS = frozenset({"name", "required_sections", "required_topics", "required_columns", "deadline",
                       "ignore", "near_duplicate"})


def _requirements(key: str, value: Any) -> tuple[Requirement, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RulesError(f"{key}: нужен список (названия или {{name, keywords}})")
    out: list[Requirement] = []
    for i, item in enumerate(value):
        where = f"{key}[{i}]"
        if isinstance(item, str):
            name, phrases = item, [item]
        elif isinstance(item, dict):
            unknown = set(item) - {"name", "keywords"}
            if unknown:
                raise RulesError(f"{where}: неизвестный ключ {sorted(unknown)[0]} (допустимы name, keywords)")
            given = item.get("name")
            if not isinstance(given, str) or not given.strip():
                raise RulesError(f"{where}.name: нужно название")
            name = given
            raw = item.get("keywords", [name])
            phrases = [raw] if isinstance(raw, str) else raw
            if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases):
                raise RulesError(f"{where}.keywords: нужен список фраз")
        else:
            raise RulesError(f"{where}: нужно название или {{name, keywords}}")
        stems = tuple(tuple(stem_words(p)) for p in phrases)
        if not all(stems):
            raise RulesError(f"{where}: фраза без слов")
        out.append(Requirement(name.strip(), stems))
    return tuple(out)


def parse_rules(data: Any, source: str | None = None) -> Rules:
    """Rules from the parsed YAML; RulesError names the key that is wrong."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulesError("файл правил должен быть словарём ключей")
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise RulesError(f"неизвестный ключ {sorted(unknown)[0]} (допустимы: {', '.join(sorted(RULE_KEYS))})")
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise RulesError("name: нужна строка")
    deadline = data.get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError as exc:
            raise RulesError("deadline: нужна дата ГГГГ-ММ-ДД") from exc
    if deadline is not None and not isinstance(deadline, dt.date):
        raise RulesError("deadline: нужна дата ГГГГ-ММ-ДД")
    columns_raw = data.get("required_columns") or []
    if not isinstance(columns_raw, list) or not all(isinstance(c, str) and c.strip() for c in columns_raw):
        raise RulesError("required_columns: нужен список ролей (schedule, responsible, result …) или слов заголовка")
    columns = tuple(ColumnRule(c, c if c in ROLES else None) for c in columns_raw)
    ignore_raw = data.get("ignore") or []
    if not isinstance(ignore_raw, list):
        raise RulesError("ignore: нужен список кодов")
    for code in ignore_raw:
        if code not in CODES:
            raise RulesError(f"ignore: неизвестный код {code}")
    near = data.get("near_duplicate")
    if near is not None and (isinstance(near, bool) or not isinstance(near, int | float) or not 0 < near <= 100):
        raise RulesError("near_duplicate: нужно число от 1 до 100")
    return Rules(
        name=name,
        required_sections=_requirements("required_sections", data.get("required_sections")),
        required_topics=_requirements("required_topics", data.get("required_topics")),
        required_columns=columns,
        deadline=deadline,
        ignore=frozenset(ignore_raw),
        near_duplicate=float(near) if near is not None else None,
        source=source,
    )


def load_rules(path: Path) -> Rules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RulesError(f"файл правил не прочитан: {exc}") from exc
    return parse_rules(data, path.name)


# --- text helpers -------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Text as a reader compares it: lower case, «ё» as «е», punctuation as spaces."""
    return " ".join(_NON_WORD.sub(" ", text.lower().replace("ё", "е")).split())


def title_key(title: str) -> str:
    """A title folded, its leading number ("2.3.") dropped."""
    return fold(_LEADING_NUMBER.sub("", title))


STOP_WORDS = frozenset({"для", "при", "или", "как", "что", "это", "также", "так", "над", "под", "без",
                        "через", "между", "его", "она", "они", "все", "весь", "том", "числе"})


def stem(word: str) -> str:
    """A word as the checks compare it: its lemma (pymorphy3), so that case endings do not
    matter; numbers and Latin words as they are."""
    if not re.fullmatch(r"[А-Яа-яЁё]+", word):
        return word.lower()
    return lemma(word).replace("ё", "е")


def stem_words(text: str) -> list[str]:
    """The lemmas of a text's words, function words and one- and two-letter words left out
    (abbreviations in capitals and numbers kept)."""
    out: list[str] = []
    for w in _WORD.findall(text):
        if len(w) <= 2 and not (w.isdigit() or w.isupper()):
            continue
        s = stem(w)
        if s not in STOP_WORDS:
            out.append(s)
    return out


def date_text(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day is not None else "…"


def span_text(start: dt.date | None, end: dt.date | None) -> str:
    if start == end:
        return date_text(start)
    return f"{date_text(start)}–{date_text(end)}"


def activity_ref(activity: Activity) -> str:
    """How a message names an activity: "№ 2.1", or its place in the plan where it has no number."""
    if activity.number:
        return f"№ {activity.number}"
    return f"{activity.seq}-е по порядку"


def short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- the checks -----------------------------------------------------------------------------------

def _finding(code: str, message: str, activity: Activity | None = None, related: Iterable[int] = ()) -> Finding:
    if activity is None:
        return Finding(code, message, related=tuple(related))
    return Finding(code, message, activity.seq, activity.number, tuple(related))


def _outside(first: dt.date | None, last: dt.date | None, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether a window reaches before the period's start or past its end."""
    first, last = first or last, last or first
    return (start is not None and first is not None and first < start) or (
        end is not None and last is not None and last > end)


def _schedule_findings(plan: Plan) -> list[Finding]:
    out: list[Finding] = []
    if not any(c.role == "schedule" for c in plan.columns):
        out.append(_finding("no_schedule_column", "В таблице плана нет столбца сроков: сроки не проверены."))
        return out
    period = plan.plan.period
    start = period.start if period is not None else None
    end = period.end if period is not None else None
    if period is None or (start is None and end is None):
        out.append(_finding("no_period", "Период плана не указан: сроки не сверены с периодом."))
    for a in plan.activities:
        s = a.schedule
        if not s.text.strip():
            out.append(_finding("no_schedule", "Срок не указан.", a))
            continue
        if s.kind == "unknown":
            if s.duration is not None:
                message = f"Указана только продолжительность («{short(s.text)}»), без дат."
            else:
                message = f"Срок «{short(s.text)}» не прочитан как дата или период."
            out.append(_finding("schedule_unknown", message, a))
            continue
        if s.kind == "deadline" and start is not None and s.end is not None and s.end < start:
            out.append(_finding("deadline_before_start", f"Крайний срок {date_text(s.end)} («{short(s.text)}») "
                                f"раньше начала плана {date_text(start)}.", a))
            continue
        windows = [(o.start, o.end) for o in s.occurrences if o.start or o.end] or [(s.start, s.end)]
        outside = [w for w in windows if _outside(w[0], w[1], start, end)]
        if outside and period is not None:
            spans = ", ".join(span_text(ws, we) for ws, we in outside[:3])
            guessed = " (период в документе не указан, выведен из его дат)" if period.inferred else ""
            out.append(_finding("date_outside_period", f"Срок «{short(s.text)}» ({spans}) выходит за период плана "
                                f"{span_text(start, end)}{guessed}.", a))
    return out


def _party_findings(plan: Plan) -> list[Finding]:
    out: list[Finding] = []
    if not any(c.role == "responsible" for c in plan.columns):
        out.append(_finding("no_responsible_column", "В таблице плана нет столбца ответственных."))
    else:
        out += [_finding("no_responsible", "Ответственный не указан.", a) for a in plan.activities if not a.responsible]
    if not any(c.role == "result" for c in plan.columns):
        out.append(_finding("no_result_column", "В таблице плана нет столбца ожидаемого результата."))
    else:
        out += [_finding("no_result", "Ожидаемый результат не указан.", a)
                for a in plan.activities if not (a.result or "").strip()]
    return out


def _same_schedule(a: Activity, b: Activity) -> bool:
    return fold(a.schedule.text) == fold(b.schedule.text)


def _section_name(plan: Plan, section_id: str | None) -> str:
    section = next((s for s in plan.sections if s.id == section_id), None)
    if section is None:
        return "без раздела"
    return f"{section.number}. {section.title}" if section.number else section.title


def _duplicate_findings(plan: Plan, settings: CheckSettings, threshold: float) -> list[Finding]:
    """One title twice in one section with one schedule is a duplicate; in another section or
    with another schedule (a monthly plan's meetings), a repeat, worth a look only."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist

    out: list[Finding] = []
    acts = plan.activities
    keys = [title_key(a.title) for a in acts]
    first_of: dict[str, list[int]] = defaultdict(list)
    flagged: set[int] = set()
    for i, key in enumerate(keys):
        if len(key) < settings.min_duplicate_chars:
            continue
        earlier = first_of[key]
        if earlier:
            a = acts[i]
            same = next((j for j in earlier if _same_schedule(acts[j], a) and acts[j].section == a.section), None)
            b = acts[earlier[-1] if same is None else same]
            if same is not None:
                when = f"тот же срок «{short(a.schedule.text, 40)}»" if a.schedule.text else "срок не указан у обоих"
                out.append(_finding("duplicate_activity", f"Повторяет мероприятие {activity_ref(b)} "
                                    f"(то же название, {when}).", a, [b.seq]))
            else:
                differs = []
                if not _same_schedule(a, b):
                    differs.append(f"срок другой: «{short(a.schedule.text, 40)}» и «{short(b.schedule.text, 40)}»")
                here, there = _section_name(plan, a.section), _section_name(plan, b.section)
                if a.section != b.section and here == there:
                    differs.append(f"в другом разделе с тем же названием «{short(here, 50)}»")
                elif a.section != b.section:
                    differs.append(f"в разделе «{short(here, 50)}», а то — в «{short(there, 50)}»")
                out.append(_finding("repeated_activity", f"То же название, что у мероприятия {activity_ref(b)}, "
                                    f"{'; '.join(differs)}.", a, [b.seq]))
            flagged.add(i)
        earlier.append(i)
    candidates = [i for i, k in enumerate(keys) if len(k) >= settings.min_duplicate_chars]
    if len(candidates) < 2:
        return out
    texts = [keys[i] for i in candidates]
    scores = cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
    sorted_scores = cdist([" ".join(sorted(t.split())) for t in texts], [" ".join(sorted(t.split())) for t in texts],
                          scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
    best = scores.copy()
    best[sorted_scores > best] = sorted_scores[sorted_scores > best]
    for col, i in enumerate(candidates):
        if i in flagged:
            continue
        row_best: tuple[float, int] | None = None
        for row in range(col):
            j = candidates[row]
            score = float(best[col, row])
            if score < threshold or keys[i] == keys[j]:
                continue
            if set(_DIGITS.findall(keys[i])) != set(_DIGITS.findall(keys[j])):
                continue  # "1 четверть" and "2 четверть" are two activities
            if row_best is None or score > row_best[0]:
                row_best = (score, j)
        if row_best is not None:
            b = acts[row_best[1]]
            out.append(_finding("near_duplicate_activity", f"Почти повторяет мероприятие {activity_ref(b)} "
                                f"(сходство названий {int(row_best[0])} %): «{short(b.title, 60)}».",
                                acts[i], [b.seq]))
    return out


def _section_findings(plan: Plan) -> list[Finding]:
    parents = {s.id: s.parent for s in plan.sections}
    used: set[str] = set()
    for a in plan.activities:
        sid = a.section
        while sid is not None and sid not in used:
            used.add(sid)
            sid = parents.get(sid)
    out: list[Finding] = []
    for s in plan.sections:
        if s.id not in used:
            label = f"{s.number}. {s.title}" if s.number else s.title
            out.append(_finding("empty_section", f"В разделе «{short(label)}» нет мероприятий."))
    return out


def _rule_findings(plan: Plan, rules: Rules) -> list[Finding]:
    out: list[Finding] = []
    for column in rules.required_columns:
        if not column.present(plan):
            out.append(_finding("missing_column", f"Нет обязательного столбца {column.label}."))
    if rules.required_sections:
        section_stems = [frozenset(stem_words(s.title)) for s in plan.sections]
        for req in rules.required_sections:
            if not any(req.covered_by(st) for st in section_stems):
                where = "в плане нет разделов" if not plan.sections else "ни один раздел не подходит"
                out.append(_finding("missing_section", f"Нет обязательного раздела «{req.name}» ({where})."))
    if rules.required_topics:
        texts = [frozenset(stem_words(" ".join([a.title, *a.subitems]))) for a in plan.activities]
        texts += [frozenset(stem_words(s.title)) for s in plan.sections]
        for req in rules.required_topics:
            if not any(req.covered_by(st) for st in texts):
                out.append(_finding("missing_topic", f"Нет мероприятий обязательной темы «{req.name}»."))
    if rules.deadline is not None:
        for a in plan.activities:
            ends = [o.end for o in a.schedule.occurrences if o.end] or ([a.schedule.end] if a.schedule.end else [])
            last = max(ends, default=None)
            if last is not None and last > rules.deadline:
                out.append(_finding("after_deadline", f"Срок окончания {date_text(last)} позже крайнего срока "
                                    f"региона {date_text(rules.deadline)}.", a))
    return out


def findings(plan: Plan, rules: Rules | None = None, settings: CheckSettings | None = None) -> list[Finding]:
    """Every finding about the plan: plan-wide ones first, then by activity, most severe first."""
    settings = settings or CheckSettings()
    rules = rules or Rules()
    threshold = rules.near_duplicate if rules.near_duplicate is not None else settings.near_duplicate
    found = (_schedule_findings(plan) + _party_findings(plan) + _duplicate_findings(plan, settings, threshold)
             + _section_findings(plan) + _rule_findings(plan, rules))
    found = [f for f in found if f.code not in rules.ignore]
    order = list(CODES)
    return sorted(found, key=lambda f: (f.seq is not None, f.seq or 0, SEVERITY_ORDER[f.severity],
                                        order.index(f.code)))


def counts(found: Sequence[Finding]) -> dict[str, int]:
    """Findings per severity, every severity named."""
    counted: Counter[str] = Counter(f.severity for f in found)
    return {s: counted[s] for s in SEVERITY_ORDER}


# --- what other outputs take ---------------------------------------------------------------------

FINDINGS_SHEET = "Проверка"
FINDINGS_HEADER: tuple[str, ...] = ("План", "Файл", "№", "Порядковый номер", "Мероприятие", "Важность",
                                    "Замечание", "Код")
FINDINGS_WIDTHS: tuple[float, ...] = (28, 28, 8, 10, 60, 14, 70, 24)

Cell = str | int | None


@dataclass(frozen=True)
class PlanFindings:
    """One plan with its findings, as the check's outputs show it."""

    label: str
    file: str  # the input's name (JSON or document)
    plan: Plan
    findings: list[Finding]

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)

    def activity(self, seq: int | None) -> Activity | None:
        if seq is None or not 1 <= seq <= len(self.plan.activities):
            return None
        return self.plan.activities[seq - 1]

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "source": self.plan.source.filename, "label": self.label,
                "activities": len(self.plan.activities), "counts": self.counts,
                "findings": [f.as_json() for f in self.findings]}


def check_plans(plans: Iterable[Plan | tuple[Plan, str]], rules: Rules | None = None,
                settings: CheckSettings | None = None) -> list[PlanFindings]:
    """Each plan (or plan and the name of its input) with its findings."""
    out: list[PlanFindings] = []
    for item in plans:
        plan, file = item if isinstance(item, tuple) else (item, item.source.filename)
        out.append(PlanFindings(plan_label(plan), file, plan, findings(plan, rules, settings)))
    return out


def findings_sheet_rows(plans: Iterable[Plan | tuple[Plan, str] | PlanFindings],
                        rules: Rules | None = None) -> list[list[Cell]]:
    """The rows of a findings sheet under FINDINGS_HEADER, one per finding (plans already
    checked are taken as they are)."""
    rows: list[list[Cell]] = []
    for item in plans:
        checked = item if isinstance(item, PlanFindings) else check_plans([item], rules)[0]
        for f in checked.findings:
            activity = checked.activity(f.seq)
            rows.append([checked.label, checked.plan.source.filename, f.number, f.seq,
                         activity.title if activity is not None else None, f.severity_name, f.message, f.code])
    return rows


# --- HTML -------------------------------------------------------------------------------------------

@cache
def environment() -> jinja2.Environment:
    env = template_environment()
    env.globals["severity_names"] = SEVERITY_NAMES
    env.globals["codes"] = CODES
    env.globals["short"] = short
    env.globals["parties"] = lambda a: "; ".join(party_text(p.name, p.position, p.role) for p in a.responsible)
    return env


def findings_section_html(checked: Sequence[PlanFindings], heading_level: int = 2) -> Markup:
    """The findings of several plans as one HTML section (styles inline in its own <style>),
    to be placed in another page such as the comparison report."""
    html = environment().get_template("check_section.html.j2").render(checked=checked, level=heading_level)
    return Markup(html)


def render_html(checked: Sequence[PlanFindings], rules: Rules | None = None) -> str:
    return environment().get_template("check.html.j2").render(
        section=findings_section_html(checked), checked=checked, rules=rules)


# --- inputs -----------------------------------------------------------------------------------------

class PlanInputError(ValueError):
    """An input that gives no plan; the message is Russian and names the file."""


PLAN_DOCUMENT_SUFFIXES = frozenset({".docx", ".doc", ".rtf", ".odt", ".pdf", ".png", ".jpg", ".jpeg",
                                    ".tif", ".tiff"})


def plan_from_json(data: Any, name: str) -> Plan:
    if isinstance(data, Mapping) and set(data) == {"error"} and isinstance(data["error"], Mapping):
        error = data["error"]
        raise PlanInputError(f"{name}: план не извлечён ({error.get('code')}): {error.get('message')}")
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(корень)"
        raise PlanInputError(f"{name}: не канонический JSON плана: {where}: {first['msg']}") from exc


def load_plan(path: Path) -> Plan:
    """A plan from its canonical JSON, or extracted from the document itself."""
    if path.suffix.lower() != ".json":
        from extractor import extract
        from parsers.errors import ExtractionError

        try:
            return extract(path)
        except ExtractionError as exc:
            raise PlanInputError(f"{path.name}: план не извлечён ({exc.code}): {exc.message}") from exc
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlanInputError(f"{path.name}: не файл JSON ({exc})") from exc
    return plan_from_json(data, path.name)


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder gives its *.json files (names starting with "_" left out)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.glob("*.json") if not p.name.startswith(("_", ".")))
        else:
            out.append(path)
    return out


@dataclass
class CheckRun:
    checked: list[PlanFindings] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # file, Russian reason
    reports: list[str] = field(default_factory=list)  # batch reports passed over

    def as_json(self, rules: Rules | None) -> dict[str, Any]:
        return {
            "rules": None if rules is None else {"file": rules.source, "name": rules.name},
            "plans": [c.as_json() for c in self.checked],
            "not_checked": [{"file": f, "message": m} for f, m in self.failed],
        }


def run_check(paths: Sequence[Path], rules: Rules | None = None, settings: CheckSettings | None = None) -> CheckRun:
    result = CheckRun()
    for path in expand_inputs(paths):
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                result.failed.append((path.name, f"не файл JSON ({exc})"))
                continue
            if is_batch_report(data):
                result.reports.append(path.name)
                continue
        try:
            plan = load_plan(path)
        except PlanInputError as exc:
            result.failed.append((path.name, str(exc).removeprefix(f"{path.name}: ")))
            continue
        result.checked += check_plans([(plan, path.name)], rules, settings)
    return result


def to_json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


@click.command("check", short_help="Проверить планы: сроки, ответственные, повторы, правила региона.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Файл YAML с правилами региона (обязательные разделы, темы, столбцы, крайний срок).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Куда записать результат: .json (по умолчанию — на стандартный вывод) или .html.")
def check_command(inputs: tuple[Path, ...], rules_path: Path | None, output: Path | None) -> None:
    """Проверить планы так, как их проверяют сотрудники: срок и его период, ответственные,
    результат, повторы, пустые разделы и (с --rules) требования региона.

    INPUTS — файлы канонического JSON (или папки с ними) либо сами документы планов. Каждое
    замечание — код (английский, постоянный), важность, сообщение по-русски и мероприятие.
    Код выхода 0, когда все входы проверены (даже с замечаниями), 1, если какой-то вход — не
    план, 2 — ошибка в командной строке или в файле правил.
    """
    rules: Rules | None = None
    if rules_path is not None:
        try:
            rules = load_rules(rules_path)
        except RulesError as exc:
            raise click.BadParameter(str(exc), param_hint="--rules") from exc
    result = run_check(list(inputs), rules)
    if output is not None and output.suffix.lower() in (".html", ".htm"):
        write_atomic(output, render_html(result.checked, rules))
    else:
        text = to_json_text(result.as_json(rules))
        if output is None:
            click.echo(text, nl=False)
        else:
            write_atomic(output, text)
    for name in result.reports:
        click.echo(f"{name}: отчёт пакетной обработки, пропущен", err=True)
    for name, reason in result.failed:
        click.echo(f"{name}: не проверен — {reason}", err=True)
    for c in result.checked:
        n = c.counts
        click.echo(f"{c.label} ({c.file}): ошибок {n['error']}, проверить {n['warning']}, "
                   f"к сведению {n['notice']}", err=True)
    sys.exit(1 if result.failed else 0)
