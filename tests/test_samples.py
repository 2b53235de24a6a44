"""The sample Word files re-create the seed plans: every text of a seed is in its sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from tests.seedtext import ROOT, SAMPLES, contains_run, fragments, tokens

SAMPLE_DIR = ROOT / "samples"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _ordered_lists(document: docx.document.Document) -> set[str]:
    """numIds whose first level is numbered (decimal), not bulleted."""
    numbering = document.part.numbering_part.element
    decimal = {
        ab.get(f"{W}abstractNumId")
        for ab in numbering.findall(f"{W}abstractNum")
        if (fmt := ab.find(f"{W}lvl/{W}numFmt")) is not None and fmt.get(f"{W}val") == "decimal"
    }
    return {
        num.get(f"{W}numId")
        for num in numbering.findall(f"{W}num")
        if num.find(f"{W}abstractNumId").get(f"{W}val") in decimal
    }


def docx_tokens(path: Path) -> list[str]:
    """All text of a Word file in document order, read with python-docx alone (so the check
    does not depend on the project's own parser); merged cells counted once."""
    document = docx.Document(str(path))
    ordered = _ordered_lists(document)
    counters: dict[str, int] = {}
    out: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            num_id = child.find(f".//{W}numId")
            if num_id is not None and num_id.get(f"{W}val") in ordered:
                key = num_id.get(f"{W}val")
                counters[key] = counters.get(key, 0) + 1
                out.append(str(counters[key]))  # the list number Word prints
            out += tokens("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    out += tokens(cell.text)
    return out


@pytest.mark.parametrize("seed", sorted(SAMPLES))
def test_every_seed_text_is_in_the_sample(seed: str) -> None:
    text = docx_tokens(SAMPLE_DIR / f"{SAMPLES[seed]}.docx")
    missing = [f for f in fragments(seed) if not contains_run(text, tokens(f))]
    assert not missing, f"{len(missing)} seed fragments missing from the sample: {missing[:5]}"


def test_samples_are_built_from_their_sources(tmp_path: Path) -> None:
    """The committed .docx files are exactly what the generator makes of samples/src/."""
    subprocess.run([sys.executable, str(SAMPLE_DIR / "build_samples.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for name in SAMPLES.values():
        built = (tmp_path / f"{name}.docx").read_bytes()
        committed = (SAMPLE_DIR / f"{name}.docx").read_bytes()
        assert built == committed, f"{name}.docx is stale: run python samples/build_samples.py"
