"""Plan metadata from the paragraphs above the plan table and the text of the whole document:
approval or appendix block, title, period, municipality, preamble, abbreviations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from extractor.text import close_letter_spacing, fold, render_paragraph
from lang import morph, vocab
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
    lead: int = 0  # preamble blocks that stood above the title (an institution's name)


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


@cache
def _month_numbers() -> dict[str, int]:
    return {str(m): i for i, m in enumerate(vocab.metadata()["months"], start=1)}


def parse_date(text: str) -> dt.date | None:
    """The first date of the text: "17.04.2024", "17.04.24", "5 марта 2023 г.", "«01» сентября 2024 г."."""
    numeric = _DATE.search(text)
    worded = _pattern("word_date").search(text)
    if worded and (numeric is None or worded.start() < numeric.start()):
        month = _month_numbers().get(morph.lemma(worded.group("month")).replace("ё", "е"))
        return _date(int(worded.group("y")), month, int(worded.group("d"))) if month else None
    if numeric is None:
        return None
    year = int(numeric.group("y"))
    year += 2000 if year < 100 else 0
    return _date(year, int(numeric.group("m")), int(numeric.group("d")))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_start(text: str, start: int) -> int:
    """Where the stamp's date (written, numeric or left blank) begins after `start`; else the end."""
    found = [m.start() for key in ("word_date", "blank_date") if (m := _pattern(key).search(text, start))]
    if (numeric := _DATE.search(text, start)) is not None:
        found.append(numeric.start())
    return min(found, default=len(text))


def _signed_authority(flat: str) -> str | None:
    """The signatory of a stamp without an act: the words after "УТВЕРЖДАЮ" up to the date,
    signature lines removed ("Директор МБОУ «СОШ № 5» ____ И.И. Иванова" -> "Директор МБОУ
    «СОШ № 5» И.И. Иванова")."""
    opener = _pattern("signed_openers").match(flat)
    if opener is None:
        return None
    start = opener.end()
    start += len(flat[start:]) - len(flat[start:].lstrip(" »\":,."))
    raw = re.sub(r"[_/]+", " ", flat[start:_date_start(flat, start)])  # signature line, "/Иванова И.И./"
    return fold(raw).strip(" ,") or None


def _masked(text: str) -> str:
    """Quoted names blanked out, so that "«СОШ № 5»" gives no number."""
    return re.sub(r"«[^«»]*»", lambda m: "«" + " " * (len(m.group()) - 2) + "»", text)


def parse_approval(text: str) -> Approval:
    """Authority, number and date of an approval stamp or appendix reference; blanks -> None."""
    flat = fold(text)
    masked = _masked(flat)
    act = _act_pattern().search(masked)
    from_match = _FROM.search(masked, act.end() if act else 0)
    if act:
        end = from_match.start() if from_match else len(flat)
        raw = flat[act.end():end].strip(" ,")
        first, _, rest = raw.partition(" ")
        authority = (morph.nominative_word(first) + (" " + rest if rest else "")).strip() or None
    else:
        authority = _signed_authority(flat)
    date = None
    if from_match:
        date_text = _blank_or(flat[from_match.start("date"):from_match.end("date")])
        date = parse_date(date_text) if date_text else None
    elif not act:
        date = parse_date(flat[_date_start(flat, 0):])
    number = None
    if act or from_match:
        number_match = _NUMBER.search(masked, from_match.start() if from_match else act.end() if act else 0)
        number = _blank_or(flat[number_match.start("num"):number_match.end("num")]) if number_match else None
    return Approval(text=flat, authority=authority, number=number, date=date)


def _is_approval_start(p: Paragraph) -> bool:
    return bool(_pattern("approval_openers").match(p.text))


def _looks_like_heading(p: Paragraph) -> bool:
    return p.heading or p.style.bold or p.align == "center" or (p.text.isupper() and len(p.text) > 3)


def _is_title_start(p: Paragraph) -> bool:
    """A paragraph that opens with a plan word and reads as a heading: set as one, or
    starting with a capital ("план эвакуации …" inside a report's prose is not a title)."""
    if p.list is not None and not p.list.ordered and not p.heading:
        return False  # a bulleted item ("• План летней занятости …") titles nothing
    text = close_letter_spacing(fold(p.text)).strip(" _«\"")
    return bool(_pattern("title_words").match(text)) and (_looks_like_heading(p) or text[:1].isupper())


def opens_plan(paragraphs: list[Paragraph]) -> bool:
    """The paragraphs hold a plan's title ("План работы …"): a new plan of the same file."""
    return any(not p.is_blank and _is_title_start(p) for p in paragraphs)


def _has_approval_word(p: Paragraph) -> bool:
    return _is_approval_start(p) or bool(_pattern("approval_words").search(p.text))


def split_heading(paragraphs: list[Paragraph]) -> Heading:
    """Approval block, title and preamble from the paragraphs before the plan table.

    The title starts at the first paragraph that opens with a plan word ("План", "Дорожная
    карта", "Комплекс мер" …) and runs over the following paragraphs of one look; without such
    a paragraph it is the first heading after the approval block. The approval block opens
    with its keyword (at the top, or anywhere above the title: an institution's name often
    stands first) and runs while paragraphs keep its alignment, or up to the title. What
    remains is the preamble: first what stood above the title, then what follows it.
    """
    paras = list(paragraphs)
    titled = next((k for k, p in enumerate(paras) if not p.is_blank and _is_title_start(p)), None)
    if titled is not None:
        above = paras[:titled]
        opener = next((k for k, p in enumerate(above) if _has_approval_word(p)), None)
        approval = None
        lead = above
        if opener is not None:
            approval = parse_approval(" ".join(p.text for p in above[opener:] if not p.is_blank))
            lead = above[:opener]
        title_parts, i = _title_run(paras, titled)
        lead_blocks = preamble_blocks(lead)
        return Heading(approval, " ".join(title_parts), lead_blocks + preamble_blocks(paras[i:]), len(lead_blocks))
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
    title_parts, i = _title_run(paras, i) if i < len(paras) else ([], i)
    return Heading(approval, " ".join(title_parts), preamble_blocks(paras[i:]))


def _title_run(paras: list[Paragraph], i: int) -> tuple[list[str], int]:
    """The title's paragraphs from `i`: consecutive paragraphs of the first one's look (one
    paragraph alone when it does not look like a heading); one blank line inside a centred
    title does not end it."""
    first = paras[i]
    look = _look(first)
    parts: list[str] = []
    last = first

    def goes_on(p: Paragraph) -> bool:
        return not p.is_blank and (_look(p) == look or _centred_with(p, first) or _centred_under(p, first, last))

    while i < len(paras):
        if paras[i].is_blank and first.align == "center" and parts and i + 1 < len(paras) and goes_on(paras[i + 1]):
            i += 1
        if not goes_on(paras[i]):
            break
        parts.append(fold(paras[i].text))
        last = paras[i]
        i += 1
        if not _looks_like_heading(first) and not (i < len(paras) and _centred_under(paras[i], first, last)):
            break  # a plain first paragraph is the title on its own
    return parts, i


def _centred_under(p: Paragraph, first: Paragraph, last: Paragraph) -> bool:
    """Where the reader knows no alignment (OCR): a line right under the title's last line and
    centred on the first one's axis goes on with it («План профилактической работы» / «по
    предупреждению жестокого обращения …» on a scan)."""
    if first.align is not None or p.align not in (None, "center") or p.list is not None or _is_approval_start(p):
        return False  # OCR calls a line centred only when it could be nothing else: such a one goes on too
    if first.bbox is None or last.bbox is None or p.bbox is None or p.is_blank:
        return False
    line = first.bbox[3] - first.bbox[1]
    axis, other = (first.bbox[0] + first.bbox[2]) / 2, (p.bbox[0] + p.bbox[2]) / 2
    # a line that spans the first one's axis goes on when OCR calls it centred or it opens in
    # lower case: a stamp read into a line («ПЛАН”») or over it («… терроризма и экст») moves
    # that line's own axis
    spans = p.bbox[0] <= axis <= p.bbox[2] and (p.align == "center" or fold(p.text)[:1].islower())
    centred = abs(axis - other) <= line or spans
    return line > 0 and centred and -0.5 * line <= p.bbox[1] - last.bbox[3] <= 1.5 * line  # OCR boxes may touch


def _centred_with(p: Paragraph, first: Paragraph) -> bool:
    """A centred line under a centred title, or a line that starts in lower case, goes on with
    it ("СОВМЕСТНЫЙ ПЛАН" in bold, then "по предупреждению …" plain): real plans mix looks
    within one title."""
    if p.list is not None or _is_approval_start(p):
        return False
    return (first.align == "center" and p.align == "center") or (fold(p.text)[:1].islower() and _looks_like_heading(p))


def _look(p: Paragraph) -> tuple[bool, bool, str | None]:
    return p.heading, p.style.bold, p.align


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
            line = render_paragraph(p, counter)
            if blocks and prev is not None:
                blocks[-1].append(line)
            else:
                blocks.append([line])
        elif (prev is not None and prev.list is None and _looks_like_heading(p) and _looks_like_heading(prev)
              and _look(p) == _look(prev)):
            blocks[-1][-1] += " " + render_paragraph(p, 0)
        else:
            blocks.append([render_paragraph(p, 0)])
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
    """The plan period named in the heading: academic, calendar range, one day ("проводимых
    20 ноября 2018 года") or one year."""
    flat = fold(text)
    day = _period_pattern("day").search(flat)
    if day:
        month = _month_numbers().get(morph.lemma(day.group("month")).replace("ё", "е"))
        date = _date(int(day.group("y1")), month, int(day.group("d"))) if month else None
        if date is not None:
            return Period(start=date, end=date, text=day.group(0).strip())
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


# How far below the title a period line may stand ("на 2020 год" on the line under it).
PERIOD_LINES = 3


def stated_period(title: str | None, preamble: list[str], lead: int = 0) -> Period | None:
    """The period the heading states: in the title, else in the first short lines under it
    (`lead`: preamble blocks that stood above the title)."""
    if title:
        found = find_period(title)
        if found:
            return found
    for block in preamble[lead:lead + PERIOD_LINES]:
        if len(block) <= 200 and (found := find_period(block)):
            return found
    return None


_FULL_DATE = re.compile(r"\b\d{1,2}\s*\.\s*\d{1,2}\s*\.\s*((?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(r"[а-яё]+\s+((?:19|20)\d\d)\b", re.IGNORECASE)
_ACADEMIC_HINT = re.compile(r"учебн|уч\.\s*г|тренировочн|четверт|каникул", re.IGNORECASE)


def infer_period(approval: Approval | None, schedules: list[str], texts: list[str]) -> tuple[Period | None, str]:
    """A period for a plan whose heading states none, and what it came from: the years of the
    dated cells, else the approval date (an academic year where the plan speaks of school
    terms, else the calendar year). (None, "") where nothing gives a year."""
    academic = any(_ACADEMIC_HINT.search(t) for t in texts if t)
    years = sorted({int(m.group(1)) for t in schedules for m in _FULL_DATE.finditer(t)}
                   | {int(m.group(1)) for t in schedules for m in _MONTH_YEAR.finditer(t)})
    if years and years[-1] - years[0] <= 5:
        y1, y2 = years[0], years[-1]
        if academic and y2 == y1 + 1:
            return Period(start=dt.date(y1, 9, 1), end=dt.date(y2, 8, 31), text=f"{y1}-{y2} учебный год",
                          inferred=True), "по датам в таблице"
        return Period(start=dt.date(y1, 1, 1), end=dt.date(y2, 12, 31),
                      text=f"{y1} год" if y1 == y2 else f"{y1}-{y2} годы", inferred=True), "по датам в таблице"
    if approval is not None and approval.date is not None:
        d = approval.date
        if academic:
            y1 = d.year if d.month >= 6 else d.year - 1
            return Period(start=dt.date(y1, 9, 1), end=dt.date(y1 + 1, 8, 31), text=f"{y1}-{y1 + 1} учебный год",
                          inferred=True), "по дате утверждения"
        return Period(start=dt.date(d.year, 1, 1), end=dt.date(d.year, 12, 31), text=f"{d.year} год",
                      inferred=True), "по дате утверждения"
    return None, ""


@cache
def _period_pattern(key: str) -> re.Pattern[str]:
    return re.compile(vocab.metadata()["period"][key], re.IGNORECASE)


# --- municipality -----------------------------------------------------------------------

def find_municipality(texts: Iterable[str]) -> str | None:
    """The municipality named in the title (then the approval block), in the nominative:
    "в Сарове" -> "Саров", "города Тулы" -> "Тула", "МР «Вилюйский улус (район)»" ->
    "Вилюйский улус", "Зиминского городского муниципального образования" -> "Зиминское
    городское муниципальное образование", "ЗГМО" -> the phrase with those initials in the
    same texts, else "ЗГМО". None when the texts name none."""
    flats = [fold(t) for t in texts]
    for flat in flats:
        found = _rule_match(flat) or _acronym(flat, flats)
        if found:
            return found
    return None


def _rule_match(flat: str) -> str | None:
    for rule in vocab.metadata()["municipality"]:
        for match in re.finditer(rule["pattern"], flat):
            name = _municipality_name(match.group("name"), bool(rule.get("inflect")))
            if name and (not rule.get("require_geo") or morph.is_geo(name.split()[-1].split("-")[0])):
                return name
    return None


def _municipality_name(raw: str, inflect: bool) -> str | None:
    name = re.sub(r"\s*\([^)]*\)", "", raw).strip()
    words = name.split()
    if len(words) == 2 and inflect and not morph.is_adjective(words[0]):
        name = words[0]  # "города Тулы Тульской …": a second word only as "Нижнем Новгороде"
    if inflect:
        name = morph.nominative_name(name)
    settlement = _settlement_prefix().match(name)
    return name[settlement.end():] if settlement and settlement.end() < len(name) else name


@cache
def _settlement_prefix() -> re.Pattern[str]:
    words = sorted(vocab.metadata()["settlement_words"], key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(re.escape(w) for w in words) + r")\s+", re.IGNORECASE)


@cache
def _other_abbreviations() -> frozenset[str]:
    """Abbreviations of bodies and groups (extractor/data/parties.yaml): never a municipality."""
    data = vocab.load("parties")
    sections = ("legal_forms", "bodies", "categories", "groups")
    return frozenset(word.upper() for s in sections for key in data.get(s) or {} for word in str(key).split())


def _acronym(flat: str, texts: list[str]) -> str | None:
    pattern = re.compile(vocab.metadata()["municipality_acronym"])
    for match in pattern.finditer(flat):
        acronym = match.group("name")
        if acronym in _other_abbreviations():
            continue
        return _spelled_out(acronym, texts) or acronym
    return None


def _spelled_out(acronym: str, texts: list[str]) -> str | None:
    """The municipality phrase of the texts whose initials are the acronym, in the nominative."""
    for flat in texts:
        for rule in vocab.metadata()["municipality"]:
            for match in re.finditer(rule["pattern"], flat):
                phrase = match.group("name")
                if "".join(w[0] for w in phrase.split()).upper() == acronym:
                    return _municipality_name(phrase, bool(rule.get("inflect")))
    return None


# --- abbreviations ----------------------------------------------------------------------

_CLAUSE_BOUNDARY = re.compile(r"[;:()\n]|\.\s")


def find_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Every "(далее – X)" definition: X -> the phrase it stands for, in the nominative."""
    pattern = _abbreviation_pattern()
    out: dict[str, str] = {}
    for text in texts:
        for match in pattern.finditer(text):
            short = fold(match.group("short"))
            phrase = defined_phrase(text[: match.start()], short)
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


def defined_phrase(before: str, short: str | None = None) -> str | None:
    """The phrase an abbreviation stands for, from the text just before its "(далее – …)".

    Where the words just before spell the abbreviation by their initials ("внутренней системы
    оценки качества образования (далее – ВСОКО)"), the phrase starts at the first of them;
    otherwise it is the noun phrase the grammar gives. Either is put in the nominative.
    """
    boundary = max((m.end() for m in _CLAUSE_BOUNDARY.finditer(before)), default=0)
    clause = before[boundary:].strip(" ,")
    spelled = _initials_phrase(clause, short) if short else None
    if spelled:
        return spelled
    segment = _strip_joiners(fold(clause.split(",")[-1]))
    if not segment:
        return None
    seg_words = list(_WORDS.finditer(segment))
    if not seg_words:
        return None
    lead = morph.participle_case(seg_words[0].group())
    if lead is not None:
        head = _participle_head(before[:boundary] + clause[: clause.rfind(segment)], *lead)
        if head is None:
            return morph.nominative_word(seg_words[0].group(), lead[1]) + segment[seg_words[0].end():]
        return f"{morph.nominative_phrase(head, lead[1])}, {morph.nominative_word(seg_words[0].group(), lead[1])}" \
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


def _function_word(word: str) -> bool:
    return morph.is_preposition(word) or morph.is_conjunction(word)


def _initials(word: str) -> str:
    return "".join(part[:1].upper() for part in word.split("-") if part)


def _initials_phrase(clause: str, short: str) -> str | None:
    """The words of the clause, up to its end, whose initials spell the abbreviation
    (prepositions and conjunctions skipped, the nearest start first), in the nominative."""
    letters = "".join(c for c in short if c.isupper())
    words = [m for m in _WORDS.finditer(clause) if not _function_word(m.group())]
    if len(letters) < 2 or " " in short.strip():
        return None
    for start in range(len(words) - 1, -1, -1):
        initials = "".join(_initials(m.group()) for m in words[start:])
        if initials.startswith(letters):
            return morph.nominative_phrase(fold(clause[words[start].start():]))
    return None


def _participle_head(text: str, case: str, number: str) -> str | None:
    """The noun phrase a participle agrees with, searched backwards in the preceding text."""
    words = list(_WORDS.finditer(text))
    for idx in range(len(words) - 1, -1, -1):
        if (case, number) in morph.noun_forms(words[idx].group()):
            start = _agreeing_chain(words, idx, case, number)
            return text[words[start].start(): words[idx].end()]
    return None
