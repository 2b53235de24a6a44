"""Word's own list numbers in a real plan's № column (the tier's conftest skips it without the corpus)."""

from __future__ import annotations

from parsers.docx import parse_docx
from tests.real.corpus import corpus_dir

# --- a real plan ------------------------------------------------------------------------

REAL_PLAN = "ussuriysk_cssu_plan_kompleksnoy_bezopasnosti_tsentra.docx"


def test_real_plan_numbers_restart_per_section() -> None:
    path = corpus_dir() / REAL_PLAN
    table = parse_docx(path).tables()[0]
    runs: list[list[str]] = []  # the № column's labels, one run per Roman-numeral section row
    for cell in table.cells:
        if cell.col != 0 or cell.row == 0:
            continue
        if cell.col_span == table.n_cols:
            runs.append([])
            continue
        assert cell.is_blank  # the number is Word's, not typed
        runs[-1] += [x.list.label for x in cell.paragraphs if x.list and x.list.label]
    # As LibreOffice prints the file: I 1-14, II 1-16, III 1-13, then 8, 11, 4 and 4 items.
    assert [len(run) for run in runs] == [14, 16, 13, 8, 11, 4, 4]
    assert all(run == [f"{n}." for n in range(1, len(run) + 1)] for run in runs)
