"""Training routes: section search, building courses, fetching them in a format."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Reader, ServicesDep, Trainer
from kb_service.export import MEDIA_TYPES
from kb_service.text import MAX_QUERY, PlainText
from kb_service.vocabularies import DISPUTE_TYPES
from training.courses import build_course, export_course, load_course
from training.queries import TrainingLibrary

router = APIRouter(prefix="/v1/training", tags=["training"])


class TrainingSearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"query": "司法确认怎么申请", "size": 5}, {"query": "欠薪", "topic": "labor"}]},
    )

    query: str = Field(default="", max_length=MAX_QUERY)
    topic: str | None = None
    kind: str | None = None
    audience: str | None = None
    level: str | None = None
    size: int = Field(default=10, ge=1, le=100)


class CourseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"topic": "labor", "dispute_types": ["labor"], "audience": "新任调解员", "minutes": 90, "cases": 3}]
        },
    )

    topic: PlainText = Field(min_length=1, max_length=200)
    dispute_types: list[str] = Field(default_factory=list, max_length=len(DISPUTE_TYPES.terms))
    audience: PlainText | None = Field(default=None, max_length=200)
    minutes: int = Field(default=90, ge=1)
    cases: int = Field(default=3, ge=0)


@router.post("/search", summary="检索培训材料的章节")
def search(body: TrainingSearchRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return TrainingLibrary(services).search(
        body.query, topic=body.topic, kind=body.kind, audience=body.audience, level=body.level, size=body.size
    )


@router.post("/courses", summary="生成课程（培训师、管理员）", status_code=201)
def create_course(body: CourseRequest, services: ServicesDep, _: Trainer) -> dict[str, Any]:
    course = build_course(
        services, body.topic, dispute_types=body.dispute_types, audience=body.audience,
        minutes=body.minutes, cases=body.cases,
    )  # fmt: skip
    return course.summary()


@router.get("/courses/{course_id}", summary="课程（md、html 或 docx）")
def get_course(
    course_id: str,
    services: ServicesDep,
    _: Reader,
    format: Literal["md", "html", "docx"] = Query(default="md"),
) -> Response:
    content = export_course(load_course(services, course_id), format)
    disposition = "inline" if format == "html" else "attachment"
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'{disposition}; filename="{course_id}.{format}"'},
    )
