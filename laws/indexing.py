"""What a law becomes in the search store: one document per article.

A mediator looks for the article that settles a point (借款到期不还, 探望权), so
each article is its own document ``law-<law_id>-a<article>`` (``-<n>`` more for
之一 articles, ``-full`` for a text without articles), stable across runs since
the database is fixed per release and local regulations carry their own id.
Every version and status is indexed — old versions answer for old cases —
with its status and dates for filtering.

Only the laws mediation cites are embedded (:data:`EMBEDDED_LAWS`, their
newest version, plus every local regulation): 2,776 of the 26,196 articles.
The rest are keyword-searchable only (``embed_text`` None). Embedding is what
a fresh ``kb index`` spends its time on (about 30 ms an article on a 2-core
machine), and on the judged questions (``benchmarks/laws.py``) the set finds
as many right articles in the top 5 as the 27 laws (4,971 articles) embedded
before, or as the ten most cited laws alone: it is the laws the sample
library's cases cite, plus 劳动法 and 反家庭暴力法.

Analysing 26,000 articles takes a minute or two, so the collection has a
fingerprint (:func:`statute_fingerprint`): the database file (size, time, a
hash of its first megabyte), the distribution's version, the content of every
local regulation file and :data:`INDEX_VERSION`. A ``kb index`` that finds it
unchanged reads no article at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from indexer.spec import CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.library import Loaded, Rejection, files_under
from kb_service.store import CollectionSchema
from laws.local import FOLDER, load_local_regulations
from laws.schema import Article, Law, Statute
from laws.source import DISTRIBUTION, StatuteDatabase, statute_database

COLLECTION = "laws"

INDEX_VERSION = "2"
"""Bump when what an article's document holds changes, so the fingerprint no longer matches."""

_HEAD_BYTES = 1 << 20

TEXT_FIELDS = {
    "text": 1.0,
    "chapter": 1.2,
    "short_name": 2.0,
    "law_name": 1.0,
    "article_label": 1.5,
}
"""Search fields and their boosts: the law's name and the chapter (借款合同) say much in few words."""

EMBEDDED_LAWS = frozenset(
    {
        "民法典", "人民调解法", "劳动合同法", "劳动法", "劳动争议调解仲裁法", "社会保险法",
        "道路交通安全法", "消费者权益保护法", "电子商务法", "旅游法", "食品安全法",
        "农村土地承包法", "土地管理法", "森林法", "妇女权益保障法", "老年人权益保障法",
        "未成年人保护法", "反家庭暴力法",
        # not in the statute database; embedded when a library adds them under laws/
        "物业管理条例", "医疗纠纷预防和处理条例",
    }
)  # fmt: skip
"""Short names of the laws whose articles get vectors: those the mediation cases of CONTRACT §1's
dispute types cite. Left out for their cost (keyword search still finds them): 生态环境法典 (1,240
articles), 民事诉讼法, 保险法, 治安管理处罚法 and a few small laws mediation rarely cites."""


def law_schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name=COLLECTION,
        text_fields=TEXT_FIELDS,
        vector_dimension=dimension,
        keyword_fields=frozenset(
            {"law_id", "law_name", "short_name", "status", "origin", "doc_type"}
        ),
        date_fields=frozenset({"effective", "version_date", "repealed"}),
        number_fields=frozenset({"article"}),
        bool_fields=frozenset({"embedded", "current"}),
        highlight_fields=("text",),
    )


def load_statutes(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    """The libraries' local regulations, then every law of the statute database (all versions)."""
    yield from load_local_regulations(libraries)
    database = statute_database()
    for statute in database.statutes():
        yield Loaded(statute, database.path, 1)


@lru_cache(maxsize=1)
def _newest_versions() -> frozenset[str]:
    """Ids of the newest text of each law in the database (a 历史版本 is never embedded)."""
    database: StatuteDatabase = statute_database()
    newest: dict[str, Law] = {}
    for law in database.laws():
        held = newest.get(law.name)
        if held is None or (law.text_in_force_from or law.effective) >= (
            held.text_in_force_from or held.effective
        ):
            newest[law.name] = law
    return frozenset(law.id for law in newest.values())


def is_embedded(law: Law) -> bool:
    if law.origin == "local":
        return True
    return law.short_name in EMBEDDED_LAWS and law.id in _newest_versions()


def is_current(law: Law) -> bool:
    """Whether this is the text a mediator means today: the newest version of a law, unless it
    was repealed and we know what replaced it (a repeal the database states without a successor,
    such as its 农村土地承包法, leaves the newest text we hold current, with its status shown)."""
    if law.origin == "local":
        return law.status not in ("repealed", "historical")
    if law.id not in _newest_versions() or law.status == "historical":
        return False
    if law.status == "repealed":
        from laws.catalog import default_catalog

        repeal = default_catalog().repeal(law.name)
        return repeal is None or repeal.replaced_by is None
    return True


def article_doc_id(law_id: str, number: int | None, sub: int | None = None) -> str:
    """The search document of an article: ``law-<law_id>-a1084``, ``-a120-1`` for 之一, ``-full``.

    The ``a`` keeps a law id ending in digits (未成年人保护法 is ``3d3055094705``) from running
    into the article number: stored with the cases that cite it, ``3055094705-25`` would read as
    an 11-digit number, which the personal-data scan rightly refuses to find anywhere."""
    if number is None:
        return f"law-{law_id}-full"
    return f"law-{law_id}-a{number}" + (f"-{sub}" if sub else "")


def article_ids(statute: Statute) -> list[str]:
    """Stable ids; the rare repeated number within one law (a 决定 quoting treaties) gets ``.2``."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for article in statute.articles:
        base = article_doc_id(statute.law.id, article.number, article.sub)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}.{seen[base]}")
    return ids


def _law_fields(law: Law) -> dict[str, Any]:
    from laws.catalog import default_catalog

    fields: dict[str, Any] = {
        "law_id": law.id,
        "law_name": law.name,
        "short_name": law.short_name,
        "status": law.status,
        "status_label": law.status_label,
        "origin": law.origin,
        "doc_type": law.doc_type,
        "effective": law.effective.isoformat() if law.effective else None,
        "version_date": law.version_date.isoformat() if law.version_date else None,
        "note": law.note,
        "aliases": list(law.aliases) or None,
        "embedded": is_embedded(law),
        "current": is_current(law),
    }
    if law.status == "repealed" and (repeal := default_catalog().repeal(law.name)):
        fields["repealed"] = repeal.date.isoformat() if repeal.date else None
        fields["replaced_by"] = repeal.replaced_by
    return {k: v for k, v in fields.items() if v is not None}


def embed_text(law: Law, article: Article) -> str:
    chapter = f"（{article.chapter}）" if article.chapter else ""
    return f"《{law.short_name}》{article.label}{chapter}：{article.text}"


def prepare_statute(statute: Statute, analyzer: ChineseAnalyzer) -> list[Prepared]:
    law = statute.law
    shared = _law_fields(law)
    names_text = analyzer.index_text(law.name)
    short_text = analyzer.index_text([law.short_name, *law.aliases])
    documents = []
    for doc_id, article in zip(article_ids(statute), statute.articles, strict=True):
        source = {
            **shared,
            "article": article.number,
            "article_sub": article.sub,
            "article_label": article.label,
            "chapter": article.chapter,
            "section": article.section,
            "text": article.text,
        }
        # 1084 and 第1084条 find 第一千零八十四条
        labels = [article.label]
        if article.number is not None:
            labels += [str(article.number), f"第{article.number}条"]
        text = {
            "text": analyzer.index_text(article.text),
            "chapter": analyzer.index_text([article.chapter or "", article.section or ""]),
            "short_name": short_text,
            "law_name": names_text,
            "article_label": analyzer.index_text(labels),
        }
        documents.append(
            Prepared(
                id=doc_id,
                source={k: v for k, v in source.items() if v is not None},
                text=text,
                embed_text=embed_text(law, article) if shared["embedded"] else None,
            )
        )
    return documents


def _file_digest(path: Path, limit: int | None = None) -> str:
    with path.open("rb") as file:
        return hashlib.sha256(file.read(limit) if limit else file.read()).hexdigest()


def statute_fingerprint(libraries: list[Path]) -> str:
    """What the collection is built from: the database file and version, each local regulation's
    content, the embedded set and this module's :data:`INDEX_VERSION`. Reads 1 MB, not 15."""
    database = statute_database().path
    stat = database.stat()
    try:
        version = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        version = "?"
    parts = [
        f"index {INDEX_VERSION}",
        f"{DISTRIBUTION} {version}",
        f"{database} {stat.st_size} {stat.st_mtime_ns} {_file_digest(database, _HEAD_BYTES)}",
        "embedded " + ",".join(sorted(EMBEDDED_LAWS)),
    ]
    parts += [
        f"{path} {_file_digest(path)}"
        for path in files_under(libraries, FOLDER, (".md", ".markdown"))
    ]
    return "\n".join(parts)


SPEC = CollectionSpec(
    name=COLLECTION,
    schema=law_schema,
    load=load_statutes,
    prepare=prepare_statute,
    idf_field="text",
    fingerprint=statute_fingerprint,
)
