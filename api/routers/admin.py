"""Administration: re-indexing and status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Admin, Reader, ServicesDep
from indexer.run import index_libraries
from kb_service.errors import CollectionNotIndexedError
from kb_service.registry import collection_names

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
