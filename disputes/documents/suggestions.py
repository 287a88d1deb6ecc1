"""The assistant's suggestions in a document: only where given, each one marked as a suggestion.

``suggestions`` is what ``kb disputes assist`` returns (or any part of it);
documents use two of its keys and ignore the rest:

- ``agreement_suggestions`` (also read as ``agreement``): clauses suggested
  from the agreements of similar successful cases — each a string or
  ``{"text", "case_id"?, "title"?}``;
- ``laws``: articles to consider — each a string or
  ``{"citation", "title"?, "reason"?}``.

Nothing suggested is ever written as if the parties had agreed it: the
suggestions stand in their own section, every line ends in :data:`SUGGESTED`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputes.documents.common import SUGGESTED
from kb_service.errors import InvalidInputError
from kb_service.export import ListBlock, Paragraph, Section


def _items(suggestions: Mapping[str, Any], *keys: str) -> list[Any]:
    for key in keys:
        value = suggestions.get(key)
        if value is None:
            continue
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise InvalidInputError(
                f"建议中的 {key} 应为列表（每项为文字或含 text 的对象）", field="suggestions"
            )
        return list(value)
    return []


def _clause(item: Any) -> str | None:
    if isinstance(item, str):
        return item.strip() or None
    if isinstance(item, Mapping):
        text = str(item.get("text") or item.get("clause") or "").strip()
        if not text:
            return None
        source = item.get("title") or item.get("case_title") or item.get("case_id")
        return f"{text}（参考案例：{source}）" if source else text
    return str(item)


def _law(item: Any) -> str | None:
    if isinstance(item, str):
        return item.strip() or None
    if isinstance(item, Mapping):
        citation = str(item.get("citation") or item.get("title") or "").strip()
        if not citation:
            return None
        reason = item.get("reason") or item.get("why")
        return f"{citation}：{reason}" if isinstance(reason, str) and reason else citation
    return str(item)


def suggestion_section(suggestions: Mapping[str, Any] | None) -> Section | None:
    """参考条款（系统建议，仅供参考）, or None when nothing was suggested."""
    if not suggestions:
        return None
    if not isinstance(suggestions, Mapping):
        raise InvalidInputError("建议（suggestions）应为对象", field="suggestions")
    clauses = [
        c for c in map(_clause, _items(suggestions, "agreement_suggestions", "agreement")) if c
    ]
    laws = [law for law in map(_law, _items(suggestions, "laws")) if law]
    if not clauses and not laws:
        return None
    blocks: list = [
        Paragraph(
            "以下内容由系统根据相似案例生成，未经双方当事人同意，不属于本协议内容；"
            "采纳的条款请改写入协议内容，签署前删除本节。"
        )
    ]
    if clauses:
        blocks += [
            Paragraph(f"参考条款{SUGGESTED}", bold=True),
            ListBlock([f"{c}{SUGGESTED}" for c in clauses]),
        ]
    if laws:
        blocks += [
            Paragraph(f"可参考的法律依据{SUGGESTED}", bold=True),
            ListBlock([f"{law}{SUGGESTED}" for law in laws]),
        ]
    return Section(f"系统建议{SUGGESTED}", blocks)
