"""Statute queries the CLI and the API call: search, show an article, check citations, suggest.

- ``search`` — hybrid (BM25 over every article, vectors over the embedded set)
  within the law texts a mediator means today (:func:`laws.indexing.is_current`),
  or every version with ``include_old``; ``law`` keeps one law.
- ``show`` — one article by law name (full, short or abbreviated) and number
  (1084, 第1084条, 一千零八十四, 120之一), with the cases that cite it.
- ``check`` — every citation in a text or a stored case, with verdict, note
  and the article's text (:mod:`laws.verify`).
- ``suggest`` — articles for a dispute: those its similar cases cite, weighted
  by how similar each case is, fused with a direct article search; each with
  why it was suggested.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

from kb_service.errors import CollectionNotIndexedError, InvalidInputError, NotFoundError
from kb_service.ranking import FusionConfig, Mode, RankedHit
from kb_service.service import Services
from kb_service.store import Filter, Term, all_of
from kb_service.text import check_paging
from laws import numerals
from laws.articles import CitationReader, article_path, describe
from laws.catalog import short
from laws.citations import MAX_ARTICLE, Citation
from laws.indexing import COLLECTION, TEXT_FIELDS, article_doc_id, law_schema
from laws.schema import LAW_STATUSES, Law, article_label
from laws.verify import CASE_TEXT_FIELDS, check_case, check_text, verify_citation

LAW_FUSION = FusionConfig(method="weighted", keyword_weight=0.5, vector_weight=1.0)
"""How statute search fuses its two sides (not ``KB_*`` fusion settings, tuned for cases): on
``tests/laws/judged_queries.yaml`` weighted 0.5:1 finds a right article in the top 5 for 82% of
the questions, 1:1 for 63%, RRF 68%, vectors alone 71%, keywords alone 34% — colloquial words
(同事, 不还) match statute text by accident, so the keyword side counts half
(``benchmarks/laws.py``; README, "Laws")."""
CITED_BY_LIMIT = 100
SIMILAR_CASES = 10
"""Similar cases whose citations a suggestion counts."""
DIRECT_CANDIDATES = 20
CASE_WEIGHT = 1.0
DIRECT_WEIGHT = 0.25
"""Suggestion score: CASE_WEIGHT × (similarity-weighted share of similar cases citing the article)
+ DIRECT_WEIGHT × (direct search score over the best one). On the sample library, leave-one-out,
the top 5 holds an article the case cites for 70.7% of the cases at 1 : 0.25 (and 1 : 0.1),
70.0% from the cases alone, 62% at 1 : 0.5, 32% from the direct search alone
(``benchmarks/laws.py``; README, "Laws")."""

_ARTICLE_NUMBER = re.compile(
    r"^第?\s*(?P<n>[0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条?"
    r"\s*(?:(?:之\s*|-)(?P<sub>[0-9]+|[一二三四五六七八九十]+))?$"
)
_HIT_FIELDS = ("law_id", "law_name", "short_name", "article", "article_sub", "article_label",
               "chapter", "text", "status", "status_label", "note")  # fmt: skip


def _number(text: str) -> int | None:
    try:
        value = int(text) if text.isdigit() else numerals.cn2an(text)
    except (ValueError, KeyError, IndexError):
        return None
    return value if 1 <= value <= MAX_ARTICLE else None  # 999999…条 is a typo, never an article


def parse_article(article: str | int) -> tuple[int | None, int | None]:
    """``1084``, ``第1084条``, ``一千零八十四``, ``120之一``, ``120-1`` → (number, sub); 全文 → (None, None)."""
    text = re.sub(r"\s+", "", str(article))
    if text == "全文":
        return None, None
    match = _ARTICLE_NUMBER.match(text)
    number = _number(match["n"]) if match else None
    sub = _number(match["sub"]) if match and match["sub"] else None
    if number is None or (match["sub"] and sub is None):
        raise InvalidInputError(
            f"无法识别条文序号“{article}”：请写成 1084、第1084条或第一千零八十四条", field="article"
        )
    return number, sub


def _day(value: dt.date | str | None, field: str = "date") -> dt.date | None:
    if value is None or value == "" or isinstance(value, dt.date):
        return value or None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInputError(f"日期“{value}”应写成 YYYY-MM-DD", field=field) from None


def _hit_json(hit: RankedHit) -> dict[str, Any]:
    source = hit.source
    data: dict[str, Any] = {"id": hit.id}
    data.update({k: source[k] for k in _HIT_FIELDS if source.get(k) is not None})
    data["link"] = article_path(source["short_name"], source.get("article"), source.get("article_sub"),
                                None if source.get("current") else source["law_id"])  # fmt: skip
    data["score"] = round(hit.score, 6)
    data["highlights"] = hit.highlights
    data["why"] = hit.why.as_dict()
    return data


class LawLibrary:
    """The statute collection's queries over the configured store."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._reader = CitationReader(services)

    @property
    def catalog(self):
        return self._reader.catalog

    @property
    def _schema(self):
        return self._services.stored_schema(COLLECTION, law_schema)

    # -- search ---------------------------------------------------------------------
    def _law_filter(self, name: str, include_old: bool) -> Filter:
        resolved = self.catalog.resolve(name)
        if resolved is None:
            raise InvalidInputError(
                f"本库没有名为《{name}》的法律：请检查名称（全称、简称均可）", field="law"
            )
        if resolved.law_id is None:
            raise InvalidInputError(
                f"本库未收录{short(resolved.name)}的原文（该法已废止）：请按其替代法律检索",
                field="law",
            )
        if include_old:
            return Term(field="law_name", value=resolved.name)
        return Term(field="law_id", value=resolved.law_id)

    def search(
        self,
        query: str,
        *,
        law: str | None = None,
        size: int = 10,
        offset: int = 0,
        include_old: bool = False,
        mode: Mode = "hybrid",
        fusion: FusionConfig | None = None,
    ) -> dict[str, Any]:
        """Articles for a query; current texts only unless ``include_old``."""
        check_paging(size, offset)
        if not query or not query.strip():
            raise InvalidInputError("请输入检索词，如“同事借钱不还”或“民法典 1084”", field="query")
        law_filter = self._law_filter(law, include_old) if law and law.strip() else None
        current = None if include_old or law_filter else Term(field="current", value=True)
        services = self._services
        page = services.searcher.search(
            self._schema,
            keyword=services.keyword_query(COLLECTION, query, TEXT_FIELDS),
            vector=services.embed_query(query, COLLECTION) if mode != "keyword" else None,
            filter=all_of(current, law_filter),
            size=size,
            offset=offset,
            mode=mode,
            config=fusion or LAW_FUSION,
        )
        return {"total": page.total, "hits": [_hit_json(h) for h in page.hits]}

    # -- one article ----------------------------------------------------------------
    def _version(self, law: str, version: str | None, number: int | None, sub: int | None) -> Law:
        catalog = self.catalog
        resolved = catalog.resolve(law)
        if resolved is None:
            raise NotFoundError(f"本库没有名为《{law}》的法律：请检查名称（全称、简称均可）")
        if resolved.law_id is None:
            # the note says what replaced it, down to the article where that is mapped
            gone = verify_citation(
                Citation(law, None, resolved.name, number, None, (0, 0), sub, "repealed")
            )
            raise NotFoundError(f"本库未收录{short(resolved.name)}的原文：{gone.note}")
        if version is None:
            return catalog.law(resolved.law_id)
        versions = {v.id: v for v in catalog.versions(resolved.name)}
        if version not in versions:
            raise NotFoundError(f"{short(resolved.name)}没有编号为 {version} 的版本")
        return versions[version]

    def show(self, law: str, article: str | int, *, version: str | None = None) -> dict[str, Any]:
        """One article with its text, status, versions and the cases citing it (``cited_by``)."""
        number, sub = parse_article(article)
        held = self._version(law, version, number, sub)
        catalog = self.catalog
        found = next(
            (a for a in catalog.articles(held.id) if a.number == number and a.sub == sub), None
        )
        if found is None:
            label = article_label(number, sub) if number else "全文"
            last = numerals.an2cn(catalog.last_article(held.id))
            raise NotFoundError(f"{short(held.name)}没有{label}（共{last}条）：请检查条文序号")
        doc_id = article_doc_id(held.id, number, sub)
        today = verify_citation(
            Citation(held.name, held.id, held.name, number, None, (0, 0), sub, held.origin)
        ) if number else None  # fmt: skip
        cited = self._cited_by(doc_id)
        return {
            "id": doc_id,
            "law_id": held.id,
            "law_name": held.name,
            "short_name": held.short_name,
            "article": number,
            "article_sub": sub,
            "article_label": found.label,
            "chapter": found.chapter,
            "section": found.section,
            "text": found.text,
            "status": held.status,
            "status_label": held.status_label,
            "effective": held.effective.isoformat() if held.effective else None,
            "version_date": held.version_date.isoformat() if held.version_date else None,
            "note": held.note,
            "check": {"verdict": today.verdict, "note": today.note} if today else None,
            "versions": [
                {
                    "law_id": v.id,
                    "version_date": v.version_date.isoformat() if v.version_date else None,
                    "status": v.status,
                    "status_label": LAW_STATUSES.label(v.status),
                    "link": article_path(held.short_name, number, sub, v.id),
                }
                for v in catalog.versions(held.name)
            ],
            "cited_by": [c["id"] for c in cited],
            "citing_cases": cited,
            "link": article_path(
                held.short_name, number, sub, None if version is None else held.id
            ),
        }

    def _cited_by(self, doc_id: str) -> list[dict[str, Any]]:
        from cases.indexing import COLLECTION as CASES
        from cases.indexing import case_schema

        try:
            schema = self._services.stored_schema(CASES, case_schema)
            page = self._services.store.browse(
                schema, filter=Term(field="cited_articles", value=doc_id), size=CITED_BY_LIMIT
            )
        except CollectionNotIndexedError:
            return []
        return [
            {"id": h.id, "title": h.source.get("title"), "date": h.source.get("date")}
            for h in page.hits
        ]

    # -- checking -------------------------------------------------------------------
    def check(
        self,
        text: str | None = None,
        *,
        case_id: str | None = None,
        on: dt.date | str | None = None,
    ) -> dict[str, Any]:
        """Every citation in a text (judged on ``on``, default today) or in a stored case (on its date)."""
        if (case_id is None) == (not text or not text.strip()):
            raise InvalidInputError("请给出要核对的文字或案例编号（二者选一）", field="text")
        if case_id is None:
            found = check_text(text, _day(on), self.catalog)
            return {"citations": [describe(v) for v in found]}
        from cases.indexing import COLLECTION as CASES

        source = self._services.store.get(CASES, case_id)
        case = SimpleNamespace(
            date=_day(source.get("date")),
            legal_basis=source.get("legal_basis") or [],
            **{f: source.get(f) for f in CASE_TEXT_FIELDS},
        )
        return {
            "case": {"id": case_id, "title": source.get("title"), "date": source.get("date")},
            "citations": [describe(v) for v in check_case(case, self.catalog)],
        }

    # -- suggestions ----------------------------------------------------------------
    def suggest(
        self,
        text: str | None = None,
        *,
        dispute_type: str | None = None,
        case_id: str | None = None,
        size: int = 5,
        case_weight: float = CASE_WEIGHT,
        direct_weight: float = DIRECT_WEIGHT,
    ) -> dict[str, Any]:
        """Articles for a dispute described in words (or a stored case, itself left out)."""
        from laws.suggestions import suggest

        return suggest(self, self._services, text=text, dispute_type=dispute_type, case_id=case_id,
                       size=size, case_weight=case_weight, direct_weight=direct_weight)  # fmt: skip


__all__ = ["LawLibrary", "parse_article"]
