"""Which topic grouping `roadmap compare` uses: every method and threshold measured against
the hand-labelled topics of the five samples (tests/data/topic_labels.yaml).

    /tmp/venv0/bin/python bench/topics_choice.py [--all]

For each method and feature variant it prints the threshold with the best pairwise F1 over
all pairs of activities, with precision and recall over all pairs and over pairs from two
different plans (what the topics x municipalities matrix shows), and the mean F1 over the
threshold grid (how forgiving the method is to a threshold that is a little off). `--all`
prints every threshold.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from statistics import mean

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflow.compare_topics import (  # noqa: E402
    METHODS,
    PairScore,
    TopicInput,
    TopicSettings,
    group_topics,
    pair_score,
)

THRESHOLDS = [0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]  # cosine similarity
_PLAIN = TopicSettings(head_lemmas=0, head_weight=0, synonyms=False)
VARIANTS = {
    "lemmas": replace(_PLAIN, ngram_max=1, stop_lemmas=False),
    "lemmas - stop": replace(_PLAIN, ngram_max=1),
    "lemmas+bigrams - stop": replace(_PLAIN, ngram_max=2),
    "lemmas - stop + head x2": replace(_PLAIN, ngram_max=1, head_lemmas=3, head_weight=2),
    "lemmas+bigrams - stop + head x2": replace(_PLAIN, ngram_max=2, head_lemmas=3, head_weight=2),
    "lemmas - stop + head x2 + synonyms": replace(_PLAIN, ngram_max=1, head_lemmas=3, head_weight=2, synonyms=True),
    "lemmas+bigrams - stop + head x2 + synonyms": replace(_PLAIN, ngram_max=2, head_lemmas=3, head_weight=2,
                                                          synonyms=True),
}


def load() -> tuple[list[str], list[TopicInput], dict[tuple[str, int], int]]:
    labels = yaml.safe_load((ROOT / "tests/data/topic_labels.yaml").read_text(encoding="utf-8"))["topics"]
    plans = sorted(p.stem for p in (ROOT / "golden").glob("*.json"))
    items: list[TopicInput] = []
    gold: dict[tuple[str, int], int] = {}
    for index, stem in enumerate(plans):
        data = json.loads((ROOT / "golden" / f"{stem}.json").read_text(encoding="utf-8"))
        for activity in data["activities"]:
            items.append(TopicInput((index, activity["seq"]), activity["title"]))
    topic_of = {(stem, seq): n for n, topic in enumerate(labels.values())
                for stem, seqs in topic.items() if stem != "name" for seq in seqs}
    next_label = len(labels)
    for item in items:
        key = (plans[item.key[0]], item.key[1])
        if key not in topic_of:
            topic_of[key] = next_label
            next_label += 1
        gold[key] = topic_of[key]
    return plans, items, gold


def measure(plans: list[str], items: list[TopicInput], gold: dict[tuple[str, int], int],
            settings: TopicSettings) -> tuple[PairScore, PairScore, int]:
    topics = group_topics(items, settings)
    predicted = {(plans[p], s): n for n, t in enumerate(topics) for p, s in t.members}
    shared = sum(1 for t in topics if len(t.plans) >= 2)
    return pair_score(predicted, gold), pair_score(predicted, gold, cross_plan_only=True), shared


def main() -> None:
    show_all = "--all" in sys.argv
    plans, items, gold = load()
    gold_topics = len(set(gold.values()))
    print(f"{len(items)} activities of {len(plans)} plans; {gold_topics} hand-labelled topics "
          f"(singletons included)\n")
    print("| method | features | best threshold | P | R | F1 | P cross-plan | R cross-plan | F1 cross-plan"
          " | topics shared by 2+ plans | mean F1 over grid |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for variant, base in VARIANTS.items():
        for method in METHODS:
            rows = []
            for threshold in THRESHOLDS:
                settings = replace(base, method=method, similarity=threshold)
                every, cross, shared = measure(plans, items, gold, settings)
                rows.append((threshold, every, cross, shared))
                if show_all:
                    print(f"| {method} | {variant} | {threshold:g} | {every.precision:.2f} | {every.recall:.2f}"
                          f" | {every.f1:.2f} | {cross.precision:.2f} | {cross.recall:.2f} | {cross.f1:.2f}"
                          f" | {shared} | |")
            threshold, every, cross, shared = max(rows, key=lambda r: r[1].f1)
            spread = mean(r[1].f1 for r in rows)
            print(f"| **{method}** | {variant} | {threshold:g} | {every.precision:.2f} | {every.recall:.2f}"
                  f" | {every.f1:.2f} | {cross.precision:.2f} | {cross.recall:.2f} | {cross.f1:.2f}"
                  f" | {shared} | {spread:.2f} |")
    one = pair_score({k: 0 for k in gold}, gold)
    print(f"\nbaseline, every activity in one topic: P {one.precision:.2f} R {one.recall:.2f} F1 {one.f1:.2f}")
    default = TopicSettings()
    every, cross, shared = measure(plans, items, gold, default)
    print(f"chosen (TopicSettings defaults): {default.method}, similarity {default.similarity}, "
          f"n-grams 1-{default.ngram_max}, stop lemmas {default.stop_lemmas}, head {default.head_lemmas}"
          f" x{default.head_weight}, synonyms {default.synonyms}: "
          f"P {every.precision:.2f} R {every.recall:.2f} F1 {every.f1:.2f}; cross-plan P {cross.precision:.2f} "
          f"R {cross.recall:.2f} F1 {cross.f1:.2f}; {shared} topics shared by 2+ plans")


if __name__ == "__main__":
    main()
