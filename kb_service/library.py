"""Reading a library folder: encodings, front matter, JSON Lines and YAML, record by record.

Every reader yields :class:`RawRecord` (a dict with where it came from) or
:class:`Rejection` (where, and why in Chinese), so one bad record never stops
the good ones around it. Domain packages turn raw records into their schema.

Encodings: UTF-8 (with or without BOM) is expected; a file that is not UTF-8
is examined with charset-normalizer and read as GB18030 when that is what it
is (GB2312 and GBK are subsets). Anything else is rejected with the encoding
named, never indexed as mojibake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import frontmatter
import yaml

_GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936", "hz"}


@dataclass(frozen=True)
class RawRecord:
    data: dict[str, Any]
    path: Path
    line: int
    encoding: str = "utf-8"


@dataclass(frozen=True)
class Rejection:
    path: Path
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class Loaded:
    """A validated record (a domain model) and where it was read from."""

    record: Any
    path: Path
    line: int


class UnreadableFile(Exception):
    """The file's bytes are not text we can read correctly."""


def sample_library() -> Path:
    """The illustrative library shipped with the package."""
    return Path(str(resources.files("kb_service") / "sample_library"))


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("文件为 UTF-16 编码：请另存为 UTF-8")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    guessed = best.encoding.lower().replace("_", "") if best else "unknown"
    if best is not None and guessed in _GB_FAMILY:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    raise UnreadableFile(f"文件编码无法正确识别（疑似 {guessed}）：请另存为 UTF-8 或 GB18030")


def _text_or_rejection(path: Path) -> tuple[str, str] | Rejection:
    try:
        return read_text(path)
    except UnreadableFile as exc:
        return Rejection(path, 1, str(exc))


def _yaml_error(exc: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc)
    return line, problem


def read_markdown(path: Path) -> Iterator[RawRecord | Rejection]:
    """One record: the front matter plus the level-2 sections as ``{heading: text}``."""
    read = _text_or_rejection(path)
    if isinstance(read, Rejection):
        yield read
        return
    text, encoding = read
    if not text.lstrip().startswith("---"):
        yield Rejection(path, 1, "缺少 YAML 前言（文件应以 --- 开头）")
        return
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        line, problem = _yaml_error(exc)
        # front matter starts after the opening '---' line
        yield Rejection(path, line + 1, f"YAML 前言格式错误：{problem}")
        return
    if not isinstance(post.metadata, dict) or not post.metadata:
        yield Rejection(path, 1, "YAML 前言为空或不是键值对")
        return
    data = dict(post.metadata)
    data["_sections"] = split_sections(post.content)
    data["_body"] = post.content
    yield RawRecord(data, path, 1, encoding)


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def split_sections(markdown: str) -> list[tuple[list[str], str]]:
    """``[(heading path, text)]`` for every heading; text before the first heading has path []."""
    sections: list[tuple[list[str], list[str]]] = [([], [])]
    path: list[tuple[int, str]] = []
    fenced = False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            level, title = len(match.group(1)), match.group(2).strip()
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
            sections.append(([t for _, t in path], []))
        else:
            sections[-1][1].append(line)
    return [(heading, "\n".join(lines).strip()) for heading, lines in sections if heading or "".join(lines).strip()]


def read_jsonl(path: Path) -> Iterator[RawRecord | Rejection]:
    read = _text_or_rejection(path)
    if isinstance(read, Rejection):
        yield read
        return
    text, encoding = read
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(path, number, f"JSON 格式错误（第 {exc.colno} 列）：{exc.msg}")
            continue
        if not isinstance(data, dict):
            yield Rejection(path, number, "每行应为一个 JSON 对象")
            continue
        yield RawRecord(data, path, number, encoding)


def read_yaml(path: Path) -> Iterator[RawRecord | Rejection]:
    """One record per file, or a list of records; each list item keeps its own line."""
    read = _text_or_rejection(path)
    if isinstance(read, Rejection):
        yield read
        return
    text, encoding = read
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, problem = _yaml_error(exc)
        yield Rejection(path, line, f"YAML 格式错误：{problem}")
        return
    if data is None:
        return
    if isinstance(data, dict):
        yield RawRecord(data, path, 1, encoding)
        return
    if not isinstance(data, list):
        yield Rejection(path, 1, "YAML 文件应为一个对象或对象列表")
        return
    for item, item_node in zip(data, node.value, strict=True):
        line = item_node.start_mark.line + 1
        if isinstance(item, dict):
            yield RawRecord(item, path, line, encoding)
        else:
            yield Rejection(path, line, "列表中的每一项应为一个对象")


def files_under(folders: list[Path], subfolder: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files with the given suffixes under ``folder/subfolder`` of each library, sorted."""
    found: list[Path] = []
    for folder in folders:
        root = folder / subfolder
        if root.is_dir():
            found.extend(
                p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix.lower() in suffixes
            )
    return found


def field_line(record: RawRecord, field: str) -> int:
    """Best guess of the line where ``field`` is written (front matter or YAML item)."""
    if record.path.suffix.lower() == ".jsonl":
        return record.line
    try:
        text, _ = read_text(record.path)
    except (OSError, UnreadableFile):
        return record.line
    lines = text.splitlines()
    for number in range(record.line - 1, len(lines)):
        if re.match(rf"^\s*-?\s*{re.escape(field)}\s*:", lines[number]):
            return number + 1
    return record.line
