"""OCR words to the text of the layout model: lines to paragraphs, words broken at line ends
joined again, and repairs against the project's vocabularies only.

A line ends its paragraph when the first word of the next line would have fitted on it (the
writer pressed Enter; a wrapped line is full), when the next line opens a list item, or after
a gap wider than the line spacing. A word broken at a line end is joined again only where the
joined word is in the dictionary and a part is not ("реализаци" + "и"); a hyphen at the break
stays where the joined word is not a word ("семинаров-" + "совещаний").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import cv2
import numpy as np

from lang.words import known
from parsers.layout import Align
from parsers.ocr_settings import OcrSettings
from parsers.text_model import Box, Line, Region, Word, group_lines
from parsers.text_model import wraps as text_wraps

_LETTERS = re.compile(r"[А-Яа-яЁёA-Za-z]+")
_EDGE_PUNCT = re.compile(r"^(?P<lead>[^\wА-Яа-яЁё]*)(?P<core>.*?)(?P<trail>[^\wА-Яа-яЁё]*)$", re.S)
_NUMBERED = re.compile(r"^(?P<n>\d{1,2})[.)]$")
DASHES = ("-", "–", "—")
_INITIALS = re.compile(r"^[А-ЯЁ]\.\s?[А-ЯЁ]\.[,;]?$")
_SURNAME_PIECE = re.compile(r"^[А-ЯЁ][а-яё]{2,}$")
_TAIL_PIECE = re.compile(r"^[а-яё]{1,2}$")
# a dash glued to the initials after a surname is a speck or a rule read as one («Гринева —О.В.»)
_STRAY_DASH = re.compile(r"([А-ЯЁ][а-яё]+) [—–-]([А-ЯЁ]\.\s?[А-ЯЁ]\.)")
_ENDS_WITH_INITIALS = re.compile(r"[А-ЯЁ][а-яё]+\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.$")


@dataclass
class TextPara:
    """One paragraph read from the image."""

    lines: list[Line]
    text: str
    bullet: bool = False  # opened by a bullet or dash marker (removed from text)
    number: int | None = None  # opened by "N." / "N)" (kept in text)
    align: Align | None = None
    box: Box = (0, 0, 0, 0)

    @property
    def confidence(self) -> float:
        words = [w for line in self.lines for w in line.words]
        return sum(w.conf for w in words) / len(words) if words else 100.0


# --- vocabulary ---------------------------------------------------------------------------

@cache
def _ocr_data() -> dict[str, Any]:
    from lang import vocab

    data: dict[str, Any] = vocab.load("ocr")
    return data


@cache
def bullet_marks() -> frozenset[str]:
    return frozenset(str(m) for m in _ocr_data()["bullets"])


@cache
def _homoglyphs() -> tuple[dict[str, str], dict[str, str]]:
    letters = {str(k): str(v) for k, v in _ocr_data()["latin_to_cyrillic"].items()}
    digits = {str(k): str(v) for k, v in _ocr_data()["letters_in_numbers"].items()}
    return letters, digits


@cache
def repair_vocabulary() -> dict[str, str]:
    """lower-case word -> its spelling, from the schedule and party vocabularies."""
    from lang import vocab

    words: dict[str, str] = {}
    schedule = vocab.load("schedule")
    for forms in schedule["months"].values():
        for form in forms:
            words[str(form)] = str(form)
    for key in ("frequency",):
        for phrases in schedule[key].values():
            for phrase in phrases:
                for w in str(phrase).split():
                    words[w] = w
    for key in ("within", "ongoing_objects", "ongoing_words", "on_demand", "per_schedule", "academic_words",
                "quarter_words", "school_quarter_words", "half_year_words"):
        for phrase in schedule[key]:
            for w in str(phrase).split():
                words[w] = w
    words.update({str(k): str(v) for k, v in schedule["typos"].items() if len(str(k)) > 2})
    parties = vocab.load("parties")
    for key in ("legal_forms", "bodies", "categories", "groups"):
        for abbreviation in parties[key]:
            for w in str(abbreviation).split():
                words[w.lower()] = w
    for key in ("org_heads", "positions", "group_heads"):
        entries = parties.get(key) or []
        for entry in entries if isinstance(entries, list) else entries.keys():
            for w in str(entry).split():
                words.setdefault(w.lower(), w)
    extra = _ocr_data().get("repair_words") or []
    for w in extra:
        words.setdefault(str(w).lower(), str(w))
    return {k: v for k, v in words.items() if _LETTERS.fullmatch(k)}


def _is_known(word: str) -> bool:
    return known(word, prefixed=False)


def _fix_script(core: str) -> str:
    """Latin look-alikes inside a Cyrillic word (or a word of look-alikes only, "OO")
    made Cyrillic; letters read inside a number made digits."""
    letters, digits = _homoglyphs()
    if not core:
        return core
    digit_share = sum(ch.isdigit() or ch in ".,-" for ch in core) / len(core)
    if digit_share >= 0.6 and any(ch.isdigit() for ch in core):
        return "".join(digits.get(ch, ch) for ch in core)
    has_cyrillic = bool(re.search(r"[А-Яа-яЁё]", core))
    latin = re.findall(r"[A-Za-z]", core)
    if latin and (has_cyrillic or all(ch in letters for ch in latin)):
        return "".join(letters.get(ch, ch) for ch in core)
    return core


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@cache
def _list_of(key: str) -> frozenset[str]:
    return frozenset(str(v) for v in _ocr_data()[key])


def _split_run_together(core: str) -> str:
    """A token that is no word but two dictionary words written together ("Комитетпо") with
    the space put back; one-letter parts only where they are Russian words ("кандидатовв")."""
    if len(core) < 5 or not re.fullmatch(r"[А-Яа-яЁё]+", core) or core.isupper():
        return core
    # a capitalized token may be a surname ending in a letter ("Лопухова"): no one-letter parts
    one_letter = _list_of("one_letter_words") if core[:1].islower() else frozenset()
    best: tuple[int, str] | None = None
    for i in range(1, len(core)):
        left, right = core[:i], core[i:]
        if right[:1].isupper():
            continue
        ok_left = _is_known(left) and (len(left) >= 2 or left.lower() in one_letter)
        ok_right = _is_known(right) and (len(right) >= 2 or right in one_letter)
        if ok_left and ok_right:
            score = min(len(left), len(right))
            if best is None or score > best[0]:
                best = (score, f"{left} {right}")
    return best[1] if best else core


def repair_word(token: str, settings: OcrSettings) -> str:
    """A token with Latin look-alikes fixed and, when it is no dictionary word but close to a
    word of the vocabularies (months, schedule words, bodies, roles), that word."""
    from rapidfuzz import fuzz, process

    parts = _EDGE_PUNCT.match(token)
    if parts is None:
        return token
    lead, core, trail = parts.group("lead"), parts.group("core"), parts.group("trail")
    fixed = _misreadings().get(core + trail) or _misreadings().get(core)
    if fixed is not None:
        return lead + fixed + ("" if fixed.endswith(".") and trail.startswith(".") else
                               trail if (core + trail) not in _misreadings() else "")
    core = _fix_script(core)
    vocabulary = repair_vocabulary()
    lower = core.lower()
    if (len(core) >= settings.repair_min_length and _LETTERS.fullmatch(core) and lower not in vocabulary
            and not _is_known(lower)):
        found = process.extractOne(lower, vocabulary.keys(), scorer=fuzz.ratio, score_cutoff=settings.repair_score)
        if found is not None and abs(len(found[0]) - len(lower)) <= 1 and found[0][0] == lower[0]:
            spelled = vocabulary[found[0]]
            core = spelled if spelled.isupper() else _match_case(core, spelled)
        else:
            core = _one_letter_off(core) or _split_run_together(core)
    return lead + core + trail


@cache
def _misreadings() -> dict[str, str]:
    table = _ocr_data()["misreadings"]
    return {str(wrong): str(right) for right, wrongs in table.items() for wrong in wrongs}


def _one_letter_off(core: str) -> str | None:
    """An unknown word that one confusable letter makes a dictionary word, so spelled."""
    pairs = [(str(a), str(b)) for a, b in _ocr_data()["word_confusions"]]
    for wrong, right in pairs:
        for i, ch in enumerate(core):
            if ch == wrong:
                candidate = core[:i] + right + core[i + 1:]
                if _is_known(candidate.lower()):
                    return candidate
    return None


def _digits_as_letters(token: str, following: str | None) -> str:
    """"06" before a Russian word is "об"."""
    table = {str(k): str(v) for k, v in _ocr_data()["digits_in_words"].items()}
    if (len(token) < 2 or not all(ch in table for ch in token) or following is None
            or not re.match(r"[А-Яа-яЁё]", following)):
        return token
    word = "".join(table[ch] for ch in token)
    return word if _is_known(word) else token


def _join_pieces(tokens: list[str], settings: OcrSettings) -> list[str]:
    """A word read in pieces ("неб лаг о приятных") joined where the joined word is in the
    dictionary and some piece is not, or it was cut into three or more pieces."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if (i + 2 < len(tokens) and _SURNAME_PIECE.match(tokens[i]) and _TAIL_PIECE.match(tokens[i + 1])
                and _INITIALS.match(tokens[i + 2])):
            out.append(tokens[i] + tokens[i + 1])  # "Лопухов а О.В." is "Лопухова О.В."
            i += 2
            continue
        joined = False
        for size in range(settings.max_word_pieces, 1, -1):
            pieces = tokens[i:i + size]
            if len(pieces) < size:
                continue
            parts = [_EDGE_PUNCT.match(p) for p in pieces]
            cores = [m.group("core") if m else "" for m in parts]
            inner_punct = any((m is None) or (k > 0 and m.group("lead")) or (k < size - 1 and m.group("trail"))
                              for k, m in enumerate(parts))
            if inner_punct or not all(re.fullmatch(r"[А-Яа-яЁё]+", c) for c in cores):
                continue
            word = "".join(cores)
            # two known words that also make one word stay apart ("на встречу"); three or more
            # known pieces of one known word are a word read in pieces
            listed = _is_known(word.lower()) or word.lower() in repair_vocabulary()
            if listed and (size > 2 or not all(_is_known(c.lower()) for c in cores)):
                assert parts[0] is not None and parts[-1] is not None
                out.append(parts[0].group("lead") + word + parts[-1].group("trail"))
                i += size
                joined = True
                break
        if not joined:
            out.append(tokens[i])
            i += 1
    return out


@cache
def _abbreviations() -> frozenset[str]:
    """The bodies, categories and groups the party vocabulary knows, as written."""
    return frozenset(v for v in repair_vocabulary().values() if v.isupper() or any(c.isupper() for c in v[1:]))


def _abbreviation(core: str) -> str:
    """An abbreviation misread through look-alike shapes ("MII" for "МЦ", "0бОО" for "ОбОО"):
    the spelling from the vocabulary when one reading of the confusions gives it."""
    if not core or len(core) > 8 or not any(ch.isupper() or ch.isdigit() for ch in core):
        return core
    known = _abbreviations()
    if core in known:
        return core
    confusions = [(str(a), str(b)) for a, b in _ocr_data()["confusions"]]
    readings = {core}
    for wrong, right in confusions:
        readings |= {r.replace(wrong, right) for r in readings if wrong in r}
        if len(readings) > 64:
            break
    found = sorted(r for r in readings if r in known)
    return found[0] if len(found) == 1 else core


def repair_text(text: str, settings: OcrSettings) -> str:
    tokens = _join_pieces(text.split(" "), settings)
    out = []
    for i, token in enumerate(tokens):
        token = _digits_as_letters(token, tokens[i + 1] if i + 1 < len(tokens) else None)
        parts = _EDGE_PUNCT.match(token)
        if parts is not None:
            token = parts.group("lead") + _abbreviation(parts.group("core")) + parts.group("trail")
        out.append(repair_word(token, settings))
    return _STRAY_DASH.sub(r"\1 \2", " ".join(out))


def _is_noise(word: Word, settings: OcrSettings) -> bool:
    if any(ch.isalnum() for ch in word.text):
        return False
    return word.text in _list_of("noise_marks") or word.conf < settings.noise_word_confidence


def _dash(word: Word, line_height: float, settings: OcrSettings) -> Word:
    """A free-standing dash as the glyph its length shows: Tesseract reads the en dash of
    "(далее – ШНОР)" as an em dash or a hyphen; length against the line height tells them apart."""
    if word.text not in DASHES or line_height <= 0:
        return word
    ratio = (word.box[2] - word.box[0]) / line_height
    glyph = "-" if ratio < settings.hyphen_max_ratio else "–" if ratio < settings.en_dash_max_ratio else "—"
    return replace(word, text=glyph)


def clean_lines(lines: list[Line], settings: OcrSettings) -> list[Line]:
    """Lines without noise words (signs read from dust or bits of rules), dashes by their
    length, top to bottom."""
    out = []
    for line in lines:
        words = [w for w in line.words if not _is_noise(w, settings)]
        if words:
            height = max(w.box[3] for w in words) - min(w.box[1] for w in words)
            out.append(Line(words=[_dash(w, height, settings) for w in words], block=line.block))
    return sort_lines(out, settings)


# --- lines and paragraphs -----------------------------------------------------------------

def word_space(lines: list[Line]) -> float:
    """A typical space between words (a third of the line height when unknown)."""
    gaps = [b.box[0] - a.box[2] for line in lines for a, b in zip(line.words, line.words[1:], strict=False)]
    gaps = [g for g in gaps if g > 0]
    if gaps:
        return float(np.median(gaps))
    heights = [w.height for line in lines for w in line.words]
    return float(np.median(heights)) / 3 if heights else 10.0


def _line_height(lines: list[Line]) -> float:
    heights = [line.box[3] - line.box[1] for line in lines]
    return float(np.median(heights)) if heights else 1.0


def _opens_item(line: Line, space: float) -> tuple[bool, int | None]:
    """(opens a bulleted item, number of a numbered item) for a line."""
    first = line.words[0].text
    if first in bullet_marks() or (first[:1] in bullet_marks() and len(first) > 1 and first[1:2].isalpha()
                                   and first[:1] not in "-"):
        return True, None
    numbered = _NUMBERED.match(first)
    if numbered and len(line.words) > 1:
        return False, int(numbered.group("n"))
    return False, None


def _join(left: str, right: str) -> str:
    """Two lines of one paragraph as one text: a word broken at the line end joined where the
    dictionary says so."""
    if not left:
        return right
    if not right:
        return left
    tail_match = re.search(r"([А-Яа-яЁё]+)(-?)$", left)
    head_match = re.match(r"([А-Яа-яЁё]+)", right)
    if tail_match and head_match:
        tail, hyphen, head = tail_match.group(1), tail_match.group(2), head_match.group(1)
        joined = (tail + head).lower()
        if hyphen:
            if _is_known(joined):
                return left[:-1] + right
            return left + right
        if _is_known(joined) and not (_is_known(tail) and _is_known(head)):
            return left + right
    return left + " " + right


def _strip_bullet(line: Line) -> Line:
    first = line.words[0]
    if first.text in bullet_marks():
        return Line(words=line.words[1:] or [first], block=line.block)
    rest = replace(first, text=first.text[1:])
    return Line(words=[rest, *line.words[1:]], block=line.block)


def wraps(prev: Line, line: Line, region: Region, space: float, settings: OcrSettings) -> bool:
    """The shared wrap test (parsers.text_model.wraps) with the page's measured word space:
    OCR boxes wander by a few pixels, so a word fits only with room to spare."""
    return text_wraps(prev, line, region, settings.wrap_space * space, settings.align_tolerance_px)


def opens_bullet(line: Line) -> bool:
    """The line opens a bulleted item (a bullet, apart or glued to its first word)."""
    return _opens_item(line, 0.0)[0]


def paragraphs(lines: list[Line], left: float, right: float, settings: OcrSettings) -> list[TextPara]:
    """Lines (top to bottom) in a text area from `left` to `right` grouped into paragraphs."""
    if not lines:
        return []
    space = word_space(lines)
    height = _line_height(lines)

    def goes_on(prev: Line, line: Line) -> bool:
        wrapped = wraps(prev, line, Region(left, right), space, settings)
        pitch = (line.box[1] + line.box[3] - prev.box[1] - prev.box[3]) / 2
        bullet, number = _opens_item(line, space)
        # a person's name ending a line and a capital opening the next: two entries ("Григорьева
        # Н.Е." / "Руководители УМО") even in a narrow column that the name fills
        named = bool(_ENDS_WITH_INITIALS.search(prev.text)) and line.words[0].text[:1].isupper()
        return wrapped and not named and pitch < settings.paragraph_pitch * height and not bullet and number is None

    out: list[TextPara] = []
    for group in group_lines(lines, goes_on):
        bullet, number = _opens_item(group[0], space)
        body = [_strip_bullet(group[0]), *group[1:]] if bullet else group
        text = body[0].text
        for line in body[1:]:
            text = _join(text, line.text)
        box = (min(ln.box[0] for ln in group), min(ln.box[1] for ln in group),
               max(ln.box[2] for ln in group), max(ln.box[3] for ln in group))
        out.append(TextPara(lines=group, text=repair_text(text, settings), bullet=bullet, number=number,
                            align=_align(group, left, right, settings), box=box))
    settle_alignment(out)
    return out


def _align(lines: list[Line], left: float, right: float, settings: OcrSettings) -> Align | None:
    """"center" or "right" when every line fits that alignment and some line could fit no
    other; "both" for lines that fill the width (either, undecided); None for left."""
    tol = settings.align_tolerance_px
    lefts = [ln.box[0] - left for ln in lines]
    rights = [right - ln.box[2] for ln in lines]
    if all(a <= tol and b <= tol for a, b in zip(lefts, rights, strict=True)):
        return "both"
    if all(abs(a - b) <= tol for a, b in zip(lefts, rights, strict=True)):
        return "center"
    if all(r <= tol for r in rights) and min(lefts) > tol:
        return "right"
    return None


def settle_alignment(paras: list[TextPara]) -> None:
    """A paragraph whose lines fill the width takes the alignment of the paragraph before it
    (a full line of a centred title is centred), else counts as left-aligned."""
    previous: Align | None = None
    for para in paras:
        if para.align == "both":
            para.align = previous if previous in ("center", "right") else None
        previous = para.align


def sort_lines(lines: list[Line], settings: OcrSettings) -> list[Line]:
    """Lines top to bottom; words of one visual line that Tesseract put in two blocks merged."""
    ordered = sorted(lines, key=lambda ln: (ln.box[1] + ln.box[3]) / 2)
    merged: list[Line] = []
    for line in ordered:
        if merged:
            prev = merged[-1]
            overlap = min(prev.box[3], line.box[3]) - max(prev.box[1], line.box[1])
            shorter = min(prev.box[3] - prev.box[1], line.box[3] - line.box[1])
            if shorter > 0 and overlap / shorter >= settings.line_overlap:
                words = sorted(prev.words + line.words, key=lambda w: w.box[0])
                merged[-1] = Line(words=words, block=prev.block)
                continue
        merged.append(line)
    return merged


# --- look ---------------------------------------------------------------------------------

def ink_terms(ink: np.ndarray) -> tuple[int, int]:
    """(area, outline length) of the ink in a region: what a stroke width is made of, and can
    be summed over regions (words read once, their paragraph judged later)."""
    binary = (ink > 0).astype(np.uint8)
    area = int(binary.sum())
    if area == 0:
        return 0, 0
    inner = cv2.erode(binary, cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3)))
    return area, area - int(inner.sum())


def stroke_of(area: int, outline: int) -> float:
    """Mean stroke width: twice the ink's area over its outline length (0 without ink)."""
    return 2.0 * area / max(outline, 1) if area else 0.0


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width of the ink in a region."""
    return stroke_of(*ink_terms(ink))
