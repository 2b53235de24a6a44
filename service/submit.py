"""Turning a request into jobs: uploads copied into the blob folder, zips opened with the batch
code's own reader (workflow.batch_inputs: nested archives, Russian member names, refusals),
options checked with Options.resolve, pages counted, each file sent to the fast or the OCR
queue, and everything committed in one transaction (or nothing). An Idempotency-Key replays
the batch it made first."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extractor.options import Options, OptionsError
from parsers import sniff
from parsers.errors import ExtractionError
from service.blobs import BlobStore, result_name, upload_name
from service.config import Settings
from service.db import FAILED, QUEUED, Batch, Database, Job, new_id, now
from service.jobs import failure
from service.problems import ApiError
from service.webhooks import delivery_for
from workflow.batch_inputs import collect_inputs, is_archive_name, materialize
from workflow.hints import merged, typed_hints

MAX_ZIP_DEPTH = 3


@dataclass(frozen=True)
class Upload:
    filename: str  # as the client named it (a folder path from a browser is allowed)
    stream: BinaryIO


@dataclass(frozen=True)
class Submitted:
    batch_id: str
    location: str
    queued: list[str]
    replayed: bool


# ---- options -----------------------------------------------------------------------------


def form_options(period: str | None = None, academic: bool = False, municipality: str | None = None,
                 columns: str | None = None, ocr: bool | None = None, options: str | None = None) -> dict[str, Any]:
    """The job's options from the form's fields (they win over the `options` JSON object); checked."""
    base: Any = {}
    if options:
        try:
            base = json.loads(options)
        except ValueError as exc:
            raise ApiError(422, "bad_options", f"options: не JSON ({exc})") from exc
        if not isinstance(base, dict):
            raise ApiError(422, "bad_options", "options: нужен JSON-объект с ключами настроек")
    # a blank form field is a field not filled in
    typed = typed_hints(period or None, academic, municipality or None,
                        parse_columns(columns) if columns else None, ocr)
    return checked_options(merged(base, typed))


def parse_columns(text: str) -> dict[str, str]:
    """'3=responsible, 4=other' or a JSON object {"3": "responsible"}."""
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ApiError(422, "bad_options", f"columns: не JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ApiError(422, "bad_options", "columns: нужен объект {номер: роль}")
        return {str(k): str(v) for k, v in data.items()}
    out = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ApiError(422, "bad_options", f"columns: «{part}»: нужно НОМЕР=РОЛЬ, например 3=responsible")
        out[key.strip()] = value.strip()
    return out


def checked_options(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Options as stored with a job: JSON values that Options.resolve accepts. language_data
    names a folder on the server, so a client may not set it."""
    data = {k: v for k, v in raw.items() if v is not None}
    if "language_data" in data:
        raise ApiError(422, "bad_options", "language_data задаётся только на сервере, не в запросе")
    try:
        Options.resolve(data)
    except OptionsError as exc:
        raise ApiError(422, "bad_options", str(exc)) from exc
    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise ApiError(422, "bad_options", f"настройки должны быть значениями JSON: {exc}") from exc
    return data


def check_callback(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    url = url.strip()
    if not url.startswith(("http://", "https://")) or len(url) > 2000:
        raise ApiError(422, "bad_callback_url")
    return url


# ---- files -------------------------------------------------------------------------------


def inspect(path: Path, kind: str) -> tuple[int | None, str]:
    """Pages (PDFs and images) and the queue: scans go to OCR, the rest is fast."""
    if kind == "pdf":
        import pypdfium2  # type: ignore[import-untyped]

        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError:  # encrypted or damaged: the extractor names the error
            return None, "fast"
        try:
            pages = len(pdf)
            text = 0
            for index in range(min(pages, 3)):
                page = pdf[index]
                text += page.get_textpage().count_chars()
            return pages, "fast" if text >= 20 else "ocr"
        finally:
            pdf.close()
    if kind == "image":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1)), "ocr"
        except (OSError, UnidentifiedImageError):
            return None, "ocr"
    return None, "fast"


@dataclass
class _Planned:
    job: Job
    refusal: ExtractionError | None = None


class Submitter:
    def __init__(self, settings: Settings, db: Database, blobs: BlobStore) -> None:
        self.settings, self.db, self.blobs = settings, db, blobs

    def submit(self, owner: str, uploads: Sequence[Upload], options: dict[str, Any], callback_url: str | None,
               idempotency_key: str | None, single_only: bool = False) -> Submitted:
        if not uploads:
            raise ApiError(422, "no_files")
        if len(uploads) > self.settings.max_files:
            raise ApiError(413, "too_many_files", f"не больше {self.settings.max_files} файлов в одном запросе")
        batch_id = new_id()
        staged = f"uploads/{batch_id}"
        try:
            digests: list[str] = []
            planned = self._stage(batch_id, uploads, options, callback_url, owner, digests)
            if single_only and (len(planned) != 1 or len(uploads) != 1 or is_archive_name(uploads[0].filename)):
                raise ApiError(422, "single_file_expected")
            request_hash = hashlib.sha256(json.dumps(
                [digests, options, callback_url], sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
            if idempotency_key is not None:
                earlier = self._replay(owner, idempotency_key, request_hash)
                if earlier is not None:
                    self.blobs.remove_tree(staged)
                    return earlier
            single = len(uploads) == 1 and len(planned) == 1 and planned[0].job.member is None
            batch = Batch(id=batch_id, owner=owner, created_at=now(), idempotency_key=idempotency_key,
                          request_hash=request_hash if idempotency_key else None, single=single)
            self._commit(batch, planned)
        except IntegrityError:  # the same Idempotency-Key committed by a parallel request
            self.blobs.remove_tree(staged)
            assert idempotency_key is not None
            earlier = self._replay(owner, idempotency_key, request_hash)
            if earlier is None:
                raise
            return earlier
        except BaseException:
            self.blobs.remove_tree(staged)
            raise
        queued = [p.job.id for p in planned if p.job.status == QUEUED]
        return Submitted(batch_id, location(batch, planned[0].job.id), queued, replayed=False)

    def _replay(self, owner: str, key: str, request_hash: str) -> Submitted | None:
        with self.db.session() as session:
            batch = session.scalar(select(Batch).where(Batch.owner == owner, Batch.idempotency_key == key))
            if batch is None:
                return None
            first = session.scalar(select(Job.id).where(Job.batch_id == batch.id).order_by(Job.seq).limit(1))
        if batch.request_hash != request_hash:
            raise ApiError(409, "idempotency_key_reused")
        return Submitted(batch.id, location(batch, first or ""), [], replayed=True)

    def _stage(self, batch_id: str, uploads: Sequence[Upload], options: dict[str, Any], callback_url: str | None,
               owner: str, digests: list[str]) -> list[_Planned]:
        planned: list[_Planned] = []
        for index, upload in enumerate(uploads):
            name = upload_name(batch_id, index, upload.filename)
            size, digest = self.blobs.write_stream(name, upload.stream)
            digests.append(f"{upload.filename}\0{digest}")
            display = upload.filename.replace("\\", "/").strip("/")
            base = Path(name).name
            if is_archive_name(base):
                planned += self._members(batch_id, index, name, display, options, callback_url, owner)
                self.blobs.remove(name)  # its members are stored one by one
            else:
                job = self._job(batch_id, owner, base, None, name, size, digest, options, callback_url)
                if job.pages is not None and job.pages > self.settings.max_pages:
                    raise ApiError(413, "too_many_pages",
                                   f"{display}: {job.pages} стр., допускается не больше {self.settings.max_pages}")
                planned.append(_Planned(job))
            if len(planned) > self.settings.max_files:
                raise ApiError(413, "too_many_files", f"не больше {self.settings.max_files} файлов в одном запросе")
        return planned

    def _members(self, batch_id: str, index: int, name: str, display: str, options: dict[str, Any],
                 callback_url: str | None, owner: str) -> list[_Planned]:
        archive = self.blobs.path(name)
        items = collect_inputs([str(archive)], MAX_ZIP_DEPTH)
        if len(items) > self.settings.max_files:
            raise ApiError(413, "too_many_files", f"в архиве больше {self.settings.max_files} файлов")
        if sum(item.size for item in items) > 10 * self.settings.max_upload_bytes:
            raise ApiError(413, "upload_too_large", "архив распаковывается в слишком большой объём")
        out = []
        for number, item in enumerate(items):
            member = f"{display}/{item.member}" if item.member else display
            if item.refusal is not None:
                job = self._job(batch_id, owner, item.filename, member, None, item.size, item.sha256, options,
                                callback_url)
                out.append(_Planned(job, ExtractionError(*item.refusal)))
                continue
            folder = self.blobs.path(upload_name(batch_id, index, "x", number)).parent
            folder.mkdir(parents=True, exist_ok=True)
            try:
                path = materialize(item, folder)
            except ExtractionError as exc:
                job = self._job(batch_id, owner, item.filename, member, None, item.size, item.sha256, options,
                                callback_url)
                out.append(_Planned(job, exc))
                continue
            job = self._job(batch_id, owner, item.filename, member, self.blobs.name(path), item.size, item.sha256,
                            options, callback_url)
            refusal = None
            if job.pages is not None and job.pages > self.settings.max_pages:
                limit = self.settings.max_pages
                refusal = ExtractionError("too_large", f"{job.pages} стр., допускается не больше {limit}")
            out.append(_Planned(job, refusal))
        return out

    def _job(self, batch_id: str, owner: str, filename: str, member: str | None, blob: str | None, size: int,
             digest: str | None, options: dict[str, Any], callback_url: str | None) -> Job:
        kind, pages, queue = None, None, "fast"
        if blob is not None:
            path = self.blobs.path(blob)
            kind = sniff(path)
            pages, queue = inspect(path, kind)
        return Job(id=new_id(), batch_id=batch_id, owner=owner, filename=filename, member=member, format=kind,
                   pages=pages, size=size, sha256=digest, queue=queue, status=QUEUED, stage="waiting", progress=0.0,
                   attempts=0, options=options, upload_blob=blob, callback_url=callback_url, created_at=now())

    def _commit(self, batch: Batch, planned: list[_Planned]) -> None:
        moment = now()
        finished = []
        for item in planned:
            if item.refusal is None:
                continue
            job, outcome = item.job, failure(item.job.filename, item.refusal)
            job.result_blob = self.blobs.write_text(result_name(job.id, 0), outcome.text)
            job.status, job.stage, job.progress = FAILED, "finished", 1.0
            job.error_code, job.error_message = outcome.error_code, outcome.error_message
            job.finished_at, job.duration = moment, 0.0
            job.expires_at = moment + dt.timedelta(seconds=self.settings.result_ttl)
            finished.append(job)
        try:
            with self.db.session() as session:
                session.add(batch)
                session.flush()
                session.add_all([p.job for p in planned])
                session.flush()
                for job in finished:
                    if job.callback_url:
                        session.add(delivery_for(job, self.settings))
        except BaseException:
            for job in finished:
                self.blobs.remove_tree(f"results/{job.id}")
            raise


def location(batch: Batch, first_job: str) -> str:
    return f"/api/v1/jobs/{first_job}" if batch.single else f"/api/v1/batches/{batch.id}"


def rerun(db: Database, settings: Settings, job: Job, changes: Mapping[str, Any], callback_url: str | None) -> Job:
    """A new job on the same upload with the hints changed; the old one is marked superseded."""
    options = dict(job.options or {})
    for key, value in changes.items():
        if value is None:
            options.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(options.get(key), dict):
            options[key] = merged(options[key], value)
        else:
            options[key] = value
    options = checked_options(options)
    fresh = Job(id=new_id(), batch_id=job.batch_id, owner=job.owner, filename=job.filename, member=job.member,
                format=job.format, pages=job.pages, size=job.size, sha256=job.sha256, queue=job.queue, status=QUEUED,
                stage="waiting", progress=0.0, attempts=0, options=options, upload_blob=job.upload_blob,
                callback_url=check_callback(callback_url) if callback_url is not None else job.callback_url,
                created_at=now(), rerun_of=job.id)
    with db.session() as session:
        session.add(fresh)
        session.flush()
        old = session.scalars(select(Job).where(Job.id == job.id)).one()
        old.superseded_by = fresh.id
    return fresh


__all__ = ["Submitted", "Submitter", "Upload", "check_callback", "form_options", "rerun"]
