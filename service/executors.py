"""Executors run queued jobs with process_job, and the maintenance threads of `roadmap serve`
keep the queue honest: leases that ran out, results past their time, webhooks.

- local: a process pool (max_tasks_per_child) inside `roadmap serve`; a dispatcher thread hands
  it the oldest queued jobs, never more than it has workers, so the queue stays in the database.
- celery: each queued job is sent to Redis on its queue (fast or ocr); `roadmap worker` runs them.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from sqlalchemy import select, update

from service.blobs import BlobStore
from service.cleanup import cleanup
from service.config import Settings
from service.db import QUEUED, Database, Job, now
from service.jobs import configure, process_job, requeue_expired
from service.webhooks import deliver_due
from workflow.limits import die_with_parent, limit_memory

log = logging.getLogger(__name__)


class Executor(Protocol):
    kind: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def submitted(self, job_ids: Sequence[str]) -> None:
        """Jobs were queued (or queued again)."""

    def sweep(self) -> None:
        """Put jobs whose lease ran out back in the queue, and hand out what waits."""

    def problem(self) -> str | None:
        """Why jobs cannot run now (for /readyz), or None."""


# ---- local -------------------------------------------------------------------------------


def worker_started(settings: Settings, owner: int) -> None:
    """Each worker process of either executor: bounded memory, death with its parent and with
    its owner (the server, or the Celery worker's main process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's (or Celery's) to handle
    die_with_parent()
    limit_memory(settings.memory_limit_mb)
    if settings.worker_nice and hasattr(os, "nice"):
        os.nice(settings.worker_nice)
    configure(settings, owner)


class LocalExecutor:
    kind = "local"

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.inflight: dict[str, Future[str | None]] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.broken = False
        self.pool: ProcessPoolExecutor | None = None
        self.thread: threading.Thread | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # forkserver: workers fork from a clean process that imported the extractor once, not
        # from this threaded server (forking a threaded process can deadlock)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["workflow.worker_preload", "service.jobs"])
        return ProcessPoolExecutor(max_workers=self.settings.workers, mp_context=context,
                                   initializer=worker_started, initargs=(self.settings, os.getpid()),
                                   max_tasks_per_child=self.settings.max_tasks_per_child)

    def start(self) -> None:
        requeue_expired(self.db, self.settings)
        self.pool = self._new_pool()
        self.thread = threading.Thread(target=self._run, name="roadmap-dispatcher", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        if self.thread is not None:
            self.thread.join()
        if self.pool is not None:
            # running jobs finish; the rest stay queued in the database for the next start
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submitted(self, job_ids: Sequence[str]) -> None:
        self.wake.set()

    def sweep(self) -> None:
        if requeue_expired(self.db, self.settings):
            self.wake.set()

    def problem(self) -> str | None:
        if self.thread is None or not self.thread.is_alive():
            return "обработчик заданий не запущен"
        return None

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wake.wait(0.5)
            self.wake.clear()
            if self.stopping.is_set():
                return
            try:
                if self.broken:
                    self._replace_pool()
                self._dispatch()
            except Exception:  # the database was busy or away: try again at the next round
                log.exception("dispatcher")

    def _replace_pool(self) -> None:
        # a worker died (native crash, memory killer): the pool is unusable; the jobs it ran come
        # back once their leases run out, with their attempts counted
        log.warning("a worker process died; starting a new pool")
        self.stopping.wait(1.0)  # a pool that breaks at once again must not spin
        old, self.pool, self.broken = self.pool, self._new_pool(), False
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)

    def _dispatch(self) -> None:
        assert self.pool is not None
        with self.lock:
            # one job waiting per worker besides the running ones: a worker that finishes takes
            # the next at once instead of waiting for this thread's round trip
            free = 2 * self.settings.workers - len(self.inflight)
            busy = list(self.inflight)
        if free <= 0:
            return
        with self.db.session() as session:
            ids = session.scalars(
                select(Job.id).where(Job.status == QUEUED, Job.deleted_at.is_(None), Job.id.not_in(busy))
                .order_by(Job.seq).limit(free)
            ).all()
        for job_id in ids:
            try:
                future = self.pool.submit(process_job, job_id)
            except (BrokenProcessPool, RuntimeError):
                self.broken = True
                self.wake.set()
                return
            with self.lock:
                self.inflight[job_id] = future
            future.add_done_callback(functools.partial(self._done, job_id))

    def _done(self, job_id: str, future: Future[str | None]) -> None:
        with self.lock:
            self.inflight.pop(job_id, None)
        if not future.cancelled():
            error = future.exception()
            if isinstance(error, BrokenProcessPool):
                self.broken = True
            elif error is not None:
                log.error("job %s: %s: %s", job_id, type(error).__name__, error)
        self.wake.set()


# ---- celery ------------------------------------------------------------------------------


class CeleryExecutor:
    kind = "celery"

    def __init__(self, settings: Settings, db: Database) -> None:
        from service.celery_app import make_celery

        self.settings, self.db = settings, db
        self.app = make_celery(settings)

    def start(self) -> None:
        self.sweep()

    def stop(self) -> None:
        pass

    def submitted(self, job_ids: Sequence[str]) -> None:
        from service.celery_app import TASK

        if not job_ids:
            return
        with self.db.session() as session:
            rows = session.execute(
                select(Job.id, Job.queue).where(Job.id.in_(list(job_ids)), Job.status == QUEUED)
            ).all()
        sent = []
        for job_id, queue in rows:
            try:
                self.app.send_task(TASK, args=[job_id], queue=queue)
            except Exception as exc:  # the broker is away: sweep() sends it later
                log.warning("job %s not sent to the broker: %s", job_id, exc)
                break
            sent.append(job_id)
        if sent:
            with self.db.session() as session:
                session.execute(update(Job).where(Job.id.in_(sent)).values(dispatched_at=now()))

    def sweep(self) -> None:
        requeue_expired(self.db, self.settings)
        with self.db.session() as session:
            waiting = list(session.scalars(
                select(Job.id).where(Job.status == QUEUED, Job.dispatched_at.is_(None), Job.deleted_at.is_(None))
                .order_by(Job.seq).limit(1000)
            ))
            # a task a killed worker had taken but not started waits in Redis until the visibility
            # timeout; when its queue is empty yet the job still waits, send it again (a second
            # delivery finds the job claimed and does nothing)
            stale = now() - dt.timedelta(seconds=2 * self.settings.lease_seconds)
            stranded = session.execute(
                select(Job.id, Job.queue).where(Job.status == QUEUED, Job.deleted_at.is_(None),
                                                Job.dispatched_at < stale).order_by(Job.seq).limit(1000)
            ).all()
        if stranded:
            empty = {queue for queue in {q for _, q in stranded} if self._depth(queue) == 0}
            waiting += [job_id for job_id, queue in stranded if queue in empty]
        self.submitted(waiting)

    def _depth(self, queue: str) -> int | None:
        """Messages waiting in a queue's Redis lists (kombu keeps one per priority step)."""
        import redis

        try:
            client = redis.Redis.from_url(self.settings.broker_url, socket_timeout=2)
            return sum(int(client.llen(key)) for key in [queue, *(f"{queue}\x06\x16{p}" for p in (3, 6, 9))])
        except redis.RedisError:
            return None

    def problem(self) -> str | None:
        import redis

        try:
            redis.Redis.from_url(self.settings.broker_url, socket_timeout=2, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            return f"брокер Redis недоступен: {exc}"
        return None


def make_executor(settings: Settings, db: Database) -> Executor:
    if settings.executor == "celery":
        return CeleryExecutor(settings, db)
    return LocalExecutor(settings, db)


# ---- maintenance -------------------------------------------------------------------------


class Maintenance:
    """The server's background threads: sweeping leases (every few seconds), cleanup (every
    cleanup_interval), webhook deliveries (every second)."""

    def __init__(self, settings: Settings, db: Database, executor: Executor) -> None:
        self.settings, self.db, self.executor = settings, db, executor
        self.blobs = BlobStore(settings.blob_dir)
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, args=(self._sweep, min(5.0, settings.lease_seconds / 2)),
                             name="roadmap-sweeper", daemon=True),
            threading.Thread(target=self._loop, args=(self._cleanup, settings.cleanup_interval),
                             name="roadmap-cleanup", daemon=True),
            threading.Thread(target=self._loop, args=(self._webhooks, 1.0), name="roadmap-webhooks", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=self.settings.webhook_timeout + 5)

    def _loop(self, work: object, every: float) -> None:
        assert callable(work)
        while not self.stopping.wait(every):
            started = time.monotonic()
            try:
                work()
            except Exception:
                log.exception("maintenance")
            if time.monotonic() - started > every * 10:
                log.warning("maintenance step %s took %.1f s", getattr(work, "__name__", work),
                            time.monotonic() - started)

    def _sweep(self) -> None:
        self.executor.sweep()

    def _cleanup(self) -> None:
        cleanup(self.db, self.blobs, self.settings)

    def _webhooks(self) -> None:
        deliver_due(self.db, self.settings)


__all__ = ["CeleryExecutor", "Executor", "LocalExecutor", "Maintenance", "make_executor"]
