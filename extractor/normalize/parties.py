"""Responsible parties of a plan: split a cell into parties, classify and name them.

The contract is the section "responsible" of the canonical JSON description: a cell becomes
a list of `Party` (text as written, normalized name, kind, sub-column role). The words that
drive it (legal forms, abbreviations, position and report-form words) live in
`extractor/data/parties.yaml`; this module holds only the rules.

Steps of `parse_parties`:
1. split every paragraph at separators outside quotes, parentheses and protected names;
2. split runs that lost their separator ("МБОУ ДПО МЦ ОбОО", two names on one line);
3. join a position line to the person's name on the next line;
4. expand numbered schools ("МБОУ ЦО №№ 17, 24" -> one party each);
5. join back what cannot stand as a party by itself (a participle phrase, a bare legal form,
   a person's position after the initials);
6. classify each fragment as person / role / organization, or reject it (report forms,
   result phrases), and normalize its name;
7. record the named body a person or role belongs to (`body`: "методист МАУ «ЦРО»") and spell
   out the abbreviations the glossary knows (`expansion`), each in its grammatical case.

Persons are a surname with initials in either order, or a surname, first name and patronymic
(pymorphy3 knows the last two); surnames are never lemmatized. `unify_names` then makes one
name for one body across a plan or a batch, bodies included, and spells the expansions out
again with the plan's own "(далее – X)" definitions first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby, pairwise
from typing import Literal, NamedTuple

from rapidfuzz.distance import Levenshtein

from lang import morph, vocab
from models import Party, PartyKind

AbbrKind = Literal["legal", "body", "category", "group"]
_LexKind = Literal["position", "group", "org", "report", "result"]

__all__ = ["PartyParse", "parse_parties", "unify_names"]


@dataclass(frozen=True)
class PartyParse:
    """The parties of one cell, and the fragments of it that name no party."""

    parties: list[Party]
    rejected: list[str]


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Vocab:
    split_re: re.Pattern[str]
    bullet_re: re.Pattern[str]
    spacing_re: re.Pattern[str]
    protected: tuple[re.Pattern[str], ...]
    abbreviations: Mapping[str, AbbrKind]
    lexicon: Mapping[str, _LexKind]
    org_patterns: tuple[re.Pattern[str], ...]
    person_blockers: frozenset[str]
    glossary_words: tuple[str, ...]  # lemmas; their forms make the glossary of unify_names
    expansions: Mapping[str, str]  # abbreviation (or phrase of them) -> its nominative expansion
    expansion_keys: tuple[str, ...]  # the keys of `expansions`, sorted (as _glossary_re takes them)
    legal_modifiers: frozenset[str]  # legal-form words whose expansion is a genitive ("ДПО")
    short: Mapping[str, tuple[bool, bool]]  # short position form -> (is the head, plural)
    compounds: frozenset[tuple[str, str]]  # "педагог организатор": two heads, one position
    duties: frozenset[str]  # "УВР", "ВР": a comma list of them stays with its position
    bare_bodies: frozenset[str]  # "библиотека": an organization only with a name of its own
    stems: frozenset[str]  # first three letters of the listed words' forms (see _may_be_listed)
    public_bodies: tuple[tuple[str, ...], ...]  # (head lemma, words after it): "совет ветеранов"
    participation: frozenset[str]  # "консультант": how a person takes part, not the post
    abbreviations_upper: Mapping[str, AbbrKind]  # upper-cased abbreviation -> kind of the first listed


def _yo(word: str) -> str:
    return word.replace("ё", "е").replace("Ё", "Е")


def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(r"\s*".join(re.escape(w) for w in phrase.split()), re.IGNORECASE)


def _split_regex(separators: Iterable[str], connectors: Iterable[str]) -> re.Pattern[str]:
    conn = "|".join(f"(?:{c})" for c in connectors)
    seps = "".join(re.escape(s) for s in separators)
    return re.compile(rf"(?P<conn>(?<![\w.])(?:{conn})(?![\w]))|(?P<sep>[{seps}])", re.IGNORECASE)


def _spacing_regex(abbreviations: Iterable[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(str(a)) for a in sorted(abbreviations, key=len, reverse=True))
    return re.compile(rf"(?<![А-ЯЁа-яё])({words})\s*(?=[А-ЯЁ])")


def _abbreviation_map(data: Mapping[str, Mapping[str, str]]) -> dict[str, AbbrKind]:
    kinds: dict[str, AbbrKind] = {}
    sections: tuple[tuple[str, AbbrKind], ...] = (
        ("legal_forms", "legal"),
        ("bodies", "body"),
        ("categories", "category"),
        ("groups", "group"),
    )
    for section, kind in sections:
        for phrase in data.get(section) or {}:
            for token in str(phrase).split():
                kinds.setdefault(token, kind)
    return kinds


def _expansion_map(data: Mapping[str, Mapping[str, str | None]]) -> dict[str, str]:
    sections = ("legal_forms", "bodies", "categories", "groups")
    return {
        str(short): _fold(str(full))
        for section in sections
        for short, full in (data.get(section) or {}).items()
        if full
    }


def _lexicon_map(data: Mapping[str, list[str]]) -> dict[str, _LexKind]:
    lexicon: dict[str, _LexKind] = {}
    sections: tuple[tuple[str, _LexKind], ...] = (
        ("positions", "position"),
        ("group_heads", "group"),
        ("org_heads", "org"),
        ("report_forms", "report"),
        ("result_heads", "result"),
    )
    for section, kind in sections:
        for word in data.get(section) or []:
            lexicon.setdefault(_yo(str(word)).lower(), kind)
    return lexicon


def _upper_map(abbreviations: Mapping[str, AbbrKind]) -> dict[str, AbbrKind]:
    upper: dict[str, AbbrKind] = {}
    for key, kind in abbreviations.items():
        upper.setdefault(key.upper(), kind)  # the first listed wins, as a search in order would
    return upper


@cache
def _vocab() -> _Vocab:
    data = vocab.load("parties")
    posts = vocab.load("positions")  # issue 11: school, sports, culture posts
    abbreviations = _abbreviation_map(data)
    for abbr in posts.get("outside_bodies") or []:
        abbreviations.setdefault(str(abbr), "body")
    lexicon = _lexicon_map(data)
    for section, kind in (("heads", "position"), ("groups", "group"), ("bodies", "org")):
        for word in posts.get(section) or {}:
            lexicon.setdefault(_yo(str(word)).lower(), kind)  # type: ignore[arg-type]
    names = [w for w, kind in lexicon.items() if kind not in ("report", "result")]
    return _Vocab(
        split_re=_split_regex(data["separators"], data["connectors"]),
        bullet_re=re.compile(rf"^(?:{'|'.join(data['bullets'])})\s+"),
        spacing_re=_spacing_regex(data["spaced_abbreviations"]),
        protected=tuple(_phrase_re(str(p)) for p in data.get("protected_names") or []),
        abbreviations=abbreviations,
        lexicon=lexicon,
        org_patterns=tuple(re.compile(p) for p in data.get("org_patterns") or []),
        person_blockers=frozenset(str(w).lower() for w in data.get("person_blockers") or []),
        glossary_words=(*names, *(_yo(str(w)).lower() for w in data.get("glossary_words") or [])),
        expansions=_expansion_map(data),
        expansion_keys=tuple(sorted(_expansion_map(data))),
        legal_modifiers=frozenset(str(w) for w in data.get("legal_modifiers") or []),
        short={_yo(str(k)).lower(): (v.get("as") == "head", bool(v.get("plural")))
               for k, v in (posts.get("short") or {}).items()},
        compounds=frozenset((str(a), str(b)) for a, b in posts.get("compounds") or []),
        duties=frozenset(str(d).rstrip(".") for d in posts.get("duties") or []),
        bare_bodies=frozenset(_yo(str(w)).lower() for w in posts.get("bodies") or {}),
        stems=_listed_stems(lexicon),
        participation=frozenset(_yo(str(w)).lower() for w in posts.get("participation") or {}),
        public_bodies=tuple(tuple(_yo(str(phrase)).lower().split()) for phrase in posts.get("public_bodies") or {}),
        abbreviations_upper=_upper_map(abbreviations),
    )


@cache
def _glossary() -> frozenset[str]:
    """Every abbreviation and every form of the words of bodies' names, casefolded."""
    forms = {a.casefold() for a in _vocab().abbreviations}
    for word in _vocab().glossary_words:
        forms |= _lexeme(word)
    return frozenset(forms)


# --------------------------------------------------------------------------- morphology


@dataclass(frozen=True)
class _Word:
    pos: str | None  # part of speech of the most likely parse
    nominative: bool  # some parse is in the nominative
    plural: bool  # every nominative parse is plural
    genitive: bool  # some parse is in the genitive
    modifier: bool  # some parse is an adjective or participle


@cache
def _word(token: str) -> _Word:
    parses = morph.readings(token)
    nominative = [p for p in parses if p.tag.case == "nomn"]
    return _Word(
        pos=str(parses[0].tag.POS) if parses and parses[0].tag.POS else None,
        nominative=bool(nominative),
        plural=bool(nominative) and all(p.tag.number == "plur" for p in nominative),
        genitive=any(p.tag.case == "gent" for p in parses),
        modifier=any(p.tag.POS in ("ADJF", "PRTF") for p in parses),
    )


@cache
def _lemmas(token: str) -> tuple[str, ...]:
    """The token's lemmas, most likely first, the token itself lower-cased last; a hyphenated
    token also has its first part's ("учителя-предметники": "учитель")."""
    lemmas = [_yo(str(p.normal_form)) for p in morph.readings(token)]
    if "-" in token:
        lemmas += [_yo(str(p.normal_form)) for p in morph.readings(token.split("-")[0])]
    return tuple(dict.fromkeys([*lemmas, _yo(token).lower()]))


@cache
def _known(token: str) -> bool:
    """In pymorphy3's dictionary."""
    return bool(morph.analyzer().word_is_known(token.lower()))


@cache
def _lexeme(word: str) -> frozenset[str]:
    """The word's inflected forms (of the same part of speech: "обучающийся" -> "обучающихся")."""
    forms = {word}
    for parse in morph.parses(word):
        forms |= {_yo(str(f.word)) for f in parse.lexeme if f.tag.POS == parse.tag.POS}
    return frozenset(forms)


def _listed_stems(lexicon: Iterable[str]) -> frozenset[str]:
    """The first three letters of every form of every listed word ("поответственнее" too):
    Russian inflects at the end, so a token that starts otherwise has no listed lemma."""
    stems: set[str] = set()
    for word in lexicon:
        stems.add(word[:3])
        for parse in morph.parses(word):
            if _yo(str(parse.normal_form)) == word:
                stems.update(_yo(str(form.word))[:3] for form in parse.lexeme)
    return frozenset(stems)


def _may_be_listed(token: str) -> bool:
    """Whether a lemma of the token can be a listed word (else no morphology is needed)."""
    key = _yo(token).lower()[:3]
    return "-" in key or key in _vocab().stems  # "кл-рук": a part too short to tell by


@cache
def _lexicon_kind(token: str) -> _LexKind | None:
    if not _may_be_listed(token):
        return None
    lexicon = _vocab().lexicon
    for lemma in _lemmas(token):
        if lemma in lexicon:
            return lexicon[lemma]
    return None


@cache
def _abbr_kind(token: str) -> AbbrKind | None:
    abbreviations = _vocab().abbreviations
    if token in abbreviations:
        return abbreviations[token]
    if token.isupper():
        return _vocab().abbreviations_upper.get(token)
    return None


_WORDS = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*")  # a word, or words joined by hyphens


def _is_abbreviation(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


# --------------------------------------------------------------------------- masking

_OPENERS = {"«": "»", "„": "“", "“": "”", "(": ")", "[": "]", '"': '"'}
_CLOSERS = frozenset("»“”)]")


_QUOTE_CHAR = re.compile(r'[«»„“”"()\[\]]')
_LOOSE_QUOTE = re.compile(r'["„“”]')


def _quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans (start, end) of matched quotes and brackets, delimiters included."""
    if _QUOTE_CHAR.search(text) is None:  # most fragments have none: no walk over the characters
        return ()
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, char in enumerate(text):
        if stack and char == _OPENERS[stack[-1][0]]:
            spans.append((stack.pop()[1], i + 1))
        elif char == '"' and (i == 0 or text[i - 1] in " ([«„“"):
            stack.append((char, i))
        elif char == '"' or (char in _CLOSERS and any(_OPENERS[o] == char for o, _ in stack)):
            _close_unmatched(stack, char, i, spans)
        elif char in _OPENERS:
            stack.append((char, i))
    return tuple(spans)


def _close_unmatched(stack: list[tuple[str, int]], char: str, i: int, spans: list[tuple[int, int]]) -> None:
    """A closer that does not match the innermost opener closes the nearest one it matches."""
    for depth in range(len(stack) - 1, -1, -1):
        if _OPENERS[stack[depth][0]] == char:
            spans.append((stack[depth][1], i + 1))
            del stack[depth:]
            return


@cache
def _mask(text: str) -> str:
    """The text with quoted, bracketed and protected parts replaced by "_"."""
    chars = list(text)
    spans = [*_quote_spans(text), *(m.span() for pattern in _vocab().protected for m in pattern.finditer(text))]
    for start, end in spans:
        chars[start:end] = "_" * (end - start)
    return "".join(chars)


# --------------------------------------------------------------------------- persons

_SURNAME = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_PERSON_RE = re.compile(
    # "Амиева Р.А" (no final dot), "5Аксёнова О.М." (a family number glued), "Демчук А.Л.учителя"
    rf"(?<![А-ЯЁа-яёA-Za-z.])(?:(?P<s1>{_SURNAME})\s+(?P<a1>[А-ЯЁ])\.(?:\s*(?P<b1>[А-ЯЁ])"
    rf"(?:\.|(?![А-ЯЁа-яё.])))?(?(b1)|(?![а-яё]))"
    rf"|(?P<a2>[А-ЯЁ])\.\s*(?P<b2>[А-ЯЁ])\.\s*(?P<s2>{_SURNAME})(?![\w]))"
)


@dataclass(frozen=True)
class _Person:
    start: int
    end: int
    name: str


_WORD3_RE = re.compile(rf"(?<![\w.])(?=(?P<w1>{_SURNAME})\s+(?P<w2>{_SURNAME})\s+(?P<w3>{_SURNAME})(?![\w]))")


@cache
def _find_persons(text: str) -> tuple[_Person, ...]:
    """Persons named by surname and initials (either order) or by surname, name and patronymic."""
    masked = _mask(text)
    found: list[_Person] = []
    pos = 0
    while (match := _PERSON_RE.search(masked, pos)) is not None:
        pos = match.end()
        if _blocked(masked[: match.start()]) or not _looks_like_surname(match["s1"] or match["s2"]):
            if match["a1"]:  # "Консультант Е.Г. Басова": the initials may open a name of their own
                pos = match.start("a1")
            continue
        found.append(_Person(match.start(), match.end(), _person_name(match)))
    for match in _WORD3_RE.finditer(masked):
        name = _full_name(match["w1"], match["w2"], match["w3"])
        end = match.end("w3")
        if name and not any(p.start < end and match.start() < p.end for p in found):
            found.append(_Person(match.start(), end, name))
    return tuple(sorted(found, key=lambda p: p.start))


@cache
def _tagged(word: str, grammeme: str) -> bool:
    return any(grammeme in p.tag for p in morph.parses(word.lower()))


def _full_name(first: str, second: str, third: str) -> str | None:
    """"Бурцева Анна Петровна" or "Анна Петровна Бурцева" as "Бурцева А.П." (pymorphy3 knows
    first names and patronymics; the surname is taken as written, never lemmatized)."""
    if _tagged(second, "Name") and _tagged(third, "Patr") and _looks_like_surname(first):
        return f"{first} {second[0]}.{third[0]}."
    if _tagged(first, "Name") and _tagged(second, "Patr") and _looks_like_surname(third):
        return f"{third} {first[0]}.{second[0]}."
    return None


def _blocked(before: str) -> bool:
    words = before.split()
    return bool(words) and words[-1].lower() in _vocab().person_blockers


def _looks_like_surname(word: str) -> bool:
    return _lexicon_kind(word) is None and _abbr_kind(word) is None


def _person_name(match: re.Match[str]) -> str:
    surname = match["s1"] or match["s2"]
    initials = [i for i in (match["a1"], match["b1"], match["a2"], match["b2"]) if i]
    return f"{surname} {''.join(i + '.' for i in initials)}"


# --------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class _Piece:
    """A fragment of the cell: spans (paragraph, start, end) of the cell's paragraphs."""

    spans: tuple[tuple[int, int, int], ...]
    sep: str  # what came before it: "start", "para", "conn" or the separator character
    text: str
    generated: bool = False


_HYPHEN_END_RE = re.compile(r"[А-ЯЁа-яё]-$")


def _render(spans: Sequence[tuple[int, int, int]], paragraphs: Sequence[str]) -> str:
    """The text of the spans; lines joined by a space, or by nothing after a hyphen ("Научно-")."""
    text = ""
    for para, group in groupby(spans, key=lambda span: span[0]):
        members = list(group)
        part = paragraphs[para][members[0][1] : members[-1][2]]
        text += ("" if not text or _HYPHEN_END_RE.search(text) else " ") + part
    return text


def _make_piece(para: int, start: int, end: int, sep: str, paragraphs: Sequence[str]) -> _Piece | None:
    raw = paragraphs[para][start:end]
    start += len(raw) - len(raw.lstrip())
    end -= len(raw) - len(raw.rstrip())
    if start >= end:
        return None
    span = ((para, start, end),)
    return _Piece(span, sep, _render(span, paragraphs))


def _join(first: _Piece, second: _Piece, paragraphs: Sequence[str]) -> _Piece:
    if first.generated or second.generated:
        return _Piece(first.spans + second.spans, first.sep, f"{first.text} {second.text}", generated=True)
    (*head, (para_a, start_a, _)), ((para_b, _, end_b), *tail) = first.spans, second.spans
    if para_a != para_b:  # keep what separated them at the line break ("обучающихся," / "успешно …")
        start_b = len(paragraphs[para_b][:end_b]) - len(paragraphs[para_b][:end_b].lstrip())
        spans = (*head, (para_a, start_a, len(paragraphs[para_a])), (para_b, start_b, end_b), *tail)
    else:
        spans = first.spans + second.spans
    return _Piece(tuple(spans), first.sep, _render(spans, paragraphs))


def _split_paragraph(para: int, paragraphs: Sequence[str]) -> list[_Piece]:
    text = paragraphs[para]
    pieces: list[_Piece] = []
    start, sep = 0, "para" if para else "start"
    for match in _vocab().split_re.finditer(_mask(text)):
        piece = _make_piece(para, start, match.start(), sep, paragraphs)
        pieces += [piece] if piece else []
        start, sep = match.end(), "conn" if match["conn"] else match.group()
    last = _make_piece(para, start, len(text), sep, paragraphs)
    return pieces + ([last] if last else [])


def _subpiece(piece: _Piece, start: int, end: int, sep: str, paragraphs: Sequence[str]) -> _Piece | None:
    para, offset, _ = piece.spans[0]
    return _make_piece(para, offset + start, offset + end, sep, paragraphs)


def _split_at(piece: _Piece, cuts: Sequence[tuple[int, int]], paragraphs: Sequence[str]) -> list[_Piece]:
    """Cut a one-paragraph piece: each cut (end of the left part, start of the right part)."""
    if not cuts or len(piece.spans) != 1:
        return [piece]
    starts = [0, *(start for _, start in cuts)]
    ends = [*(end for end, _ in cuts), len(piece.text)]
    pieces = [
        _subpiece(piece, a, b, piece.sep if i == 0 else "run", paragraphs)
        for i, (a, b) in enumerate(zip(starts, ends, strict=True))
    ]
    return [p for p in pieces if p]


# --------------------------------------------------------------------------- runs without separators


_NON_SPACE = re.compile(r"\S+")


class _Token(NamedTuple):  # a tuple: made for every word of every fragment
    start: int
    text: str
    quoted: bool

    @property
    def bare(self) -> str:
        return self.text.strip(".,;:")


@cache
def _tokens(text: str) -> tuple[_Token, ...]:
    masked = _mask(text)
    return tuple([_Token(m.start(), text[m.start() : m.end()], "_" in m.group()) for m in _NON_SPACE.finditer(masked)])


def _run_cuts(text: str) -> list[tuple[int, int]]:
    """Where a run of bodies lost its separators: "МБОУ ДПО МЦ ОбОО", "ОО с … ОО с …"."""
    tokens = _tokens(text)
    cuts: list[tuple[int, int]] = []
    first = tokens[0].bare if tokens else ""
    for prev, token in pairwise(tokens):
        if _starts_new_body(prev, token, first):
            cuts.append((token.start, token.start))
            first = token.bare
    return cuts


def _starts_new_body(prev: _Token, token: _Token, first: str) -> bool:
    kind = None if token.quoted else _abbr_kind(token.bare)
    prev_kind = None if prev.quoted else _abbr_kind(prev.bare)
    closes_name = prev.quoted or prev.text.endswith(("»", '"'))
    if kind == "category" and (prev_kind == "body" or closes_name):
        return True
    if kind == "legal" and closes_name:
        return True
    return kind == "category" and token.bare == first and not _governs(prev)


def _governs(token: _Token) -> bool:
    """A word that takes what follows as its dependent ("руководители ОО", "в ОО")."""
    if token.quoted or _abbr_kind(token.bare):
        return True
    word = _word(token.bare)
    return word.pos in ("PREP", "CONJ", "PRCL") or _lexicon_kind(token.bare) in ("position", "group", "org")


_AND = re.compile(r"\s*и\s*")


def _person_cuts(text: str) -> list[tuple[int, int]]:
    """Before every person's name but the first; "и" between two names is dropped."""
    persons = _find_persons(text)
    return [
        (prev.end if _AND.fullmatch(text[prev.end : person.start]) else person.start, person.start)
        for prev, person in pairwise(persons)
    ]


def _split_runs(piece: _Piece, paragraphs: Sequence[str]) -> list[_Piece]:
    cuts = sorted(set(_run_cuts(piece.text)) | set(_person_cuts(piece.text)))
    return _split_at(piece, cuts, paragraphs)


# --------------------------------------------------------------------------- heads


@dataclass(frozen=True)
class _Head:
    token: str
    kind: _LexKind | AbbrKind | Literal["quote", "noun", "none"]
    nominative: bool
    plural: bool
    genitive: bool


@cache
def _head(text: str) -> _Head:
    """The word a fragment is about: its first abbreviation, quoted name or noun."""
    tokens = _tokens(text)
    for index, token in enumerate(tokens):
        head = _token_head(token, last=index == len(tokens) - 1)
        if head is not None:
            return head
    return _Head("", "none", False, False, False)


@cache
def _short_form(text: str) -> tuple[bool, bool, str] | None:
    """A short position form at the start of a token: (is the head, plural, the rest glued to it:
    "Кл.руководители" -> modifier "кл." and "руководители")."""
    low = _yo(text).lower().rstrip(",;:")
    short = _vocab().short
    if low in short:
        return (*short[low], "")
    if low.rstrip(".") in short and not low.rstrip(".").endswith("."):
        return (*short[low.rstrip(".")], "")
    dot = low.find(".")
    if 0 < dot < len(low) - 1 and low[: dot + 1] in short:
        return (*short[low[: dot + 1]], text[dot + 1 :])
    return None


def _token_head(token: _Token, *, last: bool) -> _Head | None:
    """The head if this token is one; None to look at the next token (a modifier)."""
    bare = token.bare
    if bare.startswith(("(", "[")):  # a qualifier, not what the fragment is about
        return None
    short = None if token.quoted else _short_form(token.text)
    if short is not None:
        is_head, plural, rest = short
        if is_head:
            return _Head(bare, "position", True, plural, False)
        if rest:  # "Кл.руководители": the word after the glued modifier is the head
            return _token_head(_Token(token.start, rest, token.quoted), last=last)
        return None if not last else _Head(bare, "position", True, False, False)
    if token.quoted or bare.startswith(("«", '"', "„", "“")):
        return _Head(bare, "quote", True, False, False)
    first_part = bare.split("-")[0]
    abbr = _abbr_kind(bare) or _abbr_kind(first_part)
    if abbr or _is_abbreviation(first_part):
        return _Head(bare, abbr or "body", True, False, False)
    if not _WORDS.fullmatch(bare):
        return _Head(bare, "none", False, False, False)
    word, lex = _word(bare), _lexicon_kind(bare)
    if lex is None and word.modifier and word.pos in ("ADJF", "PRTF") and not last:
        return None if word.nominative else _Head(bare, "none", False, False, word.genitive)
    kind = lex or ("noun" if word.pos == "NOUN" else "none")
    return _Head(bare, kind, word.nominative or _listed_surface(bare), word.plural, word.genitive)


def _listed_surface(token: str) -> bool:
    """A word listed as it is written ("заведующий"), nominative by definition."""
    return _yo(token).lower() in _vocab().lexicon


def _stands_alone(piece: _Piece, prev: _Piece | None) -> bool:
    """Whether a fragment can be a party by itself (else it qualifies the previous one)."""
    if _find_persons(piece.text) or piece.sep == "run":
        return True
    head = _head(piece.text)
    if piece.text.startswith(("(", "[")):
        return False
    if head.kind in ("quote", "legal", "body", "category", "group"):
        return True
    if head.kind == "none" or not head.nominative:
        return False
    return not (
        head.kind == "noun"
        and piece.text[:1].islower()
        and head.genitive
        and prev is not None
        and _ends_genitive(prev.text)
    )


def _ends_genitive(text: str) -> bool:
    words = _WORD_RE.findall(text)
    return bool(words) and _word(words[-1]).genitive


def _is_position(piece: _Piece) -> bool:
    head = _head(piece.text)
    return head.kind == "position" and not head.plural and not _find_persons(piece.text)


def _only_legal_forms(piece: _Piece) -> bool:
    tokens = _tokens(piece.text)
    return bool(tokens) and all(_abbr_kind(t.bare) == "legal" for t in tokens)


# --------------------------------------------------------------------------- joining


def _ends_with_person(piece: _Piece) -> bool:
    persons = _find_persons(piece.text)
    return bool(persons) and persons[-1].end >= len(piece.text.rstrip(" ,;"))


def _belongs_to_previous(prev: _Piece, piece: _Piece) -> bool:
    if _only_legal_forms(prev):
        return True
    if piece.sep == "," and _ends_with_person(prev) and _is_position(piece):
        return True
    if piece.sep == "para" and _open_line_end(prev.text):
        return True
    return not _stands_alone(piece, prev)


def _open_line_end(text: str) -> bool:
    """A line that cannot end a name: a hyphen, an adjective, a preposition or "и" last."""
    if _HYPHEN_END_RE.search(text):
        return True
    tokens = _tokens(text)
    last = tokens[-1].bare if tokens else ""
    return bool(_WORD_RE.fullmatch(last)) and _word(last).pos in ("ADJF", "PRTF", "PREP", "CONJ")


def _join_dependents(pieces: Sequence[_Piece], paragraphs: Sequence[str]) -> list[_Piece]:
    out: list[_Piece] = []
    for piece in pieces:
        if out and _belongs_to_previous(out[-1], piece):
            out[-1] = _join(out[-1], piece, paragraphs)
        else:
            out.append(piece)
    return out


def _join_position_lines(pieces: Sequence[_Piece], paragraphs: Sequence[str]) -> list[_Piece]:
    """A position on its own line directly above a person's name belongs to that person."""
    out: list[_Piece] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if prev and piece.sep == "para" and _whole_line_position(prev, pieces) and _starts_with_person(piece):
            out[-1] = _join(prev, piece, paragraphs)
        else:
            out.append(piece)
    return out


def _whole_line_position(piece: _Piece, pieces: Sequence[_Piece]) -> bool:
    para = piece.spans[0][0]
    alone = sum(1 for p in pieces if p.spans[0][0] == para) == 1
    return alone and len({s[0] for s in piece.spans}) == 1 and _is_position(piece)


def _starts_with_person(piece: _Piece) -> bool:
    persons = _find_persons(piece.text)
    return bool(persons) and persons[0].start == 0


# --------------------------------------------------------------------------- numbered schools

_NUMBER = r"\d+(?:-?[А-Яа-я](?![А-Яа-я]))?"
_NUMBERED_RE = re.compile(rf"^(?P<base>.*?\S)\s*(?P<signs>№№?|N)\s*(?P<nums>{_NUMBER}(?:\s+и\s+(?:№\s*)?{_NUMBER})*)$")
_MORE_RE = re.compile(rf"^(?:№\s*)?(?P<nums>{_NUMBER}(?:\s+и\s+(?:№\s*)?{_NUMBER})*)$")


def _numbers(text: str) -> list[str]:
    return [re.sub(r"[\s-]", "", n) for n in re.findall(_NUMBER, text)]


def _numbered(piece: _Piece) -> re.Match[str] | None:
    match = _NUMBERED_RE.match(piece.text)
    if match is None or "_" in _mask(piece.text)[match.start("signs") :]:
        return None
    return match


def _generated(base: str, number: str, like: _Piece) -> _Piece:
    return _Piece(like.spans, like.sep, f"{base} № {number}", generated=True)


def _expand_numbers(pieces: Sequence[_Piece]) -> list[_Piece]:
    """One school per number: "МБОУ ЦО №№ 17, 24", "МБОУ СОШ № 1, № 5" (text "МБОУ ЦО № 17", …)."""
    out: list[_Piece] = []
    index = 0
    while index < len(pieces):
        match = _numbered(pieces[index])
        more = _following_numbers(pieces, index + 1) if match else []
        if match is None or (match["signs"] != "№№" and not more and len(_numbers(match["nums"])) < 2):
            out.append(pieces[index])
            index += 1
            continue
        base = _fold(match["base"])
        numbers = _numbers(match["nums"]) + [n for p in more for n in _numbers(p.text)]
        out += [_generated(base, n, pieces[index]) for n in numbers]
        index += 1 + len(more)
    return out


def _following_numbers(pieces: Sequence[_Piece], start: int) -> list[_Piece]:
    more: list[_Piece] = []
    for piece in pieces[start:]:
        if piece.sep not in (",", ";") or not _MORE_RE.match(piece.text):
            break
        more.append(piece)
    return more


# --------------------------------------------------------------------------- names


def _fold(text: str) -> str:
    return " ".join(text.split())


def _unify_quotes(text: str) -> str:
    """Straight and German/English quotes as «», by the spans they delimit; a lone one by
    its place (opening at the start of a word, else closing)."""
    if _LOOSE_QUOTE.search(text) is None:  # only «» or none: nothing to change
        return text
    chars = list(text)
    for start, end in _quote_spans(text):
        if chars[start] in '"„“' and chars[end - 1] in '"“”':
            chars[start], chars[end - 1] = "«", "»"
    for i, char in enumerate(chars):
        if char in '"„“”':
            chars[i] = "«" if i == 0 or chars[i - 1] in " ([«" else "»"
    return "".join(chars)


def _balance_quotes(text: str) -> str:
    missing = text.count("«") - text.count("»")
    return text + "»" * missing if missing > 0 else text


_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
_LAST_WORD_DOT = re.compile(r"(\S*)\.$")
_NOT_LETTER = re.compile(r"[^А-ЯЁа-яё-]")
_INITIALS_END = re.compile(r"(?:[А-ЯЁ]\.){2,}$")
_SPACE_AFTER_QUOTE = re.compile(r"«\s+")
_SPACE_BEFORE_QUOTE = re.compile(r"\s+»")


def _strip_qualifier(text: str) -> str:
    """Drop a parenthesized qualifier after the name: "МКУ «…» (рабочая группа)"."""
    match = _QUALIFIER.search(text) if ")" in text else None
    if match is None or match.start() == 0 or text[: match.start()].count("«") != text[: match.start()].count("»"):
        return text
    return text[: match.start()]


def _strip_end(text: str) -> str:
    """Trailing punctuation off, but not the dot of a cut word ("кл.", "Делопроизводит.",
    "руков. М.О."): a dot after a whole word, an abbreviation in capitals or a space goes."""
    text = text.rstrip(" ,;:–-")
    while text.endswith("."):
        last = _LAST_WORD_DOT.search(text)
        word = last.group(1) if last else ""
        letters = _NOT_LETTER.sub("", word.split(".")[-1]).strip("-")
        cut = bool(letters) and not letters.isupper() and any(_cut_word(p) for p in letters.split("-") if p)
        if _INITIALS_END.search(text) or cut:
            break
        text = text[:-1].rstrip(" ,;:–-")
    return text


@cache
def _cut_word(word: str) -> bool:
    """A word cut short ("кл", "обр", "Делопроизводит"): not a dictionary noun or adjective."""
    if len(word) <= 2:
        return True
    parses = [p for p in morph.parses(word.lower()) if p.score >= 0.05]
    return not any(p.tag.POS in ("NOUN", "ADJF", "PRTF", "NPRO") and "Abbr" not in p.tag for p in parses) \
        or not _known(word)


def _normalize_name(text: str) -> str:
    name = _strip_qualifier(_unify_quotes(_fold(text)))
    if "«" in name or "»" in name:
        name = _SPACE_AFTER_QUOTE.sub("«", _SPACE_BEFORE_QUOTE.sub("»", name))
    name = _vocab().spacing_re.sub(r"\1 ", name)
    return _balance_quotes(_strip_end(name)) or _fold(text)


# --------------------------------------------------------------------------- classification


def _kind_of(text: str) -> PartyKind | None:
    """The kind of party a fragment names; None for a report form or result phrase."""
    if any(_org_pattern(p, text) for p in _vocab().org_patterns):
        return "organization"
    head = _head(text)
    if head.kind in ("report", "result", "none") or not head.nominative:
        return None
    if head.kind == "group" and (_names_outside_body(text, head) or _public_body(text, head)):
        return "organization"
    if head.kind in ("position", "group", "category"):
        return "role"
    if head.kind in ("org", "noun"):
        if head.plural or _unnamed_body(text, head):
            return "role"
        return "organization"
    return "organization"


def _names_outside_body(text: str, head: _Head) -> bool:
    """"Совет ветеранов МВД": a collective head with a noun and an outside body's abbreviation
    after it is that body's own organization (a school's "Совет профилактики" is not)."""
    tokens = [t.bare for t in _tokens(text)]
    if not tokens or tokens[0] != head.token or len(tokens) < 3:
        return False
    return _abbr_kind(tokens[-1]) == "body" and _word(tokens[1]).genitive and not _is_abbreviation(tokens[1])


def _public_body(text: str, head: _Head) -> bool:
    """"Совет ветеранов": a collective body of its own outside the school (positions.yaml)."""
    tokens = [t.bare for t in _tokens(text)]
    if not tokens or tokens[0] != head.token:
        return False
    after = [_yo(t).lower() for t in tokens[1:]]
    return any(list(phrase[1:]) == after[: len(phrase) - 1] and phrase[0] in _lemmas(tokens[0])
               for phrase in _vocab().public_bodies)


def _unnamed_body(text: str, head: _Head) -> bool:
    """A body noun with no name of its own: "Библиотека" alone, "Обслуживающая организация"
    (only a participle before it): an unnamed party, a role."""
    tokens = _tokens(text)
    index = next((i for i, t in enumerate(tokens) if t.bare == head.token), None)
    if index is None or index < len(tokens) - 1:
        return False
    before = tokens[:index]
    if not before:
        return head.kind == "org" and any(lemma in _vocab().bare_bodies for lemma in _lemmas(head.token))
    return all(any(p.tag.POS == "PRTF" for p in morph.parses(t.bare.lower())) for t in before)


def _org_pattern(pattern: re.Pattern[str], text: str) -> bool:
    """A pattern naming a body, unless what it names is a category ("Администрация ОО")."""
    match = pattern.search(text)
    if match is None:
        return False
    named = match.groupdict().get("of")
    return named is None or _abbr_kind(named.strip()) not in ("category", "group")


# --------------------------------------------------------------------------- bodies


def _body(text: str, skip: tuple[int, int] | None) -> str | None:
    """The named body in a person's post or a role's phrase: "методист МАУ г. Нижневартовска
    «ЦРО»" -> "МАУ г. Нижневартовска «ЦРО»", "Специалисты Комитета по образованию" ->
    "Комитет по образованию". `skip` is the span of the person's name; without it (a role)
    the words up to the role's head are skipped. Where the phrase names a body by its legal
    form, abbreviation or quoted name, that is the body; otherwise a singular head noun of a
    body with words after it ("управления образования"), put in the nominative; an unnamed
    "школы" is none."""
    tokens = list(_tokens(text))
    if skip is None:
        head = _head(text).token
        tokens = tokens[next((i + 1 for i, t in enumerate(tokens) if t.bare == head), 0) :]
    else:
        tokens = [t for t in tokens if not skip[0] <= t.start < skip[1]]
    segments = [list(g) for _, g in groupby(tokens, key=lambda t: skip is not None and t.start >= skip[1])]
    for segment in segments:
        found = _segment_body(text, segment)
        if found:
            return found
    return None


def _segment_body(text: str, tokens: Sequence[_Token]) -> str | None:
    fallback: int | None = None
    end = len(tokens)
    for index, token in enumerate(tokens):
        if token.text.startswith(("(", "[")) or (index and tokens[index - 1].text.endswith(",")):
            end = index  # a qualifier or a further clause ("…, подведомственных …") names no employer
            break
        kind = None if token.quoted else _abbr_kind(token.bare)
        if kind in ("legal", "body") or token.quoted or token.bare.startswith(_OPEN_QUOTES):
            return _body_text(text, tokens[index:], nominative=False)
        if fallback is None and _lexicon_kind(token.bare) == "org" and not _plural_form(token.bare):
            fallback = index
    if fallback is None or fallback >= end - 1:
        return None
    return _body_text(text, tokens[fallback:end], nominative=True)


def _plural_form(word: str) -> bool:
    readings = [p for p in morph.parses(word.lower()) if p.tag.POS == "NOUN"]
    return bool(readings) and all(p.tag.number == "plur" for p in readings)


def _body_text(text: str, tokens: Sequence[_Token], *, nominative: bool) -> str:
    """The body's words up to a comma or a parenthesized qualifier."""
    end = tokens[0].start
    for token in tokens:
        if token.text.startswith(("(", "[")):
            break
        end = token.start + len(token.text)
        if token.text.endswith((",", ";")):
            break
    body = _normalize_name(text[tokens[0].start : end])
    if nominative:
        body = morph.nominative_phrase(body, "sing")  # one body: "Управления образования" is no plural
        body = body[:1].upper() + body[1:]
    return body


# --------------------------------------------------------------------------- expansions

_OPEN_QUOTES = ("«", '"', "„", "“")
_Place = Literal["head", "nominative", "apposition", "modifier", "genitive"]


def _expansion_glossary(abbreviations: Mapping[str, str]) -> dict[str, str]:
    """The built-in glossary with the plan's own definitions of abbreviations over it."""
    glossary = dict(_vocab().expansions)
    for short, full in abbreviations.items():
        if " " not in short.strip() and _is_abbreviation(short):
            glossary[short.strip()] = _fold(full)
    return glossary


@cache
def _glossary_re(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(r"\s+".join(map(re.escape, k.split())) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _place(before: str, after_legal: bool, key: str) -> _Place | None:
    """How an abbreviation stands in the name: its first word, its head after adjectives, the
    name after a legal form, a legal-form modifier ("ДПО"), or a dependent in the genitive; None when its case
    cannot be told (after a preposition, a conjunction, a number or an unknown abbreviation)."""
    if after_legal:
        return "modifier" if key in _vocab().legal_modifiers else "apposition"
    stripped = before.rstrip()
    if not stripped or stripped.endswith(_OPEN_QUOTES):
        return "head"
    words = _NON_SPACE.findall(stripped)
    if all(_is_modifier_word(w) for w in words):
        return "nominative"  # "Вилюйское УУО": only adjectives before it
    last = words[-1]
    if not _WORDS.fullmatch(last) or _is_abbreviation(last):
        return None
    if _word(last).pos in ("PREP", "CONJ", "PRCL"):
        return None
    return "genitive"


def _is_modifier_word(word: str) -> bool:
    readings = morph.parses(word.lower())
    return bool(readings) and readings[0].tag.POS in ("ADJF", "PRTF") and word.isalpha()


@cache
def _builtin_expansion(name: str) -> str | None:
    """`_expand` with the built-in glossary alone (no plan's definitions), as a cell is read."""
    return _expand(name, _vocab().expansions, _glossary_re(_vocab().expansion_keys))


def _expand(name: str, glossary: Mapping[str, str], pattern: re.Pattern[str] | None = None) -> str | None:
    """The name with every abbreviation the glossary knows spelled out, in its case:
    "МКУ «ЦНППМ г. Тулы»" -> "Муниципальное казённое учреждение «Центр непрерывного …
    г. Тулы»", "руководители ОО" -> "руководители образовательных организаций". An unquoted
    name after a legal form is quoted ("МБОУ СОШ № 1" -> "… учреждение «Средняя
    общеобразовательная школа № 1»"). None when nothing in the name is known."""
    if not glossary:
        return None
    parts: list[str] = []
    last, after_legal, changed, close_quote = 0, False, False, False
    for match in (pattern or _glossary_re(tuple(sorted(glossary)))).finditer(name):
        key = _fold(match.group())
        gap = name[last : match.start()]
        place = _place(name[: match.start()], after_legal and not gap.strip(), key)
        spelled = _spelled(glossary[key], place)
        parts.append(gap)
        if spelled is None:
            parts.append(match.group())
        else:
            changed = True
            if place == "apposition" and not close_quote and not any(q in name for q in _OPEN_QUOTES):
                spelled, close_quote = f"«{spelled}", True
            parts.append(spelled)
        after_legal = _abbr_kind(key.split()[0]) == "legal"
        last = match.end()
    parts.append(name[last:] + ("»" if close_quote else ""))
    return "".join(parts) if changed else None


@cache
def _genitive(full: str) -> str | None:
    """An expansion in the genitive, inflected once: pymorphy3's inflection is slow and the same
    few expansions recur ("образовательных организаций")."""
    return morph.inflect_phrase(full, "gent")


def _spelled(full: str, place: _Place | None) -> str | None:
    if place is None:
        return None
    if place == "genitive":
        return _genitive(full)
    if place in ("head", "apposition"):
        return full[:1].upper() + full[1:]
    return full


# --------------------------------------------------------------------------- parties


def _to_party(piece: _Piece, role: str | None) -> Party | str:
    persons = _find_persons(piece.text)
    if persons:
        person = persons[0]
        body = _body(piece.text, (person.start, person.end))
        return Party(text=piece.text, name=person.name, kind="person", role=role, body=body,
                     position=_position_of(piece.text, person))
    name = _normalize_name(_labelled(piece.text))
    kind = _kind_of(name)
    if kind is None:
        return _fold(piece.text)
    body = _body(name, None) if kind == "role" else None
    expansion = _builtin_expansion(name)
    head = _head(name)
    # an abbreviation nobody defined, typed an organization by default, is a guess
    guessed = kind == "organization" and head.kind == "body" and _abbr_kind(head.token.split("-")[0]) is None \
        and _abbr_kind(head.token) is None
    return Party(text=piece.text, name=name, kind=kind, role=role, body=body, expansion=expansion,
                 confidence="low" if guessed else "high")


def _labelled(text: str) -> str:
    """What a label before a colon labels ("Участники: граждане, …" -> "граждане, …"); the label,
    a position or group word, says how the party takes part and stays in `text` only."""
    colon = _mask(text).find(":")
    if colon <= 0:
        return text
    after = text[colon + 1 :].strip()
    if not after or _head(text[:colon]).kind not in ("position", "group"):
        return text
    return after


def _position_of(text: str, person: _Person) -> str | None:
    """The post written next to the name, before it ("Директор школы Смирнова О.Н.") or after it
    ("Смирнова О.Н., директор МБОУ …"), as written (contract 1.1)."""
    posts = [part for part in (text[: person.start].strip(" ,;:–—-"), text[person.end :].strip(" ,;:–—-"))
             if part and _head(part).kind == "position"]
    if len(posts) == 2 and _yo(posts[0]).lower() in _vocab().participation:
        posts = posts[1:]  # "Консультант Е.Г. Басова – социальный педагог …": how she takes part, then her post
    return _normalize_name(posts[0]) if posts else None


def _pieces(paragraphs: Sequence[str]) -> list[_Piece]:
    pieces = [p for para in range(len(paragraphs)) for p in _split_paragraph(para, paragraphs)]
    pieces = [sub for piece in pieces for sub in _split_runs(piece, paragraphs)]
    pieces = _join_position_lines(pieces, paragraphs)
    return _join_dependents(_expand_numbers(pieces), paragraphs)


def parse_parties(paragraphs: Sequence[str], role: str | None = None) -> PartyParse:
    """Parties named by one responsible cell, given as its paragraphs (bullets removed).

    `role` is the sub-column header of a two-level header ("Школа – куратор"), given to
    every party found. Fragments that name no party (report forms such as "Отчет", result
    phrases such as "Повышение уровня …") are returned in `rejected`.
    """
    found = _parse_cell(tuple(paragraphs), role)
    return PartyParse(parties=list(found.parties), rejected=list(found.rejected))  # fresh lists per call


@lru_cache(maxsize=8192)
def _parse_cell(paragraphs: tuple[str, ...], role: str | None) -> PartyParse:
    """parse_parties of one cell, remembered: a plan repeats its responsible cells many times."""
    cleaned = [_vocab().bullet_re.sub("", _fold(p)) for p in paragraphs]
    cleaned = [p for p in cleaned if p]
    rejected: list[str] = []
    from extractor.normalize.staff import parse_staff  # staff.py builds on this module's rules

    def classify(text: str) -> list[Party]:
        found = _parse_general([text], role)
        rejected.extend(found.rejected)
        return found.parties

    staff = parse_staff(cleaned, role, classify)
    if staff is not None:  # a cell of posts and people: positions paired with names
        return PartyParse(parties=staff, rejected=rejected)
    general = _parse_general(cleaned, role)
    return PartyParse(parties=general.parties, rejected=rejected + general.rejected)


def _parse_general(cleaned: Sequence[str], role: str | None) -> PartyParse:
    """The general rules: pieces split, joined and classified one by one."""
    parties: list[Party] = []
    rejected: list[str] = []
    for piece in _pieces(cleaned):
        result = _to_party(piece, role)
        if isinstance(result, Party):
            parties.append(result)
        else:
            rejected.append(result)
    return PartyParse(parties=parties, rejected=rejected)


# --------------------------------------------------------------------------- unification

_WORD_RE = re.compile(r"[А-ЯЁа-яё]+")


def _rank(word: str) -> int:
    """2: the vocabulary's own word; 1: in pymorphy3's dictionary; 0: unknown."""
    if _yo(word).casefold() in _glossary():
        return 2
    return 1 if _known(word) else 0


def _correctable(word: str) -> bool:
    """Long enough to correct: an unknown word of 5 letters, a dictionary word of 6."""
    rank = _rank(word)
    return (rank == 0 and len(word) >= 5) or (rank == 1 and len(word) >= 6)


def _with_case(word: str, like: str) -> str:
    if _is_abbreviation(word) and not word.isupper():
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
    key, rank = _yo(word).casefold(), _rank(word)
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
    pool = {a.casefold(): (a, 2) for a in _vocab().abbreviations}
    pool |= {form: (form, 2) for form in _glossary() if form not in pool}
    for name in names:
        for word in _WORD_RE.findall(name):
            folded = _yo(word).casefold()
            if folded not in pool and _rank(word) > 0:
                pool[folded] = (word, _rank(word))
    return pool


def _correct_spelling(name: str, pool: _Pool) -> str:
    def fix(match: re.Match[str]) -> str:
        word = match.group()
        candidate = _best_candidate(word, pool) if _correctable(word) else None
        return _with_case(candidate, word) if candidate else word

    return _WORD_RE.sub(fix, name)


def _name_key(name: str) -> str:
    key = _yo(name).casefold().replace("–", "-").replace("—", "-")
    key = re.sub(r"№\s*", "№", key)
    key = re.sub(r"\s*-\s*", "-", key)
    return _fold(re.sub(r"«\s*|\s*»", lambda m: m.group().strip(), key))


def _dominant(names: Sequence[str]) -> str:
    counts = Counter(names)
    best = max(counts.values())
    return next(n for n in names if counts[n] == best)


@cache
def _word_sequence(key: str) -> tuple[tuple[bool, str], ...]:
    return tuple((bool(_WORD_RE.fullmatch(t)), t) for t in re.findall(r"[А-ЯЁа-яё]+|[^А-ЯЁа-яё]+", key))


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
        full_name = _normalize_name(full)
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
    glossary = _expansion_glossary(abbreviations)
    out: list[Party] = []
    for party, name in zip(parties, names, strict=False):
        body = next(unified_bodies) if party.body is not None else None
        expansion = None if party.kind == "person" else _expand(name, glossary)
        out.append(party.model_copy(update={"name": name, "body": body, "expansion": expansion}))
    return out
