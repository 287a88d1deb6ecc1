"""The web pages (Chinese, server-rendered, usable on a phone): search, case, experts, training.

Pages call the same domain functions as the JSON routes. Authentication is the
same API key: pages read it from a cookie that ``/login`` sets, so a browser
needs no extra header. Errors render as a page, not as problem+json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.auth import Permission, Principal
from api.deps import KEY_COOKIE, get_principal, get_services
from api.problems import status_of
from cases.queries import CaseFilters, CaseLibrary
from kb_service.errors import AuthenticationError, InvalidInputError, KBError
from kb_service.export import MEDIA_TYPES
from kb_service.ranking import readable_terms
from kb_service.validation import describe_error
from kb_service.vocabularies import DISPUTE_TYPES, ORG_LEVELS, OUTCOMES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["readable"] = readable_terms
templates.env.globals.update(
    dispute_types=DISPUTE_TYPES.terms, org_levels=ORG_LEVELS.terms, outcomes=OUTCOMES.terms
)

PAGE_SIZE = 10


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    principal = context.pop("principal", None)
    return templates.TemplateResponse(request, template, {"principal": principal, **context}, status_code=status)


def _error(request: Request, exc: Exception, principal: Principal | None = None) -> Response:
    if isinstance(exc, AuthenticationError):
        return RedirectResponse(f"/login?{urlencode({'next': str(request.url.path)})}", status_code=303)
    if isinstance(exc, ValidationError):
        message = "；".join(f"{f}：{m}" for f, m in map(describe_error, exc.errors()))
        return _render(request, "error.html", 422, message=message, principal=principal)
    if isinstance(exc, KBError):
        return _render(request, "error.html", status_of(exc), message=exc.detail, principal=principal)
    if isinstance(exc, ValueError):
        return _render(request, "error.html", 422, message=str(exc), principal=principal)
    raise exc


def _who(request: Request, permission: Permission = Permission.read) -> Principal:
    principal = get_principal(request)
    principal.require(permission)
    return principal


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    type: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    region: str = "",
    org_level: Annotated[list[str], Query()] = [],  # noqa: B006
    outcome: Annotated[list[str], Query()] = [],  # noqa: B006
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
) -> Response:
    principal = None
    try:
        principal = _who(request)
        filters = CaseFilters(
            dispute_type=[t for t in type if t],
            region=region or None,
            org_level=[o for o in org_level if o],
            outcome=[o for o in outcome if o],
            date_from=date_from or None,
            date_to=date_to or None,
        )
        page = max(1, min(page, 100))
        result = CaseLibrary(get_services(request)).search(q, filters, size=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except (KBError, ValueError) as exc:
        return _error(request, exc, principal)
    params = {"q": q, "type": type, "region": region, "org_level": org_level, "outcome": outcome,
              "date_from": date_from, "date_to": date_to}  # fmt: skip

    def link(**changes: Any) -> str:
        merged = {**params, "page": 1, **changes}
        return "/?" + urlencode({k: v for k, v in merged.items() if v not in ("", [], None)}, doseq=True)

    pages = (result["total"] + PAGE_SIZE - 1) // PAGE_SIZE
    return _render(
        request, "search.html", principal=principal, result=result, params=params, page=page, pages=pages, link=link
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str) -> Response:
    principal = None
    try:
        principal = _who(request)
        library = CaseLibrary(get_services(request))
        case = library.show(case_id)
        similar = library.similar(case_id, size=5)
    except KBError as exc:
        return _error(request, exc, principal)
    return _render(request, "case.html", principal=principal, case=case, similar=similar)


@router.get("/cases/{case_id}/report.{fmt}")
def case_report(request: Request, case_id: str, fmt: str) -> Response:
    from cases.report import similar_case_report

    principal = None
    try:
        principal = _who(request)
        if fmt not in MEDIA_TYPES:
            raise InvalidInputError("报告格式应为 md、html 或 docx", field="format")
        content = similar_case_report(get_services(request), case_id=case_id, size=5).render(fmt)
    except KBError as exc:
        return _error(request, exc, principal)
    disposition = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'{disposition}; filename="similar-{case_id}.{fmt}"'},
    )


@router.get("/experts", response_class=HTMLResponse)
def experts_page(request: Request) -> Response:
    principal = None
    try:
        principal = _who(request, Permission.experts)
    except KBError as exc:
        return _error(request, exc, principal)
    return _render(request, "experts.html", principal=principal, form={}, result=None)


@router.post("/experts", response_class=HTMLResponse)
def experts_match_page(
    request: Request,
    description: Annotated[str, Form()] = "",
    dispute_type: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    parties: Annotated[str, Form()] = "",
    size: Annotated[int, Form()] = 5,
) -> Response:
    from experts.matching import Dispute, ExpertMatcher

    principal = None
    form = {"description": description, "dispute_type": dispute_type, "region": region, "parties": parties}
    try:
        principal = _who(request, Permission.experts)
        dispute = Dispute(
            description=description,
            dispute_type=dispute_type or None,
            region=region or None,
            parties=[line.strip() for line in parties.splitlines() if line.strip()],
        )
        result = ExpertMatcher(get_services(request)).match(dispute, size=max(1, min(size, 20)))
    except (KBError, ValueError) as exc:
        return _error(request, exc, principal)
    return _render(request, "experts.html", principal=principal, form=form, result=result)


@router.get("/training", response_class=HTMLResponse)
def training_page(request: Request, q: str = "", topic: str = "") -> Response:
    from training.queries import TrainingLibrary

    principal = None
    try:
        principal = _who(request)
        result = TrainingLibrary(get_services(request)).search(q, topic=topic or None, size=10) if q.strip() else None
    except (KBError, ValueError) as exc:
        return _error(request, exc, principal)
    return _render(request, "training.html", principal=principal, q=q, topic=topic, result=result,
                   can_build=principal.can(Permission.courses))  # fmt: skip


@router.post("/training/courses")
def build_course_page(
    request: Request,
    topic: Annotated[str, Form()] = "",
    dispute_types: Annotated[list[str], Form()] = [],  # noqa: B006
    audience: Annotated[str, Form()] = "",
    minutes: Annotated[int, Form()] = 90,
    cases: Annotated[int, Form()] = 3,
) -> Response:
    from training.courses import build_course

    principal = None
    try:
        principal = _who(request, Permission.courses)
        course = build_course(
            get_services(request), topic, dispute_types=[t for t in dispute_types if t],
            audience=audience or None, minutes=minutes, cases=cases,
        )  # fmt: skip
    except (KBError, ValueError) as exc:
        return _error(request, exc, principal)
    return RedirectResponse(f"/training/courses/{course.id}", status_code=303)


@router.get("/training/courses/{course_id}", response_class=HTMLResponse)
def course_page(request: Request, course_id: str) -> Response:
    from training.courses import load_course

    principal = None
    try:
        principal = _who(request)
        course = load_course(get_services(request), course_id)
    except KBError as exc:
        return _error(request, exc, principal)
    return _render(request, "course.html", principal=principal, course=course)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return _render(request, "login.html", next=next if next.startswith("/") else "/", message=None)


@router.post("/login")
def login(request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    keyring = request.app.state.keyring
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    if keyring is not None:
        try:
            keyring.identify(key.strip())
        except AuthenticationError as exc:
            return _render(request, "login.html", 401, next=target, message=exc.detail)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(KEY_COOKIE, key.strip(), httponly=True, samesite="strict")
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(KEY_COOKIE)
    return response
