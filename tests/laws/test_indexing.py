"""One search document per article: stable ids, the fields search needs, vectors for the cited laws."""

from __future__ import annotations

from kb_service.library import Loaded, sample_library
from laws.indexing import SPEC, article_ids, is_embedded, prepare_statute
from laws.schema import Law, Statute
from laws.source import statute_database


def _statute(name: str) -> Statute:
    law = statute_database().resolve(name)
    return Statute(law, statute_database().articles(law.id))


def test_ids_are_unique_and_stable_over_the_whole_database():
    statutes = list(statute_database().statutes())
    first = [i for s in statutes for i in article_ids(s)]
    again = [i for s in statute_database().statutes() for i in article_ids(s)]
    assert first == again and len(set(first)) == len(first)
    civil = _statute("民法典")
    assert article_ids(civil)[1083] == f"law-{civil.law.id}-a1084"
    criminal = article_ids(_statute("刑法"))
    assert any(i.endswith("-a120-1") for i in criminal)


def test_the_embedded_set_is_the_laws_mediation_cites():
    laws = statute_database().laws()
    embedded = {law.short_name for law in laws if is_embedded(law)}
    assert {"民法典", "人民调解法", "劳动合同法", "道路交通安全法", "消费者权益保护法"} <= embedded
    assert "刑法" not in embedded and "海商法" not in embedded
    assert "生态环境法典" not in embedded  # 1,240 articles mediation rarely cites: keyword only
    counts = [len(s.articles) for s in statute_database().statutes() if is_embedded(s.law)]
    assert 2_500 < sum(counts) < 3_000  # of about 26,000


def test_an_old_version_of_a_cited_law_is_not_embedded():
    civil = statute_database().resolve("民法典")
    older = Law(
        id="not-the-newest", name=civil.name, short_name=civil.short_name, status="historical"
    )
    assert not is_embedded(older)


def test_documents_carry_law_article_and_status(analyzer):
    statute = _statute("人民调解法")
    documents = prepare_statute(statute, analyzer)
    assert len(documents) == 35
    doc = documents[32]
    assert doc.id == f"law-{statute.law.id}-a33"
    assert doc.source["article"] == 33 and doc.source["article_label"] == "第三十三条"
    assert doc.source["short_name"] == "人民调解法" and doc.source["status"] == "in_force"
    assert doc.source["text"].startswith("经人民调解委员会调解达成调解协议后")
    assert "33" in doc.text["article_label"].split()
    assert doc.embed_text.startswith("《人民调解法》第三十三条")


def test_laws_outside_the_set_are_keyword_only(analyzer):
    documents = prepare_statute(_statute("反分裂国家法"), analyzer)
    assert documents and all(d.embed_text is None for d in documents)
    assert all(d.text["text"] for d in documents)


def test_repealed_laws_say_when_and_by_what(analyzer):
    (doc, *_) = prepare_statute(_statute("噪声污染防治法"), analyzer)
    assert doc.source["status"] == "repealed" and doc.source["repealed"] == "2026-08-15"
    assert doc.source["replaced_by"] == "中华人民共和国生态环境法典"


def test_the_loader_yields_library_regulations_then_the_database(analyzer):
    items = SPEC.load([sample_library()])
    first = next(items)
    assert isinstance(first, Loaded) and first.record.law.origin == "local"
    second = next(items)
    assert second.record.law.origin == "database"
    documents = prepare_statute(first.record, analyzer)
    assert documents[0].source["note"].startswith("本文件是调解知识库")
    assert all(d.embed_text for d in documents)
