"""Congruence: the same queries on both backends return the same ids in the same order.

Both backends index the same analyser tokens and score BM25 with Lucene's
arithmetic — its statistics (one shard on Elasticsearch) and its lossy
one-byte document lengths (``lucene_bm25.py``) — and vectors with exact
cosine (float HNSW on Elasticsearch, exhaustive at this size). Scores then
agree to float32 precision, so ids agree in order.

Where they could still differ, by design: after records are replaced in
place, Elasticsearch keeps deleted documents in its statistics until segments
merge, so BM25 scores can drift slightly until then; a ``--rebuild`` (what
these tests index) has none.
"""

from __future__ import annotations

import pytest

from cases.queries import CaseLibrary

QUERIES = [
    "楼上天天吵",
    "老板不给工钱",
    "手术后人没了，家属要说法",
    "孩子在学校被打了",
    "快递丢了谁赔",
    "物业乱收费还不修电梯",
    "离婚后孩子抚养费",
    "宅基地界址纠纷",
    "交通事故误工费护理费",
    "预付卡退费",
]


@pytest.fixture(scope="module")
def both(sample_services):
    from tests.conftest import elasticsearch_url

    elasticsearch_url()  # skip locally / fail in CI when there is no node
    return CaseLibrary(sample_services("embedded")), CaseLibrary(sample_services("elasticsearch"))


@pytest.mark.parametrize("mode", ["keyword", "vector", "hybrid"])
@pytest.mark.parametrize("query", QUERIES)
def test_same_top_ids_on_both_backends(both, query, mode):
    embedded, elastic = both
    a = embedded.search(query, size=5, facets=False, mode=mode)
    b = elastic.search(query, size=5, facets=False, mode=mode)
    assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]
    for x, y in zip(a["hits"], b["hits"], strict=True):
        for side in ("keyword_score", "vector_score"):
            if x["why"][side] is not None:
                assert x["why"][side] == pytest.approx(y["why"][side], rel=1e-4)


def test_same_facets_on_both_backends(both):
    embedded, elastic = both
    assert embedded.search("", size=1)["facets"] == elastic.search("", size=1)["facets"]
    assert embedded.search("工资", size=1)["facets"] == elastic.search("工资", size=1)["facets"]


def test_same_similar_cases_on_both_backends(both):
    embedded, elastic = both
    a = embedded.similar("case-labor-001", size=5)
    b = elastic.similar("case-labor-001", size=5)
    assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]
    assert a["summary"] == b["summary"]
