"""The words the party rules read: the vocabulary, its morphology, masking of quotes, tokens and heads."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal, NamedTuple

from lang import morph, vocab

AbbrKind = Literal["legal", "body", "category", "group"]
LexKind = Literal["position", "group", "org", "report", "result"]


@dataclass(frozen=True)
class Vocabulary:
    split_re: re.Pattern[str]
    bullet_re: re.Pattern[str]
    spacing_re: re.Pattern[str]
    protected: tuple[re.Pattern[str], ...]
    abbreviations: Mapping[str, AbbrKind]
    lexicon: Mapping[str, LexKind]
    org_patterns: tuple[re.Pattern[str], ...]
    person_blockers: frozenset[str]
    glossary_words: tuple[str, ...]  # lemmas; their forms make the glossary of unify_names
    expansions: Mapping[str, str]  # abbreviation (or phrase of them) -> its nominative expansion
    expansion_keys: tuple[str, ...]  # the keys of `expansions`, sorted (as expand.py builds its pattern from them)
    legal_modifiers: frozenset[str]  # legal-form words whose expansion is a genitive ("ДПО")
    short: Mapping[str, tuple[bool, bool]]  # short position form -> (is the head, plural)
    compounds: frozenset[tuple[str, str]]  # "педагог организатор": two heads, one position
    duties: frozenset[str]  # "УВР", "ВР": a comma list of them stays with its position
    bare_bodies: frozenset[str]  # "библиотека": an organization only with a name of its own
    stems: frozenset[str]  # first three letters of the listed words' forms (see may_be_listed)
    public_bodies: tuple[tuple[str, ...], ...]  # (head lemma, words after it): "совет ветеранов"
    participation: frozenset[str]  # "консультант": how a person takes part, not the post
    abbreviations_upper: Mapping[str, AbbrKind]  # upper-cased abbreviation -> kind of the first listed


def yo(word: str) -> str:
    return word.replace("ё", "е").replace("Ё", "Е")


def fold(text: str) -> str:
    return " ".join(text.split())


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
        str(short): fold(str(full))
        for section in sections
        for short, full in (data.get(section) or {}).items()
        if full
    }


def _lexicon_map(data: Mapping[str, list[str]]) -> dict[str, LexKind]:
    lexicon: dict[str, LexKind] = {}
    sections: tuple[tuple[str, LexKind], ...] = (
        ("positions", "position"),
        ("group_heads", "group"),
        ("org_heads", "org"),
        ("report_forms", "report"),
        ("result_heads", "result"),
    )
    for section, kind in sections:
        for word in data.get(section) or []:
            lexicon.setdefault(yo(str(word)).lower(), kind)
    return lexicon


def _upper_map(abbreviations: Mapping[str, AbbrKind]) -> dict[str, AbbrKind]:
    upper: dict[str, AbbrKind] = {}
    for key, kind in abbreviations.items():
        upper.setdefault(key.upper(), kind)  # the first listed wins, as a search in order would
    return upper


@cache
def vocabulary() -> Vocabulary:
    data = vocab.load("parties")
    posts = vocab.load("positions")  # issue 11: school, sports, culture posts
    abbreviations = _abbreviation_map(data)
    for abbr in posts.get("outside_bodies") or []:
        abbreviations.setdefault(str(abbr), "body")
    lexicon = _lexicon_map(data)
    for section, kind in (("heads", "position"), ("groups", "group"), ("bodies", "org")):
        for word in posts.get(section) or {}:
            lexicon.setdefault(yo(str(word)).lower(), kind)  # type: ignore[arg-type]
    names = [w for w, kind in lexicon.items() if kind not in ("report", "result")]
    return Vocabulary(
        split_re=_split_regex(data["separators"], data["connectors"]),
        bullet_re=re.compile(rf"^(?:{'|'.join(data['bullets'])})\s+"),
        spacing_re=_spacing_regex(data["spaced_abbreviations"]),
        protected=tuple(_phrase_re(str(p)) for p in data.get("protected_names") or []),
        abbreviations=abbreviations,
        lexicon=lexicon,
        org_patterns=tuple(re.compile(p) for p in data.get("org_patterns") or []),
        person_blockers=frozenset(str(w).lower() for w in data.get("person_blockers") or []),
        glossary_words=(*names, *(yo(str(w)).lower() for w in data.get("glossary_words") or [])),
        expansions=_expansion_map(data),
        expansion_keys=tuple(sorted(_expansion_map(data))),
        legal_modifiers=frozenset(str(w) for w in data.get("legal_modifiers") or []),
        short={yo(str(k)).lower(): (v.get("as") == "head", bool(v.get("plural")))
               for k, v in (posts.get("short") or {}).items()},
        compounds=frozenset((str(a), str(b)) for a, b in posts.get("compounds") or []),
        duties=frozenset(str(d).rstrip(".") for d in posts.get("duties") or []),
        bare_bodies=frozenset(yo(str(w)).lower() for w in posts.get("bodies") or {}),
        stems=_listed_stems(lexicon),
        participation=frozenset(yo(str(w)).lower() for w in posts.get("participation") or {}),
        public_bodies=tuple(tuple(yo(str(phrase)).lower().split()) for phrase in posts.get("public_bodies") or {}),
        abbreviations_upper=_upper_map(abbreviations),
    )


@cache
def glossary_forms() -> frozenset[str]:
    """Every abbreviation and every form of the words of bodies' names, casefolded."""
    forms = {a.casefold() for a in vocabulary().abbreviations}
    for word in vocabulary().glossary_words:
        forms |= _lexeme(word)
    return frozenset(forms)


@dataclass(frozen=True)
class WordInfo:
    pos: str | None  # part of speech of the most likely parse
    nominative: bool  # some parse is in the nominative
    plural: bool  # every nominative parse is plural
    genitive: bool  # some parse is in the genitive
    modifier: bool  # some parse is an adjective or participle


@cache
def word_info(token: str) -> WordInfo:
    parses = morph.readings(token)
    nominative = [p for p in parses if p.tag.case == "nomn"]
    return WordInfo(
        pos=str(parses[0].tag.POS) if parses and parses[0].tag.POS else None,
        nominative=bool(nominative),
        plural=bool(nominative) and all(p.tag.number == "plur" for p in nominative),
        genitive=any(p.tag.case == "gent" for p in parses),
        modifier=any(p.tag.POS in ("ADJF", "PRTF") for p in parses),
    )


@cache
def lemmas_of(token: str) -> tuple[str, ...]:
    """The token's lemmas, most likely first, the token itself lower-cased last; a hyphenated
    token also has its first part's ("учителя-предметники": "учитель")."""
    lemmas = [yo(str(p.normal_form)) for p in morph.readings(token)]
    if "-" in token:
        lemmas += [yo(str(p.normal_form)) for p in morph.readings(token.split("-")[0])]
    return tuple(dict.fromkeys([*lemmas, yo(token).lower()]))


@cache
def in_dictionary(token: str) -> bool:
    """In pymorphy3's dictionary."""
    return bool(morph.analyzer().word_is_known(token.lower()))


@cache
def _lexeme(word: str) -> frozenset[str]:
    """The word's inflected forms (of the same part of speech: "обучающийся" -> "обучающихся")."""
    forms = {word}
    for parse in morph.parses(word):
        forms |= {yo(str(f.word)) for f in parse.lexeme if f.tag.POS == parse.tag.POS}
    return frozenset(forms)


def _listed_stems(lexicon: Iterable[str]) -> frozenset[str]:
    """The first three letters of every form of every listed word ("поответственнее" too):
    Russian inflects at the end, so a token that starts otherwise has no listed lemma."""
    stems: set[str] = set()
    for word in lexicon:
        stems.add(word[:3])
        for parse in morph.parses(word):
            if yo(str(parse.normal_form)) == word:
                stems.update(yo(str(form.word))[:3] for form in parse.lexeme)
    return frozenset(stems)


def _may_be_listed(token: str) -> bool:
    """Whether a lemma of the token can be a listed word (else no morphology is needed)."""
    key = yo(token).lower()[:3]
    return "-" in key or key in vocabulary().stems  # "кл-рук": a part too short to tell by


@cache
def lexicon_kind(token: str) -> LexKind | None:
    if not _may_be_listed(token):
        return None
    lexicon = vocabulary().lexicon
    for lemma in lemmas_of(token):
        if lemma in lexicon:
            return lexicon[lemma]
    return None


@cache
def abbr_kind(token: str) -> AbbrKind | None:
    abbreviations = vocabulary().abbreviations
    if token in abbreviations:
        return abbreviations[token]
    if token.isupper():
        return vocabulary().abbreviations_upper.get(token)
    return None


WORDS = re.compile(r"[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*")  # a word, or words joined by hyphens
WORD_RE = re.compile(r"[А-ЯЁа-яё]+")


def is_abbreviation(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2


_OPENERS = {"«": "»", "„": "“", "“": "”", "(": ")", "[": "]", '"': '"'}
_CLOSERS = frozenset("»“”)]")
OPEN_QUOTES = ("«", '"', "„", "“")
_QUOTE_CHAR = re.compile(r'[«»„“”"()\[\]]')
LOOSE_QUOTE = re.compile(r'["„“”]')


def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
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
def mask(text: str) -> str:
    """The text with quoted, bracketed and protected parts replaced by "_"."""
    chars = list(text)
    spans = [*quote_spans(text), *(m.span() for pattern in vocabulary().protected for m in pattern.finditer(text))]
    for start, end in spans:
        chars[start:end] = "_" * (end - start)
    return "".join(chars)


NON_SPACE = re.compile(r"\S+")


class Token(NamedTuple):  # a tuple: made for every word of every fragment
    start: int
    text: str
    quoted: bool

    @property
    def bare(self) -> str:
        return self.text.strip(".,;:")


@cache
def tokens_of(text: str) -> tuple[Token, ...]:
    masked = mask(text)
    return tuple([Token(m.start(), text[m.start() : m.end()], "_" in m.group()) for m in NON_SPACE.finditer(masked)])


@dataclass(frozen=True)
class Head:
    token: str
    kind: LexKind | AbbrKind | Literal["quote", "noun", "none"]
    nominative: bool
    plural: bool
    genitive: bool


@cache
def head_of(text: str) -> Head:
    """The word a fragment is about: its first abbreviation, quoted name or noun."""
    tokens = tokens_of(text)
    for index, token in enumerate(tokens):
        head = _token_head(token, last=index == len(tokens) - 1)
        if head is not None:
            return head
    return Head("", "none", False, False, False)


@cache
def short_form(text: str) -> tuple[bool, bool, str] | None:
    """A short position form at the start of a token: (is the head, plural, the rest glued to it:
    "Кл.руководители" -> modifier "кл." and "руководители")."""
    low = yo(text).lower().rstrip(",;:")
    short = vocabulary().short
    if low in short:
        return (*short[low], "")
    if low.rstrip(".") in short and not low.rstrip(".").endswith("."):
        return (*short[low.rstrip(".")], "")
    dot = low.find(".")
    if 0 < dot < len(low) - 1 and low[: dot + 1] in short:
        return (*short[low[: dot + 1]], text[dot + 1 :])
    return None


def _token_head(token: Token, *, last: bool) -> Head | None:
    """The head if this token is one; None to look at the next token (a modifier)."""
    bare = token.bare
    if bare.startswith(("(", "[")):  # a qualifier, not what the fragment is about
        return None
    short = None if token.quoted else short_form(token.text)
    if short is not None:
        is_head, plural, rest = short
        if is_head:
            return Head(bare, "position", True, plural, False)
        if rest:  # "Кл.руководители": the word after the glued modifier is the head
            return _token_head(Token(token.start, rest, token.quoted), last=last)
        return None if not last else Head(bare, "position", True, False, False)
    if token.quoted or bare.startswith(("«", '"', "„", "“")):
        return Head(bare, "quote", True, False, False)
    first_part = bare.split("-")[0]
    abbr = abbr_kind(bare) or abbr_kind(first_part)
    if abbr or is_abbreviation(first_part):
        return Head(bare, abbr or "body", True, False, False)
    if not WORDS.fullmatch(bare):
        return Head(bare, "none", False, False, False)
    word, lex = word_info(bare), lexicon_kind(bare)
    if lex is None and word.modifier and word.pos in ("ADJF", "PRTF") and not last:
        return None if word.nominative else Head(bare, "none", False, False, word.genitive)
    kind = lex or ("noun" if word.pos == "NOUN" else "none")
    return Head(bare, kind, word.nominative or listed_surface(bare), word.plural, word.genitive)


def listed_surface(token: str) -> bool:
    """A word listed as it is written ("заведующий"), nominative by definition."""
    return yo(token).lower() in vocabulary().lexicon
