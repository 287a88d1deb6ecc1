"""An Elasticsearch rebuild is merged into one segment before its alias is swapped in."""

from __future__ import annotations

import pytest

from kb_service.store import CollectionSchema, Document, build_store
from tests.conftest import drop_indices, settings_for

pytestmark = pytest.mark.elasticsearch

SCHEMA = CollectionSchema(name="merged", text_fields={"body": 1.0}, vector_dimension=4)


def segments_after_rebuild(tmp_path, monkeypatch, merge: bool) -> int:
    settings = settings_for("elasticsearch", tmp_path)
    store = build_store(settings)
    if not merge:
        monkeypatch.setattr(type(store), "_merge", lambda self, collection, index: None)
    try:
        with store.rebuilding(SCHEMA) as writer:
            for batch in range(3):
                docs = [
                    Document(id=f"d{batch}-{i}", source={"body": f"第{batch}批"}, text={"body": f"批 {batch}"},
                             vector=[1.0, float(i), 0.0, 0.5], content_hash=str(i))
                    for i in range(5)
                ]  # fmt: skip
                assert writer.write(docs).written == 5
                store._client.indices.flush(index=f"{settings.index_prefix}-merged-*")  # a segment per batch
        assert store.count("merged") == 15
        found = store._client.indices.segments(index=store.alias("merged"))["indices"]
        return sum(len(shard["segments"]) for index in found.values() for shards in index["shards"].values() for shard in shards)
    finally:
        store.close()
        drop_indices(settings)


def test_a_rebuilt_index_is_one_segment(tmp_path, monkeypatch):
    assert segments_after_rebuild(tmp_path / "merged", monkeypatch, merge=True) == 1
    # what the merge saves: each batch its own segment
    assert segments_after_rebuild(tmp_path / "unmerged", monkeypatch, merge=False) == 3
