"""Reading the seed dumps in samples/seeds/ as lists of text fragments, for cross-checks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"

# seed file -> sample name
SAMPLES = {
    "000_a470a32a4d39f39e.txt": "sarov_2021-2022",
    "001_820e2fa0cfbfe82f.txt": "tula_2020-2021",
    "002_275e1bec7fda9810.txt": "vilyuisk_2019-2021",
    "003_f32ae232168b6340.txt": "khmao_2023",
    "004_bf3917921c2b2912.txt": "zima_2024",
}

# Markup residue of the dumps (not text of the plans).
MARKUP = re.compile(r"\*\*|</?b>|</?i>|</?p>|<ul[^>]*>|</ul>|\[bookmark: [^\]]*\]")
# Line-break hyphenation residue of the dumps, repaired as the samples repair it.
RESIDUE = {
    "получающ ая": "получающая",
    "образовательным и результатами": "образовательными результатами",
    "\tщий отделом": "\tотделом",
}
_TOKEN = re.compile(r"\w+")
# Words of the contract's party separators ("в т.ч.", "в том числе"): not part of any party.
PARTY_SEPARATOR_WORDS = frozenset({"в", "т", "ч", "том", "числе"})


def tokens(text: str) -> list[str]:
    return [t.lower().replace("ё", "е") for t in _TOKEN.findall(text)]


def seed_text(seed: str) -> str:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    for bad, good in RESIDUE.items():
        text = text.replace(bad, good)
    return MARKUP.sub("", text)


def fragments(seed: str) -> list[str]:
    """Every piece of text of the seed between tabs and line breaks, markup removed."""
    out = []
    for piece in re.split(r"[\t\n]", seed_text(seed)):
        piece = piece.strip()
        if tokens(piece):
            out.append(piece)
    return out


def contains_run(haystack: list[str], needle: list[str]) -> bool:
    """True when `needle` occurs in `haystack` as a contiguous run of tokens."""
    return f" {' '.join(needle)} " in f" {' '.join(haystack)} "


def contains_in_order(haystack: list[str], needle: list[str]) -> bool:
    """True when `needle`'s tokens occur in `haystack` in order, gaps allowed."""
    it = iter(haystack)
    return all(any(t == h for h in it) for t in needle)
