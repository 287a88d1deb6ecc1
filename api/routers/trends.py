"""Trends and early warning (CONTRACT §7): counts, alerts, acknowledgements, the 研判报告.

Scopes come from the caller's key (``disputes/access.py``): coordinators their
region, mediators their committee, admins everything. Acknowledging is for
coordinators and admins (403 for others); an alert outside the caller's
region is 404, like an unknown id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep, allow
from kb_service.access import Permission, Principal
from trends.desk import TrendsDesk

router = APIRouter(tags=["trends"])

TrendsReader = Annotated[Principal, Depends(allow(Permission.disputes))]
Acknowledger = Annotated[Principal, Depends(allow(Permission.alerts))]


class AckRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "已约谈用工单位负责人，工资分两期支付"}]},
    )

    note: str = Field(min_length=1, max_length=2000, description="处置说明（必填）")


@router.get("/v1/trends", summary="纠纷数量趋势：按地区层级 × 类型 × 周/月统计，含环比、同比")
def get_trends(
    services: ServicesDep,
    principal: TrendsReader,
    by: str = "region,type",
    period: str = "week",
    level: str = "county",
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    region: str | None = None,
    type: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI reads the default, never mutates it
) -> dict[str, Any]:
    return TrendsDesk(services, principal).trends(
        period=period,
        by=by,
        level=level,
        date_from=date_from,
        date_to=date_to,
        region=region,
        dispute_types=type,
    )


@router.get("/v1/alerts", summary="研判预警：检查（协调员、管理员）并列出近30天的预警")
def get_alerts(
    services: ServicesDep,
    principal: TrendsReader,
    as_of: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    return TrendsDesk(services, principal).alerts(as_of=as_of, region=region)


@router.post("/v1/alerts/{alert_id}/ack", summary="签收预警并写明处置情况（协调员、管理员）")
def acknowledge_alert(
    alert_id: str, body: AckRequest, services: ServicesDep, principal: Acknowledger
) -> dict[str, Any]:
    return TrendsDesk(services, principal).acknowledge(alert_id, body.note)


@router.get("/v1/reports/trends", summary="矛盾纠纷分析研判报告（md、html 或 docx）")
def trends_report(
    services: ServicesDep,
    principal: TrendsReader,
    format: str = "docx",
    period: str = "month",
    as_of: str | None = None,
    region: str | None = None,
) -> Response:
    from trends.report import render_report

    content, media_type, filename = render_report(
        TrendsDesk(services, principal), period=period, as_of=as_of, fmt=format, region=region
    )
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
