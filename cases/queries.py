"""Case queries the CLI and the API call: search, similar cases with their summary, show."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cases.classifier import META_KEY as CLASSIFIER_KEY
from cases.classifier import TypeClassifier, TypeGuess
from cases.indexing import COLLECTION, TEXT_FIELDS, case_schema, embed_text
from kb_service.errors import InvalidInputError
from kb_service.ranking import FusionConfig, Mode, RankedHit, RankedPage, highlight_hits
from kb_service.service import Services
from kb_service.similarity import CaseSimilarity
from kb_service.store import (
    DateHistogramFacet,
    Filter,
    Hit,
    KeywordQuery,
    Range,
    Term,
    Terms,
    TermsFacet,
    all_of,
)
from kb_service.text import check_paging
from kb_service.vocabularies import DISPUTE_TYPES, ORG_LEVELS, OUTCOMES
from laws.articles import CitationReader

FACETS = {
    "dispute_type": TermsFacet(field="dispute_type", size=20),
    "org_level": TermsFacet(field="org_level", size=10),
    "outcome": TermsFacet(field="outcome", size=10),
    "region": TermsFacet(field="region", size=20),
    "year": DateHistogramFacet(field="date", interval="year"),
}
_FACET_VOCABULARIES = {"dispute_type": DISPUTE_TYPES, "org_level": ORG_LEVELS, "outcome": OUTCOMES}
_HIT_FIELDS = ("title", "dispute_type", "dispute_type_label", "region", "date", "outcome", "outcome_label", "org_level", "org_level_label", "amount")


class CaseFilters(BaseModel):
    """Filters as users give them; codes or Chinese labels both accepted."""

    model_config = ConfigDict(extra="forbid")

    dispute_type: list[str] = Field(default_factory=list)
    region: str | None = None
    org_level: list[str] = Field(default_factory=list)
    outcome: list[str] = Field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    @field_validator("dispute_type", "org_level", "outcome", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value or []

    @field_validator("dispute_type")
    @classmethod
    def _dispute_types(cls, values: list[str]) -> list[str]:
        return [DISPUTE_TYPES.code(v) for v in values]

    @field_validator("org_level")
    @classmethod
    def _org_levels(cls, values: list[str]) -> list[str]:
        return [ORG_LEVELS.code(v) for v in values]

    @field_validator("outcome")
    @classmethod
    def _outcomes(cls, values: list[str]) -> list[str]:
        return [OUTCOMES.code(v) for v in values]

    @model_validator(mode="after")
    def _dates_in_order(self) -> CaseFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from 不能晚于 date_to")
        return self

    def to_filter(self) -> Filter | None:
        return all_of(
            Terms(field="dispute_type", values=tuple(self.dispute_type)) if self.dispute_type else None,
            Term(field="region_path", value=self.region.strip().strip("/")) if self.region else None,
            Terms(field="org_level", values=tuple(self.org_level)) if self.org_level else None,
            Terms(field="outcome", values=tuple(self.outcome)) if self.outcome else None,
            Range(field="date", gte=self.date_from, lte=self.date_to) if (self.date_from or self.date_to) else None,
        )


def _hit_json(hit: RankedHit | Hit) -> dict[str, Any]:
    """A ranked hit, or a browsed one (no query: no score to explain)."""
    why = getattr(hit, "why", None)
    data: dict[str, Any] = {"id": hit.id}
    data.update({k: hit.source.get(k) for k in _HIT_FIELDS if hit.source.get(k) is not None})
    data["score"] = round(hit.score, 6)
    data["highlights"] = hit.highlights
    data["why"] = why.as_dict() if why else None
    return data


def _facets_json(facets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    labelled = {}
    for name, buckets in facets.items():
        vocabulary = _FACET_VOCABULARIES.get(name)
        labelled[name] = [
            {**b, "label": vocabulary.label(b["value"])} if vocabulary and b["value"] in vocabulary.terms else b
            for b in buckets
        ]
    return labelled


def _page_json(page: RankedPage) -> dict[str, Any]:
    return {"total": page.total, "hits": [_hit_json(h) for h in page.hits], "facets": _facets_json(page.facets)}


class CaseLibrary:
    """The case library's queries over the configured store."""

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def _schema(self):
        return self._services.stored_schema(COLLECTION, case_schema)

    def _keyword(self, text: str) -> KeywordQuery:
        return self._services.keyword_query(COLLECTION, text, TEXT_FIELDS)

    def search(
        self,
        query: str = "",
        filters: CaseFilters | None = None,
        *,
        size: int = 10,
        offset: int = 0,
        facets: bool = True,
        mode: Mode = "hybrid",
        fusion: FusionConfig | None = None,
    ) -> dict[str, Any]:
        check_paging(size, offset)
        filters = filters or CaseFilters()
        wanted = FACETS if facets else None
        if not query.strip():
            return self._browse(filters, size=size, offset=offset, facets=wanted)
        page = self._services.searcher.search(
            self._schema,
            keyword=self._keyword(query),
            # keyword-only never loads the encoder: a cold `kb search --mode keyword` stays fast
            vector=None if mode == "keyword" else self._services.embed_query(query, COLLECTION),
            filter=filters.to_filter(),
            size=size,
            offset=offset,
            facets=wanted,
            mode=mode,
            config=fusion,
        )
        return _page_json(page)

    def _browse(self, filters: CaseFilters, *, size: int, offset: int, facets) -> dict[str, Any]:
        store = self._services.store
        page = store.browse(self._schema, filter=filters.to_filter(), size=size, offset=offset)
        result = {"total": page.total, "hits": [_hit_json(h) for h in page.hits], "facets": {}}
        if facets:
            result["facets"] = _facets_json(store.aggregate(COLLECTION, facets, filters.to_filter()))
        return result

    def show(self, case_id: str) -> dict[str, Any]:
        """The stored, masked case."""
        return self._services.store.get(COLLECTION, case_id)

    def similar(
        self,
        case_id: str | None = None,
        *,
        text: str | None = None,
        filters: CaseFilters | None = None,
        size: int = 10,
        mode: Mode = "hybrid",
    ) -> dict[str, Any]:
        """Cases like a stored one (itself excluded) or like a pasted description, with a summary."""
        check_paging(size, 0)
        if (case_id is None) == (not text or not text.strip()):
            raise InvalidInputError("请给出案例编号或纠纷描述（二者选一）", field="text")
        filters = filters or CaseFilters()
        store = self._services.store
        similarity = CaseSimilarity(store)
        if case_id is not None:
            source = store.get(COLLECTION, case_id)
            vector = store.get_vector(COLLECTION, case_id)
            description = f"{source.get('title', '')}。{source.get('facts', '')}"
            tokens = similarity.tokens_of(store.get_texts(COLLECTION, [case_id]).get(case_id, {}))
            exclude = [case_id]
        else:
            description = text.strip()
            vector = self._services.embed_query(description, COLLECTION)
            tokens = self._services.analyzer.tokens(description)
            exclude = []
        schema = self._schema
        guess = None
        if mode != "hybrid":  # one side alone, as measured in benchmarks
            page = self._services.searcher.search(
                schema, keyword=self._keyword(description), vector=vector, filter=filters.to_filter(),
                size=size, exclude_ids=exclude, mode=mode,
            )  # fmt: skip
        else:
            guess = self._guess(tokens, vector)
            page = self._rerank(similarity, schema, description, tokens, vector, filters, exclude, size, guess)
        result = _page_json(page)
        if mode == "hybrid" and guess is not None:
            result["dispute_type_guess"] = guess.as_dict()
        # each most cited article with its text
        describe = CitationReader(self._services).summary_fields
        result["summary"] = summarize([h.source for h in page.hits], describe)
        if case_id is not None:
            result["case"] = {"id": case_id, "title": source.get("title")}
        return result


    def _guess(self, tokens, vector) -> TypeGuess | None:
        """What kind of dispute the words describe, if the classifier has been learnt."""
        data = self._services.meta(CLASSIFIER_KEY)
        return TypeClassifier(data).guess(tokens, vector) if data else None

    def _rerank(self, similarity, schema, description, tokens, vector, filters, exclude, size, guess) -> RankedPage:
        """Hybrid candidates re-ranked by whole-case similarity (kb_service/similarity.py)."""
        depth = similarity.config.candidates
        candidates = self._services.searcher.search(
            schema, keyword=self._keyword(description), vector=vector, filter=filters.to_filter(),
            size=2 * depth, exclude_ids=exclude, depth=depth, highlight=False,
        )  # fmt: skip
        by_id = {hit.id: hit for hit in candidates.hits}
        idf = self._services.meta(f"idf-{COLLECTION}") or {}
        scored = similarity.score(
            schema, tokens=tokens, vector=vector, candidates=list(by_id), idf=idf,
            type_of={i: h.source.get("dispute_type", "") for i, h in by_id.items()},
            type_probabilities=guess.probabilities if guess is not None else None,
        )  # fmt: skip
        hits = []
        for result in scored[:size]:
            hit = by_id[result.doc_id]
            hit.score = result.score
            hit.why.lexical_similarity, hit.why.semantic_similarity = result.lexical, result.semantic
            hit.why.type_probability = result.type_probability
            hits.append(hit)
        highlight_hits(schema, hits)
        return RankedPage(total=len(scored), hits=hits)


def summarize(
    sources: list[dict[str, Any]], describe: Callable[[str], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What similar cases add up to: outcomes, amounts, most cited law, organisation levels.

    With ``describe`` (citation → its law, article and text), each most cited entry carries
    the statute text too: ``{citation, count, law_name, article, article_label, text, link}``.
    """
    outcomes = Counter(s["outcome"] for s in sources if s.get("outcome"))
    amounts = sorted(float(s["amount"]) for s in sources if s.get("amount") is not None)
    citations = Counter(c for s in sources for c in dict.fromkeys(s.get("legal_basis") or []))
    levels = Counter(s["org_level"] for s in sources if s.get("org_level"))
    return {
        "cases": len(sources),
        "outcomes": [
            {"value": k, "label": OUTCOMES.label(k), "count": n} for k, n in _ranked(outcomes)
        ],
        "amount": (
            {"count": len(amounts), "min": amounts[0], "median": statistics.median(amounts), "max": amounts[-1]}
            if amounts
            else None
        ),
        "legal_basis": [
            {"citation": k, "count": n, **(describe(k) if describe else {})} for k, n in _ranked(citations)[:5]
        ],
        "org_levels": [{"value": k, "label": ORG_LEVELS.label(k), "count": n} for k, n in _ranked(levels)],
    }


def _ranked(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


__all__ = ["CaseFilters", "CaseLibrary", "embed_text", "summarize"]
