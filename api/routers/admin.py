"""Administration: re-indexing and status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Admin, Reader, ServicesDep
from indexer.run import index_libraries
from kb_service.errors import CollectionNotIndexedError
from kb_service.registry import collection_names
from kb_service.text import MAX_PAGE_SIZE

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class ReindexRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{}, {"libraries": ["/srv/kb/library"], "rebuild": True}]},
    )

    libraries: list[str] = Field(default_factory=list, description="服务器上的资料库文件夹；缺省为示例库")
    rebuild: bool = False


@router.post("/reindex", summary="重新索引资料库（管理员）")
def reindex(body: ReindexRequest, services: ServicesDep, _: Admin) -> dict[str, Any]:
    return index_libraries(services, [Path(p) for p in body.libraries] or None, rebuild=body.rebuild, progress=False)


@router.get("/status", summary="服务状态：后端、模型、各集合记录数")
def status(services: ServicesDep, principal: Reader) -> dict[str, Any]:
    # Not indexed yet is a state worth showing (None); a store that is down is a 503.
    counts: dict[str, int | None] = {}
    for name in collection_names():
        try:
            counts[name] = services.store.count(name)
        except CollectionNotIndexedError:
            counts[name] = None
    return {
        "backend": services.settings.backend,
        "model": services.settings.embedding_model,
        "fusion": services.settings.fusion,
        "collections": counts,
        "development_mode": services.settings.api_keys_file is None,
        "you": {"name": principal.name, "role": principal.role},
    }


@router.get("/audit", summary="审计日志：谁在何时从何处读取了哪起纠纷或哪个案例（管理员；不含检索词）")
def audit_log(
    services: ServicesDep,
    _: Admin,
    actor: str | None = Query(default=None, max_length=200, description="密钥持有者（密钥文件中的 name）"),
    kind: Literal["dispute", "case", "expert", "draft"] | None = None,
    object_id: str | None = Query(default=None, max_length=200, description="纠纷、案例或专家的 id"),
    action: str | None = Query(default=None, max_length=20, description="read、list、search、export、document、assist …"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> dict[str, Any]:
    from disputes.audit import AuditLog
    from disputes.service import register_for

    return AuditLog(register_for(services.settings)).query(
        actor=actor, kind=kind, object_id=object_id, action=action, since=date_from, until=date_to,
        offset=offset, size=size,
    )  # fmt: skip
