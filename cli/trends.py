"""``kb trends``, ``kb alerts`` and ``kb report trends``: 研判预警 from the command line (CONTRACT §7).

The command line acts as an administrator (``disputes.queries.operator``): the
whole register, every region; ``--region`` narrows it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, services, user_errors, write_output
from kb_service.errors import InvalidInputError

LEVEL_MARKS = {"red": "红", "orange": "橙", "yellow": "黄"}


def _desk():
    from disputes.queries import operator
    from trends.desk import TrendsDesk

    return TrendsDesk(services(), operator())


def _pct(value) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def print_trends(data: dict) -> None:
    level = f"，地区层级 {data['level']}" if data.get("level") else ""
    typer.echo(
        f"按{'周' if data['period'] == 'week' else '月'}统计 {data['from']} 至 {data['to']}（{data['by']}{level}）"
    )
    typer.echo(f"{'地区':<24}{'类型':<16}{'周期':<10}{'件数':>5}{'环比':>9}{'同比':>9}")
    for r in data["rows"]:
        if not r["count"] and not r["previous"] and not r["last_year"]:
            continue
        typer.echo(
            f"{(r['region'] or '全部'):<24}{r.get('dispute_type_label') or r['dispute_type'] or '全部':<16}"
            f"{r['period']:<10}{r['count']:>5}{_pct(r['change_pct']):>9}{_pct(r['yoy_pct']):>9}"
        )


CSV_FIELDS = ["region", "dispute_type", "dispute_type_label", "period", "start", "count", "previous",
              "change", "change_pct", "last_year", "yoy", "yoy_pct"]  # fmt: skip


@user_errors
def trends_command(
    by: Annotated[str, typer.Option("--by", help="region、type 或 region,type")] = "region,type",
    period: Annotated[str, typer.Option("--period", help="week（周）或 month（月）")] = "week",
    level: Annotated[
        str, typer.Option("--level", help="地区层级：province、city、county、township")
    ] = "county",
    date_from: Annotated[
        str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD（缺省：截止前 12 个周期）")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD（缺省：今天）")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="地区前缀，如 吉林省/长春市")
    ] = None,
    types: Annotated[
        list[str] | None, typer.Option("--type", help="纠纷类型（代码或中文），可重复")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="以 CSV 输出到标准输出")] = False,
    as_json: JsonOption = False,
) -> None:
    """纠纷数量趋势：按地区、类型和周/月统计，含环比和同比。"""
    if as_csv and as_json:
        raise InvalidInputError("--json 和 --csv 只能选一个", field="--csv")
    data = _desk().trends(period=period, by=by, level=level, date_from=date_from, date_to=date_to,
                          region=region, dispute_types=types or [])  # fmt: skip
    if as_csv:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(data["rows"])
        return
    emit(data, as_json, print_trends)


def print_alerts(data: dict) -> None:
    checked = data.get("checked")
    if checked:
        typer.echo(
            f"截至 {data['as_of']} 检查：新增预警 {len(checked['new'])} 条（判断 {checked['cells_judged']} 个地区×类型）",
            err=True,
        )
    if not data["alerts"]:
        typer.echo("近30天没有预警")
    for a in data["alerts"]:
        mark = "（已处置）" if a["acknowledged"] else ("（新）" if a["new"] else "")
        typer.echo(
            f"[{LEVEL_MARKS.get(a['level'], a['level'])}] {a['id']}  {a['kind_label']}  {a['period']}{mark}"
        )
        typer.echo(f"    {a['reason']}")
        if a["disputes"]:
            shown = "、".join(map(str, a["disputes"][:12])) + (
                "…" if len(a["disputes"]) > 12 else ""
            )
            typer.echo(f"    纠纷 id：{shown}")


@user_errors
def alerts_callback(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="检查日期 YYYY-MM-DD（缺省：今天）")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="地区前缀，如 吉林省/长春市")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """研判预警：检查数量异常上升和规则预警（群体性、重复、激化、超期），保存新预警并列出近30天的预警。"""
    if ctx.invoked_subcommand is not None:
        return
    emit(_desk().alerts(as_of=as_of, region=region, force=True), as_json, print_alerts)


@user_errors
def ack_command(
    alert_id: Annotated[str, typer.Argument(metavar="ALERT_ID")],
    note: Annotated[str, typer.Option("--note", help="处置说明（必填）")] = "",
    as_json: JsonOption = False,
) -> None:
    """签收预警并写明处置情况。"""
    emit(
        _desk().acknowledge(alert_id, note),
        as_json,
        lambda a: typer.echo(f"已签收预警 {a['id']}：{a['acks'][-1]['note']}"),
    )


@user_errors
def report_trends_command(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
    period: Annotated[str, typer.Option("--period", help="month（缺省）或 week")] = "month",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD（缺省：今天）")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md、html 或 docx")] = "docx",
    region: Annotated[str | None, typer.Option("--region", help="地区前缀")] = None,
) -> None:
    """矛盾纠纷分析研判报告：趋势图表、上升的类型和地区、预警及其纠纷、类案借鉴。"""
    from trends.report import render_report

    content, _, _ = render_report(_desk(), period=period, as_of=as_of, fmt=fmt, region=region)
    write_output(content, output)


def register(cli: CommandLine) -> None:
    cli.app.command("trends")(trends_command)
    alerts = typer.Typer(invoke_without_command=True, help="研判预警")
    alerts.callback()(alerts_callback)
    alerts.command("ack")(ack_command)
    cli.app.add_typer(alerts, name="alerts")
    cli.report.command("trends")(report_trends_command)
