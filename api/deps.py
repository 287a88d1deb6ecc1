"""Dependencies, so route signatures read like type lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import KeyRing
from kb_service.access import DEVELOPER, Permission, Principal
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


def get_principal(request: Request) -> Principal:
    keyring: KeyRing | None = request.app.state.keyring
    return DEVELOPER if keyring is None else keyring.identify(api_key(request))


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
