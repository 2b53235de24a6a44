"""Webhooks: a finished job with a callback_url gets one delivery row, written in the same
transaction that finishes the job (so one per job, however often the job was tried). The
maintenance thread posts due deliveries, signed with HMAC-SHA256, retrying with exponential
backoff, recording every try.

Signature: `X-Roadmap-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
service's webhook secret, as Stripe signs: the receiver recomputes it and checks that t is recent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any

from sqlalchemy import select, update

from service.config import Settings, folder_secret
from service.db import Database, Job, WebhookDelivery, changed, now
from service.errors import job_detail

log = logging.getLogger(__name__)
EVENT_FINISHED = "job.finished"
SIGNATURE_HEADER = "X-Roadmap-Signature"


def secret(settings: Settings) -> bytes:
    """The signing secret: ROADMAP_WEBHOOK_SECRET, or one generated once into the data folder."""
    if settings.webhook_secret:
        return settings.webhook_secret.encode("utf-8")
    return folder_secret(settings.data_dir, "webhook.secret")


def sign(key: bytes, body: bytes, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def verify(key: bytes, body: bytes, header: str, tolerance: float = 300.0) -> bool:
    """What a receiver does (the tests use it): the signature matches and is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        stamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(key, body, stamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", "")) and abs(time.time() - stamp) <= tolerance


def job_links(job_id: str, base: str = "") -> dict[str, str]:
    prefix = f"{base.rstrip('/')}/api/v1/jobs/{job_id}"
    return {"self": prefix, "result": f"{prefix}/result", "result_xlsx": f"{prefix}/result.xlsx"}


def delivery_for(job: Job, settings: Settings) -> WebhookDelivery:
    """The delivery row of a job that has just finished."""
    error = None
    if job.error_code:
        error = {"code": job.error_code, "message": job.error_message or "", "detail": job_detail(job.error_code)}
    payload = {
        "event": EVENT_FINISHED,
        "job": {
            "id": job.id,
            "batch_id": job.batch_id,
            "filename": job.filename,
            "member": job.member,
            "status": job.status,
            "error": error,
            "links": job_links(job.id, settings.public_url),
        },
    }
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return WebhookDelivery(job_id=job.id, url=job.callback_url or "", event=EVENT_FINISHED, payload=body,
                           status="pending", attempts=0, next_attempt_at=now())


def deliver_due(db: Database, settings: Settings, limit: int = 20) -> int:
    """Post the deliveries that are due; the number tried."""
    import httpx

    moment = now()
    with db.session() as session:
        due = session.execute(
            select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= moment)
            .order_by(WebhookDelivery.next_attempt_at).limit(limit)
        ).all()
    if not due:  # the usual case: no client (its TLS context costs tens of ms of CPU)
        return 0
    key = secret(settings)
    tried = 0
    with httpx.Client(timeout=settings.webhook_timeout, follow_redirects=False) as client:
        for delivery_id, due_at in due:
            # claim it: another service process sweeping the same table skips it
            hold = moment + dt.timedelta(seconds=settings.webhook_timeout * 3)
            with db.session() as session:
                claimed = changed(
                    session,
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                           WebhookDelivery.next_attempt_at == due_at)
                    .values(next_attempt_at=hold)
                )
                row = session.get(WebhookDelivery, delivery_id) if claimed == 1 else None
                if row is None:
                    continue
                url, body, attempts = row.url, row.payload.encode("utf-8"), row.attempts
            tried += 1
            status_code, error = _post(client, url, body, row.event, delivery_id, key)
            _record(db, settings, delivery_id, attempts + 1, status_code, error)
    return tried


def _post(client: Any, url: str, body: bytes, event: str, delivery_id: int,
          key: bytes) -> tuple[int | None, str | None]:
    import httpx

    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "roadmap-extractor-webhook",
        "X-Roadmap-Event": event,
        "X-Roadmap-Delivery": str(delivery_id),
        SIGNATURE_HEADER: sign(key, body),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _record(db: Database, settings: Settings, delivery_id: int, attempts: int, status_code: int | None,
            error: str | None) -> None:
    moment = now()
    values: dict[str, Any] = {"attempts": attempts, "last_status_code": status_code, "last_error": error}
    if error is None:
        values.update(status="delivered", delivered_at=moment)
    elif attempts >= settings.webhook_attempts:
        values.update(status="failed")
    else:
        delay = settings.webhook_backoff * 2 ** (attempts - 1)
        values.update(next_attempt_at=moment + dt.timedelta(seconds=min(delay, 3600)))
    with db.session() as session:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))
    if error is not None:
        log.info("webhook %s: try %s failed: %s", delivery_id, attempts, error)


__all__ = ["EVENT_FINISHED", "SIGNATURE_HEADER", "deliver_due", "delivery_for", "secret", "sign", "verify"]
