"""One job function for both executors: `process_job(job_id)`.

A job is claimed with a lease (a conditional UPDATE: only one process wins), extracted with a
time limit, its JSON written to an attempt's own blob, and finished by a second conditional
UPDATE that names the lease: a process that lost its claim (its lease expired and the job went
to another) cannot finish it, and its file is removed. So a job ends exactly once, and a stored
result is always whole. While a job runs, this process's watchdog thread renews the lease; a
process whose parent died (a killed server or worker) exits, so that its jobs go back to the
queue once their leases expire.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from extractor.options import Options, OptionsError
from extractor.output import error_document, to_json
from models import Plan
from parsers.errors import ExtractionError
from service.blobs import BlobStore, result_name
from service.config import Settings
from service.db import DONE, FAILED, QUEUED, RUNNING, Database, Job, changed, database, new_id, now
from service.webhooks import delivery_for
from workflow.limits import deadline, memory_error, timeout_error

log = logging.getLogger(__name__)

_settings: Settings | None = None


def configure(settings: Settings, owner: int | None = None) -> None:
    """Set this process's settings (a worker's initializer calls it); with `owner` (the pid of
    the server or Celery worker that runs this process), exit when the owner or the parent dies."""
    global _settings
    _settings = settings
    watchdog(settings).watch(owner)


def current_settings() -> Settings:
    return _settings if _settings is not None else Settings.from_env()


@dataclass
class Claim:
    job_id: str
    token: str
    attempt: int
    filename: str
    upload_blob: str | None
    options: dict[str, Any]
    started: float = field(default_factory=time.monotonic)
    lost: bool = False  # the lease could not be renewed: another process may have the job


@dataclass(frozen=True)
class Outcome:
    status: str  # done | failed
    text: str  # the plan's canonical JSON or the contract's error object
    error_code: str | None = None
    error_message: str | None = None
    plan_status: str | None = None
    activities: int | None = None
    warnings: int | None = None


# ---- the job -----------------------------------------------------------------------------


def process_job(job_id: str, settings: Settings | None = None) -> str | None:
    """Run one job if it can be claimed; its final status, or None when another process has it
    (or had it, or it was deleted)."""
    settings = settings or current_settings()
    db, blobs = database(settings), BlobStore(settings.blob_dir)
    claim = claim_job(db, job_id, settings)
    if claim is None:
        return None
    guard = watchdog(settings)
    guard.hold(db, claim)
    try:
        outcome = run_extraction(claim, settings, blobs)
        set_stage(db, claim, "saving", 0.9)
        return store(db, blobs, claim, outcome, settings)
    finally:
        guard.release()


def claim_job(db: Database, job_id: str, settings: Settings) -> Claim | None:
    token, moment = new_id(), now()
    with db.session() as session:
        won = changed(
            session,
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED, Job.deleted_at.is_(None))
            .values(status=RUNNING, stage="reading", progress=0.1, attempts=Job.attempts + 1, lease_token=token,
                    lease_expires_at=moment + dt.timedelta(seconds=settings.lease_seconds), started_at=moment)
        )
        if won != 1:
            return None
        job = session.scalars(select(Job).where(Job.id == job_id)).one()
        return Claim(job.id, token, job.attempts, job.filename, job.upload_blob, dict(job.options or {}))


def set_stage(db: Database, claim: Claim, stage: str, progress: float) -> None:
    with db.session() as session:
        session.execute(update(Job).where(Job.id == claim.job_id, Job.lease_token == claim.token)
                        .values(stage=stage, progress=progress))


def run_extraction(claim: Claim, settings: Settings, blobs: BlobStore) -> Outcome:
    """extract() on the upload, within the time limit; every failure becomes an error object."""
    try:
        if claim.upload_blob is None or not blobs.exists(claim.upload_blob):
            raise ExtractionError("corrupt_file", "загруженный файл не найден (удалён?)")
        try:
            options = Options.resolve(claim.options)
        except OptionsError as exc:
            raise ExtractionError("bad_options", str(exc)) from exc
        with time_limit(settings.job_timeout):
            plan = entry(settings.entry)(blobs.path(claim.upload_blob), options)
        return Outcome(DONE, to_json(plan), plan_status=plan.status, activities=len(plan.activities),
                       warnings=len(plan.warnings))
    except ExtractionError as exc:
        return failure(claim.filename, exc)
    except MemoryError:
        return failure(claim.filename, memory_error(settings.memory_limit_mb))
    except Exception as exc:  # a bug in the extractor: the job fails with the contract's internal_error
        log.exception("job %s: the extractor failed", claim.job_id)
        return failure(claim.filename, ExtractionError("internal_error", f"{type(exc).__name__}: {exc}"))


def failure(filename: str, error: ExtractionError) -> Outcome:
    return Outcome(FAILED, to_json(error_document(error, filename)), error.code, error.message)


def store(db: Database, blobs: BlobStore, claim: Claim, outcome: Outcome, settings: Settings) -> str | None:
    """Write the attempt's result, then finish the job under its lease; a lost lease removes the
    file again. The job's status, or None when this attempt did not finish it."""
    name = blobs.write_text(result_name(claim.job_id, claim.attempt), outcome.text)
    if not finish(db, claim, outcome, name, settings):
        blobs.remove(name)
        return None
    for other in blobs.path(name).parent.glob("*.json"):  # files of attempts that died before finishing
        if other.name != Path(name).name:
            other.unlink(missing_ok=True)
    return outcome.status


def finish(db: Database, claim: Claim, outcome: Outcome, result_blob: str, settings: Settings) -> bool:
    moment = now()
    with db.session() as session:
        won = changed(
            session,
            update(Job)
            .where(Job.id == claim.job_id, Job.lease_token == claim.token, Job.status == RUNNING,
                   Job.deleted_at.is_(None))
            .values(status=outcome.status, stage="finished", progress=1.0, finished_at=moment,
                    duration=time.monotonic() - claim.started, result_blob=result_blob,
                    error_code=outcome.error_code, error_message=outcome.error_message,
                    plan_status=outcome.plan_status, activities=outcome.activities, warnings=outcome.warnings,
                    expires_at=moment + dt.timedelta(seconds=settings.result_ttl),
                    lease_token=None, lease_expires_at=None)
        )
        if won != 1:
            return False
        job = session.scalars(select(Job).where(Job.id == claim.job_id)).one()
        if job.callback_url:
            session.add(delivery_for(job, settings))
    return True


# ---- leases that ran out -----------------------------------------------------------------


def requeue_expired(db: Database, settings: Settings) -> list[str]:
    """Jobs whose process stopped renewing its lease (killed, or its machine gone): back to the
    queue, or failed once they have used every attempt. The ids put back in the queue."""
    moment = now()
    with db.session() as session:
        rows = session.execute(
            select(Job.id, Job.lease_token, Job.attempts, Job.started_at, Job.filename)
            .where(Job.status == RUNNING, Job.lease_expires_at < moment, Job.deleted_at.is_(None))
        ).all()
    requeued = []
    for job_id, token, attempts, started_at, filename in rows:
        if attempts >= settings.max_attempts:
            claim = Claim(job_id, token or "", attempts, filename, None, {})
            if started_at is not None and (moment - started_at).total_seconds() > settings.job_timeout:
                error = timeout_error(settings.job_timeout)
            else:
                error = ExtractionError("internal_error", f"процесс обработки завершился аварийно {attempts} раз(а)")
            store(db, BlobStore(settings.blob_dir), claim, failure(filename, error), settings)
            continue
        with db.session() as session:
            back = changed(
                session,
                update(Job).where(Job.id == job_id, Job.lease_token == token, Job.status == RUNNING)
                .values(status=QUEUED, stage="waiting", progress=0.0, lease_token=None, lease_expires_at=None,
                        dispatched_at=None)
            )
        if back == 1:
            log.warning("job %s: its lease expired after attempt %s; queued again", job_id, attempts)
            requeued.append(job_id)
    return requeued


# ---- the time limit ----------------------------------------------------------------------


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """workflow.limits.deadline where it can work (SIGALRM needs the main thread); elsewhere
    Celery's time limits stand in."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with deadline(seconds):
        yield


@cache
def entry(spec: str) -> Callable[[Path, Options], Plan]:
    module, _, name = spec.partition(":")
    function: Callable[[Path, Options], Plan] = getattr(importlib.import_module(module), name)
    return function


# ---- the watchdog ------------------------------------------------------------------------


class Watchdog(threading.Thread):
    """One per process: renews the lease of the job it runs; exits the process when the parent
    that should be alive is gone."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="roadmap-watchdog", daemon=True)
        self.tick = min(1.0, settings.lease_seconds / 4)
        self.lease = settings.lease_seconds
        self.parent: int | None = None
        self.owner: int | None = None
        self.lock = threading.Lock()
        self.current: tuple[Database, Claim] | None = None
        self.renewed = 0.0

    def watch(self, owner: int | None) -> None:
        self.owner, self.parent = owner, (os.getppid() if owner is not None else None)

    def orphaned(self) -> bool:
        # the parent (a forkserver) may already be gone when this process starts: the owner is
        # asked too, by pid
        if self.owner is None:
            return False
        return os.getppid() != self.parent or not _alive(self.owner)

    def hold(self, db: Database, claim: Claim) -> None:
        with self.lock:
            self.current, self.renewed = (db, claim), time.monotonic()

    def release(self) -> None:
        with self.lock:
            self.current = None

    def run(self) -> None:
        while True:
            time.sleep(self.tick)
            if self.orphaned():
                os._exit(70)  # orphaned: the job's lease runs out and it is tried again elsewhere
            with self.lock:
                current = self.current
                due = current is not None and time.monotonic() - self.renewed >= self.lease / 3
            if current is not None and due:
                self._renew(*current)

    def _renew(self, db: Database, claim: Claim) -> None:
        try:
            with db.session() as session:
                kept = changed(
                    session,
                    update(Job).where(Job.id == claim.job_id, Job.lease_token == claim.token, Job.status == RUNNING)
                    .values(lease_expires_at=now() + dt.timedelta(seconds=self.lease))
                )
        except Exception as exc:  # a busy database: try again at the next tick
            log.warning("job %s: lease not renewed: %s", claim.job_id, exc)
            return
        with self.lock:
            self.renewed = time.monotonic()
        if kept != 1:
            claim.lost = True


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, killed and not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (not Linux): ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


_watchdogs: dict[int, Watchdog] = {}


def watchdog(settings: Settings) -> Watchdog:
    """This process's watchdog, started on first use."""
    pid = os.getpid()
    if pid not in _watchdogs:
        _watchdogs[pid] = Watchdog(settings)
        _watchdogs[pid].start()
    return _watchdogs[pid]


__all__ = ["Claim", "Outcome", "claim_job", "configure", "current_settings", "process_job", "requeue_expired"]
