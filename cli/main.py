"""The ``kb`` command line (CONTRACT §3).

Every command takes ``--json``. Exit status: 0 success, 1 a user error (a
Chinese message on stderr saying what to fix), 2 a usage error (typer/click).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from kb_service.errors import KBError
from kb_service.service import Services
from kb_service.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="调解知识库：精品案例、咨询专家与培训材料检索")
search_app = typer.Typer(no_args_is_help=True, help="检索")
cases_app = typer.Typer(no_args_is_help=True, help="案例库")
experts_app = typer.Typer(no_args_is_help=True, help="咨询专家库")
training_app = typer.Typer(no_args_is_help=True, help="培训材料")
course_app = typer.Typer(no_args_is_help=True, help="课程")
report_app = typer.Typer(no_args_is_help=True, help="报告")
app.add_typer(search_app, name="search")
app.add_typer(cases_app, name="cases")
app.add_typer(experts_app, name="experts")
app.add_typer(training_app, name="training")
app.add_typer(course_app, name="course")
app.add_typer(report_app, name="report")

JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出到标准输出")]

_services: Services | None = None


def services() -> Services:
    """Built once per process, from the settings read once."""
    global _services
    if _services is None:
        _services = Services.from_settings(load_settings())
    return _services


def user_errors(command: Callable) -> Callable:
    """KBError → Chinese message on stderr, exit 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KBError as exc:
            typer.echo(f"错误：{exc.detail}", err=True)
            raise typer.Exit(1) from exc
        except ValueError as exc:  # validation of user-given values (vocabularies, dates)
            typer.echo(f"错误：{_first_line(exc)}", err=True)
            raise typer.Exit(1) from exc

    return wrapper


def _first_line(exc: Exception) -> str:
    from pydantic import ValidationError

    from kb_service.validation import describe_error

    if isinstance(exc, ValidationError):
        return "；".join(f"{field}：{message}" for field, message in map(describe_error, exc.errors()))
    return str(exc)


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        human(data)


# -- kb index -------------------------------------------------------------------------
@app.command("index")
@user_errors
def index_command(
    libraries: Annotated[list[Path] | None, typer.Argument(metavar="[LIBRARY_DIR]...", help="资料库文件夹；缺省为随包附带的示例库")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="重建：各集合只保留本次给出的记录")] = False,
    as_json: JsonOption = False,
) -> None:
    """加载、校验、脱敏、分词、向量化并写入检索库。"""
    from indexer.run import index_libraries

    report = index_libraries(services(), libraries, rebuild=rebuild, progress=not as_json)

    def human(data: dict) -> None:
        for name, counts in data.items():
            typer.echo(
                f"{name}: 新增或更新 {counts['indexed']} 条，未变 {counts['unchanged']} 条，拒收 {len(counts['rejected'])} 条"
            )
            for item in counts["rejected"]:
                typer.echo(f"  ✗ {item['path']}:{item['line']}  {item['reason']}")

    emit(report, as_json, human)


# -- kb search cases ----------------------------------------------------------------
def _plain(fragment: str) -> str:
    """A highlight for the terminal: 【matched】 instead of HTML tags and entities."""
    import html

    return html.unescape(fragment.replace("<em>", "【").replace("</em>", "】"))


def _print_hits(data: dict) -> None:
    typer.echo(f"共 {data['total']} 条")
    for hit in data["hits"]:
        typer.echo(f"{hit['id']}  {hit.get('title', '')}  [{hit.get('dispute_type_label', '')}] {hit.get('region', '')} {hit.get('date', '')}")
        why = hit.get("why") or {}
        if why.get("matched_terms"):
            from kb_service.ranking import readable_terms

            typer.echo(f"    命中词：{'、'.join(readable_terms(why['matched_terms']))}")
        for fragments in (hit.get("highlights") or {}).values():
            typer.echo("    " + _plain(fragments[0]))
            break


@search_app.command("cases")
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
    as_json: JsonOption = False,
) -> None:
    """检索精品案例。"""
    from cases.queries import CaseFilters, CaseLibrary

    filters = CaseFilters(
        dispute_type=dispute_type or [],
        region=region,
        org_level=org_level or [],
        outcome=outcome or [],
        date_from=date_from,
        date_to=date_to,
    )
    result = CaseLibrary(services()).search(query, filters, size=size, offset=offset)
    emit(result, as_json, _print_hits)


# -- kb similar -----------------------------------------------------------------------
def _print_similar(data: dict) -> None:
    _print_hits(data)
    summary = data["summary"]
    typer.echo("—— 类案概况 ——")
    typer.echo("结果：" + "，".join(f"{o['label']} {o['count']}" for o in summary["outcomes"]))
    if summary["amount"]:
        a = summary["amount"]
        typer.echo(f"金额：最低 {a['min']:.0f} 元，中位 {a['median']:.0f} 元，最高 {a['max']:.0f} 元（{a['count']} 件）")
    if summary["legal_basis"]:
        typer.echo("常引法条：" + "；".join(f"{c['citation']}（{c['count']}）" for c in summary["legal_basis"]))


@app.command("similar")
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
    emit(result, as_json, _print_similar)


# -- kb cases show ----------------------------------------------------------------------
@cases_app.command("show")
@user_errors
def show_case_command(case_id: str, as_json: JsonOption = False) -> None:
    """显示一个案例（已脱敏）。"""
    from cases.queries import CaseLibrary

    case = CaseLibrary(services()).show(case_id)

    def human(c: dict) -> None:
        typer.echo(f"{c['id']}  {c['title']}")
        typer.echo(f"{c.get('dispute_type_label', '')} | {c.get('region', '')} | {c.get('date', '')} | {c.get('outcome_label', '')}")
        for field, label in (("facts", "纠纷事实"), ("process", "调解过程"), ("result", "调解结果"), ("agreement", "协议内容"), ("commentary", "案例评析")):
            if c.get(field):
                typer.echo(f"\n【{label}】\n{c[field]}")
        if c.get("legal_basis"):
            typer.echo("\n【法律依据】\n" + "\n".join(c["legal_basis"]))

    emit(case, as_json, human)


# -- kb experts ---------------------------------------------------------------------------
@experts_app.command("match")
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
    from experts.matching import Dispute, ExpertMatcher

    dispute = Dispute(description=description, dispute_type=dispute_type, region=region, parties=party or [])
    result = ExpertMatcher(services()).match(dispute, size=size)

    def human(data: dict) -> None:
        for c in data["candidates"]:
            typer.echo(f"{c['id']}  {c['name']}（{c['profession_label']}）  {c['score']:.3f}  {c.get('unit') or ''}")
            typer.echo("    " + "；".join(c["reasons"]))
        if data["excluded"]:
            typer.echo("—— 已排除 ——")
            for e in data["excluded"]:
                typer.echo(f"{e['id']}  {e['name']}：{e['reason']}")

    emit(result, as_json, human)


@experts_app.command("assign")
@user_errors
def experts_assign_command(
    disputes_file: Annotated[Path, typer.Argument(metavar="DISPUTES.jsonl", help="每行一起纠纷")],
    per_dispute: Annotated[int, typer.Option("--per-dispute", help="每起纠纷分配的专家人数")] = 1,
    as_json: JsonOption = False,
) -> None:
    """批量分配专家：在容量与利益冲突约束下使总匹配分最高。"""
    from experts.assignment import assign
    from experts.matching import Dispute, ExpertMatcher
    from kb_service.errors import InvalidInputError
    from kb_service.library import RawRecord, read_jsonl
    from kb_service.validation import validate_record

    if not disputes_file.is_file():
        raise InvalidInputError(f"文件不存在：{disputes_file}", field="DISPUTES.jsonl")
    disputes, problems = [], []
    for item in read_jsonl(disputes_file):
        parsed = validate_record(Dispute, item, item.data) if isinstance(item, RawRecord) else item
        if isinstance(parsed, Dispute):
            disputes.append(parsed)
        else:
            problems.append(f"第 {parsed.line} 行：{parsed.reason}")
    if problems:
        raise InvalidInputError("纠纷文件有误：" + "；".join(problems), field="DISPUTES.jsonl")
    result = assign(ExpertMatcher(services()), disputes, per_dispute=per_dispute)

    def human(data: dict) -> None:
        for a in data["assignments"]:
            typer.echo(f"{a['dispute_id']} → {'、'.join(a['expert_ids'])}（{a['score']:.3f}）")
        for u in data["unassigned"]:
            typer.echo(f"{u['dispute_id']} 缺 {u['missing']} 位：{u['reason']}")
        typer.echo(f"总匹配分：{data['objective']:.3f}")

    emit(result, as_json, human)


# -- kb training search, kb course build, kb report similar ----------------------------------
def _write_output(content: str | bytes, output: Path | None) -> None:
    """To the file named by -o, else to stdout (text only: DOCX needs a file)."""
    from kb_service.errors import InvalidInputError

    if output is not None:
        output.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        typer.echo(f"已写入 {output}", err=True)
    elif isinstance(content, bytes):
        raise InvalidInputError("DOCX 需要用 -o 指定输出文件", field="-o")
    else:
        sys.stdout.write(content)


@training_app.command("search")
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
            typer.echo(f"    {_plain(hit['snippet'])}")

    emit(result, as_json, human)


@course_app.command("build")
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
    if as_json:
        emit(course.summary(), True, lambda _: None)
        return
    _write_output(export_course(course, fmt), output)


@report_app.command("similar")
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
    _write_output(report.render(fmt), output)


# -- kb serve / kb keys --------------------------------------------------------------------
@app.command("serve")
@user_errors
def serve_command(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
) -> None:
    """启动 HTTP API 与网页。"""
    import ipaddress

    import uvicorn

    from api.main import DEV_MODE_NOTICE, create_app
    from kb_service.errors import ConfigurationError

    svc = services()
    if svc.settings.api_keys_file is None:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConfigurationError("未配置 KB_API_KEYS_FILE 时只能监听本机地址（--host 127.0.0.1）")
        typer.echo(DEV_MODE_NOTICE, err=True)
    typer.echo(f"调解知识库：http://{host}:{port}/ （接口文档 /docs）", err=True)
    uvicorn.run(create_app(svc), host=host, port=port, log_level="info")


keys_app = typer.Typer(no_args_is_help=True, help="API 密钥")
app.add_typer(keys_app, name="keys")


@keys_app.command("new")
@user_errors
def new_key_command(
    role: Annotated[str, typer.Option("--role", help="mediator、trainer、coordinator 或 admin")],
    name: Annotated[str, typer.Option("--name", help="持有者，如 延吉市人民调解委员会")],
    as_json: JsonOption = False,
) -> None:
    """生成一个 API 密钥，并给出写入密钥文件的条目（文件只存摘要）。"""
    from api.auth import Role, digest, new_key
    from kb_service.errors import InvalidInputError

    if role not in Role.__members__:
        raise InvalidInputError(f"未知角色 {role}：可选 mediator、trainer、coordinator、admin", field="role")
    key = new_key()
    entry = {"name": name, "role": role, "sha256": digest(key)}

    def human(data: dict) -> None:
        typer.echo(f"密钥（只显示这一次，请交给持有者）：{data['key']}")
        typer.echo("在 KB_API_KEYS_FILE 的 keys: 下加入：")
        typer.echo(f"  - name: {name}\n    role: {role}\n    sha256: {entry['sha256']}")

    emit({"key": key, "entry": entry}, as_json, human)


def main() -> None:
    try:
        app()
    finally:
        if _services is not None:
            _services.close()


if __name__ == "__main__":
    main()
