"""How well `roadmap compare` groups activities into topics: pairwise precision, recall and F1
over the hand-labelled pairs of tests/data/topic_pairs.yaml (activities of two different plans,
same topic or not).

    .venv/bin/python bench/bench_topics.py                 # the chosen settings
    .venv/bin/python bench/bench_topics.py --grid          # every setting of the grid
    .venv/bin/python bench/bench_topics.py --plans DIR…    # grouped among whole plans

By default the activities grouped are the distinct titles the pairs quote, each in its plan (so the
measure needs no corpus). `--plans` groups every activity of the plan JSON files given (the goldens
and a batch's output of the real corpus) and measures the same pairs there. The grid reports the
pairs of even position (tuned on) and odd position (held out) apart, and all of them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflow.compare_topics import (  # noqa: E402
    PairScore,
    TopicInput,
    TopicSettings,
    group_topics,
    score_pairs,
)

PAIRS = ROOT / "tests" / "data" / "topic_pairs.yaml"


@dataclass(frozen=True)
class Pair:
    a: tuple[str, str]  # (plan, title)
    b: tuple[str, str]
    same: bool


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]
    return [Pair((p["plan_a"], p["a"]), (p["plan_b"], p["b"]), bool(p["same"])) for p in data]


def pair_items(pairs: list[Pair]) -> list[tuple[str, str]]:
    """The distinct (plan, title) the pairs quote, in order of first mention."""
    return list(dict.fromkeys(x for p in pairs for x in (p.a, p.b)))


def plan_items(folders: list[Path]) -> list[tuple[str, str]]:
    """Every activity of the plan JSON files in the folders (error objects and reports skipped)."""
    items: list[tuple[str, str]] = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else [folder]:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "activities" not in data:
                continue
            stem = Path(data["source"]["filename"]).stem
            items += [(stem, a["title"]) for a in data["activities"]]
    return items


def measure(items: list[tuple[str, str]], pairs: list[Pair], settings: TopicSettings) -> PairScore:
    plans = {plan: i for i, plan in enumerate(dict.fromkeys(p for p, _ in items))}
    inputs = [TopicInput((plans[plan], n), title) for n, (plan, title) in enumerate(items)]
    topic_of: dict[tuple[str, str], int] = {}
    for number, topic in enumerate(group_topics(inputs, settings)):
        for _, n in topic.members:
            topic_of.setdefault(items[n], number)  # a title repeated in one plan: its first row
    missing = [x for p in pairs for x in (p.a, p.b) if x not in topic_of]
    if missing:
        raise SystemExit(f"{len(missing)} quoted activities are not in the plans, e.g. {missing[0]}")
    return score_pairs((topic_of[p.a] == topic_of[p.b], p.same) for p in pairs)


def row(name: str, s: PairScore) -> str:
    return f"{name:<44} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  ({s.pairs} pairs, {s.gold_pairs} same)"


GRID = {
    "tfidf only": [replace(TopicSettings(), vector_weight=0.0, similarity=t) for t in (0.1, 0.15, 0.2, 0.3, 0.4)],
    **{f"vectors {w}{' centred' if c else ''}": [replace(TopicSettings(), vector_weight=w, center_vectors=c,
                                                          similarity=t)
                                                  for t in (0.15, 0.2, 0.25, 0.3, 0.4, 0.5)]
       for w in (0.5, 0.7, 1.0) for c in (False, True)},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--plans", nargs="+", type=Path)
    args = parser.parse_args()
    pairs = load_pairs()
    items = plan_items(args.plans) if args.plans else pair_items(pairs)
    print(f"{len(pairs)} pairs ({sum(p.same for p in pairs)} same); {len(items)} activities grouped")
    if not args.grid:
        started = time.process_time()
        print(row("chosen settings", measure(items, pairs, TopicSettings())))
        print(f"{time.process_time() - started:.1f} s CPU")
        return
    tune, held = pairs[0::2], pairs[1::2]
    for name, options in GRID.items():
        for settings in options:
            label = f"{name}, similarity {settings.similarity}"
            print(row(label + " tune", measure(items, tune, settings)))
            print(row(label + " held", measure(items, held, settings)))


if __name__ == "__main__":
    main()
