"""`roadmap compare`: plans of several municipalities side by side.

Canonical JSON files in -> a `Comparison` (a completeness card per plan, topics across plans,
a topics x plans matrix, timelines, responsibility) -> one self-contained HTML report (Jinja2
template, inline CSS and SVG, no scripts) and, on request, the same tables as an Excel workbook
(compare_xlsx.py). Everything a person reads is Russian; codes stay as they are.
"""

from __future__ import annotations

import colorsys
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup
from pydantic import ValidationError

from extractor.output import write_atomic
from models import Activity, Plan
from workflow.check import check_plans, findings_section_html
from workflow.compare_card import (
    Card,
    CardSettings,
    card_of,
    code_names,
    is_batch_report,
    is_english,
    party_text,
    plan_label,
)
from workflow.compare_charts import (
    Chart,
    ChartSettings,
    LaneSpec,
    axis_bounds,
    build_chart,
    cut,
    spans_of,
)
from workflow.compare_topics import Topic, TopicInput, TopicSettings, group_topics, word_vectors
from workflow.html import template_environment

__all__ = ["plan_label"]

# Tableau 10: distinct on screen and in print, one colour per plan; more plans get colours of
# their own (palette()), so that no two plans share one
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
NO_SECTION = "без раздела"


def palette(n: int) -> list[str]:
    """n distinct colours: Tableau 10 first, then hues a golden angle apart at three
    lightness levels (never white or grey)."""
    colours = list(PALETTE[:n])
    i = 0
    while len(colours) < n:
        hue = (i * 0.381966 + 0.05) % 1.0
        lightness = (0.42, 0.58, 0.34)[(i // 7) % 3]
        saturation = (0.65, 0.5)[(i // 21) % 2]
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        colour = f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"
        if colour not in colours:
            colours.append(colour)
        i += 1
    return colours


class PlanFileError(ValueError):
    """An input that is not a canonical plan JSON (or an error object)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path.name}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class CompareSettings:
    topics: TopicSettings = field(default_factory=TopicSettings)
    charts: ChartSettings = field(default_factory=ChartSettings)
    card: CardSettings = field(default_factory=CardSettings)
    min_plans_shared: int = 2  # a topic with activities of this many plans is "shared"
    open_plan_charts_up_to: int = 10  # more plans: each plan's timeline starts folded
    labelled_columns_up_to: int = 6  # more plans: the matrix's columns are headed by plan numbers
    chart_topics: int = 12  # the combined timeline draws the topics shared by most plans, up to this many


@dataclass
class PlanView:
    index: int
    label: str  # the column header: municipality and years, or the file name
    color: str
    plan: Plan

    @property
    def filename(self) -> str:
        return self.plan.source.filename


@dataclass(frozen=True)
class Skipped:
    """An input that held an error object (a file the batch could not convert)."""

    filename: str
    code: str
    message: str

    @property
    def reason(self) -> str:
        """The code in Russian words."""
        return code_names().errors.get(self.code, self.code)

    @property
    def detail(self) -> str:
        """The error's message where it is not English prose (older JSON)."""
        return "" if is_english(self.message) else self.message


@dataclass
class Counts:
    activities: int
    sections: int
    per_section: list[tuple[str, int]]  # section label, activities (innermost section)
    with_dates: int
    with_responsible: int
    with_result: int

    def share(self, n: int) -> float:
        return n / self.activities if self.activities else 0.0


@dataclass(frozen=True)
class BodyCount:
    name: str
    kind: str
    activities: int


@dataclass(frozen=True)
class ActivityRef:
    plan: int
    activity: Activity


@dataclass
class MatrixRow:
    topic: Topic
    cells: list[list[ActivityRef]]  # one list per plan, in plan order

    @property
    def plan_count(self) -> int:
        return sum(1 for c in self.cells if c)


@dataclass
class Comparison:
    plans: list[PlanView]
    skipped: list[Skipped]
    cards: list[Card]
    counts: list[Counts]
    bodies: list[list[BodyCount]]  # per plan, most activities first
    shared: list[MatrixRow]  # topics of at least `min_plans_shared` plans
    single: list[MatrixRow]  # topics of one plan only
    charts: list[Chart]  # the combined chart first, then one per plan
    settings: CompareSettings
    reports: list[str] = field(default_factory=list)  # batch reports among the inputs, passed over
    vectors: bool = True  # whether the topics used word vectors (natasha installed)
    checks: Markup = field(default_factory=Markup)  # the checks' findings per plan (workflow.check), as HTML

    @property
    def review(self) -> list[PlanView]:
        """Plans whose card asks for a second look."""
        return [v for v, card in zip(self.plans, self.cards, strict=True) if card.needs_review]


# --- input --------------------------------------------------------------------------------

def load_inputs(paths: Sequence[Path], reports: list[str] | None = None) -> tuple[list[Plan], list[Skipped]]:
    """Plans from canonical JSON files; error objects are returned as skipped, batch reports
    (named as `roadmap batch` names them or not) passed over and their names added to `reports`.

    Raises PlanFileError for a file that is none of these."""
    plans: list[Plan] = []
    skipped: list[Skipped] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlanFileError(path, f"не файл JSON ({exc})") from exc
        if is_batch_report(data):
            if reports is not None:
                reports.append(path.name)
            continue
        if isinstance(data, dict) and set(data) == {"error"} and isinstance(data["error"], dict):
            error = data["error"]
            skipped.append(Skipped(str(error.get("filename", path.name)), str(error.get("code", "")),
                                   str(error.get("message", ""))))
            continue
        try:
            plans.append(Plan.model_validate(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "/".join(str(p) for p in first["loc"]) or "(root)"
            raise PlanFileError(path, f"не канонический JSON плана: {where}: {first['msg']}") from exc
    return plans, skipped


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder gives its *.json files by name, except batch reports
    ("_report.json" and other names starting with "_")."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.glob("*.json") if not p.name.startswith("_"))
        else:
            out.append(path)
    return out


def plan_views(plans: Sequence[Plan]) -> list[PlanView]:
    """Plans with their labels (made unique with "(2)", "(3)" …) and colours."""
    labels = [plan_label(p) for p in plans]
    totals = Counter(labels)
    seen: Counter[str] = Counter()
    views: list[PlanView] = []
    for i, (plan, label, colour) in enumerate(zip(plans, labels, palette(len(plans)), strict=True)):
        seen[label] += 1
        if totals[label] > 1:
            label = f"{label} ({seen[label]})"
        views.append(PlanView(i, label, colour, plan))
    return views


# --- tables -------------------------------------------------------------------------------

def section_label(plan: Plan, section_id: str | None) -> str:
    section = next((s for s in plan.sections if s.id == section_id), None)
    if section is None:
        return NO_SECTION
    return f"{section.number}. {section.title}" if section.number else section.title


def is_dated(activity: Activity) -> bool:
    return bool(spans_of(activity))


def counts_of(plan: Plan) -> Counts:
    acts = plan.activities
    per_section: Counter[str] = Counter(section_label(plan, a.section) for a in acts)
    order = [section_label(plan, s.id) for s in plan.sections] + [NO_SECTION]
    return Counts(
        activities=len(acts),
        sections=len(plan.sections),
        per_section=[(label, per_section[label]) for label in order if per_section[label]],
        with_dates=sum(1 for a in acts if is_dated(a)),
        with_responsible=sum(1 for a in acts if a.responsible),
        with_result=sum(1 for a in acts if a.result),
    )


def bodies_of(plan: Plan) -> list[BodyCount]:
    """Each party (a person with their position) with the number of activities naming it
    (once per activity)."""
    per_name: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for activity in plan.activities:
        names = [party_text(p.name, p.position) for p in activity.responsible]
        for name in dict.fromkeys(names):
            per_name[name] += 1
        for name, party in zip(names, activity.responsible, strict=True):
            kinds.setdefault(name, party.kind)
    return [BodyCount(name, kinds[name], n) for name, n in sorted(per_name.items(), key=lambda x: (-x[1], x[0]))]


def matrix(views: Sequence[PlanView], topics: Sequence[Topic]) -> list[MatrixRow]:
    by_key = {(v.index, a.seq): a for v in views for a in v.plan.activities}
    rows: list[MatrixRow] = []
    for topic in topics:
        cells: list[list[ActivityRef]] = [[] for _ in views]
        for plan, seq in topic.members:
            cells[plan].append(ActivityRef(plan, by_key[(plan, seq)]))
        rows.append(MatrixRow(topic, cells))
    return rows


def activity_text(activity: Activity) -> str:
    return f"{activity.number}. {activity.title}" if activity.number else activity.title


# --- charts -------------------------------------------------------------------------------

def plan_bounds(plan: Plan, settings: ChartSettings) -> tuple[int, int] | None:
    """The months a plan's timeline shows: its period, else the middle of its dates."""
    p = plan.plan.period
    spans = [s for a in plan.activities for s in spans_of(a)]
    return axis_bounds(spans, (p.start, p.end) if p is not None else (None, None), settings.undated_window_months)


def plan_chart(view: PlanView, settings: ChartSettings) -> Chart:
    """One lane per activity, a title row where the section changes."""
    plan = view.plan
    lanes: list[LaneSpec] = []
    current: str | None = "\0"
    for activity in plan.activities:
        if plan.sections and activity.section != current:
            current = activity.section
            lanes.append(LaneSpec(section_label(plan, current), kind="section"))
        tooltip = f"{activity_text(activity)}\n{activity.schedule.text or 'срок не указан'}"
        lanes.append(LaneSpec(activity_text(activity), "activity",
                              ((view.color, tooltip, tuple(spans_of(activity))),)))
    return build_chart(f"plan-{view.index + 1}", view.label, lanes, plan_bounds(plan, settings), settings)


def topic_chart(views: Sequence[PlanView], rows: Sequence[MatrixRow], settings: ChartSettings) -> Chart:
    """One title row per shared topic, then one lane per plan that has activities in it."""
    lanes: list[LaneSpec] = []
    for row in rows:
        lanes.append(LaneSpec(row.topic.name, kind="topic"))
        for view, refs in zip(views, row.cells, strict=True):
            if not refs:
                continue
            items = tuple(
                (view.color, f"{view.label}: {activity_text(r.activity)}\n{r.activity.schedule.text}",
                 tuple(spans_of(r.activity)))
                for r in refs
            )
            count = f" ({len(refs)})"
            lanes.append(LaneSpec(cut(view.label, settings.label_chars - len(count)) + count, "plan", items))
    windows = [b for v in views if (b := plan_bounds(v.plan, settings)) is not None]
    bounds = (min(b[0] for b in windows), max(b[1] for b in windows)) if windows else None
    legend = [(v.color, v.label) for v in views]
    return build_chart("topics", "Общие темы", lanes, bounds, settings, legend)


# --- assembly -----------------------------------------------------------------------------

def compare(plans: Sequence[Plan], skipped: Sequence[Skipped] = (),
            settings: CompareSettings | None = None, reports: Sequence[str] = ()) -> Comparison:
    settings = settings or CompareSettings()
    views = plan_views(plans)
    items = [TopicInput((v.index, a.seq), a.title) for v in views for a in v.plan.activities]
    rows = matrix(views, group_topics(items, settings.topics))
    shared = sorted((r for r in rows if r.plan_count >= settings.min_plans_shared),
                    key=lambda r: (-r.plan_count, -len(r.topic.members), r.topic.id))
    single = [r for r in rows if r.plan_count < settings.min_plans_shared]
    charts = [topic_chart(views, shared[: settings.chart_topics], settings.charts)] + \
        [plan_chart(v, settings.charts) for v in views]
    return Comparison(
        plans=views,
        skipped=list(skipped),
        cards=[card_of(v.plan, settings.card) for v in views],
        counts=[counts_of(v.plan) for v in views],
        bodies=[bodies_of(v.plan) for v in views],
        shared=shared,
        single=single,
        charts=charts,
        settings=settings,
        reports=list(reports),
        vectors=settings.topics.vector_weight == 0 or word_vectors() is not None,
        checks=findings_section_html(check_plans(list(plans)), heading_level=2),
    )


# --- HTML ---------------------------------------------------------------------------------

@cache
def environment() -> jinja2.Environment:
    env = template_environment()
    env.filters["pct"] = lambda x: f"{round(100 * x)} %"
    env.filters["num"] = lambda x: f"{x:.1f}".rstrip("0").rstrip(".")
    env.globals["activity_text"] = activity_text
    return env


def render_html(comparison: Comparison) -> str:
    return environment().get_template("report.html.j2").render(c=comparison, kinds=code_names().kinds)


def write_html(comparison: Comparison, path: Path) -> None:
    write_atomic(path, render_html(comparison))


Writer = Callable[[Comparison, Path], None]


def run(paths: Sequence[Path], outputs: Sequence[tuple[Writer, Path]],
        settings: CompareSettings | None = None) -> Comparison:
    """Load, compare, and write the report(s): each output is a writer (write_html here,
    compare_xlsx.write_xlsx; the caller picks) and its path. Raises PlanFileError for a bad
    input and ValueError when no input holds a plan."""
    files = expand_inputs(paths)
    reports: list[str] = []
    plans, skipped = load_inputs(files, reports)
    if not plans:
        raise ValueError(f"нет планов для сравнения: файлов JSON {len(files)}, из них объектов ошибки "
                         f"{len(skipped)}")
    comparison = compare(plans, skipped, settings, reports)
    for write, path in outputs:
        write(comparison, path)
    return comparison
