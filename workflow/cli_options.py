"""The extraction options on the command line: one decorator for every command that extracts
(extract, batch, debug), building the run's option layers (workflow.hints.OptionLayers): an
options file, then each plan's hints file, then what was typed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from extractor.options import OptionsError
from workflow.hints import OptionLayers, typed_hints

F = TypeVar("F", bound=Callable[..., Any])
_NAMES = ("options_file", "period", "academic", "municipality", "column", "no_ocr", "language_data", "setting")


def extraction_options(command: F) -> F:
    """Add the hint and setting options; the command receives `options: OptionLayers` instead
    (`options.for_file(path)` gives one plan's Options)."""
    decorators = [
        click.option("--options", "options_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Файл настроек YAML или JSON (те же ключи, что принимает сервис); параметры ниже "
                          "переопределяют его."),
        click.option("--period", metavar="ГОД[-ГОД]",
                     help="Период плана, если документ его не называет или называет неверно: "
                          "2020, 2020-2021, \"2020/2021 учебный\"."),
        click.option("--academic", is_flag=True, help="--period — учебный год (с сентября по август)."),
        click.option("--municipality", help="Муниципалитет, к которому относится план."),
        click.option("--column", multiple=True, metavar="N=ROLE",
                     help="Роль столбца N таблицы (N — как columns[].index в JSON): number, activity, "
                          "schedule, responsible, result, other. Можно повторять."),
        click.option("--no-ocr", is_flag=True,
                     help="Не распознавать текст (OCR): сканы завершаются ошибкой ocr_unavailable."),
        click.option("--language-data", type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="Папка словарей YAML, которые заменяют встроенные словари с теми же именами."),
        click.option("--setting", multiple=True, metavar="KEY=VALUE",
                     help="Настройка этапа, например pdf.running_zone=0.12 или ocr_settings.dpi=200. "
                          "Можно повторять."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _NAMES}
        kwargs["options"] = build_options(**values)
        return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def build_options(options_file: Path | None = None, period: str | None = None, academic: bool = False,
                  municipality: str | None = None, column: tuple[str, ...] = (), no_ocr: bool = False,
                  language_data: Path | None = None, setting: tuple[str, ...] = ()) -> OptionLayers:
    """The run's options from the command line's values, checked now so that a mistake stops
    the command before any file is read (click.BadParameter with the reason)."""
    data: Any = {}
    if options_file is not None:
        try:
            data = yaml.safe_load(options_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise click.BadParameter(f"файл настроек не прочитан: {exc}", param_hint="--options") from exc
        if not isinstance(data, dict):
            raise click.BadParameter("файл настроек должен содержать словарь", param_hint="--options")
    if academic and period is None:
        raise click.BadParameter("--academic нужен вместе с --period", param_hint="--academic")
    typed = typed_hints(period, academic, municipality, dict(_pair(c, "--column") for c in column),
                        False if no_ocr else None)
    if language_data is not None:
        typed["language_data"] = language_data
    for item in setting:
        key, value = _pair(item, "--setting")
        *path, last = key.split(".")
        node = typed
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise click.BadParameter(f"{key}: {part} не группа настроек", param_hint="--setting")
        node[last] = yaml.safe_load(value) if value else value
    layers = OptionLayers(base=data if options_file is not None else {}, explicit=typed)
    try:
        layers.resolve()
    except OptionsError as exc:
        raise click.BadParameter(str(exc)) from exc
    return layers


def _pair(text: str, hint: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"«{text}»: нужно КЛЮЧ=ЗНАЧЕНИЕ", param_hint=hint)
    return key.strip(), value.strip()


__all__ = ["build_options", "extraction_options"]
