"""Section rows to sections with numbers, levels and parents.

Levels come from the number where there is one ("1" -> 1, "1.2" -> 2, "II" -> 1). An
unnumbered section directly below another section (no activity between) is one level deeper;
any other unnumbered section takes the level its look (bold / italic) had before, else 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.rows import RawItem, RawSection
from extractor.text import MONTH_STEMS, fold, number_depth, split_number
from models import Section

# A day written with its month ("23 марта", "23марта"): a date row, whose digits are no number.
DAY_MONTH = re.compile(rf"^\s*(?P<d>\d{{1,2}})\s*(?P<m>(?:{MONTH_STEMS})\w*)", re.IGNORECASE)
# First sentence of a section cell that holds more than its heading.
_SENTENCE_END = re.compile(r"(?<=[^\s.]{3})[.!?]\s+(?=[А-ЯЁA-Z])")


@dataclass(frozen=True)
class _Look:
    bold: bool
    italic: bool


def split_heading(text: str) -> tuple[str, str | None]:
    """(title, note): the first line, else the first sentence, is the heading."""
    lines = [fold(line) for line in text.split("\n") if line.strip()]
    if len(lines) > 1:
        return lines[0], " ".join(lines[1:])
    flat = lines[0] if lines else ""
    match = _SENTENCE_END.search(flat)
    if match:
        return flat[: match.start() + 1].strip(), flat[match.end():].strip()
    return flat, None


def build_sections(items: list[RawItem]) -> tuple[list[Section], dict[int, str]]:
    """Sections in order, and for every item position the id of its innermost section."""
    sections: list[Section] = []
    innermost: dict[int, str] = {}
    stack: list[Section] = []  # open sections, outermost first
    look_levels: dict[_Look, int] = {}
    previous_was_section = False
    for pos, item in enumerate(items):
        if not isinstance(item, RawSection):
            if stack:
                innermost[pos] = stack[-1].id
            previous_was_section = False
            continue
        if item.note_only and stack:
            # text between tables above their first heading: it belongs to the section before
            open_section = stack[-1]
            open_section.note = " ".join(t for t in (open_section.note, fold(item.text)) if t)
            innermost[pos] = open_section.id
            continue
        number, rest = split_number(fold(item.text.split("\n")[0]) + "\n" + "\n".join(item.text.split("\n")[1:]))
        if number is not None and DAY_MONTH.match(item.text):
            number, rest = None, item.text  # "23 марта": a day row, not a numbered section
        title, note = split_heading(rest)
        look = _Look(item.bold, item.italic)
        if number is not None:
            level = number_depth(number)
        elif previous_was_section and stack:
            level = stack[-1].level + 1
        else:
            level = look_levels.get(look, 1)
        look_levels.setdefault(look, level)
        while stack and stack[-1].level >= level:
            stack.pop()
        section = Section(
            id=f"s{len(sections) + 1}",
            number=number,
            title=title,
            level=level,
            parent=stack[-1].id if stack else None,
            note=note,
        )
        sections.append(section)
        stack.append(section)
        innermost[pos] = section.id
        previous_was_section = True
    return sections, innermost
