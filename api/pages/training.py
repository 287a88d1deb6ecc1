"""Training pages: section search, the course builder and built courses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_services
from api.pages.common import Reader, Trainer, error_page, render
from kb_service.access import Permission
from kb_service.errors import KBError

router = APIRouter(include_in_schema=False)


@router.get("/training", response_class=HTMLResponse)
def training_page(request: Request, principal: Reader, q: str = "", topic: str = "") -> Response:
    from training.queries import TrainingLibrary

    try:
        result = TrainingLibrary(get_services(request)).search(q, topic=topic or None, size=10) if q.strip() else None
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return render(request, "training.html", principal=principal, q=q, topic=topic, result=result,
                  can_build=principal.can(Permission.courses))  # fmt: skip


@router.post("/training/courses")
def build_course_page(
    request: Request,
    principal: Trainer,
    topic: Annotated[str, Form()] = "",
    dispute_types: Annotated[list[str], Form()] = [],  # noqa: B006
    audience: Annotated[str, Form()] = "",
    minutes: Annotated[int, Form()] = 90,
    cases: Annotated[int, Form()] = 3,
) -> Response:
    from training.courses import build_course

    try:
        course = build_course(
            get_services(request), topic, dispute_types=[t for t in dispute_types if t],
            audience=audience or None, minutes=minutes, cases=cases,
        )  # fmt: skip
    except (KBError, ValueError) as exc:
        return error_page(request, exc, principal)
    return RedirectResponse(f"/training/courses/{course.id}", status_code=303)


@router.get("/training/courses/{course_id}", response_class=HTMLResponse)
def course_page(request: Request, course_id: str, principal: Reader) -> Response:
    from training.courses import load_course

    try:
        course = load_course(get_services(request), course_id)
    except KBError as exc:
        return error_page(request, exc, principal)
    return render(request, "course.html", principal=principal, course=course)
