"""What every ``kb`` command module shares: the services, output, user errors, the groups."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from kb_service.errors import InvalidInputError, KBError
from kb_service.service import Services

JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出到标准输出")]


def services() -> Services:
    """The process's services (built once by ``cli.main``; tests replace them there)."""
    from cli import main

    return main.services()


@dataclass
class CommandLine:
    """The ``kb`` application as domain modules see it: the root and the shared groups
    (``kb search …``, ``kb report …``); :meth:`group` makes or returns ``kb NAME …``."""

    app: typer.Typer
    groups: dict[str, typer.Typer] = field(default_factory=dict)

    def group(self, name: str, help: str) -> typer.Typer:
        if name not in self.groups:
            self.groups[name] = typer.Typer(no_args_is_help=True, help=help)
            self.app.add_typer(self.groups[name], name=name)
        return self.groups[name]

    @property
    def search(self) -> typer.Typer:
        return self.group("search", "检索")

    @property
    def report(self) -> typer.Typer:
        return self.group("report", "报告")


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


def write_output(content: str | bytes, output: Path | None) -> None:
    """To the file named by -o, else to stdout (text only: DOCX needs a file)."""
    if output is not None:
        output.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        typer.echo(f"已写入 {output}", err=True)
    elif isinstance(content, bytes):
        raise InvalidInputError("DOCX 需要用 -o 指定输出文件", field="-o")
    else:
        sys.stdout.write(content)


def plain(fragment: str) -> str:
    """A highlight for the terminal: 【matched】 instead of HTML tags and entities."""
    import html

    return html.unescape(fragment.replace("<em>", "【").replace("</em>", "】"))
