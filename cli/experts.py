"""``kb experts match`` and ``kb experts assign``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, services, user_errors


@user_errors
def experts_match_command(
    description: Annotated[str, typer.Argument(help="纠纷描述")],
    dispute_type: Annotated[str | None, typer.Option("--type", help="纠纷类型")] = None,
    region: Annotated[str | None, typer.Option("--region", help="纠纷所在地区")] = None,
    party: Annotated[list[str] | None, typer.Option("--party", help="当事人，NAME 或 NAME@UNIT，可多次")] = None,
    size: Annotated[int, typer.Option("--size")] = 5,
    as_json: JsonOption = False,
) -> None:
    """为一起纠纷推荐咨询专家（排除利益冲突）。"""
    from experts.queries import ExpertPool
    from kb_service.dispute import DisputeBrief

    dispute = DisputeBrief(description=description, dispute_type=dispute_type, region=region, parties=party or [])
    result = ExpertPool(services()).match(dispute, size=size)

    def human(data: dict) -> None:
        for c in data["candidates"]:
            typer.echo(f"{c['id']}  {c['name']}（{c['profession_label']}）  {c['score']:.3f}  {c.get('unit') or ''}")
            typer.echo("    " + "；".join(c["reasons"]))
        if data["excluded"]:
            typer.echo("—— 已排除 ——")
            for e in data["excluded"]:
                typer.echo(f"{e['id']}  {e['name']}：{e['reason']}")

    emit(result, as_json, human)


@user_errors
def experts_assign_command(
    disputes_file: Annotated[Path, typer.Argument(metavar="DISPUTES.jsonl", help="每行一起纠纷")],
    per_dispute: Annotated[int, typer.Option("--per-dispute", help="每起纠纷分配的专家人数")] = 1,
    as_json: JsonOption = False,
) -> None:
    """批量分配专家：在容量与利益冲突约束下使总匹配分最高。"""
    from experts.assignment import read_disputes_file
    from experts.queries import ExpertPool

    result = ExpertPool(services()).assign(read_disputes_file(disputes_file), per_dispute=per_dispute)

    def human(data: dict) -> None:
        for a in data["assignments"]:
            typer.echo(f"{a['dispute_id']} → {'、'.join(a['expert_ids'])}（{a['score']:.3f}）")
        for u in data["unassigned"]:
            typer.echo(f"{u['dispute_id']} 缺 {u['missing']} 位：{u['reason']}")
        typer.echo(f"总匹配分：{data['objective']:.3f}")

    emit(result, as_json, human)


def register(cli: CommandLine) -> None:
    group = cli.group("experts", "咨询专家库")
    group.command("match")(experts_match_command)
    group.command("assign")(experts_assign_command)
