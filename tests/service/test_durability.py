"""Durability: `roadmap serve` killed with SIGKILL while jobs run leaves no worker behind, and
once started again every job ends exactly once (one result, one webhook delivery, nothing
half-written); in celery mode the same for a killed `roadmap worker`. Each with SQLite and with
PostgreSQL."""

from __future__ import annotations

import http.server
import json
import os
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api import create_app
from service.config import Settings
from service.db import Job, WebhookDelivery, database
from tests.conftest import extracted
from tests.service.conftest import LOOPBACK
from tests.service.helpers import (
    ROADMAP,
    Redis,
    alive,
    children,
    files,
    free_port,
    make_settings,
    proc_stat,
    sample,
    start,
    stop,
    wait_batch,
    wait_until,
    worker,
)

PLANS = ["zima_2024.docx", "tula_2020-2021.docx", "sarov_2021-2022.docx", "vilyuisk_2019-2021.docx"] * 2


class Hooks(http.server.BaseHTTPRequestHandler):
    received: ClassVar[Counter[str]] = Counter()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Hooks.received[body["job"]["id"]] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Any:
    server = http.server.HTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Hooks.received.clear()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def slow_settings(folder: Path, **changes: Any) -> tuple[Settings, dict[str, str]]:
    settings = make_settings(folder, entry="tests.service.entries:slow", lease_seconds=2.0, **changes)
    return settings, {**settings.environ(), "ROADMAP_TEST_DELAY": "1.5"}


def submit(client: httpx.Client | TestClient, callback: str) -> str:
    response = client.post("/api/v1/jobs", files=files(*(sample(name) for name in PLANS)),
                           data={"callback_url": callback})
    assert response.status_code == 202, response.text
    batch_id: str = response.json()["id"]
    return batch_id


def running(client: httpx.Client | TestClient, batch_id: str) -> bool:
    return bool(client.get(f"/api/v1/batches/{batch_id}").json()["counts"]["running"])


def check_exactly_once(settings: Settings, batch_id: str) -> None:
    db = database(settings)
    with db.session() as session:
        jobs = session.scalars(select(Job).where(Job.batch_id == batch_id)).all()
        deliveries = Counter(session.scalars(select(WebhookDelivery.job_id)))
    assert len(jobs) == len(PLANS)
    assert any(job.attempts == 2 for job in jobs), "no job was caught running"
    for job in jobs:
        assert (job.status, job.error_code) == ("done", None), (job.filename, job.error_code, job.error_message)
        stored = sorted((settings.blob_dir / "results" / job.id).iterdir())
        assert [p.name for p in stored] == [f"{job.attempts}.json"]  # one result, of the attempt that finished
        assert json.loads(stored[0].read_text(encoding="utf-8")) == extracted(job.filename.removesuffix(".docx"))
        assert deliveries[job.id] == 1  # the job ended once
    wait_until(lambda: all(Hooks.received[job.id] >= 1 for job in jobs), 20, "the webhooks")
    assert not [p for p in settings.blob_dir.rglob("*.tmp") if "results" in p.parts and p.stat().st_size == 0]


def test_a_killed_server_loses_no_job(tmp_path: Path, hooks: str, database_url: str) -> None:
    settings, env = slow_settings(tmp_path, database_url=database_url)
    port = free_port()
    command = [str(ROADMAP), "serve", "--port", str(port)]
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def ready() -> bool:
        try:
            return client.get("/readyz").status_code == 200
        except httpx.HTTPError:
            return False

    server = start(command, env, tmp_path / "serve-1.log")
    try:
        wait_until(ready, 60, "roadmap serve")
        batch_id = submit(client, hooks)
        wait_until(lambda: running(client, batch_id), 30, "a running job")
        workers = children(server.pid)
        assert workers, "the server has no worker processes"
        # the pool's workers run niced, so that the API process answers first
        assert settings.worker_nice in {int(f[16]) for f in map(proc_stat, workers) if f is not None}
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        wait_until(lambda: not any(alive(pid) for pid in workers), 15, "the workers to die with the server")
    finally:
        stop(server)

    server = start(command, env, tmp_path / "serve-2.log")
    try:
        wait_until(ready, 60, "roadmap serve, again")
        batch = wait_batch(client, batch_id, timeout=120)
        assert batch["counts"]["done"] == len(PLANS)
        check_exactly_once(settings, batch_id)
    finally:
        stop(server)


def test_a_killed_celery_worker_loses_no_job(tmp_path: Path, hooks: str, redis_server: Redis,
                                            database_url: str) -> None:
    """With PostgreSQL this is the scale-out set-up of the README: PostgreSQL, Redis, workers."""
    settings, env = slow_settings(tmp_path, executor="celery", broker_url=redis_server.url,
                                  database_url=database_url)
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        first = worker(settings, tmp_path / "worker-1.log", env=env)
        try:
            batch_id = submit(client, hooks)
            wait_until(lambda: running(client, batch_id), 60, "a running job")
            processes = children(first.pid)
            os.kill(first.pid, signal.SIGKILL)
            first.wait()
            wait_until(lambda: not any(alive(pid) for pid in processes), 15, "the children to die with the worker")
        finally:
            stop(first)
        second = worker(settings, tmp_path / "worker-2.log", env=env)
        try:
            batch = wait_batch(client, batch_id, timeout=120)
            assert batch["counts"]["done"] == len(PLANS)
            check_exactly_once(settings, batch_id)
        finally:
            stop(second)
