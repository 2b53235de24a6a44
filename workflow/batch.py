"""`roadmap batch`: convert a folder of submissions in worker processes.

Inputs are files, folders (walked recursively), globs and .zip archives (nested ones too).
Each input gets one JSON in OUTDIR named `<stem>.<digest>.json`, the digest covering the
input's base name and content: two inputs with the same base name but different content
never collide, and the same file given again maps to the output it already has, so a
re-run skips it. OUTDIR/_report.json lists every input with its outcome.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Literal

import click

from extractor.options import DEFAULT, Options
from extractor.output import error_document, to_json, write_atomic
from models import ErrorCode, Plan
from parsers import sniff
from parsers.errors import ExtractionError
from workflow.batch_inputs import Input, InputError, collect_inputs, is_archive_name, materialize
from workflow.cli_options import extraction_options
from workflow.hints import OptionLayers
from workflow.limits import Expired, deadline, die_with_parent, limit_memory, memory_error, timeout_error

REPORT_NAME = "_report.json"
EXIT_SOME_FAILED = 3
# Not a contract error code: the extractor itself failed (a bug or a dead worker). Such inputs
# get no output JSON, since the contract's error object has no code for them; the report has it.
INTERNAL_ERROR: ErrorCode = "internal_error"
_WINDOWS_UNSAFE = str.maketrans({c: "_" for c in '<>:"/\\|?*'})

Status = Literal["converted", "skipped", "failed"]


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class BatchSettings:
    """Every knob of a batch run in one place."""

    workers: int = field(default_factory=default_workers)
    force: bool = False
    timeout: float | None = 600.0  # seconds per file; a scan of many pages through OCR takes minutes
    entry: str = "extractor:extract"  # module:function turning (path, options) into a Plan (tests swap it)
    options: OptionLayers = field(default_factory=OptionLayers)  # the run's options; each plan's hints file between
    digest_chars: int = 12  # hex digits of the name+content digest in output names
    max_stem_bytes: int = 150  # keeps `<stem>.<digest>.json` under the 255-byte file name limit
    max_zip_depth: int = 3  # archives inside archives, how deep
    memory_mb: int | None = 3072  # address space per worker; past it the file fails with too_large


# ---- output names and previous outputs ---------------------------------------------------


def output_name(item: Input, settings: BatchSettings) -> str:
    """`<stem>.<digest>.json`: the digest covers the base name and the content."""
    key = f"{item.filename}\0{item.sha256}" if item.sha256 else f"{item.display}\0unread"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[: settings.digest_chars]
    return f"{_safe_stem(item.filename, settings.max_stem_bytes)}.{digest}.json"


def _safe_stem(filename: str, max_bytes: int) -> str:
    stem = Path(filename).stem.translate(_WINDOWS_UNSAFE).lstrip(".") or "plan"
    encoded = stem.encode("utf-8")[:max_bytes]
    return encoded.decode("utf-8", errors="ignore")


def previous_plan(path: Path, item: Input, hints: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The plan an earlier run wrote for this very input (same name and content, extracted with
    the same hints), if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    source = data.get("source")
    if isinstance(source, dict) and source.get("sha256") == item.sha256 and source.get("filename") == item.filename \
            and source.get("hints", {}) == (hints or {}):
        return dict(data)
    return None


# ---- outcomes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """Why an input gave no plan: a contract error code (or internal_error) and a message."""

    code: str
    message: str


@dataclass(frozen=True)
class Outcome:
    status: Status
    format: str | None = None
    pages: int | None = None
    activities: int | None = None
    warnings: int | None = None
    error: Failure | None = None

    @classmethod
    def skipped(cls, plan: dict[str, Any]) -> Outcome:
        """The outcome of an input whose plan an earlier run wrote (read back from its JSON)."""
        source = plan.get("source", {})
        return cls(
            status="skipped",
            format=source.get("format"),
            pages=source.get("pages"),
            activities=len(plan.get("activities", [])),
            warnings=len(plan.get("warnings", [])),
        )

    @classmethod
    def failure(cls, code: str, message: str, kind: str | None = None) -> Outcome:
        return cls(status="failed", format=kind, error=Failure(code, message))


@dataclass(frozen=True)
class Job:
    item: Input
    output: Path
    timeout: float | None
    entry: str
    options: Options = DEFAULT
    memory_mb: int | None = None


# ---- the worker --------------------------------------------------------------------------


def _worker_init(memory_mb: int | None = None) -> None:
    # Ctrl-C is the parent's to handle: it stops handing out files and lets running ones finish.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    limit_memory(memory_mb)


@cache
def _entry(spec: str) -> Callable[[Path, Options], Plan]:
    module, _, name = spec.partition(":")
    function: Callable[[Path, Options], Plan] = getattr(importlib.import_module(module), name)
    return function


def convert(job: Job) -> Outcome:
    """Extract one input and write its JSON (a plan or the contract's error object)."""
    with tempfile.TemporaryDirectory(prefix="roadmap-batch-") as tmp:
        path = job.item.path
        try:
            path = materialize(job.item, Path(tmp))
            with deadline(job.timeout):
                plan = _entry(job.entry)(path, job.options)
            text = to_json(plan)
        except (ExtractionError, Expired, MemoryError) as exc:  # Expired: the timer fired as the block ended
            if isinstance(exc, ExtractionError):
                error = exc
            elif isinstance(exc, MemoryError):
                error = memory_error(job.memory_mb)
            else:
                error = timeout_error(job.timeout)
            write_atomic(job.output, to_json(error_document(error, job.item.filename)))
            return Outcome.failure(error.code, error.message, _kind(path))
        except Exception as exc:  # a bug must not stop the batch; the report names it
            return Outcome.failure(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}", _kind(path))
    write_atomic(job.output, text)
    return Outcome(
        status="converted",
        format=plan.source.format,
        pages=plan.source.pages,
        activities=len(plan.activities),
        warnings=len(plan.warnings),
    )


def _kind(path: Path) -> str | None:
    try:
        return sniff(path)
    except OSError:
        return None


# ---- the pool ----------------------------------------------------------------------------


@cache
def worker_context() -> BaseContext:
    # forkserver: workers fork from a clean server that imported the extractor once, not from
    # this process and its progress-bar thread (forking a threaded process can deadlock).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["workflow.worker_preload"])
        return context
    return multiprocessing.get_context("spawn")


Done = Callable[[Job, Outcome], None]
Running = Callable[[list[Job]], None]


def execute(jobs: list[Job], workers: int, done: Done, running: Running | None = None,
            memory_mb: int | None = None) -> None:
    """Run every job, calling done() as each finishes.

    A worker that dies (a crash in native code, the memory killer) breaks the whole pool; the
    unfinished jobs are then run again one at a time, where the first unfinished one is the
    one that killed its worker: it fails and the rest go on.
    """
    remaining, size = jobs, min(workers, len(jobs))
    while remaining:
        unfinished = _run_pool(remaining, size, done, running, memory_mb)
        if unfinished and size == 1:
            done(unfinished[0], Outcome.failure(INTERNAL_ERROR, "процесс обработки аварийно завершился на этом файле"))
            unfinished, size = unfinished[1:], min(workers, len(unfinished) - 1)
        elif unfinished:
            size = 1
        remaining = unfinished


def _run_pool(jobs: list[Job], size: int, done: Done, running: Running | None,
              memory_mb: int | None = None) -> list[Job]:
    """Run jobs in one pool; the jobs left unfinished when the pool broke, in submission order."""
    pool = ProcessPoolExecutor(max_workers=size, mp_context=worker_context(), initializer=_worker_init,
                               initargs=(memory_mb,))
    broken: set[int] = set()
    try:
        futures = {pool.submit(convert, job): n for n, job in enumerate(jobs)}
        waiting = dict.fromkeys(range(len(jobs)))  # insertion-ordered: workers take jobs in this order
        if running:
            running([jobs[k] for k in islice(waiting, size)])
        for future in as_completed(futures):
            n = futures[future]
            waiting.pop(n)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                broken.add(n)
                continue
            except Exception as exc:  # e.g. a result that cannot be sent back
                outcome = Outcome.failure(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
            done(jobs[n], outcome)
            if running:
                running([jobs[k] for k in islice(waiting, size)])
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [job for n, job in enumerate(jobs) if n in broken]


# ---- the run -----------------------------------------------------------------------------


@dataclass
class Entry:
    """One input of the run and what became of it."""

    item: Input
    output: str
    outcome: Outcome | None = None
    same_as: str | None = None  # an earlier input of this run with the same name and content

    def as_json(self) -> dict[str, Any]:
        if self.outcome is None:  # a report written while the run goes on
            return {"input": self.item.display, "archive": str(self.item.path) if self.item.members else None,
                    "member": self.item.member, "filename": self.item.filename, "sha256": self.item.sha256,
                    "output": None, "status": "pending", "same_as": self.same_as, "format": None, "pages": None,
                    "activities": None, "warnings": None, "error": None}
        outcome = self.outcome
        return {
            "input": self.item.display,
            "archive": str(self.item.path) if self.item.members else None,
            "member": self.item.member,
            "filename": self.item.filename,
            "sha256": self.item.sha256,
            "output": self.output,
            "status": outcome.status,
            "same_as": self.same_as,
            "format": outcome.format,
            "pages": outcome.pages,
            "activities": outcome.activities,
            "warnings": outcome.warnings,
            "error": {"code": outcome.error.code, "message": outcome.error.message} if outcome.error else None,
        }


@dataclass
class BatchReport:
    entries: list[Entry]
    elapsed: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for e in self.entries if e.outcome and e.outcome.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": {
                "inputs": len(self.entries),
                "converted": self.count("converted"),
                "skipped": self.count("skipped"),
                "failed": self.failed,
                "pending": sum(1 for e in self.entries if e.outcome is None),
            },
            "files": [e.as_json() for e in self.entries],
        }


class Progress:
    """What a run tells its caller as it goes (the CLI draws a progress bar from it)."""

    def start(self, total: int) -> None: ...

    def running(self, names: list[str]) -> None: ...

    def finished(self, entry: Entry) -> None: ...


def remove_leftovers(outdir: Path) -> list[Path]:
    """Temporary files of write_atomic's naming (".<name>.<random>.tmp") that a killed run left."""
    removed = []
    for path in outdir.glob(".*.tmp"):
        if path.is_file() and (".json." in path.name or ".xlsx." in path.name):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def run_batch(
    arguments: Sequence[str], outdir: Path, settings: BatchSettings, progress: Progress | None = None
) -> BatchReport:
    """Convert every input the arguments name into OUTDIR; write OUTDIR/_report.json."""
    started = time.perf_counter()
    items = collect_inputs(arguments, settings.max_zip_depth)
    entries = [Entry(item, output_name(item, settings)) for item in items]
    if not entries:
        raise InputError("во входах не найдено ни одного файла плана")
    outdir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(outdir)
    jobs = _plan_jobs(entries, outdir, settings)
    by_output: dict[str, list[Entry]] = {}
    for entry in entries:
        by_output.setdefault(entry.output, []).append(entry)
    sink = progress or Progress()
    sink.start(len(jobs))

    def done(job: Job, outcome: Outcome) -> None:
        if outcome.error and outcome.error.code == INTERNAL_ERROR:  # the worker could not write it
            error = ExtractionError(INTERNAL_ERROR, outcome.error.message)
            write_atomic(job.output, to_json(error_document(error, job.item.filename)))
        sharing = by_output[job.output.name]  # the input and its repeats in this run
        for entry in sharing:
            entry.outcome = outcome
        sink.finished(sharing[0])
        # after every file, so that a killed run leaves a report of what finished
        write_atomic(outdir / REPORT_NAME, json.dumps(BatchReport(entries, time.perf_counter() - started).as_json(),
                                                      ensure_ascii=False, indent=2) + "\n")

    def running(active: list[Job]) -> None:
        sink.running([job.item.display for job in active])

    # the largest first, so one big scan does not start last and leave the other workers idle
    execute(sorted(jobs, key=lambda job: -job.item.size), settings.workers, done, running, settings.memory_mb)
    report = BatchReport(entries, time.perf_counter() - started)
    write_atomic(outdir / REPORT_NAME, json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    return report


def _plan_jobs(entries: list[Entry], outdir: Path, settings: BatchSettings) -> list[Job]:
    """Settle what needs no worker (refusals, skips, repeats); the jobs for the rest."""
    jobs: list[Job] = []
    first: dict[str, Entry] = {}
    for entry in entries:
        item, target = entry.item, outdir / entry.output
        if entry.output in first:
            entry.same_as = first[entry.output].item.display
            continue
        first[entry.output] = entry
        if item.refusal:
            code, message = item.refusal
            write_atomic(target, to_json(error_document(ExtractionError(code, message), item.filename)))
            entry.outcome = Outcome.failure(code, message, "zip" if is_archive_name(item.filename) else None)
            continue
        try:
            options = settings.options.resolve() if item.members else settings.options.for_file(item.path)
        except ExtractionError as exc:  # its hints file
            write_atomic(target, to_json(error_document(exc, item.filename)))
            entry.outcome = Outcome.failure(exc.code, exc.message)
            continue
        previous = None if settings.force else previous_plan(target, item, options.hints())
        if previous is not None:
            entry.outcome = Outcome.skipped(previous)
            continue
        jobs.append(Job(item, target, settings.timeout, settings.entry, options, settings.memory_mb))
    for entry in entries:  # repeats of a settled input share its outcome now
        if entry.same_as and first[entry.output].outcome is not None:
            entry.outcome = first[entry.output].outcome
    return jobs


# ---- the command -------------------------------------------------------------------------

# how the table and the progress lines name a status (_report.json keeps the codes)
STATUS_NAMES: dict[Status, str] = {"converted": "обработан", "skipped": "пропущен (без изменений)", "failed": "ошибка"}


class RichProgress(Progress):
    """A progress bar on a terminal (count, current files, elapsed and remaining time);
    elsewhere (logs, CI) one line per finished file."""

    def __init__(self, console: Any) -> None:
        from rich import progress as bar

        self.console = console
        self.total = 0
        self.finished_count = 0
        self.bar = bar.Progress(
            bar.SpinnerColumn(),
            bar.BarColumn(),
            bar.MofNCompleteColumn(),
            bar.TimeElapsedColumn(),
            bar.TextColumn("•"),
            bar.TimeRemainingColumn(),
            bar.TextColumn("{task.fields[current]}", style="cyan"),
            console=console,
            disable=not console.is_terminal,
        )
        self.task = self.bar.add_task("обработка", total=None, current="")

    def start(self, total: int) -> None:
        self.total = total
        self.bar.update(self.task, total=total)
        self.bar.start()

    def running(self, names: list[str]) -> None:
        self.bar.update(self.task, current=", ".join(Path(n).name for n in names))

    def finished(self, entry: Entry) -> None:
        self.finished_count += 1
        self.bar.advance(self.task)
        if not self.console.is_terminal and entry.outcome:
            error = entry.outcome.error
            what = f"{error.code}: {error.message}" if error else STATUS_NAMES[entry.outcome.status]
            line = f"[{self.finished_count}/{self.total}] {entry.item.display}: {what}"
            self.console.print(line, highlight=False, markup=False, soft_wrap=True)

    def stop(self) -> None:
        self.bar.stop()


def summary_table(report: BatchReport) -> Any:
    """The end-of-run table: one row per input."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, header_style="bold")
    for header, justify in (("файл", "left"), ("формат", "left"), ("страниц", "right"), ("мероприятий", "right"),
                            ("предупреждений", "right"), ("итог", "left"), ("ошибка", "left")):
        table.add_column(header, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in report.entries:
        outcome = entry.outcome or Outcome.failure(INTERNAL_ERROR, "не обработан")
        status = f"то же, что {Path(entry.same_as).name}" if entry.same_as else STATUS_NAMES[outcome.status]
        cells = (
            entry.item.display,
            outcome.format or "",
            _cell(outcome.pages),
            _cell(outcome.activities),
            _cell(outcome.warnings),
            status,
            f"{outcome.error.code}: {outcome.error.message}" if outcome.error else "",
        )
        # Text, not markup: file names may hold "[…]"
        table.add_row(*(Text(c) for c in cells),
                      style="red" if outcome.error else ("dim" if outcome.status == "skipped" else None))
    return table


def _cell(value: int | None) -> str:
    return "–" if value is None else str(value)


@click.command("batch", short_help="Обработать много планов: файлы, папки, шаблоны имён, архивы .zip.")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Папка для JSON каждого входа и _report.json.")
@click.option("-j", "--workers", type=click.IntRange(min=1),
              help="Число рабочих процессов (по умолчанию — по одному на ядро).")
@click.option("--force", is_flag=True, help="Обработать заново и входы, у которых уже есть результат.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=BatchSettings.timeout,
              show_default=True,
              help="Сколько секунд может занять один файл, прежде чем он завершится ошибкой `timeout`.")
@extraction_options
def batch_command(inputs: tuple[str, ...], outdir: Path, workers: int | None, force: bool, timeout: float,
                  options: OptionLayers) -> None:
    """Обработать много планов: INPUTS — файлы, папки, шаблоны имён (glob) и архивы .zip.

    Каждый вход получает OUTDIR/<stem>.<digest>.json (его план или объект ошибки по контракту);
    OUTDIR/_report.json перечисляет их все. Входы, план которых уже есть (то же имя и то же
    содержимое), пропускаются, если не указан --force; входы с ошибкой обрабатываются снова.
    Код выхода 0, когда обработаны все файлы, 3 — если какие-то не удались.
    """
    from rich.console import Console

    settings = BatchSettings(workers=workers or default_workers(), force=force, timeout=timeout, options=options)
    progress = RichProgress(Console(stderr=True))
    try:
        report = run_batch(inputs, outdir, settings, progress)
    finally:
        progress.stop()
    # logs and pipes get wide lines rather than rich's 80 columns, unless COLUMNS says otherwise
    out = Console() if Console().is_terminal or "COLUMNS" in os.environ else Console(width=160)
    out.print(summary_table(report))
    out.print(
        f"обработано: {report.count('converted')}, пропущено (без изменений): {report.count('skipped')}, "
        f"с ошибкой: {report.failed}; за {report.elapsed:.1f} с; отчёт: {outdir / REPORT_NAME}",
        highlight=False, markup=False, soft_wrap=True,
    )
    raise SystemExit(EXIT_SOME_FAILED if report.failed else 0)
