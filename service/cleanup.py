"""Results are kept for result_ttl_hours, then removed with their uploads; files that killed
processes left behind (temporaries, uploads of requests that never committed) go too.
Job rows stay (small) so that a removed result answers 410, not 404, and metrics keep counting."""

from __future__ import annotations

import logging
import shutil
import time

from sqlalchemy import and_, select, update

from service.blobs import BlobStore
from service.config import Settings
from service.db import Batch, Database, Job, changed, now

log = logging.getLogger(__name__)
ORPHAN_AGE = 3600.0  # an upload folder with no batch row this old was never committed


def release_blobs(db: Database, blobs: BlobStore, job: Job) -> None:
    """Remove a job's results, and its upload unless a live job (a re-run) still reads it."""
    blobs.remove_tree(f"results/{job.id}")
    if job.upload_blob is None:
        return
    with db.session() as session:
        shared = session.scalar(
            select(Job.id).where(Job.upload_blob == job.upload_blob, Job.id != job.id,
                                 Job.deleted_at.is_(None), Job.expired_at.is_(None)).limit(1)
        )
    if shared is None:
        blobs.remove(job.upload_blob)


def cleanup(db: Database, blobs: BlobStore, settings: Settings) -> int:
    """One run; the number of jobs whose results were removed."""
    moment = now()
    with db.session() as session:
        due = session.scalars(select(Job).where(Job.expires_at < moment, Job.expired_at.is_(None))).all()
    removed = 0
    for job in due:
        with db.session() as session:
            won = changed(session, update(Job).where(and_(Job.id == job.id, Job.expired_at.is_(None)))
                          .values(expired_at=moment))
        if won == 1:
            release_blobs(db, blobs, job)
            removed += 1
    for path in blobs.stale_temporaries(older_than=settings.hard_time_limit + 60):
        path.unlink(missing_ok=True)
    _orphan_uploads(db, blobs)
    if removed:
        log.info("cleanup: results of %s jobs removed", removed)
    return removed


def _orphan_uploads(db: Database, blobs: BlobStore) -> None:
    folder = blobs.root / "uploads"
    if not folder.is_dir():
        return
    limit = time.time() - ORPHAN_AGE
    candidates = [p for p in folder.iterdir() if p.is_dir() and p.stat().st_mtime < limit]
    if not candidates:
        return
    with db.session() as session:
        known = set(session.scalars(select(Batch.id).where(Batch.id.in_([p.name for p in candidates]))))
    for path in candidates:
        if path.name not in known:
            shutil.rmtree(path, ignore_errors=True)


__all__ = ["cleanup", "release_blobs"]
