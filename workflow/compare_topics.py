"""Topics across plans: activity titles -> lemmas (pymorphy3) -> TF-IDF and Russian word
vectors (navec, shipped inside the natasha package) -> average-linkage groups.

A topic is named by its most typical activity: the member closest on average to the others.
`TopicSettings` holds the choice measured by bench/bench_topics.py against the hand-labelled
pairs of tests/data/topic_pairs.yaml.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.cluster import AgglomerativeClustering  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from lang import vocab
from lang.morph import parses

log = logging.getLogger(__name__)

Linkage = Literal["average", "complete", "single"]

_TOKEN = re.compile(r"[А-Яа-яЁёA-Za-z]+")
_ABBREVIATION = re.compile(r"^[А-ЯЁA-Z]{2,}$")
_CONTENT_POS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PRTS", "VERB", "INFN", "GRND"})
_NAME_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn"})  # places and names are no topic
# natasha ships navec's news embeddings (250,000 words, 300 dimensions, 26 MB) in its package
NAVEC_FILE = ("data", "emb", "navec_news_v1_1B_250K_300d_100q.tar")
_SENTENCE_END = re.compile(r"(?<=[^\s.]{3})[.;:!?](?=\s|$)|\s[•®]\s|\s\d+\.\s")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d+[.)]\s*)+")


@dataclass(frozen=True)
class TopicSettings:
    """How activities are grouped. The defaults are the choice of bench/bench_topics.py."""

    linkage: Linkage = "average"
    # similarity two activities (two groups, on average) need to share a topic
    similarity: float = 0.15
    # share of the word-vector cosine in that similarity; the rest is the TF-IDF cosine
    vector_weight: float = 0.5
    ngram_max: int = 1  # word n-grams of lemmas fed to TF-IDF
    stop_lemmas: bool = True  # drop the vocabulary's stop lemmas
    synonyms: bool = True  # read the vocabulary's synonyms as their head word
    # the first lemmas of a title name the kind of activity ("курсы повышения квалификации",
    # "инструктаж"): they are repeated this many extra times
    head_lemmas: int = 3
    head_weight: int = 2
    max_lemmas: int = 16  # a long title's later lemmas (its list of sub-items) are left out
    # subtract the mean vector of the activities grouped: what every title of these plans shares
    # (the plans' common subject) says nothing about topics, and a batch of plans of one subject
    # would otherwise fall into a few big topics
    center_vectors: bool = True
    max_label_terms: int = 3  # strongest lemmas shown under a topic's name
    name_chars: int = 90  # a topic's name: its typical title's first sentence, cut to this


@dataclass(frozen=True)
class TopicInput:
    """One activity to group: `key` is (plan index, activity seq)."""

    key: tuple[int, int]
    text: str


@dataclass
class Topic:
    id: str  # "t1", "t2" … in order of first appearance
    name: str  # the most typical member's title, shortened
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
    )


@cache
def word_vectors() -> Any | None:
    """navec's embeddings from the installed natasha package (found without importing natasha,
    which would load its models too); None when natasha is not installed."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        log.warning("natasha is not installed: topics are grouped without word vectors")
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*NAVEC_FILE)
    if not path.is_file():
        log.warning("natasha has no %s: topics are grouped without word vectors", path.name)
        return None
    from navec import Navec  # type: ignore[import-untyped]

    return Navec.load(str(path))


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


def feature_words(text: str, settings: TopicSettings) -> list[str]:
    """The lemmas the grouping reads: stop lemmas dropped, synonyms read as their head, the
    first ones repeated."""
    v = topic_vocabulary()
    stop = v.stop if settings.stop_lemmas else frozenset()
    synonyms = v.synonyms if settings.synonyms else {}
    words = [synonyms.get(w, w) for w in lemmas(text) if w not in stop][: settings.max_lemmas]
    return words + words[: settings.head_lemmas] * settings.head_weight


def features(text: str, settings: TopicSettings) -> str:
    return " ".join(feature_words(text, settings))


def _tfidf(docs: Sequence[str], settings: TopicSettings) -> tuple[Any, TfidfVectorizer]:
    vectorizer = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, settings.ngram_max),
                                 sublinear_tf=True, lowercase=False)
    return vectorizer.fit_transform(docs), vectorizer


def _embed(docs: Sequence[str], vectorizer: TfidfVectorizer, center: bool) -> np.ndarray | None:
    """Each document as the IDF-weighted mean of its words' vectors, less the mean of all
    documents when `center`, L2-normalized (zero where no word has a vector)."""
    navec = word_vectors()
    if navec is None:
        return None
    idf = dict(zip(vectorizer.get_feature_names_out(), vectorizer.idf_, strict=True))
    out = np.zeros((len(docs), navec.pq.dim), dtype=np.float64)
    for row, doc in enumerate(docs):
        for word in doc.split():
            if word in navec:
                out[row] += idf.get(word, 1.0) * navec[word]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    if center:
        out = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
        has = norms[:, 0] > 0
        out[has] -= out[has].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)
    return unit


def similarity_matrix(docs: Sequence[str], settings: TopicSettings) -> tuple[np.ndarray, Any, list[str]]:
    """Pairwise similarity in [0, 1] of the documents, the TF-IDF rows and their vocabulary."""
    matrix, vectorizer = _tfidf(docs, settings)
    lexical = (matrix @ matrix.T).toarray()
    vectors = _embed(docs, vectorizer, settings.center_vectors) if settings.vector_weight > 0 else None
    if vectors is None:
        combined = lexical
    else:
        combined = settings.vector_weight * np.clip(vectors @ vectors.T, 0.0, 1.0) + \
            (1.0 - settings.vector_weight) * lexical
    np.fill_diagonal(combined, 1.0)
    return np.clip(combined, 0.0, 1.0), matrix, list(vectorizer.get_feature_names_out())


def cluster(similar: np.ndarray, settings: TopicSettings) -> list[int]:
    """A group label per row of the similarity matrix."""
    n = similar.shape[0]
    if n < 2:
        return [0] * n
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage=settings.linkage,
                                    distance_threshold=1.0 - settings.similarity)
    return [int(x) for x in model.fit_predict(1.0 - similar)]


def _strongest_terms(matrix: Any, rows: list[int], vocabulary: list[str], limit: int) -> list[str]:
    weights = np.asarray(matrix[rows].sum(axis=0)).ravel()
    order = sorted(range(len(vocabulary)), key=lambda i: (-weights[i], vocabulary[i]))
    terms = [vocabulary[i] for i in order[: limit * 3] if weights[i] > 0 and " " not in vocabulary[i]]
    return [t for t in terms if not t.startswith("__empty")][:limit]


def short_title(text: str, limit: int) -> str:
    """A title's first sentence or clause, without a leading number, within `limit` characters
    (cut at a word, with "…")."""
    text = _LEADING_NUMBER.sub("", " ".join(text.split()))
    # the first sentence end outside quotes («Наш двор. Взгляд из космоса» is one name)
    ends = [m.start() for m in _SENTENCE_END.finditer(text)
            if text.count("«", 0, m.start()) <= text.count("»", 0, m.start())]
    first = (text[: ends[0]] if ends else text).strip(" -–—,") or text
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:-–—«(") + "…"


def typical(rows: Sequence[int], similar: np.ndarray, texts: Sequence[str]) -> int:
    """The member most similar on average to the others; of near ties, the shortest title."""
    if len(rows) == 1:
        return rows[0]
    block = similar[np.ix_(rows, rows)]
    mean = (block.sum(axis=1) - 1.0) / (len(rows) - 1)
    best = float(mean.max())
    near = [r for r, m in zip(rows, mean, strict=True) if m >= best - 0.02]
    return min(near, key=lambda r: (len(texts[r]), r))


def group_topics(items: Sequence[TopicInput], settings: TopicSettings | None = None) -> list[Topic]:
    """Topics of the given activities, each activity in exactly one topic, ordered by first
    member; ids "t1", "t2" … in that order."""
    settings = settings or TopicSettings()
    if not items:
        return []
    docs = [features(item.text, settings) for item in items]
    # activities that read alike are grouped once: fewer rows for the quadratic clustering
    unique: dict[str, int] = {}
    for i, doc in enumerate(docs):
        unique.setdefault(doc or f"__empty{i}", len(unique))
    index = [unique[doc or f"__empty{i}"] for i, doc in enumerate(docs)]
    similar, matrix, vocabulary = similarity_matrix(list(unique), settings)
    labels = cluster(similar, settings)
    by_label: dict[int, list[int]] = {}
    for row, u in enumerate(index):
        by_label.setdefault(labels[u], []).append(row)
    groups = sorted(by_label.values(), key=lambda rows: rows[0])
    texts = _texts_by_unique(index, [item.text for item in items], len(unique))
    topics: list[Topic] = []
    for number, rows in enumerate(groups, start=1):
        distinct = sorted({index[r] for r in rows})
        topics.append(Topic(
            id=f"t{number}",
            name=short_title(texts[typical(distinct, similar, texts)], settings.name_chars),
            terms=_strongest_terms(matrix, distinct, vocabulary, settings.max_label_terms),
            members=[items[r].key for r in rows],
        ))
    return topics


def _texts_by_unique(index: Sequence[int], texts: Sequence[str], n: int) -> list[str]:
    """The first title read as each unique document."""
    out = [""] * n
    for row in reversed(range(len(index))):
        out[index[row]] = texts[row]
    return out


# --- measurement against hand-labelled pairs ----------------------------------------------

@dataclass(frozen=True)
class PairScore:
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    gold_pairs: int
    pairs: int = 0


def score_pairs(labelled: Iterable[tuple[bool, bool]]) -> PairScore:
    """Pairwise precision and recall of (predicted same topic, labelled same topic) pairs."""
    pred = gold = both = total = 0
    for same_pred, same_gold in labelled:
        total += 1
        pred += same_pred
        gold += same_gold
        both += same_pred and same_gold
    precision = both / pred if pred else 0.0
    recall = both / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, pred, gold, total)


def pair_score(predicted: dict[tuple[str, int], int], gold: dict[tuple[str, int], int],
               cross_plan_only: bool = False) -> PairScore:
    """Every pair of the gold keys (plan, seq): positive when both are in one topic;
    `cross_plan_only` keeps only pairs of two plans."""
    keys = sorted(gold)
    return score_pairs((predicted[a] == predicted[b], gold[a] == gold[b])
                       for i, a in enumerate(keys) for b in keys[i + 1:]
                       if not (cross_plan_only and a[0] == b[0]))
