"""The HTTP API in detail (local executor): zips, hints and re-runs, /convert, problems, limits,
keys, rate limit, idempotency, webhooks, retention, validation, health and metrics, docs."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from service.api import create_app
from service.cleanup import cleanup
from service.config import Settings
from service.db import Job, WebhookDelivery, database, now
from service.webhooks import SIGNATURE_HEADER, secret, verify
from tests.conftest import extracted, golden
from tests.service.conftest import LOOPBACK
from tests.service.helpers import BROKEN, files, make_settings, sample, wait_batch, wait_job, zipped
from workflow.cli import main


@pytest.fixture
def idle(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    """An app whose jobs never run (no executor): for queues, limits and keys."""
    settings = make_settings(tmp_path, max_upload_mb=0.1, max_pages=2, rate_limit="5/minute")
    with TestClient(create_app(settings, run_jobs=False), client=LOOPBACK) as client:
        yield client, settings


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


# ---- jobs --------------------------------------------------------------------------------


def test_a_zip_becomes_a_batch_of_its_plan_files(local_client: TestClient) -> None:
    name, data = sample("tula_2020-2021.docx")
    archive = zipped({"Планы/" + name: data, "Планы/вложенный.zip": zipped({"zima.docx": sample("zima_2024.docx")[1]}),
                      "readme.txt": b"not a plan", "~$lock.docx": b"lock file"})
    response = local_client.post("/api/v1/jobs", files=files(("планы.zip", archive)))
    assert response.status_code == 202
    batch = wait_batch(local_client, response.json()["id"])
    members = sorted(job["member"] for job in batch["jobs"])
    assert members == ["планы.zip/Планы/tula_2020-2021.docx", "планы.zip/Планы/вложенный.zip/zima.docx"]
    assert batch["counts"]["done"] == 2
    zima = next(job for job in batch["jobs"] if job["filename"] == "zima.docx")
    plan = local_client.get(zima["links"]["result"]).json()
    assert plan["source"]["filename"] == "zima.docx"
    assert plan["activities"] == extracted("zima_2024")["activities"]


def test_one_file_gives_the_job_as_location_and_hints_reach_the_plan(local_client: TestClient) -> None:
    response = local_client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")),
                                 data={"period": "2024-2025", "academic": "true", "municipality": "г. Зима",
                                       "columns": "3=responsible"})
    assert response.status_code == 202, response.text
    job_id = response.json()["jobs"][0]["id"]
    assert response.headers["location"] == f"/api/v1/jobs/{job_id}"
    job = wait_job(local_client, job_id)
    assert job["options"] == {"period": "2024-2025 учебный", "municipality": "г. Зима", "columns": {"3": "responsible"}}
    hints = local_client.get(f"/api/v1/jobs/{job_id}/result").json()["source"]["hints"]
    assert hints == {"period": "2024-2025 учебный год", "municipality": "г. Зима", "columns": "3=responsible"}

    changes = {"options": {"municipality": "Зима", "columns": None}}
    rerun = local_client.post(f"/api/v1/jobs/{job_id}/rerun", json=changes)
    assert rerun.status_code == 202, rerun.text
    fresh = wait_job(local_client, rerun.json()["id"])
    assert fresh["rerun_of"] == job_id and fresh["options"] == {"period": "2024-2025 учебный", "municipality": "Зима"}
    plan = local_client.get(fresh["links"]["result"]).json()
    assert plan["plan"]["municipality"] == "Зима"
    batch = local_client.get(fresh["links"]["batch"]).json()
    assert [j["id"] for j in batch["jobs"]] == [fresh["id"]]  # the re-run replaces the job in its batch
    assert local_client.get(f"/api/v1/jobs/{job_id}").json()["superseded_by"] == fresh["id"]


def test_bad_hints_are_refused_in_russian(local_client: TestClient) -> None:
    body = problem(local_client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")), data={"period": "зимой"}),
                   422, "bad_options")
    assert "период не понят" in body["detail"]
    problem(local_client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")),
                              data={"options": json.dumps({"language_data": "/etc"})}), 422, "bad_options")
    problem(local_client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")),
                              data={"callback_url": "ftp://x"}), 422, "bad_callback_url")
    problem(local_client.post("/api/v1/jobs", data={"period": "2020"}), 422, "invalid_request")


def test_convert_waits_for_small_files(local_client: TestClient) -> None:
    response = local_client.post("/api/v1/convert?wait=60", files=files(sample("tula_2020-2021.docx")))
    assert response.status_code == 200, response.text
    assert response.json() == extracted("tula_2020-2021")
    problem(local_client.post("/api/v1/convert?wait=60", files=files(BROKEN)), 422, "corrupt_file")
    late = local_client.post("/api/v1/convert?wait=0", files=files(sample("zima_2024.docx")))
    assert late.status_code == 202 and late.headers["location"] == f"/api/v1/jobs/{late.json()['id']}"
    problem(local_client.post("/api/v1/convert", files=files(("a.zip", zipped({"a.docx": b"x"})))),
            422, "single_file_expected")


def test_pages_of_a_pdf_and_the_upload(local_client: TestClient) -> None:
    response = local_client.post("/api/v1/jobs", files=files(sample("zima_2024.pdf"), sample("zima_2024.docx")))
    jobs = {j["filename"]: j for j in wait_batch(local_client, response.json()["id"])["jobs"]}
    pdf = jobs["zima_2024.pdf"]
    assert (pdf["format"], pdf["queue"], pdf["status"]) == ("pdf", "fast", "done")
    page = local_client.get(f"/api/v1/jobs/{pdf['id']}/pages/1")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    problem(local_client.get(f"/api/v1/jobs/{pdf['id']}/pages/{pdf['pages'] + 1}"), 404, "page_out_of_range")
    problem(local_client.get(f"/api/v1/jobs/{jobs['zima_2024.docx']['id']}/pages/1"), 404, "no_pages")
    source = local_client.get(pdf["links"]["source"])
    assert source.content == sample("zima_2024.pdf")[1]


def test_delete_removes_the_job_and_its_files(local_client: TestClient) -> None:
    response = local_client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")))
    job = wait_job(local_client, response.json()["jobs"][0]["id"])
    ctx = local_client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.session() as session:
        row = session.scalars(select(Job).where(Job.id == job["id"])).one()
    assert ctx.blobs.exists(row.result_blob) and ctx.blobs.exists(row.upload_blob)
    assert local_client.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
    assert not ctx.blobs.exists(row.result_blob) and not ctx.blobs.exists(row.upload_blob)
    problem(local_client.get(f"/api/v1/jobs/{job['id']}"), 404, "not_found")


# ---- queue, retention, limits ------------------------------------------------------------


def test_queue_positions_not_ready_and_expired(idle: tuple[TestClient, Settings]) -> None:
    client, settings = idle
    batch = client.post("/api/v1/jobs", files=files(sample("zima_2024.docx"), sample("tula_2020-2021.docx"))).json()
    assert [j["position"] for j in batch["jobs"]] == [0, 1]
    first = batch["jobs"][0]["id"]
    body = problem(client.get(f"/api/v1/jobs/{first}/result"), 409, "not_ready")
    assert body["position"] == 0
    db = database(settings)
    with db.session() as session:  # as if the job had finished long ago
        session.execute(update(Job).where(Job.id == first).values(
            status="done", result_blob="results/x/1.json", finished_at=now(), expires_at=now() - dt.timedelta(hours=1)))
    assert cleanup(db, client.app.state.ctx.blobs, settings) == 1  # type: ignore[attr-defined]
    problem(client.get(f"/api/v1/jobs/{first}/result"), 410, "expired")
    assert client.get(f"/api/v1/jobs/{first}").json()["expired"] is True
    assert client.get(f"/api/v1/jobs/{batch['jobs'][1]['id']}").json()["position"] == 0


def test_the_upload_limit_is_counted_while_streaming(idle: tuple[TestClient, Settings]) -> None:
    client, _ = idle
    big = b"x" * 200_000
    problem(client.post("/api/v1/jobs", files=files(("big.docx", big))), 413, "upload_too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: only counting can stop it
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.docx\"\r\n\r\n"
        for _ in range(50):
            yield b"x" * 10_000

    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    response = client.post("/api/v1/jobs", content=chunks(), headers=headers)
    problem(response, 413, "upload_too_large")
    assert "МБ" in response.json()["detail"]


def test_the_page_limit(idle: tuple[TestClient, Settings]) -> None:
    client, _ = idle
    body = problem(client.post("/api/v1/jobs", files=files(sample("khmao_2023.pdf"))), 413, "too_many_pages")
    assert "khmao_2023.pdf" in body["detail"]


def test_rate_limit_per_client(idle: tuple[TestClient, Settings]) -> None:
    client, _ = idle
    statuses = [client.get("/api/v1/batches").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/v1/batches")
    problem(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1


def test_api_keys_close_the_api_once_one_exists(idle: tuple[TestClient, Settings]) -> None:
    client, settings = idle
    outside = TestClient(client.app, client=("192.0.2.7", 4000))
    problem(outside.get("/api/v1/batches"), 401, "api_key_required")  # open to loopback only while no key exists
    runner = CliRunner()
    made = runner.invoke(main, ["keys", "create", "регион", "--data-dir", str(settings.data_dir)])
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    ctx.keys.checked = 0.0  # the cache asks the database again at once
    problem(client.get("/api/v1/batches"), 401, "api_key_required")
    problem(client.get("/api/v1/batches", headers={"Authorization": "Bearer rk_wrong"}), 401, "invalid_api_key")
    assert outside.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = runner.invoke(main, ["keys", "list", "--data-dir", str(settings.data_dir)])
    assert "регион" in listed.output and key not in listed.output and "действует" in listed.output
    assert runner.invoke(main, ["keys", "revoke", "регион", "--data-dir", str(settings.data_dir)]).exit_code == 0
    problem(client.get("/api/v1/batches", headers={"Authorization": f"Bearer {key}"}), 401, "invalid_api_key")


def test_idempotency_key_replays_the_first_request(idle: tuple[TestClient, Settings]) -> None:
    client, _ = idle
    headers = {"Idempotency-Key": "order-17"}
    first = client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")), headers=headers)
    again = client.post("/api/v1/jobs", files=files(sample("zima_2024.docx")), headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    problem(client.post("/api/v1/jobs", files=files(sample("tula_2020-2021.docx")), headers=headers),
            409, "idempotency_key_reused")
    assert len(client.get("/api/v1/batches").json()["batches"]) == 1


# ---- webhooks ----------------------------------------------------------------------------


class Receiver(http.server.BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 500 if not Receiver.calls else 204  # the first try fails
        Receiver.calls.append((status, dict(self.headers), body))
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_webhooks_are_signed_retried_and_recorded(local_client: TestClient) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        response = local_client.post("/api/v1/jobs", files=files(BROKEN), data={"callback_url": url})
        job = wait_job(local_client, response.json()["jobs"][0]["id"])
        ctx = local_client.app.state.ctx  # type: ignore[attr-defined]
        deadline = dt.datetime.now() + dt.timedelta(seconds=20)
        while dt.datetime.now() < deadline:
            with ctx.db.session() as session:
                row = session.scalars(select(WebhookDelivery).where(WebhookDelivery.job_id == job["id"])).one()
            if row.status != "pending":
                break
            threading.Event().wait(0.2)
        assert (row.status, row.attempts, row.last_status_code) == ("delivered", 2, 204)
    finally:
        server.shutdown()
    assert [c[0] for c in Receiver.calls] == [500, 204]
    _, headers, body = Receiver.calls[-1]
    assert verify(secret(ctx.settings), body, headers[SIGNATURE_HEADER])
    assert not verify(b"another secret", body, headers[SIGNATURE_HEADER])
    payload = json.loads(body)
    assert payload["event"] == "job.finished"
    assert (payload["job"]["id"], payload["job"]["status"], payload["job"]["error"]["code"]) == \
        (job["id"], "failed", "corrupt_file")


# ---- documents, health, metrics, docs ----------------------------------------------------


def test_validate_and_schema(local_client: TestClient) -> None:
    plan = golden("zima_2024")
    report = local_client.post("/api/v1/validate", json=plan).json()
    assert report == {"valid": True, "schema_name": "roadmap.schema.json", "problems": []}
    plan["activities"][3]["schedule"]["kind"] = "иногда"
    report = local_client.post("/api/v1/validate", json=plan).json()
    assert not report["valid"] and report["problems"][0]["path"] == "$.activities[3].schedule.kind"
    error = {"error": {"code": "timeout", "message": "m", "filename": "f"}}
    assert local_client.post("/api/v1/validate", json=error).json()["schema_name"] == "error.schema.json"
    assert local_client.get("/api/v1/schema").json()["title"] == "Plan"
    assert "error" in local_client.get("/api/v1/schema/error").json()["properties"]


def test_health_readiness_metrics_and_problems(local_client: TestClient) -> None:
    assert local_client.get("/healthz").json() == {"status": "ok"}
    assert local_client.get("/readyz").json() == {"status": "ready", "executor": "local"}
    metrics = local_client.get("/metrics").text
    for name in ("roadmap_jobs{state=\"done\"}", "roadmap_queue_depth{queue=\"ocr\"}",
                 "roadmap_job_duration_seconds_bucket", "roadmap_http_request_duration_seconds_bucket"):
        assert name in metrics
    problem(local_client.get("/api/v1/nothing"), 404, "not_found")
    problem(local_client.get("/api/v1/jobs/0000"), 404, "not_found")


def test_docs_are_served_without_a_cdn(local_client: TestClient) -> None:
    page = local_client.get("/api/v1/docs").text
    assert "/api/v1/docs-static/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert local_client.get("/api/v1/docs-static/swagger-ui-bundle.js").status_code == 200
    spec = local_client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "Problem" in spec["components"]["schemas"]
    assert "links" in spec["paths"]["/api/v1/jobs"]["post"]["responses"]["202"]


def test_an_upload_of_a_scan_goes_to_the_ocr_queue(idle: tuple[TestClient, Settings]) -> None:
    from PIL import Image

    client, _ = idle
    buffer = io.BytesIO()
    pages = [Image.new("L", (200, 100), 255) for _ in range(2)]
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    job = client.post("/api/v1/jobs", files=files(("скан.tiff", buffer.getvalue()))).json()["jobs"][0]
    assert (job["format"], job["queue"], job["pages"]) == ("image", "ocr", 2)
    page = client.get(f"/api/v1/jobs/{job['id']}/pages/2")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")


def test_checks_and_diffs_of_a_batch(local_client: TestClient) -> None:
    """Issue 17 in the service: a job's checks (Саров's activity 5 repeats activity 1, read in
    golden/sarov_2021-2022.json) and a batch holding two submissions from one municipality (the
    same Саров plan sent twice under two names) diffed one against the other: nothing changed."""
    name, data = sample("sarov_2021-2022.docx")
    octet = "application/octet-stream"
    response = local_client.post("/api/v1/jobs", files=[("files", (name, data, octet)),
                                                         ("files", ("sarov_v2.docx", data, octet))])
    assert response.status_code == 202, response.text
    batch = wait_batch(local_client, response.json()["id"])
    first = next(j for j in batch["jobs"] if j["filename"] == name)
    checks = local_client.get(f"/api/v1/jobs/{first['id']}/checks").json()
    assert ("duplicate_activity", 5) in [(f["code"], f["activity"]) for f in checks["findings"]]
    page = local_client.get(f"/api/v1/batches/{batch['id']}/checks.html")
    assert page.status_code == 200 and "Саров" in page.text
    (pair,) = local_client.get(f"/api/v1/batches/{batch['id']}/diffs").json()
    assert {pair["old_job"], pair["new_job"]} == {j["id"] for j in batch["jobs"]}
    summary = pair["diff"]["summary"]
    assert summary.get("added", 0) == summary.get("removed", 0) == summary.get("changed", 0) == 0
    html = local_client.get("/api/v1/diff.html", params={"old": pair["old_job"], "new": pair["new_job"]})
    assert html.status_code == 200 and "<html" in html.text
