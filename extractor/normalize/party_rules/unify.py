"""Unify: one name for one body across a plan or a batch."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from rapidfuzz.distance import Levenshtein

from extractor.normalize.party_rules.expand import expand, expansion_glossary
from extractor.normalize.party_rules.names import normalize_name
from extractor.normalize.party_rules.words import (
    WORD_RE,
    fold,
    glossary_forms,
    in_dictionary,
    is_abbreviation,
    vocabulary,
    yo,
)
from models import Party, PartyKind


def _rank(word: str) -> int:
    """2: the vocabulary's own word; 1: in pymorphy3's dictionary; 0: unknown."""
    if yo(word).casefold() in glossary_forms():
        return 2
    return 1 if in_dictionary(word) else 0


def _correctable(word: str) -> bool:
    """Long enough to correct: an unknown word of 5 letters, a dictionary word of 6."""
    rank = _rank(word)
    return (rank == 0 and len(word) >= 5) or (rank == 1 and len(word) >= 6)


def _with_case(word: str, like: str) -> str:
    if is_abbreviation(word) and not word.isupper():
        return word
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word.lower()


_Pool = Mapping[str, tuple[str, int]]  # casefolded spelling -> (as written, rank)


def _best_candidate(word: str, pool: _Pool) -> str | None:
    """The one better-known spelling one edit away, if there is exactly one.

    A dictionary word ("Комитат") only takes a vocabulary word of its own length: one letter
    replaced, never added or dropped ("психологии" is no misspelling of "психологи").
    """
    key, rank = yo(word).casefold(), _rank(word)
    scored = sorted(
        (Levenshtein.distance(key, folded, score_cutoff=1), -cand_rank, written)
        for folded, (written, cand_rank) in pool.items()
        if cand_rank > rank and (len(folded) == len(key) if rank else abs(len(folded) - len(key)) <= 1)
    )
    scored = [s for s in scored if s[0] <= 1]
    if not scored or (len(scored) > 1 and scored[0][:2] == scored[1][:2]):
        return None
    return scored[0][2]


def _spelling_pool(names: Iterable[str]) -> dict[str, tuple[str, int]]:
    pool = {a.casefold(): (a, 2) for a in vocabulary().abbreviations}
    pool |= {form: (form, 2) for form in glossary_forms() if form not in pool}
    for name in names:
        for word in WORD_RE.findall(name):
            folded = yo(word).casefold()
            if folded not in pool and _rank(word) > 0:
                pool[folded] = (word, _rank(word))
    return pool


def _correct_spelling(name: str, pool: _Pool) -> str:
    def fix(match: re.Match[str]) -> str:
        word = match.group()
        candidate = _best_candidate(word, pool) if _correctable(word) else None
        return _with_case(candidate, word) if candidate else word

    return WORD_RE.sub(fix, name)


def _name_key(name: str) -> str:
    key = yo(name).casefold().replace("–", "-").replace("—", "-")
    key = re.sub(r"№\s*", "№", key)
    key = re.sub(r"\s*-\s*", "-", key)
    return fold(re.sub(r"«\s*|\s*»", lambda m: m.group().strip(), key))


def _dominant(names: Sequence[str]) -> str:
    counts = Counter(names)
    best = max(counts.values())
    return next(n for n in names if counts[n] == best)


@cache
def _word_sequence(key: str) -> tuple[tuple[bool, str], ...]:
    return tuple((bool(WORD_RE.fullmatch(t)), t) for t in re.findall(r"[А-ЯЁа-яё]+|[^А-ЯЁа-яё]+", key))


def _spelling_variants(key_a: str, key_b: str) -> bool:
    """Names that differ only by a misspelled word, at least one spelling of it unknown."""
    seq_a, seq_b = _word_sequence(key_a), _word_sequence(key_b)
    if len(seq_a) != len(seq_b) or key_a == key_b:
        return False
    return all(_same_or_variant(a, b) for a, b in zip(seq_a, seq_b, strict=True))


def _same_or_variant(a: tuple[bool, str], b: tuple[bool, str]) -> bool:
    if a == b:
        return True
    if not (a[0] and b[0]) or min(len(a[1]), len(b[1])) < 4 or min(_rank(a[1]), _rank(b[1])) > 0:
        return False
    return Levenshtein.distance(a[1], b[1]) <= 1


def _merge_variants(names: Sequence[str], persons: Sequence[bool]) -> list[str]:
    """Per key, the dominant spelling; keys that are spelling variants take the dominant key."""
    keys = [_name_key(n) for n in names]
    counts = Counter(k for k, person in zip(keys, persons, strict=True) if not person)
    target = {k: k for k in keys} | {k: _dominant_variant(k, counts) for k in counts}
    for key in target:
        while target[target[key]] != target[key]:  # counts grow along the chain: it ends
            target[key] = target[target[key]]
    written = {
        k: _dominant([n for n, nk in zip(names, keys, strict=True) if target[nk] == k]) for k in set(target.values())
    }
    return [written[target[k]] for k in keys]


def _dominant_variant(key: str, counts: Mapping[str, int]) -> str:
    """The spelling variant of `key` written clearly more often than it and than any other."""
    rivals = sorted((counts[o], o) for o in counts if _spelling_variants(key, o))
    if not rivals or rivals[-1][0] <= counts[key] or (len(rivals) > 1 and rivals[-2][0] == rivals[-1][0]):
        return key
    return rivals[-1][1]


def _apply_abbreviations(
    names: Sequence[str], kinds: Sequence[PartyKind], abbreviations: Mapping[str, str]
) -> list[str]:
    full_of: dict[str, str] = {}
    for short, full in abbreviations.items():
        full_name = normalize_name(full)
        full_of[_name_key(short)] = full_of[_name_key(full)] = full_name
    return [
        full_of.get(_name_key(name), name) if kind == "organization" else name
        for name, kind in zip(names, kinds, strict=True)
    ]


def unify_names(parties: Sequence[Party], abbreviations: Mapping[str, str]) -> list[Party]:
    """The same parties (one plan's or one batch's, in order) with one `name` per body.

    A misspelled word takes the one better-known spelling near it (the vocabulary's, or a
    dictionary word of the batch): "ЦНППИМ" -> "ЦНППМ", "Комитат" -> "Комитет". Names that
    differ only in spacing, case or quotes, or by a word nobody knows, take the dominant
    spelling. Numbers, towns and other known words are never changed, so distinct bodies
    stay distinct. `abbreviations` maps a short name the plan defines to its full name:
    an organization named by either gets the full one. Persons keep their names. The
    bodies persons and roles belong to (`body`) are unified with the organizations' names,
    and `expansion` is spelled out again from the final name, the plan's definitions first.
    """
    bodies = [p.body for p in parties if p.body is not None]
    names = [p.name for p in parties] + bodies
    kinds: list[PartyKind] = [p.kind for p in parties] + ["organization"] * len(bodies)
    persons = [kind == "person" for kind in kinds]
    pool = _spelling_pool(n for n, person in zip(names, persons, strict=True) if not person)
    names = [n if person else _correct_spelling(n, pool) for n, person in zip(names, persons, strict=True)]
    names = _merge_variants(names, persons)
    names = _apply_abbreviations(names, kinds, abbreviations)
    unified_bodies = iter(names[len(parties) :])
    glossary = expansion_glossary(abbreviations)
    out: list[Party] = []
    for party, name in zip(parties, names, strict=False):
        body = next(unified_bodies) if party.body is not None else None
        expansion = None if party.kind == "person" else expand(name, glossary)
        out.append(party.model_copy(update={"name": name, "body": body, "expansion": expansion}))
    return out
