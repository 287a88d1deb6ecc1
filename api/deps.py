"""Dependencies, so route signatures read like type lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import KeyFile, digest
from api.ratelimit import RateLimits
from kb_service.access import DEVELOPER, Permission, Principal
from kb_service.errors import AuthenticationError
from kb_service.service import Services

KEY_COOKIE = "kb_key"


def get_services(request: Request) -> Services:
    return request.app.state.services


def api_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(KEY_COOKIE)  # the web pages' login stores the key here


def identify(request: Request, key: str | None) -> Principal:
    """Who holds ``key``, counted against the rate limit (api/ratelimit.py): the key's own
    count, or for a wrong key the caller's address."""
    keyring: KeyFile | None = request.app.state.keyring
    if keyring is None:
        return DEVELOPER
    limits: RateLimits | None = request.app.state.rate_limits
    try:
        principal = keyring.identify(key)
    except AuthenticationError:
        if key and limits is not None:
            address = request.client.host if request.client else "unknown"
            limits.hit(f"address:{address}", what="每个地址的错误密钥")
        raise
    if limits is not None:
        limits.hit(f"key:{digest(key or '')}")
    return principal


def get_principal(request: Request) -> Principal:
    principal = identify(request, api_key(request))
    request.state.principal = principal  # for the audit log (api/audit.py), written after the route
    return principal


def allow(permission: Permission):
    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        principal.require(permission)
        return principal

    return check


ServicesDep = Annotated[Services, Depends(get_services)]
Reader = Annotated[Principal, Depends(allow(Permission.read))]
Trainer = Annotated[Principal, Depends(allow(Permission.courses))]
Coordinator = Annotated[Principal, Depends(allow(Permission.experts))]
Admin = Annotated[Principal, Depends(allow(Permission.index))]
