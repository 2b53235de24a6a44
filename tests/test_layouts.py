"""Plan layouts seen in real plans (issue 10), on small documents built here: every table used
or skipped with a reason, continuation tables, header variants, lists across cells, summary
rows, titles and periods, the quality block. Expected values are written from the layouts."""

from __future__ import annotations

import datetime as dt

import pytest

from extractor.metadata import find_period, infer_period, split_heading, stated_period
from extractor.pipeline import assemble
from extractor.tables import choose_tables, header_end, header_start, role_of
from extractor.text import close_letter_spacing
from models import Approval, Plan, Source
from parsers.layout import Align, Cell, Document, ListInfo, Paragraph, Row, Table, TextStyle

SOURCE = Source(filename="t.docx", sha256="0" * 64, format="docx", pages=None)


def _cell(row: int, col: int, text: str, span: int = 1, bold: bool = False) -> Cell:
    paras = [Paragraph(line, style=TextStyle(bold=bold)) for line in text.split("\n")] if text else []
    return Cell(row=row, col=col, paragraphs=paras, col_span=span)


def table(rows: list[list[str]], flags: list[bool] | None = None) -> Table:
    """A table from rows of cell texts; a row of one text spans the table (a section row)."""
    n_cols = max(len(r) for r in rows)
    cells = []
    for r, texts in enumerate(rows):
        if len(texts) == 1 and n_cols > 1:
            cells.append(_cell(r, 0, texts[0], n_cols, bold=True))
        else:
            cells += [_cell(r, c, t) for c, t in enumerate(texts)]
    return Table(n_cols=n_cols, rows=[Row(i, header=bool(flags and flags[i])) for i in range(len(rows))], cells=cells)


def plan_of(*blocks: Paragraph | Table) -> Plan:
    return assemble(Document(blocks=list(blocks), format="docx"), SOURCE)


HEADER = ["№ п/п", "Мероприятие", "Сроки", "Ответственный"]


@pytest.mark.parametrize(("header", "role"), [
    ("Отв. лица", "responsible"), ("Ответств.", "responsible"), ("N п/п", "number"), ("№пп", "number"),
    ("Дата (сроки проведения)", "schedule"), ("Содержание работы", "activity"), ("Срок, рабочих дней", "schedule"),
    ("Тема", "activity"), ("Месяц", "schedule"), ("Вопросы к обсуждению", "activity"),
    # OCR of «№ п/п» on real scans (Уссурийск 2017, Уссурийск детдом 2015): the cell's left rule
    # read into it, «№» as «No» and «п» as «n»
    ("\\№ п/п", "number"), ("|№ п/п", "number"), ("Non/n", "number"),
])
def test_header_variants(header: str, role: str) -> None:
    assert role_of(header) == role


def test_a_first_column_headed_by_an_ocr_remnant_of_its_number_sign_holds_the_numbers() -> None:
    """The Уссурийск 2019 scan: OCR read «№ п/п» as «п» (confidence 1 %); the column's cells
    are 1, 2, 3, so it is the number column. A longer header, or a later column, is not taken."""
    rows = [["1", "Распределение обязанностей", "до 5.09.2019", "Директор"],
            ["2", "Изучение инструкций", "в течение года", "Директор"],
            ["3", "Проведение инструктажей", "в течение года", "Заместители"]]
    plan = plan_of(table([["п", "Мероприятия", "Сроки", "Ответственный"], *rows]))
    assert [c.role for c in plan.columns] == ["number", "activity", "schedule", "responsible"]
    assert [a.number for a in plan.activities] == ["1", "2", "3"]
    plan = plan_of(table([["Кл.", "Мероприятия", "Сроки", "Ответственный"], *rows]))
    assert plan.columns[0].role == "other"


def test_a_cell_under_the_number_and_activity_columns_gives_both() -> None:
    """The Уссурийск 2019 health plan's scan: OCR missed the rule between «№» and
    «Наименование» in two rows, so one cell runs under both columns («1. Соблюдение режима
    дня»); its number and its title are both the row's, not a row without an activity."""
    t = table([HEADER, ["", "", "постоянно", "Воспитатели"], ["2.", "Правильное питание", "постоянно", "Медсестра"]])
    t.cells = [c for c in t.cells if not (c.row == 1 and c.col in (0, 1))]
    t.cells.append(_cell(1, 0, "1. Соблюдение режима дня", span=2))
    plan = plan_of(t)
    assert [(a.number, a.title) for a in plan.activities] == [("1", "Соблюдение режима дня"),
                                                              ("2", "Правильное питание")]
    assert not [w for w in plan.warnings if w.code == "row_without_activity"]
    t.cells = [c for c in t.cells if c.row != 1] + [_cell(1, 0, "08.1 2", span=2)]  # OCR noise: no title
    plan = plan_of(t)
    assert [a.number for a in plan.activities] == ["2"]
    assert [w.code for w in plan.warnings if w.code == "row_without_activity"] == ["row_without_activity"]


def test_a_schedule_column_that_names_two_things_gives_its_date_before_the_slash() -> None:
    """The Уссурийск 2020 order's plan: «Срок исполнения/ подтверждение исполнения», cells
    «15 июля 2020/ положение, план»: the date is read from before the «/», the rest is kept in
    extra under the header's second part. A cell without «/» is read whole."""
    t = table([["№ п/п", "Мероприятия", "Срок исполнения/ подтверждение исполнения", "Ответственный"],
               ["1.", "Наладить работу службы медиации", "15 июля 2020/ положение, план", "Лебедева С.А."],
               ["2.", "Информировать", "Постоянно", "Таран Е.В."]])
    plan = plan_of(t)
    first, second = plan.activities
    assert (first.schedule.kind, str(first.schedule.start)) == ("date", "2020-07-15")
    assert first.extra == {"подтверждение исполнения": "положение, план"}
    assert second.schedule.kind == "ongoing" and second.extra == {}


def test_stronger_activity_word_wins() -> None:
    t = table([["№", "Вид работы", "Наименование", "Срок", "Ответственный"],
               ["1", "Семинар", "О плане", "май", "Иванова И.И."]])
    plan = plan_of(t)
    assert [c.role for c in plan.columns] == ["number", "other", "activity", "schedule", "responsible"]
    assert plan.activities[0].title == "О плане"
    assert plan.activities[0].extra == {"Вид работы": "Семинар"}


def test_header_marks_on_every_row_are_not_trusted() -> None:
    t = table([HEADER, ["1.", "Неделя знаний", "ноябрь", "Соц. педагог"], ["2.", "Беседы", "май", "Воспитатели"]],
              flags=[True, True, True])
    assert header_end(t, 0) == 1
    assert len(plan_of(t).activities) == 2


def test_column_number_row_is_header() -> None:
    t = table([HEADER, ["1", "2", "3", "4"], ["1.", "Неделя знаний", "ноябрь", "Соц. педагог"]])
    assert header_start(t) == 0 and header_end(t, 0) == 2
    assert [a.title for a in plan_of(t).activities] == ["Неделя знаний"]


def test_activity_and_result_only_is_no_plan_table() -> None:
    t = table([["№", "Мероприятие", "Результат"], ["1", "Анализ", "Справка"]])
    assert header_start(t) is None


def test_continuation_without_header_on_other_grid() -> None:
    first = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    # the second table: a spanning section row, then rows on a five-column grid with one cell per column
    second = Table(n_cols=5, rows=[Row(i) for i in range(3)], cells=[
        _cell(0, 0, "СПОРТИВНО-МАССОВАЯ РАБОТА", 5, bold=True),
        _cell(1, 0, "2."), _cell(1, 1, "Второе", 2), _cell(1, 3, "июнь"), _cell(1, 4, "Петров П.П."),
        _cell(2, 0, "3."), _cell(2, 1, "Третье", 2), _cell(2, 3, "июль"), _cell(2, 4, "Сидоров С.С."),
    ])
    plan = plan_of(first, Paragraph(""), second)
    assert [a.title for a in plan.activities] == ["Первое", "Второе", "Третье"]
    assert [s.title for s in plan.sections] == ["СПОРТИВНО-МАССОВАЯ РАБОТА"]
    assert [a.schedule.text for a in plan.activities] == ["май", "июнь", "июль"]
    assert plan.quality is not None and plan.quality.tables_used == 2 and plan.quality.word_share == 1.0


def test_unrelated_table_is_skipped_with_its_text() -> None:
    t = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    other = table([["Итого часов", "423,67"], ["в том числе", "12"]])
    plan = plan_of(t, other)
    assert plan.quality is not None and [s.reason for s in plan.quality.tables_skipped] == ["no_plan_header"]
    skipped = [w for w in plan.warnings if w.code == "table_skipped"]
    assert len(skipped) == 1 and "423,67" in skipped[0].message


def test_summary_and_example_rows_are_named_not_activities() -> None:
    t = table([HEADER, ["Пример:", "Семинар для учителей", "май", "Методист"], ["1.", "Первое", "май", "Иванова И.И."],
               ["Итого", "3 мероприятия", "", ""]])
    plan = plan_of(t)
    assert [a.title for a in plan.activities] == ["Первое"]
    assert [w.code for w in plan.warnings].count("row_skipped") == 2
    assert plan.quality is not None and plan.quality.rows_skipped == 2 and plan.quality.rows_used == 1


def test_numbered_lists_across_cells_are_activities() -> None:
    t = table([HEADER, ["7.", "1. Лекция о праве\n2. Беседа о вреде\n3. Игра «Закон»", "сентябрь\nоктябрь\nноябрь",
                        "Инспектор ОДН"]])
    plan = plan_of(t)
    assert [(a.number, a.title, a.schedule.text) for a in plan.activities] == [
        ("1", "Лекция о праве", "сентябрь"), ("2", "Беседа о вреде", "октябрь"), ("3", "Игра «Закон»", "ноябрь")]
    assert all(a.responsible[0].text == "Инспектор ОДН" for a in plan.activities)


def test_a_list_without_matching_cells_stays_one_activity() -> None:
    t = table([HEADER, ["1.", "Семинар:\n1. о плане\n2. об отчёте", "май", "Иванова И.И."]])
    assert len(plan_of(t).activities) == 1


def test_row_without_activity_is_named_and_empty_numbered_row_is_no_section() -> None:
    t = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."], ["2.", "", "июнь", ""], ["3.", "", "", ""]])
    plan = plan_of(t)
    assert plan.sections == []
    assert [w.code for w in plan.warnings].count("row_without_activity") == 2


def test_no_title_is_null_with_a_warning() -> None:
    plan = plan_of(table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]]))
    assert plan.plan.title is None and any(w.code == "no_title" for w in plan.warnings)


def _p(text: str, bold: bool = False, align: str | None = None) -> Paragraph:
    return Paragraph(text, style=TextStyle(bold=bold), align=align)  # type: ignore[arg-type]


def test_title_starts_at_the_plan_word_and_period_line_under_it() -> None:
    heading = split_heading([
        _p("Краевое государственное казённое учреждение «Центр»", align="center"),
        _p("Утверждаю:", align="right"), _p("Директор ____ И.И. Иванова", align="right"),
        _p("24.августа.2019", align="right"),
        _p("СОВМЕСТНЫЙ  ПЛАН", bold=True, align="center"), _p(""),
        _p("по предупреждению правонарушений", align="center"),
        _p("на 2019 / 2020  учебный год", align="left"),
    ])
    assert heading.title == "СОВМЕСТНЫЙ ПЛАН по предупреждению правонарушений"
    assert heading.approval is not None and heading.approval.date == dt.date(2019, 8, 24)
    assert heading.preamble[0].startswith("Краевое")
    period = stated_period(heading.title, heading.preamble, heading.lead)
    assert period is not None and (period.start, period.end) == (dt.date(2019, 9, 1), dt.date(2020, 8, 31))


def test_lower_case_plan_word_in_prose_is_no_title() -> None:
    heading = split_heading([_p("Проведение мероприятий по охране труда", bold=True, align="center"),
                             _p("план эвакуации на случай пожара утверждён")])
    assert heading.title == "Проведение мероприятий по охране труда"


@pytest.mark.parametrize(("text", "start", "end"), [
    ("на 2020 год", "2020-01-01", "2020-12-31"),
    ("на 2015/2016 учебный год", "2015-09-01", "2016-08-31"),
    ("на   2019 / 2020  учебный год", "2019-09-01", "2020-08-31"),
    ("на 2019-2020 тренировочный год", "2019-09-01", "2020-08-31"),
    ("на период 2024–2026 годов", "2024-01-01", "2026-12-31"),
    ("на 2023 финансовый год", "2023-01-01", "2023-12-31"),
    ("проводимых 20 ноября 2018 года", "2018-11-20", "2018-11-20"),
    ("на 2018-2020г0ды", "2018-01-01", "2020-12-31"),  # OCR's zero for "о"
])
def test_period_forms(text: str, start: str, end: str) -> None:
    period = find_period(text)
    assert period is not None and (str(period.start), str(period.end)) == (start, end)


def test_period_inferred_from_approval_date_and_from_dated_cells() -> None:
    approval = Approval(text="Утверждаю", date=dt.date(2019, 8, 30))
    academic, how = infer_period(approval, ["сентябрь"], ["План работы на учебный год"])
    assert academic is not None and academic.inferred and (academic.start, academic.end) == (
        dt.date(2019, 9, 1), dt.date(2020, 8, 31)) and how == "по дате утверждения"
    dated, how = infer_period(None, ["до 01.12.2023", "17.03.2023"], ["План"])
    assert dated is not None and (dated.start, dated.end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert infer_period(None, ["май"], ["План"]) == (None, "")


def test_inferred_period_dates_day_cells_under_month_rows() -> None:
    t = table([HEADER, ["ЯНВАРЬ"], ["1.", "Турнир", "14", "Тренер"], ["2.", "Эстафета", "до 20.01.2020", "Тренер"]])
    plan = plan_of(t)
    assert plan.plan.period is not None and plan.plan.period.inferred
    first = plan.activities[0].schedule
    assert (first.kind, first.start, first.confidence) == ("date", dt.date(2020, 1, 14), "low")
    assert any(w.code == "period_inferred" for w in plan.warnings)


def test_headerless_page_read_by_content() -> None:
    t = table([["12.", "Проведение профилактических бесед с воспитанниками", "В течение года", "Соц. педагог"],
               ["13.", "Заслушивание отчётов педагогов на советах", "Январь, май", "Зам. по УВР"],
               ["14.", "Классные часы на тему «Закон и ты»", "1 раз в четверть", "Воспитатели"]])
    plan = plan_of(t)
    assert [c.role for c in plan.columns] == ["number", "activity", "schedule", "responsible"]
    assert [a.number for a in plan.activities] == ["12", "13", "14"]
    assert any(w.code == "header_inferred" for w in plan.warnings)


def test_other_plan_between_tables_is_one_section() -> None:
    first = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    second = table([HEADER, ["1.", "Второе", "июнь", "Петров П.П."]])
    plan = plan_of(first, _p("Утверждаю:", align="right"), _p("Директор ____ Иванова", align="right"),
                   _p("План работы", bold=True, align="center"), _p("Совета профилактики", bold=True, align="center"),
                   second)
    assert [s.title for s in plan.sections] == ["План работы Совета профилактики"]
    assert plan.sections[0].note is not None and "Утверждаю" in plan.sections[0].note


def test_letter_spaced_heading_closed_up() -> None:
    assert close_letter_spacing("У Ч Е Б Н А Я   Р А Б О Т А") == "УЧЕБНАЯ РАБОТА"
    assert close_letter_spacing("в т.ч. и в 5 с") == "в т.ч. и в 5 с"


def test_choose_tables_names_every_table() -> None:
    before = table([["Согласовано", "Утверждаю"]])
    plan_table = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    choice = choose_tables([before, plan_table, Paragraph("")])
    assert [p.table_index for p in choice.parts] == [1]
    assert [(s.table_index, s.reason) for s in choice.skipped] == [(0, "before_plan")]


def test_list_paragraph_rows_keep_their_items() -> None:
    cell = Cell(row=1, col=1, paragraphs=[Paragraph("Семинар"), Paragraph("о плане", list=ListInfo(0, False))])
    t = table([HEADER, ["1.", "", "май", "Иванова И.И."]])
    t.cells = [c if (c.row, c.col) != (1, 1) else cell for c in t.cells]
    assert plan_of(t).activities[0].subitems == ["о плане"]


def test_day_rows_date_the_clock_times_under_them() -> None:
    t = table([["№", "Наименование мероприятия", "Время проведения", "Ответственные"], ["23 марта"],
               ["1.", "Спортивный праздник", "10.00-11.00", "Инструктор"],
               ["2.", "Кинолекторий", "Доп.график", "Воспитатель"]])
    plan = plan_of(_p("План мероприятий в период каникул 2019 года", bold=True, align="center"), t)
    assert [(s.number, s.title) for s in plan.sections] == [(None, "23 марта")]
    first = plan.activities[0].schedule
    assert (first.kind, first.start, first.note) == ("date", dt.date(2019, 3, 23), "10.00-11.00")


def test_bare_number_heading_between_tables_joins_the_heading_after_it() -> None:
    first = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    second = table([HEADER, ["1.", "Второе", "июнь", "Петров П.П."]])
    plan = plan_of(first, _p("II.", bold=True), _p("Совещание при директоре.", bold=True), second)
    assert [(s.number, s.title) for s in plan.sections] == [("II", "Совещание при директоре.")]


def test_numbers_under_an_empty_header_cell_are_the_row_numbers() -> None:
    t = table([["", "Содержание деятельности", "Сроки", "Ответств."], ["1", "Экскурсии", "май", "Воспитатели"],
               ["2", "Встречи", "июнь", "Педагог-психолог"], ["3", "Игра «Карьера»", "ноябрь", "Воспитатели"]])
    plan = plan_of(t)
    assert [c.role for c in plan.columns] == ["number", "activity", "schedule", "responsible"]
    assert [(a.number, a.extra) for a in plan.activities] == [("1", {}), ("2", {}), ("3", {})]


def _item(text: str) -> Paragraph:
    return Paragraph(text, list=ListInfo(0, False, "•"))


def test_headings_between_tables_a_person_reads_as_sections() -> None:
    first = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    second = table([HEADER, ["1.", "Второе", "июнь", "Петров П.П."]])
    plan = plan_of(first,
                   _p("Работа Совета по профилактике правонарушений", bold=True, align="center"),
                   _p("среди несовершеннолетних", bold=True, align="center"),  # the heading's second line
                   _p("Цель: помощь воспитанникам."), _p("Задачи:"), _p("- защита прав;"),  # labels and their text
                   _p("ЕЖЕМЕСЯЧНЫЙ КОНТРОЛЬ ТРЕБОВАНИЙ", bold=True, align="center"),
                   _p("К ОРГАНИЗАЦИИ ПИТАНИЯ", bold=True, align="center"),  # a heading set in capitals
                   _p("Выпускник – это человек"), _p("1. Подготовленный к труду."), _p("2. Способный создать семью."),
                   second)
    assert [s.title for s in plan.sections] == ["Работа Совета по профилактике правонарушений среди несовершеннолетних",
                                                "ЕЖЕМЕСЯЧНЫЙ КОНТРОЛЬ ТРЕБОВАНИЙ К ОРГАНИЗАЦИИ ПИТАНИЯ"]
    assert plan.sections[0].note == "Цель: помощь воспитанникам. Задачи: - защита прав;"
    assert plan.sections[1].note == "Выпускник – это человек 1. Подготовленный к труду. 2. Способный создать семью."
    assert plan.activities[1].section == plan.sections[1].id


def test_month_labels_over_bulleted_lists_between_tables_are_text() -> None:
    first = table([HEADER, ["1.", "Первое", "май", "Иванова И.И."]])
    second = table([HEADER, ["1.", "Второе", "июнь", "Петров П.П."]])
    plan = plan_of(first, _p("ПОМЕСЯЧНАЯ ЦИКЛОГРАММА.", bold=True, align="center"),
                   _p("Август", bold=True), _item("Подготовка рабочих мест."),
                   _p("Май", bold=True), _item("План летней занятости воспитанников."),  # a list item is no title
                   _p("ПЕДАГОГИЧЕСКИЕ СОВЕТЫ", bold=True, align="center"), _p("I.", align="center"), second)
    assert [(s.number, s.title) for s in plan.sections] == [(None, "ПОМЕСЯЧНАЯ ЦИКЛОГРАММА."),
                                                            (None, "ПЕДАГОГИЧЕСКИЕ СОВЕТЫ"), (None, "I.")]
    assert plan.sections[0].note is not None and plan.sections[0].note.startswith("Август Подготовка рабочих мест.")


def test_text_above_the_first_heading_between_tables_is_a_note_of_the_open_section() -> None:
    first = table([HEADER, ["Питание"], ["1.", "Первое", "май", "Иванова И.И."]])
    second = table([HEADER, ["1.", "Второе", "июнь", "Петров П.П."]])
    plan = plan_of(first, _p("Примечание. Поля со значком «-» заполнения не требуют"),
                   _p("Хозяйственная служба", bold=True, align="center"), second)
    assert [(s.title, s.note) for s in plan.sections] == [
        ("Питание", "Примечание. Поля со значком «-» заполнения не требуют"), ("Хозяйственная служба", None)]


def test_a_column_headed_by_a_post_names_the_responsible() -> None:
    assert role_of("Воспитатель") == "responsible"
    assert role_of("Докладывает") == "responsible"
    assert role_of("Воспитательная работа") != "responsible"


def line(text: str, box: tuple[float, float, float, float], align: Align | None = None) -> Paragraph:
    """A line as OCR gives it: text and box, alignment only where nothing else fits."""
    return Paragraph(text, bbox=box, align=align)


# Scan headings as OCR gives them (text, box in points, alignment only where nothing else fits
# a line) and the title a reader takes from them.
OCR_HEADINGS: list[tuple[str, list[Paragraph], str]] = [
    # the lines right under the title's first line, centred on its axis, go on; a line far
    # below does not
    ("Уссурийск 2016-17", [
        line("План профилактической работы", (236.6, 175.4, 444.7, 187.7)),
        line("по предупреждению жестокого обращения в отношении несовершеннолетних", (164.2, 191.0, 517.4, 203.0)),
        line("на 2016-2017 уч.год", (290.0, 206.0, 391.0, 218.9)),
        line("Пояснительная записка", (60.0, 260.0, 230.0, 272.0))],
     "План профилактической работы по предупреждению жестокого обращения в отношении несовершеннолетних "
     "на 2016-2017 уч.год"),
    ("off the axis", [line("План работы", (236.6, 175.4, 330.0, 187.7)),
                      line("Утверждаю: директор", (400.0, 190.0, 560.0, 202.0))], "План работы"),
    # a line OCR marks centred goes on too
    ("Уссурийск 2016-17 safety plan", [
        line("План работы", (289.0, 171.0, 372.0, 183.0)),
        line("по обеспечению безопасности жизнедеятельности", (175.0, 186.0, 487.0, 197.0), "center"),
        line("и предупреждению травматизма", (230.0, 205.0, 435.0, 214.0), "center"),
        line("на 2016-2017 уч. год", (269.0, 217.0, 392.0, 229.0))],
     "План работы по обеспечению безопасности жизнедеятельности и предупреждению травматизма на 2016-2017 уч. год"),
    # a stamp read into the first line («ПЛАН”», its box stretched to the right) moves its axis;
    # the centred line under it still spans that line's axis; a gap over 1.5 lines ends the title
    ("Тихорецк 2024-25", [
        line("ПЛАН”", (318.0, 255.0, 402.0, 268.0)),
        line("МЕРОПРИЯТИЙ ТТЖТ ФИЛИАЛА РГУПС", (190.0, 271.0, 489.0, 284.0), "center"),
        line("НА 2024-2025 УЧЕБНЫЙ ГОД", (241.0, 304.0, 438.0, 319.0), "center")],
     "ПЛАН” МЕРОПРИЯТИЙ ТТЖТ ФИЛИАЛА РГУПС"),
    # a stamp over the line under the title cuts it short («… и экст»): it spans the title's
    # axis and opens in lower case, so it goes on, and so do the lines under it
    ("Уссурийск 2018-19", [
        line("План мероприятий", (277.0, 145.0, 397.0, 157.0)),
        line("по профилактике терроризма и экст", (196.0, 158.0, 423.0, 173.0)),
        line("в КГКУ «Центр содействия семейному устройству г.Уссурийска»", (127.0, 171.0, 548.0, 190.0)),
        line("на 2018-2019 уч. год", (277.0, 192.0, 400.0, 205.0)),
        line("Приложение к приказу", (60.0, 215.0, 200.0, 227.0))],
     "План мероприятий по профилактике терроризма и экст в КГКУ «Центр содействия семейному устройству "
     "г.Уссурийска» на 2018-2019 уч. год"),
    ("a capitalised line off to one side", [line("План мероприятий", (277.0, 145.0, 397.0, 157.0)),
                                            line("Директор школы", (300.0, 160.0, 560.0, 172.0))],
     "План мероприятий"),
]


@pytest.mark.parametrize(("lines", "title"), [(c[1], c[2]) for c in OCR_HEADINGS], ids=[c[0] for c in OCR_HEADINGS])
def test_an_ocr_title_goes_on_over_the_lines_under_it(lines: list[Paragraph], title: str) -> None:
    assert split_heading(lines).title == title


def test_a_line_in_lower_case_after_a_tables_last_activity_ends_its_title() -> None:
    """The Уссурийск детдом 2015-16 scan: the last line of item 16's title («внешний вид
    учащегося». (1-4 кл») stands under page 3's table, its row's rules lost; read as text (or
    as a row across the next table) it opened a section that held the next twenty activities.
    A line in lower case right after a table's last activity is the rest of its title."""
    first = table([HEADER, ["16.", "Беседа на тему: «Правила поведения в школе,", "15.09", "Педагоги"]])
    first.rows = [Row(i, page=3) for i in range(2)]
    second = table([["17.", "Беседа о безопасности", "17.09", "Педагоги"]])
    second.rows = [Row(0, page=4)]
    tail = Paragraph("внешний вид учащегося». (1-4 кл", page=3)
    plan = plan_of(first, tail, second)
    assert [a.title for a in plan.activities] == [
        "Беседа на тему: «Правила поведения в школе, внешний вид учащегося». (1-4 кл", "Беседа о безопасности"]
    assert plan.sections == []
    # the same line as the next table's first row, across the table
    across = table([["внешний вид учащегося». (1-4 кл"], ["17.", "Беседа о безопасности", "17.09", "Педагоги"]])
    plan = plan_of(first, across)
    assert plan.activities[0].title.endswith("внешний вид учащегося». (1-4 кл") and plan.sections == []
    assert not [w for w in plan.warnings if w.code == "row_lost"]
    # a heading in capitals there opens a section as before
    plan = plan_of(first, table([["ВНЕКЛАССНАЯ РАБОТА"], ["17.", "Беседа о безопасности", "17.09", "Педагоги"]]))
    assert [s.title for s in plan.sections] == ["ВНЕКЛАССНАЯ РАБОТА"]
