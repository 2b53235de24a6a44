"""The `roadmap` command: a thin layer over extractor.extract."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="roadmap-extractor")
@click.option("-v", "--verbose", count=True, help="Log what the extractor does (-v steps, -vv details) to stderr.")
def main(verbose: int) -> None:
    """Turn municipal "дорожная карта" plans into canonical JSON."""
    if verbose:  # our packages only: the libraries' own chatter stays at warnings
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        for package in ("parsers", "lang", "extractor", "workflow"):
            logging.getLogger(package).setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (one input) or folder (several inputs); stdout when absent.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=600.0, show_default=True,
              help="Seconds one file may take before it fails with `timeout`.")
@extraction_options
def extract(files: tuple[Path, ...], output: Path | None, timeout: float, options: OptionLayers) -> None:
    """Extract the plan of each FILE as canonical JSON.

    Exit 0 when every file gave a plan, 1 when any gave an error object instead.
    """
    from extractor import extract as run

    if len(files) > 1 and output is not None and output.suffix.lower() == ".json":
        raise click.UsageError("several inputs need -o to name a folder, not a .json file")
    stems = [p.stem for p in files]
    if output is not None and len(set(stems)) < len(stems):
        raise click.UsageError("two inputs share a base name; their outputs would collide (use roadmap batch)")
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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the canonical plan."""
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
