"""The expert-matching page (coordinators and admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_services
from api.pages.common import Coordinator, error_page, render
from experts.queries import ExpertPool
from kb_service.dispute import DisputeBrief
from kb_service.errors import KBError

router = APIRouter(include_in_schema=False)


@router.get("/experts", response_class=HTMLResponse)
def experts_page(request: Request, principal: Coordinator) -> Response:
    return render(request, "experts.html", principal=principal, form={}, result=None)


@router.post("/experts", response_class=HTMLResponse)
def experts_match_page(
    request: Request,
    principal: Coordinator,
    description: Annotated[str, Form()] = "",
    dispute_type: Annotated[str, Form()] = "",
    region: Annotated[str, Form()] = "",
    parties: Annotated[str, Form()] = "",
    size: Annotated[int, Form()] = 5,
) -> Response:
    form = {"description": description, "dispute_type": dispute_type, "region": region, "parties": parties}
    try:
        dispute = DisputeBrief(
            description=description,
            dispute_type=dispute_type or None,
            region=region or None,
            parties=[line.strip() for line in parties.splitlines() if line.strip()],
        )
        result = ExpertPool(get_services(request)).match(dispute, size=max(1, min(size, 20)))
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "experts.html", principal=principal, form=form, result=result)
