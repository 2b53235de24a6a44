"""The `roadmap compare` command (thin: the work is in compare.py, imported when run, so
that the other commands do not load scikit-learn). Everything it prints is Russian."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("compare", short_help="Сравнить планы: карточки, темы, сроки, ответственные.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "html", type=click.Path(dir_okay=False, path_type=Path),
              help="Куда записать отчёт HTML.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Записать таблицы отчёта и в книгу Excel (или только в неё).")
def compare_command(inputs: tuple[Path, ...], html: Path | None, xlsx: Path | None) -> None:
    """Сравнить планы разных муниципалитетов: карточки полноты, темы × планы, сроки, ответственные.

    INPUTS — файлы канонического JSON или папки с ними (как их пишет `roadmap batch`); объекты
    ошибки перечисляются в отчёте, но не сравниваются, отчёт пакетной обработки пропускается.
    Код выхода 1, если входной файл — не JSON плана.
    """
    from workflow.compare import PlanFileError, Writer, run, write_html

    if html is None and xlsx is None:
        raise click.UsageError("укажите, что записать: -o отчёт.html и/или --xlsx отчёт.xlsx")
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
    for name in comparison.reports:
        click.echo(f"{name}: отчёт пакетной обработки, пропущен", err=True)
    for skipped in comparison.skipped:
        click.echo(f"{skipped.filename}: не сравнивался — {skipped.reason} ({skipped.code})", err=True)
    for view in comparison.review:
        click.echo(f"проверить: {view.label} — {'; '.join(comparison.cards[view.index].concerns)}", err=True)
    click.echo(f"планов: {len(comparison.plans)}, общих тем: {len(comparison.shared)}, "
               f"требуют проверки: {len(comparison.review)}", err=True)
