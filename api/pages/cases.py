"""Case pages: search with filters, facets and paging; a case with its similar cases; reports."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_services
from api.pages.common import Reader, attachment, error_page, render
from cases.queries import CaseFilters, CaseLibrary
from kb_service.errors import InvalidInputError, KBError
from kb_service.export import MEDIA_TYPES

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    principal: Reader,
    q: str = "",
    type: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    region: str = "",
    org_level: Annotated[list[str], Query()] = [],  # noqa: B006
    outcome: Annotated[list[str], Query()] = [],  # noqa: B006
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
) -> Response:
    try:
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
        return error_page(request, exc, principal)
    params = {"q": q, "type": type, "region": region, "org_level": org_level, "outcome": outcome,
              "date_from": date_from, "date_to": date_to}  # fmt: skip

    def link(**changes: Any) -> str:
        merged = {**params, "page": 1, **changes}
        return "/?" + urlencode({k: v for k, v in merged.items() if v not in ("", [], None)}, doseq=True)

    pages = (result["total"] + PAGE_SIZE - 1) // PAGE_SIZE
    return render(
        request, "search.html", principal=principal, result=result, params=params, page=page, pages=pages, link=link
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, principal: Reader) -> Response:
    from laws.articles import CitationReader

    try:
        library = CaseLibrary(get_services(request))
        case = library.show(case_id)
        similar = library.similar(case_id, size=5)
        # every citation links to its article and shows its text; warnings judged on the case's date
        citations = CitationReader(get_services(request)).for_case(case)
    except KBError as exc:
        return error_page(request, exc, principal)
    return render(request, "case.html", principal=principal, case=case, similar=similar, citations=citations)


@router.get("/cases/{case_id}/report.{fmt}")
def case_report(request: Request, case_id: str, fmt: str, principal: Reader) -> Response:
    from cases.report import similar_case_report

    try:
        if fmt not in MEDIA_TYPES:
            raise InvalidInputError("报告格式应为 md、html 或 docx", field="format")
        content = similar_case_report(get_services(request), case_id=case_id, size=5).render(fmt)
    except KBError as exc:
        return error_page(request, exc, principal)
    return attachment(content, MEDIA_TYPES[fmt], f"similar-{case_id}.{fmt}", inline=fmt == "html")
