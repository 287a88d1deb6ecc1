"""The one place where errors become HTTP: application/problem+json with a Chinese detail.

    KBError subclass          status
    TooLargeError             413  (names the field: body or file)
    InvalidInputError         422  (names the field)
    NotFoundError             404
    AuthenticationError       401
    PermissionDeniedError     403
    ConflictError             409
    RateLimitedError          429  (with Retry-After)
    StoreUnavailableError     503  (with Retry-After)
    CollectionNotIndexedError 503  (with Retry-After; the detail says to run kb index)
    ConfigurationError        503
    SolverError               500
    StoreError / other        500  (no stack trace in the body)
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb_service.errors import (
    AuthenticationError,
    CollectionNotIndexedError,
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    KBError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreUnavailableError,
    TooLargeError,
)
from kb_service.validation import describe_error

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

_STATUS: list[tuple[type[KBError], int]] = [  # the first match wins: subclasses first
    (TooLargeError, 413),
    (InvalidInputError, 422),
    (NotFoundError, 404),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (StoreUnavailableError, 503),
    (CollectionNotIndexedError, 503),
    (ConfigurationError, 503),
]

_LOCATIONS = ("body", "query", "path", "header", "cookie")
_HTTP_TITLES = {404: "未找到", 405: "方法不允许", 401: "未认证", 403: "无权访问"}


PROBLEM_TYPES = "https://kb.example/problems/"


def problem(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None, *, code: str | None = None, **extra
) -> JSONResponse:
    body = {"type": PROBLEM_TYPES + (code or str(status)), "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _unreadable_body(request: Request) -> InvalidInputError:
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return InvalidInputError("上传的文件（file）无法解析：应为 multipart/form-data，文件放在 file 字段中", field="file")
    return InvalidInputError(
        "请求体（body）无法解析：应为 UTF-8 编码的 JSON 对象（GBK/GB18030 等编码请先转换），且不能嵌套过深", field="body"
    )


def status_of(error: KBError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 500)


def response_for(exc: KBError, path: str = "") -> JSONResponse:
    """The problem+json answer for one of our errors (also used by middleware outside the routes)."""
    status = status_of(exc)
    headers = {}
    if status in (503, 429):
        headers["Retry-After"] = str(getattr(exc, "retry_after_seconds", StoreUnavailableError.retry_after_seconds))
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
    extra = {"field": exc.field} if isinstance(exc, InvalidInputError) and exc.field else {}
    if status == 500:
        log.error("%s on %s: %s", type(exc).__name__, path, exc.detail)
    return problem(status, exc.title, exc.detail, headers, code=exc.code, **extra)


def install(app: FastAPI) -> None:
    @app.exception_handler(KBError)
    async def kb_error(request: Request, exc: KBError) -> JSONResponse:
        return response_for(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        fields = []
        for error in exc.errors():
            # loc starts with where the value came from (body, query, path …); only that first
            # element goes: a body field may itself be called ``query``
            given = [str(p) for p in error["loc"]]
            loc = given[1:] if given and given[0] in _LOCATIONS else given
            if error["type"] == "json_invalid" or not loc:
                loc = ["body"]
            field, message = describe_error({**error, "loc": loc})
            fields.append(field)
            problems.append(f"请求体（body）：{message}" if field == "body" else f"字段 {field}：{message}")
        return problem(
            422, "输入无效", "；".join(problems), code=InvalidInputError.code, field=fields[0] if fields else None
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI could not even decode the body: not UTF-8, JSON nested too deep, a broken multipart
            return response_for(_unreadable_body(request), request.url.path)
        if exc.status_code == 413:  # Starlette's body limit tripped while a route read the body
            from api.limits import too_large

            return response_for(too_large(request.scope, request.app.state.services.settings), request.url.path)
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else {
            404: f"没有这个地址：{request.url.path}", 405: "该地址不支持此请求方法"
        }.get(exc.status_code, str(exc.detail))
        return problem(exc.status_code, _HTTP_TITLES.get(exc.status_code, "请求错误"), detail, exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "服务内部错误", "服务内部错误，已记录日志；请稍后重试或联系管理员")
