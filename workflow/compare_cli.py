"""The `roadmap compare` command (thin: the work is in compare.py, imported when run, so
that the other commands do not load scikit-learn)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("compare")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "html", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML report to write.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also (or only) write the report's tables as an Excel workbook.")
def compare_command(inputs: tuple[Path, ...], html: Path | None, xlsx: Path | None) -> None:
    """Compare plans side by side: topics x municipalities, timelines, responsibility, counts.

    INPUTS are canonical JSON files (or folders of them, as `roadmap batch` writes);
    error objects among them are listed in the report, not compared. Exit 1 when an
    input is not a canonical plan.
    """
    from workflow.compare import PlanFileError, Writer, run, write_html

    if html is None and xlsx is None:
        raise click.UsageError("name an output: -o report.html and/or --xlsx report.xlsx")
    outputs: list[tuple[Writer, Path]] = []
    if html is not None:
        outputs.append((write_html, html))
    if xlsx is not None:
        from workflow.compare_xlsx import write_xlsx

        outputs.append((write_xlsx, xlsx))
    try:
        comparison = run(list(inputs), outputs)
    except (PlanFileError, ValueError) as exc:
        click.echo(f"roadmap compare: {exc}", err=True)
        sys.exit(1)
    for skipped in comparison.skipped:
        click.echo(f"{skipped.filename}: not compared ({skipped.code})", err=True)
    click.echo(f"{len(comparison.plans)} plans, {len(comparison.shared)} shared topics", err=True)
