"""The ``kb`` command line (CONTRACT §3).

Every command takes ``--json``. Exit status: 0 success, 1 a user error (a
Chinese message on stderr saying what to fix), 2 a usage error (typer/click).
This module holds what belongs to no domain (``kb index``, ``kb serve``,
``kb keys``); each domain's commands come from the module the registry names
(``kb_service/registry.py``), e.g. ``cli/cases.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import CommandLine, JsonOption, emit, user_errors
from kb_service.registry import DOMAINS, resolve
from kb_service.service import Services
from kb_service.settings import load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="调解知识库：精品案例、咨询专家与培训材料检索")
cli = CommandLine(app)

_services: Services | None = None


def services() -> Services:
    """Built once per process, from the settings read once."""
    global _services
    if _services is None:
        _services = Services.from_settings(load_settings())
    return _services


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
            removed = f"，删除过时章节 {counts['removed']} 条" if counts.get("removed") else ""
            typer.echo(
                f"{name}: 新增或更新 {counts['indexed']} 条，未变 {counts['unchanged']} 条，"
                f"拒收 {len(counts['rejected'])} 条{removed}"
            )
            for item in counts["rejected"]:
                typer.echo(f"  ✗ {item['path']}:{item['line']}  {item['reason']}")
            if counts.get("warnings"):
                typer.echo(f"  提示 {len(counts['warnings'])} 条（记录已收录）：")
            for item in counts.get("warnings", []):
                # what the check found (cases: the citation and the note), after where it is
                found = "  ".join(str(v) for k, v in item.items() if k not in ("path", "line", "id", "verdict"))
                typer.echo(f"  ! {item['path']}:{item['line']}  {item['id']}  {found}")

    emit(report, as_json, human)


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
    from api.observability import configure_json_logging
    from kb_service.errors import ConfigurationError, StoreUnavailableError

    svc = services()
    try:
        # Wrong credentials or an untrusted certificate (ConfigurationError) stop start-up
        # here, in Chinese; a store that is merely down does not: the API answers 503 with
        # Retry-After until it is back, and serves again without a restart.
        svc.store.ping()
    except StoreUnavailableError as exc:
        typer.echo(f"警告：{exc.detail}。服务照常启动，检索库恢复前相关接口返回 503", err=True)
    if svc.settings.api_keys_file is None:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise ConfigurationError("未配置 KB_API_KEYS_FILE 时只能监听本机地址（--host 127.0.0.1）")
        typer.echo(DEV_MODE_NOTICE, err=True)
    typer.echo(f"调解知识库：http://{host}:{port}/ （接口文档 /docs）", err=True)
    configure_json_logging()
    # Our own access log (api/observability.py) replaces uvicorn's, which would write
    # query strings — what people typed — into the logs.
    uvicorn.run(create_app(svc), host=host, port=port, log_config=None, access_log=False)


keys_app = cli.group("keys", "API 密钥")


@keys_app.command("new")
@user_errors
def new_key_command(
    role: Annotated[str, typer.Option("--role", help="mediator、trainer、coordinator 或 admin")],
    name: Annotated[str, typer.Option("--name", help="持有者，如 延吉市人民调解委员会")],
    committee: Annotated[str | None, typer.Option("--committee", help="调解员：所属调解委员会（纠纷登记的范围）")] = None,
    region: Annotated[str | None, typer.Option("--region", help="协调员：所辖地区前缀，如 吉林省/长春市")] = None,
    write: Annotated[bool, typer.Option("--write", help="直接写入 KB_API_KEYS_FILE（运行中的服务随即生效，无需重启）")] = False,
    as_json: JsonOption = False,
) -> None:
    """生成一个 API 密钥，并给出写入密钥文件的条目（文件只存摘要）。"""
    from api.auth import digest, new_key
    from kb_service.access import Principal, Role
    from kb_service.errors import InvalidInputError

    if role not in Role.__members__:
        raise InvalidInputError(f"未知角色 {role}：可选 mediator、trainer、coordinator、admin", field="role")
    holder = Principal(name=name, role=Role(role), committee=committee, region=region)  # checks the pairing
    key = new_key()
    entry = {"name": name, "role": role, "sha256": digest(key)}
    entry |= {k: v for k, v in (("committee", holder.committee), ("region", holder.region)) if v}

    def human(data: dict) -> None:
        typer.echo(f"密钥（只显示这一次，请交给持有者）：{data['key']}")
        if data.get("written"):
            typer.echo(f"已写入 {data['written']}（运行中的服务随即生效，无需重启）：")
        else:
            typer.echo("在 KB_API_KEYS_FILE 的 keys: 下加入：")
        typer.echo(f"  - name: {name}\n    role: {role}")
        for field in ("committee", "region"):
            if field in entry:
                typer.echo(f"    {field}: {entry[field]}")
        typer.echo(f"    sha256: {entry['sha256']}")
        if role in ("mediator", "coordinator") and not (holder.committee or holder.region):
            typer.echo(
                "提示：未指定 --committee（调解员）或 --region（协调员）时，该密钥不能使用纠纷登记", err=True
            )

    if write:
        from api.auth import add_entry

        add_entry(_keys_file(), entry)
    emit({"key": key, "entry": entry, "written": str(_keys_file()) if write else None}, as_json, human)


def _keys_file() -> Path:
    from kb_service.errors import ConfigurationError

    path = services().settings.api_keys_file
    if path is None:
        raise ConfigurationError("未配置 KB_API_KEYS_FILE：请先设置密钥文件的路径")
    return path


@keys_app.command("revoke")
@user_errors
def revoke_key_command(
    name: Annotated[str, typer.Argument(help="持有者（密钥文件中的 name）")],
    as_json: JsonOption = False,
) -> None:
    """吊销一个持有者的全部密钥（从 KB_API_KEYS_FILE 删除；运行中的服务随即生效，无需重启）。"""
    from api.auth import revoke

    removed = revoke(_keys_file(), name)
    emit({"name": name, "revoked": removed}, as_json, lambda d: typer.echo(f"已吊销“{name}”的 {removed} 个密钥"))


@keys_app.command("list")
@user_errors
def list_keys_command(as_json: JsonOption = False) -> None:
    """列出密钥文件中的持有者、角色与范围（只显示摘要的前几位）。"""
    from api.auth import list_entries

    entries = list_entries(_keys_file())

    def human(data: dict) -> None:
        for e in data["keys"]:
            scope = e.get("committee") or e.get("region") or ""
            typer.echo(f"{e['name']}  {e['role']}  {scope}  {e['sha256']}…")

    emit({"keys": entries}, as_json, human)


for _domain in DOMAINS:
    if _domain.cli:
        resolve(_domain.cli).register(cli)


def main() -> None:
    try:
        app()
    finally:
        if _services is not None:
            _services.close()


if __name__ == "__main__":
    main()
