"""Training-material search: sections ranked by hybrid search, filtered by topic, kind, audience, level."""

from __future__ import annotations

from typing import Any

from kb_service.errors import InvalidInputError
from kb_service.ranking import RankedHit, RankedPage
from kb_service.service import Services
from kb_service.store import Filter, Hit, KeywordQuery, SearchPage, Term, all_of
from kb_service.text import check_paging
from kb_service.vocabularies import MATERIAL_KINDS, Vocabulary
from training.indexing import COLLECTION, TEXT_FIELDS, training_schema
from training.schema import LEVELS, topic_code

SNIPPET_CHARS = 80


def _code(vocabulary: Vocabulary, value: str, field: str) -> str:
    try:
        return vocabulary.code(value)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field=field) from exc


def training_filter(
    topic: str | None = None,
    kind: str | None = None,
    audience: str | None = None,
    level: str | None = None,
) -> Filter | None:
    """The store filter for the given values; codes or Chinese labels accepted."""
    return all_of(
        Term(field="topics", value=topic_code(topic)) if topic and topic.strip() else None,
        Term(field="kind", value=_code(MATERIAL_KINDS, kind, "kind")) if kind else None,
        Term(field="audience", value=audience.strip()) if audience and audience.strip() else None,
        Term(field="level", value=_code(LEVELS, level, "level")) if level else None,
    )


def snippet(source: dict[str, Any], highlights: dict[str, list[str]]) -> str:
    """The first highlighted fragment; without one, the opening of the section."""
    fragments = highlights.get("text") or []
    if fragments:
        return fragments[0]
    text = " ".join((source.get("text") or "").split())
    return text[:SNIPPET_CHARS] + ("…" if len(text) > SNIPPET_CHARS else "")


def _hit_json(hit: RankedHit | Hit) -> dict[str, Any]:
    s = hit.source
    why = getattr(hit, "why", None)
    return {
        "id": hit.id,
        "material_id": s.get("material_id"),
        "title": s.get("title"),
        "section": s.get("section"),
        "heading_path": s.get("heading_path", []),
        "snippet": snippet(s, hit.highlights),
        "score": round(hit.score, 6),
        "kind": s.get("kind"),
        "kind_label": s.get("kind_label"),
        "topics": s.get("topics", []),
        "topic_labels": s.get("topic_labels", []),
        "audience": s.get("audience", []),
        "level": s.get("level"),
        "minutes": s.get("minutes"),
        "why": why.as_dict() if why else None,
    }


class TrainingLibrary:
    """Queries over the training collection of the configured store."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def _schema(self):
        return self._services.stored_schema(COLLECTION, training_schema)

    def _keyword(self, text: str) -> KeywordQuery:
        return self._services.keyword_query(COLLECTION, text, TEXT_FIELDS)

    def ranked(self, query: str, filter: Filter | None = None, size: int = 10) -> RankedPage:
        """Hybrid-ranked sections with their full source (the course builder reads them)."""
        return self._services.searcher.search(
            self._schema,
            keyword=self._keyword(query),
            vector=self._services.embed_query(query, COLLECTION),
            filter=filter,
            size=size,
        )

    def search(
        self,
        query: str,
        topic: str | None = None,
        kind: str | None = None,
        audience: str | None = None,
        level: str | None = None,
        size: int = 10,
    ) -> dict[str, Any]:
        """``{"total", "hits"}``; an empty query lists the matching sections by id."""
        check_paging(size)
        filter = training_filter(topic, kind, audience, level)
        if (query or "").strip():
            page: RankedPage | SearchPage = self.ranked(query, filter, size)
        else:
            page = self._services.store.browse(self._schema, filter=filter, size=size)
        return {"total": page.total, "hits": [_hit_json(h) for h in page.hits]}


__all__ = ["TrainingLibrary", "snippet", "training_filter"]
