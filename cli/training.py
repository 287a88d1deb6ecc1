"""``kb training search`` and ``kb course build``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, plain, services, user_errors, write_output


@user_errors
def training_search_command(
    query: Annotated[str, typer.Argument(help="检索词")],
    topic: Annotated[str | None, typer.Option("--topic", help="主题：纠纷类型或自由主题")] = None,
    size: Annotated[int, typer.Option("--size")] = 10,
    as_json: JsonOption = False,
) -> None:
    """检索培训材料的章节。"""
    from training.queries import TrainingLibrary

    result = TrainingLibrary(services()).search(query, topic=topic, size=size)

    def human(data: dict) -> None:
        typer.echo(f"共 {data['total']} 节")
        for hit in data["hits"]:
            typer.echo(f"{hit['material_id']}  {hit['title']} › {hit['section']}")
            typer.echo(f"    {plain(hit['snippet'])}")

    emit(result, as_json, human)


@user_errors
def course_build_command(
    topic: Annotated[str, typer.Argument(help="课程主题：纠纷类型或自由主题")],
    dispute_type: Annotated[list[str] | None, typer.Option("--type", help="纠纷类型，可多次")] = None,
    audience: Annotated[str | None, typer.Option("--audience", help="培训对象，如 新任调解员")] = None,
    minutes: Annotated[int, typer.Option("--minutes", help="时长（分钟）")] = 90,
    cases: Annotated[int, typer.Option("--cases", help="示范案例数")] = 3,
    fmt: Annotated[str, typer.Option("--format", help="md、html 或 docx")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
    as_json: JsonOption = False,
) -> None:
    """生成课程：相关材料章节、示范案例与讨论题，不超出时长。"""
    from training.courses import build_course, export_course

    course = build_course(services(), topic, dispute_types=dispute_type or [], audience=audience, minutes=minutes, cases=cases)
    if course.inferred_types:
        from kb_service.vocabularies import DISPUTE_TYPES

        named = "、".join(DISPUTE_TYPES.label(t) for t in course.inferred_types)
        typer.echo(f"由主题推断的纠纷类型：{named}（可用 --type 指定）", err=True)
    if as_json:
        emit(course.summary(), True, lambda _: None)
        return
    write_output(export_course(course, fmt), output)


def register(cli: CommandLine) -> None:
    cli.group("training", "培训材料").command("search")(training_search_command)
    cli.group("course", "课程").command("build")(course_build_command)
