"""Plan metadata from the paragraphs above the plan table and the text of the whole document:
approval or appendix block, title, period, municipality, preamble, abbreviations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extractor import morph, vocab
from extractor.text import fold
from models import Approval, Period
from parsers.layout import Paragraph

_DATE = re.compile(r"(?P<d>\d{1,2})\s*\.\s*(?P<m>\d{1,2})\s*\.\s*(?P<y>\d{4}|\d{2})")
_FROM = re.compile(r"\bот\b\s*(?P<date>[^№]*?)\s*(?=№|$)")
_NUMBER = re.compile(r"№\s*(?P<num>[^\s,;]+)")
_BLANK = re.compile(r"^[_\s.«»\"]*$")
_WORDS = re.compile(r"[А-Яа-яЁё]+(?:[-/][А-Яа-яЁё]+)*")


@dataclass(frozen=True)
class Heading:
    """The top of a document: what the paragraphs before the plan table say."""

    approval: Approval | None
    title: str
    preamble: list[str]


@cache
def _pattern(key: str) -> re.Pattern[str]:
    data = vocab.metadata()
    value = data[key]
    if isinstance(value, list):
        return re.compile(r"^\s*[«\"]?(?:" + "|".join(value) + r")\b", re.IGNORECASE)
    return re.compile(value, re.IGNORECASE)


def _act_pattern() -> re.Pattern[str]:
    words = vocab.metadata()["act_words"]
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE)


# --- approval ---------------------------------------------------------------------------

def _blank_or(value: str) -> str | None:
    return None if _BLANK.match(value) else value


def parse_date(text: str) -> dt.date | None:
    match = _DATE.search(text)
    if not match:
        return None
    year = int(match.group("y"))
    year += 2000 if year < 100 else 0
    try:
        return dt.date(year, int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


def parse_approval(text: str) -> Approval:
    """Authority, number and date of an approval stamp or appendix reference; blanks -> None."""
    flat = fold(text)
    authority: str | None = None
    act = _act_pattern().search(flat)
    from_match = _FROM.search(flat, act.end() if act else 0)
    if act:
        end = from_match.start() if from_match else len(flat)
        raw = flat[act.end():end].strip(" ,")
        if raw:
            first, _, rest = raw.partition(" ")
            authority = (morph.nominative_word(first) + (" " + rest if rest else "")).strip()
    date = None
    if from_match:
        date_text = _blank_or(from_match.group("date"))
        date = parse_date(date_text) if date_text else None
    number_match = _NUMBER.search(flat, from_match.start() if from_match else 0)
    number = _blank_or(number_match.group("num")) if number_match else None
    return Approval(text=flat, authority=authority, number=number, date=date)


def _is_approval_start(p: Paragraph) -> bool:
    return bool(_pattern("approval_openers").match(p.text))


def _looks_like_heading(p: Paragraph) -> bool:
    return p.heading or p.style.bold or p.align == "center" or (p.text.isupper() and len(p.text) > 3)


def split_heading(paragraphs: list[Paragraph]) -> Heading:
    """Approval block, title and preamble from the paragraphs before the plan table.

    The approval block opens with its keyword and runs while paragraphs keep its alignment
    (blank lines included); the title is the following run of heading paragraphs of one look;
    what remains is the preamble.
    """
    paras = list(paragraphs)
    i = 0
    while i < len(paras) and paras[i].is_blank:
        i += 1
    approval = None
    if i < len(paras) and _is_approval_start(paras[i]):
        align = paras[i].align
        start = i
        while i < len(paras) and (paras[i].is_blank or (paras[i].align == align and not paras[i].heading)):
            i += 1
        approval = parse_approval(" ".join(p.text for p in paras[start:i] if not p.is_blank))
    while i < len(paras) and paras[i].is_blank:
        i += 1
    title_parts: list[str] = []
    if i < len(paras):
        first = paras[i]
        look = _look(first)
        while i < len(paras) and not paras[i].is_blank and _look(paras[i]) == look:
            title_parts.append(fold(paras[i].text))
            i += 1
            if not _looks_like_heading(first):
                break  # a plain first paragraph is the title on its own
    return Heading(approval, " ".join(title_parts), preamble_blocks(paras[i:]))


def _look(p: Paragraph) -> tuple[bool, bool, str | None]:
    return p.heading, p.style.bold, p.align


def _render(p: Paragraph, counter: int) -> str:
    text = " ".join(fold(line) for line in p.text.split("\n"))
    if p.list is None:
        return text
    return f"{counter}. {text}" if p.list.ordered else f"- {text}"


def preamble_blocks(paragraphs: list[Paragraph]) -> list[str]:
    """Text blocks in order: a paragraph with the list items that follow it; consecutive
    heading paragraphs of one look form one block."""
    blocks: list[list[str]] = []
    prev: Paragraph | None = None
    counter = 0
    for p in paragraphs:
        if p.is_blank:
            prev = None
            continue
        if p.list is not None:
            counter = counter + 1 if prev is not None and prev.list is not None else 1
            line = _render(p, counter)
            if blocks and prev is not None:
                blocks[-1].append(line)
            else:
                blocks.append([line])
        elif (prev is not None and prev.list is None and _looks_like_heading(p) and _looks_like_heading(prev)
              and _look(p) == _look(prev)):
            blocks[-1][-1] += " " + _render(p, 0)
        else:
            blocks.append([_render(p, 0)])
        prev = p
    return ["\n".join(b) for b in blocks]


# --- period -----------------------------------------------------------------------------

def _year(raw: str, base: int | None = None) -> int:
    value = int(raw)
    if value < 100:
        century = (base or 2000) // 100 * 100
        value += century
    return value


def find_period(text: str) -> Period | None:
    """The plan period named in the heading: academic, calendar range or one year."""
    flat = fold(text)
    for key in ("academic", "calendar_range", "calendar_year"):
        match = _period_pattern(key).search(flat)
        if not match:
            continue
        y1 = _year(match.group("y1"))
        y2 = _year(match.group("y2"), y1) if "y2" in match.groupdict() and match.group("y2") else y1
        phrase = match.group(0).strip()
        if key == "academic":
            return Period(start=dt.date(y1, 9, 1), end=dt.date(y2, 8, 31), text=phrase)
        return Period(start=dt.date(y1, 1, 1), end=dt.date(y2, 12, 31), text=phrase)
    return None


@cache
def _period_pattern(key: str) -> re.Pattern[str]:
    return re.compile(vocab.metadata()["period"][key], re.IGNORECASE)


# --- municipality -----------------------------------------------------------------------

def find_municipality(texts: Iterable[str]) -> str | None:
    """The municipality named in the title (then the approval block), in the nominative."""
    rules = vocab.metadata()["municipality"]
    for text in texts:
        flat = fold(text)
        for rule in rules:
            for match in re.finditer(rule["pattern"], flat):
                name = re.sub(r"\s*\([^)]*\)", "", match.group("name")).strip()
                if rule.get("require_geo") and not morph.is_geo(name.split("-")[0]):
                    continue
                if rule.get("inflect"):
                    name = _nominative_name(name)
                return name
    return None


def _nominative_name(name: str) -> str:
    words = name.split()
    if len(words) == 1:
        return "-".join(morph.nominative_word(part) for part in name.split("-"))
    return morph.nominative_phrase(name)


# --- abbreviations ----------------------------------------------------------------------

_CLAUSE_BOUNDARY = re.compile(r"[;:()\n]|\.\s")


def find_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Every "(далее – X)" definition: X -> the phrase it stands for, in the nominative."""
    pattern = _abbreviation_pattern()
    out: dict[str, str] = {}
    for text in texts:
        for match in pattern.finditer(text):
            short = fold(match.group("short"))
            phrase = defined_phrase(text[: match.start()])
            if short and phrase and short not in out:
                out[short] = phrase
    return out


@cache
def _abbreviation_pattern() -> re.Pattern[str]:
    return re.compile(vocab.metadata()["abbreviation"], re.IGNORECASE)


def _strip_joiners(segment: str) -> str:
    joiners = sorted(vocab.metadata()["clause_joiners"], key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for joiner in joiners:
            if segment.lower().startswith(joiner + " "):
                segment = segment[len(joiner) + 1:].lstrip()
                changed = True
    return segment


def _agreeing_chain(words: list[re.Match[str]], end: int, case: str, number: str) -> int:
    """Index of the first word of the adjective chain that ends with the noun at `end`."""
    start = end
    while start > 0 and morph.adjective_agrees(words[start - 1].group(), case, number):
        start -= 1
    return start


def defined_phrase(before: str) -> str | None:
    """The phrase an abbreviation stands for, from the text just before its "(далее – …)"."""
    boundary = max((m.end() for m in _CLAUSE_BOUNDARY.finditer(before)), default=0)
    clause = before[boundary:].strip(" ,")
    segment = _strip_joiners(fold(clause.split(",")[-1]))
    if not segment:
        return None
    seg_words = list(_WORDS.finditer(segment))
    if not seg_words:
        return None
    lead = morph.participle_case(seg_words[0].group())
    if lead is not None:
        head = _participle_head(before[: len(before) - len(clause)] + clause[: clause.rfind(segment)], *lead)
        if head is None:
            return morph.nominative_word(seg_words[0].group(), lead[1]) + segment[seg_words[0].end():]
        return f"{morph.nominative_phrase(head)}, {morph.nominative_word(seg_words[0].group(), lead[1])}" \
               f"{segment[seg_words[0].end():]}"
    first = seg_words[0].group()
    for idx in range(len(seg_words) - 1, -1, -1):
        word = seg_words[idx].group()
        forms = morph.noun_forms(word)
        dependent = word.isupper() or any(c == "gent" for c, _ in forms)
        if dependent and first[:1].isupper() and any(c == "nomn" for c, _ in morph.noun_forms(first)):
            # a genitive or an abbreviation depends on a noun before it: a nominative
            # segment ("Комитет по образованию администрации ЗГМО") is the phrase itself
            return segment
        if not forms:
            continue
        case, number = forms[0]
        start = _agreeing_chain(seg_words, idx, case, number)
        return morph.nominative_phrase(segment[seg_words[start].start():])
    return segment


def _participle_head(text: str, case: str, number: str) -> str | None:
    """The noun phrase a participle agrees with, searched backwards in the preceding text."""
    words = list(_WORDS.finditer(text))
    for idx in range(len(words) - 1, -1, -1):
        if (case, number) in morph.noun_forms(words[idx].group()):
            start = _agreeing_chain(words, idx, case, number)
            return text[words[start].start(): words[idx].end()]
    return None
