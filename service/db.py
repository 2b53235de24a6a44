"""The service's state in a database through SQLAlchemy 2: batches, jobs, API keys (hashed),
webhook deliveries. SQLite in WAL mode by default (one file in the data folder), PostgreSQL by
URL. The schema is made by the Alembic migrations shipped in service/migrations, applied on
start by every process that opens the database."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    JSON,
    CursorResult,
    DateTime,
    Executable,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from service.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# job states (the API's `status`) and what a job is doing (`stage`)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)
TERMINAL = (DONE, FAILED)


def now() -> dt.datetime:
    """UTC without a zone: SQLite keeps no zone, so every time here is naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class Batch(Base):
    """What one POST /jobs made: its files and zip members, one job each."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("owner", "idempotency_key", name="uq_batches_owner_idempotency_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(64))  # an API key's id, or "local" while no key exists
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))  # what the key was first used for
    single: Mapped[bool] = mapped_column(default=False)  # one plain file: Location names the job


class Job(Base):
    """One plan file to convert. `seq` orders the queue; `id` is what clients see."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_queue_seq", "status", "queue", "seq"),
        Index("ix_jobs_batch", "batch_id"),
        Index("ix_jobs_expires", "expires_at"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    owner: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))  # base name, as the plan's source.filename
    member: Mapped[str | None] = mapped_column(String(1000))  # path inside the uploaded zip
    format: Mapped[str | None] = mapped_column(String(20))  # parsers.sniff's kind
    pages: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(20), default="fast")  # fast | ocr
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    stage: Mapped[str] = mapped_column(String(20), default="waiting")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # handed to the broker
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration: Mapped[float | None] = mapped_column(Float)  # seconds of the attempt that finished
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # as given; Options.resolve() reads it
    upload_blob: Mapped[str | None] = mapped_column(String(1000))
    result_blob: Mapped[str | None] = mapped_column(String(1000))
    plan_status: Mapped[str | None] = mapped_column(String(20))  # complete | partial
    activities: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[int | None] = mapped_column(Integer)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # result and upload removed
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rerun_of: Mapped[str | None] = mapped_column(String(32))
    superseded_by: Mapped[str | None] = mapped_column(String(32))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))  # the key's first characters, to tell keys apart
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the key
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WebhookDelivery(Base):
    """One notification of a finished job to its callback_url, with every try recorded."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhooks_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the exact JSON body, signed as sent
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


def changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; the number of rows it changed (a claim is won when it is 1)."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


# ---- engines ---------------------------------------------------------------------------


class Database:
    """An engine and its sessions for one process (engines are not shared across fork)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.db_url
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed at the end, rolled back on an exception."""
        with self.sessions() as session, session.begin():
            yield session

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def migrate(self) -> None:
        """Bring the schema to the newest migration; one process at a time."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with _migration_lock(self), self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    cursor = connection.cursor()
    # WAL: readers do not block the writer; NORMAL is durable across a process crash in WAL
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def _migration_lock(db: Database) -> Iterator[None]:
    """serve and workers start together: only one of them runs the migrations."""
    if db.is_sqlite:
        lock = db.settings.data_dir / ".migrate.lock"
        with lock.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    elif db.url.startswith("postgresql"):
        with db.engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_lock(1333013)"))
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(1333013)"))
    else:
        yield


_databases: dict[tuple[int, str], Database] = {}


def database(settings: Settings) -> Database:
    """This process's Database for the settings (a forked child makes its own)."""
    key = (os.getpid(), settings.db_url)
    if key not in _databases:
        _databases[key] = Database(settings)
    return _databases[key]




__all__ = [
    "DONE",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "STATES",
    "TERMINAL",
    "ApiKey",
    "Base",
    "Batch",
    "Database",
    "Job",
    "WebhookDelivery",
    "changed",
    "database",
    "new_id",
    "now",
]
