"""The embedded store's snapshot: arrays instead of records, built per part when needed.

The contract tests check behaviour on both backends; these check what only the
embedded store does: BM25 from compressed postings equals the whole-vector
arithmetic to the bit, parts built after a write are matched by id, records
stream from SQLite in batches, and record fields SQLite cannot extract fall
back to Python.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from kb_service.store import CollectionSchema, Document, KeywordQuery, Term, TermsFacet
from kb_service.store import embedded as embedded_module
from kb_service.store.embedded import EmbeddedStore
from kb_service.store.lucene_bm25 import FieldBM25

WORDS = [f"词{i}" for i in range(40)]
SCHEMA = CollectionSchema(
    name="snap",
    text_fields={"title": 2.0, "body": 1.0},
    vector_dimension=4,
    keyword_fields=frozenset({"kind", 'we"ird'}),
    highlight_fields=("title",),
    browse_order="date",
)


def corpus(n: int, seed: int = 3) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        title = [rng.choice(WORDS[:10]) for _ in range(rng.randrange(0, 4))]
        body = [rng.choice(WORDS) for _ in range(rng.randrange(0, 60))]
        text = {"title": " ".join(title), "body": " ".join(body)}
        if i % 7 == 0:
            text["extra"] = "词1 词2"
        source = {"title": "".join(title) or "无题", "kind": rng.choice(["a", "b", "c"]), 'we"ird': i % 2}
        if i % 5:
            source["date"] = f"2024-{1 + i % 12:02d}-01"
        vector = [rng.uniform(-1, 1) for _ in range(4)] if i % 9 else None
        docs.append(Document(id=f"d{i:04d}", source=source, text=text, vector=vector))
    return docs


@pytest.fixture
def store(tmp_path):
    s = EmbeddedStore(tmp_path / "data")
    assert s.write(SCHEMA, corpus(300)).written == 300
    yield s
    s.close()


def test_keyword_scores_equal_whole_vector_bm25_to_the_bit(store):
    docs = sorted(corpus(300), key=lambda d: d.id)
    query = KeywordQuery(terms={"词1": 1.5, "词3": 1.0, "词33": 0.5, "未知": 1.0}, fields={"title": 2.0, "body": 1.0})
    total = np.zeros(len(docs))
    for term, weight in query.terms.items():
        for field, boost in query.fields.items():
            total += weight * boost * FieldBM25([d.text.get(field, "").split() for d in docs]).scores(term)
    page = store.keyword_search(SCHEMA, query, size=300)
    expected = {d.id: total[i] for i, d in enumerate(docs) if total[i] > 0}
    assert {h.id: h.score for h in page.hits} == expected
    assert page.total == len(expected)


def test_parts_built_after_a_write_are_matched_by_id(store):
    snapshot = store._snapshot("snap")
    other = EmbeddedStore(store._data_dir)
    other.delete("snap", ["d0001"])
    other.write(SCHEMA, [Document(id="d0000a", source={"kind": "a"}, text={"body": "词1"}, vector=[1, 0, 0, 0])])
    vocabulary, fields = snapshot.postings()
    vectors, has_vector = snapshot.vectors()
    assert len(vectors) == len(snapshot.ids) == 300
    assert not has_vector[snapshot.ids.index("d0001")]
    assert snapshot.column("kind")[snapshot.ids.index("d0001")] is None
    # the next search takes a new snapshot with both changes
    page = store.keyword_search(SCHEMA, KeywordQuery(terms={"词1": 1.0}, fields={"body": 1.0}), size=400)
    assert "d0000a" in {h.id for h in page.hits} and "d0001" not in {h.id for h in page.hits}


def test_records_stream_in_id_order_across_batches(store, monkeypatch):
    monkeypatch.setattr(embedded_module, "_ROWS_PER_BATCH", 7)
    assert [s["id"] for s in store.iter_sources("snap")] == sorted(d.id for d in corpus(300))


def test_a_field_sqlite_cannot_name_is_read_in_python(store):
    ones = store.count("snap", Term(field='we"ird', value=1))
    assert ones == 150
    facets = store.aggregate("snap", {"k": TermsFacet(field='we"ird'), "kind": TermsFacet(field="kind")})
    assert facets["k"] == [{"value": 0, "count": 150}, {"value": 1, "count": 150}]
    kinds = {"a": 0, "b": 0, "c": 0}
    for doc in corpus(300):
        kinds[doc.source["kind"]] += 1
    assert {b["value"]: b["count"] for b in facets["kind"]} == kinds


def test_columns_for_a_filter_and_facets_are_read_in_one_pass(store, monkeypatch):
    passes = []
    read = store._read_columns
    monkeypatch.setattr(store, "_read_columns", lambda *a: passes.append(a[1]) or read(*a))
    store.aggregate("snap", {"kind": TermsFacet(field="kind")}, Term(field="date", value="2024-02-01"))
    store.count("snap", Term(field="kind", value="a"))
    assert passes == [["kind", "date"]]


def test_a_page_leaves_out_a_record_deleted_after_the_snapshot(store):
    snapshot = store._snapshot("snap")
    EmbeddedStore(store._data_dir).delete("snap", [snapshot.ids[0]])
    page = store._page(SCHEMA, snapshot, np.ones(300), snapshot._all.copy(), 3, 0)
    assert [h.id for h in page.hits] == snapshot.ids[1:3]
    assert all(h.source["id"] == h.id for h in page.hits)
