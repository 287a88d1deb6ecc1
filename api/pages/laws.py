"""Statute pages: search (with suggestions for a dispute), an article with the cases citing it,
and a form that checks the citations in a pasted text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_services
from api.pages.common import Reader, error_page, render
from kb_service.errors import KBError

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10


@router.get("/laws", response_class=HTMLResponse)
def laws_page(
    request: Request,
    principal: Reader,
    q: str = "",
    law: str = "",
    all: bool = False,
    suggest: str = "",
    type: str = "",
) -> Response:
    from laws.queries import LawLibrary

    result = suggestions = None
    try:
        library = LawLibrary(get_services(request))
        if q.strip():
            result = library.search(q, law=law or None, size=PAGE_SIZE, include_old=all)
        if suggest.strip():
            suggestions = library.suggest(suggest, dispute_type=type or None, size=5)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "laws.html", principal=principal, q=q, law=law, all=all, result=result,
                  suggest=suggest, type=type, suggestions=suggestions, checked=None, text="", date="")  # fmt: skip


@router.post("/laws/check", response_class=HTMLResponse)
def check_page(
    request: Request,
    principal: Reader,
    text: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
) -> Response:
    from laws.queries import LawLibrary

    try:
        checked = LawLibrary(get_services(request)).check(text, on=date or None)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "laws.html", principal=principal, q="", law="", all=False, result=None,
                  suggest="", type="", suggestions=None, checked=checked, text=text, date=date)  # fmt: skip


@router.get("/laws/{law}/{article}", response_class=HTMLResponse)
def article_page(
    request: Request, law: str, article: str, principal: Reader, version: str | None = None
) -> Response:
    from laws.queries import LawLibrary

    try:
        shown = LawLibrary(get_services(request)).show(law, article, version=version or None)
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "law_article.html", principal=principal, article=shown)
