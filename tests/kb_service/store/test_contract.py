"""The store contract: every test runs on the embedded store and on a real Elasticsearch node."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kb_service.errors import (
    CollectionNotIndexedError,
    ConflictError,
    NotFoundError,
    StoreUnavailableError,
)
from kb_service.ranking import FusionConfig, HybridSearcher
from kb_service.store import (
    And,
    CollectionSchema,
    DateHistogramFacet,
    Document,
    Exists,
    KeywordQuery,
    Not,
    Or,
    Range,
    Term,
    Terms,
    TermsFacet,
    build_store,
)
from kb_service.store.embedded import EmbeddedStore
from tests.conftest import settings_for

RECORDS = [
    {"id": "n1", "title": "楼上住户深夜噪声扰民", "body": "申请人反映楼上每天深夜吵闹，影响休息。", "kind": "neighbor",
     "tags": ["噪声", "相邻关系"], "date": "2024-03-02", "amount": 0, "confirmed": True},
    {"id": "n2", "title": "卫生间漏水殃及楼下", "body": "楼上卫生间防水失效，渗水导致楼下天棚损坏。", "kind": "neighbor",
     "tags": ["漏水"], "date": "2023-07-19", "amount": 8000, "confirmed": False},
    {"id": "l1", "title": "包工头拖欠农民工工资", "body": "工程完工后包工头失联，二十名农民工讨薪无果。", "kind": "labor",
     "tags": ["欠薪", "农民工"], "date": "2024-12-01", "amount": 260000, "confirmed": True},
    {"id": "m1", "title": "术后患者死亡引发医疗纠纷", "body": "患者手术后出现并发症死亡，家属质疑医院存在过错。", "kind": "medical",
     "tags": ["医疗损害"], "date": "2022-05-10", "amount": 450000},
    {"id": "t1", "title": "电动车与轿车相撞赔偿纠纷", "body": "交通事故造成骑车人骨折，双方就误工费和护理费协商。", "kind": "traffic",
     "tags": [], "amount": 36000},
]


def schema(dimension: int) -> CollectionSchema:
    return CollectionSchema(
        name="contract",
        text_fields={"title": 2.0, "body": 1.0},
        vector_dimension=dimension,
        keyword_fields=frozenset({"kind", "tags"}),
        date_fields=frozenset({"date"}),
        number_fields=frozenset({"amount"}),
        bool_fields=frozenset({"confirmed"}),
        highlight_fields=("title", "body"),
        browse_order="date",
    )


def documents(analyzer, embedder, records=RECORDS) -> list[Document]:
    vectors = embedder.encode([f"{r['title']}。{r['body']}" for r in records])
    return [
        Document(
            id=r["id"],
            source={k: v for k, v in r.items() if k != "id"},
            text={"title": analyzer.index_text(r["title"]), "body": analyzer.index_text(r["body"])},
            vector=vector,
            content_hash=f"hash-{r['id']}",
        )
        for r, vector in zip(records, vectors, strict=True)
    ]


@pytest.fixture
def loaded(store, analyzer, embedder):
    s = schema(embedder.dimension)
    result = store.write(s, documents(analyzer, embedder))
    assert result.written == len(RECORDS) and not result.failed
    return s


def keyword(analyzer, text: str, s: CollectionSchema) -> KeywordQuery:
    return KeywordQuery(terms=analyzer.query_terms(text).weights, fields=s.text_fields)


def ids(page) -> list[str]:
    return [h.id for h in page.hits]


# -- write, replace, delete, get, count ------------------------------------------------
def test_get_returns_the_stored_record(store, loaded):
    record = store.get("contract", "l1")
    assert record["title"] == "包工头拖欠农民工工资"
    assert record["tags"] == ["欠薪", "农民工"]
    assert "embedding" not in record and "search_text" not in record


def test_writing_the_same_id_replaces_not_duplicates(store, loaded, analyzer, embedder):
    changed = dict(RECORDS[2], title="包工头拖欠工资已结清")
    store.write(loaded, documents(analyzer, embedder, [changed]))
    assert store.count("contract") == len(RECORDS)
    assert store.get("contract", "l1")["title"] == "包工头拖欠工资已结清"
    assert store.content_hashes("contract")["l1"] == "hash-l1"


def test_delete_removes_only_the_given_ids(store, loaded):
    assert store.delete("contract", ["n1", "missing"]) == 1
    assert store.count("contract") == len(RECORDS) - 1
    with pytest.raises(NotFoundError):
        store.get("contract", "n1")


def test_unknown_id_is_not_found(store, loaded):
    with pytest.raises(NotFoundError, match="nope"):
        store.get("contract", "nope")
    with pytest.raises(NotFoundError):
        store.get_vector("contract", "nope")


def test_get_many_skips_unknown_ids(store, loaded):
    assert set(store.get_many("contract", ["n1", "t1", "zzz"])) == {"n1", "t1"}


def test_stored_vectors_and_analysed_texts_come_back_as_written(store, loaded, analyzer, embedder):
    written = {d.id: d for d in documents(analyzer, embedder)}
    vectors = store.get_vectors("contract", ["n1", "l1", "zzz"])
    assert set(vectors) == {"n1", "l1"}
    assert vectors["l1"] == pytest.approx(list(map(float, written["l1"].vector)), abs=1e-6)
    texts = store.get_texts("contract", ["m1", "zzz"])
    assert texts == {"m1": written["m1"].text}


def test_a_missing_collection_says_to_index_first(store):
    # Not indexed is told apart from "down": it needs kb index, not a retry.
    with pytest.raises(CollectionNotIndexedError, match="kb index") as raised:
        store.count("never-indexed")
    assert not isinstance(raised.value, StoreUnavailableError)
    assert raised.value.collections == ["never-indexed"]


def test_reading_a_missing_collection_says_to_index_first(store):
    # Elasticsearch is asked without checking the alias first (a round trip per search saved):
    # its "index not found" must still read as not indexed, for every kind of search.
    missing = replace(schema(8), name="never-indexed")
    query = KeywordQuery(terms={"漏水": 1.0}, fields=missing.text_fields)
    searches = {
        "keyword": lambda: store.keyword_search(missing, query),
        "vector": lambda: store.vector_search(missing, [1.0] * 8),
        "both": lambda: store.hybrid_candidates(missing, query, [1.0] * 8),
        "browse": lambda: store.browse(missing),
        "facets": lambda: store.aggregate("never-indexed", {"kind": TermsFacet(field="kind")}),
        "records": lambda: store.get_many("never-indexed", ["n1"]),
        "texts": lambda: store.get_texts("never-indexed", ["n1"]),
    }
    for kind, search in searches.items():
        with pytest.raises(CollectionNotIndexedError, match="kb index") as raised:
            search()
        assert raised.value.collections == ["never-indexed"], kind


def test_vector_of_wrong_dimension_is_refused_per_document(store, loaded, analyzer, embedder):
    good, bad = documents(analyzer, embedder, RECORDS[:2])
    bad.vector = list(bad.vector)[:10]
    bad.id = "bad"
    result = store.write(loaded, [good, bad])
    assert result.written == 1
    assert [doc_id for doc_id, _ in result.failed] == ["bad"]


# -- keyword and vector search ------------------------------------------------------------
def test_chinese_keyword_search_finds_and_explains(store, loaded, analyzer):
    page = store.keyword_search(loaded, keyword(analyzer, "农民工讨薪", loaded), highlight=True)
    assert ids(page)[0] == "l1"
    top = page.hits[0]
    assert {"农民工", "讨薪"} <= set(top.matched_terms)
    assert any("<em>农民工</em>" in f for f in top.highlights["title"] + top.highlights.get("body", []))


def test_synonyms_reach_the_formal_word(store, loaded, analyzer):
    # 吵 is not in n1's title; the synonym table links it to 噪声/扰民/吵闹.
    page = store.keyword_search(loaded, keyword(analyzer, "楼上天天吵", loaded))
    assert ids(page)[0] == "n1"


def test_keyword_search_pages_and_totals(store, loaded, analyzer):
    query = keyword(analyzer, "楼上 楼下 漏水 噪声", loaded)
    first = store.keyword_search(loaded, query, size=1)
    second = store.keyword_search(loaded, query, size=1, offset=1)
    assert first.total == second.total == 2
    assert ids(first) + ids(second) == ["n1", "n2"] or ids(first) + ids(second) == ["n2", "n1"]
    assert ids(first) != ids(second)


def test_keyword_scores_follow_bm25_field_boosts(store, loaded, analyzer):
    title_heavy = KeywordQuery(terms={"漏水": 1.0}, fields={"title": 5.0, "body": 1.0})
    body_only = KeywordQuery(terms={"漏水": 1.0}, fields={"body": 1.0})
    a = store.keyword_search(loaded, title_heavy).hits[0].score
    b = store.keyword_search(loaded, body_only).total
    assert a > 0 and b == 0  # 漏水 is in n2's title only; "渗水" is in its body

    # 工资 is in l1's title only, 并发症 in m1's body only: a field's boost multiplies
    # exactly that field's BM25 score, so boosting one field or the other flips the order.
    terms = {"工资": 1.0, "并发症": 1.0}

    def scores(boosts: dict[str, float]) -> dict[str, float]:
        return {h.id: h.score for h in store.keyword_search(loaded, KeywordQuery(terms, boosts)).hits}

    even = scores({"title": 1.0, "body": 1.0})
    towards_title = scores({"title": 5.0, "body": 1.0})
    towards_body = scores({"title": 1.0, "body": 5.0})
    assert set(even) == {"l1", "m1"}
    assert towards_title["l1"] == pytest.approx(5 * even["l1"], rel=1e-4)
    assert towards_title["m1"] == pytest.approx(even["m1"], rel=1e-4)
    assert towards_body["m1"] == pytest.approx(5 * even["m1"], rel=1e-4)
    assert max(towards_title, key=towards_title.get) == "l1"
    assert max(towards_body, key=towards_body.get) == "m1"


def test_vector_search_ranks_the_semantic_neighbour_first(store, loaded, embedder):
    vector = embedder.encode(["手术以后病人去世了，家属要求医院赔偿"])[0]
    page = store.vector_search(loaded, vector, size=3)
    assert ids(page)[0] == "m1"
    assert 0.5 < page.hits[0].score <= 1.0
    assert page.hits[0].score >= page.hits[1].score


def test_vector_search_respects_filters(store, loaded, embedder):
    vector = embedder.encode(["手术以后病人去世了"])[0]
    page = store.vector_search(loaded, vector, filter=Term(field="kind", value="neighbor"), size=5)
    assert set(ids(page)) == {"n1", "n2"}


def test_hybrid_candidates_are_the_two_searches_asked_at_once(store, loaded, analyzer, embedder):
    query = keyword(analyzer, "楼上漏水 吵闹", loaded)
    vector = embedder.encode(["楼上漏水，楼下天花板坏了"])[0]

    def seen(page) -> list:
        return [(h.id, round(h.score, 6), h.matched_terms) for h in page.hits]

    for filter in (None, Term(field="kind", value="neighbor"), Term(field="kind", value="labor")):
        by_keyword, by_vector = store.hybrid_candidates(loaded, query, vector, filter=filter, size=3)
        assert seen(by_keyword) == seen(store.keyword_search(loaded, query, filter=filter, size=3))
        assert seen(by_vector) == seen(store.vector_search(loaded, vector, filter=filter, size=3))
        # without their records (the searcher reads the page's), total as returned
        for page in (by_keyword, by_vector):
            assert page.total == len(page.hits) and all(h.source == {} for h in page.hits)
    assert ids(store.hybrid_candidates(loaded, query, vector)[0])[:2] in (["n1", "n2"], ["n2", "n1"])
    # No terms: no keyword hits, the vector side as ever.
    empty = KeywordQuery(terms={}, fields=loaded.text_fields)
    by_keyword, by_vector = store.hybrid_candidates(loaded, empty, vector, size=2)
    assert by_keyword.hits == [] and seen(by_vector) == seen(store.vector_search(loaded, vector, size=2))


def test_hybrid_candidates_break_score_ties_by_id_as_the_keyword_search_does(store, analyzer, embedder):
    # Four records with the same text score the same; written in descending id order, so an
    # engine that breaks ties by its own document order (Elasticsearch's candidates do) has
    # them the wrong way round, and a cut through the tie could keep the wrong ones.
    twins = [{"id": f"t{i}", "title": "楼上漏水", "body": "卫生间漏水渗到楼下。"} for i in (3, 1, 2, 0)]
    best = {"id": "z9", "title": "楼上漏水楼上漏水", "body": "楼上卫生间漏水，楼下天棚漏水。"}
    other = {"id": "a0", "title": "邻居装修", "body": "楼上装修噪声。"}
    s = schema(embedder.dimension)
    assert not store.write(s, documents(analyzer, embedder, [*twins, best, other])).failed
    query = keyword(analyzer, "楼上漏水", s)
    vector = embedder.encode(["楼上漏水"])[0]
    for size in range(1, 8):
        by_keyword, _ = store.hybrid_candidates(s, query, vector, size=size)
        expected = store.keyword_search(s, query, size=size)
        assert [(h.id, round(h.score, 6)) for h in by_keyword.hits] == [
            (h.id, round(h.score, 6)) for h in expected.hits
        ], size
    assert [h.id for h in store.keyword_search(s, query, size=5).hits] == ["z9", "t0", "t1", "t2", "t3"]


def test_a_hybrid_page_carries_its_records(store, loaded, analyzer, embedder):
    searcher = HybridSearcher(store, FusionConfig())
    page = searcher.search(loaded, keyword=keyword(analyzer, "楼上漏水", loaded),
                           vector=embedder.encode(["楼上漏水"])[0], size=3)  # fmt: skip
    assert len(page.hits) == 3
    for hit in page.hits:
        assert hit.source == store.get("contract", hit.id)


# -- filters: every operator ----------------------------------------------------------------
FILTER_CASES = [
    (Term(field="kind", value="neighbor"), {"n1", "n2"}),
    (Term(field="tags", value="农民工"), {"l1"}),
    (Term(field="confirmed", value=True), {"n1", "l1"}),
    (Terms(field="kind", values=("labor", "medical")), {"l1", "m1"}),
    (Range(field="amount", gte=36000, lte=260000), {"l1", "t1"}),
    (Range(field="amount", gt=0, lt=36000), {"n2"}),
    (Range(field="date", gte="2024-01-01"), {"n1", "l1"}),
    (Range(field="date", lt="2023-01-01"), {"m1"}),
    (Exists(field="date"), {"n1", "n2", "l1", "m1"}),
    (Not(condition=Exists(field="date")), {"t1"}),
    (Not(condition=Term(field="confirmed", value=True)), {"n2", "m1", "t1"}),
    (And(conditions=(Term(field="kind", value="neighbor"), Range(field="amount", gt=0))), {"n2"}),
    (Or(conditions=(Term(field="kind", value="traffic"), Term(field="tags", value="噪声"))), {"n1", "t1"}),
    (Not(condition=Or(conditions=(Term(field="kind", value="neighbor"), Term(field="kind", value="labor")))), {"m1", "t1"}),
    (Terms(field="id", values=("n1", "t1")), {"n1", "t1"}),
]


@pytest.mark.parametrize(("condition", "expected"), FILTER_CASES, ids=[repr(c[0])[:60] for c in FILTER_CASES])
def test_every_filter_operator(store, loaded, condition, expected):
    assert store.count("contract", condition) == len(expected)
    page = store.browse(loaded, filter=condition, size=10)
    assert set(ids(page)) == expected


def test_browse_lists_newest_first_and_undated_last(store, loaded):
    assert ids(store.browse(loaded, size=10)) == ["l1", "n1", "n2", "m1", "t1"]


# -- facets --------------------------------------------------------------------------------------
def test_terms_and_date_histogram_facets(store, loaded):
    facets = store.aggregate(
        "contract",
        {
            "kind": TermsFacet(field="kind"),
            "tags": TermsFacet(field="tags", size=2),
            "year": DateHistogramFacet(field="date", interval="year"),
            "month": DateHistogramFacet(field="date", interval="month"),
            "confirmed": TermsFacet(field="confirmed"),
        },
    )
    assert facets["kind"][0] == {"value": "neighbor", "count": 2}
    assert {b["value"] for b in facets["kind"]} == {"neighbor", "labor", "medical", "traffic"}
    assert len(facets["tags"]) == 2
    assert facets["year"] == [
        {"value": "2022", "count": 1},
        {"value": "2023", "count": 1},
        {"value": "2024", "count": 2},
    ]
    assert facets["month"][0] == {"value": "2022-05", "count": 1}
    assert {"value": True, "count": 2} in facets["confirmed"]


def test_facets_respect_the_filter(store, loaded):
    facets = store.aggregate("contract", {"kind": TermsFacet(field="kind")}, Range(field="amount", gte=100000))
    assert facets["kind"] == [{"value": "labor", "count": 1}, {"value": "medical", "count": 1}]


# -- hybrid fusion ----------------------------------------------------------------------------------
def test_hybrid_fusion_explains_each_hit(store, loaded, analyzer, embedder):
    searcher = HybridSearcher(store, FusionConfig())
    text = "老板不给工钱"
    page = searcher.search(
        loaded,
        keyword=keyword(analyzer, text, loaded),
        vector=embedder.encode([text])[0],
        size=3,
        facets={"kind": TermsFacet(field="kind")},
    )
    assert page.hits[0].id == "l1"
    why = page.hits[0].why
    assert why.vector_rank is not None and why.vector_score is not None
    assert page.facets["kind"]
    assert sum(b["count"] for b in page.facets["kind"]) == page.total


def test_hybrid_excludes_ids_and_weights_change_the_order(store, loaded, analyzer, embedder):
    searcher = HybridSearcher(store, FusionConfig())
    text = "楼上漏水"
    query, vector = keyword(analyzer, text, loaded), embedder.encode([text])[0]
    page = searcher.search(loaded, keyword=query, vector=vector, exclude_ids=["n2"], size=5)
    assert "n2" not in [h.id for h in page.hits]
    keyword_only = searcher.search(loaded, keyword=query, vector=vector, mode="keyword", size=5)
    assert all(h.why.vector_rank is None for h in keyword_only.hits)
    weighted = searcher.search(
        loaded, keyword=query, vector=vector, size=5,
        config=FusionConfig(method="weighted", keyword_weight=1.0, vector_weight=0.0),
    )
    assert [h.id for h in weighted.hits][: keyword_only.total] == [h.id for h in keyword_only.hits]


# -- rebuild ---------------------------------------------------------------------------------------------
def test_rebuild_swaps_in_exactly_the_new_documents(store, loaded, analyzer, embedder):
    with store.rebuilding(loaded) as writer:
        writer.write(documents(analyzer, embedder, RECORDS[:2]))
        assert store.count("contract") == len(RECORDS)  # the old collection serves meanwhile
    assert store.count("contract") == 2
    assert set(store.content_hashes("contract")) == {"n1", "n2"}


def test_failed_rebuild_keeps_the_old_collection(store, loaded, analyzer, embedder):
    with pytest.raises(RuntimeError), store.rebuilding(loaded) as writer:
        writer.write(documents(analyzer, embedder, RECORDS[:1]))
        raise RuntimeError("disk full")
    assert store.count("contract") == len(RECORDS)
    with store.rebuilding(loaded) as writer:  # and nothing is left locked
        writer.write(documents(analyzer, embedder, RECORDS[:1]))
    assert store.count("contract") == 1


def test_meta_round_trips(store, loaded):
    store.put_meta("idf-contract", {"噪声": 1.5})
    assert store.get_meta("idf-contract") == {"噪声": 1.5}
    assert store.get_meta("missing") is None


# -- a store that is down ---------------------------------------------------------------------------------
def test_a_store_that_is_down_is_unavailable(backend, tmp_path, embedder):
    if backend == "elasticsearch":
        settings = settings_for(backend, tmp_path, elasticsearch_url="http://127.0.0.1:9", elasticsearch_timeout=2)
    else:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        settings = settings_for(backend, tmp_path, data_dir=blocker)
    store = build_store(settings)
    with pytest.raises(StoreUnavailableError):
        store.ping()
    with pytest.raises(StoreUnavailableError):
        store.count("contract")


def test_a_second_concurrent_rebuild_is_refused(backend, store, loaded, settings):
    if backend == "embedded":
        other = EmbeddedStore(settings.data_dir, lock_timeout=0.2)  # a second process, in effect
    else:
        other = build_store(settings)
    with store.rebuilding(loaded), pytest.raises(ConflictError), other.rebuilding(loaded):
        pass
