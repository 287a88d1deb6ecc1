"""Filters: the same tree evaluated in memory and compiled for Elasticsearch (table-driven)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from kb_service.store.elastic_query import compile_filter
from kb_service.store.filters import And, Exists, Filter, Not, Or, Range, Term, Terms, matches

SOURCE = {"kind": "labor", "tags": ["欠薪", "农民工"], "amount": 5000, "date": "2024-05-06", "ok": True}

CASES = [
    (Term(field="kind", value="labor"), True, {"term": {"kind": "labor"}}),
    (Term(field="tags", value="农民工"), True, {"term": {"tags": "农民工"}}),
    (Term(field="missing", value="x"), False, {"term": {"missing": "x"}}),
    (Terms(field="kind", values=("a", "labor")), True, {"terms": {"kind": ["a", "labor"]}}),
    (Range(field="amount", gte=5000), True, {"range": {"amount": {"gte": 5000}}}),
    (Range(field="amount", gt=5000), False, {"range": {"amount": {"gt": 5000}}}),
    (Range(field="date", lt="2024-05-07"), True, {"range": {"date": {"lt": "2024-05-07"}}}),
    (Exists(field="ok"), True, {"exists": {"field": "ok"}}),
    (Not(condition=Term(field="missing", value="x")), True, {"bool": {"must_not": [{"term": {"missing": "x"}}]}}),
    (
        And(conditions=(Term(field="ok", value=True), Range(field="amount", lte=100))),
        False,
        {"bool": {"filter": [{"term": {"ok": True}}, {"range": {"amount": {"lte": 100}}}]}},
    ),
    (
        Or(conditions=(Term(field="kind", value="x"), Term(field="tags", value="欠薪"))),
        True,
        {"bool": {"should": [{"term": {"kind": "x"}}, {"term": {"tags": "欠薪"}}], "minimum_should_match": 1}},
    ),
]


@pytest.mark.parametrize(("node", "in_memory", "dsl"), CASES)
def test_translations_agree(node, in_memory, dsl):
    assert matches(node, SOURCE) is in_memory
    assert compile_filter(node) == dsl


def test_filters_parse_from_json_and_refuse_unknown_keys():
    adapter = TypeAdapter(Filter)
    node = adapter.validate_python(
        {"op": "and", "conditions": [{"op": "term", "field": "kind", "value": "labor"}, {"op": "not", "condition": {"op": "exists", "field": "x"}}]}
    )
    assert matches(node, SOURCE)
    with pytest.raises(ValidationError):
        adapter.validate_python({"op": "term", "field": "kind", "value": "labor", "oops": 1})


def test_highlight_fragments_never_cut_through_a_number():
    from kb_service.store.highlight import highlight

    text = "甲" * 20 + "订单号202404281830456789，" + "乙" * 30 + "工资" + "丙" * 40
    for fragment in highlight(text, ["工资"]):
        digits = "".join(ch for ch in fragment if ch.isdigit())
        assert digits in ("", "202404281830456789"), fragment
