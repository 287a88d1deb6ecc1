"""The error hierarchy of 调解知识库.

Every error a user can see is one of these; messages are in Chinese and say
what to fix. Backends translate their native errors at the boundary
(``raise StoreUnavailableError(...) from exc``); ``api/problems.py`` maps the
tree to problem+json in one place; the CLI maps it to exit status 1.

    KBError
    ├── ConfigurationError      bad setting, stops start-up
    ├── InvalidInputError       bad request or record            → 422
    │   └── TooLargeError         a body or upload over its limit  → 413
    ├── NotFoundError           unknown id                       → 404
    ├── AuthenticationError     missing or unknown API key       → 401
    ├── PermissionDeniedError   role not allowed                 → 403
    ├── ConflictError           e.g. a second writer or rebuild  → 409
    ├── RateLimitedError        a key over its request rate      → 429 (+ Retry-After)
    ├── SolverError             an optimisation found no answer  → 500
    └── StoreError              the search store failed          → 500
        ├── StoreUnavailableError    down, timed out, 429, 5xx   → 503 (+ Retry-After)
        └── CollectionNotIndexedError  reachable, but the
                                     collection was never built → 503 (+ Retry-After)

The two 503s are siblings on purpose: "the store is down" is transient and
worth a retry, "nothing indexed yet" needs ``kb index``; code that can live
without a collection (an expert's track record without a case library)
catches only the second.
"""

from __future__ import annotations


class KBError(Exception):
    """Base class: ``str(error)`` is the Chinese message for the user."""

    title = "错误"
    code = "error"
    """The problem type's last path segment (api/problems.py): one per kind of failure."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(KBError):
    title = "配置错误"
    code = "configuration"


class InvalidInputError(KBError):
    title = "输入无效"
    code = "invalid-input"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class TooLargeError(InvalidInputError):
    """A request body or an uploaded file over its limit (``KB_MAX_BODY_BYTES``, ``KB_MAX_UPLOAD_BYTES``)."""

    title = "内容过大"
    code = "too-large"


class NotFoundError(KBError):
    title = "未找到"
    code = "not-found"


class AuthenticationError(KBError):
    title = "未认证"
    code = "unauthenticated"


class PermissionDeniedError(KBError):
    title = "无权访问"
    code = "forbidden"


class ConflictError(KBError):
    title = "操作冲突"
    code = "conflict"


class RateLimitedError(KBError):
    """One API key asked more often than ``KB_RATE_LIMIT`` allows; retry after ``retry_after_seconds``."""

    title = "请求过于频繁"
    code = "rate-limited"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = max(1, retry_after_seconds)


class SolverError(KBError):
    title = "求解失败"
    code = "solver-failed"


class StoreError(KBError):
    title = "检索存储出错"
    code = "store-error"


class StoreUnavailableError(StoreError):
    title = "检索存储不可用"
    code = "store-unavailable"

    retry_after_seconds = 30


class CollectionNotIndexedError(StoreError):
    title = "尚未建立索引"
    code = "not-indexed"

    retry_after_seconds = 30

    def __init__(self, collections: str | list[str]) -> None:
        names = [collections] if isinstance(collections, str) else list(collections)
        super().__init__(f"检索库中还没有 {'、'.join(names)} 集合：请先运行 kb index")
        self.collections = names
