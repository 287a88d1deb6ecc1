"""The ONNX int8 encoder: exported once, offline, and close to the PyTorch model it replaces."""

from __future__ import annotations

import sys

import numpy as np

from kb_service.embeddings import SentenceTransformerEmbedder, build_embedder
from kb_service.onnx_encoder import OnnxEmbedder, onnx_file
from kb_service.settings import load_settings

TEXTS = [
    "楼上卫生间漏水，把楼下天花板泡坏了，双方就维修费用协商不成",
    "包工头跑了，工地欠我们二十个人的工资",
    "交通事故造成骑车人骨折，双方就误工费和护理费协商。" * 40,  # longer than the window: chunked
]


def test_onnx_vectors_match_the_pytorch_model_and_the_export_is_kept(torch_model, tmp_path):
    onnx = OnnxEmbedder.from_settings(load_settings(data_dir=tmp_path))
    assert onnx.model_id == torch_model.model_id + "+onnx-int8"  # never mixed with the other backend's vectors
    vectors = onnx.encode(TEXTS)
    expected = torch_model.encode(TEXTS)
    assert vectors.shape == expected.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (np.sum(vectors * expected, axis=1) > 0.97).all()
    exported = onnx_file(onnx._folder)
    assert exported.is_file() and exported.parent.parent.parent == tmp_path / "onnx-models"
    again = OnnxEmbedder.from_settings(load_settings(data_dir=tmp_path))  # a later process: no export
    assert np.allclose(again.encode(TEXTS[:1]), vectors[:1], atol=1e-6)
    assert exported.stat().st_mtime_ns == onnx_file(again._folder).stat().st_mtime_ns


def test_the_default_encoder_is_onnx_and_torch_is_one_setting_away(tmp_path):
    assert isinstance(build_embedder(load_settings(data_dir=tmp_path)).inner, OnnxEmbedder)
    chosen = build_embedder(load_settings(data_dir=tmp_path, embedding_backend="torch")).inner
    assert isinstance(chosen, SentenceTransformerEmbedder) and not chosen.model_id.endswith("+onnx-int8")


def test_building_the_onnx_encoder_loads_nothing(tmp_path):
    before = "torch" in sys.modules
    onnx = OnnxEmbedder.from_settings(load_settings(data_dir=tmp_path))
    assert onnx.dimension == 512 and not onnx._folder.exists()
    assert ("torch" in sys.modules) == before
