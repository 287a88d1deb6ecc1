"""``kb search cases``, ``kb similar``, ``kb cases show``, ``kb report similar``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, plain, services, user_errors, write_output
from kb_service.errors import InvalidInputError


def print_hits(data: dict) -> None:
    typer.echo(f"共 {data['total']} 条")
    for hit in data["hits"]:
        typer.echo(f"{hit['id']}  {hit.get('title', '')}  [{hit.get('dispute_type_label', '')}] {hit.get('region', '')} {hit.get('date', '')}")
        why = hit.get("why") or {}
        if why.get("matched_terms"):
            from kb_service.ranking import readable_terms

            typer.echo(f"    命中词：{'、'.join(readable_terms(why['matched_terms']))}")
        for fragments in (hit.get("highlights") or {}).values():
            typer.echo("    " + plain(fragments[0]))
            break


@user_errors
def search_cases_command(
    query: Annotated[str, typer.Argument(help="检索词或纠纷描述")] = "",
    dispute_type: Annotated[list[str] | None, typer.Option("--type", help="纠纷类型（代码或中文）")] = None,
    region: Annotated[str | None, typer.Option("--region", help="地区，如 吉林省/长春市")] = None,
    org_level: Annotated[list[str] | None, typer.Option("--org-level", help="调解组织")] = None,
    outcome: Annotated[list[str] | None, typer.Option("--outcome", help="调解结果")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD")] = None,
    size: Annotated[int, typer.Option("--size")] = 10,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    mode: Annotated[
        str, typer.Option("--mode", help="hybrid（默认，关键词+语义）、keyword（只用关键词，不加载向量模型）或 vector")
    ] = "hybrid",
    as_json: JsonOption = False,
) -> None:
    """检索精品案例。"""
    if mode not in ("hybrid", "keyword", "vector"):
        raise InvalidInputError(f"--mode 应为 hybrid、keyword 或 vector，而不是 {mode!r}")
    from cases.queries import CaseFilters, CaseLibrary

    filters = CaseFilters(
        dispute_type=dispute_type or [],
        region=region,
        org_level=org_level or [],
        outcome=outcome or [],
        date_from=date_from,
        date_to=date_to,
    )
    result = CaseLibrary(services()).search(query, filters, size=size, offset=offset, mode=mode)
    emit(result, as_json, print_hits)


def print_similar(data: dict) -> None:
    print_hits(data)
    summary = data["summary"]
    typer.echo("—— 类案概况 ——")
    typer.echo("结果：" + "，".join(f"{o['label']} {o['count']}" for o in summary["outcomes"]))
    if summary["amount"]:
        a = summary["amount"]
        typer.echo(f"金额：最低 {a['min']:.0f} 元，中位 {a['median']:.0f} 元，最高 {a['max']:.0f} 元（{a['count']} 件）")
    if summary["legal_basis"]:
        typer.echo("常引法条：" + "；".join(f"{c['citation']}（{c['count']}）" for c in summary["legal_basis"]))


@user_errors
def similar_command(
    case_id: Annotated[str | None, typer.Argument(metavar="[CASE_ID]", help="案例编号")] = None,
    text: Annotated[str | None, typer.Option("--text", help="纠纷描述")] = None,
    size: Annotated[int, typer.Option("--size")] = 10,
    as_json: JsonOption = False,
) -> None:
    """查找类似案例，并汇总其结果。"""
    from cases.queries import CaseLibrary

    result = CaseLibrary(services()).similar(case_id, text=text, size=size)
    emit(result, as_json, print_similar)


_CASE_SECTIONS = (
    ("facts", "纠纷事实"),
    ("process", "调解过程"),
    ("result", "调解结果"),
    ("agreement", "协议内容"),
    ("commentary", "案例评析"),
)


@user_errors
def show_case_command(case_id: str, as_json: JsonOption = False) -> None:
    """显示一个案例（已脱敏）。"""
    from cases.queries import CaseLibrary

    case = CaseLibrary(services()).show(case_id)

    def human(c: dict) -> None:
        typer.echo(f"{c['id']}  {c['title']}")
        typer.echo(f"{c.get('dispute_type_label', '')} | {c.get('region', '')} | {c.get('date', '')} | {c.get('outcome_label', '')}")
        for field, label in _CASE_SECTIONS:
            if c.get(field):
                typer.echo(f"\n【{label}】\n{c[field]}")
        if c.get("legal_basis"):
            typer.echo("\n【法律依据】\n" + "\n".join(c["legal_basis"]))

    emit(case, as_json, human)


@user_errors
def report_similar_command(
    case_id: Annotated[str | None, typer.Argument(metavar="[CASE_ID]", help="案例编号")] = None,
    text: Annotated[str | None, typer.Option("--text", help="纠纷描述")] = None,
    size: Annotated[int, typer.Option("--size")] = 5,
    fmt: Annotated[str, typer.Option("--format", help="md、html 或 docx")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
    as_json: JsonOption = False,
) -> None:
    """类案检索报告。"""
    from cases.report import similar_case_report

    report = similar_case_report(services(), case_id=case_id, text=text, size=size)
    if as_json:
        emit(report.as_dict(), True, lambda _: None)
        return
    write_output(report.render(fmt), output)


def register(cli: CommandLine) -> None:
    cli.search.command("cases")(search_cases_command)
    cli.app.command("similar")(similar_command)
    cli.group("cases", "案例库").command("show")(show_case_command)
    cli.report.command("similar")(report_similar_command)
