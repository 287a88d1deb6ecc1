"""The error hierarchy of 调解知识库.

Every error a user can see is one of these; messages are in Chinese and say
what to fix. Backends translate their native errors at the boundary
(``raise StoreUnavailableError(...) from exc``); ``api/problems.py`` maps the
tree to problem+json in one place; the CLI maps it to exit status 1.

    KBError
    ├── ConfigurationError      bad setting, stops start-up
    ├── InvalidInputError       bad request or record            → 422
    ├── NotFoundError           unknown id                       → 404
    ├── AuthenticationError     missing or unknown API key       → 401
    ├── PermissionDeniedError   role not allowed                 → 403
    ├── ConflictError           e.g. a second writer or rebuild  → 409
    └── StoreError              the search store failed          → 500
        └── StoreUnavailableError   store down or unreachable    → 503
"""

from __future__ import annotations


class KBError(Exception):
    """Base class: ``str(error)`` is the Chinese message for the user."""

    title = "错误"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConfigurationError(KBError):
    title = "配置错误"


class InvalidInputError(KBError):
    title = "输入无效"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class NotFoundError(KBError):
    title = "未找到"


class AuthenticationError(KBError):
    title = "未认证"


class PermissionDeniedError(KBError):
    title = "无权访问"


class ConflictError(KBError):
    title = "操作冲突"


class StoreError(KBError):
    title = "检索存储出错"


class StoreUnavailableError(StoreError):
    title = "检索存储不可用"

    retry_after_seconds = 30
