"""Register pages: the list with filters and a registration form (usable on a phone), and the
mediator's workbench for one dispute (the record, status actions, similar cases, experts, laws,
risk flags, document downloads); case drafts for coordinators to review."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_services
from api.pages.common import error_page, render, visitor
from api.routers.disputes import DisputeId, DraftId
from disputes.queries import DisputeDesk
from disputes.schema import STATUSES, TRANSITIONS
from kb_service.access import Permission, Principal
from kb_service.errors import KBError
from kb_service.vocabularies import CHANNELS

router = APIRouter(include_in_schema=False)

DisputeVisitor = Annotated[Principal, Depends(visitor(Permission.disputes))]
Registrar = Annotated[Principal, Depends(visitor(Permission.register))]
Reviewer = Annotated[Principal, Depends(visitor(Permission.review))]

PAGE_SIZE = 20
DOCUMENT_KINDS = {
    "application": "人民调解申请书",
    "register": "受理登记表",
    "record": "调解笔录",
    "agreement": "人民调解协议书",
    "confirmation": "司法确认申请书",
    "followup": "回访记录",
}
STATUS_ACTIONS = {
    "mediating": "开始调解",
    "success": "调解成功",
    "partial": "部分达成",
    "failed": "调解不成",
    "referred": "导入其他途径",
    "withdrawn": "撤回",
}
_FORM_FIELDS = (
    "received", "dispute_type", "region", "committee", "channel", "mediator", "description", "claims",
    "amount", "people_involved", "applicant", "applicant_id", "applicant_phone", "applicant_address",
    "respondent", "respondent_id", "respondent_phone", "respondent_address", "more_parties",
)  # fmt: skip


def _desk(request: Request, principal: Principal) -> DisputeDesk:
    return DisputeDesk(get_services(request), principal)


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(
    request: Request,
    principal: DisputeVisitor,
    status: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    type: Annotated[list[str], Query()] = [],  # noqa: B006
    region: str = "",
    date_from: str = "",
    date_to: str = "",
    party: str = "",
    page: int = 1,
) -> Response:
    params = {"status": [s for s in status if s], "type": [t for t in type if t], "region": region,
              "date_from": date_from, "date_to": date_to, "party": party}  # fmt: skip
    page = max(1, min(page, 10_000))
    try:
        result = _desk(request, principal).list(
            {"status": params["status"], "dispute_type": params["type"], "region": region or None,
             "date_from": date_from or None, "date_to": date_to or None, "party": party or None},
            offset=(page - 1) * PAGE_SIZE, size=PAGE_SIZE,
        )  # fmt: skip
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return _list_page(request, principal, result, params, page, form={}, message=None)


def _list_page(
    request: Request, principal: Principal, result: dict, params: dict, page: int, *, form: dict, message: str | None,
    status: int = 200,
) -> Response:  # fmt: skip
    def link(**changes: Any) -> str:
        merged = {**params, "page": 1, **changes}
        return "/disputes?" + urlencode({k: v for k, v in merged.items() if v not in ("", [], None)}, doseq=True)

    pages = max(1, (result["total"] + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request, "disputes.html", status, principal=principal, result=result, params=params, page=page,
        pages=pages, link=link, form=form, message=message, statuses=STATUSES.terms, channels=CHANNELS.terms,
        can_register=principal.can(Permission.register), can_review=principal.can(Permission.review),
        committee=principal.committee,
    )  # fmt: skip


def _party(role: str, name: str, id_number: str, phone: str, address: str) -> dict[str, Any] | None:
    if not name.strip():
        return None
    party = {"role": role, "name": name.strip()}
    party |= {k: v.strip() for k, v in (("id_number", id_number), ("phone", phone), ("address", address)) if v.strip()}
    return party


def registration(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as a registration (blank fields left out; more parties in the 当事人 cell form)."""
    from disputes.tabular import parse_parties

    parties = [
        p
        for p in (
            _party("申请人", form["applicant"], form["applicant_id"], form["applicant_phone"], form["applicant_address"]),
            _party("被申请人", form["respondent"], form["respondent_id"], form["respondent_phone"], form["respondent_address"]),
        )
        if p
    ]
    if form["more_parties"].strip():
        parties += parse_parties(form["more_parties"])
    data: dict[str, Any] = {k: form[k] for k in ("received", "dispute_type", "region", "committee", "channel",
                                                 "mediator", "description", "claims", "amount", "people_involved")}  # fmt: skip
    data = {k: v.strip() for k, v in data.items() if v and v.strip()}
    data["parties"] = parties
    return data


@router.post("/disputes", response_class=HTMLResponse)
async def register_page(request: Request, principal: Registrar) -> Response:
    submitted = await request.form()
    form = {name: str(submitted.get(name) or "") for name in _FORM_FIELDS}
    if principal.committee:
        form["committee"] = principal.committee
    desk = _desk(request, principal)
    try:  # the register and the search copy block: off the event loop
        added = await run_in_threadpool(lambda: desk.add(registration(form)))
    except (KBError, ValueError) as exc:
        message = exc.detail if isinstance(exc, KBError) else str(exc)
        try:
            result = await run_in_threadpool(lambda: desk.list(size=PAGE_SIZE))
        except KBError as inner:
            return error_page(request, inner, principal)
        return _list_page(request, principal, result, {"status": [], "type": []}, 1, form=form, message=message,
                          status=422 if not isinstance(exc, KBError) else _status(exc))  # fmt: skip
    return RedirectResponse(f"/disputes/{added['id']}", status_code=303)


def _status(exc: KBError) -> int:
    from api.problems import status_of

    return status_of(exc)


@router.get("/disputes/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, principal: Reviewer, status: str = "pending") -> Response:
    try:
        drafts = _desk(request, principal).list_drafts(None if status == "all" else status)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "drafts.html", principal=principal, drafts=drafts, shown=status,
                  can_review=True)  # fmt: skip


@router.post("/disputes/drafts/{draft_id}/{decision}")
def review_page(
    request: Request,
    draft_id: DraftId,
    decision: str,
    principal: Reviewer,
    note: Annotated[str, Form()] = "",
) -> Response:
    decisions = {"approve": "approved", "reject": "rejected"}
    try:
        if decision not in decisions:
            from kb_service.errors import NotFoundError

            raise NotFoundError(f"没有这个地址：/disputes/drafts/{draft_id}/{decision}")
        _desk(request, principal).review(draft_id, decisions[decision], note=note or None)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return RedirectResponse("/disputes/drafts?status=all", status_code=303)


@router.get("/disputes/{dispute_id}", response_class=HTMLResponse)
def workbench_page(request: Request, dispute_id: DisputeId, principal: DisputeVisitor) -> Response:
    desk = _desk(request, principal)
    try:
        dispute = desk.show(dispute_id)
    except KBError as exc:
        return error_page(request, exc, principal)
    try:
        assist = desk.assist(dispute_id)
    except KBError as exc:  # the record still shows when the search store is down
        assist = None
        assist_error = exc.detail
    else:
        assist_error = None
    actions = [(s, STATUS_ACTIONS[s]) for s in STATUS_ACTIONS if s in TRANSITIONS[dispute["status"]]]
    return render(
        request, "dispute.html", principal=principal, d=dispute, assist=assist, assist_error=assist_error,
        actions=actions if principal.can(Permission.register) else [], kinds=DOCUMENT_KINDS,
        can_register=principal.can(Permission.register),
        can_promote=dispute["status"] in ("success", "partial"), statuses_label=_status_label,
    )  # fmt: skip


def _status_label(code: Any) -> str:
    return STATUSES.label(code) if isinstance(code, str) and code in STATUSES.terms else str(code or "")


@router.post("/disputes/{dispute_id}/status")
def change_status_page(
    request: Request,
    dispute_id: DisputeId,
    principal: Registrar,
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        _desk(request, principal).update(dispute_id, {"status": status}, note=note.strip() or None)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return RedirectResponse(f"/disputes/{dispute_id}", status_code=303)


@router.post("/disputes/{dispute_id}/note")
def note_page(request: Request, dispute_id: DisputeId, principal: Registrar, note: Annotated[str, Form()] = "") -> Response:
    try:
        _desk(request, principal).update(dispute_id, {}, note=note.strip() or None)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return RedirectResponse(f"/disputes/{dispute_id}", status_code=303)


@router.post("/disputes/{dispute_id}/promote", response_class=HTMLResponse)
def promote_page(request: Request, dispute_id: DisputeId, principal: DisputeVisitor) -> Response:
    try:
        draft = _desk(request, principal).promote(dispute_id)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "draft.html", principal=principal, draft=draft,
                  can_review=principal.can(Permission.review))  # fmt: skip
