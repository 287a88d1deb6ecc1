"""Embeddings: the real default model, offline, on both engines (ONNX int8, the default, and
PyTorch); chunking; the persistent cache."""

from __future__ import annotations

import numpy as np
import pytest

from kb_service.embeddings import CachedEmbedder, SentenceTransformerEmbedder, default_model_folder
from kb_service.errors import ConfigurationError


@pytest.fixture(params=["onnx", "torch"])
def encoder(request, model, torch_model):
    return {"onnx": model, "torch": torch_model}[request.param]


def test_default_model_is_found_in_the_installed_package():
    folder = default_model_folder()
    assert folder.name == "m3e-small" and (folder / "config.json").is_file()


def test_vectors_are_normalised_and_meaningful(encoder):
    vectors = encoder.encode(["楼上邻居天天吵", "邻居深夜噪声扰民", "拖欠农民工工资"])
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_long_texts_are_chunked_not_cut(encoder, torch_model):
    sentence = "申请人在工地务工期间被拖欠工资，多次讨要无果。"
    long_text = sentence * 60 + "最后一句提到了医疗纠纷和手术。"
    chunks = encoder.chunks(long_text)
    assert len(chunks) > 1
    assert "".join(chunks) == long_text  # nothing dropped
    tokenizer = torch_model._model.tokenizer  # the model's own, which both engines read
    assert encoder.max_tokens == torch_model.max_tokens
    assert all(len(tokenizer.tokenize(c)) <= encoder.max_tokens - 2 for c in chunks)
    head_only = encoder.encode([sentence * 60])[0]
    whole = encoder.encode([long_text])[0]
    assert not np.allclose(head_only, whole)  # the tail counts


def test_cache_embeds_unchanged_text_once(encoder, tmp_path):
    cache = CachedEmbedder(encoder, tmp_path / "cache.sqlite3")
    first = cache.encode(["物业费纠纷", "宅基地纠纷"])
    assert cache.misses == 2
    second_run = CachedEmbedder(encoder, tmp_path / "cache.sqlite3")  # a later process
    again = second_run.encode(["宅基地纠纷", "物业费纠纷"])
    assert (second_run.misses, second_run.hits) == (0, 2)
    assert np.allclose(again[1], first[0]) and np.allclose(again[0], first[1])


def test_a_missing_model_folder_is_a_clear_configuration_error(tmp_path):
    empty = tmp_path / "model"
    empty.mkdir()
    with pytest.raises(ConfigurationError, match="KB_EMBEDDING_MODEL"):
        SentenceTransformerEmbedder(str(empty)).load()


@pytest.mark.slow  # imports torch and asks sentence-transformers to load
def test_an_unknown_model_name_is_not_downloaded():
    with pytest.raises(ConfigurationError, match="不联网下载"):
        SentenceTransformerEmbedder("no-such-org/no-such-model").load()


def test_queries_from_many_threads_at_once_are_all_encoded(encoder):
    # the API embeds queries in its worker threads; the fast tokenizer must not be entered twice
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"第{n}户邻居夜间装修噪音扰民，多次协商未果。" * (1 + n % 3) for n in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        vectors = list(pool.map(lambda text: encoder.encode([text])[0], texts))
    alone = encoder.encode(texts[:1])[0]
    assert len(vectors) == 24 and abs(float(vectors[0] @ alone) - 1.0) < 1e-4
