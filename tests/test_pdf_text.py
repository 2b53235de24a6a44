"""PDF text: line breaks that wrap or end a paragraph, words cut at line ends (hyphenated by the
layout, forced apart, or with a real hyphen), list markers, bold and italic from the font;
on synthetic lines of glyph boxes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lang.words import join_cut_word, join_hyphenated, join_page_cut
from parsers.pdf_text import (
    Line,
    Region,
    TextSettings,
    Word,
    lines_of,
    list_marker,
    paragraphs_of,
)

SIZE = 12.0
CHAR = 6.0  # width of a letter in the synthetic lines
SPACE = SIZE * TextSettings().space_em
REGION = Region(100.0, 300.0)  # a cell 200 pt wide
SETTINGS = TextSettings()


def line(text: str, top: float, x0: float = REGION.left, page: int = 1, gap: float = SPACE,
         trailing_space: bool = False, bold: bool = False) -> Line:
    """A line of words set left to right from x0, `gap` between them (a wide gap after the first
    word makes it a marker)."""
    words: list[Word] = []
    x = x0
    for n, token in enumerate(text.split(" ")):
        width = CHAR * len(token)
        words.append(Word(token, x, x + width, top, top + SIZE, SIZE, bold, False, space_after=True))
        x += width + (gap if n == 0 else SPACE)
    words[-1].space_after = trailing_space
    return Line(words, page, trailing_space=trailing_space)


def texts(lines: list[Line], settings: TextSettings = SETTINGS) -> list[str]:
    return [p.text.strip() for p in paragraphs_of(lines, REGION, settings)]


# --- words cut at a line end ----------------------------------------------------------------

@pytest.mark.parametrize(("first", "second", "joined"), [
    ("заведую-", "щий отделом", "заведующий отделом"),       # hyphenated by the layout
    ("неуспеш-", "ности обучающихся", "неуспешности обучающихся"),  # not a dictionary word
    ("Методист Лопу-", "хова О.В.", "Методист Лопухова О.В."),       # a surname
    ("мерах внутри-", "школьной системы", "мерах внутришкольной системы"),  # prefix + word
    ("семинаров-", "совещаний", "семинаров-совещаний"),       # a real hyphen
    ("Ханты-", "Мансийского округа", "Ханты-Мансийского округа"),
    ("Ханты-Ман-", "сийского округа", "Ханты-Мансийского округа"),
    ("педагогам-", "предметникам", "педагогам-предметникам"),
    ("форсайт-", "сессия", "форсайт-сессия"),
    ("на 2023-", "2024 годы", "на 2023-2024 годы"),
])
def test_hyphen_at_a_line_end(first: str, second: str, joined: str) -> None:
    assert join_hyphenated(first, second) == joined


@pytest.mark.parametrize(("first", "second", "joined"), [
    ("Исполнител", "и", "Исполнители"),
    ("подведомственн", "ых департаменту", "подведомственных департаменту"),
    ("Нижневартовска", ", имеющих", "Нижневартовска, имеющих"),
    ("координатора", "с командой", "координатора с командой"),  # two words and no word together
])
def test_word_forced_apart_at_a_line_end(first: str, second: str, joined: str) -> None:
    assert join_cut_word(first, second) == joined


@pytest.mark.parametrize(("first", "second", "cut_word", "joined"), [
    ("по вопросам реализации", "Регионального плана", False, "по вопросам реализации Регионального плана"),
    ("по вопросам реализации", "регионального плана", True, "по вопросам реализации регионального плана"),
    ("построение индивидуальног", "о плана", True, "построение индивидуального плана"),
    ("построение индивидуальног", "о плана", False, "построение индивидуальног о плана"),
    ("семинаров-", "совещаний", False, "семинаров-совещаний"),
    ("01.04.2023- ", "10.04.2023", False, "01.04.2023- 10.04.2023"),  # the line broke at a space
    ("10.05.2023-", "20.05.2023", False, "10.05.2023-20.05.2023"),
])
def test_text_cut_by_a_page_break(first: str, second: str, cut_word: bool, joined: str) -> None:
    assert join_page_cut(first, second, cut_word) == joined


# --- wraps and paragraph ends -------------------------------------------------------------

def test_wrapped_lines_are_one_paragraph_and_a_short_line_ends_it() -> None:
    lines = [line("Проведение групповых консультаций", 0), line("муниципального координатора", 14)]
    # the first line ends at 298 pt of 300: "муниципального" (84 pt) would not have fitted
    assert texts(lines) == ["Проведение групповых консультаций муниципального координатора"]
    short = [line("Комитет по", 0), line("образованию", 14)]
    # "образованию" (66 pt) would have fitted after "Комитет по" (60 pt): the line ended there
    assert texts(short) == ["Комитет по", "образованию"]


def test_a_line_with_room_for_the_space_the_producer_draws_at_wraps_ended_the_paragraph() -> None:
    drawn = replace(SETTINGS, trailing_spaces=True)
    # "Григорьева Н.Е." then "Руководители": would not fit, but no space was drawn though it had room
    lines = [line("Григорьева Н.Е.", 0, x0=100.0), line("Руководители УМО", 14)]
    lines[0].words[-1].x1 = 290.0  # the line ends 10 pt short of the edge
    assert len(texts(lines, drawn)) == 2
    lines[0].trailing_space = True  # with the space drawn it is a wrap
    assert len(texts(lines, drawn)) == 1


def test_a_wider_gap_between_lines_ends_the_paragraph() -> None:
    lines = [line("Проведение групповых консультаций", 0), line("муниципального координатора", 30)]
    assert len(texts(lines)) == 2


def test_a_line_broken_inside_an_over_long_word_is_joined_without_a_space() -> None:
    # one word fills the line alone and its rest goes on below: the layout forced it apart
    lines = [line("Управленчес", 0), line("кая команда", 14)]
    lines[0].words[0].x1 = REGION.right - 2
    assert texts(lines) == ["Управленческая команда"]


def test_hyphenated_lines_join_into_one_word() -> None:
    lines = [line("Труханович А.В., заведую-", 0), line("щий отделом", 14)]
    lines[0].words[-1].x1 = REGION.right - 1
    assert texts(lines) == ["Труханович А.В., заведующий отделом"]


# --- list items, bold, italic -----------------------------------------------------------------

def test_bullet_with_a_tab_gap_is_a_list_item_and_a_typed_dash_is_text() -> None:
    item = line("– методический семинар", 0, gap=18.0)
    typed = line("– методический семинар", 0)
    assert list_marker(item, SETTINGS) is not None and not list_marker(item, SETTINGS).ordered  # type: ignore[union-attr]
    assert list_marker(typed, SETTINGS) is None
    numbered = line("1. Принятие эффективных решений", 0, gap=18.0)
    assert list_marker(numbered, SETTINGS) is not None and list_marker(numbered, SETTINGS).ordered  # type: ignore[union-attr]
    paragraphs = paragraphs_of([line("Задачи:", 0), item, line("– цикл семинаров", 14, gap=18.0)], REGION, SETTINGS)
    assert [(p.text, p.list is not None) for p in paragraphs] == [
        ("Задачи:", False), ("методический семинар", True), ("цикл семинаров", True)]


def _glyphs(text: str, font: str, x0: float = 0.0) -> list[dict[str, object]]:
    return [{"text": ch, "fontname": font, "size": SIZE, "x0": x0 + i * CHAR, "x1": x0 + (i + 1) * CHAR,
             "top": 0.0, "bottom": SIZE, "upright": True, "doctop": 0.0}
            for i, ch in enumerate(text)]


def test_bold_and_italic_come_from_the_font_name() -> None:
    bold = lines_of(_glyphs("Мероприятие", "BAAAAA+LiberationSerif-Bold"), 1, SETTINGS)
    italic = lines_of(_glyphs("Организационные", "CAAAAA+TimesNewRomanPS-ItalicMT"), 1, SETTINGS)
    plain = lines_of(_glyphs("Март", "DAAAAA+LiberationSerif"), 1, SETTINGS)
    assert bold[0].bold and not bold[0].italic
    assert italic[0].italic and not italic[0].bold
    assert not plain[0].bold and not plain[0].italic


def test_word_order_inside_a_line_follows_the_page_not_the_glyph_stream() -> None:
    glyphs = _glyphs("команда", "F", x0=60.0) + _glyphs(" ", "F", x0=54.0) + _glyphs("Управленческая", "F", x0=-30.0)
    found = lines_of(glyphs, 1, SETTINGS)
    assert found[0].text == "Управленческая команда"
