"""Local regulations from a library's ``laws/`` folder (e.g. a province's 人民调解条例).

One Markdown file per regulation: front matter ``id``, ``title``,
``short_name``, ``status`` (code or label: 现行有效 …), ``effective`` (ISO date),
optionally ``version_date``, ``issued_by``, ``aliases``, ``doc_type`` (default
地方性法规), ``note`` (shown with every article: e.g. that the text is
illustrative) and ``source``. The body is split into articles at lines that
begin with ``第…条`` (bold allowed); headings ``第…章``/``第…节`` give each
article its chapter and section; text before the first article is a preamble
and belongs to no article.

A file without articles, with an article number that cannot be read, with the
same number twice or with an empty article is rejected with the line and the
reason; other files still load.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.library import (
    Loaded,
    RawRecord,
    Rejection,
    UnreadableFile,
    files_under,
    read_markdown,
    read_text,
)
from kb_service.validation import validate_record
from laws import numerals
from laws.citations import MAX_ARTICLE
from laws.names import normalise_name
from laws.schema import LAW_STATUSES, Article, Law, Statute, article_label

FOLDER = "laws"

_ARTICLE_START = re.compile(
    r"^\s*(?:\*\*|__)?\s*第\s*(?P<n>[0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条"
    r"(?:之(?P<sub>[一二三四五六七八九十]+))?\s*(?:\*\*|__)?[\s:：]*"
)
_LOOSE_ARTICLE_START = re.compile(r"^\s*(?:\*\*|__)?\s*第\s*(?P<n>[^\s条]{1,10})\s*条")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_CHAPTER = re.compile(r"^第[零一二三四五六七八九十百]+章")
_SECTION = re.compile(r"^第[零一二三四五六七八九十百]+节")


class RegulationInfo(BaseModel):
    """The front matter of a regulation file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    title: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    status: str
    effective: dt.date
    version_date: dt.date | None = None
    issued_by: str | None = None
    aliases: list[str] = Field(default_factory=list)
    doc_type: str = "地方性法规"
    note: str | None = None
    source: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return LAW_STATUSES.code(value) if value not in (None, "") else value

    @field_validator("id", "title", "short_name", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    def law(self) -> Law:
        return Law(
            id=self.id,
            name=normalise_name(self.title),
            short_name=normalise_name(self.short_name),
            status=self.status,
            origin="local",
            doc_type=self.doc_type,
            effective=self.effective,
            version_date=self.version_date,
            department=self.issued_by,
            aliases=tuple(normalise_name(a) for a in self.aliases),
            note=self.note,
        )


def _body_first_line(path: Path) -> int:
    """The file line on which the Markdown body starts (after the closing ``---``)."""
    try:
        text, _ = read_text(path)
    except (OSError, UnreadableFile):
        return 1
    lines = text.splitlines()
    fences = [i for i, line in enumerate(lines) if line.strip() == "---"]
    if len(fences) < 2:
        return 1
    first = fences[1] + 1
    # the front matter reader drops the blank lines the body starts with
    while first < len(lines) and not lines[first].strip():
        first += 1
    return first + 1


def _number(text: str) -> int | None:
    try:
        value = int(text) if text.isdigit() else numerals.cn2an(text)
    except (ValueError, KeyError, IndexError):
        return None
    return value if 1 <= value <= MAX_ARTICLE else None  # 999999…条 is a typo, never an article


def split_articles(law_id: str, body: str, first_line: int = 1) -> list[Article] | tuple[int, str]:
    """The articles of a regulation's body, or ``(line, reason)`` for the first problem."""
    articles: list[Article] = []
    current: dict[str, Any] | None = None
    chapter = section = None
    seen: dict[tuple[int, int | None], int] = {}

    def close() -> tuple[int, str] | None:
        if current is None:
            return None
        text = "\n".join(line for line in current["lines"] if line).strip()
        if not text:
            return current["line"], f"{current['label']}没有条文内容"
        articles.append(
            Article(
                law_id,
                current["number"],
                current["label"],
                text,
                current["sub"],
                current["chapter"],
                current["section"],
            )  # fmt: skip
        )
        return None

    for offset, raw in enumerate(body.splitlines()):
        line_no = first_line + offset
        if heading := _HEADING.match(raw):
            if problem := close():
                return problem
            current = None
            title = heading["title"].strip()
            if _CHAPTER.match(title):
                chapter, section = title, None
            elif _SECTION.match(title):
                section = title
            continue
        start = _ARTICLE_START.match(raw)
        if start is None and (loose := _LOOSE_ARTICLE_START.match(raw)):
            return line_no, f"“第{loose['n']}条”不是有效的条文序号：请写成“第十二条”或“第12条”"
        if start is not None:
            number = _number(start["n"])
            if number is None:
                return line_no, f"“第{start['n']}条”不是有效的条文序号：请写成“第十二条”或“第12条”"
            sub = _number(start["sub"]) if start["sub"] else None
            if (number, sub) in seen:
                return (
                    line_no,
                    f"第{numerals.an2cn(number)}条重复：第 {seen[(number, sub)]} 行已有同一条文",
                )
            seen[(number, sub)] = line_no
            if problem := close():
                return problem
            current = {
                "number": number, "sub": sub, "label": article_label(number, sub), "line": line_no,
                "lines": [raw[start.end():].strip()], "chapter": chapter, "section": section,
            }  # fmt: skip
        elif current is not None:
            current["lines"].append(raw.strip())
    if problem := close():
        return problem
    if not articles:
        return first_line, "正文中没有条文：每一条应另起一行，以“第一条”“第二条”……开头"
    return articles


def _regulation(record: RawRecord) -> Statute | Rejection:
    data = {k: v for k, v in record.data.items() if not k.startswith("_")}
    info = validate_record(RegulationInfo, record, data)
    if isinstance(info, Rejection):
        return info
    articles = split_articles(info.id, record.data["_body"], _body_first_line(record.path))
    if isinstance(articles, tuple):
        line, reason = articles
        return Rejection(record.path, line, reason)
    return Statute(info.law(), tuple(articles))


def load_local_regulations(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    """Every regulation in the libraries' ``laws/`` folders, or the reason one was refused."""
    for path in files_under(libraries, FOLDER, (".md", ".markdown")):
        for item in read_markdown(path):
            if isinstance(item, Rejection):
                yield item
                continue
            statute = _regulation(item)
            yield (
                statute if isinstance(statute, Rejection) else Loaded(statute, item.path, item.line)
            )
