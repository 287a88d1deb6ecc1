"""What every page module shares: templates, the visitor, error pages, login and logout."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.deps import KEY_COOKIE, get_principal, identify
from api.problems import status_of
from kb_service.access import Permission, Principal
from kb_service.errors import AuthenticationError, KBError, RateLimitedError
from kb_service.ranking import readable_terms
from kb_service.registry import nav_links
from kb_service.validation import describe_error
from kb_service.vocabularies import DISPUTE_TYPES, ORG_LEVELS, OUTCOMES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["readable"] = readable_terms
templates.env.globals.update(
    dispute_types=DISPUTE_TYPES.terms, org_levels=ORG_LEVELS.terms, outcomes=OUTCOMES.terms, nav=nav_links()
)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    principal = context.pop("principal", None)
    return templates.TemplateResponse(request, template, {"principal": principal, **context}, status_code=status)


def error_page(request: Request, exc: Exception, principal: Principal | None = None) -> Response:
    """A failure as a page: to the login form when no key was given, else a Chinese message."""
    if isinstance(exc, AuthenticationError):
        return RedirectResponse(f"/login?{urlencode({'next': str(request.url.path)})}", status_code=303)
    if isinstance(exc, ValidationError):
        message = "；".join(f"{f}：{m}" for f, m in map(describe_error, exc.errors()))
        return render(request, "error.html", 422, message=message, principal=principal)
    if isinstance(exc, KBError):
        return render(request, "error.html", status_of(exc), message=exc.detail, principal=principal)
    if isinstance(exc, ValueError):
        return render(request, "error.html", 422, message=str(exc), principal=principal)
    raise exc


class VisitorRefused(Exception):
    """The visitor may not see a page: rendered by :func:`install`'s handler, not as JSON."""

    def __init__(self, cause: KBError, principal: Principal | None) -> None:
        super().__init__(cause.detail)
        self.cause = cause
        self.principal = principal


def visitor(permission: Permission = Permission.read):
    """A dependency: who is asking, if they may use the page; otherwise the login form or a 403 page."""

    def check(request: Request) -> Principal:
        principal = None
        try:
            principal = get_principal(request)
            principal.require(permission)
        except KBError as exc:
            raise VisitorRefused(exc, principal) from exc
        return principal

    return check


Reader = Annotated[Principal, Depends(visitor(Permission.read))]
Trainer = Annotated[Principal, Depends(visitor(Permission.courses))]
Coordinator = Annotated[Principal, Depends(visitor(Permission.experts))]


def install(app: FastAPI) -> None:
    @app.exception_handler(VisitorRefused)
    async def refused(request: Request, exc: VisitorRefused) -> Response:
        return error_page(request, exc.cause, exc.principal)


def attachment(content: str | bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'}
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=next if next.startswith("/") else "/", message=None)


@router.post("/login")
def login(request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    try:
        identify(request, key.strip())
    except AuthenticationError as exc:
        return render(request, "login.html", 401, next=target, message=exc.detail)
    except RateLimitedError as exc:
        return render(request, "login.html", 429, next=target, message=exc.detail)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(KEY_COOKIE, key.strip(), httponly=True, samesite="strict")
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(KEY_COOKIE)
    return response
