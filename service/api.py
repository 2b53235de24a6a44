"""The HTTP API under /api/v1 (FastAPI; OpenAPI 3 at /api/v1/openapi.json, its docs page at
/api/v1/docs with Swagger UI served from the fastapi-offline package, no CDN), and /healthz,
/readyz, /metrics beside it. `create_app(settings)` builds it; the app's lifespan applies the
migrations and starts the executor and the maintenance threads."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from sqlalchemy import func, select, update

from models import Plan
from models.schema import SCHEMA_DIR
from service import downloads, sessions
from service.auth import OPEN_OWNER, KeyCache, Principal, RateLimiter, find_key, is_loopback
from service.blobs import BlobStore
from service.cleanup import release_blobs
from service.config import Settings
from service.db import QUEUED, TERMINAL, Batch, Database, Job, changed, database, now
from service.errors import job_detail
from service.executors import Executor, Maintenance, make_executor
from service.metrics import registry
from service.problems import PROBLEM, ApiError, Problem, install, problem_response, responses
from service.schemas import (
    API,
    BatchBrief,
    BatchList,
    BatchOut,
    JobOut,
    Positions,
    RerunIn,
    SchemaProblem,
    ValidationReport,
    batch_links,
    batch_out,
    batch_status,
    counts,
    job_out,
    utc,
)
from service.submit import Submitter, Upload, check_callback, form_options, rerun
from workflow.validate import ERROR_SCHEMA, PLAN_SCHEMA, problems, schema_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Context:
    settings: Settings
    db: Database
    blobs: BlobStore
    executor: Executor
    maintenance: Maintenance
    submitter: Submitter
    limiter: RateLimiter
    keys: KeyCache
    metrics: CollectorRegistry
    latency: Histogram


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


async def context_dependency(request: Request) -> Context:
    """`context` for Depends: async, since FastAPI runs a plain function dependency in a
    worker thread, one hop per request for a lookup."""
    return context(request)


_bearer = HTTPBearer(auto_error=False, description="Ключ API от `roadmap keys create`; пока ключей нет, "
                                                   "API открыт только для клиентов на 127.0.0.1")


def principal(request: Request, ctx: Annotated[Context, Depends(context_dependency)],
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """Who asks: a valid key (the Authorization header, or the web page's signed session), or
    anyone on loopback while no key exists; then the rate limit."""
    client = request.client.host if request.client else ""
    if credentials is not None:
        key = find_key(ctx.db, credentials.credentials)
        if key is None:
            raise ApiError(401, "invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
        who = Principal(f"key:{key.id}", key.id, client)
    elif (signed_in := sessions.signed_in(ctx.db, ctx.settings, request.cookies)) is not None:
        # the web page's sign-in: a state change must come from our own page
        if request.method not in sessions.SAFE_METHODS and not sessions.from_own_page(request.headers):
            raise ApiError(403, "cross_site_request")
        who = Principal(f"key:{signed_in.id}", signed_in.id, client)
    elif ctx.keys.any_key() or not is_loopback(client):
        raise ApiError(401, "api_key_required", headers={"WWW-Authenticate": "Bearer"})
    else:
        who = Principal(OPEN_OWNER, None, client)
    wait = ctx.limiter.retry_after(who.owner if who.key_id is not None else f"ip:{client}")
    if wait is not None:
        raise ApiError(429, "rate_limited", headers={"Retry-After": str(int(wait + 0.999))}, retry_after=wait)
    return who


Ctx = Annotated[Context, Depends(context_dependency)]
Who = Annotated[Principal, Depends(principal)]


# ---- helpers -----------------------------------------------------------------------------


def load_job(ctx: Context, who: Principal, job_id: str) -> Job:
    with ctx.db.session() as session:
        job = session.scalar(select(Job).where(Job.id == job_id, Job.owner == who.owner, Job.deleted_at.is_(None)))
    if job is None:
        raise ApiError(404, "not_found", "нет такого задания")
    return job


def position(ctx: Context, job: Job) -> int | None:
    if job.status != QUEUED:
        return None
    query = select(func.count()).where(Job.status == QUEUED, Job.deleted_at.is_(None), Job.seq < job.seq)
    if ctx.settings.executor == "celery":
        query = query.where(Job.queue == job.queue)
    with ctx.db.session() as session:
        return int(session.scalar(query) or 0)


def positions(ctx: Context) -> Positions:
    with ctx.db.session() as session:
        queued = session.execute(select(Job.seq, Job.queue).where(Job.status == QUEUED, Job.deleted_at.is_(None)))
        rows = [(int(seq), str(queue)) for seq, queue in queued]
    return Positions(rows, per_queue=ctx.settings.executor == "celery")


def load_batch(ctx: Context, who: Principal, batch_id: str) -> tuple[Batch, list[Job]]:
    with ctx.db.session() as session:
        batch = session.scalar(select(Batch).where(Batch.id == batch_id, Batch.owner == who.owner))
        if batch is None:
            raise ApiError(404, "not_found", "нет такого пакета")
        jobs = list(session.scalars(select(Job).where(Job.batch_id == batch_id, Job.deleted_at.is_(None))
                                    .order_by(Job.seq)))
    return batch, jobs


def batch_view(ctx: Context, who: Principal, batch_id: str) -> BatchOut:
    batch, jobs = load_batch(ctx, who, batch_id)
    return batch_out(batch, jobs, positions(ctx))


def finished_result(ctx: Context, job: Job) -> str:
    """The stored JSON of a finished job; problems for the other cases."""
    if job.expired_at is not None:
        raise ApiError(410, "expired")
    if job.status not in TERMINAL:
        raise ApiError(409, "not_ready", headers={"Retry-After": "2"}, job_status=job.status,
                       position=position(ctx, job))
    if not ctx.blobs.exists(job.result_blob):
        raise ApiError(410, "expired")
    assert job.result_blob is not None
    return ctx.blobs.read_text(job.result_blob)


def failed_problem(job: Job, text: str) -> ApiError:
    code = job.error_code or "internal_error"
    return ApiError(422, code, f"{job.filename}: {job_detail(code)}", error=json.loads(text)["error"])


def current_jobs(jobs: list[Job]) -> list[Job]:
    return [j for j in jobs if j.superseded_by is None]


# ---- the routes --------------------------------------------------------------------------

router = APIRouter(prefix=API)

_SUBMIT_LINKS = {
    "GetBatch": {"operationId": "get_batch", "parameters": {"batch_id": "$response.body#/id"}},
    "GetFirstJob": {"operationId": "get_job", "parameters": {"job_id": "$response.body#/jobs/0/id"}},
}
_JOB_LINKS = {
    "GetResult": {"operationId": "get_job_result", "parameters": {"job_id": "$response.body#/id"}},
    "GetBatchOfJob": {"operationId": "get_batch", "parameters": {"batch_id": "$response.body#/batch_id"}},
}
FilesField = Annotated[list[UploadFile], File(min_length=1,
                                              description="один или несколько файлов планов или zip-архивов")]
PeriodField = Annotated[str | None, Form(description="период плана: 2020, 2020-2021")]
AcademicField = Annotated[bool, Form(description="период — учебный год (сентябрь — август)")]
MunicipalityField = Annotated[str | None, Form(description="муниципалитет плана")]
ColumnsField = Annotated[str | None, Form(description="роли столбцов: «3=responsible, 4=other» или JSON {\"3\": …}")]
OcrField = Annotated[bool | None, Form(description="false: сканы не распознаются (ocr_unavailable)")]
OptionsField = Annotated[str | None, Form(description="JSON-объект с ключами extractor.options.Options "
                                                      "(поля формы выше важнее)")]
CallbackField = Annotated[str | None, Form(description="адрес, на который придёт подписанное уведомление")]
IdempotencyField = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200,
                                                description="повтор запроса с тем же ключом вернёт тот же пакет")]


@router.post("/jobs", operation_id="create_jobs", status_code=202, response_model=BatchOut,
             responses={202: {"description": "принято; Location — задание (один файл) или пакет",
                              "links": _SUBMIT_LINKS}, **responses(401, 409, 413, 422, 429)})
def create_jobs(ctx: Ctx, who: Who, response: Response, files: FilesField, period: PeriodField = None,
                academic: AcademicField = False, municipality: MunicipalityField = None, columns: ColumnsField = None,
                ocr: OcrField = None, options: OptionsField = None, callback_url: CallbackField = None,
                idempotency_key: IdempotencyField = None) -> BatchOut:
    """Отправить файлы на преобразование: zip-архив становится пакетом с заданием на каждый файл."""
    hints = form_options(period, academic, municipality, columns, ocr, options)
    uploads = [Upload(f.filename or "file", f.file) for f in files]
    submitted = ctx.submitter.submit(who.owner, uploads, hints, check_callback(callback_url), idempotency_key)
    ctx.executor.submitted(submitted.queued)
    response.headers["Location"] = submitted.location
    if submitted.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return batch_view(ctx, who, submitted.batch_id)


@router.get("/jobs/{job_id}", operation_id="get_job", response_model=JobOut,
            responses={200: {"description": "задание", "links": _JOB_LINKS}, **responses(401, 404, 429)})
def get_job(ctx: Ctx, who: Who, job_id: str) -> JobOut:
    """Состояние задания: status, stage, progress, место в очереди, ошибка с кодом контракта."""
    job = load_job(ctx, who, job_id)
    return job_out(job, position(ctx, job))


@router.get("/jobs/{job_id}/result", operation_id="get_job_result", response_model=Plan,
            responses={200: {"description": "канонический JSON плана"}, **responses(401, 404, 409, 410, 422, 429)})
def get_job_result(ctx: Ctx, who: Who, job_id: str) -> Response:
    """Канонический JSON плана; 409 пока не готов, 410 после срока хранения, 422 с кодом ошибки."""
    job = load_job(ctx, who, job_id)
    text = finished_result(ctx, job)
    if job.status != "done":
        raise failed_problem(job, text)
    return Response(text.encode("utf-8"), media_type="application/json")


@router.get("/jobs/{job_id}/result.xlsx", operation_id="get_job_result_xlsx",
            responses={200: {"content": {XLSX: {}}, "description": "план как книга Excel"},
                       **responses(401, 404, 409, 410, 422, 429)}, response_class=Response)
def get_job_result_xlsx(ctx: Ctx, who: Who, job_id: str) -> Response:
    job = load_job(ctx, who, job_id)
    text = finished_result(ctx, job)
    if job.status != "done":
        raise failed_problem(job, text)
    data = downloads.xlsx(ctx.blobs, [job])
    return Response(data, media_type=XLSX, headers=downloads.attachment(downloads.stem(job.filename) + ".xlsx"))


@router.get("/jobs/{job_id}/source", operation_id="get_job_source",
            responses={200: {"content": {"application/octet-stream": {}}, "description": "загруженный файл"},
                       **responses(401, 404, 410, 429)}, response_class=Response)
def get_job_source(ctx: Ctx, who: Who, job_id: str) -> Response:
    """Загруженный файл (для показа рядом с таблицей)."""
    job = load_job(ctx, who, job_id)
    if job.expired_at is not None or not ctx.blobs.exists(job.upload_blob):
        raise ApiError(410, "expired")
    assert job.upload_blob is not None
    return FileResponse(ctx.blobs.path(job.upload_blob), media_type="application/octet-stream",
                        headers=downloads.attachment(job.filename))


@router.get("/jobs/{job_id}/pages/{page}", operation_id="get_job_page",
            responses={200: {"content": {"image/png": {}}, "description": "страница файла как PNG"},
                       **responses(401, 404, 410, 422, 429)}, response_class=Response)
def get_job_page(ctx: Ctx, who: Who, job_id: str, page: int) -> Response:
    """Страница PDF или изображения как PNG (у .docx страниц нет: 404 no_pages)."""
    job = load_job(ctx, who, job_id)
    if job.expired_at is not None or not ctx.blobs.exists(job.upload_blob):
        raise ApiError(410, "expired")
    assert job.upload_blob is not None
    data = downloads.page_png(ctx.blobs.path(job.upload_blob), job.format, page)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/jobs/{job_id}/rerun", operation_id="rerun_job", status_code=202, response_model=JobOut,
             responses={202: {"description": "новое задание на тот же файл", "links": _JOB_LINKS},
                        **responses(401, 404, 410, 422, 429)})
def rerun_job(ctx: Ctx, who: Who, job_id: str, response: Response,
              body: Annotated[RerunIn | None, Body()] = None) -> JobOut:
    """Запустить файл заново с изменёнными подсказками (period, municipality, columns, ocr, …)."""
    job = load_job(ctx, who, job_id)
    if job.expired_at is not None or not ctx.blobs.exists(job.upload_blob):
        raise ApiError(410, "expired")
    body = body or RerunIn()
    fresh = rerun(ctx.db, ctx.settings, job, body.options, body.callback_url)
    ctx.executor.submitted([fresh.id])
    response.headers["Location"] = f"{API}/jobs/{fresh.id}"
    return job_out(fresh, position(ctx, fresh))


@router.delete("/jobs/{job_id}", operation_id="delete_job", status_code=204, response_class=Response,
               responses=responses(401, 404, 429))
def delete_job(ctx: Ctx, who: Who, job_id: str) -> Response:
    """Удалить задание, его файл и результат (выполняемое задание будет отброшено)."""
    job = load_job(ctx, who, job_id)
    with ctx.db.session() as session:
        changed(session, update(Job).where(Job.id == job.id).values(deleted_at=now()))
    release_blobs(ctx.db, ctx.blobs, job)
    return Response(status_code=204)


@router.get("/batches", operation_id="list_batches", response_model=BatchList, responses=responses(401, 429))
def list_batches(ctx: Ctx, who: Who, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> BatchList:
    """Последние пакеты этого клиента, новые первыми."""
    with ctx.db.session() as session:
        batches = list(session.scalars(select(Batch).where(Batch.owner == who.owner)
                                       .order_by(Batch.created_at.desc(), Batch.id).limit(limit)))
        jobs = list(session.scalars(select(Job).where(Job.batch_id.in_([b.id for b in batches]),
                                                      Job.deleted_at.is_(None))))
    out = []
    for batch in batches:
        tally = counts(current_jobs([j for j in jobs if j.batch_id == batch.id]))
        out.append(BatchBrief(id=batch.id, created_at=utc(batch.created_at), status=batch_status(tally),  # type: ignore[arg-type]
                              counts=tally, links=batch_links(batch.id)))
    return BatchList(batches=out)


@router.get("/batches/{batch_id}", operation_id="get_batch", response_model=BatchOut,
            responses=responses(401, 404, 429))
def get_batch(ctx: Ctx, who: Who, batch_id: str) -> BatchOut:
    """Пакет: состояние каждого файла и его ошибка."""
    return batch_view(ctx, who, batch_id)


@router.get("/batches/{batch_id}/results.zip", operation_id="get_batch_results_zip", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "все JSON пакета и _report.json"},
                       **responses(401, 404, 429)})
def get_batch_results_zip(ctx: Ctx, who: Who, batch_id: str) -> Response:
    batch, jobs = load_batch(ctx, who, batch_id)
    data = downloads.results_zip(ctx.blobs, current_jobs(jobs))
    return Response(data, media_type="application/zip", headers=downloads.attachment(f"batch-{batch.id}.zip"))


@router.get("/batches/{batch_id}/export.xlsx", operation_id="get_batch_export_xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "готовые планы пакета как книга Excel"},
                       **responses(401, 404, 409, 429)})
def get_batch_export_xlsx(ctx: Ctx, who: Who, batch_id: str) -> Response:
    batch, jobs = load_batch(ctx, who, batch_id)
    data = downloads.xlsx(ctx.blobs, current_jobs(jobs))
    return Response(data, media_type=XLSX, headers=downloads.attachment(f"batch-{batch.id}.xlsx"))


@router.get("/batches/{batch_id}/compare.html", operation_id="get_batch_compare_html", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}, "description": "отчёт сравнения планов пакета"},
                       **responses(401, 404, 409, 429)})
def get_batch_compare_html(ctx: Ctx, who: Who, batch_id: str) -> HTMLResponse:
    _, jobs = load_batch(ctx, who, batch_id)
    return HTMLResponse(downloads.compare_html(ctx.blobs, [j for j in current_jobs(jobs) if j.status in TERMINAL]))


@router.get("/jobs/{job_id}/checks", operation_id="get_job_checks",
            responses={200: {"description": "что проверки нашли в плане (workflow.check)"},
                       **responses(401, 404, 409, 429)})
def get_job_checks(ctx: Ctx, who: Who, job_id: str) -> dict[str, Any]:
    """Проверки плана: мероприятия без сроков, вне периода, без ответственных, повторы и т. п."""
    return downloads.checks_json(ctx.blobs, load_job(ctx, who, job_id))


@router.get("/batches/{batch_id}/checks.html", operation_id="get_batch_checks_html", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}, "description": "проверки планов пакета"},
                       **responses(401, 404, 409, 429)})
def get_batch_checks_html(ctx: Ctx, who: Who, batch_id: str) -> HTMLResponse:
    _, jobs = load_batch(ctx, who, batch_id)
    return HTMLResponse(downloads.checks_html(ctx.blobs, current_jobs(jobs)))


@router.get("/batches/{batch_id}/diffs", operation_id="get_batch_diffs",
            responses={200: {"description": "повторные планы одного муниципалитета в пакете и их изменения"},
                       **responses(401, 404, 429)})
def get_batch_diffs(ctx: Ctx, who: Who, batch_id: str) -> list[dict[str, Any]]:
    """Для каждого муниципалитета с несколькими планами в пакете: что изменилось от плана к плану."""
    _, jobs = load_batch(ctx, who, batch_id)
    return downloads.diffs_json(ctx.blobs, current_jobs(jobs))


@router.get("/diff.html", operation_id="get_diff_html", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}, "description": "две редакции плана рядом"},
                       **responses(401, 404, 409, 429)})
def get_diff_html(ctx: Ctx, who: Who, old: str, new: str) -> HTMLResponse:
    """Две редакции плана рядом (old и new — номера заданий), изменения отмечены."""
    return HTMLResponse(downloads.diff_html(ctx.blobs, load_job(ctx, who, old), load_job(ctx, who, new)))


@router.post("/convert", operation_id="convert", response_model=Plan,
             responses={200: {"description": "готово за отведённое время: канонический JSON"},
                        202: {"description": "не успело: задание", "model": JobOut},
                        **responses(401, 409, 413, 422, 429)})
async def convert(ctx: Ctx, who: Who, files: FilesField, response: Response,
                  wait: Annotated[float, Query(ge=0, le=600, description="секунд ждать результата")] = 10.0,
                  period: PeriodField = None, academic: AcademicField = False,
                  municipality: MunicipalityField = None, columns: ColumnsField = None, ocr: OcrField = None,
                  options: OptionsField = None, idempotency_key: IdempotencyField = None) -> Response:
    """Один небольшой файл: 200 с JSON, если готово за `wait` секунд, иначе 202 с заданием."""
    hints = form_options(period, academic, municipality, columns, ocr, options)
    uploads = [Upload(f.filename or "file", f.file) for f in files]
    submitted = await run_in_threadpool(ctx.submitter.submit, who.owner, uploads, hints, None, idempotency_key, True)
    ctx.executor.submitted(submitted.queued)
    job_id = submitted.location.rsplit("/", 1)[-1]
    deadline = time.monotonic() + min(wait, ctx.settings.convert_wait_max)
    pause = 0.05
    while True:
        job = await run_in_threadpool(load_job, ctx, who, job_id)
        if job.status in TERMINAL or time.monotonic() >= deadline:
            break
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 0.5)
    if job.status not in TERMINAL:
        body = job_out(job, await run_in_threadpool(position, ctx, job))
        return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": submitted.location})
    text = await run_in_threadpool(finished_result, ctx, job)
    if job.status != "done":
        raise failed_problem(job, text)
    return Response(text.encode("utf-8"), media_type="application/json", headers={"Location": submitted.location})


@router.post("/validate", operation_id="validate", response_model=ValidationReport, responses=responses(401, 422, 429))
def validate(who: Who, document: Annotated[Any, Body(description="план или объект ошибки в JSON")]) -> ValidationReport:
    """Проверить JSON по схеме контракта: каждая ошибка с путём JSON."""
    found = problems(document)
    return ValidationReport(valid=not found, schema_name=schema_for(document),
                            problems=[SchemaProblem(path=p.path, message=p.message) for p in found])


@router.get("/schema", operation_id="get_schema", responses=responses(401, 429))
def get_schema(who: Who) -> dict[str, Any]:
    """JSON Schema канонического плана."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / PLAN_SCHEMA).read_text(encoding="utf-8"))
    return data


@router.get("/schema/error", operation_id="get_error_schema", responses=responses(401, 429))
def get_error_schema(who: Who) -> dict[str, Any]:
    """JSON Schema объекта ошибки."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / ERROR_SCHEMA).read_text(encoding="utf-8"))
    return data


# ---- the app -----------------------------------------------------------------------------


def create_app(settings: Settings | None = None, run_jobs: bool = True) -> FastAPI:
    """The service; run_jobs=False leaves out the executor and the maintenance threads."""
    from fastapi_offline import FastAPIOffline

    settings = settings or Settings.from_env()
    db = database(settings)
    blobs = BlobStore(settings.blob_dir)
    executor = make_executor(settings, db)
    maintenance = Maintenance(settings, db, executor)
    metrics, latency = registry(db)
    ctx = Context(settings, db, blobs, executor, maintenance, Submitter(settings, db, blobs), RateLimiter(settings),
                  KeyCache(db), metrics, latency)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(db.migrate)
        if run_jobs:
            await run_in_threadpool(executor.start)
            maintenance.start()
        try:
            yield
        finally:
            if run_jobs:
                await run_in_threadpool(maintenance.stop)
                await run_in_threadpool(executor.stop)

    app = FastAPIOffline(
        title="roadmap-extractor", version="1", lifespan=lifespan,
        description="Преобразование муниципальных «дорожных карт» (Word, PDF, сканы) в канонический JSON.",
        openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None, static_url=f"{API}/docs-static",
    )
    app.state.ctx = ctx
    install(app)
    app.include_router(router)
    from service.web.routes import router as web  # here: the web routes import this module

    app.include_router(web)
    _health(app)
    _openapi(app)

    from service.bodylimit import BodyLimit
    from service.metrics import RequestTiming

    app.add_middleware(RequestTiming, latency=latency)

    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)  # outermost: counts before anything reads
    return app


def _health(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> Response:
        ctx = context(request)
        try:
            ctx.db.ping()
        except Exception as exc:
            return problem_response(503, "not_ready_service", f"база данных недоступна: {exc}")
        trouble = ctx.executor.problem()
        if trouble is not None:
            return problem_response(503, "not_ready_service", trouble)
        return JSONResponse({"status": "ready", "executor": ctx.executor.kind})

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        return Response(generate_latest(context(request).metrics), media_type=CONTENT_TYPE_LATEST)


def _openapi(app: FastAPI) -> None:
    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
            problem = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for operations in spec["paths"].values():
                for operation in operations.values():
                    answers = operation.setdefault("responses", {})
                    # every refusal is problem+json: FastAPI's own 422 entry says application/json
                    if operation.get("parameters") or operation.get("requestBody"):
                        answers["422"] = {"description": "Unprocessable Content", **problem}
                    if operation.get("requestBody"):
                        answers["400"] = {"description": "Bad Request", **problem}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


__all__ = ["PROBLEM", "Context", "create_app"]
