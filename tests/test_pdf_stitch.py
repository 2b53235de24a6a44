"""Stitching tables across page breaks and re-joining rows cut by them, on small synthetic
pages of the layout model (as the PDF parser gives them: every row and cell with its page and
box, every paragraph with its box)."""

from __future__ import annotations

from dataclasses import dataclass

from extractor.pipeline import assemble
from extractor.tables import join_pages, plan_parts, stitch_pages
from models import Plan, Source
from parsers.layout import Block, Cell, Document, Paragraph, Row, Table, TextStyle

LINE = 12.0  # height of one text line
PAD = 2.0  # space between a row's top and its text, and between its last line and the row's end
EDGES = [50.0, 80.0, 300.0, 400.0, 550.0]  # number | activity | schedule | responsible
HEADER = ["№ п/п", "Мероприятие", "Сроки", "Ответственные"]


@dataclass
class C:
    """A cell of a synthetic row: its text and how many lines it takes."""

    text: str
    lines: int = 1
    span: int = 1
    italic: bool = False
    width: float | None = None  # pt the text takes on its last line; None: it fills the cell


def _cell(spec: str | C) -> C:
    return spec if isinstance(spec, C) else C(spec)


def page_table(page: int, rows: list[list[str | C]], top: float = 60.0, edges: list[float] = EDGES) -> Table:
    """A table of one page: each row as tall as its tallest cell; text at the top of each cell."""
    n_cols = len(edges) - 1
    table = Table(n_cols=n_cols, page=page)
    y = top
    for r, specs in enumerate(rows):
        cells = [_cell(s) for s in specs]
        height = max(c.lines for c in cells) * LINE + 2 * PAD
        table.rows.append(Row(index=r, page=page, bbox=(edges[0], y, edges[-1], y + height)))
        col = 0
        for c in cells:
            x0, x1 = edges[col], edges[col + c.span]
            paragraphs = []
            if c.text:
                style = TextStyle(italic=c.italic)
                right = x1 - 5 if c.width is None else x0 + 5 + c.width
                paragraphs = [Paragraph(text=c.text, style=style, page=page,
                                        bbox=(x0 + 5, y + PAD, right, y + PAD + c.lines * LINE))]
            table.cells.append(Cell(row=r, col=col, col_span=c.span, paragraphs=paragraphs,
                                    bbox=(x0, y, x1, y + height)))
            col += c.span
        y += height
    return table


def plan_of(blocks: list[Block]) -> Plan:
    title = Paragraph(text="План мероприятий на 2024 год", style=TextStyle(bold=True), align="center", page=1)
    document = Document(blocks=[title, *blocks], format="pdf", pages=2)
    source = Source(filename="synthetic.pdf", sha256="0" * 64, format="pdf", pages=2, ocr=False)
    return assemble(document, source)


def titles(plan: Plan) -> list[str]:
    return [a.title for a in plan.activities]


# --- stitching ------------------------------------------------------------------------------

def test_table_going_on_over_a_page_is_one_table_without_its_repeated_header() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"]])
    b = page_table(2, [HEADER, ["2.", "Второе", "Апрель", "Отдел"]], top=40.0)
    stitched = stitch_pages([a, b])
    assert len(stitched) == 1
    table = stitched[0]
    assert isinstance(table, Table)
    assert table.n_rows == 3
    assert [r.header for r in table.rows] == [True, False, False]
    assert [r.page for r in table.rows] == [1, 1, 2]
    plan = plan_of([a, b])
    assert titles(plan) == ["Первое", "Второе"]
    assert [a.provenance.page for a in plan.activities] == [1, 2]
    assert plan.activities[1].provenance.rows == [2]


def test_two_row_header_repeated_on_the_next_page_is_dropped() -> None:
    two_level = [["№", "Мероприятие", "Сроки", "Ответственные"], ["", "", "", "Исполнитель"]]
    a = page_table(1, [*two_level, ["1.", "Первое", "Март", "Комитет"]])
    b = page_table(2, [*two_level, ["2.", "Второе", "Апрель", "Отдел"]])
    table = join_pages(a, b)
    assert table.n_rows == 4
    assert [r.header for r in table.rows] == [True, True, False, False]


def test_tables_on_pages_that_do_not_follow_or_with_other_columns_stay_apart() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"]])
    far = page_table(3, [["2.", "Второе", "Апрель", "Отдел"]])
    other = page_table(2, [["2.", "Второе", "Апрель", "Отдел"]], edges=[50.0, 90.0, 300.0, 400.0, 550.0])
    assert len(stitch_pages([a, far])) == 2
    assert len(stitch_pages([a, other])) == 2


def test_a_paragraph_between_two_tables_keeps_them_apart() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"]])
    note = Paragraph(text="Муниципальный уровень", style=TextStyle(bold=True), page=2)
    b = page_table(2, [["2.", "Второе", "Апрель", "Отдел"]])
    assert len([x for x in stitch_pages([a, note, b]) if isinstance(x, Table)]) == 2


# --- rows cut by a page break ----------------------------------------------------------------

def test_row_cut_by_a_page_break_is_one_activity_with_both_parts() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"],
                       ["2.", C("Участие в организации и проведении муниципальных", 3), "Май",
                        C("МБОУ ДПО МЦ", 3)]])
    b = page_table(2, [HEADER, ["", "семинаров", "", "ОО с низкими результатами"],
                       ["3.", "Третье", "Июнь", "Отдел"]])
    plan = plan_of([a, b])
    assert titles(plan) == ["Первое", "Участие в организации и проведении муниципальных семинаров", "Третье"]
    second = plan.activities[1]
    assert second.provenance.rows == [2, 3]
    assert second.provenance.page == 1
    assert " ".join(p.text for p in second.responsible) == "МБОУ ДПО МЦ ОО с низкими результатами"
    assert plan.activities[2].provenance.rows == [4]


def test_hyphen_at_the_cut_joins_without_a_space_and_stays() -> None:
    a = page_table(1, [HEADER, ["1.", C("Проведение семинаров-", 2), "Май", "Комитет"]])
    b = page_table(2, [["", "совещаний по обмену опытом", "", ""]])
    plan = plan_of([a, b])
    assert titles(plan) == ["Проведение семинаров-совещаний по обмену опытом"]


def test_continuation_that_starts_with_a_capital_still_joins_when_the_text_above_runs_on() -> None:
    a = page_table(1, [HEADER, ["11.", C("Участие в семинарах по вопросам реализации", 2), "Март", "Координатор"]])
    b = page_table(2, [["", "Регионального плана работы", "", ""]])
    assert titles(plan_of([a, b])) == ["Участие в семинарах по вопросам реализации Регионального плана работы"]


def test_new_unnumbered_activity_at_the_top_of_a_page_is_not_joined() -> None:
    # the row above ends before the cut in the schedule column, and the row below has a
    # schedule of its own: a new row, though it has no number
    a = page_table(1, [HEADER, ["7.", C("Организация участия в работе курсов", 3), "Сентябрь", "МБОУ ДПО МЦ"]])
    b = page_table(2, [["", "Внесение в план-график курсовой подготовки", "Ноябрь", "МБОУ ДПО МЦ"]])
    plan = plan_of([a, b])
    assert titles(plan) == ["Организация участия в работе курсов", "Внесение в план-график курсовой подготовки"]
    assert [a.number for a in plan.activities] == ["7", None]


def test_section_row_at_the_top_of_a_page_is_not_joined() -> None:
    a = page_table(1, [HEADER, ["1.", C("Проведение мониторинга качества", 2), C("Март", 2), C("Комитет", 2)]])
    b = page_table(2, [[C("II. Методическое сопровождение", span=4, italic=True)],
                       ["2.", "Организация работы секции", "Август", "Комитет"]])
    plan = plan_of([a, b])
    assert titles(plan) == ["Проведение мониторинга качества", "Организация работы секции"]
    assert [s.title for s in plan.sections] == ["Методическое сопровождение"]
    assert plan.activities[1].section == plan.sections[0].id


def test_row_with_a_number_of_its_own_at_the_top_of_a_page_is_not_joined() -> None:
    a = page_table(1, [HEADER, ["1.", C("Проведение мониторинга качества", 2), C("Март", 2), C("Комитет", 2)]])
    b = page_table(2, [["2.", "и анализ его результатов", "", ""]])
    assert titles(plan_of([a, b])) == ["Проведение мониторинга качества", "и анализ его результатов"]


def test_text_alone_never_joins_rows() -> None:
    # the continuation reads on (lower case), but the activity cell above ended a line short
    # of the cut: the layout would have put the next line there
    a = page_table(1, [HEADER, ["1.", "Проведение мониторинга", C("Март", 3), C("Комитет", 3)]])
    b = page_table(2, [["", "качества образования", "", ""]])
    assert titles(plan_of([a, b])) == ["Проведение мониторинга", "качества образования"]


def test_title_that_ends_short_above_the_cut_and_a_title_below_are_two_activities() -> None:
    # "Консультация" would have fitted after the title above: that title ended there, and the
    # lower-case responsible below repeats the one above instead of going on
    a = page_table(1, [HEADER, ["", C("Корректировка программ", width=110), "Ноябрь",
                                C("заместитель директора", width=100)]])
    b = page_table(2, [["", C("Консультация по вопросам оценивания для учителей", 2), "",
                        C("заместитель директора", width=100)]])
    assert titles(plan_of([a, b])) == ["Корректировка программ", "Консультация по вопросам оценивания для учителей"]


def test_comma_at_the_cut_joins_a_cell_that_ends_short() -> None:
    a = page_table(1, [HEADER, ["1.", C("День единой формы", width=90), "Январь",
                                C("Классные руководители,", width=110)]])
    b = page_table(2, [["", "", "", C("заместитель директора", width=100)], ["2.", "Второе", "Март", "Отдел"]])
    plan = plan_of([a, b])
    assert titles(plan) == ["День единой формы", "Второе"]
    assert [p.text for p in plan.activities[0].responsible] == ["Классные руководители", "заместитель директора"]


def test_enumeration_going_on_over_the_cut_joins() -> None:
    # a semicolon ends an item of an enumeration whose last item ends in a full stop
    a = page_table(1, [HEADER, ["1.", C("Оборудование аудиторий: рации, мобильные устройства;", 2), "2015",
                                "Директор"]])
    b = page_table(2, [["", C("Стол с микролифтом.", width=100), "", ""], ["2.", "Второе", "Март", "Отдел"]])
    assert titles(plan_of([a, b])) == ["Оборудование аудиторий: рации, мобильные устройства; Стол с микролифтом.",
                                       "Второе"]


def test_a_line_left_empty_above_the_cut_by_widow_control_still_joins() -> None:
    # Word keeps two lines of a paragraph on each side of a break: the activity stops a line
    # short of the cut, and its paragraph goes on below with two lines
    a = page_table(1, [HEADER, ["2.", C("Организация обучения специалистов по вопросам,", 2),
                                C("Первый этап - 01.06.2016,", 2), C("Заместитель директора по учебной работе", 3)]])
    b = page_table(2, [["", C("связанным с обеспечением доступности объектов и услуг", 2), C("далее - постоянно", 2),
                        ""]])
    plan = plan_of([a, b])
    assert titles(plan) == ["Организация обучения специалистов по вопросам, связанным с обеспечением "
                            "доступности объектов и услуг"]
    assert plan.activities[0].schedule.text == "Первый этап - 01.06.2016, далее - постоянно"


def test_short_section_row_above_the_cut_is_not_joined_to_the_one_below() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"], [C("Декабрь 2016 года", span=4, width=90)]])
    b = page_table(2, [[C("финансовая деятельность", span=4, width=120, italic=True)],
                       ["2.", "Второе", "Апрель", "Отдел"]])
    plan = plan_of([a, b])
    assert [s.title for s in plan.sections] == ["Декабрь 2016 года", "финансовая деятельность"]


def test_header_cut_by_a_page_break_is_one_header() -> None:
    edges = [50.0, 300.0, 380.0, 450.0, 550.0]
    a = page_table(1, [["Мероприятие", "Сроки", C("Контингент", width=50), "Ответственные"]], edges=edges)
    b = page_table(2, [["", "", C("участников", width=50), ""], ["Первое", "Март", "5 класс", "Комитет"]],
                   edges=edges)
    plan = plan_of([a, b])
    assert [c.header for c in plan.columns] == ["Мероприятие", "Сроки", "Контингент участников", "Ответственные"]
    assert titles(plan) == ["Первое"]
    assert not plan.sections


def test_merged_cell_cut_by_a_page_break_reaches_every_row_it_covers() -> None:
    a = page_table(1, [HEADER, ["2.1.", "Первое", "Март", C("Управление образования", 1)],
                       ["2.2.", "Второе", "Апрель", ""]])
    b = page_table(2, [["2.3.", "Третье", "Май", ""], ["2.4.", "Четвёртое", "Июнь", ""]])
    # the responsible cell is merged over all four rows: on page 1 over two, on page 2 over two
    for table, rows in ((a, (1, 2)), (b, (0, 1))):
        anchor = next(c for c in table.cells if c.row == rows[0] and c.col == 3)
        anchor.row_span = 2
        table.cells = [c for c in table.cells if not (c.row == rows[1] and c.col == 3)]
        assert anchor.bbox is not None
        bottom = table.rows[rows[1]].bbox
        assert bottom is not None
        anchor.bbox = (anchor.bbox[0], anchor.bbox[1], anchor.bbox[2], bottom[3])
    plan = plan_of([a, b])
    assert [[p.text for p in act.responsible] for act in plan.activities] == [["Управление образования"]] * 4


def test_blank_cell_under_a_single_row_cell_stays_blank() -> None:
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"]])
    b = page_table(2, [["2.", "Второе", "Апрель", ""]])
    plan = plan_of([a, b])
    assert [len(act.responsible) for act in plan.activities] == [1, 0]


def test_word_pages_are_left_alone() -> None:
    """Tables without pages (Word) are never stitched or re-joined."""
    a = page_table(1, [HEADER, ["1.", "Первое", "Март", "Комитет"]])
    b = page_table(2, [["", "второе", "", ""]])
    for table in (a, b):
        table.page = None
        for row in table.rows:
            row.page = None
    parts = plan_parts(stitch_pages([a, b]))
    assert len(parts) == 2
