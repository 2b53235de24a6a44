"""Time of one plan table of 1,000, 4,000 and 20,000 rows, end to end (`extract`), to show the
growth is linear (issue 15: it was quadratic, 20,000 rows took more than 580 s).

    python bench/bench_large_table.py [--rows 1000 4000 20000] [--check]

The Word file is written here as raw WordprocessingML (python-docx adds rows one by one, too
slowly for this): a header row «№ | Мероприятие | Срок | Ответственный», then numbered rows
with a month and a department. Times are CPU seconds of this process (time.process_time),
cold: the first extraction in the process is a warm-up on the smallest table and not counted.
--check fails when 20,000 rows take 30 s or more, or when the time per row grows by more than
2.5× from the smallest table to the largest.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402

MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь"]
LIMIT_S = 30.0
MAX_GROWTH = 2.5

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/>
</Relationships>"""
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell(text: str) -> str:
    return f"<w:tc><w:p><w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p></w:tc>"


def _row(cells: list[str]) -> str:
    return "<w:tr>" + "".join(_cell(c) for c in cells) + "</w:tr>"


def write_plan(path: Path, rows: int) -> None:
    body = [f"<w:p><w:r><w:t>План мероприятий на 2024 год ({rows} строк)</w:t></w:r></w:p>",
            "<w:tbl><w:tblGrid>" + "<w:gridCol w:w=\"2000\"/>" * 4 + "</w:tblGrid>",
            _row(["№ п/п", "Мероприятие", "Срок", "Ответственный"])]
    for i in range(1, rows + 1):
        body.append(_row([f"{i}.", f"Проведение совещания по вопросу номер {i}", MONTHS[i % 12] + " 2024",
                          f"Отдел образования № {i % 7 + 1}"]))
    body.append("</w:tbl>")
    document = (f"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"{_W}\">"
                f"<w:body>{''.join(body)}</w:body></w:document>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)


def time_rows(rows: int, folder: Path) -> tuple[float, int]:
    path = folder / f"plan_{rows}.docx"
    write_plan(path, rows)
    start = time.process_time()
    plan = extract(path)
    return time.process_time() - start, len(plan.activities)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 4000, 20000])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-table-") as tmp:
        folder = Path(tmp)
        time_rows(min(args.rows), folder)  # warm-up: vocabularies, morphology
        results = [(rows, *time_rows(rows, folder)) for rows in args.rows]
    print(f"{'rows':>7} {'activities':>10} {'CPU s':>8} {'ms/row':>7}")
    for rows, seconds, activities in results:
        print(f"{rows:>7} {activities:>10} {seconds:>8.2f} {1000 * seconds / rows:>7.3f}")
    first, last = results[0], results[-1]
    growth = (last[1] / last[0]) / (first[1] / first[0])
    print(f"time per row, largest against smallest table: {growth:.2f}×")
    ok = all(a == r for r, _, a in results) and last[1] < LIMIT_S and growth <= MAX_GROWTH
    if args.check and not ok:
        print(f"FAILED: every row an activity, under {LIMIT_S:g} s, growth at most {MAX_GROWTH}×")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
