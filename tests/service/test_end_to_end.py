"""The same end-to-end run in both executors: two sample plans and a broken file in, canonical
JSON (identical to extracting in process), the contract's error code, Excel, the comparison
report and the results zip out."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import extracted
from tests.service.helpers import BROKEN, files, sample, wait_batch


def test_two_samples_and_a_broken_file(service_client: TestClient) -> None:
    client = service_client
    response = client.post("/api/v1/jobs", files=files(sample("zima_2024.docx"), sample("tula_2020-2021.docx"), BROKEN))
    assert response.status_code == 202, response.text
    batch = response.json()
    assert response.headers["location"] == f"/api/v1/batches/{batch['id']}"
    assert batch["counts"]["total"] == 3
    assert [job["position"] is not None for job in batch["jobs"] if job["status"] == "queued"]

    batch = wait_batch(client, batch["id"])
    jobs = {job["filename"]: job for job in batch["jobs"]}
    assert batch["counts"] == {"total": 3, "queued": 0, "running": 0, "done": 2, "failed": 1}

    for name in ("zima_2024", "tula_2020-2021"):
        job = jobs[f"{name}.docx"]
        assert (job["status"], job["stage"], job["progress"], job["error"]) == ("done", "finished", 1.0, None)
        assert job["plan"]["activities"] == len(extracted(name)["activities"])
        result = client.get(job["links"]["result"])
        assert result.status_code == 200
        assert result.headers["content-type"].startswith("application/json")
        assert result.json() == extracted(name)

    broken = jobs["broken.docx"]
    assert broken["status"] == "failed"
    assert broken["error"]["code"] == "corrupt_file"
    assert "повреждён" in broken["error"]["detail"]
    problem = client.get(f"/api/v1/jobs/{broken['id']}/result")
    assert problem.status_code == 422
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["code"] == "corrupt_file"
    assert problem.json()["error"]["filename"] == "broken.docx"

    xlsx = client.get(jobs["zima_2024.docx"]["links"]["result_xlsx"])
    assert xlsx.status_code == 200
    assert "zima_2024.xlsx" in xlsx.headers["content-disposition"]
    assert len(load_workbook(io.BytesIO(xlsx.content)).sheetnames) == 4  # all, overview, the plan, checks

    export = client.get(batch["links"]["export_xlsx"])
    assert export.status_code == 200
    assert len(load_workbook(io.BytesIO(export.content)).sheetnames) == 5  # two plans, and the checks

    report = client.get(batch["links"]["compare_html"])
    assert report.status_code == 200
    assert "Зимин" in report.text and "Тула" in report.text and "broken.docx" in report.text

    archive = zipfile.ZipFile(io.BytesIO(client.get(batch["links"]["results_zip"]).content))
    names = archive.namelist()
    assert len(names) == 4 and "_report.json" in names
    outputs = {json.loads(archive.read(n)).get("source", {}).get("filename") for n in names if n != "_report.json"}
    assert outputs == {"zima_2024.docx", "tula_2020-2021.docx", None}
    listed = json.loads(archive.read("_report.json"))["files"]
    assert sorted(f["status"] for f in listed) == ["done", "done", "failed"]
