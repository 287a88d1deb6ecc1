"""Which requests the audit log records (``disputes/audit.py`` keeps them), in one table.

After an audited route answers, one entry: the caller (the key holder the
route identified), the action, the kind and id of what was read (from the path,
never the query string or the body), the status, the caller's address and the
request id. Requests without an identified caller (no key, a wrong key) are not
entries: the access log counts those. Writing the entry must not cost the
caller the answer: a register that is down is logged, and the answer still goes.

The caller's address is the TCP peer's; behind a reverse proxy, run uvicorn
with ``--proxy-headers`` and ``--forwarded-allow-ips`` so that it is the
client's.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from kb_service.access import Principal
from kb_service.errors import KBError

log = logging.getLogger("kb_service.audit")

AUDITED: dict[tuple[str, str], tuple[str, str, str | None]] = {
    # (method, route template) → (action, kind, the path parameter naming the object)
    ("GET", "/v1/cases/{case_id}"): ("read", "case", "case_id"),
    ("GET", "/v1/cases/{case_id}/similar"): ("similar", "case", "case_id"),
    ("GET", "/cases/{case_id}"): ("read", "case", "case_id"),
    ("GET", "/cases/{case_id}/report.{fmt}"): ("report", "case", "case_id"),
    ("GET", "/v1/experts/{expert_id}"): ("read", "expert", "expert_id"),
    ("GET", "/v1/disputes"): ("list", "dispute", None),
    ("POST", "/v1/disputes/search"): ("search", "dispute", None),
    ("GET", "/v1/disputes/export"): ("export", "dispute", None),
    ("GET", "/v1/disputes/{dispute_id}"): ("read", "dispute", "dispute_id"),
    ("GET", "/v1/disputes/{dispute_id}/assist"): ("assist", "dispute", "dispute_id"),
    ("GET", "/v1/disputes/{dispute_id}/documents/{kind}"): ("document", "dispute", "dispute_id"),
    ("GET", "/v1/disputes/drafts/{draft_id}"): ("read", "draft", "draft_id"),
    ("GET", "/disputes"): ("list", "dispute", None),
    ("GET", "/disputes/{dispute_id}"): ("read", "dispute", "dispute_id"),
}


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def audit(request: Request, call_next):
        response = await call_next(request)
        route = request.scope.get("route")
        audited = AUDITED.get((request.method, getattr(route, "path", "")))
        principal: Principal | None = getattr(request.state, "principal", None)
        # reads and refused reads (403, 404: someone looking where they may not); a malformed
        # request (422) read nothing, and its path may hold anything
        recorded = response.status_code < 300 or response.status_code in (403, 404)
        if audited is not None and principal is not None and recorded:
            action, kind, parameter = audited
            object_id = request.path_params.get(parameter) if parameter else None
            await run_in_threadpool(
                _record, request, principal, action, kind, None if object_id is None else str(object_id),
                response.status_code,
            )  # fmt: skip
        return response


def _record(
    request: Request,
    principal: Principal,
    action: str,
    kind: str,
    object_id: str | None,
    status: int,
) -> None:
    from disputes.audit import Access, AuditLog
    from disputes.service import register_for

    access = Access(
        actor=principal.name, role=str(principal.role), action=action, kind=kind, object_id=object_id,
        status=status, address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )  # fmt: skip
    try:
        AuditLog(register_for(request.app.state.services.settings)).record(access)
    except KBError as exc:
        log.error("审计日志写入失败（%s %s）：%s", action, kind, exc.detail)
    except Exception:  # whatever else breaks the register, the caller still gets the answer
        log.exception("审计日志写入失败（%s %s）", action, kind)
