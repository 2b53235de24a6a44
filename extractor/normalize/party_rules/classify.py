"""Classify: each piece as a person, a role or an organization (or no party), with its body and position."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from extractor.normalize.party_rules.expand import builtin_expansion
from extractor.normalize.party_rules.names import normalize_name
from extractor.normalize.party_rules.persons import Person, find_persons
from extractor.normalize.party_rules.split import Piece, piece_span, text_offset
from extractor.normalize.party_rules.words import (
    OPEN_QUOTES,
    Head,
    Token,
    abbr_kind,
    fold,
    head_of,
    is_abbreviation,
    lemmas_of,
    lexicon_kind,
    mask,
    tokens_of,
    vocabulary,
    word_info,
    yo,
)
from extractor.normalize.rule_trace import RuleTrace
from lang import morph
from models import Party, PartyKind


@dataclass(frozen=True)
class KindRule:
    """One rule of the classification, as declared: the first whose test holds of a name and its
    head decides the kind of party (None: no party)."""

    name: str
    test: Callable[[str, Head], bool]
    kind: PartyKind | None


def _org_named(text: str, head: Head) -> bool:
    return any(_org_pattern(p, text) for p in vocabulary().org_patterns)


def _no_party_head(text: str, head: Head) -> bool:
    return head.kind in ("report", "result", "none") or not head.nominative


def _own_body(text: str, head: Head) -> bool:
    return head.kind == "group" and (_names_outside_body(text, head) or _public_body(text, head))


def _post_or_group(text: str, head: Head) -> bool:
    return head.kind in ("position", "group", "category")


def _unnamed(text: str, head: Head) -> bool:
    return head.kind in ("org", "noun") and (head.plural or unnamed_body(text, head))


def _always(text: str, head: Head) -> bool:
    return True


KIND_RULES: tuple[KindRule, ...] = (
    KindRule("org_pattern", _org_named, "organization"),  # parties.yaml org_patterns, unless naming a category
    KindRule("not_a_party", _no_party_head, None),  # a report form, a result phrase, no head in the nominative
    KindRule("own_body", _own_body, "organization"),  # "Совет ветеранов", "Совет ветеранов МВД"
    KindRule("post_or_group", _post_or_group, "role"),  # "куратор", "руководители ШМО", "ОО"
    KindRule("unnamed_body", _unnamed, "role"),  # "Библиотека", "школы": a body without a name of its own
    KindRule("named_body", _always, "organization"),
)


def kind_rule(text: str) -> KindRule:
    """The rule that decides what kind of party a name names."""
    head = head_of(text)
    for rule in KIND_RULES:
        if rule.test(text, head):
            return rule
    return KIND_RULES[-1]


def _names_outside_body(text: str, head: Head) -> bool:
    """"Совет ветеранов МВД": a collective head with a noun and an outside body's abbreviation
    after it is that body's own organization (a school's "Совет профилактики" is not)."""
    tokens = [t.bare for t in tokens_of(text)]
    if not tokens or tokens[0] != head.token or len(tokens) < 3:
        return False
    return abbr_kind(tokens[-1]) == "body" and word_info(tokens[1]).genitive and not is_abbreviation(tokens[1])


def _public_body(text: str, head: Head) -> bool:
    """"Совет ветеранов": a collective body of its own outside the school (positions.yaml)."""
    tokens = [t.bare for t in tokens_of(text)]
    if not tokens or tokens[0] != head.token:
        return False
    after = [yo(t).lower() for t in tokens[1:]]
    return any(list(phrase[1:]) == after[: len(phrase) - 1] and phrase[0] in lemmas_of(tokens[0])
               for phrase in vocabulary().public_bodies)


def unnamed_body(text: str, head: Head) -> bool:
    """A body noun with no name of its own: "Библиотека" alone, "Обслуживающая организация"
    (only a participle before it): an unnamed party, a role."""
    tokens = tokens_of(text)
    index = next((i for i, t in enumerate(tokens) if t.bare == head.token), None)
    if index is None or index < len(tokens) - 1:
        return False
    before = tokens[:index]
    if not before:
        return head.kind == "org" and any(lemma in vocabulary().bare_bodies for lemma in lemmas_of(head.token))
    return all(any(p.tag.POS == "PRTF" for p in morph.parses(t.bare.lower())) for t in before)


def _org_pattern(pattern: re.Pattern[str], text: str) -> bool:
    """A pattern naming a body, unless what it names is a category ("Администрация ОО")."""
    match = pattern.search(text)
    if match is None:
        return False
    named = match.groupdict().get("of")
    return named is None or abbr_kind(named.strip()) not in ("category", "group")


def body_of(text: str, skip: tuple[int, int] | None) -> str | None:
    """The named body in a person's post or a role's phrase: "методист МАУ г. Нижневартовска
    «ЦРО»" -> "МАУ г. Нижневартовска «ЦРО»", "Специалисты Комитета по образованию" ->
    "Комитет по образованию". `skip` is the span of the person's name; without it (a role)
    the words up to the role's head are skipped. Where the phrase names a body by its legal
    form, abbreviation or quoted name, that is the body; otherwise a singular head noun of a
    body with words after it ("управления образования"), put in the nominative; an unnamed
    "школы" is none."""
    tokens = list(tokens_of(text))
    if skip is None:
        head = head_of(text).token
        tokens = tokens[next((i + 1 for i, t in enumerate(tokens) if t.bare == head), 0) :]
    else:
        tokens = [t for t in tokens if not skip[0] <= t.start < skip[1]]
    segments = [list(g) for _, g in groupby(tokens, key=lambda t: skip is not None and t.start >= skip[1])]
    for segment in segments:
        found = _segment_body(text, segment)
        if found:
            return found
    return None


def _segment_body(text: str, tokens: Sequence[Token]) -> str | None:
    fallback: int | None = None
    end = len(tokens)
    for index, token in enumerate(tokens):
        if token.text.startswith(("(", "[")) or (index and tokens[index - 1].text.endswith(",")):
            end = index  # a qualifier or a further clause ("…, подведомственных …") names no employer
            break
        kind = None if token.quoted else abbr_kind(token.bare)
        if kind in ("legal", "body") or token.quoted or token.bare.startswith(OPEN_QUOTES):
            return _body_text(text, tokens[index:], nominative=False)
        if fallback is None and lexicon_kind(token.bare) == "org" and not _plural_form(token.bare):
            fallback = index
    if fallback is None or fallback >= end - 1:
        return None
    return _body_text(text, tokens[fallback:end], nominative=True)


def _plural_form(word: str) -> bool:
    readings = [p for p in morph.parses(word.lower()) if p.tag.POS == "NOUN"]
    return bool(readings) and all(p.tag.number == "plur" for p in readings)


def _body_text(text: str, tokens: Sequence[Token], *, nominative: bool) -> str:
    """The body's words up to a comma or a parenthesized qualifier."""
    end = tokens[0].start
    for token in tokens:
        if token.text.startswith(("(", "[")):
            break
        end = token.start + len(token.text)
        if token.text.endswith((",", ";")):
            break
    body = normalize_name(text[tokens[0].start : end])
    if nominative:
        body = morph.nominative_phrase(body, "sing")  # one body: "Управления образования" is no plural
        body = body[:1].upper() + body[1:]
    return body


def to_party(piece: Piece, role: str | None, trace: RuleTrace | None = None,
             paragraphs: Sequence[str] = ()) -> Party | str:
    """The party a piece names, or its text where it names none. A trace (whose text is
    `paragraphs` joined by line breaks) gets the rules that read the piece."""
    persons = find_persons(piece.text)
    if persons:
        person = persons[0]
        body = body_of(piece.text, (person.start, person.end))
        post = _post_of(piece.text, person)
        if trace is not None:
            _trace_person(trace, piece, paragraphs, person, body, post)
        return Party(text=piece.text, name=person.name, kind="person", role=role, body=body,
                     position=normalize_name(post[0]) if post else None)
    label = _label_end(piece.text)
    name = normalize_name(piece.text[label:].strip() if label else piece.text)
    rule = kind_rule(name)
    kind = rule.kind
    if kind is None:
        if trace is not None:
            _trace_piece(trace, piece, paragraphs, label, rule.name, "not a party")
        return fold(piece.text)
    body = body_of(name, None) if kind == "role" else None
    expansion = builtin_expansion(name)
    head = head_of(name)
    # an abbreviation nobody defined, typed an organization by default, is a guess
    guessed = kind == "organization" and head.kind == "body" and abbr_kind(head.token.split("-")[0]) is None \
        and abbr_kind(head.token) is None
    if trace is not None:
        _trace_piece(trace, piece, paragraphs, label, rule.name, f"{kind}: {name}" + (f"; body: {body}" if body else "")
                     + ("; an abbreviation nobody defined: low confidence" if guessed else ""))
    return Party(text=piece.text, name=name, kind=kind, role=role, body=body, expansion=expansion,
                 confidence="low" if guessed else "high")


def _label_end(text: str) -> int:
    """Where what a label before a colon labels starts ("Участники: граждане, …"), else 0; the
    label, a position or group word, says how the party takes part and stays in `text` only."""
    colon = mask(text).find(":")
    if colon <= 0:
        return 0
    if not text[colon + 1 :].strip() or head_of(text[:colon]).kind not in ("position", "group"):
        return 0
    return colon + 1


def _post_of(text: str, person: Person) -> tuple[str, int] | None:
    """The post written next to the name, before it ("Директор школы Смирнова О.Н.") or after it
    ("Смирнова О.Н., директор МБОУ …"), as written (contract 1.1), with where it starts."""
    posts: list[tuple[str, int]] = []
    for part, offset in ((text[: person.start], 0), (text[person.end :], person.end)):
        post = part.strip(_POST_EDGES)
        if post and head_of(post).kind == "position":
            posts.append((post, offset + len(part) - len(part.lstrip(_POST_EDGES))))
    if len(posts) == 2 and yo(posts[0][0]).lower() in vocabulary().participation:
        posts = posts[1:]  # "Консультант Е.Г. Басова – социальный педагог …": how she takes part, then her post
    return posts[0] if posts else None


_POST_EDGES = " ,;:–—-"


def _trace_person(trace: RuleTrace, piece: Piece, paragraphs: Sequence[str], person: Person, body: str | None,
                  post: tuple[str, int] | None) -> None:
    steps = [(text_offset(piece, paragraphs, person.start), text_offset(piece, paragraphs, person.end - 1) + 1,
              "person", f"person: {person.name}" + (f"; body: {body}" if body else ""))]
    if post is not None:
        start, end = text_offset(piece, paragraphs, post[1]), text_offset(piece, paragraphs, post[1] + len(post[0]) - 1)
        steps.append((start, end + 1, "position", f"position of {person.name}: {normalize_name(post[0])}"))
    for start, end, rule, value in sorted(steps):
        trace.add(rule, start, end, value)


def _trace_piece(trace: RuleTrace, piece: Piece, paragraphs: Sequence[str], label: int, rule: str,
                 value: str) -> None:
    start, end = piece_span(piece, paragraphs)
    if label:
        at = text_offset(piece, paragraphs, label)
        trace.add("label", start, at, "how the party takes part: kept in its text only")
        start = at + len(piece.text[label:]) - len(piece.text[label:].lstrip())
    trace.add(rule, start, end, value)
