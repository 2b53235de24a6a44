"""`roadmap compare`: plans of several municipalities side by side.

Canonical JSON files in -> a `Comparison` (topics across plans, a topics x plans matrix,
timelines, responsibility and counts) -> one self-contained HTML report (Jinja2 template,
inline CSS and SVG, no scripts) and, on request, the same tables as an Excel workbook
(compare_xlsx.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from pydantic import ValidationError

from extractor.output import write_atomic
from models import Activity, Plan
from workflow.compare_charts import (
    Chart,
    ChartSettings,
    LaneSpec,
    Span,
    axis_bounds,
    build_chart,
    cut,
    spans_of,
)
from workflow.compare_topics import Topic, TopicInput, TopicSettings, group_topics

# Tableau 10: distinct on screen and in print, one colour per plan
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
NO_SECTION = "без раздела"


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
    min_plans_shared: int = 2  # a topic with activities of this many plans is "shared"


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
    counts: list[Counts]
    bodies: list[list[BodyCount]]  # per plan, most activities first
    shared: list[MatrixRow]  # topics of at least `min_plans_shared` plans
    single: list[MatrixRow]  # topics of one plan only
    charts: list[Chart]  # the combined chart first, then one per plan
    settings: CompareSettings


# --- input --------------------------------------------------------------------------------

def load_inputs(paths: Sequence[Path]) -> tuple[list[Plan], list[Skipped]]:
    """Plans from canonical JSON files; error objects are returned as skipped.

    Raises PlanFileError for a file that is neither."""
    plans: list[Plan] = []
    skipped: list[Skipped] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlanFileError(path, f"not a JSON file ({exc})") from exc
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
            raise PlanFileError(path, f"not a canonical plan: {where}: {first['msg']}") from exc
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


def plan_label(plan: Plan) -> str:
    """"Тула 2020–2021"; the file's base name where the plan names no municipality."""
    name = plan.plan.municipality or Path(plan.source.filename).stem
    period = plan.plan.period
    if period is None or period.start is None or period.end is None or not plan.plan.municipality:
        return name
    years = f"{period.start.year}" if period.start.year == period.end.year \
        else f"{period.start.year}–{period.end.year}"
    return f"{name} {years}"


def plan_views(plans: Sequence[Plan]) -> list[PlanView]:
    labels = [plan_label(p) for p in plans]
    seen: Counter[str] = Counter()
    views: list[PlanView] = []
    for i, (plan, label) in enumerate(zip(plans, labels, strict=True)):
        seen[label] += 1
        if labels.count(label) > 1:
            label = f"{label} ({seen[label]})"
        views.append(PlanView(i, label, PALETTE[i % len(PALETTE)], plan))
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
    """Each party name with the number of activities naming it (once per activity)."""
    per_name: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for activity in plan.activities:
        for name in dict.fromkeys(p.name for p in activity.responsible):
            per_name[name] += 1
        for party in activity.responsible:
            kinds.setdefault(party.name, party.kind)
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

def _period(plan: Plan) -> tuple[Span, ...]:
    p = plan.plan.period
    return (Span(p.start, p.end),) if p is not None else ()


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
    spans = [s for a in plan.activities for s in spans_of(a)] + list(_period(plan))
    return build_chart(f"plan-{view.index + 1}", view.label, lanes, axis_bounds(spans), settings)


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
    spans = [s for v in views for a in v.plan.activities for s in spans_of(a)]
    legend = [(v.color, v.label) for v in views]
    return build_chart("topics", "Общие темы", lanes, axis_bounds(spans), settings, legend)


# --- assembly -----------------------------------------------------------------------------

def compare(plans: Sequence[Plan], skipped: Sequence[Skipped] = (),
            settings: CompareSettings | None = None) -> Comparison:
    settings = settings or CompareSettings()
    views = plan_views(plans)
    items = [TopicInput((v.index, a.seq), a.title) for v in views for a in v.plan.activities]
    rows = matrix(views, group_topics(items, settings.topics))
    shared = sorted((r for r in rows if r.plan_count >= settings.min_plans_shared),
                    key=lambda r: (-r.plan_count, -len(r.topic.members), r.topic.id))
    single = [r for r in rows if r.plan_count < settings.min_plans_shared]
    charts = [topic_chart(views, shared, settings.charts)] + [plan_chart(v, settings.charts) for v in views]
    return Comparison(
        plans=views,
        skipped=list(skipped),
        counts=[counts_of(v.plan) for v in views],
        bodies=[bodies_of(v.plan) for v in views],
        shared=shared,
        single=single,
        charts=charts,
        settings=settings,
    )


# --- HTML ---------------------------------------------------------------------------------

@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("workflow", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = lambda x: f"{round(100 * x)} %"
    env.filters["num"] = lambda x: f"{x:.1f}".rstrip("0").rstrip(".")
    env.globals["activity_text"] = activity_text
    return env


def render_html(comparison: Comparison) -> str:
    return environment().get_template("report.html.j2").render(c=comparison, kinds=KIND_NAMES)


KIND_NAMES = {"organization": "организация", "person": "лицо", "role": "роль"}


def write_html(comparison: Comparison, path: Path) -> None:
    write_atomic(path, render_html(comparison))


Writer = Callable[[Comparison, Path], None]


def run(paths: Sequence[Path], outputs: Sequence[tuple[Writer, Path]],
        settings: CompareSettings | None = None) -> Comparison:
    """Load, compare, and write the report(s): each output is a writer (write_html here,
    compare_xlsx.write_xlsx; the caller picks) and its path. Raises PlanFileError for a bad
    input and ValueError when no input holds a plan."""
    files = expand_inputs(paths)
    plans, skipped = load_inputs(files)
    if not plans:
        raise ValueError(f"no plan to compare among {len(files)} JSON file(s) ({len(skipped)} error objects)")
    comparison = compare(plans, skipped, settings)
    for write, path in outputs:
        write(comparison, path)
    return comparison
