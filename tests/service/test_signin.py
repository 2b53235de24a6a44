"""Signing in to the web page with an API key once keys exist: the key becomes a signed,
HttpOnly, SameSite=Strict session cookie; pages, the page's own API calls and its forms work
with it; a state change from another site, a tampered or expired cookie, a revoked key and a
signed-out browser are refused. Expected behaviour written from service/sessions.py's
docstring before the test was run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from service import sessions
from service.api import create_app
from service.config import Settings
from tests.service.conftest import LOOPBACK
from tests.service.helpers import files, make_settings, sample
from tests.service.test_web import check_page
from workflow.cli import main

HOST = "testserver"  # the test client's Host
OURS = {"Origin": f"http://{HOST}"}


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[tuple[TestClient, Settings, str]]:
    """An app (jobs not run) with one API key made by `roadmap keys create`."""
    settings = make_settings(tmp_path)
    made = CliRunner().invoke(main, ["keys", "create", "район", "--data-dir", str(settings.data_dir)])
    assert made.exit_code == 0, made.output
    with TestClient(create_app(settings, run_jobs=False), client=LOOPBACK, follow_redirects=False) as client:
        yield client, settings, made.stdout.strip()


def sign_in(client: TestClient, key: str, next_path: str = "/") -> str:
    response = client.post("/login", data={"key": key, "next": next_path}, headers=OURS)
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie and "Max-Age=43200" in cookie
    return str(response.headers["location"])


def test_a_browser_signs_in_with_a_key_and_uses_the_page(keyed: tuple[TestClient, Settings, str]) -> None:
    client, _, key = keyed
    refused = client.get("/")
    assert refused.status_code == 401 and 'href="/login"' in refused.text  # the way in is shown
    form = client.get("/login")
    assert form.status_code == 200 and 'type="password"' in form.text
    check_page(form.text)
    assert sign_in(client, key, "/batches/abc") == "/batches/abc"
    assert key not in str(client.cookies.get(sessions.COOKIE))  # the key itself is not kept
    home = client.get("/")
    assert home.status_code == 200
    check_page(home.text)
    assert "район" in client.get("/login").text  # who is signed in
    uploaded = client.post("/upload", files=files(sample("zima_2024.docx")), headers=OURS)
    assert uploaded.status_code == 303, uploaded.text
    batch_id = uploaded.headers["location"].removeprefix("/batches/")
    assert client.get(f"/api/v1/batches/{batch_id}").status_code == 200  # the page's own API calls
    # the key's owner sees the batch the browser made, through the API with the key too
    listed = TestClient(client.app, client=LOOPBACK).get("/api/v1/batches",
                                                        headers={"Authorization": f"Bearer {key}"}).json()
    assert [b["id"] for b in listed["batches"]] == [batch_id]
    out = client.post("/logout", headers=OURS)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/").status_code == 401


def test_a_state_change_from_another_site_is_refused(keyed: tuple[TestClient, Settings, str]) -> None:
    client, _, key = keyed
    sign_in(client, key)
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/form"}, {}):
        response = client.post("/upload", files=files(sample("zima_2024.docx")), headers=headers)
        assert response.status_code == 403 and "cross_site_request" in response.text, headers
        api = client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")), headers=headers)
        assert api.status_code == 403 and api.json()["code"] == "cross_site_request"
    assert client.post("/upload", files=files(sample("zima_2024.docx")),
                       headers={"Referer": f"http://{HOST}/"}).status_code == 303
    # a sign-in posted from another site is refused as well
    assert client.post("/login", data={"key": key}, headers={"Origin": "https://evil.example"}).status_code == 403


def test_wrong_tampered_expired_and_revoked_sessions(keyed: tuple[TestClient, Settings, str]) -> None:
    client, settings, key = keyed
    wrong = client.post("/login", data={"key": "rk_wrong"}, headers=OURS)
    assert wrong.status_code == 401 and "invalid_api_key" in wrong.text and sessions.COOKIE not in wrong.headers.get(
        "set-cookie", "")
    sign_in(client, key)
    token = str(client.cookies.get(sessions.COOKIE))
    version, key_id, expires, mac = token.split(".")
    for forged in (f"{version}.{int(key_id) + 1}.{expires}.{mac}", f"{version}.{key_id}.{int(expires) + 9}.{mac}",
                   f"{version}.{key_id}.{expires}.{'0' * 64}", "garbage"):
        client.cookies.set(sessions.COOKIE, forged)
        assert client.get("/api/v1/batches").status_code == 401, forged
    expired = sessions.issue(settings, int(key_id), moment=0.0)
    client.cookies.set(sessions.COOKIE, expired)
    assert client.get("/api/v1/batches").status_code == 401
    client.cookies.set(sessions.COOKIE, token)
    assert client.get("/api/v1/batches").status_code == 200
    assert CliRunner().invoke(main, ["keys", "revoke", "район", "--data-dir", str(settings.data_dir)]).exit_code == 0
    assert client.get("/api/v1/batches").status_code == 401  # a revoked key ends its sessions at once


def test_after_sign_in_only_local_paths(keyed: tuple[TestClient, Settings, str]) -> None:
    client, _, key = keyed
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert sign_in(client, key, target) == "/"
