"""The messages a person reads, as written in the code: every error the extractor and the
service raise (`ExtractionError`, `ApiError`) and every warning (`Warning(message=…)` and the
parsers' `(code, message)` pairs) is Russian. Read from the source (the AST), so that a
message no sample happens to trigger is checked too; the literal parts of f-strings count,
the values put into them (file names, the document's own text) do not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.english import ENGLISH

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "lang", "parsers", "extractor", "workflow", "service")
RAISED = {"ExtractionError": 1, "ApiError": 2}  # the message's position among the arguments


def literal(node: ast.expr) -> str | None:
    """The text a person will read of a str constant or an f-string (values left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ‹…› ".join(part.value for part in node.values
                            if isinstance(part, ast.Constant) and isinstance(part.value, str))
    return None


def messages(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        candidates: list[ast.expr] = [k.value for k in node.keywords if k.arg in ("message", "detail")]
        if name in RAISED and len(node.args) > RAISED[name]:
            candidates.append(node.args[RAISED[name]])
        if name == "append" and node.args and isinstance(node.args[0], ast.Tuple) \
                and len(node.args[0].elts) == 2 and getattr(node.func, "value", None) is not None \
                and "warnings" in ast.unparse(node.func):
            candidates.append(node.args[0].elts[1])  # document.warnings.append((code, message))
        for candidate in candidates:
            text = literal(candidate)
            if text is not None:
                found.append((node.lineno, text))
    return found


SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")
                 if "migrations" not in p.parts)


def test_the_walk_finds_the_messages() -> None:
    everything = [text for path in SOURCES for _, text in messages(path)]
    assert len(everything) > 50  # the extractor's, the parsers' and the service's messages
    assert any("PDF защищён паролем" in text for text in everything)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_messages_are_russian(path: Path) -> None:
    english = [(line, text) for line, text in messages(path) if ENGLISH.search(text)]
    assert not english, english
