"""The `roadmap` command: a thin layer over extractor.extract.

Everything it says to a person is Russian: our help texts and messages are written so, and
click's own strings (Usage:, Options:, its errors) come from the catalog in workflow/locale.
Codes (error codes, option names, JSON keys) stay English.
"""

from __future__ import annotations

import gettext
import importlib
import logging
import sys
from pathlib import Path
from typing import Any

import click

from extractor.output import error_document, to_json, write_atomic
from models import Plan
from models.schema import render
from parsers.errors import ExtractionError
from service.cli import keys_group, serve_command, worker_command
from workflow.batch import batch_command
from workflow.check import check_command
from workflow.cli_options import extraction_options
from workflow.compare_cli import compare_command
from workflow.debug import debug_command
from workflow.diff import diff_command
from workflow.export import export_command
from workflow.hints import OptionLayers
from workflow.limits import deadline
from workflow.validate import validate_command

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "roadmap"  # workflow/locale/ru/LC_MESSAGES/roadmap.mo: click's strings in Russian


def click_in_russian() -> None:
    """Make click's own strings Russian for the rest of the process.

    click translates with the module functions of gettext (`from gettext import gettext as _`),
    which take the language from LANGUAGE, LC_ALL, LC_MESSAGES or LANG: setting one of those
    would reach the programs we start (LibreOffice) and still lose to a user's LANGUAGE, and
    gettext.textdomain() would move every library's lookups to our domain. So the catalog is
    opened with its language named, and only click's modules are pointed at it: their `_` and
    `ngettext`. Without the catalog (a broken install) click stays English.
    """
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=["ru"], fallback=True)
    importlib.import_module("click._termui_impl")  # click imports it when first needed
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if getattr(module, "_", None) is gettext.gettext:
            setattr(module, "_", catalog.gettext)  # noqa: B010  (a module's global, set from outside)
        if getattr(module, "ngettext", None) is gettext.ngettext:
            setattr(module, "ngettext", catalog.ngettext)  # noqa: B010


class RoadmapGroup(click.Group):
    """The `roadmap` group: click's strings are made Russian before it parses anything (from
    the console script and from click.testing.CliRunner alike)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        click_in_russian()
        return super().main(*args, **kwargs)


@click.group(cls=RoadmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
# the help and the message are made when this module is imported, before click_in_russian()
@click.version_option(package_name="roadmap-extractor", help="Показать версию и выйти.",
                      message="%(prog)s, версия %(version)s")
@click.option("-v", "--verbose", count=True,
              help="Писать в stderr, что делает извлечение (-v — шаги, -vv — подробности).")
def main(verbose: int) -> None:
    """Муниципальные планы «дорожная карта» — в канонический JSON."""
    if verbose:  # our packages only: the libraries' own chatter stays at warnings
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        for package in ("parsers", "lang", "extractor", "workflow"):
            logging.getLogger(package).setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Файл результата (один вход) или папка (несколько входов); без него — стандартный вывод.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=600.0, show_default=True,
              help="Сколько секунд может занять один файл, прежде чем он завершится ошибкой `timeout`.")
@extraction_options
def extract(files: tuple[Path, ...], output: Path | None, timeout: float, options: OptionLayers) -> None:
    """Извлечь план каждого FILE в канонический JSON.

    Код выхода 0, когда из каждого файла получен план, 1 — если хотя бы для одного вместо
    плана получен объект ошибки.
    """
    from extractor import extract as run

    if len(files) > 1 and output is not None and output.suffix.lower() == ".json":
        raise click.UsageError("при нескольких входах -o называет папку, а не файл .json")
    stems = [p.stem for p in files]
    if output is not None and len(set(stems)) < len(stems):
        raise click.UsageError("у двух входов одно имя файла: их результаты совпали бы (используйте roadmap batch)")
    failed = False
    for path in files:
        try:
            with deadline(timeout):
                plan = run(path, options.for_file(path))
            text = to_json(plan)
        except ExtractionError as exc:
            failed = True
            text = to_json(error_document(exc, path.name))
            click.echo(f"{path.name}: {exc.code}: {exc.message}", err=True)
        if output is None:
            click.echo(text, nl=False)
        elif len(files) == 1 and output.suffix.lower() == ".json":
            write_atomic(output, text)
        else:
            write_atomic(output / f"{path.stem}.json", text)
    sys.exit(1 if failed else 0)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Записать в файл.")
def schema(output: Path | None) -> None:
    """Вывести JSON Schema канонического плана."""
    text = render(Plan)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


main.add_command(batch_command)
main.add_command(export_command)
main.add_command(validate_command)
main.add_command(compare_command)
main.add_command(debug_command)
main.add_command(check_command)
main.add_command(diff_command)
main.add_command(serve_command)
main.add_command(worker_command)
main.add_command(keys_group)


if __name__ == "__main__":
    main()
