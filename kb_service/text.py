"""Small text helpers every domain shares: sentences, lists, record ids, paging."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from kb_service.errors import InvalidInputError

RECORD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
"""Library record ids: ASCII letters, digits, ``_ . -``; safe in URLs and file names."""

RecordId = Annotated[str, Field(min_length=1, pattern=RECORD_ID_PATTERN)]

MAX_PAGE_SIZE = 100
"""The most hits one request may ask for (``size``)."""

MAX_QUERY = 2_000
"""Characters of a search query: a question or a few sentences; longer is a paste gone wrong."""

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


_INVISIBLE_NAMES = {"\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\ufeff": "零宽不换行空格（BOM）",
                    "\u00ad": "软连字符", "\u2060": "零宽不换行符"}  # fmt: skip


def plain_text(value: str | None) -> str | None:
    """Refuse text carrying characters nobody types on purpose: control characters (other than
    tab and line breaks), invisible format characters (zero-width spaces, bidirectional overrides)
    and lone surrogates (a JSON ``\\ud800`` escape, which no database can store).

    In a register they make two names that look the same differ (a committee typed with a
    zero-width space becomes a second committee), or turn text around on screen (U+202E), so
    they are refused with the character named rather than stored.
    """
    if value is None:
        return None
    for char in value:
        category = unicodedata.category(char)
        # private-use characters (Co) stay: rare characters of names live there in older GB18030 systems
        if (category == "Cc" and char not in "\t\n\r") or category in ("Cf", "Cs"):
            name = _INVISIBLE_NAMES.get(char) or (
                "控制字符" if category == "Cc" else "不可见的格式字符"
            )
            raise ValueError(f"含有{name}（U+{ord(char):04X}），请删除后重新输入")
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]
"""A ``str`` field that refuses control and invisible characters (:func:`plain_text`)."""
