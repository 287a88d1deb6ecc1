"""Expert pool routes: matching, batch assignment, reading one expert."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Coordinator, Reader, ServicesDep
from experts.queries import ExpertPool
from kb_service.dispute import DisputeBrief
from kb_service.text import MAX_PAGE_SIZE

router = APIRouter(prefix="/v1/experts", tags=["experts"])

_EXAMPLE_DISPUTE = {
    "description": "患者在医院做胆囊手术后第二天死亡，家属认为医院存在过错",
    "dispute_type": "medical",
    "region": "吉林省/延边朝鲜族自治州/延吉市",
    "parties": [{"name": "崔某某"}, {"name": "延边康宁医院", "kind": "org"}],
}


class MatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"dispute": _EXAMPLE_DISPUTE, "size": 5}]})

    dispute: DisputeBrief
    size: int = Field(default=5, ge=1, le=MAX_PAGE_SIZE)


class AssignRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"disputes": [{"id": "d1", **_EXAMPLE_DISPUTE}], "per_dispute": 2}]},
    )

    disputes: list[DisputeBrief] = Field(min_length=1, max_length=200)
    per_dispute: int = Field(default=1, ge=1, le=10)


@router.post("/match", summary="为一起纠纷推荐咨询专家，列出排除原因")
def match(body: MatchRequest, services: ServicesDep, _: Coordinator) -> dict[str, Any]:
    return ExpertPool(services).match(body.dispute, size=body.size)


@router.post("/assign", summary="批量分配专家（总匹配分最高）")
def batch_assign(body: AssignRequest, services: ServicesDep, _: Coordinator) -> dict[str, Any]:
    return ExpertPool(services).assign(body.disputes, per_dispute=body.per_dispute)


@router.get("/{expert_id}", summary="一位专家（联系方式仅协调员、管理员可见）")
def get_expert(expert_id: str, services: ServicesDep, principal: Reader) -> dict[str, Any]:
    return ExpertPool(services).show(expert_id, principal)
