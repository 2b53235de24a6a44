"""Scanned PDF pages with a text layer: the layer is replaced by our OCR (with a warning naming
the page) unless it is a good layer that beats ours and OCR found no table it lacks."""

from __future__ import annotations

from parsers.layout import Block, Cell, Paragraph, Row, Table
from parsers.pdf import DEFAULT, _keep_better_layers, _Page, known_share

GOOD = ["Проведение", "совещания", "руководителей", "учреждений", "образования", "района"] * 3
GARBAGE = ["Пршведенце", "сшвещанця", "рукшвшдцтелей", "учрежденцй", "шбразшванця", "ращшна"] * 3


def page(number: int, share: float, scan: bool = True) -> _Page:
    return _Page(number, 595.0, 842.0, [], [], glyphs=500, images=1, scan=scan, known_share=share)


def ocr_table(text: str) -> list[Block]:
    return [Table(n_cols=1, rows=[Row(0)], cells=[Cell(0, 0, [Paragraph(text)])], page=1)]


def test_known_share_tells_words_from_garbage() -> None:
    assert known_share(GOOD, DEFAULT.min_words) > 0.9
    assert known_share(GARBAGE, DEFAULT.min_words) < 0.2
    assert known_share(["abc"] * 50, DEFAULT.min_words) == 1.0  # Latin only: no judgement


def test_a_scan_layer_is_replaced_and_named() -> None:
    ocr = {1: ocr_table(" ".join(GOOD))}
    warnings = _keep_better_layers([page(1, 0.95)], ocr, DEFAULT)
    assert 1 in ocr  # OCR found a table the layer lacks
    assert warnings[0][0] == "text_layer_replaced" and warnings[0][1].startswith("страница 1:")


def test_a_better_layer_is_kept() -> None:
    ocr: dict[int, list[Block]] = {2: [Paragraph(" ".join(GARBAGE))]}
    assert _keep_better_layers([page(2, 0.95)], ocr, DEFAULT) == []
    assert ocr == {}


def test_a_garbage_layer_without_an_image_goes_to_ocr() -> None:
    ocr: dict[int, list[Block]] = {3: [Paragraph(" ".join(GOOD))]}
    warnings = _keep_better_layers([page(3, 0.1, scan=False)], ocr, DEFAULT)
    assert 3 in ocr and "почти без слов" in warnings[0][1]
