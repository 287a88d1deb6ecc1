"""Dispute register routes (CONTRACT §6): register, list, read, change, import, workbench,
documents, promotion to case drafts and their review.

Who sees what is decided by ``disputes/access.py`` from the caller's key: a
dispute outside the caller's committee or region is 404, exactly like an
unknown id.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PureWindowsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, File, Query, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep, allow
from disputes.queries import DisputeDesk
from disputes.schema import DisputeFilter
from kb_service.access import Permission, Principal
from kb_service.errors import InvalidInputError
from kb_service.text import MAX_PAGE_SIZE, MAX_QUERY, PlainText

router = APIRouter(prefix="/v1/disputes", tags=["disputes"])

DisputeId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="纠纷 id")]
DraftId = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="草稿 id")]
"""Ids are the register's integer keys: anything outside is refused naming the field, never sent to the database."""

DisputeReader = Annotated[Principal, Depends(allow(Permission.disputes))]
Registrar = Annotated[Principal, Depends(allow(Permission.register))]
Reviewer = Annotated[Principal, Depends(allow(Permission.review))]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXAMPLE = {
    "received": "2026-03-05",
    "dispute_type": "邻里纠纷",
    "region": "吉林省/长春市/南关区/南湖街道",
    "committee": "长春市南关区南湖街道人民调解委员会",
    "channel": "当事人申请",
    "mediator": "周建华",
    "description": "申请人反映楼上住户夜间噪音扰民，多次沟通未果。",
    "claims": "要求停止噪音干扰",
    "parties": [
        {"role": "申请人", "name": "王建国", "phone": "13904315678", "address": "南关区幸福街8号"},
        {"role": "被申请人", "name": "李秀英"},
    ],
}


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"query": "拖欠工资", "filters": {"status": ["mediating"]}, "size": 10}]},
    )

    query: str = Field(default="", max_length=MAX_QUERY)
    filters: DisputeFilter = Field(default_factory=DisputeFilter)
    size: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=10_000)


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"note": "事实清楚，可作为示范案例"}]})

    note: PlainText | None = Field(default=None, max_length=2000)


def _filters(
    status: list[str], dispute_type: list[str], region: str | None, committee: str | None,
    party: str | None, date_from: str | None, date_to: str | None,
) -> dict[str, Any]:  # fmt: skip
    # date_from/date_to, not received_*: an error names the parameter the caller used
    values = {"status": status, "dispute_type": dispute_type, "region": region, "committee": committee,
              "party": party, "date_from": date_from, "date_to": date_to}  # fmt: skip
    return {k: v for k, v in values.items() if v not in (None, "", [])}


@router.post("", status_code=201, summary="登记纠纷（调解员、管理员；编号由系统分配）")
def add_dispute(
    services: ServicesDep,
    principal: Registrar,
    body: Annotated[dict[str, Any], Body(examples=[EXAMPLE])],
) -> dict[str, Any]:
    return DisputeDesk(services, principal).add(body)


@router.get("", summary="纠纷列表（按受理日期倒序，分页；只含本委员会或辖区的纠纷）")
def list_disputes(
    services: ServicesDep,
    principal: DisputeReader,
    status: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
    dispute_type: Annotated[list[str], Query()] = [],  # noqa: B006
    region: str | None = None,
    committee: str | None = None,
    party: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    filters = _filters(status, dispute_type, region, committee, party, date_from, date_to)
    return DisputeDesk(services, principal).list(filters, offset=offset, size=size)


@router.post("/search", summary="检索纠纷的脱敏副本（关键词与语义）")
def search_disputes(body: SearchRequest, services: ServicesDep, principal: DisputeReader) -> dict[str, Any]:
    return DisputeDesk(services, principal).search(body.query, body.filters, size=body.size, offset=body.offset)


@router.post("/import", summary="导入纠纷登记台账（multipart：.jsonl、.csv 或 .xlsx；大小上限 KB_MAX_UPLOAD_BYTES，默认 20 MB）")
def import_disputes(
    services: ServicesDep,
    principal: Registrar,
    file: Annotated[UploadFile, File(description="台账文件")],
) -> dict[str, Any]:
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in (".jsonl", ".csv", ".xlsx"):
        raise InvalidInputError("请上传 .jsonl、.csv 或 .xlsx 文件", field="file")
    with tempfile.TemporaryDirectory(prefix="kb-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:  # the upload's size was limited as it arrived (api/limits.py)
            while chunk := file.file.read(1 << 20):
                handle.write(chunk)
        report = DisputeDesk(services, principal).import_file(path)
    report["path"] = PureWindowsPath(file.filename or "").name  # the name uploaded, without the folders it claims (/ or \\)
    return report


@router.get("/export", summary="导出纠纷登记台账（csv 或 xlsx）")
def export_disputes(
    services: ServicesDep,
    principal: DisputeReader,
    format: Literal["csv", "xlsx"] = "xlsx",
    status: Annotated[list[str], Query()] = [],  # noqa: B006
    dispute_type: Annotated[list[str], Query()] = [],  # noqa: B006
    region: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Response:
    media = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
    with tempfile.TemporaryDirectory(prefix="kb-export-") as folder:
        path = Path(folder) / f"disputes.{format}"
        filters = _filters(status, dispute_type, region, None, None, date_from, date_to)
        DisputeDesk(services, principal).export(path, format=format, filters=filters)
        content = path.read_bytes()
    return Response(
        content, media_type=media[format], headers={"Content-Disposition": f'attachment; filename="disputes.{format}"'}
    )


# -- case drafts (before /{dispute_id}, so "drafts" is never read as an id) ---------------


@router.get("/drafts", summary="案例草稿（协调员、管理员）")
def list_drafts(
    services: ServicesDep,
    principal: Reviewer,
    status: Literal["pending", "approved", "rejected", "all"] = "pending",
) -> list[dict[str, Any]]:
    return DisputeDesk(services, principal).list_drafts(None if status == "all" else status)


@router.get("/drafts/{draft_id}", summary="一份案例草稿")
def get_draft(draft_id: DraftId, services: ServicesDep, principal: Reviewer) -> dict[str, Any]:
    return DisputeDesk(services, principal).draft(draft_id)


@router.post("/drafts/{draft_id}/approve", summary="通过案例草稿：收入案例库并索引")
def approve_draft(
    draft_id: DraftId, services: ServicesDep, principal: Reviewer, body: ReviewRequest | None = None
) -> dict[str, Any]:
    return DisputeDesk(services, principal).review(draft_id, "approved", note=body.note if body else None)


@router.post("/drafts/{draft_id}/reject", summary="退回案例草稿（须写明原因）")
def reject_draft(draft_id: DraftId, body: ReviewRequest, services: ServicesDep, principal: Reviewer) -> dict[str, Any]:
    return DisputeDesk(services, principal).review(draft_id, "rejected", note=body.note)


# -- one dispute ---------------------------------------------------------------------


@router.get("/{dispute_id}", summary="一起纠纷（含办理记录）")
def get_dispute(dispute_id: DisputeId, services: ServicesDep, principal: DisputeReader) -> dict[str, Any]:
    return DisputeDesk(services, principal).show(dispute_id)


@router.patch("/{dispute_id}", summary="修改纠纷或变更状态（不合法的状态变更为 409，并说明当前状态）")
def update_dispute(
    dispute_id: DisputeId,
    services: ServicesDep,
    principal: Registrar,
    body: Annotated[
        dict[str, Any],
        Body(examples=[{"status": "mediating", "note": "双方同意调解"}, {"amount": 5000, "note": "核实金额"}]),
    ],
) -> dict[str, Any]:
    changes = dict(body)
    note = changes.pop("note", None)
    if note is not None and not isinstance(note, str):
        raise InvalidInputError("note 应为文字", field="note")
    return DisputeDesk(services, principal).update(dispute_id, changes, note=note)


@router.get("/{dispute_id}/assist", summary="调解助手：类似案例、推荐专家、法条、协议条款建议、风险提示")
def assist_dispute(
    dispute_id: DisputeId,
    services: ServicesDep,
    principal: DisputeReader,
    size: Annotated[int, Query(ge=1, le=20)] = 5,
) -> dict[str, Any]:
    return DisputeDesk(services, principal).assist(dispute_id, size=size)


@router.get("/{dispute_id}/documents/{kind}", summary="调解文书（docx、html 或 md；含当事人真实信息）")
def dispute_document(
    dispute_id: DisputeId,
    kind: str,
    services: ServicesDep,
    principal: DisputeReader,
    format: Literal["docx", "html", "md"] = "docx",
    suggestions: bool = False,
) -> Response:
    content, media_type, filename = DisputeDesk(services, principal).document(
        dispute_id, kind, format, suggestions=suggestions
    )
    disposition = "inline" if format == "html" else "attachment"
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


@router.post("/{dispute_id}/promote", status_code=201, summary="把调解成功的纠纷转为脱敏案例草稿，待协调员审核")
def promote_dispute(dispute_id: DisputeId, services: ServicesDep, principal: DisputeReader) -> dict[str, Any]:
    return DisputeDesk(services, principal).promote(dispute_id)
