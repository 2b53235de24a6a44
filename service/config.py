"""The service's settings: one frozen object, read from ROADMAP_* environment variables
(overridable by the command line), validated with a Russian message per wrong value."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Executor = Literal["local", "celery"]


class SettingsError(ValueError):
    """A setting that cannot be used, with a message for a person."""


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("roadmap-data")  # database (SQLite), blobs, the webhook secret
    database_url: str = ""  # "" = SQLite (WAL) file in data_dir; PostgreSQL: postgresql+psycopg://…
    executor: Executor = "local"
    broker_url: str = "redis://127.0.0.1:6379/0"  # celery executor only
    workers: int = Field(default_factory=_cores, ge=1)  # local pool size; celery concurrency
    max_tasks_per_child: int = Field(default=50, ge=1)  # a worker process is replaced after this many jobs
    max_memory_per_child_mb: int = Field(default=2048, ge=64)  # celery replaces a child whose RSS passed this
    # workers yield the CPU to the API process (status polls stay fast while every core extracts)
    worker_nice: int = Field(default=10, ge=0, le=19)
    memory_limit_mb: int | None = Field(default=3072, ge=256)  # address space of a worker; past it: too_large
    job_timeout: float = Field(default=600.0, gt=0)  # seconds; past it a job fails with `timeout`
    lease_seconds: float = Field(default=30.0, gt=0)  # a running job's claim, renewed while it runs
    max_attempts: int = Field(default=3, ge=1)  # claims before a job that kills its worker fails
    max_upload_mb: float = Field(default=200.0, gt=0)  # one request's body, counted while it streams
    max_pages: int = Field(default=300, ge=1)  # pages of one PDF or image
    max_files: int = Field(default=1000, ge=1)  # plan files in one request, zip members included
    result_ttl_hours: float = Field(default=168.0, gt=0)  # results and uploads are removed after this
    cleanup_interval: float = Field(default=60.0, gt=0)  # seconds between cleanup runs
    rate_limit: str = "600/minute"  # per API key (per client address when no key exists), `limits` syntax
    webhook_secret: str | None = None  # None: a secret generated once into data_dir/webhook.secret
    session_secret: str | None = None  # None: a secret generated once into data_dir/session.secret
    session_hours: float = Field(default=12.0, gt=0)  # a web page sign-in lasts this long
    webhook_attempts: int = Field(default=8, ge=1)
    webhook_backoff: float = Field(default=5.0, gt=0)  # seconds before the 2nd try; doubled each time
    webhook_timeout: float = Field(default=10.0, gt=0)
    convert_wait_max: float = Field(default=60.0, gt=0)  # the longest ?wait= of POST /convert
    public_url: str = ""  # prefix of links in webhooks ("" = paths only)
    entry: str = "extractor:extract"  # module:function (path, options) -> Plan; tests swap it

    @model_validator(mode="after")
    def _absolute(self) -> Settings:
        if not self.data_dir.is_absolute():
            object.__setattr__(self, "data_dir", self.data_dir.resolve())
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'roadmap.sqlite3'}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def result_ttl(self) -> float:
        return self.result_ttl_hours * 3600

    @property
    def soft_time_limit(self) -> float:
        """Celery's soft limit: after our own deadline, so that ours names the error."""
        return self.job_timeout + 30

    @property
    def hard_time_limit(self) -> float:
        return self.job_timeout + 60

    @property
    def visibility_timeout(self) -> int:
        """Redis redelivers an unacknowledged task after this: above the hard limit, so that a
        running task is never handed to a second worker."""
        return int(self.hard_time_limit + 300)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """ROADMAP_<FIELD> variables (ROADMAP_DATA_DIR, ROADMAP_DATABASE_URL, …), then `overrides`
        (None values ignored). Raises SettingsError."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env.get(f"ROADMAP_{name.upper()}")
            if raw not in (None, ""):
                values[name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            parts = [f"ROADMAP_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()]
            raise SettingsError("неверные настройки сервиса: " + "; ".join(parts)) from exc

    def environ(self) -> dict[str, str]:
        """These settings as ROADMAP_* variables (for processes started by this one)."""
        out = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                out[f"ROADMAP_{name.upper()}"] = str(value)
        return out


def folder_secret(data_dir: Path, name: str) -> bytes:
    """A random secret made once in the data folder (readable by its owner only) and shared by
    every process that uses the folder."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


__all__ = ["Executor", "Settings", "SettingsError", "folder_secret"]
