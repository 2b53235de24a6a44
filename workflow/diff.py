"""`roadmap diff`: what a resubmitted plan changed against the earlier one.

Activities are aligned by content, not by row number: a similarity matrix of their titles
(character and word measures, rapidfuzz) with a little context (schedule, parties, section,
place in the plan) to tell identical titles apart, solved as an assignment
(scipy's linear_sum_assignment) and cut at a threshold. An activity whose words are shared out
among several activities of the other plan is a split (old -> new) or a merge (old -> new).
Matched pairs are compared field by field: title wording, schedule (text and dates), parties and
result; renumbering, a move to another section and a change of order are noted apart.

Output: JSON (`Diff.as_json`), and one self-contained HTML page in Russian, the two versions
side by side with the changed words marked (templates/diff.html.j2).
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from extractor.output import write_atomic
from models import Activity, Plan
from workflow.check import PlanInputError, environment, fold, load_plan, stem_words, title_key
from workflow.compare_card import party_text, plan_label

Status = Literal["unchanged", "changed", "added", "removed", "split", "merged"]
Field = Literal["title", "schedule", "responsible", "result"]
STATUS_NAMES: dict[str, str] = {"unchanged": "без изменений", "changed": "изменено", "added": "добавлено",
                                "removed": "удалено", "split": "разделено", "merged": "объединено"}
FIELD_NAMES: dict[str, str] = {"title": "формулировка", "schedule": "сроки", "responsible": "ответственные",
                               "result": "результат"}

if TYPE_CHECKING:  # numpy is imported where it is used: the other commands start without it
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DiffSettings:
    threshold: float = 0.6  # title similarity (0–1) from which two activities are one, reworded
    context_weight: float = 0.08  # schedule, parties and section: only tell near-equal titles apart
    position_weight: float = 0.02  # the place in the plan: the last tie-breaker between equal titles
    part_cover: float = 0.75  # share of a part's words found in the whole it was split from
    whole_cover: float = 0.7  # share of the whole's words found in its parts together
    cover_gain: float = 0.15  # the parts must cover the whole this much better than its own match
    min_part_gain: float = 0.1  # each part adds at least this share of the whole's words
    same_section: float = 0.85  # section titles this similar are one section (OCR noise, numerals)
    part_window: int = 3  # the parts of a split (or merge) stand at most this many rows apart
    short_title: int = 100  # characters: up to this, titles are compared letter by letter too


@dataclass(frozen=True)
class Change:
    field: Field
    old: Any
    new: Any
    added: tuple[str, ...] = ()  # parties only: those of the new list the old one lacks (by name)
    removed: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "old": self.old, "new": self.new}
        if self.field == "responsible":
            out["added"] = list(self.added)
            out["removed"] = list(self.removed)
        return out


@dataclass
class Entry:
    """One line of the diff: activities of the old plan and of the new one that are the same."""

    status: Status
    old: list[Activity]
    new: list[Activity]
    similarity: float | None = None  # title similarity of a matched pair
    changes: list[Change] = field(default_factory=list)
    renumbered: bool = False
    section_changed: bool = False
    reordered: bool = False  # out of the order the other matched activities keep

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.changes]

    def change(self, name: str) -> Change | None:
        return next((c for c in self.changes if c.field == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "old": [_ref(a) for a in self.old],
            "new": [_ref(a) for a in self.new],
            "similarity": None if self.similarity is None else round(self.similarity, 3),
            "changes": [c.as_json() for c in self.changes],
            "renumbered": self.renumbered,
            "section_changed": self.section_changed,
            "reordered": self.reordered,
        }


@dataclass
class Diff:
    old: Plan
    new: Plan
    entries: list[Entry]
    old_file: str = ""
    new_file: str = ""
    years: int = 0  # the new plan is for this many years later: old dates were moved by as much

    @property
    def summary(self) -> dict[str, int]:
        out = {s: sum(1 for e in self.entries if e.status == s) for s in STATUS_NAMES}
        out["renumbered"] = sum(1 for e in self.entries if e.renumbered)
        out["moved"] = sum(1 for e in self.entries if e.section_changed or e.reordered)
        return out

    def labels(self) -> tuple[str, str]:
        old, new = plan_label(self.old), plan_label(self.new)
        if old == new:
            return f"{old} (было)", f"{new} (стало)"
        return old, new

    def as_json(self) -> dict[str, Any]:
        old_label, new_label = self.labels()
        return {
            "old": _plan_json(self.old, self.old_file, old_label),
            "new": _plan_json(self.new, self.new_file, new_label),
            "years_apart": self.years,
            "summary": self.summary,
            "entries": [e.as_json() for e in self.entries],
        }


def _ref(a: Activity) -> dict[str, Any]:
    return {"seq": a.seq, "number": a.number, "title": a.title}


def _plan_json(plan: Plan, file: str, label: str) -> dict[str, Any]:
    period = plan.plan.period
    return {"file": file or plan.source.filename, "source": plan.source.filename, "label": label,
            "period": period.text if period is not None else None, "activities": len(plan.activities)}


# --- similarity -------------------------------------------------------------------------------------

def _word_matrices(old: Sequence[list[str]], new: Sequence[list[str]]) -> tuple[Matrix, Matrix, Matrix]:
    """Binary word matrices of both plans over one vocabulary, and the words each pair shares."""
    import numpy as np

    vocab: dict[str, int] = {}
    for words in (*old, *new):
        for w in words:
            vocab.setdefault(w, len(vocab))
    a = np.zeros((len(old), max(1, len(vocab))))
    b = np.zeros((len(new), max(1, len(vocab))))
    for i, words in enumerate(old):
        a[i, [vocab[w] for w in words]] = 1.0
    for j, words in enumerate(new):
        b[j, [vocab[w] for w in words]] = 1.0
    shared = a @ b.T
    return a, b, shared


def title_similarity(old: Sequence[str], new: Sequence[str], shared: Matrix, old_sizes: Matrix,
                     new_sizes: Matrix, settings: DiffSettings) -> Matrix:
    """0–1: the share of lemmas in common (Dice), or, for two short titles, the characters'
    ratio where that is higher (a typo changes a lemma; "Педсовет" / "Пед. совет"). Unrelated
    Russian titles share about half their letters, so the ratio counts from 0.5 up. Long titles
    are left to the lemmas: the ratio of long strings is dear and says nothing more."""
    import numpy as np
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist

    if not old or not new:
        return np.zeros((len(old), len(new)))
    sizes = old_sizes[:, None] + new_sizes[None, :]
    dice = np.divide(2 * shared, sizes, out=np.zeros_like(shared), where=sizes > 0)
    cut = settings.short_title
    short_old = [i for i, t in enumerate(old) if len(t) <= cut]
    short_new = [j for j, t in enumerate(new) if len(t) <= cut]
    result: Matrix = dice
    if short_old and short_new:
        chars = cdist([old[i] for i in short_old], [new[j] for j in short_new], scorer=fuzz.ratio,
                      workers=1).astype(np.float64) / 100
        letters = np.clip((chars - 0.5) * 2, 0.0, 1.0)
        block = np.ix_(short_old, short_new)
        result[block] = np.maximum(dice[block], letters)
    return result


def _parties(a: Activity) -> frozenset[str]:
    return frozenset(fold(p.name) for p in a.responsible)


def _section_key(plan: Plan, section_id: str | None) -> str:
    section = next((s for s in plan.sections if s.id == section_id), None)
    return title_key(section.title) if section is not None else ""


def same_section(a: str, b: str, settings: DiffSettings) -> bool:
    """Section titles (folded) that read as one: equal, or nearly so (OCR noise, a numeral)."""
    from rapidfuzz import fuzz

    return a == b or (bool(a) and bool(b) and fuzz.ratio(a, b) >= 100 * settings.same_section)


def section_label(plan: Plan, section_id: str | None) -> str:
    section = next((s for s in plan.sections if s.id == section_id), None)
    if section is None:
        return ""
    return f"{section.number}. {section.title}" if section.number else section.title


def _codes(keys: Sequence[str], vocab: dict[str, int]) -> list[int]:
    return [vocab.setdefault(k, len(vocab)) for k in keys]


def context_similarity(old: Plan, new: Plan) -> Matrix:
    """0–1 per pair: the same schedule, the same parties (Jaccard), the same section title (a
    third each). Vectorized: plans of hundreds of activities are compared whole."""
    import numpy as np
    from rapidfuzz import fuzz
    from rapidfuzz.process import cdist

    a, b = old.activities, new.activities
    vocab: dict[str, int] = {}
    sched_a = np.array(_codes([fold(x.schedule.text) for x in a], vocab))
    sched_b = np.array(_codes([fold(x.schedule.text) for x in b], vocab))
    same_schedule = np.equal.outer(sched_a, sched_b).astype(np.float64)
    party_a, party_b, shared = _word_matrices([sorted(_parties(x)) for x in a], [sorted(_parties(x)) for x in b])
    union = party_a.sum(axis=1)[:, None] + party_b.sum(axis=1)[None, :] - shared
    jaccard = np.divide(shared, union, out=np.ones_like(shared), where=union > 0)
    keys_a = [_section_key(old, x.section) for x in a]
    keys_b = [_section_key(new, x.section) for x in b]
    unique_a, unique_b = sorted(set(keys_a)), sorted(set(keys_b))  # a plan has few sections
    ratio = cdist(unique_a, unique_b, scorer=fuzz.ratio, workers=1).astype(np.float64) / 100
    at_a = np.array([unique_a.index(k) for k in keys_a])
    at_b = np.array([unique_b.index(k) for k in keys_b])
    sections = ratio[np.ix_(at_a, at_b)]
    result: Matrix = (same_schedule + jaccard + sections) / 3
    return result


def position_similarity(n: int, m: int) -> Matrix:
    """1 where two activities stand at the same relative place of their plans, 0 at opposite ends."""
    import numpy as np

    i = (np.arange(n) + 0.5) / max(n, 1)
    j = (np.arange(m) + 0.5) / max(m, 1)
    result: Matrix = 1 - np.abs(i[:, None] - j[None, :])
    return result


# --- alignment ---------------------------------------------------------------------------------------

@dataclass
class Alignment:
    """Indexes (0-based) into the two plans' activities."""

    pairs: dict[int, int]  # old -> new
    splits: list[tuple[int, list[int]]]
    merges: list[tuple[list[int], int]]
    similarity: Matrix


def _parts(whole: int, candidates: Sequence[int], whole_words: Matrix, part_words: Matrix,
           settings: DiffSettings) -> list[int]:
    """The candidates that share the whole's words out between them, greedily, each adding words
    of its own and standing near a part already chosen (a split gives neighbouring rows); []
    when fewer than two do."""
    import numpy as np

    target = whole_words[whole] > 0
    size = float(target.sum())
    if size == 0:
        return []
    covered = np.zeros_like(target)
    chosen: list[int] = []
    left = list(candidates)
    while left:
        near = [c for c in left if not chosen or min(abs(c - x) for x in chosen) <= settings.part_window]
        if not near:
            break
        gains = [float((part_words[c] > 0)[target & ~covered].sum()) for c in near]
        best = int(np.argmax(gains))
        if gains[best] < max(1.0, settings.min_part_gain * size):
            break
        chosen.append(near[best])
        left.remove(near[best])
        covered |= (part_words[chosen[-1]] > 0) & target
    return sorted(chosen) if len(chosen) >= 2 else []


def _pieces(whole_words: Matrix, part_words: Matrix, part_in_whole: Matrix, own: dict[int, int],
            owner: dict[int, int], taken: set[int], skip: set[int],
            settings: DiffSettings) -> list[tuple[int, list[int]]]:
    """Wholes whose words are shared out among two or more smaller activities of the other plan
    (a split seen from the old plan, a merge from the new). `own` maps a whole to the part it was
    matched with and `owner` back; both lose the pairs a piece replaces."""
    import numpy as np

    whole_sizes, part_sizes = whole_words.sum(axis=1), part_words.sum(axis=1)
    eligible = (part_in_whole >= settings.part_cover) & (part_sizes[None, :] < whole_sizes[:, None])
    found: list[tuple[int, list[int]]] = []
    for w in np.flatnonzero(eligible.sum(axis=1) >= 2):
        whole = int(w)
        if whole in skip:
            continue
        mine = own.get(whole)
        candidates = [int(c) for c in np.flatnonzero(eligible[whole])
                      if int(c) not in taken and owner.get(int(c), whole) == whole]
        if len(candidates) < 2:
            continue
        parts = _parts(whole, candidates, whole_words, part_words, settings)
        if not parts:
            continue
        target = whole_words[whole] > 0
        union = float(((part_words[parts].sum(axis=0) > 0) & target).sum()) / max(float(target.sum()), 1.0)
        mine_cover = float(((part_words[mine] > 0) & target).sum()) / max(float(target.sum()), 1.0) \
            if mine is not None else 0.0
        if union >= settings.whole_cover and union - mine_cover >= settings.cover_gain:
            found.append((whole, parts))
            taken.update(parts)
            if mine is not None:
                del own[whole]
                del owner[mine]
    return found


def align(old: Plan, new: Plan, settings: DiffSettings | None = None) -> Alignment:
    import numpy as np
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    settings = settings or DiffSettings()
    a, b = old.activities, new.activities
    n, m = len(a), len(b)
    old_words = [sorted(set(stem_words(x.title))) for x in a]
    new_words = [sorted(set(stem_words(x.title))) for x in b]
    wa, wb, shared = _word_matrices(old_words, new_words)
    old_sizes, new_sizes = wa.sum(axis=1), wb.sum(axis=1)
    titles = title_similarity([title_key(x.title) for x in a], [title_key(x.title) for x in b],
                              shared, old_sizes, new_sizes, settings)
    if n == 0 or m == 0:
        return Alignment({}, [], [], titles)
    score = titles + settings.context_weight * context_similarity(old, new) \
        + settings.position_weight * position_similarity(n, m)
    score[titles < settings.threshold] = 0.0  # below the threshold a pair is worth nothing
    rows, cols = linear_sum_assignment(score, maximize=True)
    pairs = {int(i): int(j) for i, j in zip(rows, cols, strict=True) if titles[i, j] >= settings.threshold}
    by_new = {j: i for i, j in pairs.items()}

    # the share of each activity's words found in each one of the other plan
    new_in_old = np.divide(shared, new_sizes[None, :], out=np.zeros_like(shared), where=new_sizes[None, :] > 0)
    old_in_new = np.divide(shared.T, old_sizes[None, :], out=np.zeros_like(shared.T), where=old_sizes[None, :] > 0)
    taken_new: set[int] = set()
    splits = _pieces(wa, wb, new_in_old, pairs, by_new, taken_new, set(), settings)
    taken_old = {i for i, _ in splits}
    merged = _pieces(wb, wa, old_in_new, by_new, pairs, taken_old, taken_new, settings)
    return Alignment(pairs, splits, [(parts, j) for j, parts in merged], titles)


# --- comparing a matched pair --------------------------------------------------------------------------

def _spaced(text: str | None) -> str:
    return " ".join((text or "").split())


def _schedule_json(a: Activity) -> dict[str, Any]:
    s = a.schedule
    return {"text": s.text, "kind": s.kind, "start": _iso(s.start), "end": _iso(s.end)}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def party_list(a: Activity) -> list[str]:
    return list(dict.fromkeys(party_text(p.name, p.position, p.role) for p in a.responsible))


_YEAR = re.compile(r"\b(19|20)(\d\d)\b")


def years_apart(old: Plan, new: Plan) -> int:
    """Whole years between the plans' periods (the same plan for a later year), else 0: dates
    and years written in the schedules are compared after moving the old ones by as much."""
    p, q = old.plan.period, new.plan.period
    if p is None or q is None or p.start is None or q.start is None:
        return 0
    if (p.start.month, p.start.day) != (q.start.month, q.start.day):
        return 0
    return q.start.year - p.start.year


def _moved(day: dt.date | None, years: int) -> dt.date | None:
    if day is None or not years:
        return day
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _moved_text(text: str, years: int) -> str:
    if not years:
        return text
    return _YEAR.sub(lambda m: str(int(m.group(0)) + years), text)


def changes_of(a: Activity, b: Activity, years: int = 0) -> list[Change]:
    """What differs between two versions of an activity; `years` moves the old dates and
    years first (a plan for a later year keeps its "Декабрь" without a change)."""
    out: list[Change] = []
    if _spaced(a.title) != _spaced(b.title):
        out.append(Change("title", a.title, b.title))
    sa, sb = a.schedule, b.schedule
    if fold(_moved_text(sa.text, years)) != fold(sb.text) or \
            (_moved(sa.start, years), _moved(sa.end, years)) != (sb.start, sb.end):
        out.append(Change("schedule", _schedule_json(a), _schedule_json(b)))
    if _parties(a) != _parties(b):
        theirs, ours = _parties(a), _parties(b)
        added = tuple(dict.fromkeys(party_text(p.name, p.position, p.role) for p in b.responsible
                                    if fold(p.name) not in theirs))
        removed = tuple(dict.fromkeys(party_text(p.name, p.position, p.role) for p in a.responsible
                                      if fold(p.name) not in ours))
        out.append(Change("responsible", party_list(a), party_list(b), added, removed))
    if fold(a.result or "") != fold(b.result or ""):
        out.append(Change("result", a.result, b.result))
    return out


def _reordered(pairs: Sequence[tuple[int, int]]) -> set[int]:
    """Old indexes of the pairs outside the longest run kept in the same order (moved ones)."""
    ordered = sorted(pairs)
    tails: list[int] = []  # tails[k]: smallest new index ending a run of k + 1
    tail_at: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(ordered):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back.append(tail_at[pos - 1] if pos else -1)
    kept: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        kept.add(ordered[k][0])
        k = back[k]
    return {i for i, _ in ordered} - kept


def diff(old: Plan, new: Plan, settings: DiffSettings | None = None, old_file: str = "",
         new_file: str = "") -> Diff:
    """The entries of the diff, in the new plan's order; removed activities stand after the
    entry of the old activity they followed."""
    settings = settings or DiffSettings()
    alignment = align(old, new, settings)
    years = years_apart(old, new)
    a, b = old.activities, new.activities
    moved = _reordered([*alignment.pairs.items(), *((i, min(js)) for i, js in alignment.splits),
                        *((min(i_s), j) for i_s, j in alignment.merges)])
    keyed: list[tuple[tuple[float, int, int], Entry]] = []
    new_place: dict[int, float] = {}  # old index -> where its entry stands in the new order
    for i, j in alignment.pairs.items():
        x, y = a[i], b[j]
        changes = changes_of(x, y, years)
        entry = Entry("changed" if changes else "unchanged", [x], [y], float(alignment.similarity[i, j]), changes,
                      renumbered=x.number != y.number,
                      section_changed=bool(old.sections and new.sections) and not same_section(
                          _section_key(old, x.section), _section_key(new, y.section), settings),
                      reordered=i in moved)
        keyed.append(((j, 0, i), entry))
        new_place[i] = j
    for i, js in alignment.splits:
        keyed.append(((min(js), 0, i), Entry("split", [a[i]], [b[j] for j in js], reordered=i in moved)))
        new_place[i] = min(js)
    for i_s, j in alignment.merges:
        keyed.append(((j, 0, min(i_s)), Entry("merged", [a[i] for i in i_s], [b[j]], reordered=min(i_s) in moved)))
        for i in i_s:
            new_place[i] = j
    covered_new = set(alignment.pairs.values()) | {j for _, js in alignment.splits for j in js} \
        | {j for _, j in alignment.merges}
    for j in range(len(b)):
        if j not in covered_new:
            keyed.append(((j, 0, -1), Entry("added", [], [b[j]])))
    place = -0.5  # removed activities before any matched one come first
    for i in range(len(a)):
        if i in new_place:
            place = new_place[i]
        else:
            keyed.append(((place, 1, i), Entry("removed", [a[i]], [])))
    keyed.sort(key=lambda item: item[0])
    return Diff(old, new, [e for _, e in keyed], old_file, new_file, years)


# --- submissions of one municipality ------------------------------------------------------------

def same_municipality_pairs(plans: Sequence[Plan]) -> list[tuple[int, int]]:
    """(earlier, later) indexes of plans from one municipality, each next to the one before it
    (by period start, then by order given): what a batch's second submissions are diffed against.
    Plans that name no municipality are not paired."""
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(plans):
        if p.plan.municipality:
            groups.setdefault(fold(p.plan.municipality), []).append(i)
    out: list[tuple[int, int]] = []
    for members in groups.values():
        def start(i: int) -> dt.date:
            period = plans[i].plan.period
            return period.start if period is not None and period.start is not None else dt.date.min

        ordered = sorted(members, key=lambda i: (start(i), i))
        out += list(pairwise(ordered))
    return sorted(out)


# --- HTML ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    kind: Literal["same", "del", "ins"]
    text: str


def word_diff(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """The two texts cut into runs of words that stayed, went (old side) and came (new side),
    the spaces between runs kept as they are ("same")."""
    a, b = _spaced(old).split(), _spaced(new).split()
    left: list[Segment] = []
    right: list[Segment] = []

    def put(side: list[Segment], kind: Literal["same", "del", "ins"], words: list[str]) -> None:
        if side:
            side.append(Segment("same", " "))
        side.append(Segment(kind, " ".join(words)))

    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            put(left, "same", a[i1:i2])
            put(right, "same", b[j1:j2])
            continue
        if i2 > i1:
            put(left, "del", a[i1:i2])
        if j2 > j1:
            put(right, "ins", b[j1:j2])
    return left, right


def schedule_text(a: Activity) -> str:
    s = a.schedule
    if not s.text:
        return "не указан"
    if s.start is None and s.end is None:
        return s.text
    when = s.start.strftime("%d.%m.%Y") if s.start else "…"
    if s.end != s.start:
        when += "–" + (s.end.strftime("%d.%m.%Y") if s.end else "…")
    return f"{s.text} ({when})"


def years_word(n: int) -> str:
    """"год", "года" or "лет" after the number n."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def render_html(result: Diff, only_changes: bool = False) -> str:
    """The page; `only_changes` ticks its "only changes" box (unchanged rows hidden by CSS)."""
    env = environment()
    old_label, new_label = result.labels()
    return env.get_template("diff.html.j2").render(
        d=result, old_label=old_label, new_label=new_label, summary=result.summary, only_changes=only_changes,
        status_names=STATUS_NAMES, field_names=FIELD_NAMES, word_diff=word_diff, schedule_text=schedule_text,
        party_list=party_list, section_label=section_label, years_word=years_word)


def write_output(result: Diff, path: Path | None) -> None:
    """HTML for a .html/.htm path, JSON otherwise (stdout without a path)."""
    if path is not None and path.suffix.lower() in (".html", ".htm"):
        write_atomic(path, render_html(result))
        return
    text = json.dumps(result.as_json(), ensure_ascii=False, indent=2) + "\n"
    if path is None:
        click.echo(text, nl=False)
    else:
        write_atomic(path, text)


@click.command("diff", short_help="Что изменилось в новой редакции плана.")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Куда записать: .html — страница для чтения, .json — данные (по умолчанию JSON на "
                   "стандартный вывод).")
def diff_command(old: Path, new: Path, output: Path | None) -> None:
    """Сравнить две редакции одного плана: добавленные, удалённые, изменённые (формулировка,
    сроки, ответственные, результат), разделённые и объединённые мероприятия.

    OLD и NEW — канонический JSON плана или сам документ (он будет извлечён). Мероприятия
    сопоставляются по содержанию, а не по номеру строки, поэтому перенумерация и перестановка
    строк не мешают. Код выхода 1, если вход — не план.
    """
    try:
        plans = [load_plan(old), load_plan(new)]
    except PlanInputError as exc:
        click.echo(f"roadmap diff: {exc}", err=True)
        sys.exit(1)
    result = diff(plans[0], plans[1], old_file=old.name, new_file=new.name)
    write_output(result, output)
    s = result.summary
    click.echo(f"без изменений: {s['unchanged']}, изменено: {s['changed']}, добавлено: {s['added']}, "
               f"удалено: {s['removed']}, разделено: {s['split']}, объединено: {s['merged']}", err=True)
