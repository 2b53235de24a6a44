"""`roadmap validate`: check JSON files against the shipped JSON Schema.

A plan is checked against roadmap.schema.json, an error object against error.schema.json.
Every error is printed with its JSON path ("$.activities[3].schedule.kind"). Where the
schema allows a value or null (pydantic's optional fields), the error names what is wrong
inside the value rather than "not valid under any of the given schemas".
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from models.schema import SCHEMA_DIR

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

PLAN_SCHEMA = "roadmap.schema.json"
ERROR_SCHEMA = "error.schema.json"
_SHORT = reprlib.Repr()
_SHORT.maxstring = 60  # long cell texts in messages are cut
_SHORT.maxother = 60


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path of the offending value
    message: str


def json_files(arguments: Sequence[Path]) -> Iterator[Path]:
    """The JSON files named: files as given, folders walked (batch reports left out)."""
    for path in arguments:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.json") if not p.name.startswith(("_", ".")))
        else:
            yield path


@cache
def validator(name: str) -> Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_for(data: Any) -> str:
    """An error object is {"error": …} alone; anything else is held to the plan schema."""
    return ERROR_SCHEMA if isinstance(data, dict) and set(data) == {"error"} else PLAN_SCHEMA


def problems(data: Any) -> list[Problem]:
    """Every schema error of a parsed document, in document order of the paths."""
    found = [leaf for error in validator(schema_for(data)).iter_errors(data) for leaf in _leaves(error)]
    found.sort(key=lambda e: (_position(data, e.absolute_path), e.message))
    return [Problem(e.json_path, _message(e)) for e in found]


def _position(data: Any, path: Iterable[str | int]) -> list[int]:
    """Where a path lies in the document: the index of each key or item along it."""
    position, node = [], data
    for step in path:
        if isinstance(node, dict) and step in node:
            position.append(list(node).index(step))
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            position.append(step)
            node = node[step]
        else:
            position.append(-1)
            node = None
    return position


def check_file(path: Path) -> list[Problem]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        return [Problem("$", f"не текст UTF-8 (байт {exc.start})")]
    except json.JSONDecodeError as exc:
        return [Problem("$", f"не JSON: {exc.msg}, строка {exc.lineno}, столбец {exc.colno}")]
    except OSError as exc:
        return [Problem("$", f"файл не читается: {exc.strerror}")]
    return problems(data)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The error itself, or for "value or null" the errors inside the value."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        left = [subs for subs in branches.values() if not (error.instance is not None and _only_not_null(subs))]
        if len(left) == 1:
            for sub in left[0]:
                yield from _leaves(sub)
            return
    yield error


def _only_not_null(errors: list[ValidationError]) -> bool:
    return all(e.validator == "type" and e.validator_value == "null" for e in errors)


def _message(error: ValidationError) -> str:
    """jsonschema's message with the offending value shortened."""
    full = repr(error.instance)
    if error.message.startswith(full):
        return _SHORT.repr(error.instance) + error.message[len(full):]
    return error.message


@click.command("validate", short_help="Проверить файлы JSON планов по JSON Schema.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def validate_command(inputs: tuple[Path, ...]) -> None:
    """Проверить файлы JSON планов (или папки с ними) по JSON Schema.

    Каждая ошибка печатается строкой ФАЙЛ: ПУТЬ-JSON: сообщение. Код выхода 0, когда все
    файлы верны, иначе 1.
    """
    files = list(json_files(inputs))
    if not files:
        raise click.UsageError("во входах нет файлов JSON")
    invalid = errors = 0
    for path in files:
        found = check_file(path)
        if not found:
            click.echo(f"{path}: ошибок нет")
            continue
        invalid += 1
        errors += len(found)
        for problem in found:
            click.echo(f"{path}: {problem.path}: {problem.message}")
    click.echo(f"файлов: {len(files)}, верных: {len(files) - invalid}, с ошибками: {invalid} (ошибок: {errors})",
               err=True)
    raise SystemExit(1 if invalid else 0)
