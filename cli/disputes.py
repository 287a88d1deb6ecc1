"""``kb db upgrade`` and ``kb disputes …``: the dispute register from the command line.

The command line acts as an administrator (``disputes.queries.operator``): it
runs on the server with the operator's rights, sees every committee's
disputes with the parties' particulars, and is named in each history entry
as ``命令行（user）``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import CommandLine, JsonOption, emit, plain, services, user_errors, write_output
from kb_service.errors import InvalidInputError


def _desk():
    from disputes.queries import DisputeDesk, operator

    return DisputeDesk(services(), operator())


@user_errors
def db_upgrade_command(as_json: JsonOption = False) -> None:
    """把纠纷登记数据库升级到当前结构（Alembic 迁移；kb serve 启动时也会执行）。"""
    from sqlalchemy.engine import make_url

    from disputes.database import upgrade

    settings = services().settings
    revision = upgrade(settings)
    where = make_url(settings.register_url).render_as_string(hide_password=True)
    emit(
        {"revision": revision, "database": where},
        as_json,
        lambda d: typer.echo(f"纠纷登记数据库已是最新结构（版本 {d['revision']}）：{d['database']}"),
    )


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise InvalidInputError(f"文件不存在：{path}", field="FILE")
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{path} 不是有效的 UTF-8 JSON：{exc}", field="FILE") from exc


def print_dispute(d: dict) -> None:
    typer.echo(f"{d['number']}  id {d['id']}  [{d.get('status_label', d['status'])}]")
    typer.echo(f"{d.get('dispute_type_label', '')} | {d['region']} | {d['committee']} | 受理 {d['received']}")
    for p in d["parties"]:
        details = "，".join(f"{k} {p[k]}" for k in ("id_number", "phone", "address", "unit") if p.get(k))
        typer.echo(f"  {p.get('role') or '当事人'}：{p['name']}" + (f"（{details}）" if details else ""))
    typer.echo(f"\n【纠纷简要情况】\n{d['description']}")
    if d.get("claims"):
        typer.echo(f"\n【当事人请求】\n{d['claims']}")
    for i, term in enumerate(d.get("agreement") or [], start=1):
        typer.echo(("\n【协议内容】\n" if i == 1 else "") + f"{i}. {term['text']}")
    if d.get("history"):
        typer.echo("\n【办理记录】")
        for h in d["history"]:
            what = h["action"] if not h.get("field") else f"{h['field']}: {h.get('old')} → {h.get('new')}"
            typer.echo(f"  {h['at'][:16]}  {h['actor']}  {what}" + (f"  {h['note']}" if h.get("note") else ""))
    if d.get("search_copy") == "pending":
        typer.echo("\n提示：检索副本暂未写入（登记已保存），下次 kb index 会补写", err=True)


@user_errors
def add_command(file: Annotated[Path, typer.Argument(metavar="FILE.json", help="一起纠纷（JSON 对象），或其列表")], as_json: JsonOption = False) -> None:
    """登记纠纷（编号由系统按调解委员会和年度分配）。"""
    data = _read_json(file)
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise InvalidInputError("文件应为一个 JSON 对象（一起纠纷）或对象列表", field="FILE")
    desk = _desk()
    added = [desk.add(item) for item in items]
    emit(added if isinstance(data, list) else added[0], as_json, lambda _: [print_dispute(d) for d in added])


@user_errors
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=".jsonl、.csv 或 .xlsx；列名可用字段名或中文表头")],
    as_json: JsonOption = False,
) -> None:
    """导入纠纷登记台账：逐行报告错误（行号和原因），正确的行照常登记；重复导入不会重复登记。"""
    report = _desk().import_file(file)

    def human(r: dict) -> None:
        typer.echo(
            f"共 {r['rows']} 行：新登记 {r['imported']}，已存在 {r['existing']}，有误 {len(r['rejected'])}"
        )
        if r["ignored_columns"]:
            typer.echo(f"未识别的列（已忽略）：{'、'.join(r['ignored_columns'])}")
        for item in r["rejected"]:
            typer.echo(f"  ✗ 第 {item['row']} 行：{item['reason']}")
        if r["search_copy"]["pending"]:
            typer.echo(f"提示：{r['search_copy']['pending']} 件的检索副本暂未写入，下次 kb index 会补写", err=True)

    emit(report, as_json, human)


@user_errors
def show_command(dispute_id: int, as_json: JsonOption = False) -> None:
    """显示一起纠纷：当事人信息、办理记录。"""
    emit(_desk().show(dispute_id), as_json, print_dispute)


def _filters(
    status: list[str] | None, dispute_type: list[str] | None, region: str | None,
    date_from: str | None, date_to: str | None, committee: str | None = None, party: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    values = {
        "status": status or [],
        "dispute_type": dispute_type or [],
        "region": region,
        "received_from": date_from,
        "received_to": date_to,
        "committee": committee,
        "party": party,
    }
    return {k: v for k, v in values.items() if v not in (None, [], "")}


StatusOption = Annotated[list[str] | None, typer.Option("--status", help="状态（代码或中文，可多次给出）")]
TypeOption = Annotated[list[str] | None, typer.Option("--type", help="纠纷类型（代码或中文，可多次给出）")]
RegionOption = Annotated[str | None, typer.Option("--region", help="地区前缀，如 吉林省/长春市")]
FromOption = Annotated[str | None, typer.Option("--from", help="受理日期起，如 2026-03-01")]
ToOption = Annotated[str | None, typer.Option("--to", help="受理日期止（含）")]


@user_errors
def list_command(
    status: StatusOption = None,
    dispute_type: TypeOption = None,
    region: RegionOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    committee: Annotated[str | None, typer.Option("--committee", help="调解委员会")] = None,
    party: Annotated[str | None, typer.Option("--party", help="当事人姓名或身份证号")] = None,
    size: Annotated[int, typer.Option("--size")] = 20,
    offset: Annotated[int, typer.Option("--offset")] = 0,
    as_json: JsonOption = False,
) -> None:
    """列出纠纷（受理日期新的在前）。"""
    filters = _filters(status, dispute_type, region, date_from, date_to, committee, party)
    page = _desk().list(filters, size=size, offset=offset)

    def human(p: dict) -> None:
        typer.echo(f"共 {p['total']} 件（第 {p['offset'] + 1} 起）")
        for d in p["items"]:
            names = "、".join(x["name"] for x in d["parties"][:3])
            typer.echo(
                f"{d['id']:>6}  {d['number']}  {d['received']}  [{d['status_label']}] "
                f"{d['dispute_type_label']}  {d['region']}  {names}"
            )

    emit(page, as_json, human)


def _assignments(values: list[str] | None) -> dict[str, Any]:
    """``FIELD=VALUE`` pairs; ``follow_up.honoured=是`` sets one part of an object field;
    a value starting with ``[`` or ``{`` is read as JSON."""
    changes: dict[str, Any] = {}
    for item in values or []:
        field, sep, value = item.partition("=")
        field = field.strip()
        if not sep or not field:
            raise InvalidInputError(f"--set 应写成 字段=值（如 amount=5000），而不是“{item}”", field="--set")
        parsed: Any = value
        if value.strip().startswith(("[", "{")):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"--set {field} 的 JSON 值无效：{exc.msg}", field=field) from exc
        if "." in field:
            outer, inner = field.split(".", 1)
            changes.setdefault(outer, {})[inner] = parsed
        else:
            changes[field] = parsed
    return changes


@user_errors
def update_command(
    dispute_id: int,
    status: Annotated[str | None, typer.Option("--status", help="新状态，如 mediating / 调解中")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注（写入办理记录）")] = None,
    assignments: Annotated[list[str] | None, typer.Option("--set", help="字段=值，可多次给出")] = None,
    as_json: JsonOption = False,
) -> None:
    """修改纠纷或变更状态；不合法的状态变更会被拒绝并说明当前状态。"""
    desk = _desk()
    changes = _assignments(assignments)
    for outer in ("follow_up", "confirmation"):
        if isinstance(changes.get(outer), dict) and assignments and any(a.startswith(outer + ".") for a in assignments):
            current = desk.show(dispute_id).get(outer) or {}
            changes[outer] = {**current, **changes[outer]}
    if status is not None:
        changes["status"] = status
    emit(desk.update(dispute_id, changes, note=note), as_json, print_dispute)


@user_errors
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件")],
    fmt: Annotated[str, typer.Option("--format", help="csv 或 xlsx；缺省按文件扩展名")] = "",
    status: StatusOption = None,
    dispute_type: TypeOption = None,
    region: RegionOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    as_json: JsonOption = False,
) -> None:
    """导出纠纷登记台账（表头为中文，与导入格式相同；公式开头的文字加 ' 以防被执行）。"""
    fmt = (fmt or output.suffix.lstrip(".") or "xlsx").lower()
    if fmt not in ("csv", "xlsx"):
        raise InvalidInputError("导出格式应为 csv 或 xlsx", field="--format")
    count = _desk().export(output, format=fmt, filters=_filters(status, dispute_type, region, date_from, date_to))  # type: ignore[arg-type]
    emit({"path": str(output), "format": fmt, "rows": count}, as_json, lambda d: typer.echo(f"已导出 {d['rows']} 件到 {d['path']}"))


@user_errors
def doc_command(
    dispute_id: int,
    kind: Annotated[str, typer.Argument(help="application、register、record、agreement、confirmation 或 followup")],
    fmt: Annotated[str, typer.Option("--format", help="docx、html 或 md")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件（docx 必须给出）")] = None,
    suggestions: Annotated[bool, typer.Option("--with-suggestions", help="附上助手的协议条款与法条建议（标明仅供参考）")] = False,
) -> None:
    """生成调解文书（含当事人真实信息，供当事人使用）。"""
    content, _, _ = _desk().document(dispute_id, kind, fmt, suggestions=suggestions)
    write_output(content, output)


def print_assist(a: dict) -> None:
    d = a["dispute"]
    typer.echo(f"纠纷 {d['number']}（id {d['id']}）的调解助手")
    typer.echo("\n—— 类似案例 ——")
    for hit in a["similar_cases"]["hits"]:
        typer.echo(f"  {hit['id']}  {hit.get('title', '')}  [{hit.get('outcome_label', '')}]")
    summary = a["similar_cases"].get("summary")
    if summary and summary["outcomes"]:
        typer.echo("  结果：" + "，".join(f"{o['label']} {o['count']}" for o in summary["outcomes"]))
    typer.echo("\n—— 推荐专家 ——")
    for c in a["experts"]["candidates"]:
        typer.echo(f"  {c['name']}（{c.get('profession_label', '')}）：{'；'.join(c.get('reasons', [])[:2])}")
    for e in a["experts"].get("excluded", [])[:5]:
        typer.echo(f"  已排除 {e['name']}：{e['reason']}")
    typer.echo("\n—— 相关法条 ——")
    for law in a["laws"]:
        typer.echo(f"  {law.get('law_name', '')}{law.get('article_label', '')}  {plain(str(law.get('text', '')))[:60]}")
    typer.echo("\n—— 协议条款建议（建议，仅供参考）——")
    for s in a["agreement_suggestions"]:
        typer.echo(f"  · {s['text']}（来自 {s['case_id']}）")
    typer.echo("\n—— 风险提示 ——")
    for r in a["risks"]:
        done = f"（已签收：{r['acks'][-1]['note']}）" if r.get("acknowledged") else ""
        typer.echo(f"  [{r.get('level', '')}] {r.get('reason', '')}{done}")
    for part, note in a["notes"].items():
        typer.echo(f"提示（{part}）：{note}", err=True)


@user_errors
def assist_command(dispute_id: int, size: Annotated[int, typer.Option("--size")] = 5, as_json: JsonOption = False) -> None:
    """调解助手：类似案例、推荐专家、相关法条、协议条款建议、风险提示。"""
    emit(_desk().assist(dispute_id, size=size), as_json, print_assist)


def print_draft(d: dict) -> None:
    typer.echo(f"草稿 {d['id']}（纠纷 id {d['dispute_id']} → {d['case_id']}）[{d['status_label']}] {d['created_by']} {d['created_at'][:16]}")
    if d.get("reviewed_by"):
        typer.echo(f"审核：{d['reviewed_by']} {d['reviewed_at'][:16]}  {d.get('review_note') or ''}")
    if d.get("library_file"):
        typer.echo(f"已写入案例库：{d['library_file']}（{'已' if d.get('indexed') else '未能'}索引）")


@user_errors
def promote_command(dispute_id: int, as_json: JsonOption = False) -> None:
    """把调解成功（或部分达成）的纠纷转为脱敏的案例草稿，待协调员审核后收入案例库。"""

    def human(d: dict) -> None:
        print_draft(d)
        typer.echo("\n" + d["content"])

    emit(_desk().promote(dispute_id), as_json, human)


@user_errors
def drafts_command(
    status: Annotated[str | None, typer.Option("--status", help="pending（缺省）、approved、rejected 或 all")] = "pending",
    as_json: JsonOption = False,
) -> None:
    """列出案例草稿。"""
    drafts = _desk().list_drafts(None if status == "all" else status)
    emit(drafts, as_json, lambda items: [print_draft(d) for d in items] or typer.echo("没有草稿"))


@user_errors
def approve_command(
    draft_id: int, note: Annotated[str | None, typer.Option("--note", help="审核意见")] = None, as_json: JsonOption = False
) -> None:
    """通过案例草稿：写入 KB_DATA_DIR/library/cases/ 并索引到案例库。"""
    emit(_desk().review(draft_id, "approved", note=note), as_json, print_draft)


@user_errors
def reject_command(
    draft_id: int, note: Annotated[str, typer.Option("--note", help="退回原因（必填）")], as_json: JsonOption = False
) -> None:
    """退回案例草稿（写明原因）。"""
    emit(_desk().review(draft_id, "rejected", note=note), as_json, print_draft)


@user_errors
def search_disputes_command(
    query: Annotated[str, typer.Argument(help="检索词或纠纷描述")] = "",
    status: StatusOption = None,
    dispute_type: TypeOption = None,
    region: RegionOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    size: Annotated[int, typer.Option("--size")] = 10,
    as_json: JsonOption = False,
) -> None:
    """检索纠纷登记的脱敏副本（姓名、证件号、电话、住址均不在检索库中）。"""
    result = _desk().search(query, _filters(status, dispute_type, region, date_from, date_to), size=size)

    def human(r: dict) -> None:
        typer.echo(f"共 {r['total']} 件")
        for hit in r["hits"]:
            typer.echo(f"{hit['id']:>6}  {hit.get('number', '')}  {hit.get('received', '')}  [{hit.get('status_label', '')}] {hit.get('dispute_type_label', '')}")
            for fragments in (hit.get("highlights") or {}).values():
                typer.echo("    " + plain(fragments[0]))
                break

    emit(result, as_json, human)


@user_errors
def audit_command(
    actor: Annotated[str | None, typer.Option("--actor", help="密钥持有者（密钥文件中的 name）")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="dispute、case、expert 或 draft")] = None,
    object_id: Annotated[str | None, typer.Option("--id", help="纠纷、案例或专家的 id")] = None,
    action: Annotated[str | None, typer.Option("--action", help="read、list、search、export、document、assist …")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD")] = None,
    size: Annotated[int, typer.Option("--size", help="条数（最新的在前）")] = 50,
    as_json: JsonOption = False,
) -> None:
    """审计日志：谁在何时从何处读取了哪起纠纷或哪个案例（不含检索词）。"""
    import datetime as dt

    from disputes.audit import AuditLog
    from disputes.service import register_for

    def day(value: str | None, option: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise InvalidInputError(f"{option} 应为日期 YYYY-MM-DD（收到“{value}”）", field=option) from None

    result = AuditLog(register_for(services().settings)).query(
        actor=actor, kind=kind, object_id=object_id, action=action,
        since=day(date_from, "--from"), until=day(date_to, "--to"), size=size,
    )  # fmt: skip

    def human(data: dict[str, Any]) -> None:
        typer.echo(f"共 {data['total']} 条，显示最新的 {len(data['items'])} 条")
        for e in data["items"]:
            what = f"{e['kind']} {e['object_id']}" if e["object_id"] else e["kind"]
            typer.echo(f"{e['at']}  {e['actor']}（{e['role']}）  {e['action']} {what}  {e['status']}  {e['address'] or '-'}")

    emit(result, as_json, human)


def register(cli: CommandLine) -> None:
    cli.group("db", "纠纷登记数据库").command("upgrade")(db_upgrade_command)
    cli.app.command("audit")(audit_command)
    group = cli.group("disputes", "纠纷登记（命令行以管理员身份操作）")
    group.command("add")(add_command)
    group.command("import")(import_command)
    group.command("show")(show_command)
    group.command("list")(list_command)
    group.command("update")(update_command)
    group.command("export")(export_command)
    group.command("doc")(doc_command)
    group.command("assist")(assist_command)
    group.command("promote")(promote_command)
    group.command("drafts")(drafts_command)
    group.command("approve")(approve_command)
    group.command("reject")(reject_command)
    cli.search.command("disputes")(search_disputes_command)
