"""Errors as RFC 9457 problem details (application/problem+json): a stable English `code`, a
Russian `detail` for people, and the HTTP status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import api_detail

PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """A problem detail; some carry more members (`errors`, `error`, `retry_after`)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str | None = None, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(f"{status} {code}")
        self.status, self.code = status, code
        self.detail = detail or api_detail(code)
        self.headers = headers or {}
        self.extra = extra


def problem_response(status: int, code: str, detail: str | None = None, headers: dict[str, str] | None = None,
                     **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "code": code,
            "detail": detail or api_detail(code), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


_BY_STATUS = {404: "not_found", 405: "method_not_allowed", 413: "upload_too_large", 400: "invalid_request"}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(exc.status, exc.code, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _BY_STATUS.get(exc.status_code, "internal_error" if exc.status_code >= 500 else "invalid_request")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names the methods of one route; a path may have several
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(exc.status_code, code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "message": str(e.get("msg", ""))} for e in exc.errors()]
        return problem_response(422, "invalid_request", errors=errors)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, "internal_error")


def allowed_methods(request: Request) -> list[str]:
    path = request.url.path
    methods: set[str] = set()
    for route in request.app.router.routes:
        regex, allowed = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and allowed and regex.match(path):
            methods |= set(allowed)
    return sorted(methods)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of the problem responses an operation may give."""
    content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {status: {"description": HTTPStatus(status).phrase, "content": content} for status in statuses}


__all__ = ["PROBLEM", "ApiError", "Problem", "install", "problem_response", "responses"]
