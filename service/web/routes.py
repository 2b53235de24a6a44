"""Routes of the web page. They reuse the API's own functions (the same owner check, the same
submit and re-run), render Jinja2 templates, and are left out of the OpenAPI schema. A refused
request (no key, unknown job, bad hints) is a Russian HTML page here, not problem+json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile

from service import downloads, sessions
from service.api import (
    Context,
    _bearer,
    batch_view,
    context_dependency,
    finished_result,
    list_batches,
    load_job,
    position,
    principal,
)
from service.auth import Principal, find_key
from service.problems import ApiError
from service.schemas import API, job_out
from service.submit import Upload, form_options, rerun

HERE = Path(__file__).parent
STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}

STATUS = {"queued": "в очереди", "running": "обрабатывается", "done": "готово", "failed": "ошибка"}
STAGE = {"waiting": "ожидает", "reading": "чтение файла", "saving": "сохранение", "finished": "завершено"}
BATCH_STATUS = {"queued": "в очереди", "running": "обрабатывается", "finished": "завершён"}
ROLES = {"number": "номер", "activity": "мероприятие", "schedule": "сроки", "responsible": "ответственные",
         "result": "результат", "other": "другое"}
KINDS = {"organization": "организация", "person": "человек", "role": "должность или роль"}
PLAN_STATUS = {"complete": "полностью", "partial": "частично"}
ACADEMIC = " учебный"

env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)


def _date(value: Any) -> str:
    """ISO date or datetime as the page shows it: 17.04.2024."""
    if not value:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d.%m.%Y %H:%M" if isinstance(value, dt.datetime) else "%d.%m.%Y")
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return text


env.filters["date"] = _date
env.globals.update(STATUS=STATUS, STAGE=STAGE, ROLES=ROLES, KINDS=KINDS, BATCH_STATUS=BATCH_STATUS,
                   PLAN_STATUS=PLAN_STATUS, API=API)

router = APIRouter(include_in_schema=False)
Ctx = Annotated[Context, Depends(context_dependency)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def viewer(request: Request, ctx: Ctx, credentials: Credentials) -> Principal | ApiError:
    """The API's principal, or its refusal to be shown as a page."""
    try:
        return principal(request, ctx, credentials)
    except ApiError as exc:
        return exc


Viewer = Annotated[Principal | ApiError, Depends(viewer)]


def allowed(who: Principal | ApiError) -> Principal:
    if isinstance(who, ApiError):
        raise who
    return who


def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **values: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(template).render(**values), status_code=status, headers=headers)


# the API's own wording names a header and a command; the page sets them apart as code
WEB_DETAIL = {
    "api_key_required": ("нужен ключ API: войдите с ключом (ссылка ниже); пока ключей нет, страница открыта "
                         "только на этом компьютере (127.0.0.1); ключ выдаёт команда", "roadmap keys create"),
}


def error_page(exc: ApiError) -> HTMLResponse:
    detail, command = WEB_DETAIL.get(exc.code, (exc.detail, None))
    return page("error.html", exc.status, exc.headers, code=exc.code, detail=detail, command=command)


def columns_hint(text: str) -> str:
    """Column roles as a person types them, in Russian ('3=ответственные') or as the API takes them."""
    russian = {label: role for role, label in ROLES.items()}
    parts = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        key, sep, value = part.partition("=")
        role = value.strip().lower()
        parts.append(f"{key.strip()}{sep}{russian.get(role, role)}")
    return ", ".join(parts)


def hints_of(options: dict[str, Any]) -> dict[str, Any]:
    """A job's hints as the forms show them (period without its 'учебный', academic ticked)."""
    period = str(options.get("period") or "")
    academic = period.endswith(ACADEMIC)
    return {"period": period.removesuffix(ACADEMIC), "academic": academic,
            "municipality": options.get("municipality") or "", "ocr": options.get("ocr", True) is not False,
            "columns": {int(k): v for k, v in (options.get("columns") or {}).items()}}


# ---- pages -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(ctx: Ctx, who: Viewer) -> HTMLResponse:
    try:
        batches = list_batches(ctx, allowed(who), 20).batches
    except ApiError as exc:
        return error_page(exc)
    return page("home.html", batches=batches, form={}, problem=None)


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, ctx: Ctx, who: Viewer) -> Response:
    form = await request.form()
    fields = {k: str(form.get(k) or "").strip() for k in ("period", "municipality", "columns")}
    fields["academic"] = "on" if form.get("academic") else ""
    fields["ocr"] = "on" if form.get("ocr") else ""
    chosen = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        me = allowed(who)
        if not chosen:
            raise ApiError(422, "no_files", "выберите хотя бы один файл или zip-архив")
        hints = form_options(fields["period"] or None, bool(fields["academic"]), fields["municipality"] or None,
                             columns_hint(fields["columns"]) or None, bool(fields["ocr"]))
        uploads = [Upload(f.filename or "file", f.file) for f in chosen]
        submitted = await run_in_threadpool(ctx.submitter.submit, me.owner, uploads, hints, None, None)
    except ApiError as exc:
        if exc.status in (401, 403, 429):
            return error_page(exc)
        batches = (await run_in_threadpool(list_batches, ctx, who, 20)).batches if isinstance(who, Principal) else []
        return page("home.html", 422, batches=batches, form=fields, problem=exc)
    ctx.executor.submitted(submitted.queued)
    return RedirectResponse(f"/batches/{submitted.batch_id}", status_code=303)


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(ctx: Ctx, who: Viewer, batch_id: str) -> HTMLResponse:
    try:
        batch = batch_view(ctx, allowed(who), batch_id)
    except ApiError as exc:
        return error_page(exc)
    labels = {"status": STATUS, "stage": STAGE, "batch": BATCH_STATUS}
    return page("batch.html", batch=batch, labels=json.dumps(labels, ensure_ascii=False).replace("<", "\\u003c"))


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(ctx: Ctx, who: Viewer, job_id: str, shown: Annotated[int, Query(alias="page")] = 1) -> HTMLResponse:
    try:
        job = load_job(ctx, allowed(who), job_id)
        out = job_out(job, position(ctx, job))
        plan: dict[str, Any] | None = None
        checks: dict[str, Any] | None = None
        if job.status == "done" and job.expired_at is None:
            plan = json.loads(finished_result(ctx, job))
            checks = downloads.checks_json(ctx.blobs, job)
    except ApiError as exc:
        return error_page(exc)
    return page("job.html", job=out, plan=plan, checks=checks, sections=_sections(plan) if plan else [],
                hints=hints_of(out.options), pages=job.pages if job.format in ("pdf", "image") else None,
                shown=max(1, min(shown, job.pages or 1)))


@router.post("/jobs/{job_id}/rerun", response_class=HTMLResponse)
async def rerun_page(request: Request, ctx: Ctx, who: Viewer, job_id: str) -> Response:
    form = await request.form()
    try:
        job = await run_in_threadpool(load_job, ctx, allowed(who), job_id)
        changes = _changes(job.options or {}, {k: str(v) for k, v in form.items() if isinstance(v, str)})
        fresh = await run_in_threadpool(rerun, ctx.db, ctx.settings, job, changes, None)
    except ApiError as exc:
        return error_page(exc)
    ctx.executor.submitted([fresh.id])
    return RedirectResponse(f"/jobs/{fresh.id}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, ctx: Ctx, next_path: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    key = sessions.signed_in(ctx.db, ctx.settings, request.cookies)
    return page("login.html", key_name=key.name if key else None, next=_local(next_path),
                hours=f"{ctx.settings.session_hours:g}", problem=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, ctx: Ctx) -> Response:
    """A key typed into the page becomes a signed session cookie (the key itself is not kept)."""
    form = await request.form()
    next_path = _local(str(form.get("next") or "/"))
    client = request.client.host if request.client else ""

    def refused(exc: ApiError) -> HTMLResponse:
        return page("login.html", exc.status, exc.headers, key_name=None, next=next_path,
                    hours=f"{ctx.settings.session_hours:g}", problem=exc)

    if not sessions.from_own_page(request.headers):
        return refused(ApiError(403, "cross_site_request"))
    wait = ctx.limiter.retry_after(f"login:{client}")
    if wait is not None:
        return refused(ApiError(429, "rate_limited", headers={"Retry-After": str(int(wait + 0.999))}))
    key = await run_in_threadpool(find_key, ctx.db, str(form.get("key") or "").strip())
    if key is None:
        return refused(ApiError(401, "invalid_api_key"))
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(sessions.COOKIE, sessions.issue(ctx.settings, key.id),
                        max_age=int(ctx.settings.session_hours * 3600), secure=request.url.scheme == "https",
                        **sessions.COOKIE_FLAGS)
    return response


@router.post("/logout", response_class=HTMLResponse)
def logout(request: Request) -> Response:
    if not sessions.from_own_page(request.headers):
        return error_page(ApiError(403, "cross_site_request"))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE, **sessions.COOKIE_FLAGS)
    return response


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC:
        return error_page(ApiError(404, "not_found"))
    return FileResponse(HERE / "static" / name, media_type=STATIC[name], headers={"Cache-Control": "max-age=300"})


# ---- helpers -----------------------------------------------------------------------------


def _local(path: str) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def _sections(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's activities grouped under their sections, in the plan's order (activities
    without a section first)."""
    groups: dict[str | None, dict[str, Any]] = {None: {"section": None, "activities": []}}
    for section in plan.get("sections", []):
        groups[section["id"]] = {"section": section, "activities": []}
    for activity in plan.get("activities", []):
        groups.get(activity.get("section"), groups[None])["activities"].append(activity)
    return [g for g in groups.values() if g["section"] is not None or g["activities"]]


def _changes(options: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    """The re-run's hints from the plan page's form: an emptied field removes its hint; a column
    role is a hint only where the person changed what the extractor found (or had hinted)."""
    period = form.get("period", "").strip()
    changes: dict[str, Any] = {
        "period": (period + ACADEMIC if form.get("academic") else period) if period else None,
        "municipality": form.get("municipality", "").strip() or None,
    }
    if "ocr" in form or "ocr_shown" in form:
        changes["ocr"] = bool(form.get("ocr"))
    hinted = {str(k): v for k, v in (options.get("columns") or {}).items()}
    columns: dict[str, str] = {}
    for key, role in form.items():
        if key.startswith("column_") and role:
            index = key.removeprefix("column_")
            if role != form.get(f"found_{index}") or index in hinted:
                columns[index] = role
    if form.get("columns_text", "").strip():
        from service.submit import parse_columns

        columns.update(parse_columns(columns_hint(form["columns_text"])))
    if columns:
        changes["columns"] = columns
    return changes


__all__ = ["router"]
