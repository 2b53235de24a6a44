"""Independent check: the words of every table, read straight from the file, reach the JSON.

Nothing here goes through our parsers. Word files: all `w:t` text inside top-level `w:tbl`
elements of word/document.xml (nested tables included, deleted runs and the duplicate
mc:Fallback copy of text boxes excluded); .doc/.rtf/.odt are first converted to .docx by
LibreOffice. Text PDFs: the words pdfplumber places inside the tables its `find_tables()`
finds (ruled tables; simple and strict enough for these files). A row identical to the
table's first row (a repeated header) is not counted. Scans are not part of this check.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.real.corpus import (
    WORD_FAMILY,
    converted_docx,
    corpus_dir,
    expectations,
    extract_json,
    is_error,
    soffice,
    words,
)

MIN_SHARE = 0.99
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _skipped_ancestor(node: Any, stop: Any) -> bool:
    """Deleted text and the fallback copy of a text box are not text of the document."""
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in (f"{W}del", MC_FALLBACK):
            return True
        parent = parent.getparent()
    return False


def _row_text(row: Any) -> str:
    """Runs of one paragraph join without a space (a word may be split over runs); paragraphs with one."""
    paragraphs: dict[Any, list[str]] = {}
    for node in row.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if _skipped_ancestor(node, row):
            continue
        paragraph = next((a for a in node.iterancestors(f"{W}p")), row)
        text = (node.text or "") if node.tag == f"{W}t" else " "
        paragraphs.setdefault(paragraph, []).append(text)
    return " ".join("".join(parts) for parts in paragraphs.values())


def docx_table_words(path: Path) -> Counter[str]:
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    counts: Counter[str] = Counter()
    for table in root.iter(f"{W}tbl"):
        if any(a.tag == f"{W}tbl" for a in table.iterancestors()):
            continue  # a nested table is counted with the table holding it
        rows = table.findall(f"{W}tr")
        first = words(_row_text(rows[0])) if rows else []
        for i, row in enumerate(rows):
            row_words = words(_row_text(row))
            if i > 0 and row_words and row_words == first:
                continue  # repeated header row
            counts.update(row_words)
    return counts


def _white(colour: object) -> bool:
    values = colour if isinstance(colour, tuple | list) else (colour,)
    return bool(values) and all(isinstance(v, int | float) and v >= 0.95 for v in values)


def _visible(obj: dict[str, object]) -> bool:
    """Not a rectangle filled white without an outline: such a box draws nothing on white paper."""
    return not (obj.get("object_type") == "rect" and not obj.get("stroke") and _white(obj.get("non_stroking_color")))


def pdf_table_words(path: Path) -> Counter[str]:
    import pdfplumber

    counts: Counter[str] = Counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page = page.filter(_visible)  # white boxes behind prose are no table a reader sees
            for table in page.find_tables():
                area = page.within_bbox(table.bbox)
                rows = table.extract()
                first = words(" ".join(c or "" for c in rows[0])) if rows else []
                repeated = [words(" ".join(c or "" for c in r)) for r in rows[1:]].count(first) if first else 0
                table_words = Counter(words(" ".join(w["text"] for w in area.extract_words())))
                for _ in range(repeated):
                    table_words -= Counter(first)
                counts.update(table_words)
    return counts


def table_words(name: str) -> Counter[str]:
    suffix = Path(name).suffix.lower()
    path = corpus_dir() / name
    if suffix == ".docx":
        return docx_table_words(path)
    if suffix in WORD_FAMILY:
        if soffice() is None:
            pytest.skip("LibreOffice (soffice) is not installed: .doc/.rtf/.odt cannot be read independently")
        return docx_table_words(converted_docx(name))
    if suffix == ".pdf":
        return pdf_table_words(path)
    pytest.skip(f"no independent word reader for {suffix}")
    raise AssertionError  # unreachable: pytest.skip raises


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "source":  # file name and hash are not document text
                yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def json_words(result: dict[str, Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in json_strings(result):
        counts.update(words(text))
    return counts


def rejoined(missing: Counter[str], expected: Counter[str], have: Counter[str]) -> Counter[str]:
    """Pieces of a word the layout cut at a line end without a hyphen («Соглашен» / «ие»,
    «сотрудник» / «и»): the reader splits them, the JSON has them joined. A missing piece counts
    as found where a JSON word is that piece joined to another word of the same tables."""
    out: Counter[str] = Counter()
    joined = [w for w in have if len(w) > 1]
    for piece, count in sorted(missing.items()):
        for _ in range(count):
            word = next((w for w in joined if have[w] > 0 and w != piece and (
                (w.startswith(piece) and expected[w[len(piece):]] > 0)
                or (w.endswith(piece) and expected[w[:-len(piece)]] > 0))), None)
            if word is None:
                break
            have[word] -= 1
            out[piece] += 1
    return out


def coverage_cases() -> list[Any]:
    params = []
    for exp in expectations():
        if exp.get("kind", "plan") != "plan" or exp.get("ocr", False):
            continue
        marks = []
        if "word_coverage" in exp["xfail"]:
            marks.append(pytest.mark.xfail(strict=True, reason=str(exp["xfail"]["word_coverage"])))
        params.append(pytest.param(exp, id=exp["file"], marks=marks))
    return params


@pytest.mark.parametrize("exp", coverage_cases())
def test_word_coverage(exp: dict[str, Any]) -> None:
    name = exp["file"]
    if not (corpus_dir() / name).is_file():
        pytest.skip(f"{name} is not in the corpus folder {corpus_dir()}")
    expected = table_words(name)
    if not expected:
        pytest.skip(f"{name}: no table words found by the independent reader")
    result = extract_json(name)
    assert not is_error(result), f"expected a plan, got error {result['error']}"
    have = json_words(result)
    found = expected & have
    found.update(rejoined(expected - found, expected, Counter(have)))
    total, hit = sum(expected.values()), sum(found.values())
    share = hit / total
    missing = list((expected - found).elements())
    assert share >= MIN_SHARE, (
        f"{hit}/{total} table words ({share:.3f}) reach the JSON; missing ({len(missing)}): {missing[:40]}"
    )
