"""Portable filters and facets: one small typed tree, evaluated here in memory.

The Elasticsearch backend compiles the same tree to a ``bool`` query
(``elastic_query.py``); both translations are covered by one table of cases
in ``tests/kb_service/test_filters.py``.

Semantics (the same on both backends):

- ``Term``: the field equals the value; on a list field, any element equals it.
- ``Terms``: the field equals any of the values.
- ``Range``: numbers or ISO dates, bounds inclusive (``gte``/``lte``) or not.
- ``Exists``: the field is present and not empty.
- ``And``/``Or``/``Not``: as in logic; a missing field never matches a leaf,
  so ``Not(Term(...))`` matches documents without the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Scalar = str | int | float | bool


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Node):
    op: Literal["term"] = "term"
    field: str
    value: Scalar


class Terms(_Node):
    op: Literal["terms"] = "terms"
    field: str
    values: tuple[Scalar, ...]


class Range(_Node):
    op: Literal["range"] = "range"
    field: str
    gte: float | date | None = None
    gt: float | date | None = None
    lte: float | date | None = None
    lt: float | date | None = None


class Exists(_Node):
    op: Literal["exists"] = "exists"
    field: str


class And(_Node):
    op: Literal["and"] = "and"
    conditions: tuple[Filter, ...]


class Or(_Node):
    op: Literal["or"] = "or"
    conditions: tuple[Filter, ...]


class Not(_Node):
    op: Literal["not"] = "not"
    condition: Filter


Filter = Annotated[Term | Terms | Range | Exists | And | Or | Not, Field(discriminator="op")]
for _model in (And, Or, Not):
    _model.model_rebuild()


class TermsFacet(_Node):
    kind: Literal["terms"] = "terms"
    field: str
    size: int = Field(default=10, ge=1, le=200)


class DateHistogramFacet(_Node):
    kind: Literal["date_histogram"] = "date_histogram"
    field: str
    interval: Literal["year", "month"] = "year"


Facet = Annotated[TermsFacet | DateHistogramFacet, Field(discriminator="kind")]


def all_of(*conditions: Filter | None) -> Filter | None:
    """AND of the given conditions, skipping ``None``; ``None`` when nothing is left."""
    present = tuple(c for c in conditions if c is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(conditions=present)


# -- in-memory evaluation -----------------------------------------------------------
def _values(source: dict[str, Any], field: str) -> list[Any]:
    value = source.get(field)
    if value is None or value == "" or value == []:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _comparable(value: Any) -> Any:
    """Dates compare as dates whether given as ``date`` or ISO text; numbers as floats."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _in_range(value: Any, node: Range) -> bool:
    value = _comparable(value)
    try:
        return all(
            (
                node.gte is None or value >= _comparable(node.gte),
                node.gt is None or value > _comparable(node.gt),
                node.lte is None or value <= _comparable(node.lte),
                node.lt is None or value < _comparable(node.lt),
            )
        )
    except TypeError:  # e.g. a text value against a numeric bound
        return False


def matches(node: Filter | None, source: dict[str, Any]) -> bool:
    """Does the stored record ``source`` satisfy the filter tree?"""
    match node:
        case None:
            return True
        case Term(field=field, value=value):
            return any(v == value for v in _values(source, field))
        case Terms(field=field, values=values):
            wanted = set(values)
            return any(v in wanted for v in _values(source, field))
        case Range(field=field):
            return any(_in_range(v, node) for v in _values(source, field))
        case Exists(field=field):
            return bool(_values(source, field))
        case And(conditions=conditions):
            return all(matches(c, source) for c in conditions)
        case Or(conditions=conditions):
            return any(matches(c, source) for c in conditions)
        case Not(condition=condition):
            return not matches(condition, source)
    raise TypeError(f"unknown filter node {node!r}")


def facet_key(facet: DateHistogramFacet, value: Any) -> str | None:
    """The bucket key of a date: ``2024`` for years, ``2024-05`` for months."""
    value = _comparable(value)
    if not isinstance(value, date):
        return None
    return f"{value.year:04d}" if facet.interval == "year" else f"{value.year:04d}-{value.month:02d}"


def count_facets(facets: dict[str, Facet], sources: list[dict[str, Any]]) -> dict[str, list[dict]]:
    """Bucket counts as Elasticsearch returns them: terms by count desc then key; dates by key."""
    result: dict[str, list[dict]] = {}
    for name, facet in facets.items():
        counts: dict[Any, int] = {}
        for source in sources:
            seen = set()
            for value in _values(source, facet.field):
                key = facet_key(facet, value) if isinstance(facet, DateHistogramFacet) else value
                if key is not None and key not in seen:
                    seen.add(key)
                    counts[key] = counts.get(key, 0) + 1
        if isinstance(facet, TermsFacet):
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[: facet.size]
        else:
            ordered = sorted(counts.items())
        result[name] = [{"value": key, "count": count} for key, count in ordered]
    return result
