"""``kb laws search|show|check|suggest``."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, plain, services, user_errors

VERDICT_MARKS = {"ok": "✓"}


def _status(data: dict) -> str:
    status = data.get("status_label") or ""
    return "" if data.get("status") == "in_force" else f"【{status}】"


@user_errors
def laws_search_command(
    query: Annotated[str, typer.Argument(help="检索词或纠纷描述，如“同事借钱不还”")],
    law: Annotated[
        str | None, typer.Option("--law", help="只在这部法律中检索（全称或简称）")
    ] = None,
    size: Annotated[int, typer.Option("--size")] = 10,
    include_old: Annotated[
        bool, typer.Option("--all", help="包括已废止、已被修改和历史版本的条文")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """检索法条。"""
    from laws.queries import LawLibrary

    result = LawLibrary(services()).search(query, law=law, size=size, include_old=include_old)

    def human(data: dict) -> None:
        typer.echo(f"共 {data['total']} 条")
        for hit in data["hits"]:
            typer.echo(
                f"《{hit['short_name']}》{hit['article_label']}{_status(hit)}  {hit.get('chapter') or ''}"
            )
            fragments = (hit.get("highlights") or {}).get("text")
            typer.echo("    " + (plain(fragments[0]) if fragments else hit["text"][:120]))

    emit(result, as_json, human)


@user_errors
def laws_show_command(
    law: Annotated[str, typer.Argument(help="法律名称（全称或简称），如 民法典")],
    article: Annotated[str, typer.Argument(help="条文序号，如 1084、第1084条、第一千零八十四条")],
    version: Annotated[
        str | None, typer.Option("--version", help="版本编号（law_id），缺省为现行文本")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """显示一条法条的原文、效力状态和援引它的案例。"""
    from laws.queries import LawLibrary

    result = LawLibrary(services()).show(law, article, version=version)

    def human(data: dict) -> None:
        typer.echo(f"《{data['law_name']}》{data['article_label']}{_status(data)}")
        if data.get("chapter"):
            typer.echo(" ".join(p for p in (data["chapter"], data.get("section")) if p))
        typer.echo("")
        typer.echo(data["text"])
        typer.echo("")
        typer.echo(f"效力：{data['status_label']}；文本日期：{data.get('version_date') or '不详'}")
        if data.get("note"):
            typer.echo(f"说明：{data['note']}")
        if data["cited_by"]:
            typer.echo("援引本条的案例：" + "、".join(data["cited_by"]))

    emit(result, as_json, human)


def print_citations(data: dict) -> None:
    if data.get("case"):
        case = data["case"]
        typer.echo(f"{case['id']}  {case.get('title') or ''}（{case.get('date') or '日期不详'}）")
    if not data["citations"]:
        typer.echo("没有找到法条引用")
    for item in data["citations"]:
        mark = VERDICT_MARKS.get(item["verdict"], "!")
        typer.echo(f"{mark} {item['citation']}  [{item['verdict_label']}] {item['note']}")
        if item.get("text"):
            typer.echo("    " + item["text"].replace("\n", "\n    "))


@user_errors
def laws_check_command(
    text: Annotated[str | None, typer.Argument(metavar="[TEXT]", help="含法条引用的文字")] = None,
    case_id: Annotated[
        str | None, typer.Option("--case", help="核对一个案例的全部引用（按案例日期）")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="按此日期判断（YYYY-MM-DD），缺省为今天")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """核对法条引用：法律是否收录、条文是否存在、当时是否有效。"""
    from laws.queries import LawLibrary

    result = LawLibrary(services()).check(text, case_id=case_id, on=on)
    emit(result, as_json, print_citations)


@user_errors
def laws_suggest_command(
    description: Annotated[str, typer.Argument(help="纠纷描述")],
    dispute_type: Annotated[
        str | None, typer.Option("--type", help="纠纷类型（代码或中文）")
    ] = None,
    size: Annotated[int, typer.Option("--size")] = 5,
    as_json: JsonOption = False,
) -> None:
    """为一个纠纷推荐法条：类似案例援引的条文与直接检索的结果。"""
    from laws.queries import LawLibrary

    result = LawLibrary(services()).suggest(description, dispute_type=dispute_type, size=size)

    def human(data: dict) -> None:
        for n, item in enumerate(data["articles"], 1):
            typer.echo(f"{n}. 《{item['short_name']}》{item['article_label']}{_status(item)}")
            typer.echo("    " + item["text"].replace("\n", "\n    "))
            for reason in item["reasons"]:
                typer.echo(f"    · {reason}")

    emit(result, as_json, human)


def register(cli: CommandLine) -> None:
    group = cli.group("laws", "法条：检索、原文、引用核对与推荐")
    group.command("search")(laws_search_command)
    group.command("show")(laws_show_command)
    group.command("check")(laws_check_command)
    group.command("suggest")(laws_suggest_command)
