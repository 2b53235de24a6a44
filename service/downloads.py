"""What the API hands out besides JSON, made with the workflow's own code: a plan or a batch as
an Excel workbook (workflow.export), the batch's comparison report (workflow.compare), all its
results as a zip named as `roadmap batch` names its outputs, and page images of the upload."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from models import Plan
from service.blobs import BlobStore
from service.db import Job
from service.problems import ApiError
from workflow.batch import REPORT_NAME, BatchSettings, output_name
from workflow.batch_inputs import Input


def attachment(filename: str) -> dict[str, str]:
    """Content-Disposition for a Russian file name (RFC 6266: an ASCII fallback and UTF-8)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"}


def stem(filename: str) -> str:
    return Path(filename).stem or "plan"


def _result_paths(blobs: BlobStore, jobs: Sequence[Job]) -> list[Path]:
    return [blobs.path(j.result_blob) for j in jobs if j.result_blob and blobs.exists(j.result_blob)]


def xlsx(blobs: BlobStore, jobs: Sequence[Job]) -> bytes:
    """The plans of the done jobs as one workbook (export's combined sheet, overview, a sheet each)."""
    from workflow.export import load_plans, write_xlsx

    plans, _ = load_plans(_result_paths(blobs, [j for j in jobs if j.status == "done"]))
    if not plans:
        raise ApiError(409, "no_plans")
    with tempfile.TemporaryDirectory(prefix="roadmap-xlsx-") as tmp:
        target = Path(tmp) / "plans.xlsx"
        write_xlsx(plans, target)
        return target.read_bytes()


def compare_html(blobs: BlobStore, jobs: Sequence[Job]) -> str:
    """The comparison report of a batch: its plans side by side, its error objects listed."""
    from workflow.compare import compare, load_inputs, render_html

    plans, skipped = load_inputs(_result_paths(blobs, jobs))
    if not plans:
        raise ApiError(409, "no_plans")
    return render_html(compare(plans, skipped))


def results_zip(blobs: BlobStore, jobs: Sequence[Job]) -> bytes:
    """Every finished job's JSON (plan or error object) as `<stem>.<digest>.json`, and a
    _report.json listing every job, as `roadmap batch` writes its folder."""
    settings = BatchSettings(workers=1)
    buffer = io.BytesIO()
    report: list[dict[str, Any]] = []
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for job in jobs:
            name = None
            if job.result_blob and blobs.exists(job.result_blob):
                item = Input(display=job.member or job.filename, path=Path(job.filename), filename=job.filename,
                             sha256=job.sha256)
                name = output_name(item, settings)
                if name in used:  # the same file twice (another options set): the job id tells them apart
                    name = f"{Path(name).stem}.{job.id[:8]}.json"
                used.add(name)
                archive.write(blobs.path(job.result_blob), name)
            report.append({"job": job.id, "filename": job.filename, "member": job.member, "status": job.status,
                           "output": name, "error": {"code": job.error_code, "message": job.error_message}
                           if job.error_code else None})
        text = json.dumps({"files": report}, ensure_ascii=False, indent=2) + "\n"
        archive.writestr(REPORT_NAME, text)
    return buffer.getvalue()


def page_png(path: Path, kind: str | None, page: int, scale: float = 1.5) -> bytes:
    """Page `page` (1-based) of a PDF or an image, as PNG."""
    if kind == "pdf":
        import pypdfium2  # type: ignore[import-untyped]

        pdf = pypdfium2.PdfDocument(path)
        try:
            if not 1 <= page <= len(pdf):
                raise ApiError(404, "page_out_of_range")
            image = pdf[page - 1].render(scale=scale).to_pil()
        finally:
            pdf.close()
    elif kind == "image":
        from PIL import Image

        with Image.open(path) as source:
            if not 1 <= page <= int(getattr(source, "n_frames", 1)):
                raise ApiError(404, "page_out_of_range")
            source.seek(page - 1)
            image = source.convert("RGB")
    else:
        raise ApiError(404, "no_pages")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


__all__ = ["attachment", "compare_html", "page_png", "results_zip", "stem", "xlsx"]


def _done_plans(blobs: BlobStore, jobs: Sequence[Job]) -> list[tuple[Plan, str]]:
    """The plans of the done jobs, each with the name it was submitted under."""
    out: list[tuple[Plan, str]] = []
    for job in jobs:
        if job.status == "done" and job.result_blob and blobs.exists(job.result_blob):
            out.append((Plan.model_validate_json(blobs.read_text(job.result_blob)), job.filename))
    return out


def checks_json(blobs: BlobStore, job: Job) -> dict[str, Any]:
    """What the checks (workflow.check) find in one job's plan."""
    from workflow.check import check_plans

    plans = _done_plans(blobs, [job])
    if not plans:
        raise ApiError(409, "no_plans")
    result: dict[str, Any] = check_plans(plans)[0].as_json()
    return result


def checks_html(blobs: BlobStore, jobs: Sequence[Job]) -> str:
    """The checks' page for the plans of a batch."""
    from workflow.check import check_plans, render_html

    plans = _done_plans(blobs, jobs)
    if not plans:
        raise ApiError(409, "no_plans")
    return render_html(check_plans(plans))


def diffs_json(blobs: BlobStore, jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Successive submissions from one municipality in a batch, each diffed against the one before."""
    from workflow.diff import diff, same_municipality_pairs

    plans = _done_plans(blobs, jobs)
    ids = [j.id for j in jobs if j.status == "done" and j.result_blob and blobs.exists(j.result_blob)]
    out = []
    for old, new in same_municipality_pairs([p for p, _ in plans]):
        result = diff(plans[old][0], plans[new][0], old_file=plans[old][1], new_file=plans[new][1]).as_json()
        out.append({"old_job": ids[old], "new_job": ids[new], "diff": result})
    return out


def diff_html(blobs: BlobStore, old: Job, new: Job) -> str:
    """The side-by-side page of two jobs' plans."""
    from workflow.diff import diff, render_html

    pair = _done_plans(blobs, [old, new])
    if len(pair) != 2:
        raise ApiError(409, "no_plans")
    return render_html(diff(pair[0][0], pair[1][0], old_file=pair[0][1], new_file=pair[1][1]))
