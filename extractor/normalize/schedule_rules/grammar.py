"""The grammar: regular expressions built from the vocabulary in ``extractor/data/schedule.yaml``."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from lang import vocab
from models.roadmap import DurationUnit

_B = r"(?<![0-9a-zа-я])"  # left word boundary (the text is lower-cased)
_E = r"(?![0-9a-zа-я])"  # right word boundary
YEAR4 = r"(?:19|20|21)\d{2}(?!\d)"
# DD.MM.YYYY, DD.MM.YY, or DD.MM with a two-digit month ("1.1" is more likely an item number)
_NUM_DATE = r"(?<![\d./])\d{1,2}[./](?:\d{1,2}[./](?:\d{4}|\d{2})(?!\d)|\d{2})(?!\d|[./]\d)"
# a year standing alone, not part of a numeric date ("05.03.2024", "2024-03-05")
LONE_YEAR = r"(?<![\d.,])(?P<y>" + YEAR4 + r")(?![.,]\d|-\d{1,2}-\d)"


def key_of(text: str) -> str:
    """Lower-case with "ё" read as "е", one character for one (offsets stay valid)."""
    text = str(text)
    lower = text.lower()
    if len(lower) != len(text):  # "İ" and the like lower-case to two characters: keep those
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower.replace("ё", "е")


def _tokens(text: str) -> tuple[str, ...]:
    """Regex tokens of one vocabulary phrase: its characters, any white space between words
    (or none after a dot), and word boundaries where it starts or ends with a letter."""
    words = key_of(text).split()
    out: list[str] = [_B] if words[0][0].isalnum() else []
    for prev, word in itertools.pairwise(["", *words]):
        if prev:
            out.append(r"\s*" if prev.endswith(".") else r"\s+")
        out.extend(re.escape(c) for c in word)
    return (*out, _E) if words[-1][-1].isalnum() else tuple(out)


_Trie = dict[str, "_Trie"]


def _trie_re(node: _Trie) -> str:
    """A trie as a regex: shared prefixes are tried once, and at every node the longer
    continuations come before the zero-width ones (the word ends here), so the longest
    phrase wins as in a length-sorted alternation."""
    if not node:
        return ""
    branches = sorted(node.items(), key=lambda kv: kv[0] in ("", _E))
    parts = [token + _trie_re(child) for token, child in branches]
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def _alt(phrases: Iterable[Any]) -> str:
    """One regex for a list of vocabulary phrases, built as a trie (Python's re would try
    every branch of a flat alternation at every position)."""
    root: _Trie = {}
    for phrase in {key_of(str(p)).strip() for p in phrases if str(p).strip()}:
        node = root
        for token in _tokens(phrase):
            node = node.setdefault(token, {})
        node.setdefault("", {})
    return "(?:" + _trie_re(root) + ")"


@cache
def vocabulary() -> dict[str, Any]:
    loaded = vocab.load("schedule")
    return loaded if isinstance(loaded, dict) else {}


def _lookup(table: dict[Any, list[Any]]) -> dict[str, int]:
    return {key_of(str(form)): int(value) for value, forms in table.items() for form in forms}


def _spans(table: dict[Any, list[int]]) -> dict[int, tuple[int, int]]:
    return {int(k): (int(v[0]), int(v[1])) for k, v in table.items()}


@dataclass(frozen=True)
class Grammar:
    """The vocabulary as lookups and patterns, built once per process."""

    month_of: dict[str, int]
    numeral_of: dict[str, int]
    span_word_of: dict[str, str]
    tables: dict[str, dict[int, tuple[int, int]]]
    count_of: dict[str, int]
    unit_of: dict[str, str]
    count_recurrence: dict[str, dict[int, str]]
    filler: frozenset[str]
    typos: dict[str, str]
    known: frozenset[str]
    fuzzy_targets: tuple[str, ...]
    fuzzy_min: int
    fuzzy_score: float
    mon: re.Pattern[str]
    year: re.Pattern[str]
    heading: re.Pattern[str]
    features: tuple[tuple[str, re.Pattern[str]], ...]
    piece: re.Pattern[str]
    piece_gate: re.Pattern[str]
    leftover_max: int
    within_month: re.Pattern[str]
    any_frequency: re.Pattern[str]
    day_limit: re.Pattern[str]
    counted: re.Pattern[str]
    frequency: tuple[tuple[str, re.Pattern[str]], ...]
    ongoing: re.Pattern[str]
    within_tail: re.Pattern[str]
    on_demand: re.Pattern[str]
    per_schedule: re.Pattern[str]
    day_only: re.Pattern[str]


def _words_of(data: dict[str, Any]) -> frozenset[str]:
    """Every word of the vocabulary: words known to be right are never 'repaired'."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            words.update(re.findall(r"[а-яa-z]+", key_of(node)))

    walk({k: v for k, v in data.items() if k not in ("typos", "dateparser")})
    return frozenset(words)


def _fragments(d: dict[str, Any]) -> dict[str, str]:
    """Regex fragments of the vocabulary (no capturing groups)."""
    month_forms = [form for forms in d["months"].values() for form in forms]
    f = {
        "mon": _alt(month_forms) + r"\.?",
        "yw": _alt(d["year_words"]),
        "acad": _alt(d["academic_words"]),
        "lead": _alt(d["lead_words"]),
        "start": _alt(d["start_prefixes"]),
        "deadline": _alt(d["deadline_prefixes"]),
        "edge": _alt(d["month_end_words"]),
        "join": r"(?:-|" + _alt(d["range_words"]) + ")",
        "num": (r"(?:" + _B + r"(?:iv|iii|ii|i|\d)(?:-?" + _alt(d["ordinal_suffixes"]) + r")?" + _E
                + "|" + _alt(w for forms in d["ordinals"].values() for w in forms) + ")"),
        "span": _alt([*d["quarter_words"], *d["school_quarter_words"], *d["half_year_words"]]) + r"\.?",
    }
    txt_date = r"(?<![\d.])[«\"“]?\s*\d{1,2}\s*[»\"”]?(?:-?(?:го|е))?\s*" + f["mon"] + rf"(?:\s*{YEAR4})?"
    f["date"] = rf"(?:{_NUM_DATE}|{txt_date})"
    f["dyw"] = rf"(?:\s*{f['yw']})?"
    return f


def _tail_re(n: str, f: dict[str, str]) -> str:
    """Optional year, year range or academic year after a month or a numbered span."""
    return (rf"(?:\s*(?P<{n}>{YEAR4})(?:\s*[-/]\s*(?P<{n}b>{YEAR4}|\d{{2}}(?!\d)))?"
            rf"(?:\s*(?P<{n}a>{f['acad']})|\s*{f['yw']})?)?")


def _stems(words: Iterable[Any], size: int) -> str:
    """A loose regex of the words' first letters: a gate, so it may say yes too often."""
    return "(?:" + "|".join(sorted({re.escape(key_of(str(w))[:size]) for w in words})) + ")"


def _features(d: dict[str, Any], f: dict[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    month = _stems((w for forms in d["months"].values() for w in forms), 3)
    span = _stems([*d["quarter_words"], *d["school_quarter_words"], *d["half_year_words"]], 4)
    return tuple((name, re.compile(p)) for name, p in (
        ("numdate", r"\d[./]\d"),
        ("daymonth", rf"\d\s*[»\"”]?(?:-?(?:го|е))?\s*{month}"),
        ("month", month),
        ("span", span),
        ("year", YEAR4),
        ("join", rf"{f['join']}|/"),
        ("deadline", f["deadline"]),
        ("start", f["start"]),
    ))


@cache
def fragments() -> dict[str, str]:
    """The vocabulary's regex fragments by name, as the pass templates (passes.py) name them."""
    f = _fragments(vocabulary())
    return {**f, "tail_y": _tail_re("y", f), "tail_s": _tail_re("s", f), "tail_e": _tail_re("e", f),
            "year4": YEAR4, "lone_year": LONE_YEAR}


@cache
def grammar() -> Grammar:
    d = vocabulary()
    f = fragments()
    month_of = _lookup(d["months"])
    within = _alt(d["within"])
    fuzzy = d["fuzzy"]
    counted = (rf"(?:{_B}(?P<n>\d{{1,2}}|{_alt(d['count_words'])})\s*)?{_alt(d['times_words'])}\s+"
               rf"{_alt(d['per_words'])}\s+(?:(?P<k>\d{{1,3}})\s+)?"
               rf"(?P<u>{_alt(w for ws in d['count_units'].values() for w in ws)})")
    return Grammar(
        month_of=month_of,
        numeral_of={**{key_of(k): int(v) for k, v in d["roman"].items()}, **_lookup(d["ordinals"])},
        span_word_of={key_of(w): kind for kind, key in (("quarter", "quarter_words"),
                                                      ("school_quarter", "school_quarter_words"),
                                                      ("half", "half_year_words")) for w in d[key]},
        tables={"quarter": _spans(d["quarters"]), "school_quarter": _spans(d["school_quarters"]),
                "school_half": _spans(d["school_half_years"]),
                "calendar_half": _spans(d["calendar_half_years"])},
        count_of={key_of(k): int(v) for k, v in d["count_words"].items()},
        unit_of={key_of(w): unit for unit, ws in d["count_units"].items() for w in ws},
        count_recurrence={unit: {int(n): str(r) for n, r in t.items()}
                          for unit, t in d["count_recurrence"].items()},
        filler=frozenset(key_of(w) for w in d["filler_words"]),
        typos={key_of(k): key_of(v) for k, v in d["typos"].items()},
        known=_words_of(d),
        fuzzy_targets=tuple(sorted({*month_of, *(key_of(w) for w in fuzzy["targets"])})),
        fuzzy_min=int(fuzzy["min_length"]),
        fuzzy_score=float(fuzzy["score"]),
        mon=re.compile(f["mon"]),
        year=re.compile(YEAR4),
        heading=re.compile(rf"\s*(?P<m>{f['mon']})(?:\s*(?P<y>{YEAR4}){f['dyw']})?[\s.:]*"),
        features=_features(d, f),
        piece=re.compile(r"[^\x00,;()]+"),
        piece_gate=re.compile(r"[a-z]|\d\D+\d"),
        leftover_max=int(d["dateparser"]["max_length"]),
        within_month=re.compile(rf"{within}\s+{_alt(d['month_objects'])}"),
        any_frequency=re.compile(_alt([*(w for ws in d["frequency"].values() for w in ws), *d["times_words"]])),
        day_limit=re.compile(rf"{f['deadline']}\s+(?P<d>\d{{1,2}})(?:-?(?:го|е))?\s*{_alt(d['day_words'])}"),
        counted=re.compile(counted),
        frequency=tuple((rec, re.compile(_alt(ws))) for rec, ws in d["frequency"].items()),
        ongoing=re.compile(rf"{within}\s+{_alt(d['ongoing_objects'])}|{_alt(d['ongoing_words'])}"),
        within_tail=re.compile(rf"{within}\s*$"),
        on_demand=re.compile(_alt(d["on_demand"])),
        per_schedule=re.compile(_alt(d["per_schedule"])),
        day_only=re.compile(rf"\s*(?P<a>\d{{1,2}})(?:\s*-\s*(?P<b>\d{{1,2}}))?\s*{_alt(d['day_words'])}?\s*"),
    )


@dataclass(frozen=True)
class MoreGrammar:
    """Patterns of issue 11 (weeks and halves of a month, durations, event phrases, weekdays)."""

    week: re.Pattern[str]
    week_list: re.Pattern[str]
    half: re.Pattern[str]
    week_num: dict[str, str]  # numeral or ordinal word -> "1".."5" or "last"
    half_num: dict[str, int]
    duration: re.Pattern[str]
    within_unit: re.Pattern[str]
    unit_of: dict[str, DurationUnit]
    working: frozenset[str]
    calendar: frozenset[str]
    headers: tuple[str, ...]
    on_demand: re.Pattern[str]
    per_schedule: re.Pattern[str]
    weekday: re.Pattern[str]


_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}


@cache
def more_grammar() -> MoreGrammar:
    d = vocabulary()
    mon = _alt(form for forms in d["months"].values() for form in forms) + r"\.?"
    week_num = {**_ROMAN, **{str(n): str(n) for n in range(1, 6)},
                **{key_of(w): str(k) for k, ws in d["week_ordinals"].items() for w in ws}}
    num = (r"(?:(?:iv|iii|ii|v|i|[1-5])(?:-?(?:я|й|ая|ой|ую))?(?![0-9a-zа-я])|"
           + _alt(w for ws in d["week_ordinals"].values() for w in ws) + ")")
    weeks = _alt(d["week_words"])
    tail = rf"(?:\s+(?P<m>{mon}))?(?:\s+(?:месяца|каждого\s+месяца))?"
    units = {key_of(w): u for u, ws in d["duration_units"].items() for w in ws}
    half_num = {key_of(w): int(k) for k, ws in d["half_ordinals"].items() for w in ws}
    within = _alt(d["within"])
    return MoreGrammar(
        week=re.compile(rf"(?<![0-9a-zа-я])(?P<a>{num})(?:\s*-\s*(?P<b>{num}))?\s*(?P<w>{weeks}){tail}"),
        week_list=re.compile(rf"(?<![0-9a-zа-я])(?P<list>{num}(?:\s*,\s*{num})+)\s*(?P<w>{weeks}){tail}"),
        half=re.compile(rf"(?<![0-9a-zа-я])(?P<h>{_alt(half_num)})\s*{_alt(d['half_words'])}\s+"
                        rf"(?:(?P<m>{mon})|месяца)"),
        week_num=week_num,
        half_num=half_num,
        duration=re.compile(
            rf"(?<![0-9a-zа-я.,/-])(?P<v>\d{{1,3}})(?:\s*-\s*(?P<x>\d{{1,3}}))?\s*"
            rf"(?:(?P<q>{_alt([*d['working_words'], *d['calendar_words']])})\s*)?(?P<u>{_alt(units)})(?![а-я])"),
        within_unit=re.compile(rf"{within}\s+(?:одного\s+|одной\s+)?(?P<u>месяца|недели|дня|суток)(?![а-я])"),
        unit_of=units,
        working=frozenset(key_of(w) for w in d["working_words"]),
        calendar=frozenset(key_of(w) for w in d["calendar_words"]),
        headers=tuple(key_of(h) for h in d["duration_headers"]),
        on_demand=re.compile("|".join(f"(?:{p})" for p in d["on_demand_patterns"])),
        per_schedule=re.compile("|".join(f"(?:{p})" for p in d["per_schedule_patterns"])),
        weekday=re.compile(rf"(?<![а-я])(?:{_alt(d['weekdays'])})"),
    )
