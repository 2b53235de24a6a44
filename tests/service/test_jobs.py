"""process_job without an executor: one claim wins, a result is stored once and whole, a lost
lease cannot finish a job, the time limit and a crashing extractor give the contract's codes,
and a job whose worker keeps dying fails after its attempts; each on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from service.blobs import BlobStore
from service.config import Settings
from service.db import Database, Job, WebhookDelivery, now
from service.jobs import claim_job, process_job, requeue_expired, run_extraction, store
from service.submit import Submitter, Upload
from tests.conftest import extracted
from tests.service.helpers import make_settings, sample


def submit(settings: Settings, name: str = "zima_2024.docx", callback: str | None = None) -> tuple[Database, str]:
    db = Database(settings)
    db.migrate()
    filename, data = sample(name)
    submitted = Submitter(settings, db, BlobStore(settings.blob_dir)).submit(
        "local", [Upload(filename, io.BytesIO(data))], {}, callback, None)
    return db, submitted.queued[0]


def job(db: Database, job_id: str) -> Job:
    with db.session() as session:
        return session.scalars(select(Job).where(Job.id == job_id)).one()


def results(settings: Settings, job_id: str) -> list[Path]:
    return sorted((settings.blob_dir / "results" / job_id).glob("*"))


def test_a_job_runs_once_and_its_result_is_stored_once(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url=database_url)
    db, job_id = submit(settings, callback="http://127.0.0.1:9/hook")
    assert process_job(job_id, settings) == "done"
    assert process_job(job_id, settings) is None  # finished: nobody claims it again
    row = job(db, job_id)
    assert (row.status, row.attempts, row.activities, row.error_code) == ("done", 1, 31, None)
    assert [p.name for p in results(settings, job_id)] == ["1.json"]
    assert json.loads(results(settings, job_id)[0].read_text(encoding="utf-8")) == extracted("zima_2024")
    with db.session() as session:
        assert len(session.scalars(select(WebhookDelivery).where(WebhookDelivery.job_id == job_id)).all()) == 1


def test_a_lost_lease_cannot_finish_the_job(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url=database_url)
    db, job_id = submit(settings)
    blobs = BlobStore(settings.blob_dir)
    first = claim_job(db, job_id, settings)
    assert first is not None and claim_job(db, job_id, settings) is None  # one claim wins
    outcome = run_extraction(first, settings, blobs)
    with db.session() as session:  # the first process stalls past its lease...
        session.execute(update(Job).where(Job.id == job_id).values(lease_expires_at=now() - dt.timedelta(seconds=1)))
    assert requeue_expired(db, settings) == [job_id]
    assert process_job(job_id, settings) == "done"  # ...and another one does the job
    assert store(db, blobs, first, outcome, settings) is None  # the stalled one wakes up: refused
    row = job(db, job_id)
    assert (row.status, row.attempts, row.result_blob) == ("done", 2, f"results/{job_id}/2.json")
    assert [p.name for p in results(settings, job_id)] == ["2.json"]


def test_the_time_limit_gives_timeout(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url=database_url, entry="tests.service.entries:sleeping",
                             job_timeout=0.5)
    db, job_id = submit(settings)
    assert process_job(job_id, settings) == "failed"
    row = job(db, job_id)
    assert row.error_code == "timeout"
    error = json.loads(results(settings, job_id)[0].read_text(encoding="utf-8"))
    assert error == {"error": {"code": "timeout", "message": row.error_message, "filename": "zima_2024.docx"}}


def test_a_crash_of_the_extractor_is_internal_error(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url=database_url, entry="tests.service.entries:failing")
    db, job_id = submit(settings)
    assert process_job(job_id, settings) == "failed"
    row = job(db, job_id)
    assert row.error_code == "internal_error"
    assert row.error_message == "RuntimeError: сбой в правиле"


@pytest.mark.parametrize("max_attempts", [1, 2])
def test_a_job_whose_worker_keeps_dying_fails_after_its_attempts(tmp_path: Path, database_url: str,
                                                                 max_attempts: int) -> None:
    settings = make_settings(tmp_path, database_url=database_url, max_attempts=max_attempts)
    db, job_id = submit(settings)
    for attempt in range(1, max_attempts + 1):
        assert claim_job(db, job_id, settings) is not None  # the worker dies at once, every time
        with db.session() as session:
            session.execute(update(Job).where(Job.id == job_id)
                            .values(lease_expires_at=now() - dt.timedelta(seconds=1)))
        requeued = requeue_expired(db, settings)
        assert requeued == ([job_id] if attempt < max_attempts else [])
    row = job(db, job_id)
    assert (row.status, row.error_code, row.attempts) == ("failed", "internal_error", max_attempts)
    assert len(results(settings, job_id)) == 1
