"""The layers of the code import downward only: models <- lang <- parsers <- extractor <- workflow <- service <- cli.

The service (issue 13) is a top layer beside the CLI: it drives the workflow and nothing but the
CLI imports it.

Every module of those packages is read with `ast`; imports at module level and inside
functions (lazy ones) both count, and so do imports under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import parsers

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("models", "lang", "parsers", "extractor", "workflow", "service", "cli")  # bottom to top
PACKAGES = LAYERS[:-1]
CLI = "workflow.cli"  # the `roadmap` command sits above the workflow it drives


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
    assert CLI in found, "the CLI module moved: update CLI"
    return found


def imported(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """(module, line) for every import of the module, resolved to absolute names; for
    `from a import b` both `a` and, when it is a module, `a.b`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                if f"{base}.{alias.name}" in modules():
                    yield f"{base}.{alias.name}", node.lineno


def layer(module: str) -> str | None:
    if module == CLI or module.startswith(CLI + "."):
        return "cli"
    top = module.split(".")[0]
    return top if top in PACKAGES else None


def edges() -> list[tuple[str, str, str, int]]:
    """(importer, imported, importer's file, line) between the project's own modules."""
    out = []
    for name, path in modules().items():
        for target, line in imported(name, path):
            if layer(target) is not None:
                out.append((name, target, str(path.relative_to(ROOT)), line))
    return out


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_walk_sees_every_layer() -> None:
    seen = {layer(name) for name in modules()}
    assert seen == set(LAYERS)
    assert any(t == "lang.vocab" for _, t, f, _ in edges() if f.startswith("parsers/"))  # a lazy one included


def test_no_import_goes_up() -> None:
    rank = {name: i for i, name in enumerate(LAYERS)}
    upward = [
        f"{file}:{line}: {source} ({layer(source)}) imports {target} ({layer(target)})"
        for source, target, file, line in edges()
        if rank[layer(target) or ""] > rank[layer(source) or ""]
    ]
    assert not upward, "\n".join(upward)


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _, _ in edges():
        a, b = layer(source), layer(target)
        if a is not None and b is not None and a != b:
            graph.setdefault(a, set()).add(b)
    assert cycle(graph) is None


def test_no_cycle_between_workflow_modules() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _, _ in edges():
        if source.startswith("workflow.") and target.startswith("workflow.") and target in modules():
            graph.setdefault(source, set()).add(target)
    assert "workflow.compare" in graph  # the walk found workflow's own imports
    assert cycle(graph) is None


@pytest.mark.parametrize("module", sorted(set(parsers.PARSERS.values())))
def test_parser_modules_declare_the_formats_they_are_registered_for(module: str) -> None:
    loaded = importlib.import_module(module)
    assert {kind for kind, name in parsers.PARSERS.items() if name == module} == loaded.FORMATS
    assert callable(loaded.read)


def test_refused_and_parsed_formats_do_not_overlap() -> None:
    assert not set(parsers.REFUSED) & set(parsers.PARSERS)
