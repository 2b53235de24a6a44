"""API keys and the rate limit.

Keys are random (32 bytes), shown once by `roadmap keys create`, stored as their SHA-256 (a
slow password hash buys nothing for keys this long). While no active key exists the API is
open, but to loopback clients only: `roadmap serve` on 127.0.0.1 works out of the box, and a
server bound to another address refuses everyone until a key is created.

The rate limit counts requests per key (per client address while no key exists) in a moving
window, with the `limits` library: in memory for the local executor, in Redis for the celery
one, so that several API processes share one count.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from service.config import Settings
from service.db import ApiKey, Database, changed, now

log = logging.getLogger(__name__)
KEY_PREFIX = "rk_"
OPEN_OWNER = "local"


@dataclass(frozen=True)
class Principal:
    owner: str  # what jobs are owned by: "key:<id>", or "local" while the API is open
    key_id: int | None
    client: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(db: Database, name: str) -> tuple[ApiKey, str]:
    """A new key: its row and the key itself (never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:10], key_hash=hash_key(key), created_at=now())
    with db.session() as session:
        session.add(row)
    return row, key


def list_keys(db: Database) -> list[ApiKey]:
    with db.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(db: Database, ident: str) -> int:
    """Revoke keys by id, name or prefix; how many were revoked."""
    conditions = [ApiKey.name == ident, ApiKey.prefix == ident]
    if ident.isdigit():
        conditions.append(ApiKey.id == int(ident))
    with db.session() as session:
        return changed(session, update(ApiKey).where(or_(*conditions), ApiKey.revoked_at.is_(None))
                       .values(revoked_at=now()))


def any_active_key(db: Database) -> bool:
    with db.session() as session:
        return session.scalar(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)) is not None


def find_key(db: Database, key: str) -> ApiKey | None:
    with db.session() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)))
        if row is not None and (row.last_used_at is None or (now() - row.last_used_at).total_seconds() > 60):
            row.last_used_at = now()  # at most once a minute: no write per request
        return row


def active_key(db: Database, key_id: int) -> ApiKey | None:
    """A key by its id while it is not revoked (a web session names its key by id)."""
    with db.session() as session:
        return session.scalar(select(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)))


def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyCache:
    """Whether any key exists, asked of the database at most once a second (keys are made by
    `roadmap keys` in another process)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.checked = 0.0
        self.value = False

    def any_key(self) -> bool:
        if time.monotonic() - self.checked > 1.0:
            self.value = any_active_key(self.db)
            self.checked = time.monotonic()
        return self.value


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        from limits import parse
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self.item = parse(settings.rate_limit)
        uri = settings.broker_url if settings.executor == "celery" else "memory://"
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def retry_after(self, owner: str) -> float | None:
        """None when the request may go; else the seconds to wait."""
        try:
            if self.limiter.hit(self.item, owner):
                return None
            reset = self.limiter.get_window_stats(self.item, owner).reset_time
        except Exception as exc:  # the counter's store is away: serve rather than refuse everyone
            log.warning("rate limit not counted: %s", exc)
            return None
        return max(1.0, reset - time.time())


__all__ = ["KeyCache", "Principal", "RateLimiter", "active_key", "create_key", "find_key", "is_loopback", "list_keys",
           "revoke_key"]
