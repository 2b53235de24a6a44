"""What the API answers with: jobs, batches, validation reports (pydantic, so that the OpenAPI
schema describes them). Everything the web page needs is here as JSON."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.db import QUEUED, TERMINAL, Batch, Job
from service.errors import job_detail

JobStatus = Literal["queued", "running", "done", "failed"]
BatchStatus = Literal["queued", "running", "finished"]
API = "/api/v1"


class JobError(BaseModel):
    code: str = Field(description="the contract's error code (unsupported_format, corrupt_file, …)")
    message: str = Field(description="what the extractor said")
    detail: str = Field(description="the same for people, in Russian")


class PlanSummary(BaseModel):
    status: str | None = Field(description="complete | partial")
    activities: int | None
    warnings: int | None


class JobOut(BaseModel):
    id: str
    batch_id: str
    filename: str
    member: str | None = Field(description="the file's path inside the uploaded zip")
    format: str | None
    pages: int | None
    size: int
    sha256: str | None
    status: JobStatus
    stage: str = Field(description="waiting | reading | saving | finished")
    progress: float
    position: int | None = Field(description="jobs ahead of this one in its queue (0: next); null unless queued")
    queue: str
    attempts: int
    options: dict[str, Any] = Field(description="the hints and settings the job was given")
    error: JobError | None
    plan: PlanSummary | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration: float | None
    expires_at: dt.datetime | None
    expired: bool
    rerun_of: str | None
    superseded_by: str | None
    links: dict[str, str]


class BatchCounts(BaseModel):
    total: int
    queued: int
    running: int
    done: int
    failed: int


class BatchOut(BaseModel):
    id: str
    created_at: dt.datetime
    status: BatchStatus
    counts: BatchCounts
    jobs: list[JobOut] = Field(description="the batch's current jobs (a re-run replaces the job it re-ran)")
    links: dict[str, str]


class BatchBrief(BaseModel):
    id: str
    created_at: dt.datetime
    status: BatchStatus
    counts: BatchCounts
    links: dict[str, str]


class BatchList(BaseModel):
    batches: list[BatchBrief]


class SchemaProblem(BaseModel):
    path: str
    message: str


class ValidationReport(BaseModel):
    valid: bool
    schema_name: str = Field(description="roadmap.schema.json for a plan, error.schema.json for an error object")
    problems: list[SchemaProblem]


class RerunIn(BaseModel):
    options: dict[str, Any] = Field(default_factory=dict, description="hints to change (a null value removes one)")
    callback_url: str | None = None


def utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None else None


class Positions:
    """Queue positions of many jobs from one list of queued sequence numbers."""

    def __init__(self, queued: list[tuple[int, str]], per_queue: bool) -> None:
        self.per_queue = per_queue
        self.seqs: dict[str, list[int]] = {}
        for seq, queue in sorted(queued):
            self.seqs.setdefault(queue if per_queue else "", []).append(seq)

    def of(self, job: Job) -> int | None:
        if job.status != QUEUED or job.deleted_at is not None:
            return None
        return bisect_left(self.seqs.get(job.queue if self.per_queue else "", []), job.seq)


def job_out(job: Job, position: int | None) -> JobOut:
    base = f"{API}/jobs/{job.id}"
    links = {"self": base, "batch": f"{API}/batches/{job.batch_id}", "rerun": f"{base}/rerun"}
    if job.status in TERMINAL and job.expired_at is None:
        links |= {"result": f"{base}/result", "source": f"{base}/source"}
        if job.status == "done":
            links["result_xlsx"] = f"{base}/result.xlsx"
    error = None
    if job.error_code:
        error = JobError(code=job.error_code, message=job.error_message or "", detail=job_detail(job.error_code))
    plan = None
    if job.status == "done":
        plan = PlanSummary(status=job.plan_status, activities=job.activities, warnings=job.warnings)
    return JobOut(
        id=job.id, batch_id=job.batch_id, filename=job.filename, member=job.member, format=job.format,
        pages=job.pages, size=job.size, sha256=job.sha256, status=job.status,  # type: ignore[arg-type]
        stage=job.stage, progress=job.progress, position=position, queue=job.queue, attempts=job.attempts,
        options=dict(job.options or {}), error=error, plan=plan, created_at=utc(job.created_at),  # type: ignore[arg-type]
        started_at=utc(job.started_at), finished_at=utc(job.finished_at), duration=job.duration,
        expires_at=utc(job.expires_at), expired=job.expired_at is not None, rerun_of=job.rerun_of,
        superseded_by=job.superseded_by, links=links,
    )


def counts(jobs: list[Job]) -> BatchCounts:
    by = {s: sum(1 for j in jobs if j.status == s) for s in ("queued", "running", "done", "failed")}
    return BatchCounts(total=len(jobs), **by)


def batch_status(tally: BatchCounts) -> BatchStatus:
    if tally.queued + tally.running == 0:
        return "finished"
    return "queued" if tally.queued == tally.total else "running"


def batch_links(batch_id: str) -> dict[str, str]:
    base = f"{API}/batches/{batch_id}"
    return {"self": base, "results_zip": f"{base}/results.zip", "export_xlsx": f"{base}/export.xlsx",
            "compare_html": f"{base}/compare.html"}


def batch_out(batch: Batch, jobs: list[Job], positions: Positions) -> BatchOut:
    current = [j for j in jobs if j.superseded_by is None]
    tally = counts(current)
    return BatchOut(id=batch.id, created_at=utc(batch.created_at), status=batch_status(tally),  # type: ignore[arg-type]
                    counts=tally, jobs=[job_out(j, positions.of(j)) for j in current], links=batch_links(batch.id))


__all__ = ["BatchList", "BatchOut", "JobOut", "Positions", "RerunIn", "ValidationReport", "batch_out", "job_out"]
