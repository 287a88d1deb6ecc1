"""Statute routes: search, one article, citation checking, suggestions. Every role may read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.deps import Reader, ServicesDep
from kb_service.text import MAX_PAGE_SIZE, RecordId
from laws.queries import LawLibrary

router = APIRouter(prefix="/v1/laws", tags=["laws"])


class LawSearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "同事借钱不还", "size": 5},
                {"query": "探望权", "law": "民法典"},
                {"query": "噪声", "include_old": True},
            ]
        },
    )

    query: str = Field(min_length=1, max_length=2_000)
    law: str | None = Field(default=None, description="只在这部法律中检索（全称或简称）")
    size: int = Field(default=10, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(default=0, ge=0, le=10_000)
    include_old: bool = Field(default=False, description="包括已废止、已被修改和历史版本的条文")


class CheckRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "依据《合同法》第一百零七条和《民法典》第一千三百条",
                    "date": "2022-03-01",
                },
                {"case_id": "case-contract-001"},
            ]
        },
    )

    text: str | None = Field(default=None, max_length=20_000)
    case_id: RecordId | None = None
    date: dt.date | None = Field(
        default=None, description="按此日期判断，缺省为今天（案例按其日期）"
    )

    @model_validator(mode="after")
    def _one_of(self) -> CheckRequest:
        if (self.case_id is None) == (not self.text):
            raise ValueError("请给出 text 或 case_id（二者选一）")
        return self


class SuggestRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "同事借了我两万块钱，说好半年还，现在一年了还不还",
                    "dispute_type": "contract",
                }
            ]
        },
    )

    text: str = Field(min_length=1, max_length=20_000)
    dispute_type: str | None = None
    size: int = Field(default=5, ge=1, le=20)


@router.post("/search", summary="检索法条")
def search(body: LawSearchRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return LawLibrary(services).search(
        body.query, law=body.law, size=body.size, offset=body.offset, include_old=body.include_old
    )


@router.post("/check", summary="核对法条引用（文字或案例）")
def check(body: CheckRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return LawLibrary(services).check(body.text, case_id=body.case_id, on=body.date)


@router.post("/suggest", summary="为纠纷推荐法条")
def suggest(body: SuggestRequest, services: ServicesDep, _: Reader) -> dict[str, Any]:
    return LawLibrary(services).suggest(body.text, dispute_type=body.dispute_type, size=body.size)


@router.get("/{law}/{article}", summary="一条法条：原文、效力、援引它的案例")
def show(
    law: str,
    article: str,
    services: ServicesDep,
    _: Reader,
    version: str | None = Query(default=None, description="版本编号（law_id），缺省为现行文本"),
) -> dict[str, Any]:
    return LawLibrary(services).show(law, article, version=version)
