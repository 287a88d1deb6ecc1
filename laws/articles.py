"""Citations for readers: the text behind each one, its verdict and a link to its article page.

Every place that shows a citation — a case page, the similar-case summary, the
类案检索报告, a course — asks a :class:`CitationReader`. It reads the statute
database and the local regulations that ``kb index`` put into the ``laws``
collection (so a library's 吉林省人民调解条例 is known at query time too,
without the library folder), never the embedding model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote

from kb_service.errors import KBError
from kb_service.service import Services
from kb_service.store import Term
from laws.catalog import LawCatalog, default_catalog
from laws.citations import Citation, scan_citations
from laws.indexing import COLLECTION, law_schema
from laws.names import short_name
from laws.schema import Article, Law, Statute
from laws.source import statute_database
from laws.verify import VERDICTS, Verification, check_legal_basis, verify_citation

LOCAL_ARTICLES_LIMIT = 5_000
"""Articles of local regulations read back from the store (a province's handful of regulations)."""


def article_path(
    law: str, number: int | None, sub: int | None = None, version: str | None = None
) -> str:
    """The article page: ``/laws/民法典/1084``, ``/laws/刑法/120之一``; ``?version=`` an older text."""
    article = "全文" if number is None else f"{number}之{sub}" if sub else str(number)
    path = f"/laws/{quote(short_name(law), safe='')}/{quote(article, safe='')}"
    return f"{path}?version={quote(version, safe='')}" if version else path


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _statute(documents: list[dict[str, Any]]) -> Statute:
    first = documents[0]
    law = Law(
        id=first["law_id"],
        name=first["law_name"],
        short_name=first["short_name"],
        status=first["status"],
        origin="local",
        doc_type=first.get("doc_type"),
        effective=_date(first.get("effective")),
        version_date=_date(first.get("version_date")),
        aliases=tuple(first.get("aliases") or ()),
        note=first.get("note"),
    )
    articles = sorted(
        (
            Article(
                law_id=law.id,
                number=d.get("article"),
                label=d.get("article_label") or "全文",
                text=d.get("text", ""),
                sub=d.get("article_sub"),
                chapter=d.get("chapter"),
                section=d.get("section"),
            )
            for d in documents
        ),
        key=lambda a: (a.number or 0, a.sub or 0),
    )
    return Statute(law, tuple(articles))


def stored_local_statutes(services: Services) -> tuple[Statute, ...]:
    """The local regulations the last ``kb index`` stored, rebuilt as statutes."""
    store = services.store
    if not store.has_collection(COLLECTION):
        return ()
    schema = services.stored_schema(COLLECTION, law_schema)
    page = store.browse(
        schema, filter=Term(field="origin", value="local"), size=LOCAL_ARTICLES_LIMIT
    )
    by_law: dict[str, list[dict[str, Any]]] = {}
    for hit in page.hits:
        by_law.setdefault(hit.source["law_id"], []).append(hit.source)
    return tuple(_statute(docs) for _, docs in sorted(by_law.items()))


@lru_cache(maxsize=8)
def _catalog(local: tuple[Statute, ...]) -> LawCatalog:
    return LawCatalog(statute_database(), local) if local else default_catalog()


def catalog_for(services: Services) -> LawCatalog:
    """The statute database plus the local regulations in the store; built once per set of them."""
    return _catalog(stored_local_statutes(services))


@dataclass(frozen=True)
class Segment:
    """A piece of running text; a citation carries its article's link and text."""

    text: str
    link: str | None = None
    title: str | None = None
    """The article's text (or the verdict's note where we hold none): shown on hover."""
    verdict: str = "ok"
    citation: str | None = None
    """The citation in its normalised form: 《民法典》第一千零八十四条."""
    note: str | None = None


def link_of(verification: Verification) -> str | None:
    """The article page of a verified citation (the version judged against), if we hold its text."""
    law, article = verification.law, verification.article
    if law is None:
        return None
    if article is None:
        citation = verification.citation
        if isinstance(citation, Citation) and citation.article is None:
            return f"/laws?law={quote(law.short_name, safe='')}"
        return None
    current = verification.citation.law_id
    version = None if law.id == current else law.id
    return article_path(law.short_name, article.number, article.sub, version)


def describe(verification: Verification) -> dict[str, Any]:
    """A verification as readers get it: verdict, note, text and the link to the article."""
    data = verification.as_dict()
    law, article = verification.law, verification.article
    data.update(
        short_name=short_name(data["law_name"]) if data.get("law_name") else None,
        article_label=article.label if article else None,
        status=law.status if law else None,
        link=link_of(verification),
    )
    return data


class CitationReader:
    """Reads citations for people: which article, what it says, whether it holds, where it is."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @cached_property
    def catalog(self) -> LawCatalog:
        return catalog_for(self._services)

    def entry(self, entry: str, on: dt.date | str | None = None) -> list[dict[str, Any]]:
        """Each citation of a legal_basis entry (a whole law counts), judged on ``on``."""
        return [describe(v) for v in check_legal_basis([entry], _date(on), self.catalog)]

    def entries(
        self, entries: Iterable[str], on: dt.date | str | None = None
    ) -> list[dict[str, Any]]:
        """Several entries, each citation once."""
        seen: dict[str, dict[str, Any]] = {}
        for entry in entries:
            for item in self.entry(entry, on):
                seen.setdefault(item["citation"], item)
        return list(seen.values())

    def summary_fields(self, entry: str) -> dict[str, Any]:
        """What a summary line adds to a citation: its law, first article and text (all of them
        for an entry naming several); nothing where the law cannot be read."""
        try:
            found = [item for item in self.entry(entry) if item.get("text")]
        except KBError:  # no statute database installed: the summary still counts citations
            return {}
        if not found:
            return {}
        first = found[0]
        text = (
            first["text"]
            if len(found) == 1
            else "\n".join(f"{item['article_label']}　{item['text']}" for item in found)
        )
        return {
            "law_name": first["law_name"],
            "article": first["article"],
            "article_label": first["article_label"],
            "text": text,
            "link": first["link"],
            "articles": [
                {k: item[k] for k in ("citation", "article", "article_label", "text", "link")}
                for item in found
            ],
        }

    def segments(self, text: str | None, on: dt.date | str | None = None) -> list[Segment]:
        """Running text cut at its citations, each citation with its link and article text."""
        if not text:
            return []
        day = _date(on)
        pieces: list[Segment] = []
        position = 0
        for citation in scan_citations(text, self.catalog):
            start, end = citation.span
            if start < position:
                continue
            if start > position:
                pieces.append(Segment(text[position:start]))
            verification = verify_citation(citation, day, self.catalog)
            title = verification.article.text if verification.article else verification.note
            pieces.append(
                Segment(
                    text[start:end],
                    link_of(verification),
                    title,
                    verification.verdict,
                    citation.display,
                    verification.note,
                )
            )
            position = end
        if position < len(text):
            pieces.append(Segment(text[position:]))
        return pieces

    def for_case(self, case: dict[str, Any]) -> dict[str, Any] | None:
        """What a case page shows of its citations, judged on the case's date: each legal_basis
        entry's articles, its texts cut at their citations, and the warnings (not ``ok``).
        ``None`` when the statute database is not installed."""
        from laws.verify import CASE_TEXT_FIELDS

        on = case.get("date")
        try:
            basis = [
                {"entry": entry, "citations": self.entry(entry, on)}
                for entry in case.get("legal_basis") or []
            ]
            texts = {field: self.segments(case.get(field), on) for field in CASE_TEXT_FIELDS}
        except KBError:
            return None
        warnings: dict[str, dict[str, Any]] = {}
        for item in basis:
            for citation in item["citations"]:
                if citation["verdict"] != "ok":
                    warnings.setdefault(citation["citation"], citation)
        for segments in texts.values():
            for segment in segments:
                if segment.citation and segment.verdict != "ok":
                    warnings.setdefault(
                        segment.citation,
                        {"citation": segment.citation, "verdict": segment.verdict,
                         "verdict_label": VERDICTS.label(segment.verdict),
                         "note": segment.note, "link": segment.link},
                    )  # fmt: skip
        return {"legal_basis": basis, "texts": texts, "warnings": list(warnings.values())}

    def related(self, entries: Iterable[str]) -> list[dict[str, Any]]:
        """The articles behind citations as they stand today, each once, for a 相关法条 list: a
        repealed law's article is followed by the article that replaced it, where it is mapped
        (《合同法》第一百零七条 → 《民法典》第五百七十七条), marked ``replaces``."""
        found: dict[str, dict[str, Any]] = {}
        for item in self.entries(entries):
            found.setdefault(item["citation"], item)
            for successor in item.get("successors") or []:
                for replacement in self.entry(successor):
                    if replacement.get("text"):
                        found.setdefault(
                            replacement["citation"], {**replacement, "replaces": item["citation"]}
                        )
        return list(found.values())
