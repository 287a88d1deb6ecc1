"""Small text helpers every domain shares: sentences, lists, record ids, paging."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from kb_service.errors import InvalidInputError

RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
"""Library record ids: ASCII letters, digits, ``_ . -``; safe in URLs and file names."""

RecordId = Annotated[str, Field(min_length=1, pattern=RECORD_ID_PATTERN)]

MAX_PAGE_SIZE = 100
"""The most hits one request may ask for (``size``)."""

_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_AFTER_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")


def sentences(text: str | None) -> list[str]:
    """Chinese sentences (ending at 。！？；), whitespace folded, empty ones dropped."""
    return [s.strip() for s in _SENTENCE.findall(" ".join((text or "").split())) if s.strip()]


def sentence_pieces(text: str) -> list[str]:
    """The text cut after each sentence end or line break, nothing dropped:
    ``"".join(sentence_pieces(t)) == t``."""
    return [piece for piece in _AFTER_SENTENCE_END.split(text) if piece]


def split_list(value: Any) -> Any:
    """Front matter written as ``a, b``, ``a，b`` or ``a、b`` read as a list; lists pass through."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.replace("，", ",").replace("、", ",").split(",")
        return [part.strip() for part in parts if part.strip()]
    return value


def check_paging(size: int, offset: int = 0) -> None:
    """Refuse a page size outside 1..MAX_PAGE_SIZE or a negative offset, naming the field."""
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"size 应在 1 到 {MAX_PAGE_SIZE} 之间", field="size")
    if offset < 0:
        raise InvalidInputError("offset 不能为负数", field="offset")
