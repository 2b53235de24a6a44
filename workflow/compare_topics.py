"""Topics across plans: activity titles -> lemmas (pymorphy3) -> TF-IDF -> groups.

Several groupings are implemented so that bench/topics_choice.py can measure them on the
hand-labelled topics of the five samples; `TopicSettings` holds the one that won.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]
from sklearn.cluster import DBSCAN, AgglomerativeClustering  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.metrics.pairwise import cosine_similarity  # type: ignore[import-untyped]

from lang import vocab
from lang.morph import parses

Method = Literal["cosine_components", "agglomerative_average", "agglomerative_complete", "dbscan"]
METHODS: tuple[Method, ...] = ("cosine_components", "agglomerative_average", "agglomerative_complete", "dbscan")

_TOKEN = re.compile(r"[А-Яа-яЁёA-Za-z]+")
_ABBREVIATION = re.compile(r"^[А-ЯЁA-Z]{2,}$")
_CONTENT_POS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PRTS", "VERB", "INFN", "GRND"})
_NAME_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})  # places and names are no topic


@dataclass(frozen=True)
class TopicSettings:
    """How activities are grouped. The defaults are the choice of bench/topics_choice.py."""

    method: Method = "agglomerative_average"
    # cosine similarity two activities (or, for the linkage methods, two groups on average
    # or at worst) need to share a topic; DBSCAN and the linkages take 1 - similarity
    similarity: float = 0.125
    ngram_max: int = 1  # word n-grams of lemmas fed to TF-IDF
    stop_lemmas: bool = True  # drop the vocabulary's stop lemmas before TF-IDF
    synonyms: bool = True  # read the vocabulary's synonyms as their head word
    # the first lemmas of a title name the kind of activity ("курсы повышения квалификации",
    # "мониторинг"): they are repeated this many extra times
    head_lemmas: int = 3
    head_weight: int = 2
    max_label_terms: int = 3  # lemmas shown in a topic name made of its strongest terms


@dataclass(frozen=True)
class TopicInput:
    """One activity to group: `key` is (plan index, activity seq)."""

    key: tuple[int, int]
    text: str


@dataclass
class Topic:
    id: str  # "t1", "t2" … in order of first appearance
    name: str
    terms: list[str]  # the strongest lemmas of the topic
    members: list[tuple[int, int]] = field(default_factory=list)

    @property
    def plans(self) -> list[int]:
        return sorted({plan for plan, _ in self.members})


@dataclass(frozen=True)
class TopicVocabulary:
    stop: frozenset[str]
    expansions: dict[str, str]
    synonyms: dict[str, str]
    labels: tuple[tuple[str, frozenset[str]], ...]


@cache
def topic_vocabulary() -> TopicVocabulary:
    data: dict[str, Any] = vocab.load("topics")
    parties: dict[str, Any] = vocab.load("parties")
    # legal forms and body abbreviations of the party vocabulary name bodies, not topics
    bodies = {w.lower() for key in [*parties["legal_forms"], *parties["bodies"]] for w in str(key).split()}
    return TopicVocabulary(
        stop=frozenset(data["stop_lemmas"]) | frozenset(bodies),
        expansions={str(k): str(v) for k, v in data["expansions"].items()},
        synonyms={str(w): str(head) for head, words in data["synonyms"].items() for w in words},
        labels=tuple((str(item["name"]), frozenset(item["lemmas"])) for item in data["labels"]),
    )


@cache
def lemma(word: str) -> str | None:
    """The dictionary form of a content word; None for prepositions, conjunctions, particles.

    All-capital abbreviations are kept as written (pymorphy3 turns "ШНОР" into "шнора")."""
    if _ABBREVIATION.match(word):
        return word.lower()
    found = parses(word.lower())
    if not found:
        return None
    best = found[0]
    if best.tag.POS is not None and best.tag.POS not in _CONTENT_POS:
        return None
    if _NAME_TAGS.intersection(str(best.tag).replace(" ", ",").split(",")):
        return None
    return str(best.normal_form).replace("ё", "е")


def lemmas(text: str) -> list[str]:
    """Lemmas of the content words of a text, abbreviations expanded, in order."""
    expansions = topic_vocabulary().expansions
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        found = lemma(match.group())
        if found is None or len(found) < 2:
            continue
        out += expansions[found].split() if found in expansions else [found]
    return out


def features(text: str, settings: TopicSettings) -> str:
    """The text TF-IDF sees: the lemmas joined by spaces, stop lemmas dropped."""
    v = topic_vocabulary()
    stop = v.stop if settings.stop_lemmas else frozenset()
    synonyms = v.synonyms if settings.synonyms else {}
    words = [synonyms.get(w, w) for w in lemmas(text) if w not in stop]
    head = words[: settings.head_lemmas] * settings.head_weight
    return " ".join(words + head)


def vectorize(docs: Sequence[str], settings: TopicSettings) -> tuple[Any, list[str]]:
    """TF-IDF rows (L2-normalized) and the vocabulary in column order."""
    vectorizer = TfidfVectorizer(
        analyzer="word", token_pattern=r"\S+", ngram_range=(1, settings.ngram_max),
        sublinear_tf=True, lowercase=False,
    )
    matrix = vectorizer.fit_transform(docs)
    return matrix, list(vectorizer.get_feature_names_out())


def cluster(matrix: Any, settings: TopicSettings) -> list[int]:
    """A group label per row of the TF-IDF matrix, by the configured method."""
    n = matrix.shape[0]
    if n == 0:
        return []
    if n == 1:
        return [0]
    distance = 1.0 - settings.similarity
    if settings.method == "cosine_components":
        similar = cosine_similarity(matrix) >= settings.similarity
        _, labels = connected_components(csr_matrix(similar), directed=False)
        return [int(x) for x in labels]
    if settings.method == "dbscan":
        found = DBSCAN(eps=distance, min_samples=2, metric="cosine").fit_predict(matrix)
        # DBSCAN's noise (-1) is one topic per activity
        next_label = int(found.max()) + 1
        out: list[int] = []
        for label in found:
            if label < 0:
                out.append(next_label)
                next_label += 1
            else:
                out.append(int(label))
        return out
    linkage = "average" if settings.method == "agglomerative_average" else "complete"
    dense = np.asarray(matrix.todense())
    if not dense.any(axis=1).all():
        # an activity with no feature left has no cosine; give it its own distance-1 position
        dense = np.hstack([dense, (~dense.any(axis=1)).astype(float)[:, None] * np.eye(n)])
    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage=linkage, distance_threshold=distance,
    )
    return [int(x) for x in model.fit_predict(dense)]


def _strongest_terms(matrix: Any, rows: list[int], vocabulary: list[str], limit: int) -> list[str]:
    weights = np.asarray(matrix[rows].sum(axis=0)).ravel()
    order = sorted(range(len(vocabulary)), key=lambda i: (-weights[i], vocabulary[i]))
    terms: list[str] = []
    for i in order:
        if weights[i] <= 0 or len(terms) >= limit:
            break
        if " " not in vocabulary[i]:
            terms.append(vocabulary[i])
    return terms


def topic_name(member_lemmas: list[set[str]], terms: list[str]) -> str:
    """The first vocabulary label whose lemmas occur in more than half of the members; else
    the strongest terms."""
    for name, needed in topic_vocabulary().labels:
        hits = sum(1 for found in member_lemmas if needed <= found)
        if hits * 2 > len(member_lemmas):
            return name
    return " · ".join(terms) if terms else "—"


def group_topics(items: Sequence[TopicInput], settings: TopicSettings | None = None) -> list[Topic]:
    """Topics of the given activities, each activity in exactly one topic, ordered by first
    member; ids "t1", "t2" … in that order."""
    settings = settings or TopicSettings()
    if not items:
        return []
    docs = [features(item.text, settings) for item in items]
    # an empty document would break TF-IDF: it keeps a placeholder that matches nothing else
    docs = [doc or f"__empty{i}" for i, doc in enumerate(docs)]
    matrix, vocabulary = vectorize(docs, settings)
    labels = cluster(matrix, settings)
    by_label: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        by_label.setdefault(label, []).append(row)
    groups = sorted(by_label.values(), key=lambda rows: rows[0])
    topics: list[Topic] = []
    for number, rows in enumerate(groups, start=1):
        terms = [t for t in _strongest_terms(matrix, rows, vocabulary, settings.max_label_terms)
                 if not t.startswith("__empty")]
        name = topic_name([set(lemmas(items[r].text)) for r in rows], terms)
        topics.append(Topic(id=f"t{number}", name=name, terms=terms, members=[items[r].key for r in rows]))
    return topics


# --- measurement against hand-labelled topics ---------------------------------------------

@dataclass(frozen=True)
class PairScore:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    gold_pairs: int


def pair_score(predicted: dict[tuple[str, int], int], gold: dict[tuple[str, int], int],
               cross_plan_only: bool = False) -> PairScore:
    """Pairwise precision and recall over the gold keys (plan, seq): a pair of activities is
    positive when both are in one topic; `cross_plan_only` keeps only pairs of two plans."""
    keys = sorted(gold)
    pred_pairs = gold_pairs = both = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if cross_plan_only and a[0] == b[0]:
                continue
            same_pred = predicted[a] == predicted[b]
            same_gold = gold[a] == gold[b]
            pred_pairs += same_pred
            gold_pairs += same_gold
            both += same_pred and same_gold
    precision = both / pred_pairs if pred_pairs else 0.0
    recall = both / gold_pairs if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, pred_pairs, gold_pairs)

