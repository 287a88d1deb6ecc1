"""Compiles the portable filter tree and facets to Elasticsearch query DSL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kb_service.store.filters import (
    And,
    DateHistogramFacet,
    Exists,
    Facet,
    Filter,
    Not,
    Or,
    Range,
    Term,
    Terms,
    TermsFacet,
)
from kb_service.store.protocol import CollectionSchema, KeywordQuery


def _bound(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def compile_filter(node: Filter) -> dict[str, Any]:
    match node:
        case Term(field=field, value=value):
            return {"term": {field: value}}
        case Terms(field=field, values=values):
            return {"terms": {field: list(values)}}
        case Range(field=field):
            bounds = {
                op: _bound(getattr(node, op))
                for op in ("gte", "gt", "lte", "lt")
                if getattr(node, op) is not None
            }
            return {"range": {field: bounds}}
        case Exists(field=field):
            return {"exists": {"field": field}}
        case And(conditions=conditions):
            return {"bool": {"filter": [compile_filter(c) for c in conditions]}}
        case Or(conditions=conditions):
            return {
                "bool": {"should": [compile_filter(c) for c in conditions], "minimum_should_match": 1}
            }
        case Not(condition=condition):
            return {"bool": {"must_not": [compile_filter(condition)]}}
    raise TypeError(f"unknown filter node {node!r}")


_NAME_SEPARATOR = "\x1f"


def clause_name(term: str, field: str) -> str:
    # One name per clause: Elasticsearch keeps one query per name, so a name
    # shared by the title and the body clause would report only one of them.
    return f"{term}{_NAME_SEPARATOR}{field}"


def matched_terms(matched_queries: list[str]) -> set[str]:
    return {name.split(_NAME_SEPARATOR, 1)[0] for name in matched_queries}


def compile_keyword_query(query: KeywordQuery, filter: Filter | None) -> dict[str, Any]:
    """A ``bool`` of boosted ``term`` clauses, one per (term, field), each named by its term.

    Summing boosted term scores is exactly what the embedded store computes;
    the clause names come back as ``matched_queries``: the matched terms.
    """
    should = [
        {
            "term": {
                f"search_text.{field}": {
                    "value": term,
                    "boost": term_weight * field_boost,
                    "_name": clause_name(term, field),
                }
            }
        }
        for term, term_weight in query.terms.items()
        for field, field_boost in query.fields.items()
    ]
    compiled: dict[str, Any] = {"should": should, "minimum_should_match": 1}
    if filter is not None:
        compiled["filter"] = [compile_filter(filter)]
    return {"bool": compiled}


def compile_facets(facets: Mapping[str, Facet]) -> dict[str, Any]:
    aggs: dict[str, Any] = {}
    for name, facet in facets.items():
        if isinstance(facet, TermsFacet):
            aggs[name] = {
                "terms": {"field": facet.field, "size": facet.size, "order": [{"_count": "desc"}, {"_key": "asc"}]}
            }
        elif isinstance(facet, DateHistogramFacet):
            aggs[name] = {
                "date_histogram": {
                    "field": facet.field,
                    "calendar_interval": facet.interval,
                    "format": "yyyy" if facet.interval == "year" else "yyyy-MM",
                    "min_doc_count": 1,
                }
            }
    return aggs


def _bucket_value(bucket: Mapping[str, Any]) -> Any:
    text = bucket.get("key_as_string")
    if text in ("true", "false"):  # terms on a boolean field
        return text == "true"
    return bucket["key"]


def read_facets(facets: Mapping[str, Facet], aggregations: Mapping[str, Any]) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = {}
    for name, facet in facets.items():
        buckets = aggregations.get(name, {}).get("buckets", [])
        result[name] = [
            {
                "value": b["key_as_string"] if isinstance(facet, DateHistogramFacet) else _bucket_value(b),
                "count": b["doc_count"],
            }
            for b in buckets
        ]
    return result


def mapping_for(schema: CollectionSchema) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        "content_hash": {"type": "keyword", "index": False},
        "search_text": {
            "properties": {
                field: {"type": "text", "analyzer": "whitespace", "norms": True}
                for field in schema.text_fields
            }
        },
        "embedding": {
            "type": "dense_vector",
            "dims": schema.vector_dimension,
            "index": True,
            "similarity": "cosine",
            # int8 graph (a quarter of the memory of float vectors); every kNN search
            # rescores its candidates with the float vectors (``rescore_vector`` in
            # elastic.py), so scores are the exact cosine the embedded store computes.
            # benchmarks/es_knn.py: recall@10 1.0 at num_candidates 200 for k = 50.
            "index_options": {"type": "int8_hnsw"},
        },
    }
    for field in schema.keyword_fields:
        properties[field] = {"type": "keyword"}
    for field in schema.date_fields:
        properties[field] = {"type": "date", "format": "strict_date_optional_time||yyyy-MM-dd"}
    for field in schema.number_fields:
        properties[field] = {"type": "double"}
    for field in schema.bool_fields:
        properties[field] = {"type": "boolean"}
    # dynamic: false — other source fields are stored but not indexed.
    return {"dynamic": False, "properties": properties}
