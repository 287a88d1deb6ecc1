"""The training collection on both backends: one document per section, section search and filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.pipeline import Indexer
from kb_service.errors import InvalidInputError
from kb_service.library import sample_library
from training.indexing import COLLECTION, SPEC
from training.queries import TrainingLibrary

from .test_loading import material, write


@pytest.fixture
def library(sample) -> TrainingLibrary:
    return TrainingLibrary(sample)


def index(services, folder: Path):
    return Indexer(services.store, services.analyzer, services.embedder).index(
        SPEC, [folder], progress=False
    )


def test_all_22_sample_materials_index_as_sections(services):
    report = index(services, sample_library())
    assert report.rejected == [] and report.indexed == 22
    sources = list(services.store.iter_sources(COLLECTION))
    assert len({s["material_id"] for s in sources}) == 22
    assert len(sources) > 22  # materials are split, never one document each
    nested = [s for s in sources if len(s["heading_path"]) == 2]
    assert nested and all(s["section"] == " › ".join(s["heading_path"]) for s in nested)


def test_a_material_that_loses_a_section_loses_its_document(services, tmp_path):
    write(tmp_path, "a.md", material("tr-test-1"))
    index(services, tmp_path)
    assert services.store.count(COLLECTION) == 3
    shorter = material("tr-test-1").split("### （二）明确责任")[0]
    write(tmp_path, "a.md", shorter)
    index(services, tmp_path)
    assert services.store.count(COLLECTION) == 2
    assert (
        services.store.get(COLLECTION, "tr-test-1#2")["section"] == "二、调解步骤 › （一）核对工资"
    )


def test_search_answers_sections_with_snippets_and_why(library):
    result = library.search("农民工工资先行清偿", size=5)
    assert result["total"] > 0
    top = result["hits"][0]
    assert {"material_id", "title", "section", "snippet", "score", "kind", "topics", "why"} <= set(
        top
    )
    assert "labor" in top["topics"]
    assert "<em>" in top["snippet"]
    assert top["why"]["matched_terms"]


@pytest.mark.parametrize("topic", ["labor", "劳动争议纠纷"])
def test_topic_filter_keeps_only_that_topic(library, topic):
    result = library.search("调解员如何做好调解工作", topic=topic, size=50)
    assert result["hits"]
    assert all("labor" in h["topics"] for h in result["hits"])
    assert len({h["material_id"] for h in result["hits"]}) >= 2


def test_free_topic_kind_audience_and_level_filters(library):
    free = library.search("协议", topic="司法确认", size=50)
    assert free["hits"] and all("司法确认" in h["topics"] for h in free["hits"])
    laws = library.search("赔偿", kind="法律解读", size=50)
    assert laws["hits"] and all(h["kind"] == "law" for h in laws["hits"])
    basic = library.search("调解", level="初级", size=50)
    assert basic["hits"] and all(h["level"] == "basic" for h in basic["hits"])
    for_new = library.search("调解", audience="新任调解员", size=50)
    assert for_new["hits"] and all("新任调解员" in h["audience"] for h in for_new["hits"])


def test_empty_query_lists_sections_and_bad_values_say_what_to_fix(library):
    listed = library.search("", topic="neighbor", size=100)
    assert listed["total"] == len(listed["hits"]) > 0
    assert all(h["snippet"] and h["score"] == 0.0 for h in listed["hits"])
    with pytest.raises(InvalidInputError, match="材料类型"):
        library.search("调解", kind="lecture")
    with pytest.raises(InvalidInputError):
        library.search("调解", size=0)
