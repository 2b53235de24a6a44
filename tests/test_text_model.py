"""The text model both page readers produce (parsers/text_model.py): one Word and Line for the
PDF reader and OCR, and the one grouping of lines into paragraphs."""

from __future__ import annotations

from parsers import ocr_engine, pdf_text
from parsers.text_model import Line, Word, gap_pieces, group_lines


def test_both_readers_give_the_shared_types() -> None:
    assert pdf_text.Line is Line and pdf_text.Word is Word
    assert ocr_engine.Line is Line
    assert isinstance(ocr_engine.ocr_word("МБОУ", 91.0, (10, 20, 90, 50)), Word)


def test_a_recognized_word_keeps_its_box_and_confidence() -> None:
    word = Word.boxed("МБОУ", 91.0, (10, 20, 90, 50))
    assert word.box == (10, 20, 90, 50)
    assert (word.x0, word.top, word.x1, word.bottom) == (10, 20, 90, 50)
    assert (word.width, word.height, word.conf, word.size) == (80, 30, 91.0, 0.0)
    assert Word("план", 0.0, 10.0, 0.0, 12.0, 12.0).conf == 100.0  # a text layer is certain


def test_line_ends_are_the_reading_order_s_box_the_extent() -> None:
    # Tesseract may give a line's words out of left-to-right order: the box covers them all
    line = Line([Word.boxed("б", 90.0, (200, 10, 260, 40)), Word.boxed("а", 90.0, (100, 5, 150, 42))])
    assert (line.x0, line.x1) == (200, 150)
    assert line.box == (100, 5, 260, 42)
    assert line.text == "б а"


def test_group_lines_asks_the_reader_s_rule_about_each_neighbour_pair() -> None:
    lines = [Line([Word(t, 0.0, 10.0, top, top + 10.0)]) for t, top in
             [("a", 0.0), ("b", 12.0), ("c", 40.0), ("d", 52.0), ("e", 64.0)]]
    asked: list[tuple[str, str]] = []

    def close(prev: Line, line: Line) -> bool:
        asked.append((prev.text, line.text))
        return line.top - prev.bottom < 5.0

    assert [[ln.text for ln in g] for g in group_lines(lines, close)] == [["a", "b"], ["c", "d", "e"]]
    assert asked == [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]
    assert group_lines([], close) == []


def test_gap_pieces_cut_at_wide_white_and_keep_a_bullet_with_its_text() -> None:
    placed = [("•", 0.0, 4.0), ("Совещание", 20.0, 80.0), ("с", 83.0, 89.0), ("ОО", 92.0, 110.0),
              ("Март", 200.0, 230.0)]
    words = [Word(t, x0, x1, 0.0, 10.0, 10.0) for t, x0, x1 in placed]
    cut = gap_pieces(words, lambda w: 0.6 * w.size)
    assert [[w.text for w in p] for p in cut] == [["•"], ["Совещание", "с", "ОО"], ["Март"]]
    kept = gap_pieces(words, lambda w: 0.6 * w.size, keep=1)
    assert [[w.text for w in p] for p in kept] == [["•", "Совещание", "с", "ОО"], ["Март"]]
    assert gap_pieces(words, lambda _: 90.0) == [words[:4], words[4:]]  # the gap is at least the limit: cut
