"""Case library routes: search, read, similar cases, 类案检索报告."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import Reader, ServicesDep
from cases.queries import CaseFilters, CaseLibrary
from kb_service.export import MEDIA_TYPES
from kb_service.text import MAX_PAGE_SIZE, MAX_QUERY, RecordId

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class CaseSearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "楼上天天吵", "filters": {"dispute_type": ["neighbor"], "region": "吉林省/长春市"}, "size": 10},
                {"query": "", "filters": {"outcome": ["调解成功"], "date_from": "2023-01-01"}, "size": 20, "offset": 20},
            ]
        },
    )

    query: str = Field(default="", max_length=MAX_QUERY)
    filters: CaseFilters = Field(default_factory=CaseFilters)
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=10_000)
    facets: bool = True


class SimilarRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "包工头跑了，工地欠我们二十多个人的工资", "size": 5}]},
    )

    text: str = Field(min_length=1, max_length=20_000)
    filters: CaseFilters = Field(default_factory=CaseFilters)
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)


class ReportRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"case_id": "case-medical-001", "format": "docx"}, {"text": "楼上漏水", "format": "md"}]},
    )

    case_id: RecordId | None = None
    text: str | None = Field(default=None, max_length=20_000)
    format: Literal["md", "html", "docx"] = "md"
    size: int = Field(default=5, ge=1, le=20)

    @model_validator(mode="after")
    def _one_of(self) -> ReportRequest:
        if (self.case_id is None) == (not self.text):
            raise ValueError("请给出 case_id 或 text（二者选一）")
        return self


@router.post("/search", summary="检索精品案例")
def search(body: CaseSearchRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return CaseLibrary(services).search(body.query, body.filters, size=body.size, offset=body.offset, facets=body.facets)


@router.post("/similar", summary="按纠纷描述查找类似案例")
def similar_to_text(body: SimilarRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return CaseLibrary(services).similar(text=body.text, filters=body.filters, size=body.size)


@router.post("/report", summary="类案检索报告（md、html 或 docx 文件）")
def report(body: ReportRequest, services: ServicesDep, _: Reader) -> Response:
    from cases.report import similar_case_report

    content = similar_case_report(services, case_id=body.case_id, text=body.text, size=body.size).render(body.format)
    name = f"similar-{body.case_id or 'text'}.{body.format}"
    return Response(
        content,
        media_type=MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{case_id}", summary="一个案例（已脱敏）")
def get_case(case_id: str, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return CaseLibrary(services).show(case_id)


@router.get("/{case_id}/similar", summary="与某案例类似的案例及结果概况")
def similar_to_case(
    case_id: str, services: ServicesDep, _: Reader, size: int = Query(default=10, ge=1, le=MAX_PAGE_SIZE)
) -> dict[str, Any]:
    return CaseLibrary(services).similar(case_id, size=size)
