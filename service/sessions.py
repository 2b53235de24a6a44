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
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypedDict

from service.auth import active_key
from service.config import Settings, folder_secret
from service.db import ApiKey, Database

COOKIE = "roadmap_session"


class _CookieFlags(TypedDict):
    path: str
    httponly: bool
    samesite: Literal["lax", "strict", "none"]


# the cookie's attributes, the same when it is set and when it is removed
COOKIE_FLAGS: _CookieFlags = {"path": "/", "httponly": True, "samesite": "strict"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def signed_in(db: Database, settings: Settings, cookies: Mapping[str, str]) -> ApiKey | None:
    """The key a request's session cookie signs in with: a valid, unexpired token naming a key
    not revoked; else None."""
    token = cookies.get(COOKIE)
    key_id = key_of(settings, token) if token else None
    return active_key(db, key_id) if key_id is not None else None


def from_own_page(headers: Mapping[str, str]) -> bool:
    """Whether a state-changing request came from one of our own pages: its Origin (or, where a
    browser sends none, its Referer) names the host the request was sent to. SameSite=Strict
    already keeps the cookie off other sites' requests; this holds where a browser does not."""
    origin, host = headers.get("origin"), headers.get("host")
    source = origin if origin and origin != "null" else headers.get("referer")
    if not source or not host:
        return False
    authority = source.split("://", 1)[-1].split("/", 1)[0]
    return authority.lower() == host.lower()


__all__ = ["COOKIE", "COOKIE_FLAGS", "SAFE_METHODS", "from_own_page", "issue", "key_of", "signed_in"]
