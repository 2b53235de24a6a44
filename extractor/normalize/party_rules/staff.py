"""Staff cells: positions and persons ("Зам. директора по ВР" / "Иванова И.И.", "Соц. педагог
психолог", "Зам директора по УВР, ВР") -> parties with each person's `position` (issue 11).

A responsible cell of a school or a children's home lists posts and people rather than bodies.
`parse_staff` reads such a cell when every fragment of it is headed by a position, a group or a
person (a cell naming a body by its legal form, quotes or abbreviation is left to the general
rules, split.py and classify.py):

1. every line is cut at separators outside quotes; a fragment holding persons is cut around
   each name; a label before a colon ("Консультант: нотариус – …", "Участники: воспитанники")
   is read apart from what it labels and stays in the party's text, one ending its
   line ("Воспитатели:") is kept as the position of the names under it;
2. what cannot stand alone is joined back: duty abbreviations after a comma ("УВР, ВР"), class
   lists ("1, 4-х классов"), a line continuing the one above ("Заместитель" / "по УВР");
3. runs of positions without separators are cut ("Соц. педагог психолог");
4. a singular position pairs with the name right after it (same line or the line below), else
   with the name right before it (after a comma, or on the line above when nothing follows);
   what is left are `role` parties, or the general rules' reading for groups.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Literal, NamedTuple

from extractor.normalize.party_rules.classify import body_of, unnamed_body
from extractor.normalize.party_rules.expand import builtin_expansion
from extractor.normalize.party_rules.names import normalize_name, strip_end
from extractor.normalize.party_rules.persons import find_persons
from extractor.normalize.party_rules.split import open_line_end
from extractor.normalize.party_rules.words import (
    NON_SPACE,
    WORDS,
    fold,
    head_of,
    lemmas_of,
    lexicon_kind,
    listed_surface,
    mask,
    short_form,
    vocabulary,
    word_info,
    yo,
)
from extractor.normalize.rule_trace import RuleTrace
from models import Party

_DASHES = " –—-"


class _Unit(NamedTuple):  # a tuple: made and remade (`_replace`) for every fragment
    text: str
    kind: str  # "person", "position", "other"
    line: int
    sep: str  # what came before it: "para", ",", ";", "/", "+", "" (nothing: same line, no separator)
    start: int = 0  # offsets in its line
    end: int = 0
    name: str = ""  # a person's name
    plural: bool = False
    label: bool = False  # "Воспитатели:": the position of the names below
    prefix: str = ""  # "Участники:": a label before the text on its line, kept in the party's text
    last_on_line: bool = False
    line_open: bool = True  # the line does not end with a separator
    guessed: bool = False  # cut where the writer put no separator


def _position_head(text: str) -> tuple[bool, bool]:
    """(headed by a position, plural)."""
    head = head_of(text)
    return head.kind == "position", head.plural


def _is_duty(text: str) -> bool:
    words = [w.strip(".()") for w in _DUTY_SEP.split(text) if w.strip(".()")]
    return bool(words) and all(w in vocabulary().duties for w in words)


def _is_class_list(text: str) -> bool:
    """"4-х классов", "VII", "X", "1-11 кл.": numbers of classes that belong to the position before."""
    return _CLASS_LIST.fullmatch(text.strip()) is not None


_CLASS_LIST = re.compile(r"(?:[\dIVXLivxl]+(?:-[а-яIVX\d]+)?\s*)+(?:кл\.?|классов|классы|класс)?\.?")
_LINE_SEP = re.compile(r"[,;+]|(?<![А-ЯЁа-яё])/|/(?![А-ЯЁа-яё])")  # "м/с", "д/д" stay
_DUTY_SEP = re.compile(r"[\s,]+")


def _split_line(line: str) -> list[tuple[str, int, int]]:
    """(separator before, start, end) of the fragments of a line, cut outside quotes and parentheses."""
    masked = mask(line)
    out: list[tuple[str, int, int]] = []
    start, sep = 0, ""
    for match in _LINE_SEP.finditer(masked):
        out.append((sep, start, match.start()))
        start, sep = match.end(), match.group()
    out.append((sep, start, len(line)))
    return [(s, a, b) for s, a, b in out if line[a:b].strip(_DASHES + ".")]


@cache
def _cut_run(text: str) -> tuple[str, ...]:
    """"Соц. педагог психолог" -> two positions: a new position head (or short modifier) after a
    complete position, unless a preposition, a conjunction or a compound ("педагог организатор")
    binds them."""
    tokens = list(NON_SPACE.finditer(text))
    candidates = sum(1 for t in tokens
                     if short_form(t.group()) is not None or _may_be_listed(t.group().strip(".,;:")))
    if candidates < 2:  # one post at most: nothing to cut, no morphology needed
        return (text,)
    cuts: list[int] = []
    have_head = modified = False
    prev_word = ""
    for index, token in enumerate(tokens):
        word = token.group()
        starts = _starts_position(word, last=index == len(tokens) - 1)
        if index and have_head and starts and not _binds(prev_word, word, compound=not modified):
            cuts.append(token.start())
            have_head = modified = False
        short = short_form(word)
        modified = modified or (short is not None and not short[0])
        if _is_head_word(word):
            have_head = True
        prev_word = word
    bounds = [0, *cuts, len(text)]
    return tuple(text[a:b].strip() for a, b in itertools.pairwise(bounds) if text[a:b].strip())


def _starts_position(word: str, *, last: bool) -> bool:
    """A word that opens a new position: a position noun in the nominative that cannot be a
    genitive ("директора" after "Зам." is the genitive), or a short form ("Соц.") with a noun after."""
    short = short_form(word)
    if short is not None:
        return short[0] or bool(short[2]) or not last
    bare = word.strip(".,;:")
    if not _may_be_listed(bare) or not WORDS.fullmatch(bare):
        return False
    if lexicon_kind(bare) != "position":
        return False
    return (word_info(bare).nominative or listed_surface(bare)) and not word_info(bare).genitive


def _is_head_word(word: str) -> bool:
    short = short_form(word)
    if short is not None:
        return short[0] or bool(short[2])
    bare = word.strip(".,;:")
    return _may_be_listed(bare) and bool(WORDS.fullmatch(bare)) \
        and lexicon_kind(bare) in ("position", "group")


def _may_be_listed(word: str) -> bool:
    """A word that starts like a listed word: Russian inflects at the end, so a word whose start is
    none of these is no listed word, and the morphology lookup can be skipped."""
    return yo(word).lower()[:3] in vocabulary().stems


def _binds(prev: str, word: str, *, compound: bool) -> bool:
    prev_bare, bare = prev.strip(".,;:").lower(), word.strip(".,;:").lower()
    if prev_bare in ("и", "или", "по", "за", "с", "в", "на", "-", "–") or re.fullmatch(r"[\d\-хыйя]+", prev_bare):
        return True  # a preposition or conjunction binds; "4 кл.": a class number
    short = short_form(prev)
    if short is not None and not short[0] and not short[2]:
        return True  # "Соц." before its noun
    lemmas_prev = set(lemmas_of(prev_bare)) if prev_bare.isalpha() else {prev_bare}
    lemmas = set(lemmas_of(bare)) if bare.isalpha() else {bare}
    # "педагог организатор" is one post; after a modifier ("Соц. педагог психолог") it is two
    return compound and any((a, b) in vocabulary().compounds for a in lemmas_prev for b in lemmas)


_OPEN_END = re.compile(r"(?:-|\b(?:по|за|и|с|в)|\b[А-ЯЁа-яё]{2,8}\.)$")


def _continues(prev_line: str, line: str) -> bool:
    """A line that carries on the one above: "Заместитель" / "по УВР", "Музыкал." / "руководитель",
    "учителя-" / "предметники", "Педагог" / "доп.образования"."""
    prev_line = prev_line.rstrip()
    if prev_line.endswith((",", ";")):
        return False
    last = prev_line.split()[-1] if prev_line.split() else ""
    short = short_form(last)
    if prev_line.endswith("-") or (last.endswith(".") and short is not None and not short[0]):
        return True
    if open_line_end(prev_line) and not find_persons(line):  # "Кураторы предметных" / "ММО"
        return True
    first = line.split()[0] if line.split() else ""
    if first.lower() in ("по", "за", "и") or first.startswith(("доп.", "(")):
        return True
    return bool(re.fullmatch(r"[а-яё]+", first)) and _position_head(prev_line)[0] and not _position_head(line)[0] \
        and not word_info(first).nominative


_BULLET = re.compile(r"^[-–—•·▪●*]\s*")


def _lines(paragraphs: Sequence[str]) -> list[str]:
    out: list[str] = []
    for para in paragraphs:
        line = fold(_BULLET.sub("", fold(para)))
        if not line:
            continue
        if out and _continues(out[-1], line):
            out[-1] = out[-1] + ("" if out[-1].endswith("-") else " ") + line
        else:
            out.append(line)
    return out


def _label(text: str) -> tuple[str, bool, str]:
    """(what is labelled, whether the text is a label alone, the label before it):
    "Консультант: нотариус – …" -> ("нотариус – …", False, "Консультант:");
    "Воспитатели:" -> ("Воспитатели", True, "")."""
    masked = mask(text)
    colon = masked.find(":")
    if colon < 0:
        return text, False, ""
    before, after = text[:colon].strip(), text[colon + 1 :].strip()
    if not _position_head(before)[0] and head_of(before).kind != "group":
        return text, False, ""
    if not after:
        return before, True, ""
    return after, False, text[: colon + 1].strip()


def _units(lines: Sequence[str]) -> list[_Unit]:
    units: list[_Unit] = []
    for line_no, line in enumerate(lines):
        closed = line.rstrip().endswith((",", ";"))  # a line ending with a separator: a list goes on
        first = True
        for sep, start, end in _split_line(line):
            for unit in _fragment_units(line[start:end], start, "para" if first else sep, line_no):
                units.append(unit._replace(line_open=False) if closed else unit)
                first = False
        if units and units[-1].line == line_no:
            units[-1] = units[-1]._replace(last_on_line=True)
    return _merge(units)


def _fragment_units(fragment: str, offset: int, sep: str, line: int) -> list[_Unit]:
    out: list[_Unit] = []
    pos = 0
    for person in find_persons(fragment):
        out += _text_units(fragment[pos : person.start], offset + pos, sep if not out else "", line)
        out.append(_Unit(fragment[person.start : person.end], "person", line, sep if not out else "",
                         offset + person.start, offset + person.end, name=person.name))
        pos = person.end
    out += _text_units(fragment[pos:], offset + pos, sep if not out else "", line)
    return out


_FAMILY_NUMBER = re.compile(r"^\d+(?:\s*,\s*\d+)*\s*(?=[А-ЯЁ])")  # "5Аксёнова", "3 Кушаева"
_GLUED_SENTENCE = re.compile(r"(?<=[А-ЯЁ]{2})\.(?=[А-ЯЁ][а-яё])")  # "по ВР.Воспитатели"
_ONLY_NUMBERS = re.compile(r"[\d\s,.]*")


def _text_units(text: str, offset: int, sep: str, line: int) -> list[_Unit]:
    end = offset + len(text.rstrip())
    offset += len(text) - len(text.lstrip())
    pieces, label, prefix = _analyse(text.strip())
    return [_Unit(piece, "position" if is_position else "other", line, sep if index == 0 else "",
                  offset, end, plural=plural, label=label, prefix=prefix if index == 0 else "", guessed=index > 0)
            for index, (piece, is_position, plural) in enumerate(pieces)]


@cache
def _analyse(text: str) -> tuple[tuple[tuple[str, bool, bool], ...], bool, str]:
    """The posts of a text between names and separators, each (text, is a position, plural),
    whether the text is a label ending in a colon, and the label before the text ("Участники:");
    remembered, as cells repeat their posts."""
    text = _FAMILY_NUMBER.sub("", text).strip(_DASHES + ",;").strip()
    text = _GLUED_SENTENCE.sub(". ", text)
    if not text.strip(".") or _ONLY_NUMBERS.fullmatch(text):
        return (), False, ""
    text, label, prefix = _label(text)
    pieces = _cut_run(text.strip(_DASHES).strip())
    return tuple((piece, *_position_head(piece)) for piece in pieces), label, prefix


def _merge(units: list[_Unit]) -> list[_Unit]:
    """Duty abbreviations and class lists after a comma stay with their position."""
    out: list[_Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "position" and unit.kind != "person" and unit.sep in (",", "")
                and prev.line == unit.line and (_is_duty(unit.text) or _is_class_list(unit.text))):
            out[-1] = prev._replace(text=f"{prev.text}, {unit.text}", last_on_line=unit.last_on_line, end=unit.end)
            continue
        out.append(unit)
    return out


def _is_staff(units: Sequence[_Unit]) -> bool:
    """Persons and positions only, groups allowed; no body named by form, quotes or number."""
    if not any(u.kind in ("person", "position") for u in units):
        return False
    for unit in units:
        if unit.kind != "other":
            continue
        head = head_of(unit.text)
        if head.kind not in ("group", "noun", "org") or "№" in unit.text or "«" in unit.text:
            return False
        if head.kind == "org" and not unnamed_body(unit.text, head) and not head.plural:
            return False
    return True


def _pair(units: list[_Unit]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Person index -> index of its position; position index -> the posts of its whole line."""
    owner: dict[int, int] = {}
    lines: dict[int, list[int]] = {}
    label: int | None = None
    for index, unit in enumerate(units):
        if unit.kind == "person":
            if label is not None and index not in owner:
                owner[index] = label
            continue
        label = index if unit.kind == "position" and unit.label else None
        if unit.kind != "position" or unit.label:
            continue
        if unit.plural:  # "инструктора по спорту" under a name reads as a genitive singular
            prev = units[index - 1] if index else None
            if (prev is not None and prev.kind == "person" and index - 1 not in owner and prev.line + 1 == unit.line
                    and prev.line_open and index + 1 == len(units) and head_of(unit.text).genitive):
                owner[index - 1] = index
            continue
        nxt = units[index + 1] if index + 1 < len(units) else None
        prev = units[index - 1] if index else None
        if nxt is not None and nxt.kind == "person" and (
                (nxt.line == unit.line and nxt.sep == "") or (nxt.line == unit.line + 1 and unit.last_on_line)):
            owner[index + 1] = index
            if nxt.line != unit.line:
                line = [i for i, u in enumerate(units) if u.line == unit.line]
                if len(line) > 1 and all(units[i].kind == "position" and not units[i].plural for i in line):
                    lines[index] = line  # the whole line of posts is the person's position
        elif prev is not None and prev.kind == "person" and index - 1 not in owner and (
                (prev.line == unit.line and unit.sep in (",", ""))
                or (prev.line + 1 == unit.line and prev.line_open and unit.last_on_line
                    and (nxt is None or nxt.line > unit.line))):
            owner[index - 1] = index
        elif (prev is not None and prev.kind == "person" and prev.line == unit.line and unit.sep == ","
              and owner.get(index - 1, index) < index - 1 and units[owner[index - 1]].line == unit.line):
            # "Методист Лопухова О.В., методист МАУ …": a second post of the same person on the line
            # stays with the person (in its text), not a role of its own
            lines[index] = [owner[index - 1], index]
    return owner, lines


def _span_text(lines: Sequence[str], first: _Unit, last: _Unit) -> str:
    """The cell's own text from one unit to another (lines joined by a space)."""
    if first.line == last.line:
        return lines[first.line][first.start : last.end]
    middle = [lines[i] for i in range(first.line + 1, last.line)]
    return " ".join([lines[first.line][first.start :], *middle, lines[last.line][: last.end]])


def _role_name(text: str) -> str:
    """A post without a name: the general name rules, but a duty in parentheses stays ("(ВР)")."""
    if re.search(r"\(([^()]*)\)\s*$", text) and _is_duty(re.search(r"\(([^()]*)\)\s*$", text).group(1)):  # type: ignore[union-attr]
        return _as_written(text)
    return normalize_name(re.sub(r"\s+(?=[.,])", "", text))  # "Зам .директора": no space before the dot


def _labelled(prefix: str, text: str) -> str:
    """A party's text with the label written before it on its line ("Участники: воспитанники центра")."""
    return f"{prefix} {text}" if prefix else text


def _as_written(text: str) -> str:
    """A post as the cell writes it: white space folded, no space before a dot or comma,
    trailing punctuation off (the dot of a cut word stays)."""
    return strip_end(re.sub(r"\s+(?=[.,])", "", fold(text)))


def parse_staff(paragraphs: Sequence[str], role: str | None,
                classify: Callable[[str, RuleTrace | None], list[Party]],
                trace: RuleTrace | None = None) -> list[Party] | None:
    """The parties of a staff cell, or None when the cell is no staff cell (the general rules read it).
    `classify` reads a fragment that is neither a person nor a position (a group), recording its
    rules in the trace it is given. `trace` (its text: the cell's lines joined by line breaks)
    gets the units each rule took, once the cell is known to be a staff cell."""
    lines = _lines(paragraphs)
    units = _units(lines)
    if not _is_staff(units):
        return None
    owner, whole = _pair(units)
    used = set(owner.values()) | {i for line in whole.values() for i in line}
    after = {line[0]: i for i, line in whole.items() if line[0] < i}  # a person's second post, after the name
    tracer = _Tracer(trace, lines) if trace is not None else None
    parties: list[Party] = []
    for index, unit in enumerate(units):
        if unit.kind == "person":
            pos_index = owner.get(index)
            position = None
            text = unit.text
            confidence: Literal["high", "low"] = "high"
            if pos_index is not None:
                pos_unit = units[pos_index]
                posts = [i for i in whole.get(pos_index, [pos_index]) if i <= pos_index]
                position = _as_written(", ".join(units[i].text for i in posts))
                text = _span_text(lines, units[min(posts[0], pos_index, index)],
                                  units[max(pos_index, index, after.get(pos_index, index))])
                if pos_unit.line != unit.line and pos_index > index:
                    confidence = "low"  # a post on the line below a name: guessed
            body = body_of(text, (text.find(unit.text), text.find(unit.text) + len(unit.text)))
            parties.append(Party(text=fold(text), name=unit.name, kind="person", role=role, body=body,
                                 position=position, confidence=confidence))
            if tracer is not None:
                taken: set[int] = set()
                if pos_index is not None:  # its posts, the one after the name too
                    taken = {*whole.get(pos_index, [pos_index]), *([after[pos_index]] if pos_index in after else [])}
                tracer.person(unit, body, [units[i] for i in sorted(taken)])
        elif index in used:
            continue
        elif unit.kind == "position":
            name = _role_name(unit.text)
            parties.append(Party(text=_labelled(unit.prefix, unit.text), name=name, kind="role", role=role,
                                 body=body_of(name, None), expansion=builtin_expansion(name),
                                 confidence="low" if unit.guessed else "high"))
            if tracer is not None:
                tracer.post(unit, name)
        else:
            part = RuleTrace() if tracer is not None else None
            found = classify(unit.text, part)
            if found and unit.prefix:  # the label stays in the text of what it labels
                found[0] = found[0].model_copy(update={"text": _labelled(unit.prefix, found[0].text)})
            parties += found
            if tracer is not None and part is not None:
                tracer.other(unit, part)
    if tracer is not None:
        tracer.finish()
    return parties


class _Tracer:
    """The rule trace of a staff cell: the units each rule took, as spans of the lines joined by
    line breaks (only built where a trace is asked for)."""

    def __init__(self, trace: RuleTrace, lines: Sequence[str]) -> None:
        self.trace = trace
        self.lines = lines
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        self.first = len(trace.steps)
        trace.text = "\n".join(lines)
        trace.note("read as a staff cell: posts paired with the names next to them")

    def span(self, unit: _Unit, text: str | None = None) -> tuple[int, int]:
        """Where the unit's text (or `text` within the unit) lies; the unit's bounds where it was
        rewritten (a family number dropped, duties merged)."""
        line = self.lines[unit.line]
        text = unit.text if text is None else text
        at = line.find(text, unit.start, max(unit.end, unit.start + len(text)))
        base = self.starts[unit.line]
        return (base + at, base + at + len(text)) if at >= 0 else (base + unit.start, base + unit.end)

    def label(self, unit: _Unit) -> None:
        if unit.prefix:
            self.trace.add("label", *self.span(unit, unit.prefix), "how the party takes part: kept in its text")

    def person(self, unit: _Unit, body: str | None, posts: list[_Unit]) -> None:
        self.trace.add("person", *self.span(unit), f"person: {unit.name}" + (f"; body: {body}" if body else ""))
        for post in posts:
            self.label(post)
            self.trace.add("position", *self.span(post), f"position of {unit.name}")

    def post(self, unit: _Unit, name: str) -> None:
        self.label(unit)
        self.trace.add("post", *self.span(unit), f"role: {name}" + (" (cut where no separator was written)"
                                                                     if unit.guessed else ""))

    def other(self, unit: _Unit, part: RuleTrace) -> None:
        self.label(unit)
        self.trace.absorb(part, self.span(unit)[0])

    def finish(self) -> None:
        """The steps in the order of the text (units are read in pairs, not in order)."""
        self.trace.steps[self.first:] = sorted(self.trace.steps[self.first:], key=lambda s: (s.start, s.end))
