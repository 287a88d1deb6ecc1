"""Request body limits: ``KB_MAX_BODY_BYTES`` for JSON and forms, ``KB_MAX_UPLOAD_BYTES`` for uploads.

Starlette's ``RequestBodyLimitMiddleware`` counts the bytes as a route reads
them; this module only chooses which limit applies (a ``multipart/form-data``
body is an upload, anything else a plain body) and answers a body that
declares its size (``Content-Length``) over the limit at once, before a byte
of it is read. A body that only turns out too large while a route reads it
raises Starlette's 413, which ``api/problems.py`` turns into the same
problem+json as here: 413, type ``…/too-large``, ``field`` ``body`` or
``file``, a Chinese detail giving the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kb_service.errors import TooLargeError
from kb_service.settings import Settings


def _is_upload(scope: Scope) -> bool:
    return Headers(scope=scope).get("content-type", "").lower().startswith("multipart/form-data")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def too_large(scope: Scope, settings: Settings) -> TooLargeError:
    """The error for a body over its limit: which limit, and what to do instead."""
    if _is_upload(scope):
        return TooLargeError(
            f"上传的文件（file）过大：上限 {_megabytes(settings.max_upload_bytes)}（KB_MAX_UPLOAD_BYTES），请分成几个文件上传",
            field="file",
        )
    return TooLargeError(
        f"请求体（body）过大：上限 {_megabytes(settings.max_body_bytes)}（KB_MAX_BODY_BYTES）；"
        "纠纷情况等文字请精简，大批数据请用文件导入",
        field="body",
    )


class BodyLimits:
    """ASGI middleware: the body limit that fits the request, enforced by Starlette's counter."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.settings = settings
        self.plain = RequestBodyLimitMiddleware(app, max_body_size=settings.max_body_bytes)
        self.uploads = RequestBodyLimitMiddleware(app, max_body_size=settings.max_upload_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.plain.app(scope, receive, send)
            return
        guard = self.uploads if _is_upload(scope) else self.plain
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > guard.max_body_size:
            from api.problems import response_for

            await response_for(too_large(scope, self.settings), scope.get("path", ""))(
                scope, receive, send
            )
            return
        await guard(scope, receive, send)
