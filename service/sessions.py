"""Signing in to the web page with an API key. A browser sends no Authorization header, so once
keys exist the page takes the key once (`/login`) and keeps a signed session cookie instead of
the key: `v1.<key id>.<expiry>.<HMAC-SHA256>`, HttpOnly, SameSite=Strict. A session ends at its
expiry, at sign-out, or when its key is revoked (each request looks the key up). The signing
secret is ROADMAP_SESSION_SECRET or one generated once into the data folder, like the webhook
secret, so that every API process on the folder accepts the same sessions."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from service.config import Settings

COOKIE = "roadmap_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def _secret(settings: Settings) -> bytes:
    if settings.session_secret:
        return settings.session_secret.encode("utf-8")
    return _folder_session_secret(settings.data_dir)


@functools.cache
def _folder_session_secret(data_dir: Path) -> bytes:  # read once per process, not per request
    return folder_secret(data_dir, "session.secret")


def _mac(settings: Settings, body: str) -> str:
    return hmac.new(_secret(settings), body.encode("ascii"), hashlib.sha256).hexdigest()


def issue(settings: Settings, key_id: int, moment: float | None = None) -> str:
    expires = int((time.time() if moment is None else moment) + settings.session_hours * 3600)
    body = f"v1.{key_id}.{expires}"
    return f"{body}.{_mac(settings, body)}"


def key_of(settings: Settings, token: str, moment: float | None = None) -> int | None:
    """The key id a session token names, if its signature holds and it has not expired."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "v1" or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    body = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _mac(settings, body)):
        return None
    if int(parts[2]) < (time.time() if moment is None else moment):
        return None
    return int(parts[1])


def same_origin(origin: str | None, referer: str | None, host: str | None) -> bool:
    """Whether a state-changing request came from one of our own pages: its Origin (or, where a
    browser sends none, its Referer) names the host the request was sent to. SameSite=Strict
    already keeps the cookie off other sites' requests; this holds where a browser does not."""
    source = origin if origin and origin != "null" else referer
    if not source or not host:
        return False
    authority = source.split("://", 1)[-1].split("/", 1)[0]
    return authority.lower() == host.lower()


__all__ = ["COOKIE", "SAFE_METHODS", "folder_secret", "issue", "key_of", "same_origin"]
