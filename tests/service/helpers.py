"""Shared steps of the service's tests: settings in a temporary folder, uploads of the sample
plans, waiting for a batch, a Redis server and Celery workers of their own."""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from service.config import Settings
from tests.seedtext import ROOT

SAMPLES = ROOT / "samples"
BROKEN = ("broken.docx", b"PK\x03\x04 this is not a Word package")
ROADMAP = Path(sys.executable).with_name("roadmap")


def make_settings(folder: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": folder, "workers": 2, "lease_seconds": 2.0, "rate_limit": "100000/minute",
                              "webhook_backoff": 0.2, "cleanup_interval": 3600.0, "max_tasks_per_child": 20}
    values.update(changes)
    return Settings(**values)


def sample(name: str) -> tuple[str, bytes]:
    path = SAMPLES / name
    return path.name, path.read_bytes()


def files(*items: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", item) for item in items]


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def wait_batch(client: httpx.Client, batch_id: str, timeout: float = 90.0, **kwargs: Any) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/v1/batches/{batch_id}", **kwargs)
        assert response.status_code == 200, response.text
        batch: dict[str, Any] = response.json()
        if batch["status"] == "finished":
            return batch
        assert time.monotonic() < deadline, f"the batch did not finish: {batch['counts']}"
        time.sleep(0.2)


def wait_job(client: httpx.Client, job_id: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"the job did not finish: {job}"
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Redis:
    """A redis-server of the tests' own on a free loopback port, stopped by its PID."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        def up() -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
            except redis.RedisError:
                return False

        wait_until(up, 10, "redis-server")

    def stop(self) -> None:
        stop(self.process)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        # PYTHONPATH: the stand-in extractors of tests/service/entries.py are importable there too
        return subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen[bytes] | subprocess.Popen[Any], grace: float = 15.0) -> None:
    """SIGTERM to the process (by its PID), SIGKILL if it has not ended within `grace`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker(settings: Settings, log: Path, concurrency: int = 2, env: dict[str, str] | None = None
           ) -> subprocess.Popen[bytes]:
    """`roadmap worker` on the settings' data folder and broker."""
    return start([str(ROADMAP), "worker", "--concurrency", str(concurrency), "--loglevel", "WARNING"],
                 {**settings.environ(), **(env or {})}, log)


def children(pid: int) -> set[int]:
    """Every descendant of a process, read from /proc."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first, nice at 16), or None
    when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def alive(pid: int) -> bool:
    fields = proc_stat(pid)
    return fields is not None and fields[0] != "Z"


def postgres_bin() -> Path:
    """The server binaries of Debian's `postgresql` package (the newest major version)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    assert found, "PostgreSQL is missing: scripts/setup.sh installs Debian's postgresql"
    return found[-1].parent


class Postgres:
    """A PostgreSQL server of the tests' own: a fresh cluster in a temporary folder on a free
    loopback port, stopped by its PID. As root the server runs as Debian's `postgres` user
    (PostgreSQL refuses to run as root), in a folder of its own under /tmp, since pytest's
    temporary folders are closed to other users."""

    def __init__(self) -> None:
        folder = self.folder = Path(tempfile.mkdtemp(prefix="roadmap-pg-"))
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(folder, self.user)
        data, bindir = folder / "data", postgres_bin()
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "roadmap", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8"], check=True, user=self.user, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(folder),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
            user=self.user, stdout=subprocess.DEVNULL, stderr=(folder / "postgres.log").open("ab"))
        self.databases = 0
        wait_until(self._up, 30, "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://roadmap@127.0.0.1:{self.port}/{database}"

    def _up(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(f"host=127.0.0.1 port={self.port} user=roadmap dbname=postgres", connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def new_database(self) -> str:
        """A URL of an empty database of its own (one per test: no state leaks between tests)."""
        import psycopg

        self.databases += 1
        name = f"roadmap_{self.databases}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=roadmap dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        stop(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)
